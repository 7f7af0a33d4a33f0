import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SqliteContactCenterStore } from './contact-center-store.js';
import type { Logger } from '../../logger.js';
import type { ScryptCost } from '../passwords.js';
import type { Stores } from '../types.js';
import { WalCheckpointer } from './checkpointer.js';
import type { BatchWriter } from './batch-writer.js';
import { InlineBatchWriter } from './batch-writer.js';
import { CallJournal } from './call-journal.js';
import { CALL_WRITE_SQL, callsFileFor, openCallsDatabase } from './calls-database.js';
import type { SqliteDatabase } from './database.js';
import { openDatabase } from './database.js';
import { SqliteLiveCallStore, storedLiveCallIds } from './live-calls.js';
import { SqlitePushTokenStore } from './push-tokens.js';
import { SqliteSignInFamilies } from './refresh-families.js';
import { SqliteRecordStore, recordOps } from './records.js';
import { settle } from './settle.js';
import { SqliteUserStore } from './users.js';
import { SqliteWebhookOutbox } from './webhook-outbox.js';
import { ThreadBatchWriter } from './writer-thread.js';

export { openDatabase, SchemaTooNewError } from './database.js';
export { UnknownUserError } from './users.js';

export interface SqliteStoresOptions {
  /** A database file path, or ':memory:'. */
  file: string;
  logger: Logger;
  /** Lower only in tests: the default is the production cost (N=16384, r=8, p=1). */
  scryptCost?: ScryptCost;
  /** Checkpoint the WAL in a worker thread rather than inside commits (default: on for files). */
  checkpointInWorker?: boolean;
  /** Write call data on a writer thread rather than the event loop (default: on for files). */
  writeCallsInWorker?: boolean;
}

/**
 * All stores, on two SQLite files: accounts (users, settings, push tokens, queues) and call data
 * (live calls, records: calls-database.ts). better-sqlite3 is synchronous: reads run on the event
 * loop; the hot writes of call data are group-committed (call-journal.ts) by a writer thread with
 * its own connection. Call `close()` on shutdown: it commits what is pending before closing.
 */
export function openSqliteStores(options: SqliteStoresOptions): Stores {
  const db = openDatabase(options.file);
  const logger = options.logger.child({ component: 'store' });
  const onDisk = options.file !== ':memory:' && options.file !== '';
  const callsFile = callsFileFor(options.file);
  let callsDb: SqliteDatabase;
  try {
    callsDb = openCallsDatabase(callsFile);
  } catch (error) {
    db.close();
    throw error;
  }
  const threadWriter =
    onDisk && options.writeCallsInWorker !== false
      ? new ThreadBatchWriter(callsFile, CALL_WRITE_SQL, logger, () => openCallsDatabase(callsFile))
      : undefined;
  const writer: BatchWriter =
    threadWriter ?? new InlineBatchWriter(callsDb, CALL_WRITE_SQL, logger);
  const journal = openCallJournal(callsDb, logger, writer);
  const liveCalls = new SqliteLiveCallStore(callsDb, logger, journal);
  const records = new SqliteRecordStore(callsDb, logger, journal);
  const outbox = new SqliteWebhookOutbox(callsDb, logger, journal);
  const inWorker = onDisk && options.checkpointInWorker !== false;
  const checkpointer = inWorker ? new WalCheckpointer(db, options.file, logger) : undefined;
  // Signaling frames wait for call-data commits: a checkpoint inside one would hold them all.
  const callsCheckpointer =
    inWorker && threadWriter
      ? new WalCheckpointer(callsDb, callsFile, logger, undefined, (pages) => {
          threadWriter.setAutocheckpoint(pages);
        })
      : undefined;
  let closing: Promise<void> | undefined;
  const families = new SqliteSignInFamilies(db);
  return {
    users: new SqliteUserStore(db, families, { scryptCost: options.scryptCost }),
    families,
    pushTokens: new SqlitePushTokenStore(db),
    liveCalls,
    records,
    contactCenter: new SqliteContactCenterStore(db),
    outbox,
    commits: journal,
    close: () =>
      (closing ??= (async () => {
        await checkpointer?.close();
        await callsCheckpointer?.close();
        await journal.close();
        await writer.close();
        await settle(() => {
          try {
            callsDb.close();
          } finally {
            db.close();
          }
        });
      })()),
  };
}

/** The journal of a calls file, writing through `writer` (in-line on `callsDb` by default). */
export function openCallJournal(
  callsDb: SqliteDatabase,
  logger: Logger,
  writer: BatchWriter = new InlineBatchWriter(callsDb, CALL_WRITE_SQL, logger),
): CallJournal {
  return new CallJournal({
    writer,
    logger,
    storedLiveCalls: storedLiveCallIds(callsDb),
    recordOps,
  });
}

/** Where the database lives inside the data dir; creates the dir, private to this user. */
export function dataFile(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return path.join(dataDir, 'trayphone.sqlite');
}
