import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../app.js';
import { loadConfig } from '../config.js';
import { silentLogger } from '../logger.js';
import { freePort } from '../testing/free-port.js';
import { PostgresInstance } from '../testing/postgres-instance.js';
import { RedisInstance } from '../testing/redis-instance.js';

describe('cluster configuration', () => {
  it('is absent by default: embedded mode', () => {
    expect(loadConfig({}).cluster).toBeUndefined();
  });

  it('takes a Redis URL with defaults for the rest', () => {
    const { cluster } = loadConfig({
      overrides: {
        store: 'postgres',
        postgres: { url: 'postgres://db/trayphone' },
        cluster: { redisUrl: 'redis://127.0.0.1:7000' },
      },
    });
    expect(cluster).toEqual({
      redisUrl: 'redis://127.0.0.1:7000',
      leaseMs: 3_000,
      forwardTimeoutMs: 3_000,
    });
  });

  it('needs the PostgreSQL store', () => {
    expect(() =>
      loadConfig({ overrides: { cluster: { redisUrl: 'redis://127.0.0.1:7000' } } }),
    ).toThrow(/store: cluster mode needs store "postgres"/);
  });

  it('lists every problem with the keys named', () => {
    expect(() =>
      loadConfig({
        overrides: { cluster: { redisUrl: 'http://x', nodeId: 'bad id!', leaseMs: 10 } },
      }),
    ).toThrow(
      /cluster\.redisUrl: must be a redis:\/\/[\s\S]*cluster\.nodeId:[\s\S]*cluster\.leaseMs:/,
    );
  });

  it('stops the start with a clear error when Redis cannot be reached', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-cluster-config-'));
    try {
      const port = await freePort();
      const config = loadConfig({
        overrides: {
          port: 0,
          dataDir: dir,
          media: { enabled: false },
          store: 'postgres',
          postgres: { url: 'postgres://127.0.0.1:1/none' },
          cluster: { redisUrl: `redis://127.0.0.1:${String(port)}` },
        },
      });
      await expect(startServer({ config, logger: silentLogger() })).rejects.toThrow(
        /cluster: cannot reach Redis at redis:\/\/127\.0\.0\.1/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a node id that a running node holds', async () => {
    const redis = await RedisInstance.start();
    const postgres = await PostgresInstance.start();
    const dirs = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'trayphone-cluster-config-')));
    const config = (dataDir: string) =>
      loadConfig({
        overrides: {
          port: 0,
          dataDir,
          media: { enabled: false },
          store: 'postgres',
          postgres: { url: postgres.url },
          cluster: { redisUrl: redis.url, nodeId: 'twin', leaseMs: 500 },
        },
      });
    const first = await startServer({ config: config(dirs[0] ?? ''), logger: silentLogger() });
    try {
      await expect(
        startServer({ config: config(dirs[1] ?? ''), logger: silentLogger() }),
      ).rejects.toThrow(/cluster node id twin is held by a running node/);
    } finally {
      await first.close();
      await redis.stop();
      await postgres.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
