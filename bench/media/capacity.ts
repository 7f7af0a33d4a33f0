import { ForwardingRig, type WindowResult } from './forwarding.js';
import { fmt } from './proc.js';
import type { StreamProfile } from './rtp.js';

/** A step delivers when at least this share of the expected packets reached the sinks. */
export const DELIVERED_MIN_PCT = 99;
/** The worker counts as saturated from this CPU (% of one core) on… */
export const SATURATED_CPU_PCT = 95;
/** …or when it is still forwarding this long after the sender stopped (a real-time backlog). */
export const SATURATED_BACKLOG_MS = 100;
/** Every ramp stops after this long, wherever it is. */
const RAMP_BUDGET_MS = 240_000;

export interface CpuPerStream {
  profile: StreamProfile;
  producers: number;
  consumers: number;
  idleCpuPct: number;
  /** Producers sending, nobody consuming. */
  baseline: WindowResult;
  loaded: WindowResult;
  /** loaded worker CPU / forwarded streams. */
  perStreamPct: number;
  /** (loaded − baseline) worker CPU / forwarded streams. */
  marginalPerStreamPct: number;
  /** Worker CPU time per forwarded packet, in µs. */
  usPerPacket: number;
  /** Worker CPU with the consumers in place but no media flowing (timers, RTCP, BWE). */
  consumersIdleCpuPct: number;
}

/** Worker CPU with `producers` × `perProducer` forwarded streams, against producers alone. */
export async function cpuPerStream(o: {
  profile: StreamProfile;
  producers: number;
  perProducer: number;
  srtp: boolean;
  warmupMs: number;
  windowMs: number;
}): Promise<CpuPerStream> {
  const rig = await ForwardingRig.start({ srtp: o.srtp });
  try {
    await rig.addProducers(o.profile, o.producers);
    const idleCpuPct = await rig.idleCpu(1_000);
    const baseline = await rig.measure(o.warmupMs, o.windowMs);
    await rig.setConsumers(o.producers * o.perProducer);
    const loaded = await rig.measure(o.warmupMs, o.windowMs);
    const consumersIdleCpuPct = await rig.idleCpu(o.windowMs);
    const n = loaded.consumers;
    return {
      profile: o.profile,
      producers: o.producers,
      consumers: n,
      idleCpuPct,
      baseline,
      loaded,
      perStreamPct: loaded.workerCpuPct / n,
      marginalPerStreamPct: (loaded.workerCpuPct - baseline.workerCpuPct) / n,
      usPerPacket: ((loaded.workerCpuPct / 100) * 1e6) / loaded.forwardedPps,
      consumersIdleCpuPct,
    };
  } finally {
    await rig.close();
  }
}

export type StepVerdict = 'ok' | 'saturated' | 'lost';

export interface RampStep extends WindowResult {
  verdict: StepVerdict;
  /** A failing step is measured a second time (other load on the machine comes and goes). */
  retried: boolean;
}

export interface RampResult {
  profile: StreamProfile;
  steps: RampStep[];
  /** Highest consumer count that delivered ≥ 99 %. */
  maxConsumers: number | undefined;
  best: RampStep | undefined;
  /** Highest consumer count with the worker below saturation (CPU < 95 %, no backlog). */
  maxUnsaturated: number | undefined;
  /** Why the ramp stopped. */
  stoppedBy: string;
  /** Consumers one fully busy core would forward, from the highest unsaturated step (linear). */
  projectedPerCore: number | undefined;
  rigSinkBufferBytes: number;
}

const passes = (s: WindowResult): boolean => s.deliveredPct >= DELIVERED_MIN_PCT;

function verdictOf(s: WindowResult): StepVerdict {
  if (!passes(s)) return 'lost';
  return s.workerCpuPct >= SATURATED_CPU_PCT || s.drainMs >= SATURATED_BACKLOG_MS
    ? 'saturated'
    : 'ok';
}

/** Where the packets went missing, in words. */
export function lossPlace(s: WindowResult): string {
  if (passes(s)) return '';
  const missing = s.expected - s.received;
  const parts = [
    `${missing} missing`,
    `worker input drops ${s.workerInputDrops}`,
    `sink drops ${s.sinkDrops}`,
  ];
  return parts.join(', ');
}

/** Ladder of consumer counts: 1,2,3,4,5,6,8,10,12,16,… × base, up to max (max itself last). */
export function ladder(base: number, max: number): number[] {
  const factors = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128];
  const out = factors.map((f) => f * base).filter((n) => n < max);
  out.push(max);
  return out;
}

/**
 * Increases the consumers of `producers` producers step by step until a step loses more than 1 %
 * of the packets (measured twice before it counts) or saturates the worker, then halves the gap
 * between the last unsaturated count and the first saturated or losing one `bisections` times.
 */
export async function rampConsumers(o: {
  profile: StreamProfile;
  producers: number;
  base: number;
  max: number;
  bisections: number;
  srtp: boolean;
  warmupMs: number;
  windowMs: number;
  onStep: (s: RampStep) => void;
}): Promise<RampResult> {
  const started = performance.now();
  const rig = await ForwardingRig.start({ srtp: o.srtp });
  const steps: RampStep[] = [];
  let stoppedBy = `reached --consumers-max (${o.max})`;
  /** Highest count that was `ok`, and lowest that was not (saturated or lost). */
  let lastOk = 0;
  let firstNotOk: number | undefined;
  const run = async (consumers: number): Promise<RampStep> => {
    await rig.setConsumers(consumers);
    let result = await rig.measure(o.warmupMs, o.windowMs);
    let retried = false;
    if (!passes(result)) {
      retried = true;
      result = await rig.measure(o.warmupMs, o.windowMs);
    }
    const step: RampStep = { ...result, verdict: verdictOf(result), retried };
    steps.push(step);
    o.onStep(step);
    if (step.verdict === 'ok') lastOk = Math.max(lastOk, consumers);
    else firstNotOk = Math.min(firstNotOk ?? consumers, consumers);
    return step;
  };
  const overBudget = (): boolean => performance.now() - started > RAMP_BUDGET_MS;
  try {
    await rig.addProducers(o.profile, o.producers);
    for (const n of ladder(o.base, o.max)) {
      if (overBudget()) {
        stoppedBy = 'time budget';
        break;
      }
      const step = await run(n);
      if (step.verdict === 'lost') {
        stoppedBy = `lost > ${100 - DELIVERED_MIN_PCT}% at ${n} (${lossPlace(step)})`;
        break;
      }
      if (step.verdict === 'saturated') {
        stoppedBy = `worker saturated at ${n} (CPU ${fmt(step.workerCpuPct, 0, '%')}, backlog ${fmt(step.drainMs, 0, ' ms')})`;
        break;
      }
    }
    // Narrow down between the last unsaturated count and the first saturated or losing one.
    for (let i = 0; i < o.bisections && firstNotOk !== undefined && !overBudget(); i++) {
      const mid = Math.round((lastOk + firstNotOk) / 2);
      if (mid <= lastOk || mid >= firstNotOk) break;
      await run(mid);
    }
  } finally {
    await rig.close();
  }
  const highest = (pick: (s: RampStep) => boolean): RampStep | undefined =>
    steps
      .filter(pick)
      .reduce<RampStep | undefined>((a, s) => (!a || s.consumers > a.consumers ? s : a), undefined);
  const best = highest((s) => s.verdict !== 'lost');
  const unsaturated = highest((s) => s.verdict === 'ok');
  return {
    profile: o.profile,
    steps,
    maxConsumers: best?.consumers,
    best,
    maxUnsaturated: unsaturated?.consumers,
    stoppedBy,
    projectedPerCore:
      unsaturated && unsaturated.workerCpuPct > 0
        ? (unsaturated.consumers * 100) / unsaturated.workerCpuPct
        : undefined,
    rigSinkBufferBytes: rig.sinkBufferBytes,
  };
}
