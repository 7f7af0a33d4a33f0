import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, makeTempDir } from '../test-support.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
import { InlineBatchWriter } from './batch-writer.js';
import type { Migration, SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { ThreadBatchWriter } from './writer-thread.js';

const kvMigration: Migration = {
  version: 1,
  description: 'a key-value table that refuses the value "poison"',
  up: (db) =>
    db.exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL CHECK (v <> 'poison'))`),
};
const SQL = { put: 'INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)' };

let temp: ReturnType<typeof makeTempDir>;
let db: SqliteDatabase;
let log: ReturnType<typeof captureLogger>;
const writers: BatchWriter[] = [];

const open = (): SqliteDatabase => openDatabase(temp.file, { migrations: [kvMigration] });
const batch = (...pairs: [string, string][]): WriteBatch => ({
  queue: 'test',
  keyLogField: 'key',
  groups: pairs.map(([k, v]) => ({ key: k, ops: [['put', [k, v]]] })),
});
/** What another connection sees in the file. */
const stored = (): Record<string, string> => {
  const reader = new Database(temp.file, { readonly: true });
  try {
    const rows = reader
      .prepare<[], { k: string; v: string }>('SELECT k, v FROM kv ORDER BY k')
      .all();
    return Object.fromEntries(rows.map((row) => [row.k, row.v]));
  } finally {
    reader.close();
  }
};

beforeEach(() => {
  temp = makeTempDir();
  db = open();
  log = captureLogger();
});
afterEach(async () => {
  await Promise.all(writers.splice(0).map((w) => w.close()));
  db.close();
  temp.remove();
});

const kinds: [string, () => BatchWriter][] = [
  ['in-line', () => new InlineBatchWriter(db, SQL, log.logger)],
  ['writer thread', () => new ThreadBatchWriter(temp.file, SQL, log.logger, open)],
];

describe.each(kinds)('%s batch writer', (_name, make) => {
  const writer = (): BatchWriter => {
    const w = make();
    writers.push(w);
    return w;
  };

  it('commits every batch; settled() waits for them', async () => {
    const w = writer();
    w.write(batch(['a', '1'], ['b', '2']));
    w.write(batch(['a', '3']));
    await w.settled();
    expect(stored()).toEqual({ a: '3', b: '2' });
  });

  it('loses only the bad entry of a failed batch, logs it with its key, and keeps going', async () => {
    const w = writer();
    w.write(batch(['a', '1'], ['bad', 'poison'], ['b', '2']));
    w.write(batch(['c', '3']));
    await w.settled();
    expect(stored()).toEqual({ a: '1', b: '2', c: '3' });
    const errors = log.lines.filter((line) => line.level >= 50);
    expect(errors.map((line) => line.msg)).toEqual([
      'write-behind batch failed; retrying its entries one by one',
      'write-behind entry dropped',
    ]);
    expect(errors[1]).toMatchObject({ queue: 'test', key: 'bad' });
  });

  it('writes everything it was given before close() resolves', async () => {
    const w = writer();
    for (let i = 0; i < 200; i += 1) w.write(batch([`k${String(i)}`, String(i)]));
    await w.close();
    expect(Object.keys(stored())).toHaveLength(200);
  });
});

describe('writer thread', () => {
  it('falls back to the event loop when the thread dies, replaying what it had not committed', async () => {
    const w = new ThreadBatchWriter(temp.file, SQL, log.logger, open);
    writers.push(w);
    w.write(batch(['before', '1']));
    await w.settled();
    w.write(batch(['in-flight', '2']));
    await w.killThread();
    w.write(batch(['after', '3']));
    await w.settled();
    expect(stored()).toEqual({ before: '1', 'in-flight': '2', after: '3' });
    expect(
      log.lines.some((l) => l.msg === 'writer thread failed; writing on the event loop again'),
    ).toBe(true);
  });

  it('ends a thread stuck in a write at close, and writes its batch on the event loop', async () => {
    // Another connection holds the file's write lock: the thread's commit waits in SQLite's busy
    // handler, answering nothing, longer than close() is willing to wait.
    const w = new ThreadBatchWriter(temp.file, SQL, log.logger, open, 200);
    writers.push(w);
    w.write(batch(['before', '1']));
    await w.settled();
    const locker = new Database(temp.file);
    locker.pragma('busy_timeout = 0');
    locker.exec('BEGIN IMMEDIATE');
    w.write(batch(['stuck', '2']));
    const closed = w.close();
    // Well past the grace: the thread is being ended, still inside its write.
    await new Promise((resolve) => setTimeout(resolve, 600));
    locker.exec('ROLLBACK');
    locker.close();
    await closed;
    // Whether or not the thread's commit landed before it ended, the batch is there once.
    expect(stored()).toEqual({ before: '1', stuck: '2' });
    const messages = log.lines.map((l) => l.msg);
    expect(messages).toContain(
      'writer thread does not answer; writing its batches on the event loop',
    );
    expect(messages).toContain('writer thread failed; writing on the event loop again');
  });

  it('does not keep the process alive when idle, yet finishes what it was given', async () => {
    // In a child process, which must end on its own once the writes are committed.
    const { execFileSync } = await import('node:child_process');
    const script = `
      import { ThreadBatchWriter } from './server/store/sqlite/writer-thread.ts';
      import { openDatabase } from './server/store/sqlite/database.ts';
      import pino from 'pino';
      const migration = { version: 1, description: 'kv', up: (db) => db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)') };
      const open = () => openDatabase(${JSON.stringify(temp.file + '.child')}, { migrations: [migration] });
      open().close();
      const w = new ThreadBatchWriter(${JSON.stringify(temp.file + '.child')}, { put: 'INSERT INTO kv (k, v) VALUES (?, ?)' }, pino({ level: 'silent' }), open);
      for (let i = 0; i < 50; i++) w.write({ queue: 'q', keyLogField: 'key', groups: [{ key: 'k' + i, ops: [['put', ['k' + i, 'v']]] }] });
      await w.settled(); // and then nothing: an idle writer must let the process end
    `;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      timeout: 20_000,
    });
    const child = new Database(temp.file + '.child', { readonly: true });
    try {
      expect(child.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: 50 });
    } finally {
      child.close();
    }
  });
});
