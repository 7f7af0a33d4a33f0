import type { SqliteDatabase } from './database.js';
import type { BatchProblem, SqlValue, WriteBatch } from './batch-writer.js';

export interface PreparedStatement {
  run(...params: readonly SqlValue[]): unknown;
}

export function prepareAll(
  db: SqliteDatabase,
  sql: Readonly<Record<string, string>>,
): Map<string, PreparedStatement>;

export function applyBatch(
  db: SqliteDatabase,
  statements: ReadonlyMap<string, PreparedStatement>,
  batch: WriteBatch,
): BatchProblem[];

/** `workerData.role` that makes the module run as the writer thread. */
export const WRITER_ROLE: string;
