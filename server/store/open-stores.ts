import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ScryptCost } from './passwords.js';
import { dataFile, openSqliteStores } from './sqlite/index.js';
import type { Stores } from './types.js';

/**
 * The stores the configuration names: SQLite files in `dataDir` (the default), or PostgreSQL.
 * The PostgreSQL code is loaded only when configured, so embedded mode does not pay for it.
 */
export async function openStores(
  config: Pick<ServerConfig, 'store' | 'postgres' | 'dataDir'>,
  logger: Logger,
  options: { scryptCost?: ScryptCost } = {},
): Promise<Stores> {
  if (config.store === 'sqlite') {
    return openSqliteStores({ file: dataFile(config.dataDir), logger, ...options });
  }
  if (!config.postgres) throw new Error('store is "postgres" but postgres.url is not set');
  const { openPostgresStores } = await import('./postgres/index.js');
  return openPostgresStores({
    url: config.postgres.url,
    poolSize: config.postgres.poolSize,
    logger,
    ...options,
  });
}
