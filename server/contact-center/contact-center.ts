import type { Registry } from 'prom-client';
import type {
  AgentState,
  AgentStats,
  AgentStatus,
  CallInfo,
  CallRecord,
  Leg,
  QueueName,
  QueueStats,
  RequestData,
  UserId,
} from '../../protocol/index.js';
import { ProtocolError, encodeEvent } from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { MediaPlane, QueueHooks } from '../calls/ports.js';
import type { Logger } from '../logger.js';
import type { MessageRouter, Session, SessionRegistry } from '../signaling/sessions.js';
import type { RecordStore, UserStore } from '../store/types.js';
import { AGENT_STATUSES, type Agent } from './agents.js';
import { type ContactCenterMetrics, createContactCenterMetrics } from './cc-metrics.js';
import type { Queue } from './queue.js';
import { type AnsweredCall, type WaitingCall } from './queue.js';
import { figuresOf, localMidnight, recordsSince } from './own-figures.js';
import { QueueDirectory } from './queue-directory.js';
import type { ContactCenterStore } from '../store/contact-center.js';
import { type Candidate, openTier, pickAgents } from './strategies.js';

export interface ContactCenterOptions {
  calls: CallEngine;
  /** Where a supervisor's listen/whisper peer is taken out of a call's media room. */
  media?: Pick<MediaPlane, 'participantLeft'>;
  router: MessageRouter;
  sessions: SessionRegistry;
  /** Sessions watching a user's presence: they hear `agent.status` too. */
  presenceWatchers: (userId: UserId) => Iterable<Session>;
  store: ContactCenterStore;
  users: UserStore;
  /** Call records: an agent's own figures are counted from them (they survive a restart). */
  records?: RecordStore;
  registry: Registry;
  logger: Logger;
  now?: () => number;
  /** A safety net: queues with waiting calls are looked at again this often. */
  sweepIntervalMs?: number;
}

/** Supervisors' `queue.state` is coalesced to at most one snapshot per queue this often. */
const PUBLISH_MS = 50;
/** Callers hear their new place in the queue at most this often. */
const POSITION_MS = 250;

/**
 * Seat calling: queues hold callers (as ringing calls of the engine without a callee), offer each
 * call to agents by the queue's strategy (as normal invitations with queue context), and follow
 * agents through on-call, after-call work and back to available.
 *
 * The engine reports leg changes and call ends through `QueueHooks`, in the middle of its own
 * work; every reaction that calls back into the engine is deferred to a microtask.
 */
export class ContactCenter extends QueueDirectory implements QueueHooks {
  private readonly answered = new Map<string, AnsweredCall>();
  private readonly waitingById = new Map<string, WaitingCall>();
  private readonly metrics: ContactCenterMetrics;
  private readonly sweep: NodeJS.Timeout;
  protected readonly log: Logger;

  constructor(private readonly o: ContactCenterOptions) {
    super(o.store, o.now ?? Date.now);
    this.log = o.logger.child({ component: 'contact-center' });
    this.metrics = createContactCenterMetrics(o.registry, () => ({
      queueStats: () => this.allStats(false),
      queueAgentTimes: () => {
        const now = this.now();
        return [...this.queues.values()].map((q) => {
          const sum = {
            available: 0,
            'on-call': 0,
            'after-call-work': 0,
            break: 0,
            'logged-out': 0,
          };
          for (const userId of q.order) {
            const times = this.agents.get(userId)?.timeInStatus(now);
            if (times) for (const status of AGENT_STATUSES) sum[status] += times[status];
          }
          return { queue: q.name, timeInStatusMs: sum };
        });
      },
      agentStatuses: () => {
        const counts = new Map<AgentStatus, number>();
        for (const a of this.agents.values()) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
        return counts;
      },
    }));
    this.sweep = setInterval(() => {
      for (const queue of this.queues.values()) if (queue.waiting.length > 0) this.dispatch(queue);
    }, o.sweepIntervalMs ?? 1_000);
    this.sweep.unref();
  }

  close(): void {
    clearInterval(this.sweep);
    for (const queue of this.queues.values()) {
      clearTimeout(queue.publishTimer);
      clearTimeout(queue.positionTimer);
      for (const w of queue.waiting) clearTimeout(w.maxWaitTimer);
    }
    for (const agent of this.agents.values()) clearTimeout(agent.afterCallTimer);
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
    const queue = this.queues.get(name);
    if (!queue) throw new ProtocolError('not-found', `no such queue: ${name}`);
    const caller = await this.o.users.get(session.userId);
    if (this.o.calls.get(data.callId)) throw new ProtocolError('conflict', 'call id in use');
    const info = this.o.calls.createQueued(session, data, name);
    const now = this.now();
    const waiting: WaitingCall = {
      callId: info.callId,
      callerId: session.userId,
      callerDevice: session.device.id,
      callerName: caller?.displayName ?? session.userId,
      queue: name,
      enteredAt: now,
      firstEnteredAt: now,
      enteredHr: performance.now(),
      offeredOnce: false,
      offeredTo: new Set(),
      tried: new Set(),
      overflowedFrom: [],
      maxWaitTimer: undefined,
      toldPosition: 0,
    };
    this.waitingById.set(info.callId, waiting);
    this.enter(queue, waiting);
    return info;
  }

  /** After a restart: calls the engine restored as waiting in a queue wait here again. */
  async adoptRestored(): Promise<void> {
    for (const info of this.o.calls.heldCalls()) {
      if (this.waitingById.has(info.callId) || !info.queue) continue;
      const queue = this.queues.get(info.queue.queue);
      if (!queue) {
        this.o.calls.endCall(info.callId, 'timeout');
        continue;
      }
      const caller = await this.o.users.get(info.callerId);
      const waiting: WaitingCall = {
        callId: info.callId,
        callerId: info.callerId,
        callerDevice: info.callerDevice,
        callerName: caller?.displayName ?? info.callerId,
        queue: queue.name,
        enteredAt: info.queue.enteredAt,
        firstEnteredAt: info.queue.enteredAt,
        enteredHr: performance.now(),
        offeredOnce: false,
        offeredTo: new Set(),
        tried: new Set(),
        overflowedFrom: [],
        maxWaitTimer: undefined,
        toldPosition: 0,
      };
      if (!this.o.calls.isHeld(info.callId)) continue; // It ended during the await.
      this.waitingById.set(info.callId, waiting);
      this.enter(
        queue,
        waiting,
        Math.max(0, queue.config.maxWaitMs - (this.now() - waiting.enteredAt)),
      );
    }
  }

  private enter(queue: Queue, waiting: WaitingCall, maxWaitMs = queue.config.maxWaitMs): void {
    waiting.queue = queue.name;
    // A caller moved to another queue hears its place there, even if the number is the same.
    waiting.toldPosition = 0;
    queue.waiting.push(waiting);
    // The caller hears its place at once; later moves are coalesced.
    this.tellPosition(queue, waiting, queue.waiting.length, this.now());
    queue.counters.entered++;
    this.metrics.calls.inc({ queue: queue.name, outcome: 'entered' });
    clearTimeout(waiting.maxWaitTimer);
    waiting.maxWaitTimer = setTimeout(() => {
      this.maxWaitReached(waiting);
    }, maxWaitMs);
    waiting.maxWaitTimer.unref();
    this.decision(waiting, 'entered the queue', { position: queue.waiting.length });
    this.dispatch(queue);
    this.tellPositions(queue);
    this.changed(queue);
  }

  private maxWaitReached(waiting: WaitingCall): void {
    const queue = this.queues.get(waiting.queue);
    if (!queue || this.waitingById.get(waiting.callId) !== waiting) return;
    const target = queue.config.overflowTo ? this.queues.get(queue.config.overflowTo) : undefined;
    this.o.calls.withdraw(waiting.callId, [...waiting.offeredTo]);
    if (target && target !== queue) {
      queue.remove(waiting);
      queue.counters.overflowed++;
      this.metrics.calls.inc({ queue: queue.name, outcome: 'overflowed' });
      this.metrics.decisions.inc({ decision: 'overflow' });
      this.decision(waiting, 'maximum wait reached: overflow', { to: target.name });
      waiting.overflowedFrom.push(queue.name);
      waiting.enteredAt = this.now();
      waiting.tried.clear();
      this.o.calls.requeue(waiting.callId, target.name);
      this.tellPositions(queue);
      this.changed(queue);
      this.enter(target, waiting);
      return;
    }
    waiting.outcome = 'timeout';
    this.metrics.decisions.inc({ decision: 'timeout' });
    this.decision(waiting, 'maximum wait reached: call ends', {});
    this.o.calls.endCall(waiting.callId, 'timeout');
  }

  // ---- distribution --------------------------------------------------------------------------

  /** Offers the waiting calls of a queue, oldest first, to the agents its strategy picks. */
  protected dispatch(queue: Queue): void {
    if (queue.waiting.length === 0) return;
    const now = this.now();
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

  /** `tiers`: look again when the next tier opens for this call. */
  private escalateLater(queue: Queue, waiting: WaitingCall, now: number): void {
    if (queue.config.strategy !== 'tiers') return;
    const waited = now - waiting.enteredAt;
    const next = openTier(queue.config, waited) * queue.config.escalateAfterMs - waited;
    const timer = setTimeout(() => {
      if (this.waitingById.get(waiting.callId) === waiting) this.dispatch(queue);
    }, next + 1);
    timer.unref();
  }

  private candidates(queue: Queue): Candidate[] {
    const out: Candidate[] = [];
    queue.order.forEach((userId, order) => {
      const agent = this.agents.get(userId);
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
      this.metrics.entryToOffer.observe((performance.now() - waiting.enteredHr) / 1000);
    }
    queue.counters.agent(agent.userId).offered++;
    this.metrics.decisions.inc({ decision: 'offer' });
    this.decision(waiting, 'offered to agent', {
      agentId: agent.userId,
      strategy: queue.config.strategy,
      waitMs,
      autoAnswer: agent.autoAnswer,
    });
    this.announce(agent);
  }

  // ---- engine hooks --------------------------------------------------------------------------

  legChanged(call: CallInfo, leg: Leg): void {
    const { callId } = call;
    const { userId, state } = leg;
    if (state === 'ringing' || state === 'inviting' || state === 'pushed') return;
    queueMicrotask(() => {
      if (state === 'accepted') this.answeredBy(callId, userId);
      else this.offerEnded(callId, userId, state === 'canceled');
    });
  }

  callEnding(call: CallInfo, record: CallRecord): void {
    const now = this.now();
    const waiting = this.waitingById.get(call.callId);
    if (waiting) {
      // The call ended while it waited: the caller hung up, or the queue timed it out.
      this.waitingById.delete(call.callId);
      clearTimeout(waiting.maxWaitTimer);
      const queue = this.queues.get(waiting.queue);
      const outcome = waiting.outcome ?? 'abandoned';
      record.queue = {
        queue: waiting.queue,
        waitSec: Math.round((now - waiting.firstEnteredAt) / 100) / 10,
        outcome,
        ...(waiting.overflowedFrom.length > 0 ? { overflowedFrom: waiting.overflowedFrom } : {}),
      };
      if (queue) {
        queue.remove(waiting);
        if (outcome === 'timeout') queue.counters.timedOut++;
        else queue.counters.abandoned++;
        this.metrics.calls.inc({ queue: queue.name, outcome });
        this.decision(waiting, 'left the queue', { outcome });
        queueMicrotask(() => {
          this.tellPositions(queue);
          this.changed(queue);
        });
      }
      return;
    }
    const answered = this.answered.get(call.callId);
    if (answered) {
      this.answered.delete(call.callId);
      record.queue = {
        queue: answered.queue,
        agentId: answered.agentId,
        waitSec: Math.round((answered.answeredAt - answered.firstEnteredAt) / 100) / 10,
        outcome: 'answered',
        ...(answered.overflowedFrom.length > 0 ? { overflowedFrom: answered.overflowedFrom } : {}),
      };
      queueMicrotask(() => {
        this.afterCall(answered);
      });
      return;
    }
    if (call.queue) {
      // A queue call of a previous run (restored after a restart): it never reached an agent here.
      record.queue = { queue: call.queue.queue, waitSec: 0, outcome: 'abandoned' };
    }
  }

  private answeredBy(callId: string, agentId: UserId): void {
    const waiting = this.waitingById.get(callId);
    const agent = this.agents.get(agentId);
    if (agent?.offeredCallId === callId) agent.offeredCallId = undefined;
    if (!waiting) return;
    const queue = this.queues.get(waiting.queue);
    this.waitingById.delete(callId);
    clearTimeout(waiting.maxWaitTimer);
    waiting.offeredTo.delete(agentId);
    const now = this.now();
    const call: AnsweredCall = {
      callId,
      queue: waiting.queue,
      agentId,
      callerId: waiting.callerId,
      firstEnteredAt: waiting.firstEnteredAt,
      answeredAt: now,
      overflowedFrom: waiting.overflowedFrom,
    };
    this.answered.set(callId, call);
    // Ring all: the others stop ringing (their legs end `canceled`, which frees them).
    this.o.calls.withdraw(callId, [...waiting.offeredTo]);
    if (agent) {
      agent.missedInRow = 0;
      agent.callId = callId;
      agent.setStatus('on-call', now);
      this.announce(agent);
    }
    this.decision(waiting, 'answered by agent', { agentId, waitMs: now - waiting.enteredAt });
    if (!queue) return;
    queue.remove(waiting);
    queue.counters.agent(agentId).answered++;
    queue.counters.answeredCall(queue.config, now - waiting.enteredAt);
    this.metrics.calls.inc({ queue: queue.name, outcome: 'answered' });
    this.metrics.speedOfAnswer.observe({ queue: queue.name }, (now - waiting.enteredAt) / 1000);
    this.tellPositions(queue);
    this.changed(queue);
  }

  /** An offer ended without an answer: re-offer the call, and count the miss against the agent. */
  private offerEnded(callId: string, agentId: UserId, withdrawn: boolean): void {
    const agent = this.agents.get(agentId);
    const waiting = this.waitingById.get(callId);
    if (agent?.offeredCallId === callId) agent.offeredCallId = undefined;
    waiting?.offeredTo.delete(agentId);
    const queue = waiting && this.queues.get(waiting.queue);
    if (waiting && queue && !withdrawn) {
      waiting.tried.add(agentId);
      queue.counters.agent(agentId).missed++;
      this.metrics.decisions.inc({ decision: 'missed' });
      this.decision(waiting, 'offer not answered: next agent', { agentId });
      if (agent) {
        agent.missedInRow++;
        const max = queue.config.maxNoAnswers;
        if (max > 0 && agent.missedInRow >= max && agent.status === 'available') {
          agent.setStatus('break', this.now(), 'no-answer');
          this.metrics.decisions.inc({ decision: 'break' });
          this.log.info(
            { callId, agentId, missedInRow: agent.missedInRow },
            'agent put on break after unanswered offers',
          );
        }
      }
    }
    if (agent) {
      this.announce(agent);
      this.agentFree(agent);
    }
    if (queue) this.dispatch(queue);
  }

  private afterCall(call: AnsweredCall): void {
    const agent = this.agents.get(call.agentId);
    const queue = this.queues.get(call.queue);
    if (queue) this.changed(queue);
    if (!agent || agent.callId !== call.callId || agent.status !== 'on-call') return;
    const acw = queue?.config.afterCallWorkMs ?? 0;
    let handled = false;
    // Once, whether after-call work runs out or the agent ends it early ("ready now").
    const countHandled = (): void => {
      if (handled || !queue) return;
      handled = true;
      const now = this.now();
      queue.counters.handledCall(agent.userId, now - call.answeredAt);
      this.metrics.handleTime.observe({ queue: queue.name }, (now - call.answeredAt) / 1000);
    };
    const finish = (): void => {
      const now = this.now();
      countHandled();
      if (agent.status === 'after-call-work' || agent.status === 'on-call') {
        agent.setStatus('available', now);
        this.announce(agent);
        this.agentFree(agent);
      }
    };
    if (acw === 0) {
      finish();
      return;
    }
    agent.setStatus('after-call-work', this.now());
    agent.callId = call.callId;
    agent.afterCallUntil = this.now() + acw;
    agent.endAfterCall = countHandled;
    agent.afterCallTimer = setTimeout(finish, acw);
    agent.afterCallTimer.unref();
    this.log.info({ callId: call.callId, agentId: agent.userId, acwMs: acw }, 'after-call work');
    this.announce(agent);
  }

  /** The agent may take a call now: every queue of theirs looks again, longest wait first. */
  protected agentFree(agent: Agent): void {
    if (!agent.isOfferable()) return;
    const queues = [...agent.memberships.keys()]
      .flatMap((name) => {
        const q = this.queues.get(name);
        return q && q.waiting.length > 0 ? [q] : [];
      })
      .sort((a, b) => (a.waiting[0]?.enteredAt ?? 0) - (b.waiting[0]?.enteredAt ?? 0));
    for (const queue of queues) {
      if (!agent.isOfferable()) return;
      this.dispatch(queue);
    }
  }

  // ---- agents --------------------------------------------------------------------------------

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
    if (agent.setStatus(status, this.now(), status === 'break' ? (reason ?? 'break') : undefined)) {
      this.log.info({ agentId: userId, status, reason }, 'agent status set by the agent');
      this.announce(agent);
      this.agentFree(agent);
    }
    return agent.toState();
  }

  /**
   * The user's last device went offline: an agent is logged out (`offline`), so supervisors see
   * it and no offer waits on a device that is gone; a pending offer moves on at once. Signing in
   * again leaves the agent logged out until they choose to be available.
   */
  userOffline(userId: UserId): void {
    const agent = this.agents.get(userId);
    if (!agent || agent.status === 'logged-out') return;
    const offered = agent.offeredCallId;
    if (agent.status === 'after-call-work') agent.endAfterCall?.();
    agent.setStatus('logged-out', this.now(), 'offline');
    this.log.info({ agentId: userId, offeredCallId: offered }, 'agent logged out: went offline');
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
    const timeInStatusMs = agent.timeInStatus(this.now());
    if (this.o.records) {
      const from = since ?? localMidnight(this.now());
      const figures = figuresOf(await recordsSince(this.o.records, userId, from), userId);
      return { userId, ...figures, timeInStatusMs, since: from };
    }
    // Without a record store (never in the server): the counters since the start.
    const total = { offered: 0, answered: 0, missed: 0, handleMs: 0 };
    for (const name of agent.memberships.keys()) {
      const counters = this.queues.get(name)?.counters.agents.get(userId);
      if (!counters) continue;
      total.offered += counters.offered;
      total.answered += counters.answered;
      total.missed += counters.missed;
      total.handleMs += counters.handleMs;
    }
    return { userId, ...total, timeInStatusMs };
  }

  /** The queues this user supervises, by name. */
  supervisedQueues(userId: UserId): { name: QueueName; displayName?: string }[] {
    return [...this.queues.values()]
      .filter((q) => q.supervisors.has(userId))
      .map((q) => ({
        name: q.name,
        ...(q.config.displayName === undefined ? {} : { displayName: q.config.displayName }),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async setAutoAnswer(userId: UserId, autoAnswer: boolean): Promise<AgentState> {
    const agent = this.agentOf(userId);
    await this.o.store.setAutoAnswer(userId, autoAnswer);
    agent.autoAnswer = autoAnswer;
    this.announce(agent);
    return agent.toState();
  }

  private agentOf(userId: UserId): Agent {
    const agent = this.agents.get(userId);
    if (!agent || agent.memberships.size === 0) {
      throw new ProtocolError('forbidden', 'you are not an agent of any queue');
    }
    return agent;
  }

  /** `agent.status` to the agent's devices, its presence watchers and its queues' supervisors. */
  protected announce(agent: Agent): void {
    const frame = encodeEvent('agent.status', agent.toState());
    this.o.router.toUser(agent.userId, frame);
    const told = new Set<Session>();
    for (const s of this.o.presenceWatchers(agent.userId)) {
      told.add(s);
      s.send(frame);
    }
    for (const name of agent.memberships.keys()) {
      const queue = this.queues.get(name);
      if (!queue) continue;
      for (const s of queue.watchers) {
        if (!told.has(s)) {
          told.add(s);
          s.send(frame);
        }
      }
      this.changed(queue);
    }
  }

  // ---- supervisors ---------------------------------------------------------------------------

  subscribe(session: Session, names: readonly QueueName[]) {
    const queues = names.map((name) => this.supervised(session.userId, name));
    for (const queue of queues) queue.watchers.add(session);
    const now = this.now();
    return queues.map((q) => q.snapshot(this.agents, this.answered.values(), now));
  }

  unsubscribe(session: Session, names: readonly QueueName[]): void {
    for (const name of names) this.queues.get(name)?.watchers.delete(session);
  }

  stats(userId: UserId, name: QueueName): QueueStats {
    return this.supervised(userId, name).stats(this.agents, this.now());
  }

  /** The agent of an answered queue call that this supervisor may monitor. */
  monitorTarget(userId: UserId, callId: string): UserId {
    const call = this.answered.get(callId);
    if (!call) throw new ProtocolError('not-found', 'no answered queue call with this id');
    this.supervised(userId, call.queue);
    if (!this.o.calls.isParticipant(callId, call.agentId)) {
      throw new ProtocolError('invalid-state', 'the agent is no longer in the call');
    }
    this.log.info({ callId, supervisorId: userId, agentId: call.agentId }, 'monitor ticket');
    return call.agentId;
  }

  /**
   * Barge: the supervisor becomes an accepted participant of the call (an engine leg), so the
   * agent and caller see them and the call record lists them; listen and whisper stay out of it.
   */
  barge(userId: UserId, deviceId: string, callId: string): void {
    const agentId = this.monitorTarget(userId, callId);
    this.o.calls.join(callId, userId, deviceId, agentId);
    this.log.info({ callId, supervisorId: userId, agentId }, 'supervisor barged in');
  }

  /**
   * A supervisor lost the queue (removed from it, or it was deleted): their monitoring of its
   * answered calls ends at once. A barge leg leaves the signaling call (which drops its media
   * peer); a listen or whisper peer, which has no leg, is taken out of the media room. New
   * tickets and joins are refused from now on (`monitorTarget`, `mayMonitor`).
   */
  protected supervisionEnded(queue: Queue, userId: UserId): void {
    for (const call of this.answered.values()) {
      if (call.queue !== queue.name || userId === call.agentId || userId === call.callerId)
        continue;
      // Deferred like every reaction that calls into the engine (the caller may be inside it).
      queueMicrotask(() => {
        if (this.mayMonitor(call.callId, userId)) return; // Supervises it again, or another way.
        this.log.info(
          { callId: call.callId, supervisorId: userId, queue: queue.name },
          'monitoring ended: no longer a supervisor',
        );
        if (this.o.calls.isParticipant(call.callId, userId)) {
          this.o.calls.dismiss(call.callId, userId, 'supervisor-removed');
        } else this.o.media?.participantLeft(call.callId, userId, 'removed');
      });
    }
  }

  /** For SFU admission of `listen`/`whisper`/`barge` tickets. */
  mayMonitor(callId: string, userId: UserId): boolean {
    const call = this.answered.get(callId);
    return call !== undefined && this.queues.get(call.queue)?.supervisors.has(userId) === true;
  }

  private supervised(userId: UserId, name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new ProtocolError('not-found', `no such queue: ${name}`);
    if (!queue.supervisors.has(userId)) {
      throw new ProtocolError('forbidden', `you are not a supervisor of ${name}`);
    }
    return queue;
  }

  // ---- notifications -------------------------------------------------------------------------

  /**
   * Tells each waiting caller whose place changed, soon: coalesced per queue, because telling
   * every caller behind on each answer is quadratic in the queue's length.
   */
  protected tellPositions(queue: Queue): void {
    if (queue.positionTimer) return;
    queue.positionTimer = setTimeout(() => {
      queue.positionTimer = undefined;
      const now = this.now();
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

  /** Supervisors get a fresh snapshot soon (coalesced). */
  protected changed(queue: Queue): void {
    if (queue.watchers.size === 0 || queue.publishTimer) return;
    queue.publishTimer = setTimeout(() => {
      queue.publishTimer = undefined;
      this.publish(queue);
    }, PUBLISH_MS);
    queue.publishTimer.unref();
  }

  private publish(queue: Queue): void {
    for (const s of queue.watchers) {
      // Sessions that closed since they subscribed are dropped here.
      if (!this.o.sessions.sessionsOf(s.userId).includes(s)) queue.watchers.delete(s);
    }
    if (queue.watchers.size === 0) return;
    const snapshot = queue.snapshot(this.agents, this.answered.values(), this.now());
    const frame = encodeEvent('queue.state', snapshot);
    for (const s of queue.watchers) s.send(frame);
  }

  /** Every queue's statistics; without the per-agent part when `perAgent` is false. */
  allStats(perAgent = true): QueueStats[] {
    const now = this.now();
    return [...this.queues.values()].map((q) => q.stats(perAgent ? this.agents : new Map(), now));
  }

  /** Every distribution decision is logged with its call id. */
  private decision(w: WaitingCall, message: string, fields: Record<string, unknown>): void {
    this.log.info({ callId: w.callId, queue: w.queue, ...fields }, message);
  }
}
