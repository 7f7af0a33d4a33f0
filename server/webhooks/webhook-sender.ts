import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import httpClient, {
  type Agent as HttpAgent,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import httpsClient from 'node:https';
import { WEBHOOK_HEADERS, type WebhookBody } from '../../protocol/webhooks.js';
import type { Logger } from '../logger.js';
import { classifyStatus, nextDelayMs, type AttemptOutcome } from './retry-policy.js';
import { signWebhook } from './signature.js';

/**
 * Delivers webhooks to the business server in the background. Signaling calls `send()` and moves
 * on: HTTP latency, retries and an unreachable receiver never reach the caller's path. Delivery is
 * at least once (a timed-out attempt may still have landed). Its queue is in memory; durability
 * is the outbox's (webhook-outbox.ts): what a crash cut off here is sent again at the next start.
 */

/** Why a delivery was given up; short and stable so metrics can use it as a label. */
export type WebhookFailureReason =
  `http ${number}` | 'retries-exhausted' | 'expired' | 'queue-full' | 'closed';

export type WebhookSenderEvents = {
  delivered: [body: WebhookBody, attempts: number];
  failed: [body: WebhookBody, reason: WebhookFailureReason];
};

export interface WebhookSenderOptions {
  url: string;
  secret: string;
  logger: Logger;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Deliveries waiting (due or in backoff) beyond this drop the oldest, to bound memory. */
  maxQueue?: number;
  maxConcurrent?: number;
}

type Tuning = Required<Omit<WebhookSenderOptions, 'url' | 'secret' | 'logger'>>;

const DEFAULTS: Tuning = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  timeoutMs: 5_000,
  maxQueue: 10_000,
  maxConcurrent: 16,
};

interface Delivery {
  readonly body: WebhookBody;
  /** Serialized once: every attempt signs and sends exactly these bytes. */
  readonly rawBody: string;
  readonly log: Logger;
  attempts: number;
  state: 'ready' | 'waiting' | 'in-flight' | 'settled';
  /** When a waiting delivery becomes due (Unix ms). */
  dueAt: number;
  timer?: NodeJS.Timeout;
  /** Cuts the attempt in flight short (close()); set while one is. */
  cancel?: () => void;
}

/** A fresh id for a webhook body's `deliveryId`. */
export const newDeliveryId = (): string => randomUUID();

const callIdOf = (body: WebhookBody): string =>
  body.type === 'call.invite' ? body.call.callId : body.record.callId;

export class WebhookSender extends EventEmitter<WebhookSenderEvents> {
  readonly enabled = true;
  private readonly tuning: Tuning;
  /** Every unsettled delivery, oldest first: the order in which the queue cap drops. */
  private readonly queue = new Set<Delivery>();
  /** Due deliveries waiting for a free slot, in the order they became due. */
  private readonly ready = new Set<Delivery>();
  private readonly inFlight = new Set<Delivery>();
  private pumpScheduled = false;
  private closing: { deadline: number } | undefined;
  private closed: Promise<void> | undefined;
  private onDrained: (() => void) | undefined;
  /** The receiver, and connections to it kept open between deliveries (at most maxConcurrent). */
  private readonly http: {
    request: (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;
    agent: HttpAgent;
  };

  constructor(private readonly options: WebhookSenderOptions) {
    super();
    this.tuning = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as (keyof Tuning)[]) {
      const value = options[key] ?? DEFAULTS[key];
      const min = key === 'baseDelayMs' ? 0 : 1;
      // Guard here: a zero or negative limit would silently stall or spin the queue.
      if (!Number.isFinite(value) || value < min) {
        throw new RangeError(`WebhookSender: ${key} must be a number >= ${min}, got ${value}`);
      }
      this.tuning[key] = value;
    }
    const target = new URL(options.url);
    const agentOptions = { keepAlive: true, maxSockets: this.tuning.maxConcurrent };
    this.http =
      target.protocol === 'https:'
        ? {
            request: (o, onResponse) => httpsClient.request(target, o, onResponse),
            agent: new httpsClient.Agent(agentOptions),
          }
        : {
            request: (o, onResponse) => httpClient.request(target, o, onResponse),
            agent: new httpClient.Agent(agentOptions),
          };
  }

  /** Queues a delivery and returns at once; never throws (signaling must not fail on webhooks). */
  send(body: WebhookBody): void {
    try {
      this.enqueue(body);
    } catch (err) {
      this.options.logger.error({ err }, 'webhook not queued');
    }
  }

  /** Counts for metrics and tests. */
  stats(): { queued: number; inFlight: number } {
    return { queued: this.queue.size - this.inFlight.size, inFlight: this.inFlight.size };
  }

  /**
   * Stops accepting, keeps delivering what is in flight or due within `drainMs`, then aborts the
   * rest. Retries that would only be due after the deadline are dropped at once instead of waited
   * for, so close returns as soon as nothing more can be delivered in time.
   */
  close(options: { drainMs: number }): Promise<void> {
    this.closed ??= this.drain(options.drainMs);
    return this.closed;
  }

  private enqueue(body: WebhookBody): void {
    const log = this.options.logger.child({
      deliveryId: body.deliveryId,
      event: body.type,
      callId: callIdOf(body),
    });
    if (this.closing) {
      log.warn('webhook dropped: the sender is closed');
      this.notify(() => this.emit('failed', body, 'closed'));
      return;
    }
    const now = Date.now();
    const delivery: Delivery = {
      body,
      rawBody: JSON.stringify(body),
      log,
      attempts: 0,
      state: 'ready',
      dueAt: now,
    };
    this.queue.add(delivery);
    this.ready.add(delivery);
    this.enforceCap();
    this.schedulePump();
  }

  /** In-flight requests are neither counted nor dropped: maxConcurrent bounds them already. */
  private enforceCap(): void {
    while (this.queue.size - this.inFlight.size > this.tuning.maxQueue) {
      const oldest = this.oldestPending();
      if (!oldest) return;
      this.fail(oldest, 'queue-full', 'warn');
    }
  }

  /** At most maxConcurrent entries are skipped: the queue is in send order. */
  private oldestPending(): Delivery | undefined {
    for (const d of this.queue) if (d.state !== 'in-flight') return d;
    return undefined;
  }

  /**
   * Dispatch runs on a later turn so that `send()` stays O(1): starting a fetch does synchronous
   * work (the first one even loads the HTTP client), which belongs off the caller's path.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    }).unref();
  }

  private pump(): void {
    for (const delivery of this.ready) {
      if (this.inFlight.size >= this.tuning.maxConcurrent) return;
      this.ready.delete(delivery);
      void this.attempt(delivery);
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    if (this.isExpired(d, Date.now())) {
      this.fail(d, 'expired', 'warn');
      return;
    }
    d.attempts += 1;
    d.state = 'in-flight';
    this.inFlight.add(d);
    const outcome = await this.post(d);
    this.inFlight.delete(d);
    d.cancel = undefined;
    // A delivery settled meanwhile was dropped by close(); its outcome no longer matters.
    if (this.queue.has(d)) this.handle(d, outcome);
    this.pump();
  }

  /**
   * One POST; resolves to an outcome and never rejects. Through node:http (https) on a keep-alive
   * agent rather than `fetch`: per delivery fetch took ~300 µs of the event loop (its streams,
   * Headers, signals), node:http ~40 µs, and with webhooks configured every call sends one.
   * node:http follows no redirect (following one would resend the signed body somewhere nobody
   * configured).
   */
  private post(d: Delivery): Promise<AttemptOutcome> {
    const timestampSec = Math.floor(Date.now() / 1000);
    return new Promise((resolve) => {
      let done = false;
      const finish = (outcome: AttemptOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = this.http.request(
        {
          method: 'POST',
          agent: this.http.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(d.rawBody),
            [WEBHOOK_HEADERS.event]: d.body.type,
            [WEBHOOK_HEADERS.delivery]: d.body.deliveryId,
            [WEBHOOK_HEADERS.timestamp]: String(timestampSec),
            [WEBHOOK_HEADERS.signature]: signWebhook(this.options.secret, timestampSec, d.rawBody),
          },
        },
        (res) => {
          // Only the status matters; reading the body to its end frees the socket for reuse.
          res.resume();
          const retryAfter = res.headers['retry-after'];
          finish(classifyStatus(res.statusCode ?? 0, retryAfter ?? null, Date.now()));
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish({ kind: 'retry', reason: 'timeout' });
      }, this.tuning.timeoutMs);
      d.cancel = (): void => {
        req.destroy();
        finish({ kind: 'retry', reason: 'network: aborted' });
      };
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish({ kind: 'retry', reason: `network: ${err.code ?? err.message}` });
      });
      req.end(d.rawBody);
    });
  }

  private handle(d: Delivery, outcome: AttemptOutcome): void {
    switch (outcome.kind) {
      case 'delivered':
        this.settle(d);
        d.log.info({ attempts: d.attempts }, 'webhook delivered');
        this.notify(() => this.emit('delivered', d.body, d.attempts));
        return;
      case 'permanent':
        this.fail(d, `http ${outcome.status}`, 'error');
        return;
      case 'retry':
        this.retry(d, outcome.reason, outcome.retryAfterMs);
        return;
    }
  }

  private retry(d: Delivery, reason: string, retryAfterMs: number | undefined): void {
    if (d.attempts >= this.tuning.maxAttempts) {
      this.fail(d, 'retries-exhausted', 'error', reason);
      return;
    }
    const delayMs = nextDelayMs(d.attempts, this.tuning, retryAfterMs);
    const dueAt = Date.now() + delayMs;
    // A push for an invitation that has stopped ringing would wake a phone for a dead call.
    if (this.isExpired(d, dueAt)) {
      this.fail(d, 'expired', 'warn', reason);
      return;
    }
    if (this.closing && dueAt > this.closing.deadline) {
      this.fail(d, 'closed', 'warn', reason);
      return;
    }
    d.log.warn({ attempts: d.attempts, lastError: reason, delayMs }, 'webhook attempt failed');
    d.state = 'waiting';
    d.dueAt = dueAt;
    d.timer = setTimeout(() => {
      d.timer = undefined;
      d.state = 'ready';
      this.ready.add(d);
      this.pump();
    }, delayMs).unref();
  }

  private isExpired(d: Delivery, atMs: number): boolean {
    return d.body.type === 'call.invite' && atMs >= d.body.call.expiresAt;
  }

  private async drain(drainMs: number): Promise<void> {
    const deadline = Date.now() + drainMs;
    this.closing = { deadline };
    for (const d of [...this.queue]) {
      if (d.state === 'waiting' && d.dueAt > deadline) this.fail(d, 'closed', 'debug');
    }
    if (this.queue.size > 0) {
      await new Promise<void>((resolve) => {
        // Deliberately not unref'd: it is bounded by drainMs, and without it a process awaiting
        // close() with only unref'd timers left would exit before close() resolves.
        const timer = setTimeout(done, drainMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.onDrained = done;
      });
      this.onDrained = undefined;
    }
    const dropped = this.queue.size;
    for (const d of [...this.queue]) {
      d.cancel?.();
      this.fail(d, 'closed', 'debug');
    }
    const log = this.options.logger;
    this.http.agent.destroy();
    if (dropped > 0) log.warn({ dropped }, 'webhook sender closed, undelivered webhooks dropped');
    else log.info('webhook sender closed, all webhooks delivered');
  }

  /** Removes a delivery from every structure; false if it was already settled. */
  private settle(d: Delivery): boolean {
    if (d.state === 'settled') return false;
    d.state = 'settled';
    this.queue.delete(d);
    this.ready.delete(d);
    this.inFlight.delete(d);
    if (d.timer) clearTimeout(d.timer);
    if (this.queue.size === 0) this.onDrained?.();
    return true;
  }

  private fail(
    d: Delivery,
    reason: WebhookFailureReason,
    level: 'error' | 'warn' | 'debug',
    lastError?: string,
  ): void {
    if (!this.settle(d)) return;
    d.log[level]({ attempts: d.attempts, reason, lastError }, 'webhook failed');
    this.notify(() => this.emit('failed', d.body, reason));
  }

  /** A throwing listener (metrics, tests) must not break delivery or the caller of send(). */
  private notify(fire: () => void): void {
    try {
      fire();
    } catch (err) {
      this.options.logger.error({ err }, 'webhook event listener threw');
    }
  }
}
