import type pg from 'pg';
import type { CallInfo, CallRecord } from '../../../protocol/index.js';
import { callInfoSchema } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import { type OutboxEntry, outboxEntrySchema } from '../outbox-entry.js';
import { ALIVE_KEY, type CallJournal } from '../sqlite/call-journal.js';
import { parseJsonColumn } from '../sqlite/json-column.js';
import { clampLimit } from '../sqlite/paging.js';
import {
  DEFAULT_RECORD_LIMIT,
  MAX_RECORD_LIMIT,
  parseRecordRows,
  type RecordRow,
  upperRecordKey,
} from '../record-pages.js';
import type {
  LiveCallStore,
  PersistedLiveCall,
  RecordQuery,
  RecordStore,
  WebhookOutboxStore,
} from '../types.js';

/**
 * Call data on PostgreSQL: live calls, records and the webhook outbox. Writes go through the
 * same call journal as SQLite's (group commit, `CommitBarrier`, a call's live-row delete and
 * its record in one transaction), here committed by PostgresCallWriter; reads wait for what is
 * pending, then query.
 */

/** Ids of the live calls an earlier run left, and that run's last alive note. */
export async function readStoredCallState(
  pool: pg.Pool,
): Promise<{ liveCallIds: string[]; previousAliveAt: number }> {
  const ids = await pool.query<{ call_id: string }>('SELECT call_id FROM live_calls');
  const alive = await pool.query<{ value: number }>(
    'SELECT value FROM server_state WHERE key = $1',
    [ALIVE_KEY],
  );
  return {
    liveCallIds: ids.rows.map((row) => row.call_id),
    previousAliveAt: alive.rows[0]?.value ?? 0,
  };
}

export class PostgresLiveCallStore implements LiveCallStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly journal: CallJournal,
    /** Read when the store opened: this run notes its own liveness from then on. */
    private readonly previousAliveAt: number,
  ) {}

  save(call: CallInfo): void {
    this.journal.saveLive(call);
  }

  delete(callId: string): void {
    this.journal.deleteLive(callId);
  }

  async loadAll(): Promise<PersistedLiveCall[]> {
    await this.journal.settled();
    const { rows } = await this.pool.query<{
      call_id: string;
      snapshot: string;
      updated_at: number;
    }>('SELECT call_id, snapshot, updated_at FROM live_calls ORDER BY call_id');
    const calls: PersistedLiveCall[] = [];
    for (const row of rows) {
      const parsed = parseJsonColumn(row.snapshot, callInfoSchema);
      if (parsed.ok && parsed.value.callId === row.call_id) {
        calls.push({
          info: parsed.value,
          persistedAt: Math.max(row.updated_at, this.previousAliveAt),
        });
      } else {
        const reason = parsed.ok ? 'call id does not match its row' : parsed.reason;
        this.logger.error({ callId: row.call_id, reason }, 'corrupt live call snapshot skipped');
      }
    }
    return calls;
  }

  flush(): Promise<void> {
    return this.journal.settled();
  }
}

/** Newest first by (created_at, call_id); a page goes on strictly below its key. */
const RANGE_SQL = `SELECT call_id, record FROM call_records
  WHERE created_at >= $1 AND (created_at, call_id) < ($2, $3)
  ORDER BY created_at DESC, call_id DESC LIMIT $4`;
/** A user's records (caller or participant): one range of the participants index. */
const USER_HISTORY_SQL = `SELECT r.call_id, r.record FROM call_participants p
  JOIN call_records r ON r.call_id = p.call_id
  WHERE p.user_id = $5 AND p.created_at >= $1 AND (p.created_at, p.call_id) < ($2, $3)
  ORDER BY p.created_at DESC, p.call_id DESC LIMIT $4`;

export class PostgresRecordStore implements RecordStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly journal: CallJournal,
  ) {}

  add(record: CallRecord): void {
    this.journal.addRecord(record);
  }

  async query(query: RecordQuery): Promise<CallRecord[]> {
    await this.journal.settled();
    const below = upperRecordKey(query);
    const values: (string | number)[] = [
      query.from ?? Number.MIN_SAFE_INTEGER,
      below.createdAt,
      below.callId,
      clampLimit(query.limit, DEFAULT_RECORD_LIMIT, MAX_RECORD_LIMIT),
    ];
    const { rows } =
      query.userId === undefined
        ? await this.pool.query<RecordRow>({ name: 'records-range', text: RANGE_SQL, values })
        : await this.pool.query<RecordRow>({
            name: 'records-of-user',
            text: USER_HISTORY_SQL,
            values: [...values, query.userId],
          });
    return parseRecordRows(rows, this.logger);
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    await this.journal.settled();
    const { rows } = await this.pool.query<RecordRow>(
      'SELECT call_id, record FROM call_records WHERE call_id = $1',
      [callId],
    );
    return parseRecordRows(rows, this.logger)[0];
  }

  flush(): Promise<void> {
    return this.journal.settled();
  }
}

export class PostgresWebhookOutbox implements WebhookOutboxStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private readonly journal: CallJournal,
  ) {}

  add(callId: string, entry: OutboxEntry): void {
    this.journal.addWebhook(callId, entry);
  }

  remove(deliveryId: string): void {
    this.journal.removeWebhook(deliveryId);
  }

  async loadAll(): Promise<OutboxEntry[]> {
    await this.journal.settled();
    const { rows } = await this.pool.query<{ delivery_id: string; call_id: string; entry: string }>(
      'SELECT delivery_id, call_id, entry FROM webhook_outbox ORDER BY created_at, delivery_id',
    );
    const entries: OutboxEntry[] = [];
    for (const row of rows) {
      const parsed = parseJsonColumn(row.entry, outboxEntrySchema);
      if (parsed.ok && parsed.value.deliveryId === row.delivery_id) {
        entries.push(parsed.value);
      } else {
        const reason = parsed.ok ? 'delivery id does not match its row' : parsed.reason;
        this.logger.error(
          { callId: row.call_id, deliveryId: row.delivery_id, reason },
          'corrupt webhook outbox entry skipped',
        );
      }
    }
    return entries;
  }
}
