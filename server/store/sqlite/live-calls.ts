import type { CallInfo } from '../../../protocol/index.js';
import { callInfoSchema } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type { LiveCallStore, PersistedLiveCall } from '../types.js';
import { ALIVE_KEY, type CallJournal } from './call-journal.js';
import type { SqliteDatabase, Statement } from './database.js';
import { parseJsonColumn } from './json-column.js';
import { settle } from './settle.js';

interface SnapshotRow {
  call_id: string;
  snapshot: string;
  updated_at: number;
}

/** Ids of the live calls an earlier run left in the calls file. */
export function storedLiveCallIds(db: SqliteDatabase): string[] {
  return db.prepare<[], string>('SELECT call_id FROM live_calls').pluck().all();
}

/**
 * Live calls, group-committed through the call journal (call-journal.ts). The call object is
 * serialized when its batch is handed to the writer, not when `save` is called: the newest
 * state of the object then is what gets stored.
 */
export class SqliteLiveCallStore implements LiveCallStore {
  private readonly selectAll: Statement<[], SnapshotRow>;
  /**
   * The previous run's last alive note, read when the store opens: the journal goes on noting
   * this run's liveness from then on (the stored calls count as live until restored), and a
   * slow start must not date the calls a crash cut at this run's start.
   */
  private readonly previousAliveAt: number;

  constructor(
    /** The calls file (calls-database.ts): read here, written by the journal's writer. */
    db: SqliteDatabase,
    private readonly logger: Logger,
    private readonly journal: CallJournal,
  ) {
    this.selectAll = db.prepare<[], SnapshotRow>(
      'SELECT call_id, snapshot, updated_at FROM live_calls ORDER BY call_id',
    );
    this.previousAliveAt =
      db
        .prepare<[string], number>('SELECT value FROM server_state WHERE key = ?')
        .pluck()
        .get(ALIVE_KEY) ?? 0;
  }

  save(call: CallInfo): void {
    this.journal.saveLive(call);
  }

  delete(callId: string): void {
    this.journal.deleteLive(callId);
  }

  async loadAll(): Promise<PersistedLiveCall[]> {
    await this.journal.settled();
    return settle(() => {
      const aliveAt = this.previousAliveAt;
      const calls: PersistedLiveCall[] = [];
      for (const row of this.selectAll.iterate()) {
        const parsed = parseJsonColumn(row.snapshot, callInfoSchema);
        if (parsed.ok && parsed.value.callId === row.call_id) {
          calls.push({ info: parsed.value, persistedAt: Math.max(row.updated_at, aliveAt) });
        } else {
          const reason = parsed.ok ? 'call id does not match its row' : parsed.reason;
          this.logger.error({ callId: row.call_id, reason }, 'corrupt live call snapshot skipped');
        }
      }
      return calls;
    });
  }

  flush(): Promise<void> {
    return this.journal.settled();
  }
}
