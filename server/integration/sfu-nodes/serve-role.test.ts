import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port.js';
import { RedisInstance } from '../../testing/redis-instance.js';
import { eventually } from '../support.js';
import { TICKET_SECRET } from './support/sfu-nodes-scenario.js';

/** `serve --role sfu` as an operator runs it: the real CLI, configured by TRAYPHONE_* variables. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function serve(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-sfu-node-'));
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'serve', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      TRAYPHONE_DATA_DIR: dataDir,
      TRAYPHONE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { child, output: () => output };
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', r));

describe('serve --role', () => {
  it('refuses an sfu node without its configuration, naming what is missing', async () => {
    const { child, output } = serve(['--role', 'sfu'], {});
    expect(await exitOf(child)).toBe(1);
    expect(output()).toContain('sfuNodes.redisUrl (or cluster.redisUrl): role sfu needs Redis');
    expect(output()).toContain('sfuNodes.publicUrl');
  });

  it('refuses a role it does not know', async () => {
    const { child, output } = serve(['--role', 'media'], {});
    expect(await exitOf(child)).toBe(1);
    expect(output()).toContain('--role: one of all, signaling, sfu');
  });

  it('runs an SFU node: registered in Redis, /healthz answers, no signaling; SIGTERM unregisters it', async () => {
    const redis = await RedisInstance.start();
    cleanups.push(() => redis.stop());
    const port = await freePort();
    const { child, output } = serve(['--role', 'sfu'], {
      TRAYPHONE_PORT: String(port),
      TRAYPHONE_REDIS_URL: redis.url,
      TRAYPHONE_SFU_PUBLIC_URL: `ws://127.0.0.1:${port}/sfu`,
      TRAYPHONE_SFU_TICKET_SECRET: TICKET_SECRET,
      TRAYPHONE_SFU_NODE_ID: 'sfu-cli',
      TRAYPHONE_SFU_WORKERS: '1',
    });
    await eventually(() => output().includes('Trayphone SFU node sfu-cli'), 20_000);
    const client = new Redis(redis.url);
    cleanups.push(async () => {
      client.disconnect();
      await Promise.resolve();
    });
    const registration = JSON.parse((await client.get('tp:sfu:node:sfu-cli')) ?? '{}') as unknown;
    expect(registration).toMatchObject({ id: 'sfu-cli', url: `ws://127.0.0.1:${port}/sfu` });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      sfuNode: 'sfu-cli',
      load: { rooms: 0 },
    });
    // No accounts and no signaling on an SFU node.
    expect(
      (await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST' })).status,
    ).toBe(404);

    child.kill('SIGTERM');
    expect(await exitOf(child)).toBe(0);
    expect(await client.exists('tp:sfu:node:sfu-cli')).toBe(0);
  });
});
