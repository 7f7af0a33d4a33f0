import type { Logger } from '../logger.js';
import type { PersistedLiveCall } from '../store/types.js';
import type { ClusterBus } from './bus.js';
import type { OwnedLiveCallStore } from './call-ownership.js';
import type { ClusterSessionRegistry } from './cluster-sessions.js';
import { nodeLeaseKey } from './messages.js';

/** Every node that has started and not yet been taken over or stopped cleanly. */
export const NODES_KEY = 'tp:nodes';
/** Who is taking a dead node's calls over (one node at a time). */
const takeoverLeaseKey = (deadNodeId: string): string => `tp:lease:takeover:${deadNodeId}`;

/**
 * Watches the other nodes' leases. When one expired, one node (the one that wins the takeover
 * lease) removes the dead node's devices from the directory (every node's replica drops them:
 * their clients reconnect elsewhere and rejoin), claims each call the dead node owned (one
 * atomic claim per call) and adopts them from the shared store, then forgets the node.
 */
export class Takeover {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly o: {
      nodeId: string;
      bus: ClusterBus;
      leaseMs: number;
      liveCalls: OwnedLiveCallStore;
      sessions: ClusterSessionRegistry;
      adopt: (calls: readonly PersistedLiveCall[]) => void;
      deciding: () => boolean;
      logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    await this.o.bus.redis.sadd(NODES_KEY, this.o.nodeId);
    // Checked every fifth of a lease: a dead owner is noticed at most that long after it expired.
    this.timer = setInterval(
      () => {
        void this.check();
      },
      Math.max(100, Math.floor(this.o.leaseMs / 5)),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Leaves the cluster's list of nodes (a clean stop: nothing is left to take over). */
  async leave(): Promise<void> {
    this.stop();
    await this.o.bus.redis.srem(NODES_KEY, this.o.nodeId);
  }

  private async check(): Promise<void> {
    if (this.running || !this.o.deciding()) return;
    this.running = true;
    try {
      const nodes = await this.o.bus.redis.smembers(NODES_KEY);
      for (const nodeId of nodes) {
        if (nodeId === this.o.nodeId) continue;
        if ((await this.o.bus.redis.exists(nodeLeaseKey(nodeId))) === 1) continue;
        await this.takeOver(nodeId);
      }
    } catch (error) {
      this.o.logger.warn({ err: error }, 'takeover check failed');
    } finally {
      this.running = false;
    }
  }

  private async takeOver(deadNodeId: string): Promise<void> {
    const won = await this.o.bus.redis.set(
      takeoverLeaseKey(deadNodeId),
      this.o.nodeId,
      'PX',
      this.o.leaseMs * 10,
      'NX',
    );
    if (won !== 'OK') return;
    const started = performance.now();
    await this.o.sessions.forgetNode(deadNodeId);
    const calls = await this.o.liveCalls.claimAll(deadNodeId);
    if (!this.o.deciding()) return; // Lost our own lease meanwhile: the next node will do it.
    this.o.adopt(calls);
    await this.o.bus.redis.srem(NODES_KEY, deadNodeId);
    await this.o.bus.redis.del(takeoverLeaseKey(deadNodeId));
    this.o.logger.warn(
      {
        deadNodeId,
        calls: calls.map((c) => c.info.callId),
        ms: Math.round(performance.now() - started),
      },
      'took over a dead node',
    );
  }
}
