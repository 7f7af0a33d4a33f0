import type { Logger } from '../../logger.js';
import type { SqliteDatabase } from './database.js';

export const DEFAULT_FLUSH_INTERVAL_MS = 20;

export interface WriteBehindOptions<T> {
  db: SqliteDatabase;
  logger: Logger;
  /** Names the queue in logs. */
  name: string;
  /** Log field that carries an entry's key, e.g. `callId` (see server/logger.ts). */
  keyLogField: string;
  intervalMs?: number;
  /** Writes one pending entry; called inside the batch's transaction. */
  writeOne: (key: string, value: T) => void;
}

/**
 * Pending writes keyed by id: only the last value per key is written (a call saved five times
 * between flushes is written once). A timer writes all pending entries in one transaction.
 *
 * If a batch fails, its entries are retried one by one in their own transactions, so a single bad
 * entry costs only itself; whatever still fails is logged and dropped. Either way the queue keeps
 * going and the process does not crash.
 */
export class WriteBehindQueue<T> {
  private pending = new Map<string, T>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly intervalMs: number;
  private readonly writeBatch: (entries: readonly (readonly [string, T])[]) => void;

  constructor(private readonly options: WriteBehindOptions<T>) {
    this.intervalMs = options.intervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    this.writeBatch = options.db.transaction((entries: readonly (readonly [string, T])[]) => {
      for (const [key, value] of entries) options.writeOne(key, value);
    });
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

  /** Writes everything pending, synchronously. Reads call this first to see their own writes. */
  flushNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.pending = new Map();
    try {
      this.writeBatch(entries);
    } catch (error) {
      this.options.logger.error(
        { err: error, queue: this.options.name, entries: entries.length },
        'write-behind batch failed; retrying its entries one by one',
      );
      this.writeEachAlone(entries);
    }
  }

  /** Stops the timer after writing what is pending; later writes are dropped with a warning. */
  close(): void {
    this.flushNow();
    this.closed = true;
  }

  private writeEachAlone(entries: readonly (readonly [string, T])[]): void {
    for (const entry of entries) {
      try {
        this.writeBatch([entry]);
      } catch (error) {
        this.options.logger.error(
          { err: error, queue: this.options.name, [this.options.keyLogField]: entry[0] },
          'write-behind entry dropped',
        );
      }
    }
  }
}
