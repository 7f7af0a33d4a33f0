import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { CommitBarrier } from '../store/types.js';

type Listener = (text: string) => void;

/**
 * The node's two Redis connections: one for commands and publishing (one connection, so what
 * this node publishes reaches each channel in the order it was sent), one subscribed. Either
 * reconnects on its own (ioredis); `resubscribed` tells the parts that keep replicas to rebuild
 * them, since what was published while the subscriber was away is lost.
 */
export class ClusterBus {
  readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly listeners = new Map<string, Listener>();
  private readonly onResubscribed: (() => void)[] = [];
  private closed = false;
  private barrier: CommitBarrier | undefined;
  private readonly held: { ticket: number; channel: string; message: unknown }[] = [];

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    const options = {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      retryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
    };
    this.redis = new Redis(url, { ...options, connectionName: 'trayphone-cmd' });
    this.subscriber = new Redis(url, { ...options, connectionName: 'trayphone-sub' });
    for (const connection of [this.redis, this.subscriber]) {
      connection.on('error', (error: Error) => {
        if (!this.closed) this.logger.warn({ err: error }, 'redis connection error');
      });
    }
    this.subscriber.on('message', (channel: string, text: string) => {
      this.listeners.get(channel)?.(text);
    });
    let firstReady = true;
    this.subscriber.on('ready', () => {
      // ioredis subscribes again by itself once reconnected; the replicas rebuild after that.
      if (firstReady) {
        firstReady = false;
        return;
      }
      this.logger.info('redis subscriber reconnected: rebuilding replicas');
      for (const rebuild of this.onResubscribed) rebuild();
    });
  }

  async connect(): Promise<void> {
    await Promise.all([this.redis.connect(), this.subscriber.connect()]);
  }

  async subscribe(channel: string, listener: Listener): Promise<void> {
    this.listeners.set(channel, listener);
    await this.subscriber.subscribe(channel);
  }

  /** Fire and forget: the command connection queues it while reconnecting. */
  publish(channel: string, message: unknown): void {
    this.redis.publish(channel, JSON.stringify(message)).catch((error: unknown) => {
      this.logger.warn({ err: error, channel }, 'redis publish failed');
    });
  }

  /** From the node's start: what `publishDurable` sends waits for the store's commits. */
  holdUntilCommitted(barrier: CommitBarrier): void {
    this.barrier = barrier;
  }

  /**
   * For what tells of a call step (a frame for a device on another node, the answer to a
   * forwarded request): published only once the writes made before it are committed, in order,
   * as a local socket's frames are (SignalingConnection). Acknowledged means durable across
   * nodes too: an answer the owner sent before its commit would be lost with a kill -9, and
   * the node taking the call over would then decide it differently.
   */
  publishDurable(channel: string, message: unknown): void {
    const { barrier } = this;
    if (!barrier) {
      this.publish(channel, message);
      return;
    }
    const ticket = barrier.ticket();
    if (this.held.length === 0 && barrier.isCommitted(ticket)) {
      this.publish(channel, message);
      return;
    }
    this.held.push({ ticket, channel, message });
    if (this.held.length === 1) barrier.whenCommitted(ticket, this.release);
  }

  private readonly release = (): void => {
    const { barrier } = this;
    if (!barrier) return;
    let head = this.held[0];
    while (head && barrier.isCommitted(head.ticket)) {
      this.held.shift();
      this.publish(head.channel, head.message);
      head = this.held[0];
    }
    if (head) barrier.whenCommitted(head.ticket, this.release);
  };

  resubscribed(rebuild: () => void): void {
    this.onResubscribed.push(rebuild);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.subscriber.quit(), this.redis.quit()]);
  }

  /** Without a goodbye (the node is fenced or dying). */
  disconnect(): void {
    this.closed = true;
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
