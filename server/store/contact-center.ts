import type { QueueConfig, QueueMember, QueueName, UserId } from '../../protocol/index.js';

/** A queue as stored: its configuration, its agents and its supervisors. */
export interface StoredQueue {
  config: QueueConfig;
  members: QueueMember[];
  supervisors: UserId[];
}

/**
 * Queues, their agents and supervisors, and agents' own settings. Small and read once at start
 * (the contact center keeps everything in memory and writes through on every change).
 */
export interface ContactCenterStore {
  listQueues(): Promise<StoredQueue[]>;
  getQueue(name: QueueName): Promise<StoredQueue | undefined>;
  /** Creates or replaces the configuration (members and supervisors stay). */
  saveQueue(config: QueueConfig): Promise<void>;
  /** Deletes the queue with its members and supervisors; false if there was none. */
  deleteQueue(name: QueueName): Promise<boolean>;
  setMember(queue: QueueName, member: QueueMember): Promise<void>;
  removeMember(queue: QueueName, userId: UserId): Promise<boolean>;
  setSupervisor(queue: QueueName, userId: UserId, supervisor: boolean): Promise<void>;
  getAutoAnswer(userId: UserId): Promise<boolean>;
  setAutoAnswer(userId: UserId, autoAnswer: boolean): Promise<void>;
}
