import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cpuPct, readProcCpu } from '../support/proc.js';

/**
 * The peer of `bench:signaling --vs-kamailio`: Kamailio 5.6 as a stateful (tm) proxy and
 * in-memory registrar with record-route and 2 UDP workers, SIPp calling through it
 * INVITE→100→180→200→ACK→(100 ms)→BYE→200 to a registered SIPp callee, everything on 127.0.0.1.
 * The configuration and the scenarios are those of the shared harness (shared/bench/kamailio,
 * whose RUN.md explains every choice), with the proxy's port filled in: here every port is a
 * free one, so a run never collides with another process on the machine.
 */

const HERE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kamailio');
const CHILDREN = 2;
const CALL_MS = 100;

export interface KamailioStep {
  rate: number;
  windowSec: number;
  calls: number;
  succeeded: number;
  failed: number;
  failurePct: number;
  /** Calls generated per second (slope of SIPp's OutgoingCall over the generating seconds). */
  offered: number;
  /** Calls completed per second over the same seconds. */
  achieved: number;
  /** CPU of Kamailio's processes, the SIPp caller and the SIPp callee, % of a core. */
  kamailioCpuPct: number;
  sippCpuPct: number;
}

/** Installs Kamailio and SIPp from Debian when either is missing (the machine runs as root). */
export function ensureKamailioAndSipp(log: (line: string) => void): void {
  const missing = ['kamailio', 'sipp'].filter((tool) => !onPath(tool));
  if (missing.length === 0) return;
  log(`installing kamailio and sip-tester from Debian (missing: ${missing.join(', ')})`);
  const apt = (args: string[]): void => {
    execFileSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'kamailio', 'sip-tester']);
  const still = ['kamailio', 'sipp'].filter((tool) => !onPath(tool));
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** Live processes of one run, stopped by PID whatever way the run ends. */
const live = new Set<ChildProcess>();
export function killKamailioRun(): void {
  for (const child of live) child.kill('SIGKILL');
}

function start(command: string, args: string[], cwd: string, logName: string): ChildProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  const keep = (c: Buffer): void => {
    chunks.push(c);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    writeFileSync(path.join(cwd, logName), Buffer.concat(chunks));
  });
  return child;
}

async function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  if (
    (await within(
      exited.then(() => true),
      graceMs,
    )) === undefined
  ) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The promise's value, or undefined after `ms` (the timer does not outlive the race). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => {
          resolve(undefined);
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => {
        child.once('exit', (code) => {
          resolve(code);
        });
      });

/** Kamailio's processes: the main one and the children it forks. */
function processTree(pid: number): number[] {
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    return [pid, ...out.split('\n').filter(Boolean).map(Number)];
  } catch {
    return [pid];
  }
}

function cpuOf(pids: number[]): { cpuSec: number; at: number } {
  let cpuSec = 0;
  for (const pid of pids) cpuSec += readProcCpu(pid)?.cpuSec ?? 0;
  return { cpuSec, at: performance.now() };
}

/** One rate: a fresh Kamailio, the callee registered, `rate` calls/s for `windowSec`. */
export async function runKamailioStep(
  workDir: string,
  rate: number,
  windowSec: number,
): Promise<KamailioStep> {
  const dir = path.join(workDir, `kamailio-r${rate}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const [proxyPort, uasPort, regPort, uacPort] = [
    await freeUdpPort(),
    await freeUdpPort(),
    await freeUdpPort(),
    await freeUdpPort(),
  ];
  const cfg = readFileSync(path.join(HERE, 'kamailio.cfg'), 'utf8')
    .replaceAll('@PORT@', String(proxyPort))
    .replaceAll('@RUNDIR@', dir);
  writeFileSync(path.join(dir, 'kamailio.cfg'), cfg);
  const proxy = `127.0.0.1:${proxyPort}`;
  const started: ChildProcess[] = [];
  try {
    // -DD: foreground (its PID is the main process), -E: log to stderr; 1 GB shared memory for
    // tm's finished transactions (kept 5 s).
    const kamailio = start(
      'kamailio',
      [
        ...['-f', path.join(dir, 'kamailio.cfg'), '-DD', '-E'],
        ...['-n', String(CHILDREN), '-m', '1024', '-M', '16'],
      ],
      dir,
      'kamailio.log',
    );
    started.push(kamailio);
    await sleep(1_000);
    if (kamailio.exitCode !== null) throw new Error(`kamailio exited: see ${dir}/kamailio.log`);

    const register = start(
      'sipp',
      [
        ...[proxy, '-sf', path.join(HERE, 'reg.xml'), '-i', '127.0.0.1', '-p', String(regPort)],
        ...['-key', 'uasport', String(uasPort), '-m', '1', '-nostdin', '-timeout', '10s'],
      ],
      dir,
      'sipp_reg.log',
    );
    if ((await exitOf(register)) !== 0) throw new Error(`registration failed: see ${dir}`);

    const sippTuning = [
      ...['-nostdin', '-buff_size', '4194304'],
      ...['-max_recv_loops', '10000', '-max_sched_loops', '10000'],
    ];
    const uas = start(
      'sipp',
      [
        ...['-sf', path.join(HERE, 'uas.xml'), '-i', '127.0.0.1', '-p', String(uasPort)],
        ...sippTuning,
      ],
      dir,
      'sipp_uas.log',
    );
    started.push(uas);
    await sleep(500);

    const calls = Math.round(rate * windowSec);
    const statFile = path.join(dir, 'uac_stat.csv');
    const uac = start(
      'sipp',
      [
        ...[proxy, '-sf', path.join(HERE, 'uac.xml'), '-s', 'uas', '-i', '127.0.0.1'],
        ...['-p', String(uacPort), '-r', String(rate), '-m', String(calls)],
        ...['-d', String(CALL_MS), '-l', '100000', '-recv_timeout', '10000'],
        ...sippTuning,
        ...['-trace_stat', '-stf', statFile, '-fd', '1'],
      ],
      dir,
      'sipp_uac.log',
    );
    started.push(uac);
    // CPU over the generating seconds, as the harness measures it.
    await sleep(200);
    const kamPids = processTree(kamailio.pid ?? -1);
    const sippPids = [uas.pid ?? -1, uac.pid ?? -1];
    const kam0 = cpuOf(kamPids);
    const sipp0 = cpuOf(sippPids);
    await sleep(Math.max(500, windowSec * 1000 - 700));
    const kam1 = cpuOf(kamPids);
    const sipp1 = cpuOf(sippPids);
    // A call whose message was lost ends by a timeout (Kamailio's 5 s fr_timer, SIPp's 10 s).
    if ((await within(exitOf(uac), 15_000)) === undefined) await stop(uac, 1_000);
    return {
      ...readUacStats(statFile, rate, windowSec, calls),
      kamailioCpuPct: cpuPct(kam0, kam1),
      sippCpuPct: cpuPct(sipp0, sipp1),
    };
  } finally {
    for (const child of started.reverse()) await stop(child, 5_000);
  }
}

/** SIPp's -trace_stat file: one row a second, `;`-separated, cumulative counters ending in (C). */
export function readUacStats(
  file: string,
  rate: number,
  windowSec: number,
  target: number,
): Omit<KamailioStep, 'kamailioCpuPct' | 'sippCpuPct'> {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(';'));
  const header = rows[0] ?? [];
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`SIPp stats have no ${name} column`);
    return index;
  };
  const at = column('CurrentTime');
  const [outgoing, successful, failed] = [
    column('OutgoingCall(C)'),
    column('SuccessfulCall(C)'),
    column('FailedCall(C)'),
  ];
  const points = rows.slice(1).map((r) => ({
    // "2026-11-22\t04:06:27.606461\t1795320387.606461": the epoch seconds are the last part.
    t: Number((r[at] ?? '').split('\t').at(-1)),
    outgoing: Number(r[outgoing]),
    successful: Number(r[successful]),
    failed: Number(r[failed]),
  }));
  const last = points.at(-1);
  if (!last) throw new Error(`no SIPp statistics in ${file}`);
  // The rows while SIPp was still generating, less its start-up second.
  const generating = points.filter((p) => p.outgoing < target);
  const a = generating[1];
  const b = generating.at(-1);
  const span = a && b && b.t > a.t ? b.t - a.t : Number.NaN;
  return {
    rate,
    windowSec,
    calls: last.outgoing,
    succeeded: last.successful,
    failed: last.failed,
    failurePct: last.outgoing > 0 ? (100 * last.failed) / last.outgoing : 100,
    offered: a && b && span > 0 ? (b.outgoing - a.outgoing) / span : last.outgoing / windowSec,
    achieved:
      a && b && span > 0 ? (b.successful - a.successful) / span : last.successful / windowSec,
  };
}
