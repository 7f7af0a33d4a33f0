import type pg from 'pg';
import type { SqlValue, WriteGroup } from '../sqlite/batch-writer.js';
import type { CallWriteStatement } from '../sqlite/calls-database.js';

/**
 * A whole batch of the call journal in a few set-based statements, one per kind of write, each
 * taking its rows as arrays (`unnest`): a constant number of round trips per commit, where one
 * statement per op (call-writer.ts's fallback) made the single writer connection the bottleneck
 * at a hundred call setups a second.
 *
 * Running the kinds one after the other instead of group by group is the same: every group of a
 * batch writes the rows of its own call (its record, participants, outbox entries, live row);
 * only the settled outbox deliveries are deleted by id, after every insert. Two rows with the
 * same key in one upsert would fail the statement (the journal never makes them: one group per
 * call); the caller then writes the batch group by group.
 */
const BULK_SQL: Readonly<Record<CallWriteStatement, string>> = {
  upsertRecord: `INSERT INTO call_records (call_id, caller_id, media, created_at, answered_at,
      ended_at, end_reason, duration_sec, record, queue_name, agent_id, wait_sec)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
      $6::bigint[], $7::text[], $8::float8[], $9::text[], $10::text[], $11::text[], $12::float8[])
    ON CONFLICT (call_id) DO UPDATE SET caller_id = excluded.caller_id,
      media = excluded.media, created_at = excluded.created_at,
      answered_at = excluded.answered_at, ended_at = excluded.ended_at,
      end_reason = excluded.end_reason, duration_sec = excluded.duration_sec,
      record = excluded.record, queue_name = excluded.queue_name,
      agent_id = excluded.agent_id, wait_sec = excluded.wait_sec`,
  deleteParticipants: 'DELETE FROM call_participants WHERE call_id = ANY($1::text[])',
  insertParticipant: `INSERT INTO call_participants (call_id, user_id, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
  insertOutbox: `INSERT INTO webhook_outbox (delivery_id, call_id, entry, created_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
    ON CONFLICT DO NOTHING`,
  upsertLiveCall: `INSERT INTO live_calls (call_id, snapshot, updated_at)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
    ON CONFLICT (call_id) DO UPDATE SET snapshot = excluded.snapshot,
      updated_at = excluded.updated_at`,
  deleteLiveCall: 'DELETE FROM live_calls WHERE call_id = ANY($1::text[])',
  upsertServerState: `INSERT INTO server_state (key, value)
    SELECT * FROM unnest($1::text[], $2::bigint[])
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  deleteOutbox: 'DELETE FROM webhook_outbox WHERE delivery_id = ANY($1::text[])',
};

/** Within a call, the journal's order of its ops; deletions of settled deliveries last. */
const ORDER: readonly CallWriteStatement[] = [
  'upsertRecord',
  'deleteParticipants',
  'insertParticipant',
  'insertOutbox',
  'upsertLiveCall',
  'deleteLiveCall',
  'upsertServerState',
  'deleteOutbox',
];

const isStatement = (name: string): name is CallWriteStatement =>
  (ORDER as readonly string[]).includes(name);

/** Runs the groups' ops as one statement per kind, on a client inside a transaction. */
export async function runBulk(client: pg.ClientBase, groups: readonly WriteGroup[]): Promise<void> {
  const rowsByKind = new Map<CallWriteStatement, (readonly SqlValue[])[]>();
  for (const group of groups) {
    for (const [name, params] of group.ops) {
      if (!isStatement(name)) throw new Error(`unknown statement ${name}`);
      let rows = rowsByKind.get(name);
      if (!rows) rowsByKind.set(name, (rows = []));
      rows.push(params);
    }
  }
  for (const kind of ORDER) {
    const rows = rowsByKind.get(kind);
    if (!rows) continue;
    const width = rows[0]?.length ?? 0;
    // Column-wise: the statement's $n is the array of every row's n-th value.
    const columns = Array.from({ length: width }, (_, column) => rows.map((row) => row[column]));
    await client.query({ name: `bulk-${kind}`, text: BULK_SQL[kind], values: columns });
  }
}
