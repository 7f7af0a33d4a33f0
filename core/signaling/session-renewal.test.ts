import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ParsedEvent } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { CallManager } from '../calls/call-manager.js';
import { type ConnectionState, SignalingClient, SignalingError } from './signaling-client.js';

/**
 * The client keeps its session past its token's life by `session.renew`, against the real
 * server with 3 s access tokens (the server's own signer, StartOptions.tokenLifetimesSec) and a
 * 1 s grace: without renewals the server closes a session 2–4 s after it signed in.
 */
const TOKEN_SEC = 3;
let t: TestServer;
const clients: SignalingClient[] = [];

beforeEach(async () => {
  t = await startTestServer(
    {
      auth: { sessionRenewGraceSec: 1 },
      signaling: { heartbeatIntervalMs: 200 },
      calls: { defaultRingTimeoutMs: 20_000, rejoinWindowMs: 5_000 },
    },
    { tokenLifetimesSec: { access: TOKEN_SEC } },
  );
  await t.addUser('alice');
  await t.addUser('bob');
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.dispose();
});

const accessToken = async (userId: string) =>
  (await t.server.services.tokens.issue(userId, 'access')).token;

function client(userId: string, renewToken?: () => Promise<string>) {
  const signaling = new SignalingClient({
    url: 'ws://placeholder',
    device: { id: `${userId}-desk`, name: 'desk', platform: 'linux' },
    getToken: () => accessToken(userId),
    ...(renewToken ? { renewToken } : {}),
    createSocket: () => new WebSocket(t.server.signalingUrl),
    backoff: { baseMs: 50, maxMs: 400 },
    requestTimeoutMs: 3_000,
  });
  clients.push(signaling);
  const calls = new CallManager(signaling);
  const states: ConnectionState[] = [];
  const events: ParsedEvent[] = [];
  const renewals: number[] = [];
  signaling.on('state', (s) => states.push(s));
  signaling.on('event', (e) => events.push(e));
  signaling.on('renewed', (at) => renewals.push(at));
  signaling.start();
  return { signaling, calls, states, events, renewals };
}

const until = async (check: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SignalingClient session renewal against the real server', () => {
  it('stays signed in across several token lifetimes and keeps its call', async () => {
    const alice = client('alice', () => accessToken('alice'));
    const bob = client('bob', () => accessToken('bob'));
    await until(() => alice.signaling.state === 'connected' && bob.signaling.state === 'connected');
    const call = await alice.calls.invite(['bob'], 'audio');
    await until(() => bob.calls.get(call.callId)?.state === 'ringing');
    await bob.calls.accept(call.callId);
    await until(() => call.state === 'active');
    const [session] = t.server.services.sessions.sessionsOf('alice');
    const firstDeadline = session?.expiresAt ?? 0;

    await sleep(4 * TOKEN_SEC * 1000);
    for (const c of [alice, bob]) {
      expect(c.states.filter((s) => s === 'reconnecting')).toEqual([]);
      expect(c.events.filter((e) => e.type === 'session.closing')).toEqual([]);
      expect(c.renewals.length).toBeGreaterThanOrEqual(3);
    }
    // The server's deadline moved with each renewal, and the same session holds the call.
    expect(t.server.services.sessions.sessionsOf('alice')).toEqual([session]);
    expect(session?.expiresAt).toBeGreaterThan(firstDeadline + 2 * TOKEN_SEC * 1000);
    expect(call.state).toBe('active');
    expect(bob.calls.get(call.callId)?.state).toBe('active');
    expect((await bob.signaling.request('call.list', {})).calls.map((c) => c.state)).toEqual([
      'active',
    ]);
  });

  it('is closed with token-expired when it cannot refresh, and signs in again through getToken', async () => {
    let renewAsked = 0;
    const alice = client('alice', () => {
      renewAsked++;
      return Promise.reject(new SignalingError('unauthorized', 'refresh token refused'));
    });
    await until(() => alice.signaling.state === 'connected');
    await until(() =>
      alice.events.some((e) => e.type === 'session.closing' && e.data.reason === 'token-expired'),
    );
    // A refused refresh is not retried: one ask, then the server's deadline decides.
    expect(renewAsked).toBe(1);
    expect(alice.renewals).toEqual([]);
    await until(() => alice.states.includes('reconnecting'));
    await until(() => alice.signaling.state === 'connected');
  });
});
