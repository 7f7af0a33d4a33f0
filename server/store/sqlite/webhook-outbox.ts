import type { Logger } from '../../logger.js';
import { type OutboxEntry, outboxEntrySchema } from '../outbox-entry.js';
import type { WebhookOutboxStore } from '../types.js';
import type { CallJournal } from './call-journal.js';
import type { SqliteDatabase, Statement } from './database.js';
import { parseJsonColumn } from './json-column.js';
import { settle } from './settle.js';

interface OutboxRow {
  delivery_id: string;
  call_id: string;
  entry: string;
}

/**
 * The webhook outbox in the calls file. Entries are written by the call journal, in the batch
 * (and the transaction) of the call step they tell of; settled ones are deleted in a later
 * batch. Read back once, at start, through the entry schema.
 */
export class SqliteWebhookOutbox implements WebhookOutboxStore {
  private readonly selectAll: Statement<[], OutboxRow>;

  constructor(
    db: SqliteDatabase,
    private readonly logger: Logger,
    private readonly journal: CallJournal,
  ) {
    this.selectAll = db.prepare<[], OutboxRow>(
      'SELECT delivery_id, call_id, entry FROM webhook_outbox ORDER BY created_at, delivery_id',
    );
  }

  add(callId: string, entry: OutboxEntry): void {
    this.journal.addWebhook(callId, entry);
  }

  remove(deliveryId: string): void {
    this.journal.removeWebhook(deliveryId);
  }

  async loadAll(): Promise<OutboxEntry[]> {
    await this.journal.settled();
    return settle(() => {
      const entries: OutboxEntry[] = [];
      for (const row of this.selectAll.iterate()) {
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
    });
  }
}
