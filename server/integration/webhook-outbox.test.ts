import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrashableServer } from '../testing/crashable-server.js';
import { TestClient } from '../testing/test-client.js';
import { type Receiver, startReceiver } from '../webhooks/receiver.test-helper.js';

/**
 * Acknowledged means durable, for webhooks too: a push the caller was told about and a record a
 * call ended with are in the outbox when acknowledged, and a kill -9 while the business server
 * refuses them does not lose them: the restarted server delivers them, with the same delivery ids.
 */

const SECRET = 'outbox-test-secret-0123456789abcdef';
let server: CrashableServer;
let receiver: Receiver;
let status = 503;
const clients: TestClient[] = [];

async function signIn(userId: string, device: string): Promise<TestClient> {
  const { client } = await TestClient.signIn(server.wsUrl, await server.token(userId), {
    id: device,
  });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  status = 503;
  receiver = await startReceiver({ secret: SECRET, reply: () => ({ status }) });
  server = await CrashableServer.create({
    calls: { defaultRingTimeoutMs: 60_000 },
    webhook: { url: receiver.url, secret: SECRET },
  });
  await server.start();
  for (const user of ['alice', 'bob', 'carol']) await server.addUser(user);
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server.dispose();
  await receiver.close();
});

describe('the webhook outbox across a kill -9', () => {
  it('delivers the push and the call record the receiver had refused, after the restart', async () => {
    const phone = await signIn('bob', 'bob-phone');
    await phone.request('push.register', { platform: 'fcm', token: 'fcm-token-of-bob' });
    phone.socket.terminate();
    const alice = await signIn('alice', 'alice-laptop');
    const carol = await signIn('carol', 'carol-laptop');
    // Wait until the server has seen bob's phone go.
    await expect
      .poll(async () => {
        const answer = await alice.request('presence.query', { userIds: ['bob'] });
        return answer.users[0]?.online;
      })
      .toBe(false);

    const pushed = await alice.request('call.invite', {
      callId: 'outbox-push',
      callees: ['bob'],
      media: 'audio',
    });
    expect(pushed.call.legs[0]?.state).toBe('pushed');
    await alice.request('call.invite', {
      callId: 'outbox-ended',
      callees: ['carol'],
      media: 'audio',
    });
    await carol.waitFor('call.incoming');
    await carol.request('call.accept', { callId: 'outbox-ended' });
    await alice.request('call.hangup', { callId: 'outbox-ended' });
    // Both were tried and refused (503): they wait in the sender's backoff when the kill comes.
    await expect
      .poll(() => new Set(receiver.received.map((w) => w.body.type)).size, { timeout: 10_000 })
      .toBe(2);
    const refused = new Map(receiver.received.map((w) => [w.body.deliveryId, w.body.type]));
    await server.kill();

    status = 200;
    const before = receiver.received.length;
    await server.start();
    await expect
      .poll(
        () =>
          new Set(
            receiver.received
              .slice(before)
              .filter((w) => refused.has(w.body.deliveryId))
              .map((w) => w.body.type),
          ).size,
        { timeout: 15_000 },
      )
      .toBe(2);
    const push = receiver.received.slice(before).find((w) => w.body.type === 'call.invite');
    expect(push?.body.type === 'call.invite' && push.body.pushTokens.map((t) => t.token)).toEqual([
      'fcm-token-of-bob',
    ]);
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^trayphone_webhook_outbox 0$/m);
  }, 60_000);
});
