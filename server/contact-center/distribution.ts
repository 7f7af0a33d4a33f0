import type { CallInfo, Leg, QueueName, RequestData, UserId } from '../../protocol/index.js';
import { ProtocolError, encodeEvent } from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { Logger } from '../logger.js';
import type { MessageRouter, Session, SessionRegistry } from '../signaling/sessions.js';
import type { UserStore } from '../store/types.js';
import type { Agent } from './agents.js';
import type { AgentRoster } from './agent-roster.js';
import type { ContactCenterMetrics } from './cc-metrics.js';
import type { Queue, WaitingCall } from './queue.js';
import type { QueueCalls } from './queue-calls.js';
import type { QueueDirectory } from './queue-directory.js';
import { type Candidate, openTier, pickAgents } from './strategies.js';
import type { SupervisorFeed } from './supervisor-feed.js';

/** Callers hear their new place in the queue at most this often. */
const POSITION_MS = 250;

export interface DistributionOptions {
  directory: QueueDirectory;
  queueCalls: QueueCalls;
  roster: Pick<AgentRoster, 'announce' | 'afterCall'>;
  feed: Pick<SupervisorFeed, 'changed'>;
  calls: CallEngine;
  router: MessageRouter;
  sessions: SessionRegistry;
  users: UserStore;
  metrics: ContactCenterMetrics;
  log: Logger;
  now: () => number;
  /** A safety net: queues with waiting calls are looked at again this often. */
  sweepIntervalMs?: number | undefined;
}

/**
 * The distribution of queue calls: callers wait in queues (as ringing calls of the engine
 * without a callee), each call is offered to agents by its queue's strategy (as a normal
 * invitation with queue context), missed offers move on, maximum waits overflow or end the call.
 *
 * The engine reports leg changes and call ends in the middle of its own work; every reaction
 * that calls back into the engine is deferred to a microtask.
 */
export class Distribution {
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly o: DistributionOptions) {
    this.sweep = setInterval(() => {
      for (const queue of o.directory.allQueues())
        if (queue.waiting.length > 0) this.dispatch(queue);
    }, o.sweepIntervalMs ?? 1_000);
    this.sweep.unref();
  }

  close(): void {
    clearInterval(this.sweep);
    for (const queue of this.o.directory.allQueues()) {
      clearTimeout(queue.positionTimer);
      for (const w of queue.waiting) clearTimeout(w.maxWaitTimer);
    }
  }

  // ---- callers -------------------------------------------------------------------------------

  /** `call.invite` to `queue:<name>`: the call waits in the queue and is offered at once if it can. */
  async enqueue(
    session: Session,
    data: RequestData<'call.invite'>,
    name: QueueName,
  ): Promise<CallInfo> {
    const known = this.o.calls.get(data.callId);
    if (known) {
      // A retry of the same queue call answers with the call as it is.
      if (known.callerId === session.userId && known.queue && known.media === data.media) {
        return known;
      }
      throw new ProtocolError('conflict', 'this call id is already used for another call');
    }
    const queue = this.o.directory.queue(name);
    if (!queue) throw new ProtocolError('not-found', `no such queue: ${name}`);
    const caller = await this.o.users.get(session.userId);
    if (this.o.calls.get(data.callId)) throw new ProtocolError('conflict', 'call id in use');
    const info = this.o.calls.createQueued(session, data, name);
    const now = this.o.now();
    const waiting = newWaitingCall(info, caller?.displayName ?? session.userId, name, now);
    this.o.queueCalls.wait(waiting);
    this.enter(queue, waiting);
    return info;
  }

  /** After a restart: calls the engine restored as waiting in a queue wait here again. */
  async adoptRestored(): Promise<void> {
    for (const info of this.o.calls.heldCalls()) {
      if (this.o.queueCalls.waiting(info.callId) || !info.queue) continue;
      const queue = this.o.directory.queue(info.queue.queue);
      if (!queue) {
        this.o.calls.endCall(info.callId, 'timeout');
        continue;
      }
      const caller = await this.o.users.get(info.callerId);
      const name = caller?.displayName ?? info.callerId;
      const waiting = newWaitingCall(info, name, queue.name, info.queue.enteredAt);
      if (!this.o.calls.isHeld(info.callId)) continue; // It ended during the await.
      this.o.queueCalls.wait(waiting);
      const left = queue.config.maxWaitMs - (this.o.now() - waiting.enteredAt);
      this.enter(queue, waiting, Math.max(0, left));
    }
  }

  private enter(queue: Queue, waiting: WaitingCall, maxWaitMs = queue.config.maxWaitMs): void {
    waiting.queue = queue.name;
    // A caller moved to another queue hears its place there, even if the number is the same.
    waiting.toldPosition = 0;
    queue.waiting.push(waiting);
    // The caller hears its place at once; later moves are coalesced.
    this.tellPosition(queue, waiting, queue.waiting.length, this.o.now());
    queue.counters.entered++;
    this.o.metrics.calls.inc({ queue: queue.name, outcome: 'entered' });
    clearTimeout(waiting.maxWaitTimer);
    waiting.maxWaitTimer = setTimeout(() => {
      this.maxWaitReached(waiting);
    }, maxWaitMs);
    waiting.maxWaitTimer.unref();
    this.decision(waiting, 'entered the queue', { position: queue.waiting.length });
    this.dispatch(queue);
    this.tellPositions(queue);
    this.o.feed.changed(queue);
  }

  private maxWaitReached(waiting: WaitingCall): void {
    const queue = this.o.directory.queue(waiting.queue);
    if (!queue || this.o.queueCalls.waiting(waiting.callId) !== waiting) return;
    const overflowTo = queue.config.overflowTo;
    const target = overflowTo ? this.o.directory.queue(overflowTo) : undefined;
    this.o.calls.withdraw(waiting.callId, [...waiting.offeredTo]);
    if (target && target !== queue) {
      queue.remove(waiting);
      queue.counters.overflowed++;
      this.o.metrics.calls.inc({ queue: queue.name, outcome: 'overflowed' });
      this.o.metrics.decisions.inc({ decision: 'overflow' });
      this.decision(waiting, 'maximum wait reached: overflow', { to: target.name });
      waiting.overflowedFrom.push(queue.name);
      waiting.enteredAt = this.o.now();
      waiting.tried.clear();
      this.o.calls.requeue(waiting.callId, target.name);
      this.tellPositions(queue);
      this.o.feed.changed(queue);
      this.enter(target, waiting);
      return;
    }
    waiting.outcome = 'timeout';
    this.o.metrics.decisions.inc({ decision: 'timeout' });
    this.decision(waiting, 'maximum wait reached: call ends', {});
    this.o.calls.endCall(waiting.callId, 'timeout');
  }

  // ---- offers --------------------------------------------------------------------------------

  /** Offers the waiting calls of a queue, oldest first, to the agents its strategy picks. */
  dispatch(queue: Queue): void {
    if (queue.waiting.length === 0) return;
    const now = this.o.now();
    let candidates = this.candidates(queue);
    for (const waiting of [...queue.waiting]) {
      if (candidates.length === 0) {
        this.escalateLater(queue, waiting, now);
        break;
      }
      if (waiting.offeredTo.size > 0 && queue.config.strategy !== 'ring-all') continue;
      const picked = pickAgents({
        config: queue.config,
        candidates,
        waitedMs: now - waiting.enteredAt,
        tried: waiting.tried,
        lastOrder: queue.lastOrder,
        memberCount: queue.order.length,
      });
      if (picked.length === 0) {
        this.escalateLater(queue, waiting, now);
        continue;
      }
      for (const c of picked) this.offer(queue, waiting, c, now);
      const taken = new Set(picked.map((c) => c.agent));
      candidates = candidates.filter((c) => !taken.has(c.agent));
    }
  }

  /** The agent may take a call now: every queue of theirs looks again, longest wait first. */
  agentFree(agent: Agent): void {
    if (!agent.isOfferable()) return;
    const queues = [...agent.memberships.keys()]
      .flatMap((name) => {
        const q = this.o.directory.queue(name);
        return q && q.waiting.length > 0 ? [q] : [];
      })
      .sort((a, b) => (a.waiting[0]?.enteredAt ?? 0) - (b.waiting[0]?.enteredAt ?? 0));
    for (const queue of queues) {
      if (!agent.isOfferable()) return;
      this.dispatch(queue);
    }
  }

  /** `tiers`: look again when the next tier opens for this call. */
  private escalateLater(queue: Queue, waiting: WaitingCall, now: number): void {
    if (queue.config.strategy !== 'tiers') return;
    const waited = now - waiting.enteredAt;
    const next = openTier(queue.config, waited) * queue.config.escalateAfterMs - waited;
    const timer = setTimeout(() => {
      if (this.o.queueCalls.waiting(waiting.callId) === waiting) this.dispatch(queue);
    }, next + 1);
    timer.unref();
  }

  private candidates(queue: Queue): Candidate[] {
    const out: Candidate[] = [];
    queue.order.forEach((userId, order) => {
      const agent = this.o.directory.agent(userId);
      const member = queue.members.get(userId);
      if (!agent || !member || !agent.isOfferable()) return;
      if (this.o.sessions.sessionsOf(userId).length === 0 || this.o.calls.isBusy(userId)) return;
      out.push({ agent, member, order, answered: queue.counters.agent(userId).answered });
    });
    return out;
  }

  private offer(queue: Queue, waiting: WaitingCall, c: Candidate, now: number): void {
    const { agent } = c;
    const waitMs = now - waiting.firstEnteredAt;
    agent.offeredCallId = waiting.callId;
    waiting.offeredTo.add(agent.userId);
    const offered = this.o.calls.offer(waiting.callId, agent.userId, queue.config.offerTimeoutMs, {
      queue: queue.name,
      callerId: waiting.callerId,
      callerName: waiting.callerName,
      waitMs,
      autoAnswer: agent.autoAnswer,
    });
    if (!offered) {
      agent.offeredCallId = undefined;
      waiting.offeredTo.delete(agent.userId);
      return;
    }
    if (queue.config.strategy === 'round-robin') queue.lastOrder = c.order;
    if (!waiting.offeredOnce) {
      waiting.offeredOnce = true;
      this.o.metrics.entryToOffer.observe((performance.now() - waiting.enteredHr) / 1000);
    }
    queue.counters.agent(agent.userId).offered++;
    this.o.metrics.decisions.inc({ decision: 'offer' });
    this.decision(waiting, 'offered to agent', {
      agentId: agent.userId,
      strategy: queue.config.strategy,
      waitMs,
      autoAnswer: agent.autoAnswer,
    });
    this.o.roster.announce(agent);
  }

  // ---- what the engine reports ---------------------------------------------------------------

  /** A leg of a queue call changed state (`QueueHooks.legChanged`). */
  legChanged(call: CallInfo, leg: Leg): void {
    const { callId } = call;
    const { userId, state } = leg;
    if (state === 'ringing' || state === 'inviting' || state === 'pushed') return;
    queueMicrotask(() => {
      if (state === 'accepted') this.answeredBy(callId, userId);
      else this.offerEnded(callId, userId, state === 'canceled');
    });
  }

  /** A queue call ended (`QueueHooks.callEnded`; its record took its queue part already). */
  callEnded(call: CallInfo): void {
    const waiting = this.o.queueCalls.waiting(call.callId);
    if (waiting) {
      // The call ended while it waited: the caller hung up, or the queue timed it out.
      this.o.queueCalls.stopWaiting(call.callId);
      clearTimeout(waiting.maxWaitTimer);
      const queue = this.o.directory.queue(waiting.queue);
      const outcome = waiting.outcome ?? 'abandoned';
      if (queue) {
        queue.remove(waiting);
        if (outcome === 'timeout') queue.counters.timedOut++;
        else queue.counters.abandoned++;
        this.o.metrics.calls.inc({ queue: queue.name, outcome });
        this.decision(waiting, 'left the queue', { outcome });
        queueMicrotask(() => {
          this.tellPositions(queue);
          this.o.feed.changed(queue);
        });
      }
      return;
    }
    const answered = this.o.queueCalls.answered(call.callId);
    if (answered) {
      this.o.queueCalls.endAnswered(call.callId);
      queueMicrotask(() => {
        this.o.roster.afterCall(answered);
      });
    }
  }

  private answeredBy(callId: string, agentId: UserId): void {
    const waiting = this.o.queueCalls.waiting(callId);
    const agent = this.o.directory.agent(agentId);
    if (agent?.offeredCallId === callId) agent.offeredCallId = undefined;
    if (!waiting) return;
    const queue = this.o.directory.queue(waiting.queue);
    this.o.queueCalls.stopWaiting(callId);
    clearTimeout(waiting.maxWaitTimer);
    waiting.offeredTo.delete(agentId);
    const now = this.o.now();
    this.o.queueCalls.answer({
      callId,
      queue: waiting.queue,
      agentId,
      callerId: waiting.callerId,
      firstEnteredAt: waiting.firstEnteredAt,
      answeredAt: now,
      overflowedFrom: waiting.overflowedFrom,
    });
    // Ring all: the others stop ringing (their legs end `canceled`, which frees them).
    this.o.calls.withdraw(callId, [...waiting.offeredTo]);
    if (agent) {
      agent.missedInRow = 0;
      agent.callId = callId;
      agent.setStatus('on-call', now);
      this.o.roster.announce(agent);
    }
    this.decision(waiting, 'answered by agent', { agentId, waitMs: now - waiting.enteredAt });
    if (!queue) return;
    queue.remove(waiting);
    queue.counters.agent(agentId).answered++;
    queue.counters.answeredCall(queue.config, now - waiting.enteredAt);
    this.o.metrics.calls.inc({ queue: queue.name, outcome: 'answered' });
    this.o.metrics.speedOfAnswer.observe({ queue: queue.name }, (now - waiting.enteredAt) / 1000);
    this.tellPositions(queue);
    this.o.feed.changed(queue);
  }

  /** An offer ended without an answer: re-offer the call, and count the miss against the agent. */
  private offerEnded(callId: string, agentId: UserId, withdrawn: boolean): void {
    const agent = this.o.directory.agent(agentId);
    const waiting = this.o.queueCalls.waiting(callId);
    if (agent?.offeredCallId === callId) agent.offeredCallId = undefined;
    waiting?.offeredTo.delete(agentId);
    const queue = waiting && this.o.directory.queue(waiting.queue);
    if (waiting && queue && !withdrawn) {
      waiting.tried.add(agentId);
      queue.counters.agent(agentId).missed++;
      this.o.metrics.decisions.inc({ decision: 'missed' });
      this.decision(waiting, 'offer not answered: next agent', { agentId });
      if (agent) {
        agent.missedInRow++;
        const max = queue.config.maxNoAnswers;
        if (max > 0 && agent.missedInRow >= max && agent.status === 'available') {
          agent.setStatus('break', this.o.now(), 'no-answer');
          this.o.metrics.decisions.inc({ decision: 'break' });
          this.o.log.info(
            { callId, agentId, missedInRow: agent.missedInRow },
            'agent put on break after unanswered offers',
          );
        }
      }
    }
    if (agent) {
      this.o.roster.announce(agent);
      this.agentFree(agent);
    }
    if (queue) this.dispatch(queue);
  }

  // ---- callers' places -----------------------------------------------------------------------

  /**
   * Tells each waiting caller whose place changed, soon: coalesced per queue, because telling
   * every caller behind on each answer is quadratic in the queue's length.
   */
  private tellPositions(queue: Queue): void {
    if (queue.positionTimer) return;
    queue.positionTimer = setTimeout(() => {
      queue.positionTimer = undefined;
      const now = this.o.now();
      queue.waiting.forEach((w, i) => {
        this.tellPosition(queue, w, i + 1, now);
      });
    }, POSITION_MS);
    queue.positionTimer.unref();
  }

  private tellPosition(queue: Queue, w: WaitingCall, position: number, now: number): void {
    if (w.toldPosition === position) return;
    w.toldPosition = position;
    this.o.router.toDevice(
      w.callerId,
      w.callerDevice,
      encodeEvent('queue.position', {
        callId: w.callId,
        queue: queue.name,
        position,
        waiting: queue.waiting.length,
        waitedMs: now - w.firstEnteredAt,
      }),
    );
  }

  /** Every distribution decision is logged with its call id. */
  private decision(w: WaitingCall, message: string, fields: Record<string, unknown>): void {
    this.o.log.info({ callId: w.callId, queue: w.queue, ...fields }, message);
  }
}

/** A call entering its first queue at `enteredAt` (or waiting again after a restart). */
function newWaitingCall(
  info: CallInfo,
  callerName: string,
  queue: QueueName,
  enteredAt: number,
): WaitingCall {
  return {
    callId: info.callId,
    callerId: info.callerId,
    callerDevice: info.callerDevice,
    callerName,
    queue,
    enteredAt,
    firstEnteredAt: enteredAt,
    enteredHr: performance.now(),
    offeredOnce: false,
    offeredTo: new Set(),
    tried: new Set(),
    overflowedFrom: [],
    maxWaitTimer: undefined,
    toldPosition: 0,
  };
}
