import type {
  QueueConfig,
  QueueMember,
  QueueName,
  QueueSnapshot,
  UserId,
} from '../../protocol/index.js';
import type { Session } from '../signaling/sessions.js';
import type { Agent } from './agents.js';
import { QueueCounters } from './stats.js';

/** A call waiting in a queue for an agent. */
export interface WaitingCall {
  callId: string;
  callerId: UserId;
  callerDevice: string;
  callerName: string;
  queue: QueueName;
  /** When it entered the queue it waits in now (an overflow starts the clock again). */
  enteredAt: number;
  /** When it entered its first queue. */
  firstEnteredAt: number;
  /** performance.now() at entry, for the entry-to-offer latency. */
  enteredHr: number;
  /** Whether an offer went out yet (the latency is measured once). */
  offeredOnce: boolean;
  /** Agents ringing for it now. */
  offeredTo: Set<UserId>;
  /** Agents who let it ring out or refused it. */
  tried: Set<UserId>;
  overflowedFrom: QueueName[];
  maxWaitTimer: NodeJS.Timeout | undefined;
  /** The position its caller was last told. */
  toldPosition: number;
  /** Why it left the queue, when the contact center made it leave (else: abandoned). */
  outcome?: 'timeout' | 'overflowed';
}

/** A queue call an agent answered, until the call ends. */
export interface AnsweredCall {
  callId: string;
  queue: QueueName;
  agentId: UserId;
  callerId: UserId;
  firstEnteredAt: number;
  answeredAt: number;
  overflowedFrom: QueueName[];
}

/** One queue in memory: configuration, members, supervisors, who waits, counters, watchers. */
export class Queue {
  readonly members = new Map<UserId, QueueMember>();
  /** Members in a fixed order (by user id), for round robin. */
  order: UserId[] = [];
  readonly supervisors = new Set<UserId>();
  readonly waiting: WaitingCall[] = [];
  readonly counters = new QueueCounters();
  /** Supervisor sessions subscribed to `queue.state`. */
  readonly watchers = new Set<Session>();
  /** Round robin: position in `order` of the agent offered last. */
  lastOrder = -1;
  publishTimer: NodeJS.Timeout | undefined;
  positionTimer: NodeJS.Timeout | undefined;

  constructor(public config: QueueConfig) {}

  get name(): QueueName {
    return this.config.name;
  }

  setMember(member: QueueMember): void {
    this.members.set(member.userId, member);
    this.order = [...this.members.keys()].sort();
  }

  removeMember(userId: UserId): void {
    this.members.delete(userId);
    this.order = [...this.members.keys()].sort();
  }

  remove(call: WaitingCall): void {
    const index = this.waiting.indexOf(call);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /** Statistics; the per-agent part covers the members found in `agents`. */
  stats(agents: ReadonlyMap<UserId, Agent>, now: number) {
    const members = this.order.flatMap((id) => {
      const agent = agents.get(id);
      return agent ? [agent] : [];
    });
    return this.counters.snapshot(this.name, this.waiting, members, now);
  }

  snapshot(
    agents: ReadonlyMap<UserId, Agent>,
    answered: Iterable<AnsweredCall>,
    now: number,
  ): QueueSnapshot {
    const members = this.order.flatMap((id) => {
      const agent = agents.get(id);
      return agent ? [agent] : [];
    });
    const active = [...answered]
      .filter((a) => a.queue === this.name)
      .map(({ callId, agentId, callerId }) => ({ callId, agentId, callerId }));
    return {
      config: this.config,
      waiting: this.waiting.map((w, i) => ({
        callId: w.callId,
        callerId: w.callerId,
        enteredAt: w.enteredAt,
        position: i + 1,
        offeredTo: [...w.offeredTo],
      })),
      agents: members.map((a) => a.toState()),
      active,
      stats: this.counters.snapshot(this.name, this.waiting, members, now),
    };
  }
}
