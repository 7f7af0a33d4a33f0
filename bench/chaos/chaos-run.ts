import { setTimeout as sleep } from 'node:timers/promises';
import type { CallRecord } from '../../protocol/index.js';
import { startReceiver, type ReceivedWebhook } from '../../server/webhooks/receiver.test-helper.js';
import { percentile } from '../support/stats.js';
import { observeAndAct } from './behaviour.js';
import {
  ChaosServer,
  type ChaosServerOptions,
  type ChaosTarget,
  type Kill,
} from './chaos-server.js';
import {
  type FaultCounts,
  injectDeviceFaults,
  type KillOptions,
  scheduleKills,
  watchLedger,
} from './faults.js';
import {
  checkInvariants,
  countByInvariant,
  INVARIANTS,
  type Invariant,
  type Violation,
} from './invariants.js';
import { Ledger } from './ledger.js';
import { inBatches, populate, type Population } from './population.js';
import { probeLiveState } from './probes.js';
import { Rng } from './rng.js';
import type { ScenarioContext } from './scenario-kit.js';
import { DEFAULT_WEIGHTS, runScenario, type ScenarioKind } from './scenarios.js';

export interface ChaosOptions {
  cwd: string;
  seed: number;
  users: number;
  devices: number;
  offlineUsers: number;
  agents: number;
  /** Call set-ups launched per second. */
  rate: number;
  durationMs: number;
  kills: number;
  /** Device faults per second over all devices (0: none). */
  faultsPerSec: number;
  ringTimeoutMs: number;
  heartbeatIntervalMs: number;
  deadAfterMs: number;
  rejoinWindowMs: number;
  holdMs: readonly [number, number];
  /** Weights of the scenarios; a kind left out (or 0) is not played. */
  weights: Partial<Record<ScenarioKind, number>>;
  maxAbandoned: number;
  log: (line: string) => void;
}

export const DEFAULT_CHAOS_OPTIONS: Omit<ChaosOptions, 'cwd' | 'seed'> = {
  users: 60,
  devices: 2,
  offlineUsers: 8,
  agents: 4,
  rate: 10,
  durationMs: 20_000,
  kills: 3,
  faultsPerSec: 2,
  ringTimeoutMs: 2_000,
  heartbeatIntervalMs: 300,
  deadAfterMs: 900,
  rejoinWindowMs: 2_000,
  holdMs: [50, 600],
  weights: DEFAULT_WEIGHTS,
  maxAbandoned: 4,
  log: (line) => {
    console.log(line);
  },
};

export interface ChaosReport {
  seed: number;
  /** Generator processes that drove the load (one unless `shards` asked for more). */
  shards: number;
  calls: number;
  setupsPerSec: number;
  /** The same over the time the server was up (kill to restart excluded). */
  setupsPerSecWhileUp: number;
  kills: number;
  counts: Record<Invariant, number>;
  violations: Violation[];
  recoveryMs: { p50: number; p99: number; samples: number };
  /** Each kill and restart, in ms since the start of the run (the evidence uses the same clock). */
  killTimes: { killAt: number; exitedAt: number; readyAt?: number }[];
  scenarios: Record<string, number>;
  faults: FaultCounts;
  errorAnswers: Record<string, number>;
  durationMs: number;
}

/** What one generator (the only one, or a shard of a sharded run) saw and checked. */
export interface ShardResult {
  calls: number;
  counts: Record<Invariant, number>;
  violations: Violation[];
  /** Kill → first hello on the restarted server, per device that was signed in before it. */
  recoveries: number[];
  scenarios: Record<string, number>;
  faults: FaultCounts;
  errorAnswers: Record<string, number>;
  loadStart: number;
  loadEnd: number;
}

/** How a generator reaches the rest of the run: the server, the kills and the webhooks. */
export interface ShardEnv {
  target: ChaosTarget;
  /** Names this shard's users and calls apart ('' when alone). */
  label: string;
  /** The clock of the evidence. */
  epoch: number;
  /** Resolves when the load may start (every shard is populated). */
  ready(): Promise<void>;
  /** Lends the kill schedule this ledger's acknowledgements until the load is over. */
  startKills(ledger: Ledger): { stop(): void; done: Promise<readonly Kill[]> };
  webhooks(): Promise<readonly ReceivedWebhook[]>;
}

/**
 * One chaos run against the real server (its own process, killed and restarted): drives the
 * scenarios at `rate` for `durationMs` with device faults and kills, quiesces, probes the live
 * state, reads every record, and checks the invariants. This process drives the load; for rates
 * one process cannot drive, chaos-shards.ts spreads it over several.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  options.log(`chaos: seed ${options.seed}`);
  const receiver = await startReceiver({ secret: CHAOS_WEBHOOK_SECRET });
  const server = await ChaosServer.start(chaosServerOptions(options, receiver.url));
  try {
    const result = await playShard(options, {
      target: server,
      label: '',
      epoch: startedAt,
      ready: () => Promise.resolve(),
      startKills: (ledger) =>
        scheduleKills(
          server,
          watchLedger(ledger),
          new Rng(options.seed ^ 0x4b1),
          killOptions(options),
          options.log,
        ),
      webhooks: () => Promise.resolve(receiver.received),
    });
    return summarize(options, [result], server.kills, startedAt);
  } finally {
    await server.stop();
    await receiver.close();
  }
}

/** A kill closes every signed-in socket as the process exits: their close events follow within this. */
const KILL_CLOSE_MS = 500;

export const CHAOS_WEBHOOK_SECRET = 'chaos-webhook-secret-0123456789';

export function chaosServerOptions(options: ChaosOptions, webhookUrl: string): ChaosServerOptions {
  return {
    cwd: options.cwd,
    ringTimeoutMs: options.ringTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    deadAfterMs: options.deadAfterMs,
    rejoinWindowMs: options.rejoinWindowMs,
    webhookUrl,
    webhookSecret: CHAOS_WEBHOOK_SECRET,
  };
}

export function killOptions(options: ChaosOptions): KillOptions {
  return {
    kills: options.kills,
    durationMs: options.durationMs,
    aimMs: [0, 20],
    downtimeMs: [100, 800],
  };
}

/** One generator's part of the run: populate, load with faults and kills, quiesce, check. */
export async function playShard(options: ChaosOptions, env: ShardEnv): Promise<ShardResult> {
  const log = options.log;
  const rng = new Rng(options.seed);
  const ledger = new Ledger(env.epoch);
  let pop: Population | undefined;
  try {
    const agentIds = new Set<string>();
    const observer = observeAndAct(ledger, {
      rng: new Rng(options.seed ^ 0x5eed),
      holdMs: options.holdMs,
      answerShare: 0.85,
      isAgent: (userId) => agentIds.has(userId),
    });
    const queueOfferTimeoutMs = 1_000;
    const queueMaxWaitMs = Math.max(4_000, options.ringTimeoutMs * 2);
    pop = await populate(
      env.target,
      observer,
      {
        label: env.label,
        users: options.users,
        devices: options.devices,
        offlineUsers: options.offlineUsers,
        agents: options.agents,
        queueOfferTimeoutMs,
        queueMaxWaitMs,
      },
      rng,
    );
    for (const a of pop.agents) agentIds.add(a.userId);
    for (const a of pop.agents)
      for (const d of a.devices) await d.request('agent.setStatus', { status: 'available' });
    log(
      `chaos${env.label ? ` ${env.label}` : ''}: ${pop.all.length} users, ${pop.all.reduce((n, u) => n + u.devices.length, 0)} devices`,
    );
    await env.ready();

    const scenarios: Record<string, number> = {};
    let seq = 0;
    const ctx: ScenarioContext = {
      rng,
      ledger,
      pop,
      ringTimeoutMs: options.ringTimeoutMs,
      holdMs: options.holdMs,
      deadAfterMs: options.deadAfterMs,
      rejoinWindowMs: options.rejoinWindowMs,
      queueMaxWaitMs,
      settleMs: 20_000,
      abandoned: new Set(),
      maxAbandoned: options.maxAbandoned,
      nextCallId: (tag) =>
        `chaos-${options.seed.toString(36)}-${env.label}${tag}-${String(seq++).padStart(6, '0')}`,
      count: (what) => {
        scenarios[what] = (scenarios[what] ?? 0) + 1;
      },
    };
    const weights = Object.fromEntries(
      Object.entries(options.weights).filter(([, w]) => w > 0),
    ) as Record<ScenarioKind, number>;

    const faults = injectDeviceFaults(pop.people, rng, options);
    const kills = env.startKills(ledger);
    const running = new Set<Promise<void>>();
    const loadStart = Date.now();
    let launched = 0;
    while (Date.now() - loadStart < options.durationMs) {
      const due = Math.floor(((Date.now() - loadStart) * options.rate) / 1000) - launched;
      for (let i = 0; i < due; i++) {
        launched++;
        const kind = rng.weighted(weights);
        const run = runScenario(ctx, kind)
          .then((played) => {
            ctx.count(played ? kind : 'skipped-no-free-users');
          })
          .catch((error: unknown) => {
            ctx.count('scenario-error');
            log(`chaos: scenario ${kind} failed: ${(error as Error).stack ?? String(error)}`);
          })
          .finally(() => running.delete(run));
        running.add(run);
      }
      await sleep(5);
    }
    const loadEnd = Date.now();
    kills.stop();
    await faults.stop();
    const killList = await kills.done;
    log(
      `chaos${env.label ? ` ${env.label}` : ''}: load done (${launched} launched); waiting for ${running.size} scenarios`,
    );
    await Promise.all(running);

    // Quiesce: every device back, then ring timeouts and the rejoin window run out.
    const devices = pop.all.flatMap((u) => (u.role === 'offline' ? [] : u.devices));
    await Promise.all(devices.map((d) => d.whenReady(15_000)));
    await sleep(options.ringTimeoutMs + options.deadAfterMs + options.rejoinWindowMs + 1_000);

    const probes = await probeLiveState({
      pop,
      wsUrl: () => env.target.wsUrl,
      tokens: pop.tokens,
      observer,
      ringTimeoutMs: 1_000,
    });
    const acked = [...ledger.calls.values()].filter((c) => c.inviteAckAt !== undefined);
    const records = new Map<string, CallRecord | undefined>();
    await inBatches(acked, 16, async (c) => {
      records.set(c.callId, await env.target.record(c.callId));
    });
    await sleep(300); // the last webhooks (retries of the push POSTs) arrive
    const violations = checkInvariants({
      ledger,
      records,
      kills: killList,
      probes,
      webhooks: await env.webhooks(),
    });
    const recoveries: number[] = [];
    for (const kill of killList) {
      const readyAt = kill.readyAt;
      if (readyAt === undefined) continue;
      // Devices the kill cut off (signed in until it): not those offline by choice or faulted.
      const cutOff = (t: number): boolean => t >= kill.killAt && t <= kill.exitedAt + KILL_CLOSE_MS;
      for (const d of devices) {
        if (!d.signedInCloseTimes.some(cutOff)) continue;
        const back = d.helloTimes.find((t) => t >= readyAt);
        if (back !== undefined) recoveries.push(back - kill.killAt);
      }
    }
    return {
      calls: acked.length,
      counts: countByInvariant(violations),
      violations,
      recoveries,
      scenarios,
      faults: faults.counts,
      errorAnswers: Object.fromEntries(ledger.errorCodes),
      loadStart,
      loadEnd,
    };
  } finally {
    if (pop)
      await inBatches(
        pop.all.flatMap((u) => u.devices),
        100,
        (d) => d.goOffline(),
      );
  }
}

/** The run's report from its generators' results. */
export function summarize(
  options: ChaosOptions,
  results: readonly ShardResult[],
  kills: readonly Kill[],
  startedAt: number,
): ChaosReport {
  const loadStart = Math.min(...results.map((r) => r.loadStart));
  const loadEnd = Math.max(...results.map((r) => r.loadEnd));
  const loadMs = loadEnd - loadStart;
  const calls = results.reduce((n, r) => n + r.calls, 0);
  const violations = results.flatMap((r) => r.violations);
  const downMs = kills.reduce(
    (sum, k) => sum + Math.max(0, Math.min(k.readyAt ?? loadEnd, loadEnd) - k.killAt),
    0,
  );
  const recoveries = results.flatMap((r) => r.recoveries);
  const add = (into: Record<string, number>, from: Record<string, number>) => {
    for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
    return into;
  };
  return {
    seed: options.seed,
    shards: results.length,
    calls,
    setupsPerSecWhileUp: Math.round((calls / Math.max(1, loadMs - downMs)) * 10_000) / 10,
    setupsPerSec: Math.round((calls / loadMs) * 10_000) / 10,
    kills: kills.length,
    counts: countByInvariant(violations),
    violations,
    recoveryMs: {
      p50: percentile(recoveries, 50),
      p99: percentile(recoveries, 99),
      samples: recoveries.length,
    },
    killTimes: kills.map((k) => ({
      killAt: k.killAt - startedAt,
      exitedAt: k.exitedAt - startedAt,
      ...(k.readyAt === undefined ? {} : { readyAt: k.readyAt - startedAt }),
    })),
    scenarios: results.reduce((all, r) => add(all, r.scenarios), {}),
    faults: {
      drops: results.reduce((n, r) => n + r.faults.drops, 0),
      freezes: results.reduce((n, r) => n + r.faults.freezes, 0),
      vanishes: results.reduce((n, r) => n + r.faults.vanishes, 0),
    },
    errorAnswers: results.reduce((all, r) => add(all, r.errorAnswers), {}),
    durationMs: Date.now() - startedAt,
  };
}

/** The summary for people: the figures, then each violation with its evidence. */
export function formatReport(report: ChaosReport, maxViolations = 40): string[] {
  const lines = [
    `chaos: seed ${report.seed}: ${report.calls} calls acknowledged (${report.shards} generator${report.shards === 1 ? '' : 's'}), ${report.setupsPerSec} setups/s (${report.setupsPerSecWhileUp} while the server was up), ${report.kills} kills, ${(report.durationMs / 1000).toFixed(1)} s`,
    `  recovery after restart (kill → hello): p50 ${report.recoveryMs.p50} ms, p99 ${report.recoveryMs.p99} ms (${report.recoveryMs.samples} devices)`,
    `  kills (ms since start: sent, exited, restarted): ${report.killTimes.map((k) => `+${k.killAt}/+${k.exitedAt}/+${k.readyAt ?? '?'}`).join(', ')}`,
    `  scenarios: ${JSON.stringify(report.scenarios)}`,
    `  device faults: ${JSON.stringify(report.faults)}; error answers: ${JSON.stringify(report.errorAnswers)}`,
    `  violations: ${JSON.stringify(report.counts)}`,
  ];
  // A few of each invariant, so that a rare one is not hidden behind a common one.
  const perInvariant = Math.max(1, Math.ceil(maxViolations / INVARIANTS.length));
  const shown = INVARIANTS.flatMap((i) =>
    report.violations.filter((v) => v.invariant === i).slice(0, perInvariant),
  );
  for (const v of shown) {
    lines.push(`  ✗ ${v.invariant} ${v.callId}: ${v.what}`);
    for (const e of v.evidence) lines.push(`      ${e}`);
  }
  if (report.violations.length > shown.length)
    lines.push(`  … ${report.violations.length - shown.length} more violations`);
  return lines;
}
