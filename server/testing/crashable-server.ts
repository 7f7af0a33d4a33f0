import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { CallRecord } from '../../protocol/index.js';
import { callRecordSchema } from '../../protocol/index.js';
import { freePort } from './free-port.js';

const ADMIN_KEY = 'crash-test-admin-key-0123456789abcdef';
const JWT_SECRET = 'crash-test-jwt-secret-crash-test-jwt-secret-0123';
const REPO = path.resolve(import.meta.dirname, '../..');

const mintedSchema = z.object({ accessToken: z.string() });

/**
 * The real server as its own process (`node --import tsx server/main.ts serve`), on a data dir
 * and port that stay the same across `kill()` (SIGKILL: no shutdown code runs, as in a crash)
 * and `start()` again, so a test can check what survives a crash.
 */
export class CrashableServer {
  private child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(config: Record<string, unknown> = {}): Promise<CrashableServer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-crash-'));
    const server = new CrashableServer(dir, await freePort());
    writeFileSync(
      server.configFile,
      JSON.stringify({
        host: '127.0.0.1',
        port: server.port,
        dataDir: path.join(dir, 'data'),
        // TP_TEST_LOG=<level>: the server's logs, appended to TP_TEST_LOG_FILE (debugging).
        logLevel: process.env.TP_TEST_LOG ?? 'warn',
        auth: { jwtSecret: JWT_SECRET, adminApiKey: ADMIN_KEY },
        ...config,
      }),
    );
    return server;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${String(this.port)}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${String(this.port)}/ws`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private get configFile(): string {
    return path.join(this.dir, 'config.json');
  }

  /** Starts the process and resolves once /healthz answers. */
  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/main.ts', 'serve', '--config', this.configFile],
      { cwd: REPO, stdio: ['ignore', logFile(), 'inherit'] },
    );
    this.child = child;
    this.exit = new Promise((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        const res = await fetch(`${this.httpUrl}/healthz`);
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error('the server did not become healthy');
  }

  /** SIGKILL, as a crash: returns the time it was sent, once the process is gone. */
  async kill(): Promise<number> {
    const at = Date.now();
    this.child?.kill('SIGKILL');
    await this.exit;
    return at;
  }

  async dispose(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async admin(method: string, route: string, body?: unknown): Promise<Response> {
    return fetch(`${this.httpUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async addUser(userId: string): Promise<void> {
    const res = await this.admin('POST', '/admin/users', { userId, displayName: userId });
    if (!res.ok) throw new Error(`cannot add ${userId}: ${String(res.status)} ${await res.text()}`);
  }

  async token(userId: string): Promise<string> {
    const res = await this.admin('POST', `/admin/users/${userId}/tokens`, {});
    return mintedSchema.parse(await res.json()).accessToken;
  }

  /** The call's record, or undefined if the server has none. */
  async record(callId: string): Promise<CallRecord | undefined> {
    const res = await this.admin('GET', `/admin/records/${callId}`);
    if (res.status === 404) return undefined;
    return callRecordSchema.parse(await res.json());
  }
}

/** Where the server's stdout (its logs) goes: nowhere, unless TP_TEST_LOG_FILE names a file. */
function logFile(): 'ignore' | number {
  const file = process.env.TP_TEST_LOG_FILE;
  return file ? openSync(file, 'a') : 'ignore';
}
