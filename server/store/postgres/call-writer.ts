import type pg from 'pg';
import type { Logger } from '../../logger.js';
import type { BatchProblem, BatchWriter, WriteBatch, WriteGroup } from '../sqlite/batch-writer.js';
import { droppedEntries, logProblems } from '../sqlite/batch-writer.js';
import type { CallWriteStatement } from '../sqlite/calls-database.js';

/**
 * The call journal's statements (server/store/sqlite/call-journal.ts names them) in PostgreSQL.
 * Every one is an idempotent upsert or delete, as in SQLite, so a batch written twice is fine.
 */
export const PG_CALL_WRITE_SQL = {
  upsertRecord: `INSERT INTO call_records (call_id, caller_id, media, created_at, answered_at,
      ended_at, end_reason, duration_sec, record, queue_name, agent_id, wait_sec)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (call_id) DO UPDATE SET caller_id = excluded.caller_id,
      media = excluded.media, created_at = excluded.created_at,
      answered_at = excluded.answered_at, ended_at = excluded.ended_at,
      end_reason = excluded.end_reason, duration_sec = excluded.duration_sec,
      record = excluded.record, queue_name = excluded.queue_name,
      agent_id = excluded.agent_id, wait_sec = excluded.wait_sec`,
  deleteParticipants: 'DELETE FROM call_participants WHERE call_id = $1',
  insertParticipant: `INSERT INTO call_participants (call_id, user_id, created_at)
    VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
  upsertLiveCall: `INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES ($1, $2, $3)
    ON CONFLICT (call_id) DO UPDATE SET snapshot = excluded.snapshot,
      updated_at = excluded.updated_at`,
  deleteLiveCall: 'DELETE FROM live_calls WHERE call_id = $1',
  upsertServerState: `INSERT INTO server_state (key, value) VALUES ($1, $2)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  insertOutbox: `INSERT INTO webhook_outbox (delivery_id, call_id, entry, created_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
  deleteOutbox: 'DELETE FROM webhook_outbox WHERE delivery_id = $1',
} as const satisfies Record<CallWriteStatement, string>;

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Commits the call journal's batches on PostgreSQL, one transaction per batch, one batch at a
 * time (the journal hands over the next only when the previous is settled). The statements are
 * named prepared statements: parsed once per connection. As in SQLite (writer-worker.cjs), a
 * failed batch is retried group by group, so one bad entry costs only itself; what still fails is
 * logged and dropped (a call's live-row change and its record form one group: both or neither).
 */
export class PostgresCallWriter implements BatchWriter {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  write(batch: WriteBatch): void {
    if (this.closed) {
      logProblems(this.logger, droppedEntries(batch, 'the call writer is closed'));
      return;
    }
    this.chain = this.chain.then(async () => {
      logProblems(this.logger, await this.apply(batch));
    });
  }

  settled(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
  }

  private async apply(batch: WriteBatch): Promise<BatchProblem[]> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // No connection (the server is down): retrying entry by entry would wait as long again.
      return droppedEntries(batch, describe(error));
    }
    let broken: Error | undefined;
    const run = async (groups: readonly WriteGroup[]): Promise<void> => {
      try {
        await runGroups(client, groups);
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken ??=
            rollbackError instanceof Error ? rollbackError : new Error(describe(rollbackError));
        });
        throw error;
      }
    };
    try {
      await run(batch.groups);
      return [];
    } catch (error) {
      const problems: BatchProblem[] = [
        {
          level: 'error',
          msg: 'write-behind batch failed; retrying its entries one by one',
          fields: { err: describe(error), queue: batch.queue, entries: batch.groups.length },
        },
      ];
      for (const group of batch.groups) {
        try {
          await run([group]);
        } catch (groupError) {
          problems.push({
            level: 'error',
            msg: 'write-behind entry dropped',
            fields: {
              err: describe(groupError),
              queue: batch.queue,
              [batch.keyLogField]: group.key,
            },
          });
        }
      }
      return problems;
    } finally {
      // A client whose rollback failed is in an unknown state: the pool drops it.
      client.release(broken);
    }
  }
}

async function runGroups(client: pg.PoolClient, groups: readonly WriteGroup[]): Promise<void> {
  await client.query('BEGIN');
  for (const group of groups) {
    for (const [name, params] of group.ops) {
      await client.query({ name: `call-${name}`, text: statementText(name), values: [...params] });
    }
  }
  await client.query('COMMIT');
}

function statementText(name: string): string {
  const sql: Readonly<Record<string, string>> = PG_CALL_WRITE_SQL;
  const text = sql[name];
  if (text === undefined) throw new Error(`unknown statement ${name}`);
  return text;
}
