import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU and memory of another process, from /proc (Linux). */

function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
const CLK_TCK = clockTicks();

export interface ProcSample {
  /** utime + stime, in seconds. */
  cpuSec: number;
  rssKb: number;
  /** performance.now() of the reading. */
  at: number;
}

/** One reading, or undefined when the process is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { cpuSec: ticks / CLK_TCK, rssKb: Number(rss?.[1] ?? 0), at: performance.now() };
  } catch {
    return undefined;
  }
}

/** CPU use between two readings, as % of one core. */
export const cpuPct = (a: ProcSample | undefined, b: ProcSample | undefined): number =>
  a && b && b.at > a.at ? ((b.cpuSec - a.cpuSec) / ((b.at - a.at) / 1000)) * 100 : Number.NaN;

/** Samples the RSS of a process every `everyMs` until stopped; keeps the peak and the last. */
export function rssSampler(
  pid: number,
  everyMs = 250,
): { stop(): { peakKb: number; lastKb: number } } {
  let peakKb = 0;
  let lastKb = 0;
  const take = (): void => {
    const s = readProc(pid);
    if (!s) return;
    lastKb = s.rssKb;
    peakKb = Math.max(peakKb, s.rssKb);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakKb, lastKb };
    },
  };
}

export interface MachineSample {
  /** Busy CPU of all processes (user, nice, system), in seconds. */
  tasksSec: number;
  /** Interrupt time (irq + softirq: loopback TCP runs largely here, charged to no process). */
  irqSec: number;
  at: number;
}

/** Busy CPU of the whole machine (all cores), from /proc/stat. */
export function readMachineBusy(): MachineSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      tasksSec: (user + nice + system + steal) / CLK_TCK,
      irqSec: (irq + softirq) / CLK_TCK,
      at: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/** Between two readings, as % of one core: CPU of tasks other than `oursPct`, and interrupts. */
export function machineCpu(
  a: MachineSample | undefined,
  b: MachineSample | undefined,
  oursPct: number,
): { otherCpuPct: number; irqCpuPct: number } {
  if (!a || !b || b.at <= a.at) return { otherCpuPct: Number.NaN, irqCpuPct: Number.NaN };
  const sec = (b.at - a.at) / 1000;
  return {
    otherCpuPct: Math.max(0, ((b.tasksSec - a.tasksSec) / sec) * 100 - oursPct),
    irqCpuPct: ((b.irqSec - a.irqSec) / sec) * 100,
  };
}
