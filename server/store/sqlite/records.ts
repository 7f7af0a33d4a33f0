import type { CallRecord } from '../../../protocol/index.js';
import { callRecordSchema } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type { RecordQuery, RecordStore } from '../types.js';
import type { SqliteDatabase, Statement } from './database.js';
import { parseJsonColumn } from './json-column.js';
import { clampLimit } from './paging.js';
import { settle } from './settle.js';
import { WriteBehindQueue } from './write-behind.js';

export const DEFAULT_RECORD_LIMIT = 50;
export const MAX_RECORD_LIMIT = 1000;

interface RecordRow {
  call_id: string;
  record: string;
}

/**
 * A user's records (caller or participant), newest first, in one range scan of the participants
 * index. Exported so a test can check the query plan. Parameters: user id, then RangeParams.
 */
export const USER_HISTORY_SQL = `SELECT r.call_id, r.record FROM call_participants p
  JOIN call_records r ON r.call_id = p.call_id
  WHERE p.user_id = ? AND p.created_at >= ? AND p.created_at < ?
  ORDER BY p.created_at DESC, p.call_id DESC LIMIT ?`;

/** [from (inclusive), before (exclusive), limit] */
type RangeParams = [number, number, number];

/**
 * Call records, write-behind. Adding a record for a call id already stored replaces it. Paging
 * is by `createdAt`: records of one user sharing the exact millisecond of a page boundary would
 * be skipped by the next page, which at one user's call rate does not happen in practice.
 */
export class SqliteRecordStore implements RecordStore {
  private readonly queue: WriteBehindQueue<CallRecord>;
  private readonly selectOne: Statement<[string], RecordRow>;
  private readonly selectForUser: Statement<[string, ...RangeParams], RecordRow>;
  private readonly selectRange: Statement<RangeParams, RecordRow>;

  constructor(
    db: SqliteDatabase,
    private readonly logger: Logger,
    options: { flushIntervalMs?: number } = {},
  ) {
    const upsertRecord = db.prepare<
      [
        string,
        string,
        string,
        number,
        number | null,
        number,
        string,
        number,
        string,
        string | null,
        string | null,
        number | null,
      ]
    >(
      `INSERT INTO call_records (call_id, caller_id, media, created_at, answered_at, ended_at,
         end_reason, duration_sec, record, queue_name, agent_id, wait_sec)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (call_id) DO UPDATE SET caller_id = excluded.caller_id,
         media = excluded.media, created_at = excluded.created_at,
         answered_at = excluded.answered_at, ended_at = excluded.ended_at,
         end_reason = excluded.end_reason, duration_sec = excluded.duration_sec,
         record = excluded.record, queue_name = excluded.queue_name,
         agent_id = excluded.agent_id, wait_sec = excluded.wait_sec`,
    );
    const deleteParticipants = db.prepare<[string]>(
      'DELETE FROM call_participants WHERE call_id = ?',
    );
    const insertParticipant = db.prepare<[string, string, number]>(
      'INSERT OR IGNORE INTO call_participants (call_id, user_id, created_at) VALUES (?, ?, ?)',
    );
    this.selectOne = db.prepare('SELECT call_id, record FROM call_records WHERE call_id = ?');
    this.selectForUser = db.prepare(USER_HISTORY_SQL);
    this.selectRange = db.prepare(
      `SELECT call_id, record FROM call_records WHERE created_at >= ? AND created_at < ?
       ORDER BY created_at DESC, call_id DESC LIMIT ?`,
    );

    this.queue = new WriteBehindQueue<CallRecord>({
      db,
      logger,
      name: 'call-records',
      keyLogField: 'callId',
      intervalMs: options.flushIntervalMs,
      writeOne: (callId, record) => {
        upsertRecord.run(
          callId,
          record.callerId,
          record.media,
          record.createdAt,
          record.answeredAt ?? null,
          record.endedAt,
          record.endReason,
          record.durationSec,
          JSON.stringify(record),
          record.queue?.queue ?? null,
          record.queue?.agentId ?? null,
          record.queue?.waitSec ?? null,
        );
        deleteParticipants.run(callId);
        insertParticipant.run(callId, record.callerId, record.createdAt);
        for (const participant of record.participants) {
          insertParticipant.run(callId, participant.userId, record.createdAt);
        }
      },
    });
  }

  add(record: CallRecord): void {
    this.queue.set(record.callId, record);
  }

  query(query: RecordQuery): Promise<CallRecord[]> {
    return settle(() => {
      this.queue.flushNow();
      const range: RangeParams = [
        query.from ?? Number.MIN_SAFE_INTEGER,
        query.before ?? Number.MAX_SAFE_INTEGER,
        clampLimit(query.limit, DEFAULT_RECORD_LIMIT, MAX_RECORD_LIMIT),
      ];
      const rows =
        query.userId === undefined
          ? this.selectRange.all(...range)
          : this.selectForUser.all(query.userId, ...range);
      return this.parseRows(rows);
    });
  }

  get(callId: string): Promise<CallRecord | undefined> {
    return settle(() => {
      this.queue.flushNow();
      const row = this.selectOne.get(callId);
      return row === undefined ? undefined : this.parseRows([row])[0];
    });
  }

  flush(): Promise<void> {
    return settle(() => {
      this.queue.flushNow();
    });
  }

  /** Writes what is pending and stops the timer. */
  close(): void {
    this.queue.close();
  }

  private parseRows(rows: readonly RecordRow[]): CallRecord[] {
    const records: CallRecord[] = [];
    for (const row of rows) {
      const parsed = parseJsonColumn(row.record, callRecordSchema);
      if (parsed.ok && parsed.value.callId === row.call_id) {
        records.push(parsed.value);
      } else {
        const reason = parsed.ok ? 'call id does not match its row' : parsed.reason;
        this.logger.error({ callId: row.call_id, reason }, 'corrupt call record skipped');
      }
    }
    return records;
  }
}
