import type { CallInfo, CallRecord } from '../../../protocol/index.js';
import type { Logger } from '../../logger.js';
import type { CommitBarrier } from '../types.js';
import type { BatchWriter, WriteGroup, WriteOp } from './batch-writer.js';
import type { OutboxEntry } from '../outbox-entry.js';
import type { CallWriteStatement } from './calls-database.js';

/** What one call still has to write: its live snapshot (`null`: delete it) and/or its record. */
interface PendingCall {
  live?: CallInfo | null;
  record?: CallRecord;
  /** Webhooks telling of this call's step: they commit with it (webhook-outbox.ts). */
  webhooks?: OutboxEntry[];
}

/** How often the journal notes that the server is alive while calls are live (see `touch`). */
export const ALIVE_INTERVAL_MS = 250;
/** The key of the server-state row that says when the server was last known alive. */
export const ALIVE_KEY = 'alive-at';
/** The write group of the outbox rows settled since the last batch. */
const OUTBOX_KEY = 'webhook-outbox';
/** Settled outbox rows wait at most this long for a batch to ride in (see `removeWebhook`). */
export const OUTBOX_REMOVAL_DELAY_MS = ALIVE_INTERVAL_MS;

export interface CallJournalOptions {
  writer: BatchWriter;
  logger: Logger;
  /** Ids that have a live row in the file already (an earlier run's, restored or not). */
  storedLiveCalls: Iterable<string>;
  /** The statements of one record (records.ts). */
  recordOps: (callId: string, record: CallRecord) => readonly WriteOp[];
  now?: () => number;
  /**
   * Waits at least this long between batches (a commit delay, as PostgreSQL's): fewer, larger
   * commits for a little latency. 0 by default: a batch goes at the end of its turn.
   */
  minIntervalMs?: number;
}

/**
 * Call data, group-committed: every live-call change and record of an event-loop turn goes into
 * one batch, committed by the writer in one transaction, and the signaling frames of that turn
 * wait for the commit (`CommitBarrier`; SignalingConnection holds them). So nothing the server
 * answered or announced about a call is lost by a crash of the process: a client that saw a
 * step can count on the file having it.
 *
 * One batch is in flight at a time. Writes made while it commits gather in the next one, which
 * goes as soon as the first is done: under load a commit carries many turns, idle it carries
 * one, and a frame waits at most for two commits.
 *
 * A call's live-row change and its record are one group of the batch, so ending a call (its row
 * deleted, its record added) is one transaction, also when a batch is retried entry by entry.
 */
export class CallJournal implements CommitBarrier {
  private open = new Map<string, PendingCall>();
  /** The seq the open batch will have when it is handed over. */
  private openSeq = 1;
  private committedSeq = 0;
  private inFlight = false;
  private scheduled = false;
  private closed = false;
  private aliveDue = false;
  private readonly aliveTimer: NodeJS.Timeout;
  private readonly waiters = new Map<number, (() => void)[]>();
  /** Outbox rows to delete: settled deliveries, which no acknowledgement waits for. */
  private outboxRemovals: string[] = [];
  /**
   * Ids that have a row in the file. A call that ends before its first commit is never written
   * as live: its pending insert is dropped instead of being followed by a delete.
   */
  private readonly stored: Set<string>;
  private readonly now: () => number;
  private lastFlushAt = 0;
  private removalTimer: NodeJS.Timeout | undefined;
  private readonly minIntervalMs: number;

  constructor(private readonly options: CallJournalOptions) {
    this.stored = new Set(options.storedLiveCalls);
    this.now = options.now ?? Date.now;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.aliveTimer = setInterval(() => {
      this.touch();
    }, ALIVE_INTERVAL_MS);
    this.aliveTimer.unref();
  }

  // ---- CommitBarrier -------------------------------------------------------------------------

  ticket(): number {
    return this.open.size > 0 || this.aliveDue ? this.openSeq : this.openSeq - 1;
  }

  isCommitted(ticket: number): boolean {
    return ticket <= this.committedSeq;
  }

  whenCommitted(ticket: number, release: () => void): void {
    if (this.isCommitted(ticket)) {
      release();
      return;
    }
    const list = this.waiters.get(ticket);
    if (list) list.push(release);
    else this.waiters.set(ticket, [release]);
  }

  // ---- writes --------------------------------------------------------------------------------

  saveLive(call: CallInfo): void {
    this.pending(call.callId).live = call;
  }

  deleteLive(callId: string): void {
    const entry = this.pending(callId);
    if (this.stored.has(callId)) {
      entry.live = null;
      return;
    }
    // The entry stays, empty: a ticket may have been handed out for this batch already.
    delete entry.live;
  }

  addRecord(record: CallRecord): void {
    this.pending(record.callId).record = record;
  }

  addWebhook(callId: string, entry: OutboxEntry): void {
    const pending = this.pending(callId);
    (pending.webhooks ??= []).push(entry);
  }

  /**
   * A delivered (or given up) webhook's row goes with the next batch, or after at most
   * OUTBOX_REMOVAL_DELAY_MS: nothing waits for it, and a batch of its own (a commit, a wake-up of
   * the writer thread) per call was a fifth of the event loop's work for an idle-ish server. A
   * crash before it is committed sends that webhook again at the next start, which at-least-once
   * delivery allows (receivers dedupe on the delivery id).
   */
  removeWebhook(deliveryId: string): void {
    if (this.closed) return;
    this.outboxRemovals.push(deliveryId);
    this.removalTimer ??= setTimeout(() => {
      this.removalTimer = undefined;
      this.schedule();
    }, OUTBOX_REMOVAL_DELAY_MS).unref();
  }

  /**
   * Notes in the file that the server is alive, every 250 ms while calls are live (and with
   * every batch, see `flush`): a call cut by a crash is dated at the later of this and its own
   * last write (see `PersistedLiveCall`).
   */
  touch(): void {
    if (this.closed || (this.stored.size === 0 && this.open.size === 0)) return;
    this.aliveDue = true;
    this.schedule();
  }

  /** Resolves once everything written so far is committed (or logged and dropped). */
  settled(): Promise<void> {
    const ticket = this.ticket();
    if (!this.inFlight) this.flush();
    return new Promise((resolve) => {
      this.whenCommitted(ticket, resolve);
    });
  }

  /** Commits what is pending and stops; later writes are dropped with a warning. */
  async close(): Promise<void> {
    clearInterval(this.aliveTimer);
    clearTimeout(this.removalTimer);
    this.removalTimer = undefined;
    await this.settled();
    this.closed = true;
  }

  private pending(callId: string): PendingCall {
    if (this.closed) {
      this.options.logger.warn({ callId }, 'call data written after close dropped');
      return {};
    }
    let entry = this.open.get(callId);
    if (!entry) {
      this.open.set(callId, (entry = {}));
      this.schedule();
    }
    return entry;
  }

  /**
   * At the end of this event-loop turn (setImmediate runs after its I/O callbacks), but no
   * sooner than `minIntervalMs` after the last batch went.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      this.flush();
    };
    const wait = this.lastFlushAt + this.minIntervalMs - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  private flush(): void {
    if (
      this.inFlight ||
      (this.open.size === 0 && !this.aliveDue && this.outboxRemovals.length === 0)
    )
      return;
    this.lastFlushAt = performance.now();
    const seq = this.openSeq++;
    const groups = this.groupsOf(this.open);
    this.open = new Map();
    if (this.outboxRemovals.length > 0) {
      const ops = this.outboxRemovals.map((id): WriteOp => [
        'deleteOutbox' satisfies CallWriteStatement,
        [id],
      ]);
      this.outboxRemovals = [];
      groups.push({ key: OUTBOX_KEY, ops });
    }
    // Every batch that leaves calls live in the file also notes the time: a call cut by a crash
    // is dated at the server's last commit, not up to an alive interval before it (under load
    // the server acknowledges things about a live call that do not rewrite its row, e.g. queue
    // offers and peer events, right up to the crash).
    if (this.aliveDue || this.stored.size > 0) {
      this.aliveDue = false;
      const op: WriteOp = [
        'upsertServerState' satisfies CallWriteStatement,
        [ALIVE_KEY, this.now()],
      ];
      groups.push({ key: ALIVE_KEY, ops: [op] });
    }
    this.inFlight = true;
    const { writer } = this.options;
    writer.write({ queue: 'call-data', keyLogField: 'callId', groups });
    void writer.settled().then(() => {
      this.committed(seq);
    });
  }

  private committed(seq: number): void {
    this.inFlight = false;
    this.committedSeq = seq;
    for (const [ticket, list] of this.waiters) {
      if (ticket > seq) continue;
      this.waiters.delete(ticket);
      for (const release of list) release();
    }
    // What gathered while this batch was committing goes now (or after the commit delay).
    if (this.minIntervalMs > 0) this.schedule();
    else this.flush();
  }

  /** Serialized now, not when written: the newest state of each call is what gets stored. */
  private groupsOf(entries: ReadonlyMap<string, PendingCall>): WriteGroup[] {
    const groups: WriteGroup[] = [];
    const writtenAt = this.now();
    for (const [callId, entry] of entries) {
      try {
        const ops: WriteOp[] = [];
        if (entry.record) ops.push(...this.options.recordOps(callId, entry.record));
        for (const webhook of entry.webhooks ?? [])
          ops.push([
            'insertOutbox' satisfies CallWriteStatement,
            [webhook.deliveryId, callId, JSON.stringify(webhook), writtenAt],
          ]);
        if (entry.live === null) {
          ops.push(['deleteLiveCall' satisfies CallWriteStatement, [callId]]);
          this.stored.delete(callId);
        } else if (entry.live) {
          const row = [callId, JSON.stringify(entry.live), writtenAt];
          ops.push(['upsertLiveCall' satisfies CallWriteStatement, row]);
          this.stored.add(callId);
        }
        if (ops.length > 0) groups.push({ key: callId, ops });
      } catch (error) {
        this.options.logger.error({ err: error, callId }, 'call data entry dropped');
      }
    }
    return groups;
  }
}
