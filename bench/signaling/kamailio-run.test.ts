import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readUacStats } from './kamailio-run.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A -trace_stat file as SIPp 3.6 writes it: `;`-separated, a trailing `;`, tabs in the times. */
function statFile(rows: [number, number, number, number][]): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sipp-stat-'));
  const file = path.join(dir, 'uac_stat.csv');
  const header =
    'StartTime;CurrentTime;OutgoingCall(P);OutgoingCall(C);SuccessfulCall(C);FailedCall(C);';
  const line = ([t, out, ok, failed]: [number, number, number, number]): string =>
    `2026-12-04\t21:00:00.000000\t1796418000.000000;2026-12-04\t21:00:00.000000\t${t.toFixed(6)};0;${out};${ok};${failed};`;
  writeFileSync(file, [header, ...rows.map(line)].join('\n') + '\n');
  return file;
}

describe('readUacStats', () => {
  it('takes the rates over the generating seconds, less the first, and failures over all calls', () => {
    const file = statFile([
      [1796418001, 900, 800, 0],
      [1796418002, 1900, 1800, 0],
      [1796418003, 2900, 2790, 10],
      [1796418004, 3900, 3780, 20],
      [1796418005, 4000, 3950, 50],
    ]);
    const s = readUacStats(file, 1000, 4, 4000);
    expect(s.offered).toBeCloseTo(1000, 6);
    expect(s.achieved).toBeCloseTo((3780 - 1800) / 2, 6);
    expect(s.calls).toBe(4000);
    expect(s.failed).toBe(50);
    expect(s.failurePct).toBeCloseTo(1.25, 6);
  });

  it('refuses a file without the counters it reads', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sipp-stat-'));
    const file = path.join(dir, 'uac_stat.csv');
    writeFileSync(file, 'StartTime;CurrentTime;\n');
    expect(() => readUacStats(file, 100, 1, 100)).toThrow(/OutgoingCall/);
  });
});
