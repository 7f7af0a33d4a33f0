import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresInstance } from './postgres-instance.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgresInstance', () => {
  let instance: PostgresInstance;

  beforeAll(async () => {
    instance = await PostgresInstance.start();
  }, 60_000);

  afterAll(async () => {
    await instance.stop();
  });

  it('runs a private server on a loopback port other than 5432, fsync on', async () => {
    expect(instance.port).not.toBe(5432);
    expect(instance.url).toContain(`127.0.0.1:${String(instance.port)}`);
    const [row] = await query<{ fsync: string }>(instance.url, 'SHOW fsync');
    expect(row?.fsync).toBe('on');
  });

  it('keeps committed rows across a kill -9 and a restart', async () => {
    const url = await instance.createDatabase();
    await query(url, 'CREATE TABLE t (v INTEGER)');
    await query(url, 'INSERT INTO t VALUES (42)');
    const pidBefore = instance.pid;
    await instance.kill();
    await expect(query(url, 'SELECT 1')).rejects.toThrow();
    await instance.restart({ hard: true });
    expect(instance.pid).not.toBe(pidBefore);
    expect(await query<{ v: number }>(url, 'SELECT v FROM t')).toEqual([{ v: 42 }]);
  }, 60_000);

  it('restarts hard while clients are connected', async () => {
    const url = await instance.createDatabase();
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    await client.connect();
    await instance.restart({ hard: true });
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await client.end().catch(() => undefined);
    expect(await query<{ one: number }>(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 60_000);
});
