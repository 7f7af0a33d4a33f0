import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { GeneratorHandle } from './generators.js';
import type { ConnectedReport } from './messages.js';
import { reniceProcess } from '../support/proc.js';
import {
  ADMIN_KEY,
  JWT_SECRET,
  PROFILE_DIR,
  type ServerProcess,
  startServerProcess,
} from './server-process.js';
import { benchUserId, createUsers, signAccessTokens } from './users.js';

/**
 * The part of a signaling bench before any load: the server process, its users (admin API),
 * the generator processes, and every user signed in. `run.ts` and `vs-kamailio.ts` share it.
 */
export interface Rig {
  server: ServerProcess;
  generators: GeneratorHandle[];
  signedIn: number;
  connectMs: number;
  connected: ConnectedReport[];
  /** RSS of the server once the generators were ready, before anyone signed in. */
  rssBeforeKb: number;
}

export interface RigOptions {
  cwd: string;
  users: number;
  generators: number;
  generatorNice: number;
  connectConcurrency: number;
  profile: boolean;
  profileGenerators: boolean;
  tmpDir?: string | undefined;
  serverNodeArgs?: readonly string[];
  serverOutput?: string | undefined;
  serverConfig?: Record<string, unknown>;
  /** Progress lines (the bench prints them). */
  log: (line: string) => void;
  /** Called as soon as a process exists, so the caller can kill it on any way out. */
  onStarted: (part: { server?: ServerProcess; generators?: GeneratorHandle[] }) => void;
  readRssKb: (pid: number) => number;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export async function startRig(options: RigOptions): Promise<Rig> {
  const { users, log } = options;
  const t0 = performance.now();
  const server = await startServerProcess({
    cwd: options.cwd,
    profile: options.profile,
    tmpDir: options.tmpDir,
    nodeArgs: options.serverNodeArgs ?? [],
    outputFile: options.serverOutput,
    configOverrides: options.serverConfig ?? {},
  });
  options.onStarted({ server });
  log(`server pid ${server.pid} at ${server.httpUrl} (healthy in ${secs(performance.now() - t0)})`);

  const ids = Array.from({ length: users }, (_, i) => benchUserId(i));
  let t = performance.now();
  await createUsers({
    httpUrl: server.httpUrl,
    adminKey: ADMIN_KEY,
    userIds: ids,
    concurrency: 32,
  });
  log(`created ${users} users over the admin API in ${secs(performance.now() - t)}`);
  t = performance.now();
  const accounts = await signAccessTokens(JWT_SECRET, ids);
  log(`signed ${accounts.length} access tokens in ${secs(performance.now() - t)}`);

  if (options.profileGenerators) mkdirSync(PROFILE_DIR, { recursive: true });
  const generators = Array.from({ length: options.generators }, (_, i) =>
    GeneratorHandle.start(i, options.profileGenerators ? { profileDir: PROFILE_DIR } : {}),
  );
  options.onStarted({ generators });
  await Promise.all(generators.map((g) => g.next('ready', 30_000)));
  if (options.generatorNice !== 0) {
    for (const g of generators) reniceProcess(g.pid, options.generatorNice);
  }
  await sleep(500);
  const rssBeforeKb = options.readRssKb(server.pid);

  // Sign everyone in: contiguous slices, one per generator.
  const per = Math.ceil(users / generators.length);
  t = performance.now();
  generators.forEach((g, i) => {
    g.send({
      type: 'connect',
      url: server.wsUrl,
      users: accounts.slice(i * per, (i + 1) * per),
      concurrency: options.connectConcurrency,
    });
  });
  const connected = await Promise.all(
    generators.map((g) => g.next('connected', 60_000 + users * 10)),
  );
  const connectMs = performance.now() - t;
  const signedIn = connected.reduce((n, c) => n + c.signedIn, 0);
  return { server, generators, signedIn, connectMs, connected, rssBeforeKb };
}
