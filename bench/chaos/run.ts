import { parseArgs } from 'node:util';
import { type ChaosOptions, DEFAULT_CHAOS_OPTIONS, formatReport, runChaos } from './chaos-run.js';
import { runShardedChaos } from './chaos-shards.js';
import { INVARIANTS } from './invariants.js';
import { DEFAULT_WEIGHTS, SCENARIO_KINDS, type ScenarioKind } from './scenarios.js';

const USAGE =
  'usage: npm run bench:chaos -- [--users N] [--devices N] [--rate SETUPS_PER_S] [--duration S] [--kills N] [--seed N]\n' +
  '  [--faults PER_S] [--offline N] [--agents N] [--ring-timeout MS] [--only KIND,KIND...]\n' +
  '  [--shards N]  (generator processes: one drives ~150 setups/s; use 2 or more above that)\n' +
  `  kinds: ${SCENARIO_KINDS.join(', ')}`;

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '200' },
    devices: { type: 'string', default: '2' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string', default: '60' },
    kills: { type: 'string', default: '6' },
    seed: { type: 'string' },
    faults: { type: 'string', default: '5' },
    offline: { type: 'string', default: '20' },
    agents: { type: 'string', default: '10' },
    'ring-timeout': { type: 'string', default: '3000' },
    only: { type: 'string' },
    shards: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const int = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number ≥ 0\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const only = values.only?.split(',').map((k) => k.trim());
for (const k of only ?? [])
  if (!(SCENARIO_KINDS as readonly string[]).includes(k)) {
    console.error(`unknown kind ${k}\n${USAGE}`);
    process.exit(2);
  }
const weights = only
  ? Object.fromEntries(only.map((k) => [k, DEFAULT_WEIGHTS[k as ScenarioKind]]))
  : DEFAULT_WEIGHTS;
const seed =
  values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int('seed', values.seed);
const rate = int('rate', values.rate);
const users = int('users', values.users);

const shards = Math.max(1, Math.floor(int('shards', values.shards)));
const options: ChaosOptions = {
  ...DEFAULT_CHAOS_OPTIONS,
  cwd: process.cwd(),
  seed,
  users,
  devices: Math.max(1, int('devices', values.devices)),
  rate,
  durationMs: int('duration', values.duration) * 1000,
  kills: int('kills', values.kills),
  faultsPerSec: int('faults', values.faults),
  offlineUsers: int('offline', values.offline),
  agents: int('agents', values.agents),
  ringTimeoutMs: Math.max(1000, int('ring-timeout', values['ring-timeout'])),
  weights,
  // Scenarios hold a few users each for up to a ring timeout: at high rates many are abandoned
  // on purpose only a few times, so the pool is not drained.
  maxAbandoned: 6,
};
const report = shards > 1 ? await runShardedChaos(options, shards) : await runChaos(options);
for (const line of formatReport(report)) console.log(line);
console.log(
  JSON.stringify({
    seed: report.seed,
    calls: report.calls,
    setupsPerSec: report.setupsPerSec,
    setupsPerSecWhileUp: report.setupsPerSecWhileUp,
    offeredRate: rate,
    shards: report.shards,
    kills: report.kills,
    ...Object.fromEntries(INVARIANTS.map((i) => [i, report.counts[i]])),
    recoveryP50Ms: report.recoveryMs.p50,
    recoveryP99Ms: report.recoveryMs.p99,
    faults: report.faults,
    // What the contact-center and push invariants were checked on, and every scenario's count.
    queueCalls: report.scenarios.queue ?? 0,
    pushCalls: report.scenarios.push ?? 0,
    scenarios: report.scenarios,
    durationSec: Math.round(report.durationMs / 100) / 10,
  }),
);
process.exit(0);
