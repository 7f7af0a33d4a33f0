import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Linux /proc readings (CPU of a process, of the machine, UDP socket drops) and small stats. */

function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
const CLK_TCK = clockTicks();

export interface CpuSample {
  /** utime + stime of the process (all its threads), in seconds. */
  cpuSec: number;
  /** stime alone (kernel: for the worker, mostly sending UDP through loopback). */
  sysSec: number;
  /** performance.now() of the reading. */
  at: number;
}

/** The process's CPU so far, or undefined when it is gone. */
export function readProcCpu(pid: number): CpuSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { cpuSec: (utime + stime) / CLK_TCK, sysSec: stime / CLK_TCK, at: performance.now() };
  } catch {
    return undefined;
  }
}

/** CPU between two readings, as % of one core. */
export const cpuPct = (a: CpuSample | undefined, b: CpuSample | undefined): number =>
  a && b && b.at > a.at ? ((b.cpuSec - a.cpuSec) / ((b.at - a.at) / 1000)) * 100 : Number.NaN;

/** Kernel share of the CPU between two readings, as % of one core. */
export const sysPct = (a: CpuSample | undefined, b: CpuSample | undefined): number =>
  a && b && b.at > a.at ? ((b.sysSec - a.sysSec) / ((b.at - a.at) / 1000)) * 100 : Number.NaN;

/** Busy CPU of the whole machine (all cores, every process, interrupts included), in seconds. */
export function readMachineCpu(): CpuSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      cpuSec: (user + nice + system + irq + softirq + steal) / CLK_TCK,
      sysSec: (system + irq + softirq) / CLK_TCK,
      at: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/** CPU of this process (all threads) as a sample comparable with `readProcCpu`. */
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

/** Nearest-rank percentile (p in 0..100) of the values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
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
