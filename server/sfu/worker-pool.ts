import * as mediasoup from 'mediasoup';
import type { Logger } from '../logger.js';

type Worker = mediasoup.types.Worker;
type Router = mediasoup.types.Router;

/** What a dead worker took with it: every call whose router lived on it. */
export interface DeadWorkerReport {
  pid: number;
  callIds: string[];
  error: Error;
}

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger: Logger;
  /** A worker died: it is being replaced; the rooms it hosted are gone. */
  onWorkerDied: (report: DeadWorkerReport) => void;
}

interface Slot {
  worker: Worker;
  /** Routers on this worker, with the call each one serves. */
  routers: Map<Router, string>;
}

/** Pause before trying again when a replacement worker fails to start. */
const RESPAWN_RETRY_MS = 1_000;
/** A router whose worker died while it was being created is tried on another worker. */
const CREATE_ROUTER_ATTEMPTS = 3;

/**
 * A fixed number of mediasoup workers. A worker that dies is replaced and the calls it hosted are
 * reported; routers go to the worker with the fewest of them.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: { resolve: (slot: Slot) => void; reject: (e: Error) => void }[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly o: WorkerPoolOptions) {}

  /** Starts every worker; rejects (and closes those started) if one cannot start. */
  async start(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.o.size }, () => this.spawn()));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** The live worker with the fewest routers. Throws when none is alive (all being replaced). */
  leastLoaded(): Worker {
    const slot = this.leastLoadedSlot();
    if (!slot) throw new Error('no live mediasoup worker');
    return slot.worker;
  }

  /** A router for the call, on the least-loaded live worker (waiting for one if all died). */
  async createRouter(
    callId: string,
    mediaCodecs: mediasoup.types.RtpCodecCapability[],
  ): Promise<Router> {
    for (let attempt = 1; ; attempt++) {
      const slot = this.leastLoadedSlot() ?? (await this.nextWorker());
      try {
        const router = await slot.worker.createRouter({ mediaCodecs, appData: { callId } });
        slot.routers.set(router, callId);
        router.observer.once('close', () => {
          // A dying worker closes its routers before it says `died`: keep them for the report.
          if (!slot.worker.died) slot.routers.delete(router);
        });
        return router;
      } catch (error) {
        if (!slot.worker.closed || attempt >= CREATE_ROUTER_ATTEMPTS) throw error;
      }
    }
  }

  /** Live workers, for tests and metrics. */
  workers(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  counts(): { workers: number; routers: number } {
    let routers = 0;
    for (const slot of this.slots) routers += slot.routers.size;
    return { workers: this.slots.length, routers };
  }

  /** Stops every worker (their processes get SIGTERM); no replacement from now on. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const w of this.waiting.splice(0)) w.reject(new Error('worker pool closed'));
    const workers = this.slots.splice(0).map((s) => s.worker);
    for (const worker of workers) worker.close();
    return Promise.resolve();
  }

  private leastLoadedSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.worker.closed) continue;
      if (!best || slot.routers.size < best.routers.size) best = slot;
    }
    return best;
  }

  private nextWorker(): Promise<Slot> {
    if (this.closed) return Promise.reject(new Error('worker pool closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
    });
  }

  private async spawn(): Promise<void> {
    const { rtcMinPort, rtcMaxPort, logger } = this.o;
    const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort, rtcMaxPort });
    if (this.closed) {
      worker.close();
      return;
    }
    const slot: Slot = { worker, routers: new Map() };
    this.slots.push(slot);
    worker.on('died', (error) => {
      this.died(slot, error);
    });
    logger.info({ pid: worker.pid, workers: this.slots.length }, 'mediasoup worker started');
    for (const w of this.waiting.splice(0)) w.resolve(slot);
  }

  private died(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    const callIds = [...new Set(slot.routers.values())];
    slot.routers.clear();
    const pid = slot.worker.pid;
    this.o.logger.error({ pid, err: error, callIds }, 'mediasoup worker died');
    if (!this.closed) this.respawn();
    try {
      this.o.onWorkerDied({ pid, callIds, error });
    } catch (e) {
      this.o.logger.error({ err: e, pid }, 'worker death handler failed');
    }
  }

  private respawn(): void {
    this.spawn().catch((error: unknown) => {
      if (this.closed) return;
      this.o.logger.error({ err: error }, 'mediasoup worker failed to start; retrying');
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        if (!this.closed) this.respawn();
      }, RESPAWN_RETRY_MS);
      timer.unref();
      this.retryTimers.add(timer);
    });
  }
}
