import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { CallManager } from '../calls/call-manager.js';
import { SignalingClient } from './signaling-client.js';

/**
 * Forward compatibility (docs/protocol.md): a client must ignore the fields and events a newer
 * server adds. A proxy plays that newer server: every object of every frame from the real server
 * gains a member, and an unknown event goes before each frame.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const withFutureMembers = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(withFutureMembers);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = { addedLater: { nested: [1, 'two'] } };
  for (const [key, member] of Object.entries(value)) out[key] = withFutureMembers(member);
  return out;
};

async function newerServerProxy(target: string): Promise<{ url: string; close: () => void }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  wss.on('connection', (client) => {
    const upstream = new WebSocket(target);
    const early: string[] = [];
    upstream.on('open', () => {
      for (const text of early.splice(0)) upstream.send(text);
    });
    client.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else early.push(text);
    });
    upstream.on('message', (data: Buffer) => {
      client.send(JSON.stringify({ type: 'feature.fromTheFuture', data: { x: 1 } }));
      client.send(JSON.stringify(withFutureMembers(JSON.parse(data.toString('utf8')) as Json)));
    });
    upstream.on('close', () => {
      client.close();
    });
    client.on('close', () => {
      upstream.close();
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}

let t: TestServer;
let proxy: { url: string; close: () => void };
const clients: SignalingClient[] = [];

beforeEach(async () => {
  t = await startTestServer({ calls: { defaultRingTimeoutMs: 20_000 } });
  await t.addUser('alice');
  await t.addUser('bob');
  proxy = await newerServerProxy(t.server.signalingUrl);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  proxy.close();
  await t.dispose();
});

function client(userId: string) {
  const signaling = new SignalingClient({
    url: 'ws://placeholder',
    device: { id: 'desk', name: 'desk', platform: 'linux' },
    getToken: async () => (await t.login(userId)).accessToken,
    createSocket: () => new WebSocket(proxy.url),
    backoff: { baseMs: 50, maxMs: 400 },
    requestTimeoutMs: 3_000,
  });
  clients.push(signaling);
  const calls = new CallManager(signaling);
  const events: string[] = [];
  signaling.on('event', (e) => events.push(e.type));
  signaling.start();
  return { signaling, calls, events };
}

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('core against a newer server (unknown fields and events)', () => {
  it('signs in, rings, answers, hangs up and reads empty answers with extra members', async () => {
    const alice = client('alice');
    const bob = client('bob');
    await until(() => alice.signaling.state === 'connected' && bob.signaling.state === 'connected');
    const call = await alice.calls.invite(['bob'], 'audio');
    await until(() => call.state === 'ringback');
    await bob.calls.accept(call.callId);
    await until(() => call.state === 'active');
    // An answer that is `{}` today: a newer server may put members in it.
    await expect(
      alice.signaling.request('presence.setStatus', { status: 'away' }),
    ).resolves.toEqual({});
    await alice.calls.hangup(call.callId);
    await until(() => bob.events.includes('call.ended'));
    expect(bob.events).not.toContain('feature.fromTheFuture');
  });
});
