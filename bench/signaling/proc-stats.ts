import { CLK_TCK, readCpuTicks } from '../support/proc.js';

/** Busy CPU of the machine beside the server, from /proc/stat (Linux). */

export interface MachineSample {
  /** Busy CPU of all processes (user, nice, system), in seconds. */
  tasksSec: number;
  /** Interrupt time (irq + softirq: loopback TCP runs largely here, charged to no process). */
  irqSec: number;
  at: number;
}

/** Busy CPU of the whole machine (all cores), from /proc/stat. */
export function readMachineBusy(): MachineSample | undefined {
  const t = readCpuTicks();
  if (!t) return undefined;
  return {
    tasksSec: (t.user + t.nice + t.system + t.steal) / CLK_TCK,
    irqSec: (t.irq + t.softirq) / CLK_TCK,
    at: performance.now(),
  };
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
