import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The real server process (`server/main.ts serve`, as `npm run server` starts it), with a
 * preloaded module standing in for a handler bug: on SIGUSR2 it throws from a timer and rejects
 * a promise nobody awaits, outside any request's try/catch.
 */
const BUG = `
process.on('SIGUSR2', () => {
  setImmediate(() => { throw new Error('a handler bug'); });
  void Promise.reject(new Error('a forgotten rejection'));
});
`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

describe('the serving process', () => {
  let dir: string;
  let child: ChildProcess;
  let output = '';
  let exitCode: number | null | undefined;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-guard-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    writeFileSync(path.join(dir, 'bug.mjs'), BUG);
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        port,
        dataDir: path.join(dir, 'data'),
        logLevel: 'info',
        media: { enabled: false },
        auth: { jwtSecret: 'guard-secret-guard-secret-guard-secret-01' },
      }),
    );
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        path.join(dir, 'bug.mjs'),
        'server/main.ts',
        'serve',
        '--config',
        path.join(dir, 'config.json'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code) => (exitCode = code));
    for (let i = 0; i < 150 && exitCode === undefined; i++) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await sleep(100);
    }
    throw new Error(`the server did not start: ${output}`);
  }, 30_000);

  afterAll(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs what a handler throws outside a request (fatal / error) and keeps serving', async () => {
    child.kill('SIGUSR2');
    const deadline = Date.now() + 5_000;
    while (!output.includes('unhandled promise rejection') && Date.now() < deadline) {
      await sleep(50);
    }
    await sleep(200);
    expect(exitCode, output).toBeUndefined();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string } });
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 60,
        msg: 'uncaught exception: kept serving',
        err: expect.objectContaining({ message: 'a handler bug' }) as unknown,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'unhandled promise rejection: kept serving',
        err: expect.objectContaining({ message: 'a forgotten rejection' }) as unknown,
      }),
    );
  });
});
