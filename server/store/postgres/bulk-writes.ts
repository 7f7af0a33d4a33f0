import type pg from 'pg';
import type { SqlValue, WriteGroup } from '../sqlite/batch-writer.js';
import type { CallWriteStatement } from '../sqlite/calls-database.js';

/**
 * A whole batch of the call journal in one round trip: one call of `apply_call_batch` (schema
 * migration 6), each kind of write as arrays, one per column (`unnest` there). One statement per
 * op (call-writer.ts's fallback) made the single writer connection the bottleneck at a hundred
 * call setups a second: each round trip costs a millisecond or more on a busy machine.
 *
 * Writing kind by kind instead of group by group is the same: every group of a batch writes the
 * rows of its own call (its record, participants, outbox entries, live row), and the function
 * runs the kinds in the order the journal's ops have within a call, the deletions of settled
 * outbox deliveries last. Two rows with the same key in one upsert would fail the statement (the
 * journal never makes them: one group per call); the caller then writes group by group.
 */

/** The function's parameters, kind by kind: how many columns each kind's rows have. */
const KINDS: readonly (readonly [CallWriteStatement, number])[] = [
  ['upsertRecord', 12],
  ['deleteParticipants', 1],
  ['insertParticipant', 3],
  ['insertOutbox', 4],
  ['upsertLiveCall', 3],
  ['deleteLiveCall', 1],
  ['upsertServerState', 2],
  ['deleteOutbox', 1],
];

const PARAMETER_COUNT = KINDS.reduce((sum, [, width]) => sum + width, 0);
const APPLY_SQL = `SELECT apply_call_batch(${Array.from(
  { length: PARAMETER_COUNT },
  (_, i) => `$${String(i + 1)}`,
).join(', ')})`;

const widthOf = new Map<string, number>(KINDS);

/** Runs the groups' ops as one statement (its own transaction when none is open). */
export async function runBulk(client: pg.ClientBase, groups: readonly WriteGroup[]): Promise<void> {
  const rowsByKind = new Map<string, (readonly SqlValue[])[]>();
  for (const group of groups) {
    for (const [name, params] of group.ops) {
      const width = widthOf.get(name);
      if (width === undefined) throw new Error(`unknown statement ${name}`);
      if (params.length !== width) throw new Error(`${name} takes ${String(width)} values`);
      let rows = rowsByKind.get(name);
      if (!rows) rowsByKind.set(name, (rows = []));
      rows.push(params);
    }
  }
  const values: SqlValue[][] = [];
  for (const [kind, width] of KINDS) {
    const rows = rowsByKind.get(kind) ?? [];
    // Column-wise: each parameter is the array of every row's value in that column.
    for (let column = 0; column < width; column++)
      values.push(rows.map((row) => row[column] ?? null));
  }
  await client.query({ name: 'apply-call-batch', text: APPLY_SQL, values });
}
