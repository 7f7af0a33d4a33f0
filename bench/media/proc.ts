import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CLK_TCK, type CpuSample, readCpuTicks } from '../support/proc.js';

/**
 * Linux /proc readings (CPU of the machine, UDP socket drops) and small stats; the per-process
 * CPU reader is shared with the other benchmarks in ../support/proc.ts.
 */

/** Busy CPU of the whole machine (all cores, every process, interrupts included), in seconds. */
export function readMachineCpu(): CpuSample | undefined {
  const t = readCpuTicks();
  if (!t) return undefined;
  return {
    cpuSec: (t.user + t.nice + t.system + t.irq + t.softirq + t.steal) / CLK_TCK,
    sysSec: (t.system + t.irq + t.softirq) / CLK_TCK,
    at: performance.now(),
  };
}

/** CPU of this process (all threads) as a sample comparable with `readProcCpu` (../support/proc.ts). */
export function ownCpu(): CpuSample {
  const { user, system } = process.cpuUsage();
  return { cpuSec: (user + system) / 1e6, sysSec: system / 1e6, at: performance.now() };
}

/**
 * Kernel drop counters of IPv4 UDP sockets bound to 127.0.0.1 on these ports (the `drops` column
 * of /proc/net/udp: datagrams the socket's receive buffer had no room for), summed.
 */
export function udpDrops(ports: ReadonlySet<number>): number {
  let text: string;
  try {
    text = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return Number.NaN;
  }
  let drops = 0;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    if (!local?.startsWith('0100007F:')) continue;
    const port = parseInt(local.slice(9), 16);
    if (ports.has(port)) drops += Number(cols[12] ?? 0);
  }
  return drops;
}

/** The 1-minute load average, and all three for display. */
export function loadAverage(): { one: number; text: string } {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  return { one, text: `${one.toFixed(2)} ${five.toFixed(2)} ${fifteen.toFixed(2)}` };
}

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;

/** Rounds for JSON; NaN (nothing measured) becomes null. */
export const round = (value: number | undefined, digits = 2): number | null =>
  value !== undefined && Number.isFinite(value) ? Number(value.toFixed(digits)) : null;

export const fmt = (value: number | undefined, digits = 1, unit = ''): string =>
  value !== undefined && Number.isFinite(value) ? `${value.toFixed(digits)}${unit}` : 'n/a';

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
