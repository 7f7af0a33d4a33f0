import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { type SignalingClientOptions, SignalingClient } from './signaling-client.js';
import { freezableProxy } from './testing/freezable-proxy.js';

/**
 * "Reconnect now" and the browser's `online` event must connect at once whatever the client is
 * doing when they come, and no attempt may hang: the races the surfaces suite's offline test
 * ran into, provoked against the real server through a loopback proxy.
 */
let t: TestServer;
let proxy: Awaited<ReturnType<typeof freezableProxy>>;
const clients: SignalingClient[] = [];

beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('alice');
  proxy = await freezableProxy(() => new URL(t.server.signalingUrl));
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await proxy.close();
  await t.dispose();
});

function client(options: Partial<SignalingClientOptions> = {}) {
  const signaling = new SignalingClient({
    url: 'ws://placeholder',
    device: { id: 'desk', name: 'desk', platform: 'linux' },
    getToken: async () => (await t.login('alice')).accessToken,
    createSocket: () => new WebSocket(`ws://127.0.0.1:${proxy.port}/ws`),
    // Every retry after the first failure waits ~60 s: only the behaviour under test can
    // bring the client back within the test's few seconds.
    backoff: { baseMs: 60_000, maxMs: 60_000 },
    random: () => 0.99,
    connectTimeoutMs: 60_000,
    ...options,
  });
  clients.push(signaling);
  return signaling;
}

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('reconnectNow and connect timeouts', () => {
  it('reconnectNow while a socket is still opening (upgrade never answered) opens a new one at once', async () => {
    proxy.holdNew(true);
    const signaling = client();
    signaling.start();
    await until(() => proxy.connections() === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(signaling.state).toBe('connecting');
    // The network is back; the socket opened before it never will.
    proxy.holdNew(false);
    const asked = Date.now();
    signaling.reconnectNow();
    await until(() => signaling.state === 'connected', 2_000);
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect(proxy.connections()).toBe(2);
  });

  it('a socket that never opens is given up after connectTimeoutMs and the backoff goes on', async () => {
    proxy.holdNew(true);
    const signaling = client({ connectTimeoutMs: 300, backoff: { baseMs: 50, maxMs: 100 } });
    signaling.start();
    await until(() => proxy.connections() >= 3, 3_000);
    expect(signaling.state).toBe('connecting');
    proxy.holdNew(false);
    await until(() => signaling.state === 'connected', 3_000);
  });

  it('reconnectNow during a sign-in that then fails retries at once, not after the backoff', async () => {
    let release: () => void = () => undefined;
    let tokenAsked = 0;
    const signaling = client({
      getToken: async () => {
        tokenAsked++;
        // The first sign-in is held until the test lets it go: the socket is open, hello not sent.
        if (tokenAsked === 1) await new Promise<void>((r) => (release = r));
        return (await t.login('alice')).accessToken;
      },
    });
    signaling.start();
    await until(() => tokenAsked === 1);
    signaling.reconnectNow(); // Lands during the handshake: left to finish...
    proxy.cutAll(); // ...which fails: the server went away under it.
    release();
    const cut = Date.now();
    await until(() => signaling.state === 'connected', 2_000);
    expect(Date.now() - cut).toBeLessThan(2_000);
    expect(tokenAsked).toBe(2);
  });

  it('announces when the next attempt is due, and that none is waiting while one is made', async () => {
    const announced: (number | undefined)[] = [];
    const signaling = client({ backoff: { baseMs: 10_000, maxMs: 10_000 }, random: () => 0.5 });
    signaling.on('retry', (at) => announced.push(at));
    signaling.start();
    await until(() => signaling.state === 'connected');
    expect(signaling.nextAttemptAt).toBeUndefined();
    const lost = Date.now();
    proxy.cutAll();
    await until(() => signaling.nextAttemptAt !== undefined);
    const due = signaling.nextAttemptAt ?? 0;
    expect(due - lost).toBeGreaterThanOrEqual(4_900);
    expect(due - lost).toBeLessThan(5_500);
    signaling.reconnectNow();
    expect(signaling.nextAttemptAt).toBeUndefined();
    await until(() => signaling.state === 'connected', 2_000);
    expect(announced).toEqual([due, undefined]);
  });
});
