import { describe, expect, it } from 'vitest';
import type { QueueSnapshot } from '../../protocol/index.js';
import { agentRows, queueFigures } from './supervisor-logic.js';

const agent = (userId: string, status: QueueSnapshot['agents'][number]['status']) => ({
  userId,
  status,
  since: 0,
  queues: [],
  autoAnswer: false,
  missedInRow: 0,
});

const snapshot = {
  config: { name: 'sales', strategy: 'longest-idle' },
  waiting: [
    { callId: 'c1', callerId: 'x', enteredAt: 1_000, position: 1, offeredTo: [] },
    { callId: 'c2', callerId: 'y', enteredAt: 4_000, position: 2, offeredTo: [] },
  ],
  agents: [agent('zed', 'available'), agent('amy', 'break'), agent('bob', 'on-call')],
  active: [],
  stats: {
    queue: 'sales',
    waitingNow: 2,
    longestWaitMs: 0,
    entered: 7,
    answered: 4,
    abandoned: 1,
    overflowed: 0,
    timedOut: 0,
    avgSpeedOfAnswerMs: 3_000,
    serviceLevelPct: 80,
    avgHandleMs: 60_000,
    agents: [
      { userId: 'bob', offered: 3, answered: 3, missed: 0, handleMs: 0, timeInStatusMs: {} },
    ],
  },
} as unknown as QueueSnapshot;

describe('supervisor view logic', () => {
  it('gives the headline figures, the longest wait growing with the clock', () => {
    const figures = queueFigures(snapshot, 11_000);
    expect(figures.map((f) => f.key)).toEqual([
      'waitingNow',
      'longestWait',
      'entered',
      'answered',
      'abandoned',
      'serviceLevel',
      'avgAnswer',
      'avgHandle',
    ]);
    expect(figures[0]?.value).toBe(2);
    expect(figures[1]).toEqual({ key: 'longestWait', kind: 'ms', value: 10_000 });
    expect(figures.find((f) => f.key === 'serviceLevel')).toEqual({
      key: 'serviceLevel',
      kind: 'pct',
      value: 80,
    });
  });

  it('lists agents busiest first, with their answered calls', () => {
    expect(agentRows(snapshot).map((r) => [r.agent.userId, r.answered])).toEqual([
      ['bob', 3],
      ['zed', 0],
      ['amy', 0],
    ]);
  });
});
