import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** Debian's PostgreSQL 15 (scripts/setup installs the `postgresql` package). */
const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The superuser initdb creates: tests and the server connect as it, without a password. */
const SUPERUSER = 'trayphone';

/**
 * A private PostgreSQL for tests and benchmarks: Debian's server in its own temp directory on a
 * free loopback port, stopped by PID. fsync stays on (the default), as durability tests need:
 * what was committed survives a kill -9 of the server.
 *
 * initdb and postgres refuse to run as root; as root both run as the Debian `postgres` system
 * user (setpriv execs in place, so the child's PID is the postmaster's), the directory chowned
 * to it. Not root, they run as whoever we are.
 */
export class PostgresInstance {
  private databases = 0;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private child: ChildProcess,
  ) {}

  /** The `postgres` database; `createDatabase` gives a test a fresh one. */
  get url(): string {
    return this.urlOf('postgres');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  urlOf(database: string): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${database}`;
  }

  static async start(): Promise<PostgresInstance> {
    const dir = mkdtempSync(path.join(tmpdir(), 'trayphone-pg-'));
    try {
      const owner = runAsOwner();
      if (owner) chownSync(dir, owner.uid, owner.gid);
      execFileSync(
        ...command(owner, 'initdb', [
          '-D',
          dataDir(dir),
          '-U',
          SUPERUSER,
          '-A',
          'trust',
          '-E',
          'UTF8',
          '--locale=C',
          // The cluster's files are created once per test: syncing them is not what we test.
          '--no-sync',
        ]),
        { stdio: 'ignore' },
      );
      const port = await freePort();
      const instance = new PostgresInstance(port, dir, spawnPostgres(port, dir));
      await waitForConnection(instance.url, instance.child);
      return instance;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** A new empty database on this server; returns its URL. */
  async createDatabase(prefix = 'test'): Promise<string> {
    const name = `${prefix}_${String(++this.databases)}`;
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return this.urlOf(name);
  }

  /** Stops it (SIGKILL when `hard`, as a crash), then starts it again on the same port and data. */
  async restart(options: { hard?: boolean } = {}): Promise<void> {
    await this.stopProcess(options.hard ? 'SIGKILL' : 'SIGTERM');
    this.child = spawnPostgres(this.port, this.dir);
    await waitForConnection(this.url, this.child);
  }

  /** Stops the process and leaves its data (a crash by default); start it again with `restart`. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stopProcess(signal);
  }

  /** For exit handlers, which cannot wait: SIGKILL (its backends follow) and the data removed. */
  killNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    // SIGINT: "fast" shutdown, clients disconnected at once (SIGTERM waits for them).
    await this.stopProcess('SIGINT');
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
    // A postmaster killed -9 leaves its backends; they exit once they notice, and a new
    // postmaster refuses to start while they hold the shared memory: wait for them.
    if (signal === 'SIGKILL') await waitForBackendsGone(this.dir);
  }
}

interface Owner {
  uid: number;
  gid: number;
}

const dataDir = (dir: string): string => path.join(dir, 'data');

/** The `postgres` system user when we are root, else undefined (run as ourselves). */
function runAsOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function command(owner: Owner | undefined, program: string, args: string[]): [string, string[]] {
  const binary = path.join(PG_BIN, program);
  if (!owner) return [binary, args];
  return [
    'setpriv',
    [
      `--reuid=${String(owner.uid)}`,
      `--regid=${String(owner.gid)}`,
      '--clear-groups',
      '--',
      binary,
      ...args,
    ],
  ];
}

function spawnPostgres(port: number, dir: string): ChildProcess {
  const [program, args] = command(runAsOwner(), 'postgres', [
    '-D',
    dataDir(dir),
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=on',
    '-c',
    'synchronous_commit=on',
    '-c',
    'shared_buffers=32MB',
    '-c',
    'max_connections=60',
    '-c',
    'logging_collector=off',
  ]);
  const child = spawn(program, args, { stdio: 'ignore' });
  child.unref();
  return child;
}

async function waitForConnection(
  url: string,
  child: ChildProcess,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `postgres exited while starting (${String(child.exitCode ?? child.signalCode)})`,
      );
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`postgres at ${url} did not accept connections`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until no process works in the data directory: the backends of a postmaster killed -9
 * (each runs with the data directory as its cwd; they exit once they notice their parent gone).
 */
async function waitForBackendsGone(dir: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (backendsRunning(dataDir(dir)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function backendsRunning(data: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === data) return true;
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return false;
}
