import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  type Registration,
  SFU_NODES_KEY,
  nodeKey,
  parseWire,
  registrationSchema,
} from './node-wire.js';

/**
 * Signaling's view of the SFU nodes: their registrations read from Redis every heartbeat. A node
 * whose registration expired (or that came back as a new process under its id: its rooms are
 * gone) is reported lost once; it counts as live again when it registers anew.
 */
export class NodeDirectory {
  private live = new Map<string, Registration>();
  /** Nodes found lost before their registration expired: `id` → that registration's `startedAt`. */
  private readonly deaf = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /**
   * After Redis was unreachable, registrations may have expired while their nodes could not
   * renew them: nobody is found lost until a TTL after Redis answers again.
   */
  private unreachableSince: number | undefined;
  private graceUntil = 0;

  constructor(
    private readonly o: {
      redis: Redis;
      intervalMs: number;
      /** How long a registration lives unrenewed (`sfuNodes.registrationTtlMs`). */
      ttlMs: number;
      logger: Logger;
      /** A node that was live is not: its calls move. */
      onLost: (node: Registration) => void;
    },
  ) {}

  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => {
      void this.poll();
    }, this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  nodes(): readonly Registration[] {
    return [...this.live.values()];
  }

  get(id: string): Registration | undefined {
    return this.live.get(id);
  }

  /** Reads the registry now (also what the heartbeat does); one read at a time. */
  poll(): Promise<void> {
    this.polling ??= this.read().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** The node is lost now, whatever its registration says (its command channel has no ear). */
  lost(id: string): void {
    const node = this.live.get(id);
    if (!node) return;
    this.live.delete(id);
    this.deaf.set(id, node.startedAt);
    this.o.onLost(node);
  }

  private async read(): Promise<void> {
    let found: Map<string, Registration>;
    try {
      const ids = await this.o.redis.smembers(SFU_NODES_KEY);
      const texts = ids.length > 0 ? await this.o.redis.mget(ids.map(nodeKey)) : [];
      found = new Map();
      const expired: string[] = [];
      ids.forEach((id, i) => {
        const text = texts[i];
        if (text === null || text === undefined) {
          expired.push(id);
          return;
        }
        const node = parseWire(registrationSchema, text, (why) => {
          this.o.logger.warn({ sfuNode: id, why }, 'sfu node registration unreadable');
        });
        if (node && this.deaf.get(id) !== node.startedAt) found.set(id, node);
      });
      if (expired.length > 0) await this.o.redis.srem(SFU_NODES_KEY, ...expired);
    } catch (error) {
      // Redis unreachable: keep the nodes known; they are not known to be lost.
      this.unreachableSince ??= Date.now();
      this.o.logger.warn({ err: error }, 'sfu node registry not read');
      return;
    }
    if (this.unreachableSince !== undefined) {
      this.unreachableSince = undefined;
      this.graceUntil = Date.now() + this.o.ttlMs;
    }
    if (Date.now() < this.graceUntil) {
      // Nodes not back yet keep their calls for now; new registrations count at once.
      for (const [id, node] of this.live) if (!found.has(id)) found.set(id, node);
    }
    const before = this.live;
    this.live = found;
    for (const [id, node] of before) {
      const now = found.get(id);
      if (!now || now.startedAt !== node.startedAt) {
        this.o.logger.warn({ sfuNode: id }, 'sfu node lost');
        this.o.onLost(node);
      }
    }
  }
}
