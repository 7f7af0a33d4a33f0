import { parseArgs } from 'node:util';
import { queueStrategySchema } from '../../protocol/contact-center.js';
import type { QueueStrategy } from '../../protocol/contact-center.js';

export interface AcdOptions {
  agents: number;
  queues: number;
  callers: number;
  /** Calls entering the queues per second, spread evenly over the queues. */
  rate: number;
  durationSec: number;
  warmupSec: number;
  strategy: QueueStrategy;
  /** Agents answer this long after the offer (the auto-answer tone). */
  toneMs: number;
  /** Agents hang up this long after answering. */
  talkMs: number;
  /** The queues' after-call work. */
  acwMs: number;
  /** Diagnostics: the server logs at info level (every distribution decision) into this file. */
  serverLog: string | undefined;
}

const USAGE =
  'usage: npm run bench:acd -- [--agents 1000] [--queues 10] [--callers 50] [--rate 500] ' +
  '[--duration 20] [--warmup 3] [--strategy longest-idle] [--tone-ms 100] [--talk-ms 500] [--acw-ms 200] [--server-log FILE]';

export function parseAcdArgs(argv: string[]): AcdOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      agents: { type: 'string' },
      queues: { type: 'string' },
      callers: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      strategy: { type: 'string' },
      'tone-ms': { type: 'string' },
      'talk-ms': { type: 'string' },
      'acw-ms': { type: 'string' },
      'server-log': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (raw: string | undefined, fallback: number, min: number): number => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`${USAGE}\nbad number: ${raw}`);
    return value;
  };
  const strategy = queueStrategySchema.safeParse(values.strategy ?? 'longest-idle');
  if (!strategy.success) throw new Error(`${USAGE}\nunknown strategy ${values.strategy ?? ''}`);
  return {
    agents: num(values.agents, 1000, 1),
    queues: num(values.queues, 10, 1),
    callers: num(values.callers, 50, 1),
    rate: num(values.rate, 500, 1),
    durationSec: num(values.duration, 20, 1),
    warmupSec: num(values.warmup, 3, 0),
    strategy: strategy.data,
    toneMs: num(values['tone-ms'], 100, 0),
    talkMs: num(values['talk-ms'], 500, 0),
    acwMs: num(values['acw-ms'], 200, 0),
    serverLog: values['server-log'],
  };
}
