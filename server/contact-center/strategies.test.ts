import { describe, expect, it } from 'vitest';
import { type QueueStrategy, queueConfigSchema } from '../../protocol/index.js';
import { Agent } from './agents.js';
import { type Candidate, openTier, pickAgents } from './strategies.js';

/** The strategies as pure functions: who is picked from a fixed set of free agents. */

function candidates(
  specs: { id: string; idleSince: number; tier?: number; skill?: number; answered?: number }[],
): Candidate[] {
  return specs.map((s, order) => {
    const agent = new Agent(s.id, 0);
    agent.idleSince = s.idleSince;
    return {
      agent,
      member: { userId: s.id, tier: s.tier ?? 1, skill: s.skill ?? 5 },
      answered: s.answered ?? 0,
      order,
    };
  });
}

const pick = (
  strategy: QueueStrategy,
  pool: Candidate[],
  extra: { waitedMs?: number; tried?: string[]; lastOrder?: number } = {},
) =>
  pickAgents({
    config: queueConfigSchema.parse({ name: 'q', strategy, escalateAfterMs: 10_000 }),
    candidates: pool,
    waitedMs: extra.waitedMs ?? 0,
    tried: new Set(extra.tried ?? []),
    lastOrder: extra.lastOrder ?? -1,
    memberCount: pool.length,
  }).map((c) => c.agent.userId);

const pool = candidates([
  { id: 'a', idleSince: 300, tier: 2, skill: 9, answered: 4 },
  { id: 'b', idleSince: 100, tier: 1, skill: 3, answered: 2 },
  { id: 'c', idleSince: 200, tier: 1, skill: 8, answered: 2 },
]);

describe('pickAgents', () => {
  it('longest-idle picks the smallest idle-since, skipping agents who already missed the call', () => {
    expect(pick('longest-idle', pool)).toEqual(['b']);
    expect(pick('longest-idle', pool, { tried: ['b'] })).toEqual(['c']);
    // Everyone tried: ask again rather than let the call wait for nobody.
    expect(pick('longest-idle', pool, { tried: ['a', 'b', 'c'] })).toEqual(['b']);
  });

  it('round-robin picks the next one after the last offered, wrapping', () => {
    expect(pick('round-robin', pool)).toEqual(['a']);
    expect(pick('round-robin', pool, { lastOrder: 0 })).toEqual(['b']);
    expect(pick('round-robin', pool, { lastOrder: 2 })).toEqual(['a']);
    expect(pick('round-robin', pool.slice(0, 2), { lastOrder: 1 })).toEqual(['a']);
  });

  it('ring-all picks everyone, tried or not', () => {
    expect(pick('ring-all', pool, { tried: ['a'] })).toEqual(['a', 'b', 'c']);
  });

  it('fewest-calls picks the fewest answered, then the longest idle', () => {
    expect(pick('fewest-calls', pool)).toEqual(['b']);
    expect(pick('fewest-calls', pool, { tried: ['b'] })).toEqual(['c']);
  });

  it('tiers picks the most skilled agent of the open tiers; the next tier opens with the wait', () => {
    expect(pick('tiers', pool)).toEqual(['c']);
    expect(pick('tiers', pool.slice(0, 1))).toEqual([]);
    expect(pick('tiers', pool.slice(0, 1), { waitedMs: 10_000 })).toEqual(['a']);
    const config = queueConfigSchema.parse({
      name: 'q',
      strategy: 'tiers',
      escalateAfterMs: 10_000,
    });
    expect([0, 9_999, 10_000, 25_000].map((w) => openTier(config, w))).toEqual([1, 1, 2, 3]);
  });

  it('picks nobody from nobody', () => {
    for (const strategy of [
      'longest-idle',
      'round-robin',
      'ring-all',
      'fewest-calls',
      'tiers',
    ] as const) {
      expect(pick(strategy, [])).toEqual([]);
    }
  });
});
