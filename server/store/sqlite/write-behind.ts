import type { Logger } from '../../logger.js';
import type { BatchWriter, WriteOp } from './batch-writer.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 20;

export interface WriteBehindOptions<T> {
  /** Where batches go: in-line, or the writer thread (see batch-writer.ts). */
  writer: BatchWriter;
  logger: Logger;
  /** Names the queue in logs. */
  name: string;
  /** Log field that carries an entry's key, e.g. `callId` (see server/logger.ts). */
  keyLogField: string;
  intervalMs?: number;
  /** The statements that store one pending entry, run together when the batch is written. */
  toOps: (key: string, value: T) => readonly WriteOp[];
}

/**
 * Pending writes keyed by id: only the last value per key is written (a call saved five times
 * between flushes is written once). A timer hands all pending entries to the writer as one
 * batch, one transaction; the writer keeps a failed batch's good entries (see `applyBatch`).
 */
export class WriteBehindQueue<T> {
  private pending = new Map<string, T>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly intervalMs: number;

  constructor(private readonly options: WriteBehindOptions<T>) {
    this.intervalMs = options.intervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  }

  get size(): number {
    return this.pending.size;
  }

  set(key: string, value: T): void {
    if (this.closed) {
      this.options.logger.warn(
        { queue: this.options.name, [this.options.keyLogField]: key },
        'write after close dropped',
      );
      return;
    }
    this.pending.set(key, value);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.flushNow();
      }, this.intervalMs);
      // Pending writes alone must not keep the process alive; close() flushes them.
      this.timer.unref();
    }
  }

  /** Forgets the pending write of `key`, if any (a write that turned out to be unneeded). */
  drop(key: string): void {
    this.pending.delete(key);
  }

  /** Hands everything pending to the writer now. */
  flushNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0) return;
    const { name, keyLogField, toOps, writer } = this.options;
    const groups = [];
    for (const [key, value] of this.pending) {
      try {
        groups.push({ key, ops: toOps(key, value) });
      } catch (error) {
        this.options.logger.error(
          { err: error, queue: name, [keyLogField]: key },
          'write-behind entry dropped',
        );
      }
    }
    this.pending = new Map();
    writer.write({ queue: name, keyLogField, groups });
  }

  /** Resolves once everything set so far is in the file: reads call this first. */
  settled(): Promise<void> {
    this.flushNow();
    return this.options.writer.settled();
  }

  /** Hands over what is pending and stops; later writes are dropped with a warning. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }
}
