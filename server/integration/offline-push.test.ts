import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_HEADERS, type WebhookBody, webhookBodySchema } from '../../protocol/webhooks.js';
import type { TestClient } from '../testing/test-client.js';
import { verifyWebhookSignature } from '../webhooks/index.js';
import { type CapturedWebhook, Scenario, type WebhookCapture, captureWebhooks } from './support.js';

const SECRET = 'webhook-secret-0123456789';
const RING_MS = 5_000;

let hooks: WebhookCapture;
let s: Scenario;
beforeEach(async () => {
  hooks = await captureWebhooks();
  s = await Scenario.start(
    {
      calls: { defaultRingTimeoutMs: RING_MS },
      webhook: { url: hooks.url, secret: SECRET },
    },
    ['alice', 'bob'],
  );
});
afterEach(async () => {
  await s.dispose();
  await hooks.close();
});

/** Checks a webhook as a business server must: signature over the raw bytes, then the schema. */
function verified<T extends WebhookBody['type']>(
  hook: CapturedWebhook,
  type: T,
): Extract<WebhookBody, { type: T }> {
  const verdict = verifyWebhookSignature({
    secret: SECRET,
    timestampHeader: hook.headers[WEBHOOK_HEADERS.timestamp.toLowerCase()],
    signatureHeader: hook.headers[WEBHOOK_HEADERS.signature.toLowerCase()],
    rawBody: hook.rawBody,
  });
  expect(verdict).toEqual({ ok: true });
  const body = webhookBodySchema.parse(JSON.parse(hook.rawBody.toString('utf8')));
  expect(body.type).toBe(type);
  expect(hook.headers[WEBHOOK_HEADERS.delivery.toLowerCase()]).toBe(body.deliveryId);
  return body as Extract<WebhookBody, { type: T }>;
}

/** Bob registered a push token on his phone earlier, and is now offline. */
async function bobOfflineWithPushToken(alice: TestClient): Promise<void> {
  await alice.request('presence.subscribe', { userIds: ['bob'] });
  const phone = await s.signIn('bob', { id: 'bob-phone', platform: 'ios' });
  await phone.request('push.register', { platform: 'apns-voip', token: 'voip-token-of-bob' });
  await alice.waitFor('presence.changed', (p) => p.online);
  await phone.close();
  await alice.waitFor('presence.changed', (p) => !p.online);
}

describe('a callee with no device online', () => {
  it('is pushed through the signed webhook, then rings on sign-in with the time left', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await bobOfflineWithPushToken(alice);

    const { call } = await alice.request('call.invite', {
      callId: 'push-00001',
      callees: ['bob'],
      media: 'video',
      payload: '{"subject":"standup"}',
    });
    expect(call.legs[0]?.state).toBe('pushed');

    const push = verified(await hooks.next('call.invite'), 'call.invite');
    expect(push.callee).toBe('bob');
    expect(push.call).toEqual({
      callId: 'push-00001',
      callerId: 'alice',
      callerName: 'Alice',
      media: 'video',
      payload: '{"subject":"standup"}',
      expiresAt: call.legs[0]?.expiresAt,
    });
    expect(push.pushTokens).toEqual([
      { deviceId: 'bob-phone', platform: 'apns-voip', token: 'voip-token-of-bob' },
    ]);

    const phone = await s.signIn('bob', { id: 'bob-phone', platform: 'ios' });
    const incoming = await phone.waitFor('call.incoming');
    expect(incoming.call.callId).toBe('push-00001');
    expect(incoming.remainingMs).toBeGreaterThan(0);
    expect(incoming.remainingMs).toBeLessThan(RING_MS);
    expect(incoming.busy).toBe(false);

    await phone.request('call.ack', { callId: 'push-00001' });
    const ringing = await alice.waitFor('call.updated', (d) => d.call.legs[0]?.state === 'ringing');
    expect(ringing.call.state).toBe('ringing');

    const accepted = await phone.request('call.accept', { callId: 'push-00001' });
    expect(accepted.call.state).toBe('active');
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');

    await alice.request('call.hangup', { callId: 'push-00001' });
    await phone.waitFor('call.ended');
    const ended = verified(await hooks.next('call.ended'), 'call.ended');
    expect(ended.record).toMatchObject({
      callId: 'push-00001',
      callerId: 'alice',
      media: 'video',
      endReason: 'completed',
    });
    expect(ended.record.participants.find((p) => p.userId === 'bob')).toMatchObject({
      outcome: 'answered',
      answeredDevice: 'bob-phone',
    });
    // The webhook carries the same record the history API returns.
    const { records } = await alice.request('history.list', {});
    expect(records[0]).toEqual(ended.record);
  });

  it('fails as unreachable when no device comes before the ring timeout', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await bobOfflineWithPushToken(alice);

    const { call } = await alice.request('call.invite', {
      callId: 'push-00002',
      callees: ['bob'],
      media: 'audio',
      ringTimeoutMs: 1_000,
    });
    expect(call.legs[0]?.state).toBe('pushed');
    verified(await hooks.next('call.invite'), 'call.invite');

    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('unreachable');
    expect(ended.call.legs[0]).toMatchObject({ state: 'failed', reason: 'unreachable' });

    const webhook = verified(await hooks.next('call.ended'), 'call.ended');
    expect(webhook.record.endReason).toBe('unreachable');
    expect(webhook.record.participants.find((p) => p.userId === 'bob')?.outcome).toBe(
      'unreachable',
    );

    // Signing in after the invitation expired rings nothing.
    const phone = await s.signIn('bob', 'bob-phone');
    await phone.request('ping', {});
    expect(phone.received('call.incoming')).toEqual([]);
  });

  it('times out (not unreachable) when a device came and rang but nobody answered', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await bobOfflineWithPushToken(alice);
    await alice.request('call.invite', {
      callId: 'push-00004',
      callees: ['bob'],
      media: 'audio',
      ringTimeoutMs: 1_000,
    });

    // This device gets the invitation but never acknowledges it, like an online one that is
    // slow to: what the caller and the record say must not depend on how the invitation came.
    const phone = await s.signIn('bob', 'bob-phone');
    await phone.waitFor('call.incoming');
    expect(await phone.waitFor('call.ringEnded')).toEqual({
      callId: 'push-00004',
      reason: 'timeout',
    });
    const ended = await alice.waitFor('call.ended');
    expect(ended.reason).toBe('timeout');
    expect(ended.call.legs[0]).toMatchObject({ state: 'failed', reason: 'timeout' });
  });

  it('pushes without tokens once the device unregistered on sign-out', async () => {
    const alice = await s.signIn('alice', 'alice-laptop');
    await alice.request('presence.subscribe', { userIds: ['bob'] });
    const phone = await s.signIn('bob', 'bob-phone');
    await phone.request('push.register', { platform: 'fcm', token: 'fcm-token-of-bob' });
    await phone.request('push.unregister', {});
    await phone.close();
    await alice.waitFor('presence.changed', (p) => p.userId === 'bob' && !p.online);

    await alice.request('call.invite', { callId: 'push-00003', callees: ['bob'], media: 'audio' });
    const push = verified(await hooks.next('call.invite'), 'call.invite');
    expect(push.pushTokens).toEqual([]);
  });
});
