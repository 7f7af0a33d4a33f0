import type { QueueConfig, QueueMember, UserId } from '../../protocol/index.js';
import type { Agent } from './agents.js';

/** An agent the queue could offer the call to now, with its place in this queue. */
export interface Candidate {
  agent: Agent;
  member: QueueMember;
  /** Calls of this queue the agent answered (for `fewest-calls`). */
  answered: number;
  /** Position in the queue's fixed order (for `round-robin`). */
  order: number;
}

export interface PickInput {
  config: QueueConfig;
  /** Offerable agents of the queue, in the queue's fixed order. */
  candidates: readonly Candidate[];
  /** How long the call has waited in this queue. */
  waitedMs: number;
  /** Agents who already let this call ring out: asked again only when nobody else is left. */
  tried: ReadonlySet<UserId>;
  /** Position in the fixed order of the agent offered last (`round-robin`). */
  lastOrder: number;
  /** Members in the fixed order (to wrap `round-robin`). */
  memberCount: number;
}

const byIdle = (a: Candidate, b: Candidate): number =>
  a.agent.idleSince - b.agent.idleSince || (a.agent.userId < b.agent.userId ? -1 : 1);

/** The highest tier that may be offered a call that waited this long. */
export const openTier = (config: QueueConfig, waitedMs: number): number =>
  1 + Math.floor(waitedMs / config.escalateAfterMs);

/**
 * Who gets the call, by the queue's strategy: one agent, every agent (`ring-all`), or nobody.
 * Pure: the same input always gives the same answer, so every strategy is tested directly.
 */
export function pickAgents(input: PickInput): Candidate[] {
  const { config } = input;
  let pool = input.candidates;
  if (config.strategy === 'tiers') {
    const tier = openTier(config, input.waitedMs);
    pool = pool.filter((c) => c.member.tier <= tier);
  }
  if (pool.length === 0) return [];
  if (config.strategy === 'ring-all') return [...pool];
  const fresh = pool.filter((c) => !input.tried.has(c.agent.userId));
  if (fresh.length > 0) pool = fresh;
  switch (config.strategy) {
    case 'longest-idle':
      return [pool.reduce((best, c) => (byIdle(c, best) < 0 ? c : best))];
    case 'fewest-calls':
      return [
        pool.reduce((best, c) =>
          c.answered < best.answered || (c.answered === best.answered && byIdle(c, best) < 0)
            ? c
            : best,
        ),
      ];
    case 'tiers':
      return [
        pool.reduce((best, c) => {
          const d = c.member.tier - best.member.tier || best.member.skill - c.member.skill;
          return d < 0 || (d === 0 && byIdle(c, best) < 0) ? c : best;
        }),
      ];
    case 'round-robin': {
      // The first candidate after the last one offered, wrapping around the fixed order.
      const n = Math.max(1, input.memberCount);
      const distance = (c: Candidate): number => (c.order - input.lastOrder - 1 + n) % n;
      return [pool.reduce((best, c) => (distance(c) < distance(best) ? c : best))];
    }
  }
}
