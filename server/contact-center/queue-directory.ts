import type {
  QueueConfig,
  QueueConfigInput,
  QueueConfigPatch,
  QueueMember,
  QueueName,
  UserId,
} from '../../protocol/index.js';
import { ProtocolError, queueConfigSchema, queueMemberSchema } from '../../protocol/index.js';
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.js';
import { Agent } from './agents.js';
import { Queue } from './queue.js';
import type { ContactCenterStore, StoredQueue } from '../store/contact-center.js';

/** A queue as the admin API and CLI show it. */
export interface QueueListing extends StoredQueue {
  waiting: number;
}

/**
 * What an administrative change means for the rest of seat calling (ContactCenter wires each to
 * the manager concerned), emitted synchronously after memory holds the change.
 */
export interface DirectoryEventMap {
  /** The queue's configuration changed: its calls may be offered differently. */
  'queue-configured': [queue: Queue];
  /** The queue's members changed: supervisors see it. */
  'members-changed': [queue: Queue];
  /** The agent's memberships changed; `joined`: they may take this queue's calls now. */
  'agent-changed': [agent: Agent, joined: boolean];
  /** The user supervises this queue no more: what they monitor of its calls must end. */
  'supervision-ended': [queue: Queue, userId: UserId];
}

/**
 * Queues and agents in memory, and their administration (written through to the store first, so
 * that memory never holds what the database refused). The distribution, the agent roster and the
 * supervisor feed read queues and agents here; only the administration adds or removes them.
 */
export class QueueDirectory extends EventEmitter<DirectoryEventMap> {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly agentsById = new Map<UserId, Agent>();

  constructor(
    private readonly ccStore: ContactCenterStore,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Every agent (a member of at least one queue, or once one), by user id. */
  get agents(): ReadonlyMap<UserId, Agent> {
    return this.agentsById;
  }

  queue(name: QueueName): Queue | undefined {
    return this.queues.get(name);
  }

  allQueues(): IterableIterator<Queue> {
    return this.queues.values();
  }

  agent(userId: UserId): Agent | undefined {
    return this.agentsById.get(userId);
  }

  /** Reads every queue from the store (once, at start). */
  async load(): Promise<void> {
    for (const stored of await this.ccStore.listQueues()) {
      const queue = new Queue(stored.config);
      this.queues.set(queue.name, queue);
      for (const userId of stored.supervisors) queue.supervisors.add(userId);
      for (const member of stored.members) await this.join(queue, member);
    }
    this.log.info({ queues: this.queues.size, agents: this.agentsById.size }, 'queues loaded');
  }

  listQueues(): QueueListing[] {
    return [...this.queues.values()].map((q) => ({
      config: q.config,
      members: [...q.members.values()],
      supervisors: [...q.supervisors],
      waiting: q.waiting.length,
    }));
  }

  getQueue(name: QueueName): QueueListing | undefined {
    return this.listQueues().find((q) => q.config.name === name);
  }

  async createQueue(input: QueueConfigInput): Promise<QueueConfig> {
    const config = queueConfigSchema.parse(input);
    if (this.queues.has(config.name)) throw new ProtocolError('conflict', 'queue exists');
    await this.ccStore.saveQueue(config);
    this.queues.set(config.name, new Queue(config));
    this.log.info({ queue: config.name, config }, 'queue created');
    return config;
  }

  async updateQueue(name: QueueName, patch: QueueConfigPatch): Promise<QueueConfig> {
    const queue = this.queueNamed(name);
    const { overflowTo, ...rest } = patch;
    const merged: QueueConfigInput = { ...queue.config, ...rest };
    if (overflowTo === null) delete merged.overflowTo;
    else if (overflowTo !== undefined) merged.overflowTo = overflowTo;
    const config = queueConfigSchema.parse(merged);
    await this.ccStore.saveQueue(config);
    queue.config = config;
    this.log.info({ queue: name, config }, 'queue changed');
    this.emit('queue-configured', queue);
    return config;
  }

  /** Deletes a queue; calls still waiting in it end as timed out by the queue's owner. */
  async deleteQueue(name: QueueName, endWaiting: (callId: string) => void): Promise<void> {
    const queue = this.queueNamed(name);
    await this.ccStore.deleteQueue(name);
    this.queues.delete(name);
    for (const w of [...queue.waiting]) endWaiting(w.callId);
    for (const userId of queue.supervisors) this.emit('supervision-ended', queue, userId);
    for (const userId of queue.members.keys()) {
      const agent = this.agentsById.get(userId);
      agent?.memberships.delete(name);
      if (agent) this.emit('agent-changed', agent, false);
    }
    this.log.info({ queue: name }, 'queue deleted');
  }

  async setMember(name: QueueName, input: { userId: UserId; tier?: number; skill?: number }) {
    const queue = this.queueNamed(name);
    const member = queueMemberSchema.parse(input);
    await this.ccStore.setMember(name, member);
    await this.join(queue, member);
    const agent = this.agentsById.get(member.userId);
    this.log.info({ queue: name, ...member }, 'agent added to queue');
    if (agent) this.emit('agent-changed', agent, true);
    return member;
  }

  async removeMember(name: QueueName, userId: UserId): Promise<boolean> {
    const queue = this.queueNamed(name);
    const removed = await this.ccStore.removeMember(name, userId);
    queue.removeMember(userId);
    const agent = this.agentsById.get(userId);
    agent?.memberships.delete(name);
    if (agent) this.emit('agent-changed', agent, false);
    this.emit('members-changed', queue);
    return removed;
  }

  async setSupervisor(name: QueueName, userId: UserId, supervisor: boolean): Promise<void> {
    const queue = this.queueNamed(name);
    await this.ccStore.setSupervisor(name, userId, supervisor);
    if (supervisor) queue.supervisors.add(userId);
    else {
      const was = queue.supervisors.delete(userId);
      for (const s of [...queue.watchers]) if (s.userId === userId) queue.watchers.delete(s);
      if (was) this.emit('supervision-ended', queue, userId);
    }
    this.log.info({ queue: name, userId, supervisor }, 'supervisor changed');
  }

  private queueNamed(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new ProtocolError('not-found', `no such queue: ${name}`);
    return queue;
  }

  private async join(queue: Queue, member: QueueMember): Promise<void> {
    queue.setMember(member);
    let agent = this.agentsById.get(member.userId);
    if (!agent) {
      agent = new Agent(member.userId, this.now());
      agent.autoAnswer = await this.ccStore.getAutoAnswer(member.userId);
      this.agentsById.set(member.userId, agent);
    }
    agent.memberships.set(queue.name, member);
  }
}
