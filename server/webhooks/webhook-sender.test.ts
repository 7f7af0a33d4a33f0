import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEndedWebhook, CallInviteWebhook, WebhookBody } from '../../protocol/webhooks.js';
import { silentLogger } from '../logger.js';
import { createWebhookSender, DisabledWebhookSender } from './create-webhook-sender.js';
import { freePort, startReceiver, type Receiver, type Reply } from './receiver.test-helper.js';
import { WebhookSender, type WebhookSenderOptions } from './webhook-sender.js';

const secret = 'test-secret-0123456789';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let seq = 0;
function invite(overrides: Partial<CallInviteWebhook['call']> = {}): CallInviteWebhook {
  seq += 1;
  return {
    type: 'call.invite',
    deliveryId: `delivery-${seq}`,
    sentAt: Date.now(),
    callee: 'bob',
    call: {
      callId: `call-${String(seq).padStart(6, '0')}`,
      callerId: 'alice',
      callerName: 'Alice Liddell',
      media: 'video',
      payload: '{"ticket":42}',
      expiresAt: Date.now() + 60_000,
      ...overrides,
    },
    pushTokens: [{ deviceId: 'phone-1', platform: 'apns-voip', token: 'f00d' }],
  };
}

function ended(): CallEndedWebhook {
  seq += 1;
  const now = Date.now();
  return {
    type: 'call.ended',
    deliveryId: `delivery-${seq}`,
    sentAt: now,
    record: {
      callId: `call-${String(seq).padStart(6, '0')}`,
      callerId: 'alice',
      media: 'audio',
      createdAt: now - 90_000,
      answeredAt: now - 80_000,
      endedAt: now,
      endReason: 'completed',
      durationSec: 80,
      participants: [
        {
          userId: 'alice',
          role: 'caller',
          invitedAt: now - 90_000,
          outcome: 'caller',
          durationSec: 80,
        },
        {
          userId: 'bob',
          role: 'callee',
          invitedBy: 'alice',
          invitedAt: now - 90_000,
          answeredAt: now - 80_000,
          answeredDevice: 'desk-1',
          outcome: 'answered',
          durationSec: 80,
        },
      ],
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(reply?: (n: number) => Reply, port?: number): Promise<Receiver> {
  const r = await startReceiver({ secret, ...(reply && { reply }), ...(port && { port }) });
  cleanups.push(() => r.close());
  return r;
}

/** Small delays so retries take milliseconds; each test overrides what it exercises. */
function sender(url: string, options: Partial<WebhookSenderOptions> = {}) {
  const s = new WebhookSender({
    url,
    secret,
    logger: silentLogger(),
    baseDelayMs: 10,
    maxDelayMs: 50,
    timeoutMs: 2_000,
    ...options,
  });
  const outcomes = {
    delivered: [] as [WebhookBody, number][],
    failed: [] as [WebhookBody, string][],
  };
  s.on('delivered', (body, attempts) => outcomes.delivered.push([body, attempts]));
  s.on('failed', (body, reason) => outcomes.failed.push([body, reason]));
  cleanups.push(() => s.close({ drainMs: 0 }));
  return { s, outcomes };
}

type Outcome = { delivered: number } | { failed: string };
function next(s: WebhookSender): Promise<Outcome> {
  return new Promise((resolve) => {
    const onDelivered = (_body: WebhookBody, attempts: number) => {
      s.off('failed', onFailed);
      resolve({ delivered: attempts });
    };
    const onFailed = (_body: WebhookBody, reason: string) => {
      s.off('delivered', onDelivered);
      resolve({ failed: reason });
    };
    s.once('delivered', onDelivered);
    s.once('failed', onFailed);
  });
}

const ids = (r: Receiver) => r.received.map((w) => w.body.deliveryId);

describe('WebhookSender', () => {
  it('POSTs a signed call.invite that the receiver verifies and parses', async () => {
    const r = await receiver();
    const { s } = sender(r.url);
    const body = invite();
    s.send(body);
    expect(await next(s)).toEqual({ delivered: 1 });
    expect(r.rejected).toEqual([]);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got?.body).toEqual(body);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-trayphone-event']).toBe('call.invite');
    expect(got?.headers['x-trayphone-delivery']).toBe(body.deliveryId);
  });

  it('POSTs a call.ended with its call record', async () => {
    const r = await receiver();
    const { s } = sender(r.url);
    const body = ended();
    s.send(body);
    expect(await next(s)).toEqual({ delivered: 1 });
    expect(r.rejected).toEqual([]);
    expect(r.received[0]?.body).toEqual(body);
    expect(r.received[0]?.headers['x-trayphone-event']).toBe('call.ended');
  });

  it('retries a 500 and reports the attempts it took', async () => {
    const r = await receiver((n) => (n <= 2 ? { status: 500 } : { status: 204 }));
    const { s } = sender(r.url);
    const body = invite();
    s.send(body);
    expect(await next(s)).toEqual({ delivered: 3 });
    expect(r.rejected).toEqual([]);
    expect(ids(r)).toEqual([body.deliveryId, body.deliveryId, body.deliveryId]);
  });

  it('retries while the connection is refused, until the receiver starts', async () => {
    const port = await freePort();
    const { s } = sender(`http://127.0.0.1:${port}/hooks`, { baseDelayMs: 20, maxAttempts: 50 });
    const outcome = next(s);
    s.send(invite());
    await sleep(250);
    const r = await receiver(undefined, port);
    const result = await outcome;
    expect(result).toHaveProperty('delivered');
    expect((result as { delivered: number }).delivered).toBeGreaterThan(1);
    expect(r.received).toHaveLength(1);
  });

  it('does not retry a 400: the failed event says why', async () => {
    const r = await receiver(() => ({ status: 400 }));
    const { s, outcomes } = sender(r.url);
    s.send(invite());
    expect(await next(s)).toEqual({ failed: 'http 400' });
    await sleep(100);
    expect(r.received).toHaveLength(1);
    expect(outcomes.delivered).toEqual([]);
  });

  it('does not follow a redirect with the signed body', async () => {
    const r = await receiver(() => ({ status: 307, headers: { location: 'http://127.0.0.1:9/' } }));
    const { s } = sender(r.url);
    s.send(ended());
    expect(await next(s)).toEqual({ failed: 'http 307' });
    expect(r.received).toHaveLength(1);
  });

  it('rejects nonsensical limits when constructed', () => {
    const base = { url: 'http://127.0.0.1:9/', secret, logger: silentLogger() };
    expect(() => new WebhookSender({ ...base, maxConcurrent: 0 })).toThrow(RangeError);
    expect(() => new WebhookSender({ ...base, maxAttempts: Number.NaN })).toThrow(RangeError);
  });

  it('waits as long as a 429 Retry-After asks, and re-signs with a fresh timestamp', async () => {
    const r = await receiver((n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const { s } = sender(r.url, { baseDelayMs: 1, maxDelayMs: 5_000 });
    s.send(invite());
    expect(await next(s)).toEqual({ delivered: 2 });
    const [first, second] = r.received;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    const stamp = (w: typeof first) => Number(w?.headers['x-trayphone-timestamp']);
    expect(stamp(second)).toBeGreaterThan(stamp(first));
    expect(r.rejected).toEqual([]);
  });

  it('retries an attempt that times out', async () => {
    const r = await receiver((n) => (n === 1 ? 'hang' : { status: 200 }));
    const { s } = sender(r.url, { timeoutMs: 200 });
    const started = performance.now();
    s.send(invite());
    expect(await next(s)).toEqual({ delivered: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(r.received).toHaveLength(2);
  });

  it('gives up after maxAttempts', async () => {
    const r = await receiver(() => ({ status: 503 }));
    const { s } = sender(r.url, { maxAttempts: 3 });
    s.send(ended());
    expect(await next(s)).toEqual({ failed: 'retries-exhausted' });
    expect(r.received).toHaveLength(3);
  });

  it('does not retry a push past the expiry of its invitation', async () => {
    const r = await receiver(() => ({ status: 503, headers: { 'retry-after': '1' } }));
    const { s } = sender(r.url, { maxDelayMs: 5_000 });
    s.send(invite({ expiresAt: Date.now() + 300 }));
    expect(await next(s)).toEqual({ failed: 'expired' });
    expect(r.received).toHaveLength(1);
  });

  it('keeps at most maxConcurrent requests in flight', async () => {
    const r = await receiver(() => 'hang');
    const { s } = sender(r.url, { maxConcurrent: 2 });
    for (let i = 0; i < 5; i++) s.send(invite());
    await r.waitFor(2);
    await sleep(100);
    expect(r.received).toHaveLength(2);
    expect(s.stats()).toEqual({ queued: 3, inFlight: 2 });
  });

  it('send() returns at once, even while the receiver hangs', async () => {
    const r = await receiver(() => 'hang');
    const { s } = sender(r.url, { maxConcurrent: 2 });
    const durations: number[] = [];
    const timedSend = (body: WebhookBody) => {
      const started = performance.now();
      s.send(body);
      durations.push(performance.now() - started);
    };
    timedSend(invite());
    timedSend(ended());
    await r.waitFor(2);
    for (let i = 0; i < 200; i++) timedSend(invite());
    // The median, not the maximum: on a loaded machine a GC pause or preemption can stall any
    // few calls, while a send that waited on HTTP would be slow every time (here: never return,
    // as the receiver never answers).
    durations.sort((a, b) => a - b);
    expect(durations[Math.floor(durations.length / 2)]).toBeLessThan(5);
    expect(s.stats()).toEqual({ queued: 200, inFlight: 2 });
  });

  it('drops the oldest pending delivery when the queue is full', async () => {
    const r = await receiver((n) => (n === 1 ? 'hang' : { status: 200 }));
    const { s, outcomes } = sender(r.url, { maxConcurrent: 1, maxQueue: 2 });
    const [a, b, c, d] = [invite(), invite(), ended(), invite()];
    s.send(a);
    await r.waitFor(1);
    s.send(b);
    s.send(c);
    s.send(d);
    expect(outcomes.failed).toEqual([[b, 'queue-full']]);
    r.release();
    await r.waitFor(3);
    await sleep(50);
    expect(ids(r)).toEqual([a.deliveryId, c.deliveryId, d.deliveryId]);
    expect(outcomes.delivered.map(([body]) => body.deliveryId)).toEqual(ids(r));
  });

  it('a listener that throws does not stop deliveries', async () => {
    const r = await receiver();
    const { s, outcomes } = sender(r.url);
    s.prependListener('delivered', () => {
      throw new Error('a broken metrics listener');
    });
    s.send(invite());
    s.send(invite());
    await r.waitFor(2);
    await sleep(50);
    expect(outcomes.delivered).toHaveLength(0); // the throwing listener ran first, every time
    expect(s.stats()).toEqual({ queued: 0, inFlight: 0 });
  });
});

describe('WebhookSender.close', () => {
  it('drains in-flight and queued deliveries, then refuses new ones', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 100 }));
    const { s, outcomes } = sender(r.url, { maxConcurrent: 2 });
    const bodies = [invite(), ended(), invite(), ended()];
    for (const body of bodies) s.send(body);
    const started = performance.now();
    await s.close({ drainMs: 3_000 });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(outcomes.delivered).toHaveLength(4);
    expect(outcomes.failed).toEqual([]);
    const late = invite();
    s.send(late);
    expect(outcomes.failed).toEqual([[late, 'closed']]);
    expect(r.received).toHaveLength(4);
  });

  it('aborts what it could not deliver within drainMs', async () => {
    const r = await receiver(() => 'hang');
    const { s, outcomes } = sender(r.url, { maxConcurrent: 1 });
    for (let i = 0; i < 3; i++) s.send(invite());
    await r.waitFor(1);
    const started = performance.now();
    await s.close({ drainMs: 150 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1_000);
    expect(outcomes.failed.map(([, reason]) => reason)).toEqual(['closed', 'closed', 'closed']);
    expect(s.stats()).toEqual({ queued: 0, inFlight: 0 });
  });

  it('does not wait for a retry that is only due after the deadline', async () => {
    const r = await receiver(() => ({ status: 503, headers: { 'retry-after': '10' } }));
    const { s, outcomes } = sender(r.url, { maxDelayMs: 10_000 });
    s.send(ended());
    await r.waitFor(1);
    await sleep(50);
    const started = performance.now();
    await s.close({ drainMs: 5_000 });
    expect(performance.now() - started).toBeLessThan(500);
    expect(outcomes.failed.map(([, reason]) => reason)).toEqual(['closed']);
  });
});

describe('createWebhookSender', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const write = (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>);
    return { lines, logger: pino({ level: 'debug' }, { write }) };
  }

  it('returns a no-op sink and says once that webhooks are off when no url is set', async () => {
    for (const config of [{}, { url: '', secret }]) {
      const { lines, logger } = capture();
      const sink = createWebhookSender(config, logger);
      expect(sink).toBeInstanceOf(DisabledWebhookSender);
      expect(sink.enabled).toBe(false);
      sink.send(invite());
      await sink.close({ drainMs: 100 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 30,
        msg: 'webhooks are off: no webhook url configured',
      });
    }
  });

  it('refuses a url without a secret, or a url that is not http(s)', () => {
    const logger = silentLogger();
    expect(() => createWebhookSender({ url: 'http://127.0.0.1:9/' }, logger)).toThrow(/secret/);
    expect(() => createWebhookSender({ url: 'ftp://example.com/', secret }, logger)).toThrow(
      /http/,
    );
    expect(() => createWebhookSender({ url: 'not a url', secret }, logger)).toThrow();
  });

  it('builds a sender whose every delivery log line names the delivery, event and call', async () => {
    const r = await receiver((n) => (n === 1 ? { status: 500 } : { status: 400 }));
    const { lines, logger } = capture();
    const sink = createWebhookSender(
      { url: `${r.url}?token=hush`, secret, baseDelayMs: 5 },
      logger,
    );
    expect(sink).toBeInstanceOf(WebhookSender);
    if (!(sink instanceof WebhookSender)) return;
    cleanups.push(() => sink.close({ drainMs: 0 }));
    const body = invite();
    sink.send(body);
    expect(await next(sink)).toEqual({ failed: 'http 400' });
    expect(JSON.stringify(lines[0])).not.toContain('hush');
    const aboutDelivery = lines.slice(1);
    expect(aboutDelivery.map((l) => l.msg)).toEqual(['webhook attempt failed', 'webhook failed']);
    for (const line of aboutDelivery) {
      expect(line).toMatchObject({
        deliveryId: body.deliveryId,
        event: 'call.invite',
        callId: body.call.callId,
      });
    }
  });
});
