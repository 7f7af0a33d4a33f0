import { describe, expect, it } from 'vitest';
import type { CallInfo, CallRecord } from '../../protocol/index.js';
import type { Kill } from './chaos-server.js';
import type { ChaosDevice } from './device.js';
import { checkInvariants, type Violation } from './invariants.js';
import { Ledger } from './ledger.js';

const T0 = 1_800_000_000_000;
const KILL: Kill = { killAt: T0 + 1_000, exitedAt: T0 + 1_020, readyAt: T0 + 3_000 };
const CALL = 'c-1';

const device = (userId: string): ChaosDevice =>
  ({ label: `${userId}/d0`, userId }) as unknown as ChaosDevice;
const alice = device('alice');
const bob = device('bob');

function info(state: CallInfo['state'], answeredAt?: number): CallInfo {
  const muted = { audio: false, video: false };
  return {
    callId: CALL,
    callerId: 'alice',
    callerDevice: 'd0',
    moderatorId: 'alice',
    media: 'audio',
    state,
    createdAt: T0,
    callerMuted: muted,
    legs: [
      {
        userId: 'bob',
        state: answeredAt === undefined ? 'ringing' : 'accepted',
        invitedBy: 'alice',
        invitedAt: T0,
        expiresAt: T0 + 30_000,
        ...(answeredAt === undefined ? {} : { answeredAt }),
        muted,
      },
    ],
  };
}

function record(endReason: CallRecord['endReason'], endedAt: number, answeredAt?: number) {
  return {
    callId: CALL,
    callerId: 'alice',
    media: 'audio',
    createdAt: T0,
    ...(answeredAt === undefined ? {} : { answeredAt }),
    endedAt,
    endReason,
    durationSec: answeredAt === undefined ? 0 : Math.round((endedAt - answeredAt) / 1000),
    participants: [],
  } satisfies CallRecord;
}

/** A call Alice placed to Bob: the invite acknowledged at +10 ms, and what happened next. */
function ledgerWith(steps: (ledger: Ledger) => void): Ledger {
  const ledger = new Ledger(T0);
  ledger.register({ callId: CALL, kind: 'direct', callerId: 'alice', callees: ['bob'] });
  ledger.response(alice, 'call.invite', { call: info('ringing') }, T0 + 10);
  steps(ledger);
  return ledger;
}

const check = (ledger: Ledger, rec: CallRecord, kills: Kill[] = [KILL]): Violation[] =>
  checkInvariants({
    ledger,
    records: new Map([[CALL, rec]]),
    kills,
    probes: { listed: [], busy: [] },
    webhooks: [],
  }).filter((v) => v.invariant === 'alteredRecords');

describe('chaos invariants: a step committed whose answer the kill cut off', () => {
  const active = (ledger: Ledger): void => {
    ledger.response(bob, 'call.accept', { call: info('active', T0 + 400) }, T0 + 410);
  };

  it('accepts a completed record when a hang-up was in flight at the kill', () => {
    const ledger = ledgerWith((l) => {
      active(l);
      l.request(alice, 'call.hangup', { callId: CALL }, T0 + 980);
    });
    expect(check(ledger, record('completed', T0 + 985, T0 + 400))).toEqual([]);
  });

  it('flags a completed record when nobody asked to hang up before the kill', () => {
    const ledger = ledgerWith(active);
    const found = check(ledger, record('completed', T0 + 985, T0 + 400));
    expect(found.map((v) => v.what)).toEqual([expect.stringContaining('expected server-failure')]);
  });

  it('flags a hang-up sent only after the kill', () => {
    const ledger = ledgerWith((l) => {
      active(l);
      l.request(alice, 'call.hangup', { callId: CALL }, T0 + 1_500);
    });
    expect(check(ledger, record('completed', T0 + 985, T0 + 400))).toHaveLength(1);
  });

  it('accepts an answer nobody was told of when an accept was in flight, cut by the kill', () => {
    const ledger = ledgerWith((l) => {
      l.request(bob, 'call.accept', { callId: CALL }, T0 + 900);
    });
    expect(check(ledger, record('server-failure', T0 + 990, T0 + 905))).toEqual([]);
  });

  it('flags an answered record when no accept was sent', () => {
    const ledger = ledgerWith(() => undefined);
    const found = check(ledger, record('server-failure', T0 + 990, T0 + 905));
    expect(found.map((v) => v.what)).toEqual([expect.stringContaining('never answered')]);
  });

  it('flags an answer in flight that the record ends other than by the crash', () => {
    const ledger = ledgerWith((l) => {
      l.request(bob, 'call.accept', { callId: CALL }, T0 + 900);
    });
    const found = check(ledger, record('completed', T0 + 990, T0 + 905));
    expect(found.map((v) => v.what)).toEqual([expect.stringContaining('accept in flight')]);
  });
});

describe('chaos invariants: the date of a call cut by the kill', () => {
  /** Answered at +400 by the server's clock; the devices see it `lagMs` later. */
  const answered = (lagMs: number) => (ledger: Ledger) => {
    ledger.response(bob, 'call.accept', { call: info('active', T0 + 400) }, T0 + 400 + lagMs);
  };

  it('accepts a record dated at the last commit when a starved server answered late', () => {
    // The server committed up to +600 and its answers reached the devices ~450 ms later.
    const ledger = ledgerWith(answered(450));
    expect(check(ledger, record('server-failure', T0 + 600, T0 + 400))).toEqual([]);
  });

  it('flags a record dated well before what a prompt server had already answered', () => {
    // Answers arrive 10 ms after their step: a record 300 ms older than the last one is stale.
    const ledger = ledgerWith((l) => {
      answered(10)(l);
      // A resync at +900 re-announces the call: no new step, so no excuse for a late answer.
      l.event(alice, { type: 'call.updated', data: { call: info('active', T0 + 400) } }, T0 + 900);
    });
    const found = check(ledger, record('server-failure', T0 + 600, T0 + 400));
    expect(found.map((v) => v.what)).toEqual([expect.stringContaining('recorded ended at')]);
  });

  it('counts frames that arrive between SIGKILL and the exit as cut by that kill', () => {
    // Seen at +1,010: after the kill was sent (+1,000), before the process was gone (+1,020).
    // Blamed on the next kill, the record would be 'dated before the restart it survived'.
    const next: Kill = { killAt: T0 + 9_000, exitedAt: T0 + 9_020, readyAt: T0 + 11_000 };
    const ledger = ledgerWith(answered(610));
    const found = check(ledger, record('server-failure', T0 + 700, T0 + 400), [KILL, next]);
    expect(found).toEqual([]);
  });
});

describe('chaos invariants: a pushed invitation across a kill', () => {
  /** Alice calls Bob, who is offline: acknowledged at +10 as pushed, expiring at +3,010. */
  function pushedLedger(): Ledger {
    const ledger = new Ledger(T0);
    ledger.register({ callId: CALL, kind: 'push', callerId: 'alice', callees: ['bob'] });
    const call = info('ringing');
    call.legs = call.legs.map((l) => ({ ...l, state: 'pushed', expiresAt: T0 + 3_010 }));
    ledger.response(alice, 'call.invite', { call }, T0 + 10);
    return ledger;
  }
  const pushViolations = (kills: Kill[]): Violation[] =>
    checkInvariants({
      ledger: pushedLedger(),
      records: new Map([[CALL, record('unreachable', T0 + 3_010)]]),
      kills,
      probes: { listed: [], busy: [] },
      webhooks: [],
    }).filter((v) => v.invariant === 'pushNotPosted');

  it('flags a push never posted while the server was up', () => {
    expect(pushViolations([])).toHaveLength(1);
  });

  it('flags a push the restarted server should still have sent before it expired', () => {
    // Restarted at +3,000: the outbox resends it with 10 ms left.
    expect(pushViolations([KILL])).toHaveLength(1);
  });

  it('accepts no push when the invitation expired while the server was down', () => {
    const late: Kill = { ...KILL, readyAt: T0 + 4_000 };
    expect(pushViolations([late])).toEqual([]);
  });
});

describe('chaos invariants: an end the server decided just before the kill', () => {
  const lostBob = (endedAt: number, reason?: string): CallRecord => ({
    ...record('connection-lost', endedAt, T0 + 400),
    participants: [
      {
        userId: 'bob',
        role: 'callee',
        invitedAt: T0,
        answeredAt: T0 + 400,
        outcome: 'answered',
        ...(reason === undefined ? {} : { reason }),
        durationSec: 0,
      },
    ],
  });
  const active = (ledger: Ledger): void => {
    ledger.response(bob, 'call.accept', { call: info('active', T0 + 400) }, T0 + 410);
  };

  it('accepts a connection-lost end committed before the process exited, never announced', () => {
    expect(check(ledgerWith(active), lostBob(T0 + 950, 'connection-lost'))).toEqual([]);
  });

  it('flags a connection-lost end that names nobody whose connection was lost', () => {
    expect(check(ledgerWith(active), lostBob(T0 + 950))).toHaveLength(1);
  });

  it('flags a connection-lost end dated after the process was gone', () => {
    expect(check(ledgerWith(active), lostBob(T0 + 2_000, 'connection-lost'))).not.toEqual([]);
  });
});
