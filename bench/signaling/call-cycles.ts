import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventType, okResponseId, type Session } from './lean-client.js';
import type { StepReport } from './messages.js';

/** A step of a cycle that has not happened this long after the previous one fails the cycle. */
const STEP_TIMEOUT_MS = 5_000;
/** After a failure, both users rest this long before taking part again (leftovers settle). */
const QUARANTINE_MS = 1_500;
const TICK_MS = 2;
const SWEEP_MS = 250;
const MAX_STARTS_PER_TICK = 2_000;

/** Request ids: seq * 4 + kind, so a response names its cycle and step without a lookup. */
const INVITE = 0;
const ACK = 1;
const ACCEPT = 2;
const HANGUP = 3;
const KIND_NAMES = ['invite', 'ack', 'accept', 'hangup'] as const;

export interface LoadUser {
  readonly userId: string;
  session: Session | undefined;
  open: boolean;
  /** The cycle this user is in (as caller or callee); undefined while idle or resting. */
  cycle: Cycle | undefined;
}

interface Cycle {
  readonly seq: number;
  readonly callId: string;
  readonly caller: LoadUser;
  readonly callee: LoadUser;
  readonly inWindow: boolean;
  invitedAt: number;
  incomingAt: number;
  acceptSentAt: number;
  activeAt: number;
  callerEnded: boolean;
  calleeEnded: boolean;
  hangupOk: boolean;
  /** What the cycle waits for now (names a timeout). */
  awaiting: string;
  lastProgress: number;
  done: boolean;
}

/** The parts of a server frame the driver reads; everything else is ignored. */
interface Frame {
  id?: number;
  ok?: boolean;
  error?: { code?: string };
  type?: string;
  data?: { call?: { callId?: string; state?: string }; reason?: string };
}

class StepStats {
  started = 0;
  completedInWindow = 0;
  succeeded = 0;
  failed = 0;
  unplaced = 0;
  maxInFlight = 0;
  maxPacingLagMs = 0;
  readonly failReasons: Record<string, number> = {};
  readonly inviteToIncoming: number[] = [];
  readonly acceptToAccepted: number[] = [];
  readonly cycleMs: number[] = [];
  readonly worstPerSecond: Float64Array;
  constructor(
    readonly windowStart: number,
    readonly windowEnd: number,
  ) {
    this.worstPerSecond = new Float64Array(
      Math.max(0, Math.ceil((windowEnd - windowStart) / 1000)),
    );
  }
  inWindow(t: number): boolean {
    return t >= this.windowStart && t < this.windowEnd;
  }
}

/**
 * Runs complete call cycles between random distinct pairs of this process's idle users, paced
 * open-loop: cycles start on schedule whether or not earlier ones finished.
 */
export class CycleDriver {
  private readonly idle: LoadUser[] = [];
  private readonly resting: { user: LoadUser; until: number }[] = [];
  private readonly inFlight = new Set<Cycle>();
  private readonly users: LoadUser[] = [];
  private seq = 0;
  private stats = new StepStats(0, 0);

  add(user: LoadUser): void {
    this.users.push(user);
    this.idle.push(user);
  }

  openSockets(): number {
    return this.users.filter((u) => u.open).length;
  }

  onClose(user: LoadUser): void {
    user.open = false;
    const cycle = user.cycle;
    if (cycle) this.fail(cycle, 'socket-closed');
  }

  onFrame(user: LoadUser, text: string): void {
    const now = performance.now();
    const cycle = user.cycle;
    // The sweep runs every SWEEP_MS; a step that lands late but before the sweep still fails.
    if (cycle && !cycle.done && now - cycle.lastProgress > STEP_TIMEOUT_MS) {
      this.fail(cycle, `timeout:${cycle.awaiting}`);
      return;
    }
    const okId = okResponseId(text);
    if (okId !== undefined) {
      this.onResponse(cycle, okId, true, undefined);
      return;
    }
    const type = eventType(text);
    if (type !== undefined && !this.needs(user, cycle, type, text)) return;
    // Parsed in full: error answers, frames of an unexpected shape, and the events a step needs.
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return;
    }
    if (frame.id !== undefined) {
      this.onResponse(cycle, frame.id, frame.ok === true, frame.error?.code);
      return;
    }
    if (!cycle || cycle.done || frame.data?.call?.callId !== cycle.callId) return;
    if (frame.type === 'call.incoming') {
      if (user !== cycle.callee || cycle.incomingAt !== 0) return;
      cycle.incomingAt = now;
      // A real client acknowledges receipt, then (here, at once) answers: one write for both
      // keeps the generator's own syscalls (it shares the machine with the server) down.
      user.session?.cork();
      this.send(user, cycle, ACK, 'call.ack');
      cycle.acceptSentAt = performance.now();
      this.send(user, cycle, ACCEPT, 'call.accept');
      user.session?.uncork();
      cycle.awaiting = 'active';
      this.progress(cycle);
    } else if (frame.type === 'call.updated') {
      if (user !== cycle.caller || cycle.activeAt !== 0 || frame.data.call.state !== 'active')
        return;
      cycle.activeAt = now;
      this.send(user, cycle, HANGUP, 'call.hangup');
      cycle.awaiting = 'ended';
      this.progress(cycle);
    } else if (frame.type === 'call.ended') {
      if (cycle.activeAt === 0 || frame.data.reason !== 'completed') {
        this.fail(cycle, `ended-early:${frame.data.reason ?? 'unknown'}`);
        return;
      }
      if (user === cycle.caller) cycle.callerEnded = true;
      else cycle.calleeEnded = true;
      this.progress(cycle);
    }
  }

  /** Whether an event can move the user's cycle on (the others are dropped unparsed). */
  private needs(user: LoadUser, cycle: Cycle | undefined, type: string, text: string): boolean {
    if (!cycle || cycle.done) return false;
    if (type === 'call.incoming') return user === cycle.callee && cycle.incomingAt === 0;
    if (type === 'call.updated')
      return user === cycle.caller && cycle.activeAt === 0 && text.includes('"state":"active"');
    return type === 'call.ended';
  }

  /** A response: the id names the cycle and step; answers to an abandoned cycle are ignored. */
  private onResponse(
    cycle: Cycle | undefined,
    id: number,
    ok: boolean,
    code: string | undefined,
  ): void {
    if (!cycle || cycle.seq !== Math.floor(id / 4) || cycle.done) return;
    const kind = id % 4;
    if (!ok) {
      this.fail(cycle, `${KIND_NAMES[kind] ?? 'request'}:${code ?? 'error'}`);
      return;
    }
    if (kind === HANGUP) {
      cycle.hangupOk = true;
      this.progress(cycle);
    }
  }

  /** One load step: `rate` cycles/s for warm-up + window, then drains what is still in flight. */
  async runStep(
    step: number,
    rate: number,
    warmupMs: number,
    measureMs: number,
  ): Promise<StepReport> {
    const t0 = performance.now();
    const stats = new StepStats(t0 + warmupMs, t0 + warmupMs + measureMs);
    this.stats = stats;
    const sweep = setInterval(() => {
      this.sweep();
    }, SWEEP_MS);
    try {
      let scheduled = 0;
      let nextTick = t0;
      // Bounded by time: ends at the window's end (one iteration every ~TICK_MS).
      while (performance.now() < stats.windowEnd) {
        const now = performance.now();
        if (stats.inWindow(now))
          stats.maxPacingLagMs = Math.max(stats.maxPacingLagMs, now - nextTick);
        this.releaseRested(now);
        const due = Math.floor(((now - t0) * rate) / 1000);
        const n = Math.min(due - scheduled, MAX_STARTS_PER_TICK);
        for (let i = 0; i < n; i++) this.startCycle();
        scheduled += n;
        nextTick = now + TICK_MS;
        await sleep(TICK_MS);
      }
      const drainUntil = performance.now() + STEP_TIMEOUT_MS + 2 * SWEEP_MS + 500;
      while (this.inFlight.size > 0 && performance.now() < drainUntil) await sleep(20);
      for (const cycle of [...this.inFlight]) this.fail(cycle, 'timeout:drain');
    } finally {
      clearInterval(sweep);
    }
    return {
      type: 'step-done',
      step,
      windowMs: measureMs,
      started: stats.started,
      completedInWindow: stats.completedInWindow,
      succeeded: stats.succeeded,
      failed: stats.failed,
      unplaced: stats.unplaced,
      failReasons: stats.failReasons,
      inviteToIncoming: Float64Array.from(stats.inviteToIncoming),
      acceptToAccepted: Float64Array.from(stats.acceptToAccepted),
      cycleMs: Float64Array.from(stats.cycleMs),
      worstPerSecond: stats.worstPerSecond,
      maxInFlight: stats.maxInFlight,
      maxPacingLagMs: stats.maxPacingLagMs,
      openSockets: this.openSockets(),
    };
  }

  private startCycle(): void {
    const now = performance.now();
    const inWindow = this.stats.inWindow(now);
    const caller = this.takeIdle();
    const callee = caller ? this.takeIdle() : undefined;
    if (!caller || !callee) {
      if (caller) this.idle.push(caller);
      if (inWindow) this.stats.unplaced++;
      return;
    }
    const cycle: Cycle = {
      seq: ++this.seq,
      callId: randomUUID(),
      caller,
      callee,
      inWindow,
      invitedAt: 0,
      incomingAt: 0,
      acceptSentAt: 0,
      activeAt: 0,
      callerEnded: false,
      calleeEnded: false,
      hangupOk: false,
      awaiting: 'incoming',
      lastProgress: now,
      done: false,
    };
    caller.cycle = cycle;
    callee.cycle = cycle;
    this.inFlight.add(cycle);
    if (inWindow) this.stats.started++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight.size);
    const data = JSON.stringify({ callId: cycle.callId, callees: [callee.userId], media: 'audio' });
    cycle.invitedAt = performance.now();
    caller.session?.send(`{"id":${cycle.seq * 4 + INVITE},"type":"call.invite","data":${data}}`);
  }

  private send(user: LoadUser, cycle: Cycle, kind: number, type: string): void {
    user.session?.send(
      `{"id":${cycle.seq * 4 + kind},"type":"${type}","data":{"callId":"${cycle.callId}"}}`,
    );
  }

  private progress(cycle: Cycle): void {
    const now = performance.now();
    cycle.lastProgress = now;
    if (!cycle.callerEnded || !cycle.calleeEnded || !cycle.hangupOk) return;
    cycle.done = true;
    this.inFlight.delete(cycle);
    const { stats } = this;
    if (stats.inWindow(now)) stats.completedInWindow++;
    if (cycle.inWindow) {
      stats.succeeded++;
      const latency = cycle.incomingAt - cycle.invitedAt;
      stats.inviteToIncoming.push(latency);
      const second = Math.floor((cycle.invitedAt - stats.windowStart) / 1000);
      stats.worstPerSecond[second] = Math.max(stats.worstPerSecond[second] ?? 0, latency);
      stats.acceptToAccepted.push(cycle.activeAt - cycle.acceptSentAt);
      stats.cycleMs.push(now - cycle.invitedAt);
    }
    for (const user of [cycle.caller, cycle.callee]) {
      user.cycle = undefined;
      if (user.open) this.idle.push(user);
    }
  }

  private fail(cycle: Cycle, reason: string): void {
    if (cycle.done) return;
    cycle.done = true;
    this.inFlight.delete(cycle);
    if (cycle.inWindow) {
      this.stats.failed++;
      this.stats.failReasons[reason] = (this.stats.failReasons[reason] ?? 0) + 1;
    }
    const until = performance.now() + QUARANTINE_MS;
    for (const user of [cycle.caller, cycle.callee]) {
      user.cycle = undefined;
      if (!user.open) continue;
      // Best effort: leave whatever is left of the call (answers are ignored), then rest.
      this.send(user, cycle, HANGUP, 'call.hangup');
      this.resting.push({ user, until });
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const cycle of [...this.inFlight]) {
      if (now - cycle.lastProgress > STEP_TIMEOUT_MS) this.fail(cycle, `timeout:${cycle.awaiting}`);
    }
  }

  private releaseRested(now: number): void {
    let released = 0;
    while (released < this.resting.length && (this.resting[released]?.until ?? Infinity) <= now)
      released++;
    for (const { user } of this.resting.splice(0, released)) {
      if (user.open && !user.cycle) this.idle.push(user);
    }
  }

  /** A random idle user with an open socket (closed ones are dropped on the way). */
  private takeIdle(): LoadUser | undefined {
    const limit = this.idle.length;
    for (let attempt = 0; attempt < limit; attempt++) {
      const index = Math.floor(Math.random() * this.idle.length);
      const user = this.idle[index];
      const last = this.idle.pop();
      if (last && index < this.idle.length) this.idle[index] = last;
      if (user?.open) return user;
    }
    return undefined;
  }
}
