/**
 * Top self-time and inclusive-time functions of a V8 .cpuprofile (`node --cpu-prof`), optionally
 * restricted to time windows (µs on the monotonic clock, as `process.hrtime.bigint() / 1000n`).
 * Usage: node --import tsx bench/signaling/profile-top.ts FILE.cpuprofile [TOP] [FROM_S TO_S]
 * (FROM_S/TO_S: seconds from the start of the profile.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROFILE_DIR } from './server-process.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SPECIAL = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

function where(url: string): string {
  if (url === '') return '';
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) return file.slice(modules + '/node_modules/'.length);
  return file.startsWith(`${ROOT}/`) ? file.slice(ROOT.length + 1) : file;
}

/** A coarse area: a package, a folder of ours, node internals, or V8's own buckets. */
function area(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (SPECIAL.has(functionName)) return functionName;
  if (url === '') return '(native / builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const file = where(url);
  if (url.includes('/node_modules/')) {
    const parts = file.split('/');
    return `pkg ${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? '')}`;
  }
  return path.dirname(file);
}

const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  // tsx emits each module on one line: a line number there says nothing.
  return url === '' ? name : `${name}  ${where(url)}${lineNumber > 0 ? `:${lineNumber + 1}` : ''}`;
};

export function summarizeProfile(
  file: string,
  options: { top?: number; windowsUs?: readonly (readonly [number, number])[] } = {},
): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Sample i lasts until the next one.
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) stamps.push((t += delta));
  const windows = options.windowsUs ?? [];
  const inWindows = (ts: number): boolean =>
    windows.length === 0 || windows.some(([a, b]) => ts >= a && ts < b);
  let selected = profile.samples.map((_, i) => i).filter((i) => inWindows(stamps[i] ?? 0));
  const lines: string[] = [];
  if (selected.length === 0 && windows.length > 0) {
    lines.push('(no samples fall in the measured windows: using the whole profile)');
    selected = profile.samples.map((_, i) => i);
  }

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const i of selected) {
    const weight = (stamps[i + 1] ?? profile.endTime) - (stamps[i] ?? 0);
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node || weight <= 0) continue;
    total += weight;
    if (node.callFrame.functionName === '(idle)') {
      idle += weight;
      continue;
    }
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + weight);
    const a = area(node);
    areas.set(a, (areas.get(a) ?? 0) + weight);
    const seen = new Set<string>();
    // Walk up to the root: bounded by the depth of the tree.
    for (
      let id: number | undefined = node.id, depth = 0;
      id !== undefined && depth < 1000;
      depth++
    ) {
      const n = byId.get(id);
      if (!n) break;
      const k = label(n);
      if (!seen.has(k) && !SPECIAL.has(n.callFrame.functionName)) {
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + weight);
      }
      id = parent.get(id);
    }
  }
  const busy = total - idle;
  const pct = (v: number): string => `${((100 * v) / Math.max(1, busy)).toFixed(1).padStart(5)}%`;
  const rank = (m: Map<string, number>, n: number): [string, number][] =>
    [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, n);

  lines.push(
    `profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, busy ${((100 * busy) / Math.max(1, total)).toFixed(1)}% (percentages below are of busy time)`,
  );
  lines.push('by area (self time):');
  for (const [k, v] of rank(areas, 15)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push(`top ${top} functions by self time:`);
  for (const [k, v] of rank(self, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push(`top ${top} by inclusive time:`);
  for (const [k, v] of rank(inclusive, top)) lines.push(`  ${pct(v)}  ${k}`);
  return lines;
}

/** The summary of the profile a process wrote into `dir` on exit (`CPU.<date>.<time>.<pid>...`). */
export function profileReport(
  name: string,
  pid: number,
  top: number,
  windowsUs: readonly (readonly [number, number])[],
  dir = PROFILE_DIR,
): string[] {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const files = readdirSync(dir).filter((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile'));
  const main = files.find((f) => f.includes(`.${pid}.0.`)) ?? files[0];
  const file = main === undefined ? undefined : path.join(dir, main);
  const head = `---- CPU profile: ${name} (measured windows only) ----`;
  if (!file) return [head, `no .cpuprofile for pid ${pid} in ${dir}`];
  return [head, ...summarizeProfile(file, { top, windowsUs })];
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const [file, top, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-top.ts FILE.cpuprofile [TOP] [FROM_S TO_S]');
    process.exit(2);
  }
  let windowsUs: [number, number][] = [];
  if (from !== undefined && to !== undefined) {
    const { startTime } = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    windowsUs = [[startTime + Number(from) * 1e6, startTime + Number(to) * 1e6]];
  }
  for (const line of summarizeProfile(file, { top: Number(top ?? 25), windowsUs }))
    console.log(line);
}
