import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratorHandle } from './generators.js';
import type { StepReport } from './messages.js';
import { cpuPct, readProc, rssSampler } from '../support/proc.js';
import { machineCpu, readMachineBusy } from './proc-stats.js';
import { type Summary, concatSamples, summarize } from './stats.js';

export interface StepResult {
  rate: number;
  windowSec: number;
  started: number;
  succeeded: number;
  /** Failed cycles plus cycles that could not be placed (no idle pair). */
  failures: number;
  failurePct: number;
  /** Completed cycles per second in the window. */
  achieved: number;
  /** Cycles actually started per second in the window. */
  offered: number;
  failReasons: Record<string, number>;
  inviteToIncoming: Summary;
  acceptToAccepted: Summary;
  cycle: Summary;
  worstPerSecond: number[];
  maxInFlight: number;
  maxPacingLagMs: number;
  openSockets: number;
  serverCpuPct: number;
  serverRssPeakMb: number;
  generatorCpuPct: number[];
  /** CPU of every other process on the machine in the window, % of a core. */
  otherCpuPct: number;
  /** Interrupt time in the window (loopback networking, mostly ours), % of a core. */
  irqCpuPct: number;
}

export interface StepContext {
  serverPid: number;
  generators: readonly GeneratorHandle[];
  /** Measured windows as [start, end] µs on the monotonic clock (to cut the CPU profile). */
  windowsUs: [number, number][];
}

export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * One step: every generator offers its share of `rate` for warm-up + window; the server's and the
 * generators' CPU and the server's RSS are read over the window; then the reports are merged.
 */
export async function runStep(
  ctx: StepContext,
  step: number,
  rate: number,
  warmupMs: number,
  measureMs: number,
): Promise<StepResult> {
  const { generators } = ctx;
  for (const g of generators)
    g.send({ type: 'step', step, rate: rate / generators.length, warmupMs, measureMs });
  await sleep(warmupMs);
  const start = monotonicUs();
  const server0 = readProc(ctx.serverPid);
  const gens0 = generators.map((g) => readProc(g.pid));
  const machine0 = readMachineBusy();
  const rss = rssSampler(ctx.serverPid);
  await sleep(measureMs);
  const server1 = readProc(ctx.serverPid);
  const gens1 = generators.map((g) => readProc(g.pid));
  const machine1 = readMachineBusy();
  const { peakKb } = rss.stop();
  ctx.windowsUs.push([start, monotonicUs()]);
  // Generators drain in-flight cycles for at most ~6 s after the window.
  const reports = await Promise.all(generators.map((g) => g.next('step-done', 30_000)));
  const serverCpuPct = cpuPct(server0, server1);
  const generatorCpuPct = generators.map((_, i) => cpuPct(gens0[i], gens1[i]));
  const ours = serverCpuPct + generatorCpuPct.reduce((n, v) => n + v, 0);
  return {
    ...merge(rate, measureMs / 1000, reports),
    serverCpuPct,
    serverRssPeakMb: peakKb / 1024,
    generatorCpuPct,
    ...machineCpu(machine0, machine1, ours),
  };
}

function merge(
  rate: number,
  windowSec: number,
  reports: StepReport[],
): Omit<
  StepResult,
  'serverCpuPct' | 'serverRssPeakMb' | 'generatorCpuPct' | 'otherCpuPct' | 'irqCpuPct'
> {
  const sum = (f: (r: StepReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  const failReasons: Record<string, number> = {};
  for (const r of reports)
    for (const [k, v] of Object.entries(r.failReasons)) failReasons[k] = (failReasons[k] ?? 0) + v;
  const unplaced = sum((r) => r.unplaced);
  if (unplaced > 0) failReasons['unplaced:no-idle-pair'] = unplaced;
  const started = sum((r) => r.started);
  const failures = sum((r) => r.failed) + unplaced;
  return {
    rate,
    windowSec,
    started,
    succeeded: sum((r) => r.succeeded),
    failures,
    failurePct: started + unplaced > 0 ? (100 * failures) / (started + unplaced) : 0,
    achieved: sum((r) => r.completedInWindow) / windowSec,
    offered: started / windowSec,
    failReasons,
    inviteToIncoming: summarize(concatSamples(reports.map((r) => r.inviteToIncoming))),
    acceptToAccepted: summarize(concatSamples(reports.map((r) => r.acceptToAccepted))),
    cycle: summarize(concatSamples(reports.map((r) => r.cycleMs))),
    worstPerSecond: Array.from({ length: Math.ceil(windowSec) }, (_, i) =>
      Math.max(0, ...reports.map((r) => r.worstPerSecond[i] ?? 0)),
    ),
    maxInFlight: Math.max(...reports.map((r) => r.maxInFlight)),
    maxPacingLagMs: Math.max(...reports.map((r) => r.maxPacingLagMs)),
    openSockets: sum((r) => r.openSockets),
  };
}

export interface IdleResult {
  rssPeakMb: number;
  rssAfterKb: number;
  serverCpuPct: number;
  otherCpuPct: number;
  irqCpuPct: number;
}

/** --rate 0: everyone signed in, nothing else; memory and heartbeat CPU over the duration. */
export async function idleWindow(ctx: StepContext, durationMs: number): Promise<IdleResult> {
  const start = monotonicUs();
  const server0 = readProc(ctx.serverPid);
  const gens0 = ctx.generators.map((g) => readProc(g.pid));
  const machine0 = readMachineBusy();
  const rss = rssSampler(ctx.serverPid);
  await sleep(durationMs);
  const server1 = readProc(ctx.serverPid);
  const gens1 = ctx.generators.map((g) => readProc(g.pid));
  const machine1 = readMachineBusy();
  const { peakKb, lastKb } = rss.stop();
  ctx.windowsUs.push([start, monotonicUs()]);
  const serverCpuPct = cpuPct(server0, server1);
  const ours = ctx.generators.reduce((n, _, i) => n + cpuPct(gens0[i], gens1[i]), serverCpuPct);
  return {
    rssPeakMb: peakKb / 1024,
    rssAfterKb: lastKb,
    serverCpuPct,
    ...machineCpu(machine0, machine1, ours),
  };
}

export const FAILURE_LIMIT_PCT = 0.5;

export interface RampOutcome {
  steps: StepResult[];
  /** The step with the highest achieved rate under the failure limit. */
  best: StepResult | undefined;
  /** The step with the highest achieved rate under the failure limit and p99 invite→incoming < 10 ms. */
  bestUnder10Ms: StepResult | undefined;
  /** The highest step that kept up: under the failure limit and achieved ≥ 97% of the rate. */
  keptUp: StepResult | undefined;
}

/**
 * --find-max: 250/s, then ×1.25 (at least +250) per step, until a step fails ≥ 0.5%, cannot keep
 * up (achieved < 85% of the rate), or 20 steps have run.
 */
export async function rampToMax(
  ctx: StepContext,
  startRate: number,
  warmupMs: number,
  measureMs: number,
  onStep: (result: StepResult) => void,
): Promise<RampOutcome> {
  const steps: StepResult[] = [];
  let rate = startRate;
  for (let step = 0; step < 20; step++) {
    const result = await runStep(ctx, step, rate, warmupMs, measureMs);
    steps.push(result);
    onStep(result);
    if (result.failurePct >= FAILURE_LIMIT_PCT || result.achieved < 0.85 * rate) break;
    rate = Math.round(Math.max(rate * 1.25, rate + 250) / 50) * 50;
    await sleep(500);
  }
  const passing = steps.filter((s) => s.failurePct < FAILURE_LIMIT_PCT);
  const highest = (list: StepResult[]): StepResult | undefined =>
    list.reduce<StepResult | undefined>(
      (b, s) => (!b || s.achieved > b.achieved ? s : b),
      undefined,
    );
  return {
    steps,
    best: highest(passing),
    bestUnder10Ms: highest(passing.filter((s) => s.inviteToIncoming.p99 < 10)),
    keptUp: highest(passing.filter((s) => s.achieved >= 0.97 * s.rate)),
  };
}
