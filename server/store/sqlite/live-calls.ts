import type { CallInfo } from '../../../protocol/index.js';
import { callInfoSchema } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type { LiveCallStore } from '../types.js';
import type { SqliteDatabase, Statement } from './database.js';
import { parseJsonColumn } from './json-column.js';
import { settle } from './settle.js';
import { WriteBehindQueue } from './write-behind.js';

interface SnapshotRow {
  call_id: string;
  snapshot: string;
}

/**
 * Live calls, write-behind. The call object is serialized when the batch is written, not when
 * `save` is called: the newest state of the object at that moment is what gets stored.
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
    db: SqliteDatabase,
    private readonly logger: Logger,
    options: { flushIntervalMs?: number } = {},
  ) {
    const upsert = db.prepare<[string, string, number]>(
      `INSERT INTO live_calls (call_id, snapshot, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (call_id) DO UPDATE SET snapshot = excluded.snapshot,
         updated_at = excluded.updated_at`,
    );
    const remove = db.prepare<[string]>('DELETE FROM live_calls WHERE call_id = ?');
    // Whatever an earlier run left, restored or not, must still be deleted when it ends.
    this.stored = new Set(db.prepare<[], string>('SELECT call_id FROM live_calls').pluck().all());
    this.selectAll = db.prepare<[], SnapshotRow>(
      'SELECT call_id, snapshot FROM live_calls ORDER BY call_id',
    );
    this.queue = new WriteBehindQueue<CallInfo | null>({
      db,
      logger,
      name: 'live-calls',
      keyLogField: 'callId',
      intervalMs: options.flushIntervalMs,
      writeOne: (callId, call) => {
        if (call === null) {
          remove.run(callId);
          this.stored.delete(callId);
        } else {
          upsert.run(callId, JSON.stringify(call), Date.now());
          this.stored.add(callId);
        }
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

  loadAll(): Promise<CallInfo[]> {
    return settle(() => {
      this.queue.flushNow();
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
    return settle(() => {
      this.queue.flushNow();
    });
  }

  /** Writes what is pending and stops the timer. */
  close(): void {
    this.queue.close();
  }
}
