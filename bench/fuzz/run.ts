import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CrashableServer } from '../../server/testing/crashable-server.js';
import { placeRealCall } from '../../server/testing/real-call.js';
import { readProc, rssSampler } from '../support/proc.js';
import {
  type FuzzTarget,
  type RoundResult,
  SIGNALING_USERS,
  httpRound,
  sfuRound,
  signalingRound,
} from './targets.js';

/**
 * bench:fuzz: the fuzzers of server/integration/fuzz*.test.ts for longer, against the real server
 * as its own process (media on): rounds of seeded frames on /ws, on the SFU socket of a real call
 * (past admission), and malformed HTTP / upgrades / traversal over raw TCP, until the duration is
 * up. Reports frames per target, answers by code, problems (must be 0), server restarts (must be
 * 0), memory before / at the peak / after every socket closed, and a real call at the end. The
 * last line is one JSON object.
 */
const USAGE =
  'usage: npm run bench:fuzz -- [--frames N per signaling round] [--seed N] [--duration S]';
const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '12000' },
    seed: { type: 'string' },
    duration: { type: 'string', default: '120' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number ≥ 0\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const frames = Math.max(100, num('frames', values.frames));
const durationMs = num('duration', values.duration) * 1000;
const seed =
  values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : num('seed', values.seed);
console.log(`bench:fuzz seed ${seed}, ${frames} signaling frames a round, ${durationMs / 1000} s`);

// A web root with a secret beside it and links inside pointing out of it.
const webBase = mkdtempSync(path.join(os.tmpdir(), 'trayphone-fuzz-web-'));
const web = path.join(webBase, 'web');
mkdirSync(path.join(web, 'assets'), { recursive: true });
const secret = `TRAYPHONE-FUZZ-SECRET-${seed}`;
writeFileSync(path.join(webBase, 'secret.txt'), secret);
writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>fuzz</title>');
symlinkSync(path.join(webBase, 'secret.txt'), path.join(web, 'link-out.txt'));
symlinkSync(webBase, path.join(web, 'link-dir'));
symlinkSync(webBase, path.join(web, 'assets', 'link-up'));

const wide = { rateLimitPerSec: 1_000_000, rateLimitBurst: 1_000_000 };
const server = await CrashableServer.create({
  logLevel: 'fatal',
  webRoot: web,
  signaling: { ...wide, authTimeoutMs: 600_000 },
  sfu: { ...wide, workers: 1, requestTimeoutMs: 3_000 },
  calls: { defaultRingTimeoutMs: 1_500 },
  limits: { headersTimeoutMs: 2_000, requestTimeoutMs: 4_000 },
});
// The server process (spawned with this environment) collects its garbage on SIGUSR2.
const gcPreload = path.join(import.meta.dirname, 'gc-on-signal.cjs');
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import ${gcPreload}`;
await server.start();
const sfuPair: [string, string] = ['fz-sfu-a', 'fz-sfu-b'];
for (const userId of [...SIGNALING_USERS, ...sfuPair, 'fz-end-a', 'fz-end-b']) {
  await server.addUser(userId);
}
const target: FuzzTarget = {
  port: server.port,
  wsUrl: server.wsUrl,
  token: (userId) => server.token(userId),
  secret,
};

let restarts = 0;
let pid = server.pid ?? 0;
/** A server that is gone is counted and started again, so the run can go on and say so. */
async function ensureUp(): Promise<void> {
  let alive = true;
  try {
    process.kill(pid, 0);
  } catch {
    alive = false;
  }
  if (alive) return;
  restarts++;
  console.error(`the server (pid ${pid}) is gone: restart ${restarts}`);
  await server.start();
  pid = server.pid ?? 0;
}

/** The server's V8 heap in use now, from its own /metrics. */
async function heapNowMb(): Promise<number> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const used = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(text)?.[1];
  return used ? Number(used) / 1e6 : Number.NaN;
}

/** The heap after a full collection (SIGUSR2: gc-on-signal.cjs): what the server keeps. */
async function heapUsedMb(): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    process.kill(pid, 'SIGUSR2');
    await sleep(300);
    least = Math.min(least, await heapNowMb());
  }
  return least;
}
const rssMb = (): number => (readProc(pid)?.rssKb ?? 0) / 1024;

const totals = new Map<string, { frames: number; rounds: number; outcomes: Map<string, number> }>();
const problems: string[] = [];
const record = (name: string, result: RoundResult): void => {
  const t = totals.get(name) ?? { frames: 0, rounds: 0, outcomes: new Map<string, number>() };
  t.frames += result.frames;
  t.rounds++;
  for (const [k, n] of result.outcomes) t.outcomes.set(k, (t.outcomes.get(k) ?? 0) + n);
  totals.set(name, t);
  problems.push(...result.problems.map((p) => `${name}: ${p}`));
};

// One short round of each first, so that "before" is a warmed-up server, not a cold one.
record('signaling', await signalingRound(target, seed, 1_000));
record('sfu', await sfuRound(target, seed, 200, sfuPair, 'fz-sfu-warm-0001'));
record('http', await httpRound(target, seed, 20));
await sleep(1_000);
const heapBeforeMb = await heapUsedMb();
const rssBeforeMb = rssMb();
const sampler = rssSampler(pid);

const started = Date.now();
let round = 0;
/** The heap after each round's sockets closed: a leak shows as a steady climb. */
const heapByRoundMb: number[] = [];
while (Date.now() - started < durationMs) {
  round++;
  const s = seed + round * 7919;
  await ensureUp();
  record('signaling', await signalingRound(target, s, frames));
  await ensureUp();
  const callId = `fz-sfu-${String(round).padStart(4, '0')}-call`;
  record('sfu', await sfuRound(target, s, Math.ceil(frames / 4), sfuPair, callId));
  await ensureUp();
  record('http', await httpRound(target, s, 300));
  heapByRoundMb.push(Math.round(await heapUsedMb()));
  const up = Math.round((Date.now() - started) / 1000);
  console.log(
    `round ${round} (${up} s): ${problems.length} problems, ${restarts} restarts, heap ${heapByRoundMb.at(-1) ?? '?'} MB, RSS ${Math.round(rssMb())} MB`,
  );
}
const elapsedSec = (Date.now() - started) / 1000;
await ensureUp();
const { peakKb } = sampler.stop();
// Every fuzz socket is closed: what they made the server keep must be let go of.
await sleep(3_000);
const heapAfterMb = await heapUsedMb();
const rssAfterMb = rssMb();

let realCall: { ok: boolean; inviteToIncomingMs?: number; error?: string };
try {
  const result = await placeRealCall(
    { signalingUrl: server.wsUrl, token: (userId) => server.token(userId) },
    'fz-end-a',
    'fz-end-b',
    'fz-final-real-call',
  );
  realCall = { ok: true, inviteToIncomingMs: result.inviteToIncomingMs };
} catch (error) {
  realCall = { ok: false, error: String(error) };
}
await server.dispose();
rmSync(webBase, { recursive: true, force: true });

/** Memory has come back: the heap after is within 32 MB of the warmed-up heap before. */
const memoryReturned = heapAfterMb - heapBeforeMb < 32;
const framesByTarget = Object.fromEntries([...totals].map(([name, t]) => [name, t.frames]));
const codesByTarget = Object.fromEntries(
  [...totals].map(([name, t]) => [
    name,
    Object.fromEntries([...t.outcomes].sort(([, a], [, b]) => b - a)),
  ]),
);
const round1 = (n: number): number => Math.round(n * 10) / 10;

console.log('\n== bench:fuzz ==');
console.log(`seed ${seed}, ${round} rounds in ${round1(elapsedSec)} s`);
for (const [name, t] of totals) {
  console.log(
    `  ${name.padEnd(10)} ${String(t.frames).padStart(8)} frames  ${JSON.stringify(codesByTarget[name])}`,
  );
}
console.log(
  `  problems: ${problems.length}${problems.length ? `\n    ${problems.slice(0, 20).join('\n    ')}` : ''}`,
);
console.log(`  server restarts: ${restarts}`);
console.log(
  `  memory: heap ${round1(heapBeforeMb)} → ${round1(heapAfterMb)} MB (${memoryReturned ? 'returned' : 'NOT returned'}), ` +
    `RSS ${round1(rssBeforeMb)} → peak ${round1(peakKb / 1024)} → ${round1(rssAfterMb)} MB`,
);
console.log(
  `  real call at the end: ${realCall.ok ? `ok (invite→incoming ${realCall.inviteToIncomingMs} ms)` : realCall.error}`,
);
const ok = problems.length === 0 && restarts === 0 && memoryReturned && realCall.ok;
console.log(
  JSON.stringify({
    bench: 'fuzz',
    ok,
    seed,
    rounds: round,
    durationSec: round1(elapsedSec),
    framesByTarget,
    codesByTarget,
    problems: problems.length,
    restarts,
    heapBeforeMb: round1(heapBeforeMb),
    heapAfterMb: round1(heapAfterMb),
    heapByRoundMb,
    rssBeforeMb: round1(rssBeforeMb),
    rssPeakMb: round1(peakKb / 1024),
    rssAfterMb: round1(rssAfterMb),
    memoryReturned,
    realCall: realCall.ok,
  }),
);
process.exit(ok ? 0 : 1);
