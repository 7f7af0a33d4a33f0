import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SqliteContactCenterStore } from '../../contact-center/sqlite-store.js';
import type { Logger } from '../../logger.js';
import type { ScryptCost } from '../passwords.js';
import type { Stores } from '../types.js';
import { WalCheckpointer } from './checkpointer.js';
import { openDatabase } from './database.js';
import { SqliteLiveCallStore } from './live-calls.js';
import { SqlitePushTokenStore } from './push-tokens.js';
import { SqliteRecordStore } from './records.js';
import { settle } from './settle.js';
import { SqliteUserStore } from './users.js';

export { openDatabase, SchemaTooNewError } from './database.js';
export { UnknownUserError } from './users.js';

export interface SqliteStoresOptions {
  /** A database file path, or ':memory:'. */
  file: string;
  logger: Logger;
  /** How long hot-path writes (live calls, records) wait to be batched; 20 ms by default. */
  flushIntervalMs?: number;
  /** Lower only in tests: the default is the production cost (N=16384, r=8, p=1). */
  scryptCost?: ScryptCost;
  /** Checkpoint the WAL in a worker thread rather than inside commits (default: on for files). */
  checkpointInWorker?: boolean;
}

/**
 * All stores on one SQLite file (one connection: better-sqlite3 is synchronous, so everything
 * runs on the event loop with no locking between stores). Call `close()` on shutdown: it writes
 * the pending write-behind batches before closing the file.
 */
export function openSqliteStores(options: SqliteStoresOptions): Stores {
  const db = openDatabase(options.file);
  const logger = options.logger.child({ component: 'store' });
  const writeBehind = { flushIntervalMs: options.flushIntervalMs };
  const liveCalls = new SqliteLiveCallStore(db, logger, writeBehind);
  const records = new SqliteRecordStore(db, logger, writeBehind);
  const checkpointer =
    options.file !== ':memory:' && options.file !== '' && options.checkpointInWorker !== false
      ? new WalCheckpointer(db, options.file, logger)
      : undefined;
  let closing: Promise<void> | undefined;
  return {
    users: new SqliteUserStore(db, { scryptCost: options.scryptCost }),
    pushTokens: new SqlitePushTokenStore(db),
    liveCalls,
    records,
    contactCenter: new SqliteContactCenterStore(db),
    close: () =>
      (closing ??= (async () => {
        await checkpointer?.close();
        await settle(() => {
          try {
            liveCalls.close();
            records.close();
          } finally {
            db.close();
          }
        });
      })()),
  };
}

/** Where the database lives inside the data dir; creates the dir, private to this user. */
export function dataFile(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return path.join(dataDir, 'trayphone.sqlite');
}
