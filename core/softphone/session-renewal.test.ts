import { afterEach, describe, expect, it } from 'vitest';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import type { FetchLike } from './auth.js';
import { closePhones, password, testPhone } from './testing/softphone-fixture.js';

/**
 * The softphone keeps its signaling session past the life of its access token: it refreshes
 * the token over HTTP (`/api/auth/refresh`, as it signs in) and sends `session.renew` before
 * the deadline. The server signs 3 s access tokens (StartOptions.tokenLifetimesSec) and closes
 * a session not renewed 1 s past its deadline.
 */
const TOKEN_SEC = 3;

let t: TestServer;
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function start(users: string[]): Promise<void> {
  t = await startTestServer(
    {
      auth: { sessionRenewGraceSec: 1 },
      signaling: { heartbeatIntervalMs: 200 },
      calls: { defaultRingTimeoutMs: 20_000, rejoinWindowMs: 5_000 },
    },
    { tokenLifetimesSec: { access: TOKEN_SEC } },
  );
  for (const id of users) await t.addUser(id);
}

async function signedIn(userId: string, fetchVia?: FetchLike) {
  const phone = testPhone({ deviceId: `${userId}-desk`, ...(fetchVia ? { fetch: fetchVia } : {}) });
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

const callIn = (s: SoftphoneSnapshot, callId: string) => s.calls.find((c) => c.callId === callId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Softphone: a session outlives its access tokens', () => {
  it('stays connected across several token lifetimes with its call active', async () => {
    await start(['alice', 'bob']);
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => callIn(s, callId)?.state === 'ringing');
    await bob.sp.accept({ callId, media: 'audio' });
    await alice.until((s) => callIn(s, callId)?.state === 'active');
    const firstDeadline = t.server.services.sessions.sessionsOf('alice')[0]?.expiresAt ?? 0;
    const from = { alice: alice.snapshots.length, bob: bob.snapshots.length };

    await sleep(4 * TOKEN_SEC * 1000);
    for (const [phone, seen] of [
      [alice, from.alice],
      [bob, from.bob],
    ] as const) {
      // Nothing to show while all is well: any snapshot since would be a loss of connection.
      const since = phone.snapshots.slice(seen).map((s) => s.connection);
      expect(since.filter((c) => c !== 'connected')).toEqual([]);
      expect(phone.last().connection).toBe('connected');
      expect(callIn(phone.last(), callId)?.state).toBe('active');
      expect(phone.errors).toEqual([]);
    }
    const [session] = t.server.services.sessions.sessionsOf('alice');
    expect(session?.expiresAt).toBeGreaterThan(firstDeadline + 2 * TOKEN_SEC * 1000);
  });

  it('is closed with token-expired when its refresh token is refused, and then stops as unauthorized', async () => {
    await start(['alice']);
    // The server refuses the refresh token from now on, as it would a revoked one.
    let refused = false;
    const refusing: FetchLike = (url, init) =>
      fetch(
        url,
        refused && url.endsWith('/api/auth/refresh')
          ? { ...init, body: JSON.stringify({ refreshToken: 'revoked' }) }
          : init,
      );
    const alice = await signedIn('alice', refusing);
    const [session] = t.server.services.sessions.sessionsOf('alice');
    const closing = new Promise<string>((resolve) => {
      const original = session?.close.bind(session);
      if (session && original) {
        session.close = (reason) => {
          resolve(reason);
          original(reason);
        };
      }
    });
    refused = true;

    expect(await closing).toBe('token-expired');
    await alice.until((s) => s.connection === 'signed-out' || s.connection === 'failed');
    expect(alice.errors.map((e) => e.code)).toContain('unauthorized');
    expect(t.server.services.sessions.sessionsOf('alice')).toEqual([]);
  });
});
