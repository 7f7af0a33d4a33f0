/**
 * Signaling load bench: a real server process, users created over the admin API, load generator
 * processes running open-loop call cycles. See `parseBenchArgs` for the flags.
 *   npm run bench:signaling -- --users N --rate R --duration S [--warmup S] [--find-max] [--profile]
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type BenchOptions, parseBenchArgs } from './args.js';
import { GeneratorHandle } from './generators.js';
import {
  type IdleResult,
  type RampOutcome,
  type StepContext,
  type StepResult,
  idleWindow,
  rampToMax,
  runStep,
} from './load-steps.js';
import { readProc, reniceProcess } from '../support/proc.js';
import { PostgresInstance } from '../../server/testing/postgres-instance.js';
import { profileReport } from './profile-top.js';
import { printSummary, stepLine } from './report.js';
import {
  ADMIN_KEY,
  JWT_SECRET,
  PROFILE_DIR,
  type ServerProcess,
  startServerProcess,
} from './server-process.js';
import { concatSamples, fmtSummary, summarize } from './stats.js';
import { benchUserId, createUsers, signAccessTokens } from './users.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Everything to kill on the way out, whatever the way out is. */
const live: { server?: ServerProcess; generators: GeneratorHandle[]; postgres?: PostgresInstance } =
  { generators: [] };
const killAll = (): void => {
  for (const g of live.generators) g.killNow();
  live.server?.killNow();
  live.postgres?.killNow();
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function stopAll(): Promise<void> {
  await Promise.all(live.generators.map((g) => g.stop()));
  await live.server?.stop(20_000);
  await live.postgres?.stop();
  delete live.postgres;
}

function assertServerAlive(server: ServerProcess): void {
  if (server.exited()) throw new Error('the server process exited during the bench');
}

async function main(options: BenchOptions): Promise<void> {
  const { users } = options;
  const budgetMs =
    180_000 +
    users * 10 +
    (options.findMax
      ? 20 * (options.durationSec + options.warmupSec + 10) * 1000
      : (options.durationSec + options.warmupSec + 30) * 1000);
  setTimeout(() => {
    console.error(`bench watchdog: still running after ${secs(budgetMs)}; giving up`);
    killAll();
    process.exit(1);
  }, budgetMs).unref();

  console.log(
    `signaling bench: ${users} users, ${options.findMax ? 'find-max' : `rate ${options.rate}/s`}, ` +
      `window ${options.durationSec} s after ${options.warmupSec} s warm-up, ${options.generators} generator process(es) ` +
      `at nice ${options.generatorNice}; ` +
      `node ${process.version}, ${os.cpus().length} cores`,
  );
  let storeConfig: Record<string, unknown> = {};
  if (options.store === 'postgres') {
    live.postgres = await PostgresInstance.start();
    const url = await live.postgres.createDatabase('bench');
    storeConfig = { store: 'postgres', postgres: { url } };
    console.log(
      `store: private PostgreSQL 15 (pid ${String(live.postgres.pid)}, fsync on); its CPU counts as "other processes"`,
    );
  }
  const t0 = performance.now();
  const server = await startServerProcess({
    cwd: REPO_ROOT,
    profile: options.profile,
    tmpDir: options.tmpDir,
    nodeArgs: options.serverNodeArgs,
    outputFile: options.serverOutput,
    configOverrides: { ...options.serverConfig, ...storeConfig },
  });
  live.server = server;
  console.log(
    `server pid ${server.pid} at ${server.httpUrl} (healthy in ${secs(performance.now() - t0)})`,
  );

  const ids = Array.from({ length: users }, (_, i) => benchUserId(i));
  let t = performance.now();
  await createUsers({
    httpUrl: server.httpUrl,
    adminKey: ADMIN_KEY,
    userIds: ids,
    concurrency: 32,
  });
  console.log(`created ${users} users over the admin API in ${secs(performance.now() - t)}`);
  t = performance.now();
  const accounts = await signAccessTokens(JWT_SECRET, ids);
  console.log(`signed ${accounts.length} access tokens in ${secs(performance.now() - t)}`);

  if (options.profileGenerators) mkdirSync(PROFILE_DIR, { recursive: true });
  const generators = Array.from({ length: options.generators }, (_, i) =>
    GeneratorHandle.start(i, options.profileGenerators ? { profileDir: PROFILE_DIR } : {}),
  );
  live.generators = generators;
  await Promise.all(generators.map((g) => g.next('ready', 30_000)));
  if (options.generatorNice !== 0) {
    for (const g of generators) reniceProcess(g.pid, options.generatorNice);
  }
  await sleep(500);
  const rssBeforeKb = readProc(server.pid)?.rssKb ?? 0;

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
  const connectLatency = summarize(concatSamples(connected.map((c) => c.latencies)));
  console.log(
    `signed in ${signedIn}/${users} in ${secs(connectMs)}; per socket ${fmtSummary(connectLatency)}`,
  );
  for (const c of connected)
    if (c.failed > 0) console.log(`  sign-in failures: ${c.failed} ${JSON.stringify(c.errors)}`);
  assertServerAlive(server);
  if (signedIn < 2) throw new Error('fewer than two users signed in');

  const ctx: StepContext = { serverPid: server.pid, generators, windowsUs: [] };
  let idle: IdleResult | undefined;
  let rssAfterKb: number;
  let step: StepResult | undefined;
  let ramp: RampOutcome | undefined;
  if (options.rate === 0 && !options.findMax) {
    idle = await idleWindow(ctx, options.durationSec * 1000);
    rssAfterKb = idle.rssAfterKb;
  } else {
    await sleep(1_000);
    rssAfterKb = readProc(server.pid)?.rssKb ?? 0;
    const warmupMs = options.warmupSec * 1000;
    const measureMs = options.durationSec * 1000;
    if (options.findMax) {
      console.log('ramping:');
      ramp = await rampToMax(ctx, options.rate || 250, warmupMs, measureMs, (s) => {
        console.log(`  ${stepLine(s)}`);
        assertServerAlive(server);
      });
      step = ramp.best ?? ramp.steps[0];
    } else {
      step = await runStep(ctx, 0, options.rate, warmupMs, measureMs);
    }
  }
  assertServerAlive(server);

  await stopAll();
  const profileLines = [
    ...(options.profile ? profileReport('server', server.pid, 25, ctx.windowsUs) : []),
    ...(options.profileGenerators
      ? generators.flatMap((g) => profileReport(`generator ${g.index}`, g.pid, 15, ctx.windowsUs))
      : []),
  ];
  printSummary({
    options,
    signedIn,
    generators: generators.length,
    connectMs,
    rssBeforeKb,
    rssAfterKb,
    idle,
    ramp,
    step,
    profileLines,
  });
}

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
main(options).then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    await stopAll().catch(() => undefined);
    process.exit(1);
  },
);
