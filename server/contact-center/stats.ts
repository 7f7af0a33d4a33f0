import type { AgentStats, QueueConfig, QueueStats, UserId } from '../../protocol/index.js';
import type { Agent } from './agents.js';

/** Per agent and queue: what the agent did with this queue's calls. */
export interface AgentCounters {
  offered: number;
  answered: number;
  missed: number;
  handleMs: number;
}

/**
 * Running counters of one queue since the server started. Means are kept as totals and counts
 * so that a snapshot is O(agents), not O(calls).
 */
export class QueueCounters {
  entered = 0;
  answered = 0;
  answeredInTime = 0;
  abandoned = 0;
  overflowed = 0;
  timedOut = 0;
  answerWaitTotalMs = 0;
  handled = 0;
  handleTotalMs = 0;
  readonly agents = new Map<UserId, AgentCounters>();

  agent(userId: UserId): AgentCounters {
    let counters = this.agents.get(userId);
    if (!counters) {
      counters = { offered: 0, answered: 0, missed: 0, handleMs: 0 };
      this.agents.set(userId, counters);
    }
    return counters;
  }

  answeredCall(config: QueueConfig, waitedMs: number): void {
    this.answered++;
    this.answerWaitTotalMs += waitedMs;
    if (waitedMs <= config.serviceLevelMs) this.answeredInTime++;
  }

  handledCall(agentId: UserId, handleMs: number): void {
    this.handled++;
    this.handleTotalMs += handleMs;
    this.agent(agentId).handleMs += handleMs;
  }

  /** Answered within the threshold, out of every call that finished its wait in this queue. */
  serviceLevelPct(): number {
    const finished = this.answered + this.abandoned + this.timedOut;
    return finished === 0 ? 100 : round((100 * this.answeredInTime) / finished);
  }

  snapshot(
    queue: string,
    waiting: readonly { enteredAt: number }[],
    members: readonly Agent[],
    now: number,
  ): QueueStats {
    const longest = waiting.reduce((max, w) => Math.max(max, now - w.enteredAt), 0);
    const agents: AgentStats[] = members.map((agent) => ({
      userId: agent.userId,
      ...this.agent(agent.userId),
      timeInStatusMs: agent.timeInStatus(now),
    }));
    return {
      queue,
      waitingNow: waiting.length,
      longestWaitMs: longest,
      entered: this.entered,
      answered: this.answered,
      abandoned: this.abandoned,
      overflowed: this.overflowed,
      timedOut: this.timedOut,
      avgSpeedOfAnswerMs: this.answered === 0 ? 0 : round(this.answerWaitTotalMs / this.answered),
      serviceLevelPct: this.serviceLevelPct(),
      avgHandleMs: this.handled === 0 ? 0 : round(this.handleTotalMs / this.handled),
      agents,
    };
  }
}

const round = (x: number): number => Math.round(x * 10) / 10;
