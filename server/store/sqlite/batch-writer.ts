import { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { SqliteDatabase } from './database.js';
import { type PreparedStatement, applyBatch, prepareAll } from './writer-worker.cjs';

/** A value SQLite binds. */
export type SqlValue = string | number | null;

/** One statement run: a statement's name (see `statements`) and its parameters. */
export type WriteOp = readonly [statement: string, params: readonly SqlValue[]];

/** The ops of one pending entry (one call's record...): applied together or not at all. */
export interface WriteGroup {
  /** Names the entry in logs, e.g. the call id. */
  readonly key: string;
  readonly ops: readonly WriteOp[];
}

/** One write-behind flush: a transaction of groups. `queue` and `keyLogField` name it in logs. */
export interface WriteBatch {
  readonly queue: string;
  readonly keyLogField: string;
  readonly groups: readonly WriteGroup[];
}

/** Where write-behind batches go: this thread's connection, or a writer thread's. */
export interface BatchWriter {
  /** Takes one batch; returns at once (the writer thread) or after committing it (in-line). */
  write(batch: WriteBatch): void;
  /** Resolves once every batch written before the call is committed (or logged and dropped). */
  settled(): Promise<void>;
  /** Writes what it was given, then lets go of its connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * What `applyBatch` (writer-worker.cjs) reports; the caller logs it with its own logger. A schema
 * because the writer thread's reports arrive as messages (writer-thread.ts parses them).
 */
export const batchProblemSchema = z.object({
  level: z.literal('error'),
  msg: z.string(),
  fields: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type BatchProblem = z.infer<typeof batchProblemSchema>;

/** Every entry of a batch that could not be written at all, as `applyBatch` reports one. */
export function droppedEntries(batch: WriteBatch, err?: string): BatchProblem[] {
  return batch.groups.map((group) => ({
    level: 'error',
    msg: 'write-behind entry dropped',
    fields: {
      ...(err === undefined ? {} : { err }),
      queue: batch.queue,
      [batch.keyLogField]: group.key,
    },
  }));
}

export function logProblems(logger: Logger, problems: readonly BatchProblem[]): void {
  for (const problem of problems) logger[problem.level](problem.fields, problem.msg);
}

/**
 * Writes on this thread's connection, synchronously: for in-memory databases (which no other
 * thread can open) and as the writer thread's fallback.
 */
export class InlineBatchWriter implements BatchWriter {
  private statements: Map<string, PreparedStatement> | undefined;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly sql: Readonly<Record<string, string>>,
    private readonly logger: Logger,
  ) {}

  write(batch: WriteBatch): void {
    let problems: BatchProblem[];
    try {
      // Prepared on first use: a connection that is already closed fails here, per batch.
      this.statements ??= prepareAll(this.db, this.sql);
      problems = applyBatch(this.db, this.statements, batch);
    } catch (error) {
      problems = droppedEntries(batch, error instanceof Error ? error.message : String(error));
    }
    logProblems(this.logger, problems);
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
