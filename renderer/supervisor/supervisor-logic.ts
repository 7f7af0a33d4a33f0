import type { AgentState, QueueSnapshot } from '../../protocol/index.js';

/** A figure of a queue as shown: a count, a duration (ms) or a percentage. */
export interface QueueFigure {
  key: string;
  kind: 'count' | 'ms' | 'pct';
  value: number;
}

/** The headline figures of a queue, in display order; `longestWait` grows with `now`. */
export function queueFigures(q: QueueSnapshot, now: number): QueueFigure[] {
  const longest = q.waiting.reduce((max, w) => Math.max(max, now - w.enteredAt), 0);
  return [
    { key: 'waitingNow', kind: 'count', value: q.waiting.length },
    { key: 'longestWait', kind: 'ms', value: Math.max(0, longest) },
    { key: 'entered', kind: 'count', value: q.stats.entered },
    { key: 'answered', kind: 'count', value: q.stats.answered },
    { key: 'abandoned', kind: 'count', value: q.stats.abandoned },
    { key: 'serviceLevel', kind: 'pct', value: q.stats.serviceLevelPct },
    { key: 'avgAnswer', kind: 'ms', value: q.stats.avgSpeedOfAnswerMs },
    { key: 'avgHandle', kind: 'ms', value: q.stats.avgHandleMs },
  ];
}

export interface AgentRow {
  agent: AgentState;
  answered: number;
}

/** Agents of a queue with their answered count, busiest states first, then by id. */
export function agentRows(q: QueueSnapshot): AgentRow[] {
  const rank: Record<AgentState['status'], number> = {
    'on-call': 0,
    'after-call-work': 1,
    available: 2,
    break: 3,
    'logged-out': 4,
  };
  return q.agents
    .map((agent) => ({
      agent,
      answered: q.stats.agents.find((a) => a.userId === agent.userId)?.answered ?? 0,
    }))
    .sort(
      (a, b) =>
        rank[a.agent.status] - rank[b.agent.status] || a.agent.userId.localeCompare(b.agent.userId),
    );
}
