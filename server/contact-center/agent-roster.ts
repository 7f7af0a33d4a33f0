import { EventEmitter } from 'node:events';
import type { AgentState, AgentStats, UserId } from '../../protocol/index.js';
import { ProtocolError, encodeEvent } from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { Logger } from '../logger.js';
import type { MessageRouter, Session } from '../signaling/sessions.js';
import type { ContactCenterStore } from '../store/contact-center.js';
import type { RecordStore } from '../store/types.js';
import type { Agent } from './agents.js';
import type { ContactCenterMetrics } from './cc-metrics.js';
import { figuresOf, localMidnight, recordsSince } from './own-figures.js';
import type { AnsweredCall } from './queue.js';
import type { QueueDirectory } from './queue-directory.js';
import type { SupervisorFeed } from './supervisor-feed.js';

export interface AgentRosterOptions {
  directory: QueueDirectory;
  feed: Pick<SupervisorFeed, 'changed'>;
  calls: Pick<CallEngine, 'withdraw'>;
  router: MessageRouter;
  /** Sessions watching a user's presence: they hear `agent.status` too. */
  presenceWatchers: (userId: UserId) => Iterable<Session>;
  store: ContactCenterStore;
  /** Call records: an agent's own figures are counted from them (they survive a restart). */
  records?: RecordStore | undefined;
  metrics: ContactCenterMetrics;
  log: Logger;
  now: () => number;
}

export interface AgentRosterEventMap {
  /** The agent may be offered a call now (the distribution looks at their queues again). */
  free: [agent: Agent];
}

/**
 * The agents' side of seat calling: their own status changes, logging out when their last
 * device goes, after-call work, their settings and figures, and telling everyone concerned
 * (`agent.status` to the agent, their presence watchers and their queues' supervisors).
 */
export class AgentRoster extends EventEmitter<AgentRosterEventMap> {
  constructor(private readonly o: AgentRosterOptions) {
    super();
  }

  close(): void {
    for (const agent of this.o.directory.agents.values()) clearTimeout(agent.afterCallTimer);
  }

  /** The agent's own change: available, break (with a reason) or logged out. */
  setOwnStatus(
    userId: UserId,
    status: 'available' | 'break' | 'logged-out',
    reason?: string,
  ): AgentState {
    const agent = this.agentOf(userId);
    if (agent.status === 'on-call') {
      throw new ProtocolError('invalid-state', 'finish the call first');
    }
    if (status !== 'available' && agent.offeredCallId) {
      this.o.calls.withdraw(agent.offeredCallId, [userId]);
    }
    if (status === 'available') agent.missedInRow = 0;
    if (agent.status === 'after-call-work') agent.endAfterCall?.();
    const now = this.o.now();
    if (agent.setStatus(status, now, status === 'break' ? (reason ?? 'break') : undefined)) {
      this.o.log.info({ agentId: userId, status, reason }, 'agent status set by the agent');
      this.announce(agent);
      this.emit('free', agent);
    }
    return agent.toState();
  }

  /**
   * The user's last device went offline: an agent is logged out (`offline`), so supervisors see
   * it and no offer waits on a device that is gone; a pending offer moves on at once. Signing in
   * again leaves the agent logged out until they choose to be available.
   */
  userOffline(userId: UserId): void {
    const agent = this.o.directory.agent(userId);
    if (!agent || agent.status === 'logged-out') return;
    const offered = agent.offeredCallId;
    if (agent.status === 'after-call-work') agent.endAfterCall?.();
    agent.setStatus('logged-out', this.o.now(), 'offline');
    this.o.log.info({ agentId: userId, offeredCallId: offered }, 'agent logged out: went offline');
    this.announce(agent);
    // Withdrawn after the status change, so the re-offer it triggers passes this agent over.
    if (offered) this.o.calls.withdraw(offered, [userId]);
  }

  agentState(userId: UserId): AgentState {
    return this.agentOf(userId).toState();
  }

  /**
   * The agent's own figures since `since` (default: the server's local midnight) from the call
   * records, which survive a restart; time in each status since the server started.
   */
  async ownStats(userId: UserId, since?: number): Promise<AgentStats> {
    const agent = this.agentOf(userId);
    const timeInStatusMs = agent.timeInStatus(this.o.now());
    if (this.o.records) {
      const from = since ?? localMidnight(this.o.now());
      const figures = figuresOf(await recordsSince(this.o.records, userId, from), userId);
      return { userId, ...figures, timeInStatusMs, since: from };
    }
    // Without a record store (never in the server): the counters since the start.
    const total = { offered: 0, answered: 0, missed: 0, handleMs: 0 };
    for (const name of agent.memberships.keys()) {
      const counters = this.o.directory.queue(name)?.counters.agents.get(userId);
      if (!counters) continue;
      total.offered += counters.offered;
      total.answered += counters.answered;
      total.missed += counters.missed;
      total.handleMs += counters.handleMs;
    }
    return { userId, ...total, timeInStatusMs };
  }

  async setAutoAnswer(userId: UserId, autoAnswer: boolean): Promise<AgentState> {
    const agent = this.agentOf(userId);
    await this.o.store.setAutoAnswer(userId, autoAnswer);
    agent.autoAnswer = autoAnswer;
    this.announce(agent);
    return agent.toState();
  }

  /**
   * The agent's queue call ended: after-call work for the queue's duration (none: available at
   * once), its handle time counted once whether it runs out or the agent ends it early.
   */
  afterCall(call: AnsweredCall): void {
    const agent = this.o.directory.agent(call.agentId);
    const queue = this.o.directory.queue(call.queue);
    if (queue) this.o.feed.changed(queue);
    if (!agent || agent.callId !== call.callId || agent.status !== 'on-call') return;
    const acw = queue?.config.afterCallWorkMs ?? 0;
    let handled = false;
    // Once, whether after-call work runs out or the agent ends it early ("ready now").
    const countHandled = (): void => {
      if (handled || !queue) return;
      handled = true;
      const now = this.o.now();
      queue.counters.handledCall(agent.userId, now - call.answeredAt);
      this.o.metrics.handleTime.observe({ queue: queue.name }, (now - call.answeredAt) / 1000);
    };
    const finish = (): void => {
      const now = this.o.now();
      countHandled();
      if (agent.status === 'after-call-work' || agent.status === 'on-call') {
        agent.setStatus('available', now);
        this.announce(agent);
        this.emit('free', agent);
      }
    };
    if (acw === 0) {
      finish();
      return;
    }
    agent.setStatus('after-call-work', this.o.now());
    agent.callId = call.callId;
    agent.afterCallUntil = this.o.now() + acw;
    agent.endAfterCall = countHandled;
    agent.afterCallTimer = setTimeout(finish, acw);
    agent.afterCallTimer.unref();
    this.o.log.info({ callId: call.callId, agentId: agent.userId, acwMs: acw }, 'after-call work');
    this.announce(agent);
  }

  /** `agent.status` to the agent's devices, its presence watchers and its queues' supervisors. */
  announce(agent: Agent): void {
    const frame = encodeEvent('agent.status', agent.toState());
    this.o.router.toUser(agent.userId, frame);
    const told = new Set<Session>();
    for (const s of this.o.presenceWatchers(agent.userId)) {
      told.add(s);
      s.send(frame);
    }
    for (const name of agent.memberships.keys()) {
      const queue = this.o.directory.queue(name);
      if (!queue) continue;
      for (const s of queue.watchers) {
        if (!told.has(s)) {
          told.add(s);
          s.send(frame);
        }
      }
      this.o.feed.changed(queue);
    }
  }

  private agentOf(userId: UserId): Agent {
    const agent = this.o.directory.agent(userId);
    if (!agent || agent.memberships.size === 0) {
      throw new ProtocolError('forbidden', 'you are not an agent of any queue');
    }
    return agent;
  }
}
