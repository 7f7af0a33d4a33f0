import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Migration, SqliteDatabase } from './database.js';
import { migrate, openDatabase, SchemaTooNewError, schemaVersion } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { makeTempDir } from '../test-support.js';

let temp: ReturnType<typeof makeTempDir>;
const opened: SqliteDatabase[] = [];
const open = (...args: Parameters<typeof openDatabase>): SqliteDatabase => {
  const db = openDatabase(...args);
  opened.push(db);
  return db;
};

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
  temp.remove();
});

const tableNames = (db: SqliteDatabase): string[] =>
  db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
    .all()
    .map((row) => row.name);

describe('openDatabase', () => {
  it('creates the schema on an empty file with the expected pragmas', () => {
    const db = open(temp.file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(tableNames(db)).toEqual([
      'blocks',
      'cc_agent_settings',
      'cc_queue_members',
      'cc_queue_supervisors',
      'cc_queues',
      'push_tokens',
      'refresh_families',
      'user_settings',
      'users',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('opens an in-memory database', () => {
    const db = open(':memory:');
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
  });

  it('reruns as a no-op on an up-to-date file', () => {
    let applied = 0;
    const counting: Migration[] = [
      {
        version: 1,
        description: 'a table',
        up: (db) => {
          applied += 1;
          db.exec('CREATE TABLE t (x INTEGER)');
        },
      },
    ];
    open(temp.file, { migrations: counting }).close();
    const db = open(temp.file, { migrations: counting });
    expect(applied).toBe(1);
    expect(migrate(db, counting)).toEqual({ from: 1, to: 1 });
    expect(applied).toBe(1);
  });

  it('applies only the migrations a file has not seen', () => {
    const first: Migration = {
      version: 1,
      description: 'one',
      up: (db) => db.exec('CREATE TABLE one (x)'),
    };
    const second: Migration = {
      version: 2,
      description: 'two',
      up: (db) => db.exec('CREATE TABLE two (x)'),
    };
    open(temp.file, { migrations: [first] }).close();
    const db = open(temp.file, { migrations: [first, second] });
    expect(schemaVersion(db)).toBe(2);
    expect(tableNames(db)).toEqual(['one', 'two']);
  });

  it('refuses a file written by a newer schema, and leaves it untouched', () => {
    const raw = new Database(temp.file);
    raw.pragma('user_version = 99');
    raw.close();

    expect(() => open(temp.file)).toThrow(SchemaTooNewError);
    expect(() => open(temp.file)).toThrow(/schema version 99.*only knows up to version \d+/);

    const check = new Database(temp.file);
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    expect(tableNames(check)).toEqual([]);
    check.close();
  });

  it('rolls a failing migration back and keeps the previous version', () => {
    const ok: Migration = {
      version: 1,
      description: 'ok',
      up: (db) => db.exec('CREATE TABLE a (x)'),
    };
    const failing: Migration = {
      version: 2,
      description: 'fails halfway',
      up: (db) => {
        db.exec('CREATE TABLE b (x)');
        throw new Error('boom');
      },
    };
    expect(() => open(temp.file, { migrations: [ok, failing] })).toThrow('boom');

    const db = open(temp.file, { migrations: [ok] });
    expect(schemaVersion(db)).toBe(1);
    expect(tableNames(db)).toEqual(['a']);
  });

  it('rejects migrations that are not numbered 1, 2, 3...', () => {
    const skipped: Migration[] = [
      { version: 1, description: 'one', up: () => undefined },
      { version: 3, description: 'three', up: () => undefined },
    ];
    expect(() => open(temp.file, { migrations: skipped })).toThrow(/version 3, expected 2/);
  });
});
