import type pg from 'pg';
import { SchemaTooNewError } from '../sqlite/connection.js';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './schema.js';

/**
 * Any number that no other part of the application locks: the migration lock's key. Several
 * nodes starting at once take turns; the second finds the schema done and applies nothing.
 */
const MIGRATION_LOCK_KEY = 7_417_001;

/**
 * Brings the database to the schema: each migration the `schema_migrations` table does not list
 * is applied in its own transaction together with its row, so a failing step leaves the
 * previous version. All of it under a session-level advisory lock. Rerunning is a no-op.
 */
export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  assertNumberedInOrder(migrations);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const from = await currentVersion(client);
      const known = migrations.at(-1)?.version ?? 0;
      if (from > known) {
        throw new SchemaTooNewError(databaseName(client), from, known);
      }
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, description) VALUES ($1, $2)',
            [migration.version, migration.description],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
      return { from, to: await currentVersion(client) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const result = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return result.rows[0]?.version ?? 0;
}

function databaseName(client: pg.PoolClient): string {
  return `postgres database ${client.database ?? '(default)'}`;
}

function assertNumberedInOrder(migrations: readonly PostgresMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration "${migration.description}" has version ${String(migration.version)}, expected ${String(index + 1)}`,
      );
    }
  });
}
