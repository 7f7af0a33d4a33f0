import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, makeCall, makeTempDir } from '../test-support.js';
import type { SqliteDatabase } from './database.js';
import { openCallsDatabase } from './calls-database.js';
import type { CallJournal } from './call-journal.js';
import { openCallJournal } from './index.js';
import { SqliteLiveCallStore } from './live-calls.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let log: ReturnType<typeof captureLogger>;

let journals: CallJournal[] = [];

/** A store on `on` (the test's file by default) with a journal of its own. */
function openStore(on: SqliteDatabase = db): SqliteLiveCallStore {
  const journal = openCallJournal(on, log.logger);
  journals.push(journal);
  return new SqliteLiveCallStore(on, log.logger, journal);
}

const reopen = (): void => {
  db.close();
  db = openCallsDatabase(temp.file);
};

const rowCount = (): number =>
  db.prepare<[], { n: number }>('SELECT count(*) AS n FROM live_calls').get()?.n ?? -1;

beforeEach(() => {
  temp = makeTempDir();
  db = openCallsDatabase(temp.file);
  log = captureLogger();
});
afterEach(async () => {
  await Promise.all(journals.map((journal) => journal.close()));
  journals = [];
  db.close();
  temp.remove();
});

describe('live calls', () => {
  it('saves, overwrites and deletes, and keeps them across a reopen of the file', async () => {
    const store = openStore();
    store.save(makeCall({ callId: 'call-aaaa' }));
    store.save(makeCall({ callId: 'call-bbbb' }));
    store.save(makeCall({ callId: 'call-cccc' }));
    await store.flush();
    store.save(makeCall({ callId: 'call-aaaa', state: 'active' }));
    store.delete('call-cccc');
    await store.flush();

    reopen();
    const loaded = (await openStore().loadAll()).map((call) => call.info);
    expect(loaded).toEqual([
      makeCall({ callId: 'call-aaaa', state: 'active' }),
      makeCall({ callId: 'call-bbbb' }),
    ]);
  });

  it('loadAll sees writes that are not committed yet', async () => {
    const store = openStore();
    store.save(makeCall({ callId: 'call-uncommitted' }));
    expect(rowCount()).toBe(0);
    expect((await store.loadAll()).map((call) => call.info.callId)).toEqual(['call-uncommitted']);
  });

  it('keeps only the last operation per call within a batch', async () => {
    const store = openStore();
    store.save(makeCall({ callId: 'call-saved-then-deleted' }));
    store.delete('call-saved-then-deleted');
    store.delete('call-deleted-then-saved');
    store.save(makeCall({ callId: 'call-deleted-then-saved', state: 'active' }));
    const loaded = (await store.loadAll()).map((call) => call.info);
    expect(loaded).toEqual([makeCall({ callId: 'call-deleted-then-saved', state: 'active' })]);
  });

  it('never writes a call that ends before its first commit, but deletes one that was written', async () => {
    const statements: string[] = [];
    const traced = new Database(temp.file, { verbose: (sql) => statements.push(String(sql)) });
    try {
      const store = openStore(traced);
      const writes = (): string[] =>
        statements.filter((sql) => /INSERT|DELETE/.test(sql) && !sql.includes('server_state'));
      store.save(makeCall({ callId: 'call-short' }));
      store.save(makeCall({ callId: 'call-short', state: 'active' }));
      store.delete('call-short');
      await store.flush();
      expect(writes()).toEqual([]);
      store.save(makeCall({ callId: 'call-long' }));
      await store.flush();
      expect(rowCount()).toBe(1);
      store.delete('call-long');
      await store.flush();
      expect(rowCount()).toBe(0);
      expect(writes()).toHaveLength(2);
      await journals.pop()?.close();
    } finally {
      traced.close();
    }
  });

  it('deletes rows an earlier run left when their calls end, restored or not', async () => {
    const first = openStore();
    first.save(makeCall({ callId: 'call-from-before' }));
    await first.flush();
    reopen();
    const store = openStore();
    store.delete('call-from-before');
    await store.flush();
    expect(rowCount()).toBe(0);
  });

  it('commits on its own at the end of the event-loop turn', async () => {
    const store = openStore();
    store.save(makeCall({ callId: 'call-turn' }));
    expect(rowCount()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(rowCount()).toBe(1);
  });

  it('dates each call at the later of its own last write and the last alive note', async () => {
    db.prepare<[string, string, number]>(
      'INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)',
    ).run('call-old', JSON.stringify(makeCall({ callId: 'call-old' })), 1_000);
    db.prepare<[string, string, number]>(
      'INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)',
    ).run('call-new', JSON.stringify(makeCall({ callId: 'call-new' })), 9_000);
    db.prepare("INSERT INTO server_state (key, value) VALUES ('alive-at', 5000)").run();
    const loaded = await openStore().loadAll();
    expect(loaded.map((call) => [call.info.callId, call.persistedAt])).toEqual([
      ['call-new', 9_000],
      ['call-old', 5_000],
    ]);
  });

  it("dates them at the previous run's alive note even when this run's notes began before the load", async () => {
    db.prepare<[string, string, number]>(
      'INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)',
    ).run('call-cut', JSON.stringify(makeCall({ callId: 'call-cut' })), 1_000);
    db.prepare("INSERT INTO server_state (key, value) VALUES ('alive-at', 5000)").run();
    const store = openStore();
    // A slow start (mediasoup workers, a loaded machine): the journal notes this run alive.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const noted = db
      .prepare<[], number>("SELECT value FROM server_state WHERE key = 'alive-at'")
      .pluck()
      .get();
    expect(noted).toBeGreaterThan(5_000);
    const loaded = await store.loadAll();
    expect(loaded.map((call) => call.persistedAt)).toEqual([5_000]);
  });

  it('skips and logs corrupt snapshots instead of failing the load', async () => {
    const insert = db.prepare<[string, string]>(
      'INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, 0)',
    );
    insert.run('call-not-json', '{oops');
    insert.run('call-bad-shape', JSON.stringify({ callId: 'call-bad-shape', state: 'weird' }));
    insert.run('call-wrong-id', JSON.stringify(makeCall({ callId: 'call-someone-else' })));
    const store = openStore();
    store.save(makeCall({ callId: 'call-good' }));

    const loaded = await store.loadAll();
    expect(loaded.map((call) => call.info.callId)).toEqual(['call-good']);
    const skipped = log.lines.filter((line) => line.msg === 'corrupt live call snapshot skipped');
    expect(skipped.map((line) => line.callId).sort()).toEqual([
      'call-bad-shape',
      'call-not-json',
      'call-wrong-id',
    ]);
  });
});
