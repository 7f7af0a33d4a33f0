import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { CallManager } from '../calls/call-manager.js';
import type { CallIntent } from '../calls/call-machine.js';
import { type ConnectionState, SignalingClient } from './signaling-client.js';

let t: TestServer;
const clients: SignalingClient[] = [];

beforeEach(async () => {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 20_000 } });
  await t.addUser('alice');
  await t.addUser('bob');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.dispose();
});

/** A client whose URL follows the test server across restarts (the port changes). */
function client(userId: string, deviceId = 'desk') {
  const signaling = new SignalingClient({
    url: 'ws://placeholder',
    device: { id: deviceId, name: 'desk', platform: 'linux' },
    getToken: async () => (await t.login(userId)).accessToken,
    createSocket: () => new WebSocket(t.server.signalingUrl),
    backoff: { baseMs: 50, maxMs: 400 },
    requestTimeoutMs: 3_000,
  });
  clients.push(signaling);
  const calls = new CallManager(signaling);
  const intents: CallIntent[] = [];
  calls.on('intent', (intent) => intents.push(intent));
  const states: ConnectionState[] = [];
  signaling.on('state', (s) => states.push(s));
  signaling.start();
  return { signaling, calls, intents, states };
}

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('SignalingClient with CallManager against the real server', () => {
  it('signs in, places a call that rings and is answered', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await until(() => alice.signaling.state === 'connected' && bob.signaling.state === 'connected');
    const call = await alice.calls.invite(['bob'], 'audio');
    await until(() => bob.intents.includes('start-ringtone'));
    await until(() => call.state === 'ringback');
    expect(alice.intents).toContain('start-ringback');
    await bob.calls.accept(call.callId);
    await until(() => call.state === 'active');
    expect(bob.calls.get(call.callId)?.state).toBe('active');
    expect(bob.intents).toEqual([
      'start-ringtone',
      'show-ringing-surface',
      'stop-ringtone',
      'close-ringing-surface',
    ]);
    await alice.calls.hangup(call.callId);
    await until(() => bob.calls.get(call.callId)?.state === 'ended');
  });

  it('reconnects after a server restart mid-ring, still rings, and never rings twice', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await until(() => alice.signaling.state === 'connected' && bob.signaling.state === 'connected');
    const call = await alice.calls.invite(['bob'], 'video');
    await until(() => bob.intents.includes('start-ringtone'));

    await t.restart();
    await until(() => bob.states.includes('reconnecting'));
    await until(() => bob.signaling.state === 'connected' && alice.signaling.state === 'connected');
    // The invitation survived: it is delivered again, and the client does not ring a second time.
    await new Promise((r) => setTimeout(r, 200));
    expect(bob.intents.filter((i) => i === 'start-ringtone')).toHaveLength(1);
    expect(bob.calls.get(call.callId)?.state).toBe('ringing');
    expect(alice.calls.get(call.callId)?.state).toBe('ringback');

    await bob.calls.accept(call.callId);
    await until(() => call.state === 'active');
  });

  it('a request made while the server is away goes out once it is back', async () => {
    const alice = client('alice');
    await until(() => alice.signaling.state === 'connected');
    const port = new URL(t.server.signalingUrl).port;
    await t.restart();
    expect(new URL(t.server.signalingUrl).port).not.toBe(port);
    const result = await alice.signaling.request('presence.query', { userIds: ['bob'] });
    expect(result.users).toEqual([{ userId: 'bob', online: false, status: 'available' }]);
  });

  it('stops for good with a fatal error when the account is refused', async () => {
    const signaling = new SignalingClient({
      url: t.server.signalingUrl,
      device: { id: 'x', name: 'x', platform: 'linux' },
      getToken: () => Promise.resolve('not-a-token'),
      createSocket: (url) => new WebSocket(url),
      backoff: { baseMs: 10, maxMs: 50 },
    });
    clients.push(signaling);
    const fatal = new Promise<string>((resolve) =>
      signaling.on('fatal', (e) => {
        resolve(e.code);
      }),
    );
    signaling.start();
    expect(await fatal).toBe('unauthorized');
    expect(signaling.state).toBe('closed');
  });
});
