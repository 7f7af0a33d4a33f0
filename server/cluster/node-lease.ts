import type { Logger } from '../logger.js';
import type { ClusterBus } from './bus.js';
import { nodeLeaseKey } from './messages.js';

/** Renews the lease only while it is still this node's (a fenced node must not take it back). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * The node's lease `tp:node:<id>` (value: a token of this run), renewed every third of its
 * length. While renewals fail the node keeps its lease only until the last good renewal plus
 * the lease length, minus a margin for clock drift: past that point another node may take its
 * calls, so this node stops deciding first (`onLost`, once) rather than risk two owners.
 */
export class NodeLease {
  private timer: NodeJS.Timeout | undefined;
  private validUntil = 0;
  private lost = false;
  private renewing = false;

  constructor(
    private readonly o: {
      nodeId: string;
      token: string;
      leaseMs: number;
      bus: ClusterBus;
      logger: Logger;
      onLost: () => void;
    },
  ) {}

  /** Takes the lease (refused if another live run of this node id holds it). */
  async acquire(): Promise<void> {
    // A node id restarted right after a crash waits for its previous run's lease to expire.
    const giveUpAt = performance.now() + this.o.leaseMs * 1.5;
    let started = performance.now();
    let ok = await this.take();
    while (ok !== 'OK' && performance.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      started = performance.now();
      ok = await this.take();
    }
    if (ok !== 'OK') {
      throw new Error(
        `cluster node id ${this.o.nodeId} is held by a running node (its lease ${nodeLeaseKey(this.o.nodeId)} is live)`,
      );
    }
    this.validUntil = started + this.o.leaseMs * 0.9;
    this.timer = setInterval(
      () => {
        void this.renew();
      },
      Math.floor(this.o.leaseMs / 3),
    );
    this.timer.unref();
  }

  private take(): Promise<string | null> {
    return this.o.bus.redis.set(
      nodeLeaseKey(this.o.nodeId),
      this.o.token,
      'PX',
      this.o.leaseMs,
      'NX',
    );
  }

  /** Is the lease surely still this node's? */
  holds(): boolean {
    if (!this.lost && performance.now() > this.validUntil) this.lose('lease not renewed in time');
    return !this.lost;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    if (this.lost) return;
    await this.o.bus.redis
      .eval(
        `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
        1,
        nodeLeaseKey(this.o.nodeId),
        this.o.token,
      )
      .catch(() => undefined);
  }

  private async renew(): Promise<void> {
    if (this.lost || this.renewing) return;
    this.renewing = true;
    const started = performance.now();
    try {
      const renewed = await withTimeout(
        this.o.bus.redis.eval(RENEW, 1, nodeLeaseKey(this.o.nodeId), this.o.token, this.o.leaseMs),
        // Waiting longer than the lease is still surely ours would be pointless.
        Math.max(50, this.validUntil - started),
      );
      if (renewed === 1) this.validUntil = started + this.o.leaseMs * 0.9;
      else this.lose('lease taken or expired');
    } catch (error) {
      this.o.logger.warn({ err: error, nodeId: this.o.nodeId }, 'node lease renewal failed');
    } finally {
      this.renewing = false;
    }
    this.holds();
  }

  private lose(why: string): void {
    if (this.lost) return;
    this.lost = true;
    clearInterval(this.timer);
    this.o.logger.error(
      { nodeId: this.o.nodeId, why },
      'node lease lost: this node stops deciding',
    );
    this.o.onLost();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer from redis in ${String(ms)} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
