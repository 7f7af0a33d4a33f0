import type { CallRecord } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import {
  DEFAULT_RECORD_LIMIT,
  MAX_RECORD_LIMIT,
  parseRecordRows,
  type RecordRow,
  upperRecordKey,
} from '../record-pages.js';
import type { RecordQuery, RecordStore } from '../types.js';
import type { WriteOp } from './batch-writer.js';
import type { CallJournal } from './call-journal.js';
import type { CallWriteStatement } from './calls-database.js';
import type { SqliteDatabase, Statement } from './database.js';
import { clampLimit } from './paging.js';
import { settle } from './settle.js';

/**
 * A user's records (caller or participant), newest first, in one range scan of the participants
 * index. Exported so a test can check the query plan. Parameters: user id, then RangeParams.
 */
export const USER_HISTORY_SQL = `SELECT r.call_id, r.record FROM call_participants p
  JOIN call_records r ON r.call_id = p.call_id
  WHERE p.user_id = ? AND p.created_at >= ? AND (p.created_at, p.call_id) < (?, ?)
  ORDER BY p.created_at DESC, p.call_id DESC LIMIT ?`;

/**
 * [from (inclusive), then the key the page starts strictly below (created_at, call_id), limit].
 * `before` alone is the key (before, ''): every call id sorts at or above the empty string.
 */
type RangeParams = [number, number, string, number];

/**
 * Call records, group-committed through the call journal (call-journal.ts), in the same
 * transaction as the call's live row being deleted. Adding a record for a call id already stored
 * replaces it. Pages are newest first by (createdAt, callId), and `olderThan` goes on strictly
 * below such a key: records sharing a millisecond are neither skipped nor repeated.
 */
export class SqliteRecordStore implements RecordStore {
  private readonly selectOne: Statement<[string], RecordRow>;
  private readonly selectForUser: Statement<[string, ...RangeParams], RecordRow>;
  private readonly selectRange: Statement<RangeParams, RecordRow>;

  constructor(
    /** The calls file (calls-database.ts): read here, written by the journal's writer. */
    db: SqliteDatabase,
    private readonly logger: Logger,
    private readonly journal: CallJournal,
  ) {
    this.selectOne = db.prepare('SELECT call_id, record FROM call_records WHERE call_id = ?');
    this.selectForUser = db.prepare(USER_HISTORY_SQL);
    this.selectRange = db.prepare(
      `SELECT call_id, record FROM call_records
       WHERE created_at >= ? AND (created_at, call_id) < (?, ?)
       ORDER BY created_at DESC, call_id DESC LIMIT ?`,
    );
  }

  add(record: CallRecord): void {
    this.journal.addRecord(record);
  }

  async query(query: RecordQuery): Promise<CallRecord[]> {
    await this.journal.settled();
    return settle(() => {
      const below = upperRecordKey(query);
      const range: RangeParams = [
        query.from ?? Number.MIN_SAFE_INTEGER,
        below.createdAt,
        below.callId,
        clampLimit(query.limit, DEFAULT_RECORD_LIMIT, MAX_RECORD_LIMIT),
      ];
      const rows =
        query.userId === undefined
          ? this.selectRange.all(...range)
          : this.selectForUser.all(query.userId, ...range);
      return parseRecordRows(rows, this.logger);
    });
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    await this.journal.settled();
    return settle(() => {
      const row = this.selectOne.get(callId);
      return row === undefined ? undefined : parseRecordRows([row], this.logger)[0];
    });
  }

  flush(): Promise<void> {
    return this.journal.settled();
  }
}

/** The statements that store one record: the row, and one participants row per user. */
export function recordOps(callId: string, record: CallRecord): WriteOp[] {
  const participant = (userId: string): WriteOp => [
    'insertParticipant' satisfies CallWriteStatement,
    [callId, userId, record.createdAt],
  ];
  return [
    [
      'upsertRecord' satisfies CallWriteStatement,
      [
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
      ],
    ],
    // A record added again for the same call replaces its participants too.
    ['deleteParticipants' satisfies CallWriteStatement, [callId]],
    participant(record.callerId),
    ...record.participants.map((p) => participant(p.userId)),
  ];
}
