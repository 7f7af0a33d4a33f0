import type { Logger } from '../../logger.js';
import type { ScryptCost } from '../passwords.js';
import { CallJournal } from '../sqlite/call-journal.js';
import { recordOps } from '../sqlite/records.js';
import type { Stores } from '../types.js';
import {
  PostgresLiveCallStore,
  PostgresRecordStore,
  PostgresWebhookOutbox,
  readStoredCallState,
} from './call-data.js';
import { PostgresCallWriter } from './call-writer.js';
import { PostgresContactCenterStore } from './contact-center-store.js';
import { migratePostgres } from './migrate.js';
import { openPool } from './pool.js';
import { PostgresPushTokenStore } from './push-tokens.js';
import { PostgresSignInFamilies } from './refresh-families.js';
import { PostgresUserStore } from './users.js';

export { migratePostgres } from './migrate.js';

export interface PostgresStoresOptions {
  /** postgres://user@host:port/database */
  url: string;
  /** Connections at most (default 10). */
  poolSize?: number;
  logger: Logger;
  /** Lower only in tests: the default is the production cost (N=16384, r=8, p=1). */
  scryptCost?: ScryptCost;
}

/**
 * All stores on one PostgreSQL database (cluster mode: every node opens the same one). Brings
 * the schema up to date first (migrate.ts: under an advisory lock, so nodes starting together
 * take turns). Call data is group-committed by the same journal as SQLite's, committed by
 * PostgresCallWriter. Call `close()` on shutdown: it commits what is pending, then ends the pool.
 */
export async function openPostgresStores(options: PostgresStoresOptions): Promise<Stores> {
  const logger = options.logger.child({ component: 'store', store: 'postgres' });
  const pool = openPool({ url: options.url, poolSize: options.poolSize, logger });
  try {
    await migratePostgres(pool);
    const state = await readStoredCallState(pool);
    const writer = new PostgresCallWriter(pool, logger);
    const journal = new CallJournal({
      writer,
      logger,
      storedLiveCalls: state.liveCallIds,
      recordOps,
    });
    let closing: Promise<void> | undefined;
    return {
      users: new PostgresUserStore(pool, { scryptCost: options.scryptCost }),
      families: new PostgresSignInFamilies(pool),
      pushTokens: new PostgresPushTokenStore(pool),
      liveCalls: new PostgresLiveCallStore(pool, logger, journal, state.previousAliveAt),
      records: new PostgresRecordStore(pool, logger, journal),
      contactCenter: new PostgresContactCenterStore(pool),
      outbox: new PostgresWebhookOutbox(pool, logger, journal),
      commits: journal,
      close: () =>
        (closing ??= (async () => {
          await journal.close();
          await writer.close();
          await pool.end();
        })()),
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
