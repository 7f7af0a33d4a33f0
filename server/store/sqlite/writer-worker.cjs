'use strict';
/**
 * The call-data writer thread, and the batch logic it shares with the in-line writer
 * (batch-writer.ts). Plain CommonJS, so that a worker thread runs it as it is: workers get no
 * TypeScript loader, under tsx or vitest alike. Types: writer-worker.d.cts.
 */
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** Prepares every named statement on a connection. */
function prepareAll(db, sql) {
  return new Map(Object.entries(sql).map(([name, text]) => [name, db.prepare(text)]));
}

function describeError(error) {
  return error instanceof Error ? error.message : String(error);
}

function runGroups(db, statements, groups) {
  db.exec('BEGIN');
  try {
    for (const group of groups) {
      for (const [name, params] of group.ops) {
        const statement = statements.get(name);
        if (!statement) throw new Error(`unknown statement ${name}`);
        statement.run(...params);
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * Applies a batch in one transaction. If it fails, each group is retried alone, so a single bad
 * entry costs only itself; whatever still fails is reported (for the caller to log) and dropped.
 * Never throws.
 */
function applyBatch(db, statements, batch) {
  const problems = [];
  try {
    runGroups(db, statements, batch.groups);
    return problems;
  } catch (error) {
    problems.push({
      level: 'error',
      msg: 'write-behind batch failed; retrying its entries one by one',
      fields: { err: describeError(error), queue: batch.queue, entries: batch.groups.length },
    });
  }
  for (const group of batch.groups) {
    try {
      runGroups(db, statements, [group]);
    } catch (error) {
      problems.push({
        level: 'error',
        msg: 'write-behind entry dropped',
        fields: { err: describeError(error), queue: batch.queue, [batch.keyLogField]: group.key },
      });
    }
  }
  return problems;
}

/** The thread: its own connection to the file; batches in, one `done` per batch out, in order. */
function runWriterThread() {
  const Database = require('better-sqlite3');
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const statements = prepareAll(db, workerData.sql);
  parentPort.on('message', (message) => {
    if (message.kind === 'batch') {
      const problems = applyBatch(db, statements, JSON.parse(message.json));
      parentPort.postMessage({ kind: 'done', seq: message.seq, problems });
    } else if (message.kind === 'autocheckpoint') {
      // 0 while a checkpointer thread does it (checkpointer.ts), SQLite's default again if not.
      db.pragma(`wal_autocheckpoint = ${Number(message.pages)}`);
    } else if (message.kind === 'close') {
      db.close();
      parentPort.close();
    }
  });
}

const WRITER_ROLE = 'trayphone-call-writer';
if (!isMainThread && workerData && workerData.role === WRITER_ROLE) runWriterThread();

// Assignments one by one: Node's ESM import of CommonJS finds named exports written this way.
exports.applyBatch = applyBatch;
exports.prepareAll = prepareAll;
exports.WRITER_ROLE = WRITER_ROLE;
