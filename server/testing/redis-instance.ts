import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

/**
 * A private Redis for tests and benchmarks: Debian's redis-server in its own temp directory on a
 * free loopback port, stopped by PID. Append-only with fsync on every write, as cluster mode
 * expects of its Redis (what a node acknowledged survives a Redis restart).
 */
export class RedisInstance {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private child: ChildProcess,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(): Promise<RedisInstance> {
    const dir = mkdtempSync(path.join(tmpdir(), 'trayphone-redis-'));
    const port = await freePort();
    const instance = new RedisInstance(port, dir, spawnRedis(port, dir));
    await waitForPing(port);
    return instance;
  }

  /** Stops it (SIGKILL when `hard`, as a crash), then starts it again on the same port and data. */
  async restart(options: { hard?: boolean } = {}): Promise<void> {
    await this.stopProcess(options.hard ? 'SIGKILL' : 'SIGTERM');
    this.child = spawnRedis(this.port, this.dir);
    await waitForPing(this.port);
  }

  /** Stops the process and leaves its data; `start` again with `restart`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stopProcess(signal);
  }

  async stop(): Promise<void> {
    await this.stopProcess('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async stopProcess(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
      child.kill(signal);
    });
  }
}

function spawnRedis(port: number, dir: string): ChildProcess {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--daemonize',
      'no',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  child.unref();
  return child;
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', () => {
      resolve(false);
    });
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}
