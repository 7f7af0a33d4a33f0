import type { CallInviteWebhook, WebhookBody } from '../../protocol/webhooks.js';
import type { Logger } from '../logger.js';
import type { CommitBarrier, WebhookOutboxStore } from '../store/types.js';
import type { WebhookSink } from './create-webhook-sender.js';
import { callIdOfEntry, type OutboxEntry, type PushIntent } from '../store/outbox-entry.js';
import type { WebhookFailureReason } from './webhook-sender.js';

export interface WebhookOutboxOptions {
  store: WebhookOutboxStore;
  sender: WebhookSink;
  commits: CommitBarrier;
  /** Completes a push intent with the callee's push tokens and the caller's name, when sent. */
  resolvePush: (intent: PushIntent) => Promise<CallInviteWebhook>;
  logger: Logger;
  /**
   * Cluster mode: who sends each entry. Every node shares the outbox table, so an entry is
   * claimed by the node that wrote it, and one left behind is sent by the one node that claims
   * it from a dead node. Unset (embedded): this process sends everything.
   */
  deliveries?: OutboxDeliveries;
}

export interface OutboxDeliveries {
  /** This node wrote the entry and sends it. */
  claim(deliveryId: string): void;
  /** Of these entries left undelivered, the ones this node now sends (claimed atomically). */
  takeLeft(entries: readonly OutboxEntry[], includeOwn: boolean): Promise<OutboxEntry[]>;
}

/** Failures after which the delivery is tried again at the next start rather than forgotten. */
const KEPT_ON: ReadonlySet<WebhookFailureReason> = new Set(['closed', 'queue-full']);

/**
 * Durable webhooks: an entry is written with the call step it tells of (same transaction), sent
 * once that commit is done, and deleted once delivered or given up for good (a permanent status,
 * retries exhausted, a push whose invitation expired). What a crash or a shutdown left is sent
 * again at the next start with the same delivery id: at least once, receivers dedupe on it.
 */
export class WebhookOutbox {
  private backlog = 0;

  constructor(private readonly options: WebhookOutboxOptions) {}

  /** Undelivered entries, this run's and those left by the last (for the backlog metric). */
  get size(): number {
    return this.backlog;
  }

  /** In the turn of the step it tells of: written with it, sent once committed. */
  enqueue(entry: OutboxEntry): void {
    if (!this.options.sender.enabled) return;
    this.options.store.add(callIdOfEntry(entry), entry);
    this.options.deliveries?.claim(entry.deliveryId);
    this.backlog++;
    const { commits } = this.options;
    commits.whenCommitted(commits.ticket(), () => {
      this.dispatch(entry);
    });
  }

  /** Sends what an earlier run left; resolves with how many. */
  async resume(includeOwn = true): Promise<number> {
    if (!this.options.sender.enabled) return 0;
    const all = await this.options.store.loadAll();
    const { deliveries } = this.options;
    const entries = deliveries ? await deliveries.takeLeft(all, includeOwn) : all;
    this.backlog += entries.length;
    for (const entry of entries) this.dispatch(entry);
    if (entries.length > 0)
      this.options.logger.info({ count: entries.length }, 'undelivered webhooks resent');
    return entries.length;
  }

  /** The sender's verdict on a delivery: forgotten unless it may still go at the next start. */
  settled(body: WebhookBody, failure?: WebhookFailureReason): void {
    if (failure !== undefined && KEPT_ON.has(failure)) return;
    this.options.store.remove(body.deliveryId);
    this.backlog = Math.max(0, this.backlog - 1);
  }

  private dispatch(entry: OutboxEntry): void {
    if (entry.type === 'call.ended') {
      this.options.sender.send(entry);
      return;
    }
    this.options.resolvePush(entry).then(
      (body) => {
        this.options.sender.send(body);
      },
      (error: unknown) => {
        // Left in the outbox: the next start tries again (if it has not expired by then).
        this.options.logger.error(
          { err: error, callId: entry.call.callId, deliveryId: entry.deliveryId },
          'push webhook not sent: its look-ups failed',
        );
      },
    );
  }
}
