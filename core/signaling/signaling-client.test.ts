import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { CallManager } from '../calls/call-manager.js';
import { freezableProxy } from './testing/freezable-proxy.js';
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
  /** Every change of a call's state on this device, as `previous→next`. */
  const transitions: string[] = [];
  calls.on('state', (state, previous) => transitions.push(`${previous}→${state}`));
  const states: ConnectionState[] = [];
  signaling.on('state', (s) => states.push(s));
  signaling.start();
  return { signaling, calls, transitions, states };
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
    await until(() => bob.transitions.includes('idle→ringing'));
    await until(() => call.state === 'ringback');
    expect(alice.transitions).toContain('dialing→ringback');
    await bob.calls.accept(call.callId);
    await until(() => call.state === 'active');
    expect(bob.calls.get(call.callId)?.state).toBe('active');
    expect(bob.transitions).toEqual(['idle→ringing', 'ringing→answering', 'answering→active']);
    await alice.calls.hangup(call.callId);
    await until(() => bob.calls.get(call.callId)?.state === 'ended');
  });

  it('reconnects after a server restart mid-ring, still rings, and never rings twice', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await until(() => alice.signaling.state === 'connected' && bob.signaling.state === 'connected');
    const call = await alice.calls.invite(['bob'], 'video');
    await until(() => bob.transitions.includes('idle→ringing'));

    await t.restart();
    await until(() => bob.states.includes('reconnecting'));
    await until(() => bob.signaling.state === 'connected' && alice.signaling.state === 'connected');
    // The invitation survived: it is delivered again, and the client does not ring a second time.
    await new Promise((r) => setTimeout(r, 200));
    expect(bob.transitions.filter((t) => t.endsWith('→ringing'))).toHaveLength(1);
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

  it('reconnectNow retries at once instead of waiting for the backoff', async () => {
    const signaling = new SignalingClient({
      url: 'ws://placeholder',
      device: { id: 'desk', name: 'desk', platform: 'linux' },
      getToken: async () => (await t.login('alice')).accessToken,
      createSocket: () => new WebSocket(t.server.signalingUrl),
      // Every retry would wait ~60 s: only reconnectNow can bring it back within the test.
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      random: () => 0.99,
    });
    clients.push(signaling);
    signaling.start();
    await until(() => signaling.state === 'connected');
    await t.restart();
    await until(() => signaling.state === 'reconnecting');
    await new Promise((r) => setTimeout(r, 200));
    expect(signaling.state).toBe('reconnecting');
    signaling.reconnectNow();
    await until(() => signaling.state === 'connected', 3_000);
  });

  it('reconnectNow drops a socket that died silently (sleep) and signs in on a new one', async () => {
    const proxy = await freezableProxy(() => new URL(t.server.signalingUrl));
    try {
      const signaling = new SignalingClient({
        url: 'ws://placeholder',
        device: { id: 'desk', name: 'desk', platform: 'linux' },
        getToken: async () => (await t.login('alice')).accessToken,
        createSocket: () => new WebSocket(`ws://127.0.0.1:${proxy.port}/ws`),
        backoff: { baseMs: 60_000, maxMs: 60_000 },
        random: () => 0.99,
      });
      clients.push(signaling);
      const states: ConnectionState[] = [];
      signaling.on('state', (s) => states.push(s));
      signaling.start();
      await until(() => signaling.state === 'connected');
      // The laptop slept: the TCP connection is still "open" but nothing goes through.
      proxy.freezeExisting();
      signaling.reconnectNow(300);
      await until(() => states.includes('reconnecting'), 2_000);
      await until(() => signaling.state === 'connected', 3_000);
      expect(proxy.connections()).toBe(2);
      // A live connection answers the probe and stays.
      signaling.reconnectNow(300);
      await new Promise((r) => setTimeout(r, 500));
      expect(signaling.state).toBe('connected');
      expect(proxy.connections()).toBe(2);
    } finally {
      await proxy.close();
    }
  });
});
