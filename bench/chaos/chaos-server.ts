import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { callRecordSchema, type CallRecord } from '../../protocol/index.js';
import {
  ADMIN_KEY,
  JWT_SECRET,
  startServerProcess,
  type ServerProcess,
} from '../signaling/server-process.js';
import { SERVER_FACTS, setConfigAt } from './facts.js';

export { ADMIN_KEY, JWT_SECRET };

export interface ChaosServerOptions {
  cwd: string;
  ringTimeoutMs: number;
  heartbeatIntervalMs: number;
  deadAfterMs: number;
  rejoinWindowMs: number;
  webhookUrl: string;
  webhookSecret: string;
}

export interface Kill {
  /** Date.now() when SIGKILL was sent, and when the exit was seen. */
  killAt: number;
  exitedAt: number;
  /** When the restarted server answered /healthz. */
  readyAt?: number;
}

/** The server as a chaos population uses it: where it listens now, its admin API and records. */
export interface ChaosTarget {
  readonly httpUrl: string;
  readonly wsUrl: string;
  admin(method: string, pathname: string, body?: unknown): Promise<Response>;
  record(callId: string): Promise<CallRecord | undefined>;
}

export function adminRequest(
  httpUrl: string,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${httpUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** The call record, parsed with the protocol's schema; undefined when there is none (404). */
export async function readRecord(httpUrl: string, callId: string): Promise<CallRecord | undefined> {
  const res = await adminRequest(httpUrl, 'GET', `/admin/records/${callId}`);
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET /admin/records/${callId}: ${res.status} ${text}`);
  return callRecordSchema.parse(JSON.parse(text));
}

/**
 * The real server as its own process on a private port and a data directory that outlives it:
 * `kill9` ends the process with SIGKILL (no shutdown code runs), `restart` starts a new one on
 * the same data, as an operator's supervisor would (on a new port: startServerProcess picks it).
 */
export class ChaosServer implements ChaosTarget {
  readonly kills: Kill[] = [];
  private process: ServerProcess | undefined;
  private readonly tempDir: string;
  private readonly overrides: Record<string, unknown>;

  private constructor(private readonly options: ChaosServerOptions) {
    this.tempDir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-chaos-'));
    const overrides: Record<string, unknown> = {
      dataDir: path.join(this.tempDir, 'data'),
      media: { enabled: false },
      calls: { defaultRingTimeoutMs: options.ringTimeoutMs },
      signaling: {
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        deadAfterMs: options.deadAfterMs,
        rateLimitPerSec: 5000,
        rateLimitBurst: 5000,
      },
      webhook: { url: options.webhookUrl, secret: options.webhookSecret },
      // Every simulated device connects from 127.0.0.1: one office behind one address, but bigger
      // than the default cap (2,000) allows once a run has more than ~1,000 users.
      limits: { connectionsPerAddress: 20_000 },
    };
    this.overrides = setConfigAt(
      overrides,
      SERVER_FACTS.rejoinWindowConfigPath,
      options.rejoinWindowMs,
    );
  }

  static async start(options: ChaosServerOptions): Promise<ChaosServer> {
    const server = new ChaosServer(options);
    await server.spawn();
    return server;
  }

  /** Each run listens on a port of its own (as after a move): clients follow `wsUrl`. */
  get httpUrl(): string {
    if (!this.process) throw new Error('the server has not started');
    return this.process.httpUrl;
  }

  get wsUrl(): string {
    if (!this.process) throw new Error('the server has not started');
    return this.process.wsUrl;
  }

  get running(): boolean {
    return this.process !== undefined && !this.process.exited();
  }

  /** Each run's server log is `server-<n>.log` here (removed by `stop`). */
  get logDir(): string {
    return this.tempDir;
  }

  private async spawn(): Promise<void> {
    this.process = await startServerProcess({
      cwd: this.options.cwd,
      profile: false,
      tmpDir: this.tempDir,
      outputFile: path.join(this.tempDir, `server-${this.kills.length}.log`),
      configOverrides: this.overrides,
    });
  }

  /** SIGKILL now; resolves once the process is gone. */
  async kill9(): Promise<Kill> {
    const process = this.process;
    if (!process) throw new Error('no server to kill');
    const killAt = Date.now();
    process.killNow();
    while (!process.exited()) await sleep(2);
    const kill: Kill = { killAt, exitedAt: Date.now() };
    this.kills.push(kill);
    return kill;
  }

  /** A new process on the same port and data directory. */
  async restart(): Promise<void> {
    await this.spawn();
    const last = this.kills.at(-1);
    if (last) last.readyAt = Date.now();
  }

  admin(method: string, pathname: string, body?: unknown): Promise<Response> {
    return adminRequest(this.httpUrl, method, pathname, body);
  }

  record(callId: string): Promise<CallRecord | undefined> {
    return readRecord(this.httpUrl, callId);
  }

  /**
   * Graceful stop (SIGTERM), then the data directory goes, unless CHAOS_KEEP_DATA is set: the
   * server logs and databases of every run are then kept for reading a violation's cause.
   */
  async stop(): Promise<void> {
    await this.process?.stop(10_000);
    if (process.env.CHAOS_KEEP_DATA) {
      process.stderr.write(`chaos: server logs and data kept in ${this.tempDir}\n`);
      return;
    }
    rmSync(this.tempDir, { recursive: true, force: true });
  }
}
