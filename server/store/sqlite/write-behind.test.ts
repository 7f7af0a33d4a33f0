import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, makeTempDir } from '../test-support.js';
import type { Migration, SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { WriteBehindQueue } from './write-behind.js';

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let log: ReturnType<typeof captureLogger>;

const kvMigration: Migration = {
  version: 1,
  description: 'a key-value table',
  up: (database) => database.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)'),
};

/** A queue writing into `kv`; a value 'poison' makes its write fail. */
function makeQueue(intervalMs = 60_000): {
  queue: WriteBehindQueue<string>;
  inTransaction: boolean[];
} {
  const insert = db.prepare<[string, string]>('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
  const inTransaction: boolean[] = [];
  const queue = new WriteBehindQueue<string>({
    db,
    logger: log.logger,
    name: 'test',
    keyLogField: 'key',
    intervalMs,
    writeOne: (key, value) => {
      inTransaction.push(db.inTransaction);
      if (value === 'poison') throw new Error('cannot write poison');
      insert.run(key, value);
    },
  });
  return { queue, inTransaction };
}

const stored = (): Record<string, string> =>
  Object.fromEntries(
    db
      .prepare<[], { k: string; v: string }>('SELECT k, v FROM kv ORDER BY k')
      .all()
      .map((row) => [row.k, row.v]),
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  temp = makeTempDir();
  db = openDatabase(temp.file, { migrations: [kvMigration] });
  log = captureLogger();
});
afterEach(() => {
  db.close();
  temp.remove();
});

describe('WriteBehindQueue', () => {
  it('writes nothing until flushed, then everything inside a transaction', () => {
    const { queue, inTransaction } = makeQueue();
    queue.set('a', '1');
    queue.set('b', '2');
    expect(stored()).toEqual({});
    queue.flushNow();
    expect(stored()).toEqual({ a: '1', b: '2' });
    expect(inTransaction).toEqual([true, true]);
    expect(queue.size).toBe(0);
  });

  it('coalesces by key: only the last value is written', () => {
    const { queue, inTransaction } = makeQueue();
    queue.set('a', '1');
    queue.set('a', '2');
    queue.set('a', '3');
    queue.flushNow();
    expect(stored()).toEqual({ a: '3' });
    expect(inTransaction).toHaveLength(1);
  });

  it('flushes on its timer', async () => {
    const { queue } = makeQueue(5);
    queue.set('a', '1');
    await sleep(50);
    expect(stored()).toEqual({ a: '1' });
  });

  it('loses only the bad entry of a failed batch, logs it, and keeps going', async () => {
    const { queue } = makeQueue(5);
    queue.set('a', '1');
    queue.set('bad', 'poison');
    queue.set('b', '2');
    await sleep(50); // the timer path must not throw out of the process either
    expect(stored()).toEqual({ a: '1', b: '2' });

    queue.set('c', '3');
    queue.flushNow();
    expect(stored()).toEqual({ a: '1', b: '2', c: '3' });

    const errors = log.lines.filter((line) => line.level >= 50);
    expect(errors.map((line) => line.msg)).toEqual([
      'write-behind batch failed; retrying its entries one by one',
      'write-behind entry dropped',
    ]);
    expect(errors[1]).toMatchObject({ queue: 'test', key: 'bad' });
  });

  it('survives the database failing under it', () => {
    const { queue } = makeQueue();
    queue.set('a', '1');
    db.close();
    expect(() => {
      queue.flushNow();
    }).not.toThrow();
    expect(log.lines.some((line) => line.msg === 'write-behind entry dropped')).toBe(true);
    db = openDatabase(temp.file, { migrations: [kvMigration] });
  });

  it('writes what is pending on close and drops later writes with a warning', () => {
    const { queue } = makeQueue();
    queue.set('a', '1');
    queue.close();
    expect(stored()).toEqual({ a: '1' });
    queue.set('b', '2');
    queue.flushNow();
    expect(stored()).toEqual({ a: '1' });
    expect(log.lines.at(-1)).toMatchObject({ msg: 'write after close dropped', key: 'b' });
  });
});
