/**
 * `npm run bench:signaling -- --vs-kamailio`: Trayphone beside Kamailio + SIPp on the same
 * machine, in alternating runs (a Kamailio step, a Trayphone step, ...), each one's kept-up rate
 * found by a short rate search (rate-search.ts), then Trayphone once more at Kamailio's kept-up
 * rate for the invite→incoming p99. Last line: the JSON the issue names.
 *
 * Kept up: Kamailio ≥ 97% of the offered calls completed per second and < 0.5% failed (SIP over
 * UDP loses some); Trayphone ≥ 97% and 0 failures. Trayphone runs with every feature on: call
 * records written, presence, and webhooks configured (a receiver here takes every POST).
 * While Kamailio runs, the Trayphone server stays up with its users signed in (idle: heartbeats).
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MAX_USERS_PER_GENERATOR } from './args.js';
import type { GeneratorHandle } from './generators.js';
import {
  type KamailioStep,
  ensureKamailioAndSipp,
  killKamailioRun,
  runKamailioStep,
} from './kamailio-run.js';
import { type StepContext, type StepResult, runStep } from './load-steps.js';
import { RateSearch } from './rate-search.js';
import { readProc } from '../support/proc.js';
import { startRig } from './rig.js';
import type { ServerProcess } from './server-process.js';
import { round } from './stats.js';
import { BENCH_WEBHOOK_SECRET, startWebhookReceiver } from './webhook-receiver.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEPT_UP_SHARE = 0.97;
const KAMAILIO_FAILURE_LIMIT_PCT = 0.5;

interface VsOptions {
  users: number;
  windowSec: number;
  warmupSec: number;
  /** Search steps per system. */
  steps: number;
  trayphoneStart: number;
  kamailioStart: number;
  /** The search stops starting steps after this; the default run stays under 10 minutes. */
  budgetSec: number;
}

const USAGE =
  'usage: npm run bench:signaling -- --vs-kamailio [--quick] [--users N] [--duration S] [--warmup S] [--steps N] [--trayphone-start R] [--kamailio-start R] [--budget S]';

function parseVsArgs(argv: string[]): VsOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'vs-kamailio': { type: 'boolean' },
      quick: { type: 'boolean' },
      users: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      steps: { type: 'string' },
      'trayphone-start': { type: 'string' },
      'kamailio-start': { type: 'string' },
      budget: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const num = (value: string | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a number > 0\n${USAGE}`);
    return n;
  };
  const options: VsOptions = {
    users: Math.floor(num(values.users, quick ? 200 : 10_000, 'users')),
    windowSec: num(values.duration, quick ? 2 : 8, 'duration'),
    warmupSec: num(values.warmup, quick ? 1 : 2, 'warmup'),
    steps: Math.floor(num(values.steps, quick ? 2 : 6, 'steps')),
    trayphoneStart: num(values['trayphone-start'], quick ? 100 : 2_000, 'trayphone-start'),
    kamailioStart: num(values['kamailio-start'], quick ? 100 : 2_500, 'kamailio-start'),
    budgetSec: num(values.budget, quick ? 50 : 480, 'budget'),
  };
  if (options.users < 2 || options.users > 60_000) throw new Error(`--users must be 2..60000`);
  return options;
}

const trayphonePassed = (s: StepResult): boolean =>
  s.failures === 0 && s.achieved >= KEPT_UP_SHARE * s.rate;
const kamailioPassed = (s: KamailioStep): boolean =>
  s.failurePct < KAMAILIO_FAILURE_LIMIT_PCT && s.achieved >= KEPT_UP_SHARE * s.rate;

const trayphoneLine = (s: StepResult): string =>
  `trayphone rate ${s.rate}/s: achieved ${s.achieved.toFixed(0)}/s, failures ${s.failures}` +
  `${s.failures > 0 ? ` ${JSON.stringify(s.failReasons)}` : ''}, invite→incoming p50 ` +
  `${s.inviteToIncoming.p50.toFixed(2)} p99 ${s.inviteToIncoming.p99.toFixed(2)} ms, server CPU ` +
  `${s.serverCpuPct.toFixed(0)}%, generators ${s.generatorCpuPct.map((v) => v.toFixed(0)).join('+')}%, ` +
  `other ${s.otherCpuPct.toFixed(0)}% → ${trayphonePassed(s) ? 'kept up' : 'not kept up'}`;
const kamailioLine = (s: KamailioStep): string =>
  `kamailio  rate ${s.rate}/s: achieved ${s.achieved.toFixed(0)}/s, failed ${s.failed} ` +
  `(${s.failurePct.toFixed(3)}%), kamailio CPU ${s.kamailioCpuPct.toFixed(0)}%, SIPp ` +
  `${s.sippCpuPct.toFixed(0)}% → ${kamailioPassed(s) ? 'kept up' : 'not kept up'}`;

export async function runVsKamailio(argv: string[]): Promise<void> {
  const options = parseVsArgs(argv);
  const started = performance.now();
  const elapsedSec = (): number => (performance.now() - started) / 1000;
  const live: { server?: ServerProcess; generators: GeneratorHandle[] } = { generators: [] };
  const killAll = (): void => {
    killKamailioRun();
    for (const g of live.generators) g.killNow();
    live.server?.killNow();
  };
  process.on('exit', killAll);
  setTimeout(
    () => {
      console.error('vs-kamailio watchdog: still running after the budget + 4 min; giving up');
      killAll();
      process.exit(1);
    },
    (options.budgetSec + 240) * 1000,
  ).unref();

  ensureKamailioAndSipp((line) => {
    console.log(line);
  });
  const workDir = path.join(os.tmpdir(), `trayphone-vs-kamailio-${process.pid}`);
  mkdirSync(workDir, { recursive: true });
  console.log(
    `signaling vs kamailio: ${options.users} users, steps of ${options.windowSec} s (after ` +
      `${options.warmupSec} s warm-up for Trayphone), ≤ ${options.steps} search steps each, ` +
      `alternating; node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString()}`,
  );
  const hooks = await startWebhookReceiver();
  const rig = await startRig({
    cwd: REPO_ROOT,
    users: options.users,
    generators: Math.max(1, Math.ceil(options.users / MAX_USERS_PER_GENERATOR)),
    generatorNice: 0,
    connectConcurrency: 200,
    profile: false,
    profileGenerators: false,
    serverConfig: {
      webhook: { url: hooks.url, secret: BENCH_WEBHOOK_SECRET },
    },
    log: (line) => {
      console.log(line);
    },
    onStarted: (part) => {
      if (part.server) live.server = part.server;
      if (part.generators) live.generators = part.generators;
    },
    readRssKb: (pid) => readProc(pid)?.rssKb ?? 0,
  });
  console.log(
    `signed in ${rig.signedIn}/${options.users} in ${(rig.connectMs / 1000).toFixed(1)} s`,
  );
  if (rig.signedIn < options.users) throw new Error('not every user signed in');

  const ctx: StepContext = { serverPid: rig.server.pid, generators: rig.generators, windowsUs: [] };
  let stepIndex = 0;
  const trayphoneSteps = new Map<number, StepResult>();
  const trayphoneStep = async (rate: number): Promise<StepResult> => {
    const s = await runStep(
      ctx,
      stepIndex++,
      rate,
      options.warmupSec * 1000,
      options.windowSec * 1000,
    );
    if (rig.server.exited()) throw new Error('the server process exited during the bench');
    trayphoneSteps.set(rate, s);
    console.log(`  ${trayphoneLine(s)}`);
    await sleep(500);
    return s;
  };
  const kamailioStep = async (rate: number): Promise<KamailioStep> => {
    const s = await runKamailioStep(workDir, rate, options.windowSec);
    console.log(`  ${kamailioLine(s)}`);
    return s;
  };

  // Untimed: the server's code gets compiled and its caches warm before the first measured step.
  await runStep(ctx, stepIndex++, Math.min(500, options.trayphoneStart / 2), 1_000, 2_000);
  await sleep(500);
  // Rates in steps of 50/s, or of 10/s for --quick's small ones.
  const granularity = options.trayphoneStart < 500 ? 10 : 50;
  const trayphone = new RateSearch(options.trayphoneStart, 0.08, granularity);
  const kamailio = new RateSearch(options.kamailioStart, 0.08, granularity);
  for (let turn = 0; turn < options.steps && elapsedSec() < options.budgetSec; turn++) {
    const k = kamailio.next();
    if (k !== undefined) kamailio.record(k, kamailioPassed(await kamailioStep(k)));
    const t = trayphone.next();
    if (t !== undefined && elapsedSec() < options.budgetSec)
      trayphone.record(t, trayphonePassed(await trayphoneStep(t)));
    if (k === undefined && t === undefined) break;
  }
  const kamailioRate = kamailio.keptUp;
  // The p99 at Kamailio's kept-up rate: measured again unless the search ran that very rate.
  let atKamailio = kamailioRate === undefined ? undefined : trayphoneSteps.get(kamailioRate);
  if (kamailioRate !== undefined && atKamailio === undefined) {
    atKamailio = await trayphoneStep(kamailioRate);
    // A step like any other: it counts for (or against) Trayphone's kept-up rate too.
    trayphone.record(kamailioRate, trayphonePassed(atKamailio));
  }
  const trayphoneRate = trayphone.keptUp;
  const keptUpStep = trayphoneRate === undefined ? undefined : trayphoneSteps.get(trayphoneRate);

  await Promise.all(rig.generators.map((g) => g.stop()));
  await rig.server.stop(20_000);
  await new Promise<void>((resolve) => {
    hooks.server.close(() => {
      resolve();
    });
  });
  rmSync(workDir, { recursive: true, force: true });

  const ratio =
    trayphoneRate !== undefined && kamailioRate !== undefined ? trayphoneRate / kamailioRate : null;
  console.log('');
  console.log('==== signaling vs kamailio ====');
  console.log(`kamailio + SIPp kept up: ${kamailioRate ?? 'none'}/s`);
  console.log(`trayphone kept up (0 failures): ${trayphoneRate ?? 'none'}/s`);
  if (atKamailio) console.log(`trayphone at kamailio's rate: ${trayphoneLine(atKamailio)}`);
  console.log(`webhooks received: ${hooks.count()}; took ${elapsedSec().toFixed(0)} s`);
  console.log(
    JSON.stringify({
      bench: 'signaling-vs-kamailio',
      ratio: ratio === null ? null : round(ratio, 3),
      trayphoneKeptUpPerSec: trayphoneRate ?? null,
      kamailioKeptUpPerSec: kamailioRate ?? null,
      p99AtKamailioRateMs: atKamailio ? round(atKamailio.inviteToIncoming.p99, 2) : null,
      failures:
        (keptUpStep?.failures ?? 0) + (atKamailio === keptUpStep ? 0 : (atKamailio?.failures ?? 0)),
    }),
  );
}
