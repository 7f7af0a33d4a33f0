import type { QueueName, QueueSnapshot, QueueStats, UserId } from '../../protocol/index.js';
import { ProtocolError, encodeEvent } from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { MediaPlane } from '../calls/ports.js';
import type { Logger } from '../logger.js';
import type { Session, SessionRegistry } from '../signaling/sessions.js';
import type { Queue } from './queue.js';
import type { QueueCallsView } from './queue-calls.js';
import type { QueueDirectory } from './queue-directory.js';

/** Supervisors' `queue.state` is coalesced to at most one snapshot per queue this often. */
const PUBLISH_MS = 50;

export interface SupervisorFeedOptions {
  directory: QueueDirectory;
  queueCalls: QueueCallsView;
  calls: Pick<CallEngine, 'isParticipant' | 'join' | 'dismiss'>;
  /** Where a supervisor's listen/whisper peer is taken out of a call's media room. */
  media?: Pick<MediaPlane, 'participantLeft'> | undefined;
  sessions: SessionRegistry;
  log: Logger;
  now: () => number;
}

/**
 * What supervisors see and do: their queues' `queue.state` (subscribed, coalesced), statistics,
 * and monitoring an agent's answered call (listen, whisper, barge) while they supervise its queue.
 */
export class SupervisorFeed {
  constructor(private readonly o: SupervisorFeedOptions) {}

  close(): void {
    for (const queue of this.o.directory.allQueues()) clearTimeout(queue.publishTimer);
  }

  subscribe(session: Session, names: readonly QueueName[]): QueueSnapshot[] {
    const queues = names.map((name) => this.supervised(session.userId, name));
    for (const queue of queues) queue.watchers.add(session);
    const now = this.o.now();
    return queues.map((q) => this.snapshotOf(q, now));
  }

  unsubscribe(session: Session, names: readonly QueueName[]): void {
    for (const name of names) this.o.directory.queue(name)?.watchers.delete(session);
  }

  stats(userId: UserId, name: QueueName): QueueStats {
    return this.supervised(userId, name).stats(this.o.directory.agents, this.o.now());
  }

  /** Every queue's statistics; without the per-agent part when `perAgent` is false. */
  allStats(perAgent = true): QueueStats[] {
    const now = this.o.now();
    const agents = perAgent ? this.o.directory.agents : new Map();
    return [...this.o.directory.allQueues()].map((q) => q.stats(agents, now));
  }

  /** The queues this user supervises, by name. */
  supervisedQueues(userId: UserId): { name: QueueName; displayName?: string }[] {
    return [...this.o.directory.allQueues()]
      .filter((q) => q.supervisors.has(userId))
      .map((q) => ({
        name: q.name,
        ...(q.config.displayName === undefined ? {} : { displayName: q.config.displayName }),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The agent of an answered queue call that this supervisor may monitor. */
  monitorTarget(userId: UserId, callId: string): UserId {
    const call = this.o.queueCalls.answered(callId);
    if (!call) throw new ProtocolError('not-found', 'no answered queue call with this id');
    this.supervised(userId, call.queue);
    if (!this.o.calls.isParticipant(callId, call.agentId)) {
      throw new ProtocolError('invalid-state', 'the agent is no longer in the call');
    }
    this.o.log.info({ callId, supervisorId: userId, agentId: call.agentId }, 'monitor ticket');
    return call.agentId;
  }

  /**
   * Barge: the supervisor becomes an accepted participant of the call (an engine leg), so the
   * agent and caller see them and the call record lists them; listen and whisper stay out of it.
   */
  barge(userId: UserId, deviceId: string, callId: string): void {
    const agentId = this.monitorTarget(userId, callId);
    this.o.calls.join(callId, userId, deviceId, agentId);
    this.o.log.info({ callId, supervisorId: userId, agentId }, 'supervisor barged in');
  }

  /**
   * A supervisor lost the queue (removed from it, or it was deleted): their monitoring of its
   * answered calls ends at once. A barge leg leaves the signaling call (which drops its media
   * peer); a listen or whisper peer, which has no leg, is taken out of the media room. New
   * tickets and joins are refused from now on (`monitorTarget`, `mayMonitor`).
   */
  supervisionEnded(queue: Queue, userId: UserId): void {
    for (const call of this.o.queueCalls.answeredCalls()) {
      if (call.queue !== queue.name || userId === call.agentId || userId === call.callerId)
        continue;
      // Deferred like every reaction that calls into the engine (the caller may be inside it).
      queueMicrotask(() => {
        if (this.mayMonitor(call.callId, userId)) return; // Supervises it again, or another way.
        this.o.log.info(
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
    const call = this.o.queueCalls.answered(callId);
    return (
      call !== undefined && this.o.directory.queue(call.queue)?.supervisors.has(userId) === true
    );
  }

  /** Supervisors get a fresh snapshot soon (coalesced). */
  changed(queue: Queue): void {
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
    const frame = encodeEvent('queue.state', this.snapshotOf(queue, this.o.now()));
    for (const s of queue.watchers) s.send(frame);
  }

  private snapshotOf(queue: Queue, now: number): QueueSnapshot {
    return queue.snapshot(this.o.directory.agents, this.o.queueCalls.answeredCalls(), now);
  }

  private supervised(userId: UserId, name: QueueName): Queue {
    const queue = this.o.directory.queue(name);
    if (!queue) throw new ProtocolError('not-found', `no such queue: ${name}`);
    if (!queue.supervisors.has(userId)) {
      throw new ProtocolError('forbidden', `you are not a supervisor of ${name}`);
    }
    return queue;
  }
}
