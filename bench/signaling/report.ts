import type { BenchOptions } from './args.js';
import {
  FAILURE_LIMIT_PCT,
  type IdleResult,
  type RampOutcome,
  type StepResult,
} from './load-steps.js';
import { fmtSummary, round } from './stats.js';

/** Above this much CPU used by other processes (% of a core), a run is flagged as disturbed. */
const DISTURBED_OTHER_CPU_PCT = 25;

const pct = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)}%` : 'n/a');

/** A readable block for one load step. */
export function describeStep(s: StepResult): string[] {
  const reasons = Object.entries(s.failReasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return [
    `  offered ${s.rate}/s (placed ${s.offered.toFixed(1)}/s) over ${s.windowSec} s: achieved ${s.achieved.toFixed(1)} setups/s`,
    `  cycles started ${s.started}, succeeded ${s.succeeded}, failures ${s.failures} (${s.failurePct.toFixed(3)}%)${reasons ? `: ${reasons}` : ''}`,
    `  invite→incoming  ${fmtSummary(s.inviteToIncoming)}`,
    `  accept→accepted  ${fmtSummary(s.acceptToAccepted)}`,
    `  full cycle       ${fmtSummary(s.cycle)}`,
    `  worst invite→incoming per second of the window (ms): ${s.worstPerSecond.map((v) => v.toFixed(0)).join(' ')}`,
    `  in flight max ${s.maxInFlight}, pacing lag max ${s.maxPacingLagMs.toFixed(1)} ms, open sockets ${s.openSockets}`,
    `  server CPU ${pct(s.serverCpuPct)} of a core, RSS peak ${s.serverRssPeakMb.toFixed(1)} MB; generators CPU ${s.generatorCpuPct.map(pct).join(' + ')}; interrupts ${pct(s.irqCpuPct)}; other processes ${pct(s.otherCpuPct)}`,
  ];
}

/** One line per step of a ramp. */
export function stepLine(s: StepResult): string {
  return [
    `rate ${String(s.rate).padStart(5)}/s`,
    `achieved ${s.achieved.toFixed(0).padStart(5)}/s`,
    `fail ${s.failurePct.toFixed(2).padStart(6)}%`,
    `inv→inc p50 ${s.inviteToIncoming.p50.toFixed(2)} p99 ${s.inviteToIncoming.p99.toFixed(2)} max ${s.inviteToIncoming.max.toFixed(1)} ms`,
    `acc→act p99 ${s.acceptToAccepted.p99.toFixed(2)} ms`,
    `inflight≤${s.maxInFlight}`,
    `srv CPU ${pct(s.serverCpuPct)}`,
    `gen CPU ${s.generatorCpuPct.map(pct).join('+')}`,
    `irq ${pct(s.irqCpuPct)}`,
    `other procs ${pct(s.otherCpuPct)}`,
  ].join(' | ');
}

export interface FinalFigures {
  users: number;
  step: StepResult | undefined;
  connectSec: number;
  rssMb: number;
  rssPerIdleUserKb: number;
  serverCpuPct: number;
  /** CPU of every other process on the machine in the window, % of a core (disturbance). */
  otherCpuPct: number;
  /** Nice value the generators ran at (0: equal share with the server). */
  generatorNice: number;
  maxRate?: number | null;
  maxRateP99Under10Ms?: number | null;
  /** Named only when not the default SQLite. */
  store?: 'postgres';
}

/** The last line of the output: one JSON object. */
export function finalJson(f: FinalFigures): string {
  const s = f.step;
  return JSON.stringify({
    bench: 'signaling',
    users: f.users,
    rate: s?.rate ?? 0,
    achieved: s ? round(s.achieved, 1) : 0,
    failures: s?.failures ?? 0,
    failurePct: s ? round(s.failurePct, 3) : 0,
    inviteToIncomingP50Ms: s ? round(s.inviteToIncoming.p50, 3) : null,
    inviteToIncomingP99Ms: s ? round(s.inviteToIncoming.p99, 3) : null,
    inviteToIncomingMaxMs: s ? round(s.inviteToIncoming.max, 3) : null,
    acceptToAcceptedP99Ms: s ? round(s.acceptToAccepted.p99, 3) : null,
    connectSec: round(f.connectSec, 2),
    rssMb: round(f.rssMb, 1),
    rssPerIdleUserKb: round(f.rssPerIdleUserKb, 2),
    serverCpuPct: round(f.serverCpuPct, 1),
    otherCpuPct: round(f.otherCpuPct, 1),
    generatorNice: f.generatorNice,
    ...(f.store === undefined ? {} : { store: f.store }),
    ...(f.maxRate === undefined ? {} : { maxRate: f.maxRate }),
    ...(f.maxRateP99Under10Ms === undefined ? {} : { maxRateP99Under10Ms: f.maxRateP99Under10Ms }),
  });
}

export interface BenchOutcome {
  options: BenchOptions;
  signedIn: number;
  generators: number;
  connectMs: number;
  rssBeforeKb: number;
  rssAfterKb: number;
  idle: IdleResult | undefined;
  ramp: RampOutcome | undefined;
  step: StepResult | undefined;
  profileLines: string[];
}

const rateOf = (s: StepResult | undefined): string =>
  s ? `${s.achieved.toFixed(0)}/s (offered ${s.rate}/s)` : 'none';

/** The readable summary, then (last line) the JSON object. */
export function printSummary(o: BenchOutcome): void {
  const { options, idle, ramp, step } = o;
  const rssPerIdleUserKb = (o.rssAfterKb - o.rssBeforeKb) / o.signedIn;
  const lines = [
    '',
    '==== signaling bench summary ====',
    `users ${options.users} (${o.signedIn} signed in) on ${o.generators} generator(s); all signed in after ${(o.connectMs / 1000).toFixed(2)} s`,
    `server RSS before sign-in ${(o.rssBeforeKb / 1024).toFixed(1)} MB, after ${(o.rssAfterKb / 1024).toFixed(1)} MB ` +
      `→ ${rssPerIdleUserKb.toFixed(2)} KB per idle user${idle ? ' (after the idle wait)' : ' (1 s after sign-in)'}`,
  ];
  if (idle) {
    lines.push(
      `idle ${options.durationSec} s: server RSS peak ${idle.rssPeakMb.toFixed(1)} MB, CPU ${pct(idle.serverCpuPct)} of a core; interrupts ${pct(idle.irqCpuPct)}; other processes ${pct(idle.otherCpuPct)}`,
    );
  }
  if (ramp) {
    lines.push('find-max steps:', ...ramp.steps.map((s) => `  ${stepLine(s)}`));
    lines.push(`max achieved with < ${FAILURE_LIMIT_PCT}% failures: ${rateOf(ramp.best)}`);
    lines.push(
      `max achieved with < ${FAILURE_LIMIT_PCT}% failures and invite→incoming p99 < 10 ms: ${rateOf(ramp.bestUnder10Ms)}`,
    );
    lines.push(`highest step kept up with (achieved ≥ 97% of offered): ${rateOf(ramp.keptUp)}`);
  }
  if (step) lines.push(ramp ? 'best step:' : 'measured window:', ...describeStep(step));
  lines.push(...o.profileLines);
  const otherCpuPct = idle ? idle.otherCpuPct : (step?.otherCpuPct ?? 0);
  if (otherCpuPct > DISTURBED_OTHER_CPU_PCT) {
    lines.push(
      `note: other processes used ${pct(otherCpuPct)} of a core during the measured window: ` +
        'latency figures are disturbed; repeat on a quiet machine',
    );
  }
  for (const line of lines) console.log(line);
  console.log(
    finalJson({
      users: options.users,
      step,
      connectSec: o.connectMs / 1000,
      rssMb: idle ? idle.rssPeakMb : (step?.serverRssPeakMb ?? 0),
      rssPerIdleUserKb,
      serverCpuPct: idle ? idle.serverCpuPct : (step?.serverCpuPct ?? Number.NaN),
      otherCpuPct,
      generatorNice: options.generatorNice,
      ...(options.store === 'postgres' ? { store: 'postgres' as const } : {}),
      ...(ramp
        ? {
            maxRate: ramp.best ? round(ramp.best.achieved, 1) : null,
            maxRateP99Under10Ms: ramp.bestUnder10Ms ? round(ramp.bestUnder10Ms.achieved, 1) : null,
          }
        : {}),
    }),
  );
}
