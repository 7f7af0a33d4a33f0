/**
 * Load-independent costs of one call cycle (invite → incoming → ack + accept → active → hangup →
 * ended on both), for proving an optimisation on a machine that others share:
 *   npm run bench:signaling:counts [-- --cycles N] [--no-strace] [--no-webhooks] [--profile]
 * Two users, one cycle at a time (so nothing batches across cycles: the worst case per cycle),
 * with the server as its own process and webhooks configured. Prints, per cycle: the frames and
 * bytes each device receives (by type), the server's CPU ms (user + system, /proc), and, under
 * `strace -f` in a second pass, its system calls by kind and its writes per socket. Last line:
 * one JSON object.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { okResponseId, eventType, openSession, type Session } from './lean-client.js';
import { readProcCpu } from '../support/proc.js';
import { monotonicUs } from './load-steps.js';
import { profileReport } from './profile-top.js';
import { ADMIN_KEY, JWT_SECRET, startServerProcess } from './server-process.js';
import { benchUserId, createUsers, signAccessTokens } from './users.js';
import { BENCH_WEBHOOK_SECRET, startWebhookReceiver } from './webhook-receiver.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Device {
  session: Session;
  frames: Map<string, number>;
  bytes: number;
  /** Resolves the one thing the cycle waits for on this device, by frame kind. */
  waiting: Map<string, () => void>;
}

const kindOf = (text: string): string => {
  const id = okResponseId(text);
  if (id !== undefined) return 'response';
  const type = eventType(text);
  if (type === 'call.updated')
    return text.includes('"state":"active"') ? 'call.updated:active' : 'call.updated';
  return type ?? 'other';
};

async function openDevice(url: string, token: string): Promise<Device> {
  const device: Device = {
    session: undefined as unknown as Session,
    frames: new Map(),
    bytes: 0,
    waiting: new Map(),
  };
  device.session = openSession(
    url,
    token,
    {
      onFrame: (text) => {
        const kind = kindOf(text);
        device.frames.set(kind, (device.frames.get(kind) ?? 0) + 1);
        device.bytes += Buffer.byteLength(text) + (text.length < 126 ? 2 : 4);
        const id = okResponseId(text);
        const key = id !== undefined ? `response:${id}` : kind;
        const waiter = device.waiting.get(key);
        if (waiter) {
          device.waiting.delete(key);
          waiter();
        }
      },
      onClose: () => undefined,
    },
    10_000,
  );
  await device.session.ready;
  return device;
}

const frameOf = (id: number, type: string, data: unknown): string =>
  JSON.stringify({ id, type, data });

function waitFor(device: Device, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no ${key} within 5 s`));
    }, 5_000);
    device.waiting.set(key, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

let nextId = 1;
/** One full cycle, each step waiting for the last (the generator's cycle, one at a time). */
async function cycle(caller: Device, callee: Device, calleeId: string): Promise<void> {
  const callId = randomUUID();
  const incoming = waitFor(callee, 'call.incoming');
  const invite = nextId++;
  const invited = waitFor(caller, `response:${invite}`);
  caller.session.send(
    frameOf(invite, 'call.invite', { callId, callees: [calleeId], media: 'audio' }),
  );
  await Promise.all([incoming, invited]);
  const active = waitFor(caller, 'call.updated:active');
  const accept = nextId++;
  const accepted = waitFor(callee, `response:${accept}`);
  callee.session.cork();
  callee.session.send(frameOf(nextId++, 'call.ack', { callId }));
  callee.session.send(frameOf(accept, 'call.accept', { callId }));
  callee.session.uncork();
  await Promise.all([active, accepted]);
  const ended = [waitFor(caller, 'call.ended'), waitFor(callee, 'call.ended')];
  const hangup = nextId++;
  const hungUp = waitFor(caller, `response:${hangup}`);
  caller.session.send(frameOf(hangup, 'call.hangup', { callId }));
  await Promise.all([...ended, hungUp]);
}

interface SyscallCounts {
  /** By call, thread (`main` = the event loop, `thread` = any other) and what the fd is. */
  byCall: Record<string, number>;
  /** write/writev per server-side socket, keyed by the client's port. */
  writesByClientPort: Record<string, number>;
}

/** `strace -f -yy` on the server: each system call, with the thread and the fd's target named. */
function startStrace(pid: number, file: string): ChildProcess {
  return spawn(
    'strace',
    [...['-f', '-qq', '-yy', '-s', '0', '-e', 'signal=none'], '-o', file, '-p', String(pid)],
    { stdio: 'ignore' },
  );
}

/** What an fd annotation of `strace -yy` names, in a few kinds. */
function fdKind(annotation: string | undefined, clientPorts: ReadonlySet<string>): string {
  if (!annotation) return '';
  const peer = /TCP(?:v6)?:\[[^\]]*->[^\]]*?:(\d+)\]/.exec(annotation);
  if (peer?.[1]) return clientPorts.has(peer[1]) ? 'device-socket' : 'tcp-other';
  if (annotation.includes('eventfd')) return 'eventfd';
  if (annotation.includes('-wal')) return 'sqlite-wal';
  if (annotation.includes('.sqlite')) return 'sqlite';
  if (annotation.includes('TCP')) return 'tcp-other';
  return 'other';
}

function readStrace(
  file: string,
  mainTid: number,
  clientPorts: ReadonlySet<string>,
): SyscallCounts {
  const byCall: Record<string, number> = {};
  const writesByClientPort: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.includes('resumed>') || line.includes('+++')) continue;
    const m = /^(\d+)\s+(\w+)\((?:\d+(<TCP[^\]]*\]>|<[^>]*>))?/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const thread = Number(m[1]) === mainTid ? 'main' : 'thread';
    const kind = fdKind(m[3], clientPorts);
    const key = `${m[2]} ${thread}${kind ? ` ${kind}` : ''}`;
    byCall[key] = (byCall[key] ?? 0) + 1;
    const peer = /TCP(?:v6)?:\[[^\]]*->[^\]]*?:(\d+)\]/.exec(m[3] ?? '');
    if ((m[2] === 'write' || m[2] === 'writev') && peer?.[1])
      writesByClientPort[peer[1]] = (writesByClientPort[peer[1]] ?? 0) + 1;
  }
  return { byCall, writesByClientPort };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string' },
      'no-strace': { type: 'boolean' },
      'no-webhooks': { type: 'boolean' },
      profile: { type: 'boolean' },
    },
  });
  const cycles = Math.max(10, Number(values.cycles ?? 300));
  /** The measured cycles' time, to cut the CPU profile (--profile) to it. */
  const windows: [number, number][] = [];
  const hooks = await startWebhookReceiver();
  const server = await startServerProcess({
    cwd: REPO_ROOT,
    profile: values.profile ?? false,
    configOverrides: values['no-webhooks']
      ? {}
      : {
          webhook: { url: hooks.url, secret: BENCH_WEBHOOK_SECRET },
        },
  });
  try {
    const ids = [benchUserId(0), benchUserId(1)];
    await createUsers({
      httpUrl: server.httpUrl,
      adminKey: ADMIN_KEY,
      userIds: ids,
      concurrency: 2,
    });
    const [a, b] = await signAccessTokens(JWT_SECRET, ids);
    if (!a || !b) throw new Error('no tokens');
    const caller = await openDevice(server.wsUrl, a.token);
    const callee = await openDevice(server.wsUrl, b.token);
    const calleeId = b.userId;
    for (let i = 0; i < 100; i++) await cycle(caller, callee, calleeId);
    await sleep(300);

    for (const d of [caller, callee]) {
      d.frames.clear();
      d.bytes = 0;
    }
    const cpu0 = readProcCpu(server.pid);
    const windowStart = monotonicUs();
    for (let i = 0; i < cycles; i++) await cycle(caller, callee, calleeId);
    await sleep(200);
    const cpu1 = readProcCpu(server.pid);
    windows.push([windowStart, monotonicUs()]);
    const cpuMsPerCycle = cpu0 && cpu1 ? ((cpu1.cpuSec - cpu0.cpuSec) * 1000) / cycles : NaN;
    const perCycle = (d: Device): Record<string, number> =>
      Object.fromEntries(
        [...d.frames].sort().map(([k, v]) => [k, Number((v / cycles).toFixed(2))]),
      );
    const framesOf = (d: Device): number =>
      [...d.frames.values()].reduce((n, v) => n + v, 0) / cycles;
    const report: Record<string, unknown> = {
      bench: 'signaling-cycle-counts',
      cycles,
      callerFramesPerCycle: framesOf(caller),
      calleeFramesPerCycle: framesOf(callee),
      callerBytesPerCycle: Math.round(caller.bytes / cycles),
      calleeBytesPerCycle: Math.round(callee.bytes / cycles),
      serverCpuMsPerCycle: Number(cpuMsPerCycle.toFixed(3)),
    };
    console.log(`caller frames per cycle: ${JSON.stringify(perCycle(caller))}`);
    console.log(`callee frames per cycle: ${JSON.stringify(perCycle(callee))}`);

    if (!values['no-strace']) {
      const file = path.join(os.tmpdir(), `trayphone-cycle-strace-${process.pid}.txt`);
      const strace = startStrace(server.pid, file);
      await sleep(1_000);
      const traced = 100;
      for (let i = 0; i < traced; i++) await cycle(caller, callee, calleeId);
      await sleep(300);
      strace.kill('SIGINT');
      await new Promise((resolve) => strace.once('exit', resolve));
      const port = (d: Device): string => String(d.session.localPort() ?? '');
      const counts = readStrace(file, server.pid, new Set([port(caller), port(callee)]));
      if (!process.env.KEEP_STRACE) rmSync(file, { force: true });
      else console.log(`strace: ${file}, ports ${port(caller)} ${port(callee)}`);
      const per = (n: number | undefined): number => Number(((n ?? 0) / traced).toFixed(2));
      report['callerWritesPerCycle'] = per(counts.writesByClientPort[port(caller)]);
      report['calleeWritesPerCycle'] = per(counts.writesByClientPort[port(callee)]);
      report['syscallsPerCycle'] = Object.fromEntries(
        Object.entries(counts.byCall)
          .filter(([, n]) => n >= traced / 10)
          .sort((x, y) => y[1] - x[1])
          .map(([k, n]) => [k, per(n)]),
      );
    }
    report['webhooksPerCycle'] = Number(
      (hooks.count() / (100 + cycles + (values['no-strace'] ? 0 : 100))).toFixed(2),
    );
    caller.session.terminate();
    callee.session.terminate();
    console.log(JSON.stringify(report));
  } finally {
    await server.stop(10_000);
    hooks.server.close();
  }
  if (values.profile)
    for (const line of profileReport('server', server.pid, 30, windows)) console.log(line);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
