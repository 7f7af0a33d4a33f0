import { parseArgs } from 'node:util';

/** Sockets one generator process holds at most (the open-file limit is 20,000 per process). */
export const MAX_USERS_PER_GENERATOR = 9_000;

export interface BenchOptions {
  users: number;
  /** Call cycles per second offered in total; 0 = idle (sign in, wait, measure memory). */
  rate: number;
  /** Measured window in seconds (with --find-max: per step). */
  durationSec: number;
  warmupSec: number;
  findMax: boolean;
  profile: boolean;
  /** Also CPU-profile the generator processes (to optimise the load generator itself). */
  profileGenerators: boolean;
  generators: number;
  /**
   * Nice value of the generator processes. Default 0: they share the two cores with the server
   * equally, as the targets say. A diagnostic: with 10 the server goes first when both are
   * ready, which moves scheduling delays from the server to the generators (the figure is end to
   * end either way); it did not make the p99 steadier.
   */
  generatorNice: number;
  connectConcurrency: number;
  /** Diagnostics: where the server's temp data dir goes (e.g. /dev/shm), extra node flags for the
   * server process (e.g. --trace-gc), and a file that receives all of its output. */
  tmpDir: string | undefined;
  serverNodeArgs: string[];
  serverOutput: string | undefined;
  /** Diagnostics: JSON deep-merged over the bench's server config (e.g. a longer heartbeat). */
  serverConfig: Record<string, unknown>;
  /** The server's store: its SQLite files (the default), or a private PostgreSQL started for the run. */
  store: 'sqlite' | 'postgres';
}

const USAGE =
  'usage: npm run bench:signaling -- --users N --rate R --duration S [--warmup S] [--find-max] [--profile] [--profile-generators] [--generators K] [--generator-nice N] [--store sqlite|postgres]\n' +
  '  diagnostics: [--tmp-dir DIR] [--server-node-arg ARG]... [--server-output FILE] [--server-config JSON]';

export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'find-max': { type: 'boolean' },
      profile: { type: 'boolean' },
      'profile-generators': { type: 'boolean' },
      generators: { type: 'string' },
      'generator-nice': { type: 'string' },
      'connect-concurrency': { type: 'string' },
      'tmp-dir': { type: 'string' },
      'server-node-arg': { type: 'string', multiple: true },
      'server-output': { type: 'string' },
      'server-config': { type: 'string' },
      store: { type: 'string' },
    },
  });
  const num = (value: string | undefined, fallback: number, name: string): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0\n${USAGE}`);
    return n;
  };
  const findMax = values['find-max'] ?? false;
  const users = Math.floor(num(values.users, 1000, 'users'));
  const minGenerators = Math.max(1, Math.ceil(users / MAX_USERS_PER_GENERATOR));
  const generators = Math.floor(num(values.generators, minGenerators, 'generators'));
  const options: BenchOptions = {
    users,
    rate: num(values.rate, findMax ? 250 : 200, 'rate'),
    durationSec: num(values.duration, findMax ? 4 : 10, 'duration'),
    warmupSec: num(values.warmup, findMax ? 1 : 2, 'warmup'),
    findMax,
    profile: values.profile ?? false,
    profileGenerators: values['profile-generators'] ?? false,
    generators,
    generatorNice: Math.floor(num(values['generator-nice'], 0, 'generator-nice')),
    connectConcurrency: Math.floor(num(values['connect-concurrency'], 200, 'connect-concurrency')),
    tmpDir: values['tmp-dir'],
    serverNodeArgs: values['server-node-arg'] ?? [],
    serverOutput: values['server-output'],
    serverConfig: parseJsonObject(values['server-config']),
    store: parseStore(values.store),
  };
  if (users < 2 || users > 60_000) throw new Error(`--users must be 2..60000\n${USAGE}`);
  if (generators < minGenerators || generators > 8)
    throw new Error(`--generators must be ${minGenerators}..8 for ${users} users`);
  if (options.durationSec <= 0 || options.durationSec > 3600)
    throw new Error(`--duration must be in (0, 3600]\n${USAGE}`);
  if (options.warmupSec > 600) throw new Error(`--warmup must be at most 600\n${USAGE}`);
  if (options.generatorNice > 19) throw new Error('--generator-nice must be 0..19');
  if (options.connectConcurrency < 1) throw new Error('--connect-concurrency must be >= 1');
  return options;
}

function parseStore(text: string | undefined): 'sqlite' | 'postgres' {
  if (text === undefined || text === 'sqlite') return 'sqlite';
  if (text === 'postgres') return 'postgres';
  throw new Error(`--store must be sqlite or postgres\n${USAGE}`);
}

function parseJsonObject(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('--server-config must be a JSON object');
  return value as Record<string, unknown>;
}
