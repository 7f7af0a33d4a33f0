import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Linux /proc readings shared by the benchmarks: CPU (user + sys) and RSS of a process, machine ticks. */

function clockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
/** Clock ticks per second: the unit of the times in /proc/<pid>/stat and /proc/stat. */
export const CLK_TCK = clockTicks();

export interface CpuSample {
  /** utime + stime of the process (all its threads), in seconds. */
  cpuSec: number;
  /** stime alone (kernel: for the media worker, mostly sending UDP through loopback). */
  sysSec: number;
  /** performance.now() of the reading. */
  at: number;
}

export interface ProcSample extends CpuSample {
  rssKb: number;
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

/** CPU and resident memory of the process, or undefined when it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  const cpu = readProcCpu(pid);
  if (!cpu) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return { ...cpu, rssKb: Number(rss?.[1] ?? 0), at: performance.now() };
  } catch {
    return undefined;
  }
}

/** CPU between two readings, as % of one core. */
export const cpuPct = (
  a: Pick<CpuSample, 'cpuSec' | 'at'> | undefined,
  b: Pick<CpuSample, 'cpuSec' | 'at'> | undefined,
): number =>
  a && b && b.at > a.at ? ((b.cpuSec - a.cpuSec) / ((b.at - a.at) / 1000)) * 100 : Number.NaN;

/** Kernel share of the CPU between two readings, as % of one core. */
export const sysPct = (a: CpuSample | undefined, b: CpuSample | undefined): number =>
  a && b && b.at > a.at ? ((b.sysSec - a.sysSec) / ((b.at - a.at) / 1000)) * 100 : Number.NaN;

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

/** The machine's first "cpu" line of /proc/stat (all cores), in clock ticks. */
export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  irq: number;
  softirq: number;
  steal: number;
}

export function readCpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { user, nice, system, irq, softirq, steal };
  } catch {
    return undefined;
  }
}

/**
 * Sets the nice value of every thread of a process (Linux keeps it per thread; threads created
 * later inherit it from their creator). Returns how many threads were changed.
 */
export function reniceProcess(pid: number, nice: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${String(pid)}/task`);
  } catch {
    return 0;
  }
  let changed = 0;
  for (const tid of tids) {
    try {
      setPriority(Number(tid), nice);
      changed++;
    } catch {
      // The thread ended meanwhile.
    }
  }
  return changed;
}
