import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresInstance } from '../../testing/postgres-instance.js';
import { SchemaTooNewError } from '../sqlite/connection.js';
import { captureLogger } from '../test-support.js';
import { migratePostgres } from './migrate.js';
import { openPool } from './pool.js';
import { POSTGRES_MIGRATIONS } from './schema.js';

let server: PostgresInstance;
const pools: pg.Pool[] = [];

const poolOn = (url: string): pg.Pool => {
  const pool = openPool({ url, logger: captureLogger().logger, poolSize: 2 });
  pools.push(pool);
  return pool;
};

beforeAll(async () => {
  server = await PostgresInstance.start();
}, 60_000);
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await server.stop();
});

describe('PostgreSQL migrations', () => {
  it('applies every migration once, each recorded; rerunning is a no-op', async () => {
    const pool = poolOn(await server.createDatabase('migrate'));
    expect(await migratePostgres(pool)).toEqual({ from: 0, to: POSTGRES_MIGRATIONS.length });
    expect(await migratePostgres(pool)).toEqual({
      from: POSTGRES_MIGRATIONS.length,
      to: POSTGRES_MIGRATIONS.length,
    });
    const { rows } = await pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
  });

  it('lets several nodes start at once: the advisory lock makes them take turns', async () => {
    const url = await server.createDatabase('migrate');
    const results = await Promise.all([1, 2, 3, 4].map(() => migratePostgres(poolOn(url))));
    const applied = results.filter((result) => result.from === 0);
    expect(applied).toHaveLength(1);
    for (const result of results) expect(result.to).toBe(POSTGRES_MIGRATIONS.length);
  });

  it('leaves a failing migration out entirely, and the versions before it applied', async () => {
    const pool = poolOn(await server.createDatabase('migrate'));
    const broken = [
      { version: 1, description: 'a table', sql: 'CREATE TABLE a (x INTEGER)' },
      {
        version: 2,
        description: 'half done, then fails',
        sql: 'CREATE TABLE b (x INTEGER); SELECT no_such_function()',
      },
    ];
    await expect(migratePostgres(pool, broken)).rejects.toThrow(/no_such_function/);
    const tables = await pool.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.rows.map((row) => row.name)).toEqual(['a', 'schema_migrations']);
    expect(await migratePostgres(pool, broken.slice(0, 1))).toEqual({ from: 1, to: 1 });
  });

  it('refuses a database written by a newer server', async () => {
    const pool = poolOn(await server.createDatabase('migrate'));
    await migratePostgres(pool);
    await pool.query(
      "INSERT INTO schema_migrations (version, description) VALUES (999, 'from the future')",
    );
    await expect(migratePostgres(pool)).rejects.toBeInstanceOf(SchemaTooNewError);
  });
});
