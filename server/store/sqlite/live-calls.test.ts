import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, makeCall, makeTempDir } from '../test-support.js';
import type { SqliteDatabase } from './database.js';
import { openCallsDatabase } from './calls-database.js';
import { SqliteLiveCallStore } from './live-calls.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let log: ReturnType<typeof captureLogger>;

/** A store whose timer never fires during a test: only reads and flush() write. */
const openStore = (flushIntervalMs = 60_000): SqliteLiveCallStore =>
  new SqliteLiveCallStore(db, log.logger, { flushIntervalMs });

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
afterEach(() => {
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
    const loaded = await openStore().loadAll();
    expect(loaded).toEqual([
      makeCall({ callId: 'call-aaaa', state: 'active' }),
      makeCall({ callId: 'call-bbbb' }),
    ]);
  });

  it('loadAll sees writes that are not flushed yet', async () => {
    const store = openStore();
    store.save(makeCall({ callId: 'call-unflushed' }));
    expect(rowCount()).toBe(0);
    expect((await store.loadAll()).map((call) => call.callId)).toEqual(['call-unflushed']);
  });

  it('keeps only the last operation per call within a batch', async () => {
    const store = openStore();
    store.save(makeCall({ callId: 'call-saved-then-deleted' }));
    store.delete('call-saved-then-deleted');
    store.delete('call-deleted-then-saved');
    store.save(makeCall({ callId: 'call-deleted-then-saved', state: 'active' }));
    const loaded = await store.loadAll();
    expect(loaded).toEqual([makeCall({ callId: 'call-deleted-then-saved', state: 'active' })]);
  });

  it('never writes a call that ends before its first flush, but deletes one that was written', async () => {
    const statements: string[] = [];
    const traced = new Database(temp.file, { verbose: (sql) => statements.push(String(sql)) });
    try {
      const store = new SqliteLiveCallStore(traced, log.logger, { flushIntervalMs: 60_000 });
      const writes = (): string[] => statements.filter((sql) => /INSERT|DELETE/.test(sql));
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

  it('writes on its own after the flush interval', async () => {
    const store = openStore(5);
    store.save(makeCall({ callId: 'call-timer' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rowCount()).toBe(1);
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
    expect(loaded.map((call) => call.callId)).toEqual(['call-good']);
    const skipped = log.lines.filter((line) => line.msg === 'corrupt live call snapshot skipped');
    expect(skipped.map((line) => line.callId).sort()).toEqual([
      'call-bad-shape',
      'call-not-json',
      'call-wrong-id',
    ]);
  });
});
