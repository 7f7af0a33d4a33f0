import { describe, expect, it } from 'vitest';
import type { AgentState, AgentStats, SoftphoneSnapshot } from '../../protocol/index.js';
import {
  afterCallRemainingMs,
  agentFigures,
  currentOffer,
  formatMs,
  offerWaitMs,
  reasonKey,
  timeInStatusMs,
} from './agent-logic.js';

const agent = (patch: Partial<AgentState> = {}): AgentState => ({
  userId: 'ann',
  status: 'available',
  since: 1_000,
  queues: [{ queue: 'sales', tier: 1, skill: 5 }],
  autoAnswer: false,
  missedInRow: 0,
  ...patch,
});

const stats = (patch: Partial<AgentStats> = {}): AgentStats => ({
  userId: 'ann',
  offered: 4,
  answered: 3,
  missed: 1,
  handleMs: 90_000,
  timeInStatusMs: {
    available: 60_000,
    'on-call': 80_000,
    'after-call-work': 10_000,
    break: 0,
    'logged-out': 5_000,
  },
  ...patch,
});

describe('agent console logic', () => {
  it('formats durations as a clock, never negative', () => {
    expect(formatMs(0)).toBe('0:00');
    expect(formatMs(61_999)).toBe('1:01');
    expect(formatMs(3_725_000)).toBe('1:02:05');
    expect(formatMs(-5_000)).toBe('0:00');
    expect(timeInStatusMs(agent({ since: 10_000 }), 7_000)).toBe(0);
    expect(timeInStatusMs(agent({ since: 10_000 }), 25_000)).toBe(15_000);
  });

  it('counts after-call work down from its length on this device clock', () => {
    // The server's clock is 1 h ahead: only the length (10 s) counts, not the server times.
    const acw = agent({
      status: 'after-call-work',
      since: 3_600_000 + 50_000,
      afterCallUntil: 3_600_000 + 60_000,
    });
    expect(afterCallRemainingMs(acw, 50_000, 50_000)).toBe(10_000);
    expect(afterCallRemainingMs(acw, 50_000, 53_500)).toBe(6_500);
    expect(afterCallRemainingMs(acw, 50_000, 70_000)).toBe(0);
    expect(afterCallRemainingMs(agent(), 0, 0)).toBeUndefined();
    expect(afterCallRemainingMs(undefined, 0, 0)).toBeUndefined();
  });

  it('works out the figures: the call in progress is not in the average, live time grows', () => {
    const idle = agentFigures(stats(), agent(), 100_000, 104_000);
    expect(idle.avgHandleMs).toBe(30_000);
    expect(idle.timeIn[0]).toEqual({ status: 'available', ms: 64_000 });
    expect(idle.timeIn.find((x) => x.status === 'on-call')?.ms).toBe(80_000);

    const onCall = agentFigures(stats(), agent({ status: 'on-call' }), 100_000, 101_000);
    expect(onCall.avgHandleMs).toBe(45_000);
    expect(onCall.timeIn.find((x) => x.status === 'on-call')?.ms).toBe(81_000);
    expect(agentFigures(stats({ answered: 0, handleMs: 0 }), agent(), 0, 0).avgHandleMs).toBe(
      undefined,
    );
  });

  it('finds the ringing queue offer and how long its caller has waited', () => {
    const offer = {
      callId: 'call-1',
      queue: 'sales',
      callerId: 'bob',
      callerName: 'Bob',
      waitMs: 4_000,
      autoAnswer: false,
      receivedAt: 10_000,
    };
    const snapshot = {
      calls: [{ callId: 'call-1', state: 'ringing' }],
      queueOffers: [offer],
    } as unknown as SoftphoneSnapshot;
    expect(currentOffer(snapshot)?.offer.queue).toBe('sales');
    expect(offerWaitMs(offer, 13_000)).toBe(7_000);
    const answered = { ...snapshot, calls: [{ callId: 'call-1', state: 'active' }] };
    expect(currentOffer(answered as unknown as SoftphoneSnapshot)).toBeUndefined();
  });

  it('translates known break reasons only', () => {
    expect(reasonKey('lunch')).toBe('seat.reasons.lunch');
    expect(reasonKey('no-answer')).toBe('seat.reasons.no-answer');
    expect(reasonKey('dentist')).toBeUndefined();
  });
});
