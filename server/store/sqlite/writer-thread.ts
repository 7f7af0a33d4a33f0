import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { BatchWriter, WriteBatch } from './batch-writer.js';
import {
  InlineBatchWriter,
  batchProblemSchema,
  droppedEntries,
  logProblems,
} from './batch-writer.js';
import type { SqliteDatabase } from './database.js';
import { WRITER_ROLE } from './writer-worker.cjs';

const WORKER_FILE = fileURLToPath(new URL('./writer-worker.cjs', import.meta.url));
/** How long close() waits for the thread before ending it as hung. */
const CLOSE_GRACE_MS = 5_000;

/** What the thread sends back: one `done` per batch, in the order the batches were sent. */
const doneMessage = z.object({
  kind: z.literal('done'),
  seq: z.number().int(),
  problems: z.array(batchProblemSchema),
});

/**
 * Writes batches on a thread of its own, with its own connection to the file, so that commits
 * (and the WAL checkpoints inside them) never stall the event loop: under load, in-line flushes
 * of call records held it for 2-3 ms every 20 ms, and up to 13 ms.
 *
 * Batches are kept until the thread says they are committed. Should the thread die, they are
 * written again on this thread (every op is an idempotent upsert or delete) and so is everything
 * after: nothing is lost, only the event loop pays again.
 */
export class ThreadBatchWriter implements BatchWriter {
  private readonly worker: Worker;
  private sent = 0;
  private done = 0;
  private readonly unacknowledged = new Map<number, WriteBatch>();
  private waiters: { seq: number; resolve: () => void }[] = [];
  private fallback: { writer: BatchWriter; db?: SqliteDatabase } | undefined;
  private stopping = false;
  private closing: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(
    file: string,
    private readonly sql: Readonly<Record<string, string>>,
    private readonly logger: Logger,
    /** Opens this thread's own connection to the file, if the writer thread fails. */
    private readonly openFallback: () => SqliteDatabase,
    private readonly closeGraceMs = CLOSE_GRACE_MS,
  ) {
    this.worker = new Worker(WORKER_FILE, {
      workerData: { role: WRITER_ROLE, file, sql },
      // Not the server's flags (tsx, a CPU profile): the worker is plain CommonJS.
      execArgv: [],
    });
    // Idle, it must not keep the process alive; with batches in flight it must (see `write`).
    this.worker.unref();
    this.worker.on('message', (message: unknown) => {
      this.onMessage(message);
    });
    this.worker.on('error', (error) => {
      this.failOver(error);
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        if (!this.stopping) this.failOver(new Error('the writer thread exited'));
        resolve();
      });
    });
  }

  write(batch: WriteBatch): void {
    if (this.fallback) {
      this.fallback.writer.write(batch);
      return;
    }
    const seq = ++this.sent;
    if (this.unacknowledged.size === 0) this.worker.ref();
    this.unacknowledged.set(seq, batch);
    // As one JSON string: cloning a string is a copy, where the structured clone of thousands of
    // small arrays cost ~10% of the event loop at 1,000 setups/s (the worker parses it instead).
    this.worker.postMessage({ kind: 'batch', seq, json: JSON.stringify(batch) });
  }

  /** Tells the thread's connection to checkpoint past `pages` WAL pages itself (0: never). */
  setAutocheckpoint(pages: number): void {
    if (!this.fallback && !this.stopping)
      this.worker.postMessage({ kind: 'autocheckpoint', pages });
  }

  settled(): Promise<void> {
    if (this.done >= this.sent || this.fallback) return Promise.resolve();
    const seq = this.sent;
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (!(await this.settledWithin(this.closeGraceMs)) && !this.fallback) {
        // A hung thread: ended like a crashed one, its batches are written here (`failOver`).
        this.logger.error('writer thread does not answer; writing its batches on the event loop');
        await this.worker.terminate();
        await this.exited;
      }
      this.stopping = true;
      if (!this.fallback) {
        this.worker.ref();
        this.worker.postMessage({ kind: 'close' });
        const timer = setTimeout(() => void this.worker.terminate(), this.closeGraceMs);
        await this.exited;
        clearTimeout(timer);
      }
      this.fallback?.db?.close();
    })());
  }

  /** True once settled, false if `ms` went by first. */
  private async settledWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, ms);
    });
    try {
      return await Promise.race([this.settled().then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the thread as a crash would (tests: the fallback takes over without losing writes). */
  async killThread(): Promise<void> {
    await this.worker.terminate();
  }

  private onMessage(message: unknown): void {
    const parsed = doneMessage.safeParse(message);
    if (!parsed.success) {
      this.logger.error({ issues: parsed.error.issues.length }, 'unexpected message from writer');
      return;
    }
    const { seq, problems } = parsed.data;
    this.unacknowledged.delete(seq);
    this.done = Math.max(this.done, seq);
    logProblems(this.logger, problems);
    if (this.unacknowledged.size === 0) this.worker.unref();
    this.wake();
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.seq <= this.done || this.fallback);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  private failOver(error: unknown): void {
    if (this.fallback || this.stopping) return;
    this.logger.error({ err: error }, 'writer thread failed; writing on the event loop again');
    try {
      const db = this.openFallback();
      this.fallback = { writer: new InlineBatchWriter(db, this.sql, this.logger), db };
    } catch (openError) {
      this.logger.error({ err: openError }, 'cannot open the file on the event loop either');
      this.fallback = { writer: new DroppingWriter(this.logger) };
    }
    const replay = [...this.unacknowledged.values()];
    this.unacknowledged.clear();
    for (const batch of replay) this.fallback.writer.write(batch);
    this.done = this.sent;
    this.wake();
  }
}

/** The last resort when the file cannot be opened at all: every batch is logged as lost. */
class DroppingWriter implements BatchWriter {
  constructor(private readonly logger: Logger) {}

  write(batch: WriteBatch): void {
    logProblems(this.logger, droppedEntries(batch));
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
