import { type ChildProcess, spawn } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { freePort } from '../../server/testing/free-port.js';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

export const JWT_SECRET = 'bench-jwt-secret-bench-jwt-secret-0123456789';
export const ADMIN_KEY = 'bench-admin-key-bench-admin-key-0123';
export const PROFILE_DIR = '/tmp/trayphone-bench-profiles';

export { freePort } from '../../server/testing/free-port.js';

export interface ServerProcess {
  readonly pid: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Set when the process exits (unexpectedly, or after stop). */
  readonly exited: () => boolean;
  /** SIGTERM (graceful: a CPU profile gets written), SIGKILL after `graceMs`; removes the temp dir. */
  stop(graceMs?: number): Promise<void>;
  /** Last resort on the way out (synchronous): SIGKILL. */
  killNow(): void;
}

const MAX_FORWARDED_LINES = 40;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isObject(prev) && isObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

const manifestSchema = z.object({ scripts: z.object({ server: z.string() }) });

/**
 * The node flags of `npm run server` (package.json), so the bench runs the server the way its
 * users do: the flags are tuning (see the README) and live in one place.
 */
function serverNodeFlags(cwd: string): string[] {
  const manifest = manifestSchema.parse(
    JSON.parse(readFileSync(path.join(cwd, 'package.json'), 'utf8')),
  );
  const words = manifest.scripts.server.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'server/main.ts')
    throw new Error('package.json "server" script must be `node <flags> server/main.ts`');
  return words.slice(1, -1);
}

/**
 * Starts the server as `npm run server -- serve --config <tmp>` would (node with that script's
 * flags), with a temp data dir, warn-level logs, known secrets and a rate limit high enough not
 * to interfere; resolves once /healthz answers.
 */
export async function startServerProcess(options: {
  cwd: string;
  profile: boolean;
  tmpDir?: string | undefined;
  nodeArgs?: readonly string[];
  outputFile?: string | undefined;
  /** Deep-merged over the bench's configuration. */
  configOverrides?: Record<string, unknown>;
}): Promise<ServerProcess> {
  const tempDir = mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'trayphone-bench-'));
  const port = await freePort();
  const configFile = path.join(tempDir, 'config.json');
  const config = {
    host: '127.0.0.1',
    port,
    dataDir: path.join(tempDir, 'data'),
    logLevel: 'warn',
    auth: { jwtSecret: JWT_SECRET, adminApiKey: ADMIN_KEY },
    signaling: { rateLimitPerSec: 1000, rateLimitBurst: 1000 },
    // Every generator socket comes from 127.0.0.1: the per-address cap (2,000 by default) would
    // refuse all users past it with 503 (the 10,000-user runs signed in 2,000 since the cap came).
    limits: { connectionsPerAddress: 65_000 },
  };
  writeFileSync(configFile, JSON.stringify(deepMerge(config, options.configOverrides ?? {})));
  const nodeArgs = [...serverNodeFlags(options.cwd), ...(options.nodeArgs ?? [])];
  if (options.profile) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', PROFILE_DIR);
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, 'server/main.ts', 'serve', '--config', configFile],
    { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  );
  let exited = false;
  // Read through a function: the flag flips in an event handler, behind the compiler's back.
  const hasExited = (): boolean => exited;
  let forwarding = true;
  let forwarded = 0;
  let suppressed = 0;
  const output = options.outputFile ? createWriteStream(options.outputFile) : undefined;
  const forward = (chunk: Buffer): void => {
    output?.write(chunk);
    // With an output file, everything goes there and nothing to the console.
    if (!forwarding || output) return;
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '' || line.startsWith('Trayphone server:')) continue;
      if (line.includes('no accounts yet')) continue;
      if (forwarded++ < MAX_FORWARDED_LINES) console.log(`[server] ${line.slice(0, 300)}`);
      else suppressed++;
    }
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      if (forwarding && code !== 0)
        console.log(`[server] exited unexpectedly (code ${code}, signal ${signal})`);
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the server process');
  const httpUrl = `http://127.0.0.1:${port}`;

  const stop = async (graceMs = 15_000): Promise<void> => {
    forwarding = false;
    if (suppressed > 0) console.log(`[server] (${suppressed} more output lines not shown)`);
    if (!hasExited()) {
      child.kill('SIGTERM');
      await Promise.race([exitPromise, sleep(graceMs)]);
      if (!hasExited()) {
        child.kill('SIGKILL');
        await Promise.race([exitPromise, sleep(5_000)]);
      }
    }
    output?.end();
    rmSync(tempDir, { recursive: true, force: true });
  };

  const deadline = performance.now() + 30_000;
  for (let attempt = 0; attempt < 300 && performance.now() < deadline; attempt++) {
    if (hasExited()) break;
    try {
      const res = await fetch(`${httpUrl}/healthz`);
      if (res.ok) {
        await res.arrayBuffer();
        return {
          pid,
          httpUrl,
          wsUrl: `ws://127.0.0.1:${port}/ws`,
          exited: hasExited,
          stop,
          killNow: () => {
            if (!exited) child.kill('SIGKILL');
            rmSync(tempDir, { recursive: true, force: true });
          },
        };
      }
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  await stop(2_000);
  throw new Error('the server did not become healthy within 30 s');
}
