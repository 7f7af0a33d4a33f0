import type { CallRecord } from '../../protocol/index.js';
import { callRecordSchema } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import { parseJsonColumn } from './sqlite/json-column.js';
import type { RecordKey, RecordQuery } from './types.js';

/**
 * What the SQLite and PostgreSQL record stores share: the page sizes, the key a page starts
 * below, and reading rows back through the record schema.
 */

export const DEFAULT_RECORD_LIMIT = 50;
/** A page of 1,000 and one more, read to know whether another page follows. */
export const MAX_RECORD_LIMIT = 1001;

/** A stored record as both stores read it: its key column and its JSON text. */
export interface RecordRow {
  call_id: string;
  record: string;
}

/**
 * The records of `rows` that parse and belong to their row. A corrupt row is logged and
 * skipped, so one bad record never hides a user's whole history.
 */
export function parseRecordRows(rows: readonly RecordRow[], logger: Logger): CallRecord[] {
  const records: CallRecord[] = [];
  for (const row of rows) {
    const parsed = parseJsonColumn(row.record, callRecordSchema);
    if (parsed.ok && parsed.value.callId === row.call_id) {
      records.push(parsed.value);
    } else {
      const reason = parsed.ok ? 'call id does not match its row' : parsed.reason;
      logger.error({ callId: row.call_id, reason }, 'corrupt call record skipped');
    }
  }
  return records;
}

/** The lower of `before` and `olderThan` as a key: a page starts strictly below it. */
export function upperRecordKey(query: RecordQuery): RecordKey {
  const before: RecordKey = { createdAt: query.before ?? Number.MAX_SAFE_INTEGER, callId: '' };
  const after = query.olderThan;
  if (after === undefined) return before;
  const afterIsLower =
    after.createdAt < before.createdAt ||
    (after.createdAt === before.createdAt && after.callId < before.callId);
  return afterIsLower ? after : before;
}
