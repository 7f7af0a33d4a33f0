import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test-support.js';
import { callsFileFor, openCallsDatabase } from './calls-database.js';
import type { SqliteDatabase } from './database.js';
import { openDatabase, schemaVersion } from './database.js';
import { MIGRATIONS } from './migrations.js';

let temp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  temp.remove();
});

const count = (db: SqliteDatabase, table: string): number =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const hasTable = (db: SqliteDatabase, table: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !==
  undefined;

/** An accounts file as version 2 left it, call data inside. */
function writeVersion2File(): void {
  const old = openDatabase(temp.file, { migrations: MIGRATIONS.slice(0, 2) });
  old
    .prepare('INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)')
    .run('call-live', '{"callId":"call-live"}', 1);
  old
    .prepare(
      `INSERT INTO call_records (call_id, caller_id, media, created_at, answered_at, ended_at,
         end_reason, duration_sec, record, queue_name, agent_id, wait_sec)
       VALUES ('call-done', 'alice', 'audio', 10, NULL, 20, 'completed', 0, '{}', 'sales', 'bob', 1.5)`,
    )
    .run();
  const participant = old.prepare(
    'INSERT INTO call_participants (call_id, user_id, created_at) VALUES (?, ?, 10)',
  );
  participant.run('call-done', 'alice');
  participant.run('call-done', 'bob');
  old.close();
}

describe('the calls file', () => {
  it('sits beside the accounts file; in memory when that is', () => {
    expect(callsFileFor(path.join('/data', 'trayphone.sqlite'))).toBe(
      path.join('/data', 'trayphone-calls.sqlite'),
    );
    expect(callsFileFor(':memory:')).toBe(':memory:');
  });

  it('receives the call data of an older accounts file, which then drops its tables', () => {
    writeVersion2File();
    const accounts = openDatabase(temp.file);
    expect(schemaVersion(accounts)).toBe(MIGRATIONS.length);
    for (const table of ['live_calls', 'call_records', 'call_participants']) {
      expect(hasTable(accounts, table)).toBe(false);
    }
    accounts.close();

    const calls = openCallsDatabase(callsFileFor(temp.file));
    expect(count(calls, 'live_calls')).toBe(1);
    expect(count(calls, 'call_participants')).toBe(2);
    expect(calls.prepare('SELECT queue_name, agent_id, wait_sec FROM call_records').get()).toEqual({
      queue_name: 'sales',
      agent_id: 'bob',
      wait_sec: 1.5,
    });
    calls.close();
  });

  it('copies again without harm when a crash came between the copy and the drop', () => {
    writeVersion2File();
    // The copy reached the calls file, but the accounts file is still at version 2.
    const calls = openCallsDatabase(callsFileFor(temp.file));
    calls
      .prepare('INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)')
      .run('call-live', '{"callId":"call-live"}', 1);
    calls.close();

    openDatabase(temp.file).close();
    const after = openCallsDatabase(callsFileFor(temp.file));
    expect(count(after, 'live_calls')).toBe(1);
    expect(count(after, 'call_records')).toBe(1);
    after.close();
  });

  it('is created with its schema when a new accounts file is', () => {
    openDatabase(temp.file).close();
    expect(existsSync(callsFileFor(temp.file))).toBe(true);
  });
});
