import type { CallInfo } from '../../../protocol/index.js';
import { callInfoSchema } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type { LiveCallStore } from '../types.js';
import type { BatchWriter, WriteOp } from './batch-writer.js';
import { InlineBatchWriter } from './batch-writer.js';
import { CALL_WRITE_SQL, type CallWriteStatement } from './calls-database.js';
import type { SqliteDatabase, Statement } from './database.js';
import { parseJsonColumn } from './json-column.js';
import { settle } from './settle.js';
import { WriteBehindQueue } from './write-behind.js';

interface SnapshotRow {
  call_id: string;
  snapshot: string;
}

/**
 * Live calls, write-behind. The call object is serialized when its batch is handed to the
 * writer, not when `save` is called: the newest state of the object then is what gets stored.
 */
export class SqliteLiveCallStore implements LiveCallStore {
  /** `null` marks a deletion. */
  private readonly queue: WriteBehindQueue<CallInfo | null>;
  private readonly selectAll: Statement<[], SnapshotRow>;
  /**
   * Ids that have a row in the file. A call that ends before its first flush (most calls that
   * are refused, canceled or answered and hung up within the flush interval) is never written:
   * its pending insert is dropped instead of being followed by a delete.
   */
  private readonly stored: Set<string>;

  constructor(
    /** The calls file (calls-database.ts): read here, written by `writer`. */
    db: SqliteDatabase,
    private readonly logger: Logger,
    options: { flushIntervalMs?: number; writer?: BatchWriter } = {},
  ) {
    // Whatever an earlier run left, restored or not, must still be deleted when it ends.
    this.stored = new Set(db.prepare<[], string>('SELECT call_id FROM live_calls').pluck().all());
    this.selectAll = db.prepare<[], SnapshotRow>(
      'SELECT call_id, snapshot FROM live_calls ORDER BY call_id',
    );
    this.queue = new WriteBehindQueue<CallInfo | null>({
      writer: options.writer ?? new InlineBatchWriter(db, CALL_WRITE_SQL, logger),
      logger,
      name: 'live-calls',
      keyLogField: 'callId',
      intervalMs: options.flushIntervalMs,
      // Serialized when the batch is handed over: the newest state of the call is stored.
      toOps: (callId, call): WriteOp[] => {
        if (call === null) {
          this.stored.delete(callId);
          return [['deleteLiveCall' satisfies CallWriteStatement, [callId]]];
        }
        this.stored.add(callId);
        const row = [callId, JSON.stringify(call), Date.now()];
        return [['upsertLiveCall' satisfies CallWriteStatement, row]];
      },
    });
  }

  save(call: CallInfo): void {
    this.queue.set(call.callId, call);
  }

  delete(callId: string): void {
    if (this.stored.has(callId)) this.queue.set(callId, null);
    else this.queue.drop(callId);
  }

  async loadAll(): Promise<CallInfo[]> {
    await this.queue.settled();
    return settle(() => {
      const calls: CallInfo[] = [];
      for (const row of this.selectAll.iterate()) {
        const parsed = parseJsonColumn(row.snapshot, callInfoSchema);
        if (parsed.ok && parsed.value.callId === row.call_id) {
          calls.push(parsed.value);
        } else {
          const reason = parsed.ok ? 'call id does not match its row' : parsed.reason;
          this.logger.error({ callId: row.call_id, reason }, 'corrupt live call snapshot skipped');
        }
      }
      return calls;
    });
  }

  flush(): Promise<void> {
    return this.queue.settled();
  }

  /** Hands what is pending to the writer and stops the timer (the writer closes after). */
  close(): void {
    this.queue.close();
  }
}
