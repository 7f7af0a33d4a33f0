import { parseArgs } from 'node:util';

/** The worker's open-file limit (20,000 here) bounds consumers: one UDP socket each. */
export const CONSUMERS_HARD_CAP = 15_000;

export type Part = 'frame' | 'cpu' | 'max';

export interface MediaBenchOptions {
  /** Measured calls of the first-frame part (a warm-up call comes first, not counted). */
  calls: number;
  warmupCalls: number;
  /** Highest consumer count the audio ramp tries (the video ramp: a fifth of it). */
  consumersMax: number;
  quick: boolean;
  parts: Set<Part>;
  /** Open camera and microphone after joining (as the e2e harness) or while joining. */
  gum: 'sequential' | 'parallel';
  /** SRTP on the consumers' transports (as WebRTC consumers); --no-srtp for plain RTP. */
  srtp: boolean;
  /** Measured window of the CPU part and of each ramp step, and the warm-up before it. */
  cpuWindowMs: number;
  stepWindowMs: number;
  warmupMs: number;
  /** Halvings between the last passing and the first failing ramp step. */
  bisections: number;
}

const USAGE =
  'usage: npm run bench:media -- [--calls N] [--consumers-max N] [--quick]\n' +
  '  [--only frame,cpu,max] [--gum sequential|parallel] [--no-srtp]';

export function parseMediaArgs(argv: string[]): MediaBenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string' },
      'consumers-max': { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      gum: { type: 'string' },
      'no-srtp': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick ?? false;
  const int = (value: string | undefined, fallback: number, name: string, min: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer >= ${min}\n${USAGE}`);
    return n;
  };
  const calls = int(values.calls, quick ? 3 : 10, 'calls', 1);
  if (calls > 200) throw new Error(`--calls must be at most 200\n${USAGE}`);
  const consumersMax = int(values['consumers-max'], quick ? 2_000 : 4_000, 'consumers-max', 10);
  if (consumersMax > CONSUMERS_HARD_CAP) {
    throw new Error(`--consumers-max must be at most ${CONSUMERS_HARD_CAP} (open-file limit)`);
  }
  const parts = new Set<Part>();
  for (const p of (values.only ?? 'frame,cpu,max').split(',')) {
    if (p !== 'frame' && p !== 'cpu' && p !== 'max')
      throw new Error(`--only: unknown part ${p}\n${USAGE}`);
    parts.add(p);
  }
  const gum = values.gum ?? 'sequential';
  if (gum !== 'sequential' && gum !== 'parallel')
    throw new Error(`--gum: sequential or parallel\n${USAGE}`);
  return {
    calls,
    warmupCalls: 1,
    consumersMax,
    quick,
    parts,
    gum,
    srtp: !(values['no-srtp'] ?? false),
    cpuWindowMs: quick ? 2_000 : 5_000,
    stepWindowMs: quick ? 2_000 : 4_000,
    warmupMs: 1_200,
    bisections: quick ? 0 : 2,
  };
}
