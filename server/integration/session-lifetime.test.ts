import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/test-client.js';
import { TokenService } from '../tokens.js';
import { Scenario, rejection } from './support.js';

/**
 * A session lives as long as its access token: its deadline is the token's expiry, moved by
 * `session.renew` with a fresh token of the same user; past the deadline and the grace the
 * server closes it with `token-expired`, a session loss like any other (the rejoin window).
 *
 * Short lifetimes come from the server's own token signer (`tokens.issue` with a TTL, as the
 * login signs them), not from a lowered configuration minimum; the grace is its real key at 1 s.
 */
const GRACE_SEC = 1;
/** The sweep visits every connection once per heartbeat interval here. */
const HEARTBEAT_MS = 200;
/** How late the sweep may close a session: one period, and a slow shared CPU. */
const SWEEP_SLACK_MS = HEARTBEAT_MS + 800;
const WINDOW_MS = 4_000;

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start(
    {
      auth: { sessionRenewGraceSec: GRACE_SEC },
      signaling: { heartbeatIntervalMs: HEARTBEAT_MS },
      calls: { rejoinWindowMs: WINDOW_MS, defaultRingTimeoutMs: 10_000 },
    },
    ['alice', 'bob'],
  );
});
afterEach(async () => {
  await s.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (at: number) => sleep(Math.max(0, at - Date.now()));

/** Signs in with a token that lives `ttlSec` (its expiry has the token's one-second grain). */
async function signInFor(userId: string, ttlSec: number, device = `${userId}-laptop`) {
  const { client, hello } = await s.signInWithToken(await s.token(userId, ttlSec), device);
  return { client, deadline: hello.sessionExpiresAt };
}

/** Waits for the token-expired close; returns when the socket closed, and its code. */
async function expiredClose(client: TestClient, timeoutMs: number) {
  expect(await client.waitFor('session.closing', () => true, timeoutMs)).toEqual({
    reason: 'token-expired',
  });
  const code = await client.closed;
  return { at: Date.now(), code };
}

describe('a session and its access token', () => {
  it('tells its deadline at hello: the expiry of the token it signed in with', async () => {
    const token = await s.token('alice', 120);
    const { exp } = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { exp: number };
    const { hello } = await s.signInWithToken(token, 'alice-laptop');
    expect(hello.sessionExpiresAt).toBe(exp * 1000);
  });

  it('is closed with token-expired (code 4000) once its deadline and the grace have passed, not before', async () => {
    const { client, deadline } = await signInFor('alice', 2);
    const closed = await expiredClose(client, 5_000);
    expect(closed.code).toBe(4000);
    expect(closed.at).toBeGreaterThanOrEqual(deadline + GRACE_SEC * 1000);
    expect(closed.at).toBeLessThan(deadline + GRACE_SEC * 1000 + SWEEP_SLACK_MS);
  });

  it('stays open past its first token once renewed, until the renewed deadline and grace', async () => {
    const { client, deadline: first } = await signInFor('alice', 2);
    const renewed = await client.request('session.renew', {
      accessToken: await s.token('alice', 5),
    });
    expect(renewed.sessionExpiresAt).toBeGreaterThanOrEqual(first + 3_000);

    await until(first + GRACE_SEC * 1000 + SWEEP_SLACK_MS);
    expect(await client.request('ping', {})).toHaveProperty('serverTime');
    expect(client.received('session.closing')).toEqual([]);

    const closed = await expiredClose(client, 6_000);
    expect(closed.at).toBeGreaterThanOrEqual(renewed.sessionExpiresAt + GRACE_SEC * 1000);
  });

  it('refuses a bad renew with a typed error and keeps its deadline', async () => {
    const { client, deadline } = await signInFor('alice', 3);
    const forger = new TokenService('another-secret-another-secret-0123456', {
      accessSec: 3600,
      refreshSec: 3600,
    });
    const forged = (await forger.issue('alice', 'access')).token;
    const refresh = (await s.t.server.services.tokens.issue('alice', 'refresh')).token;
    await rejection(client.request('session.renew', { accessToken: forged }), 'unauthorized');
    await rejection(
      client.request('session.renew', { accessToken: await s.token('bob', 3600) }),
      'unauthorized',
    );
    await rejection(client.request('session.renew', { accessToken: refresh }), 'unauthorized');
    await rejection(
      client.request('session.renew', { accessToken: await s.token('alice', -60) }),
      'token-expired',
    );
    await rejection(client.request('session.renew', { accessToken: 'x' }), 'unauthorized');
    // A token older than the deadline in force does not shorten it.
    const older = await client.request('session.renew', { accessToken: await s.token('alice', 1) });
    expect(older.sessionExpiresAt).toBe(deadline);
    // Nothing else was lost: the connection answers, and it closes at its own deadline.
    expect(await client.request('ping', {})).toHaveProperty('serverTime');
    const closed = await expiredClose(client, 6_000);
    expect(closed.at).toBeGreaterThanOrEqual(deadline + GRACE_SEC * 1000);
    expect(closed.at).toBeLessThan(deadline + GRACE_SEC * 1000 + SWEEP_SLACK_MS);
  });

  it('gives a call in progress the rejoin window when it closes for expiry; a reconnect within it keeps the call', async () => {
    const { client: alice } = await signInFor('alice', 2);
    const bob = await s.signIn('bob', 'bob-laptop');
    const callId = 'expiry-0001';
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await bob.waitFor('call.incoming', (d) => d.call.callId === callId);
    await bob.request('call.accept', { callId });
    await alice.waitFor('call.updated', (d) => d.call.state === 'active');

    await expiredClose(alice, 5_000);
    const dropped = await bob.waitFor(
      'call.updated',
      (d) => d.call.callerConnection === 'reconnecting',
    );
    expect(dropped.call.state).toBe('active');
    expect(bob.received('call.ended')).toEqual([]);

    // The client refreshes its token and signs in again, as after any loss.
    const again = await s.signInWithToken(await s.token('alice'), 'alice-laptop');
    expect(again.hello.calls.map((c) => [c.callId, c.state])).toEqual([[callId, 'active']]);
    const back = await bob.waitFor(
      'call.updated',
      (d) => d.call.state === 'active' && d.call.callerConnection === undefined,
    );
    expect(back.call.state).toBe('active');
    await sleep(WINDOW_MS + 500);
    expect(bob.received('call.ended')).toEqual([]);
    expect((await bob.request('call.list', {})).calls.map((c) => c.state)).toEqual(['active']);
  });
});
