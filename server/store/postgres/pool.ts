import pg from 'pg';
import type { Logger } from '../../logger.js';

/**
 * Epoch milliseconds are BIGINT columns; pg hands int8 back as strings (they may exceed 2^53).
 * Ours never do: read them as numbers, on our pools only (not pg's global parsers).
 */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, 'text', (value: string) => Number(value));

export interface PoolOptions {
  url: string;
  /** Connections at most (default 10). */
  poolSize?: number;
  logger: Logger;
}

/** A pool for the stores: connection errors of idle clients are logged, not thrown. */
export function openPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types,
    // A dead server must fail a request, not hang it.
    connectionTimeoutMillis: 5_000,
    application_name: 'trayphone',
  });
  pool.on('error', (error) => {
    options.logger.warn({ err: error }, 'idle postgres connection failed');
  });
  return pool;
}

/** Runs `work` in a transaction on one client of the pool: committed, or rolled back and thrown. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw error;
  } finally {
    // A client whose rollback failed is in an unknown state: the pool drops it.
    client.release(broken);
  }
}

/** PostgreSQL's SQLSTATE of a failed query, if it is one. */
export function sqlState(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
