import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TokenResponse } from '../../protocol/index.js';
import {
  PROTOCOL_VERSION,
  signOutResponseSchema,
  tokenResponseSchema,
} from '../../protocol/index.js';
import type { TestClient } from '../testing/test-client.js';
import { ADMIN_KEY, Scenario, rejection } from './support.js';

/**
 * Refresh-token rotation with reuse detection, and sign-out, on a real server with its SQLite
 * file: each refresh returns a new refresh token and kills the old; presenting a dead one revokes
 * its whole sign-in (family), durably; sign-out (this device, every device), a password change and
 * disabling revoke sign-ins and close the sessions opened with them (`session.closing signed-out`).
 */
let s: Scenario;
/** The overrides replace the test server's auth section: its secret and admin key come along. */
async function start(refreshReuseGraceSec?: number): Promise<void> {
  const auth = {
    jwtSecret: 'test-secret-test-secret-test-secret-0123',
    adminApiKey: ADMIN_KEY,
    accountCheckIntervalMs: 100,
    ...(refreshReuseGraceSec === undefined ? {} : { refreshReuseGraceSec }),
  };
  s = await Scenario.start({ auth }, []);
  await s.t.addUser('frank', 'Frank');
}
/** A test that needs another configuration replaces the server of beforeEach. */
async function restartWithGrace(refreshReuseGraceSec: number): Promise<void> {
  await s.dispose();
  await start(refreshReuseGraceSec);
}
beforeEach(async () => {
  await start();
});
afterEach(async () => {
  await s.dispose();
});

const post = (path: string, refreshToken: string) =>
  s.http('POST', path, { body: { refreshToken }, key: null });

async function refresh(refreshToken: string): Promise<TokenResponse> {
  const answer = await post('/api/auth/refresh', refreshToken);
  expect(answer.status).toBe(200);
  return tokenResponseSchema.parse(answer.json);
}

async function expectRefused(refreshToken: string): Promise<void> {
  const answer = await post('/api/auth/refresh', refreshToken);
  expect(answer).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
}

async function expectHelloRefused(accessToken: string): Promise<void> {
  const anonymous = await s.connectAnonymous();
  await rejection(
    anonymous.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: accessToken,
      device: { id: 'frank-retry', name: 'retry', platform: 'linux' },
    }),
    'unauthorized',
  );
}

async function signedOut(client: TestClient): Promise<void> {
  expect(await client.waitFor('session.closing')).toEqual({ reason: 'signed-out' });
  expect(await client.closed).toBe(4000);
}

describe('refresh-token rotation', () => {
  it('rotates on every refresh; a reused token is refused and revokes its whole sign-in, across a restart', async () => {
    const login = await s.t.login('frank');
    const first = await refresh(login.refreshToken);
    expect(first.refreshToken).not.toBe(login.refreshToken);
    const second = await refresh(first.refreshToken);
    const { client } = await s.signInWithToken(second.accessToken, 'frank-laptop');
    // Another sign-in of the same user is not part of the family and survives.
    const other = await s.t.login('frank');

    // The login's token was rotated twice: presenting it again is a reuse.
    const reuse = await post('/api/auth/refresh', login.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.json).toMatchObject({ error: { code: 'unauthorized' } });
    expect(JSON.stringify(reuse.json)).toContain('already used');
    // The whole family is dead: the newest refresh token, its access token, its session.
    await signedOut(client);
    await expectRefused(second.refreshToken);
    await expectHelloRefused(second.accessToken);
    expect((await refresh(other.refreshToken)).userId).toBe('frank');

    // Durable: a restarted server still refuses the family.
    await s.t.restart();
    await expectRefused(second.refreshToken);
    await expectRefused(first.refreshToken);
    await expectHelloRefused(second.accessToken);
  });

  it('a refresh token from before sign-in families works once, then counts as reused', async () => {
    await restartWithGrace(0);
    const legacy = (await s.t.server.services.tokens.issue('frank', 'refresh')).token;
    const next = await refresh(legacy);
    await expectRefused(legacy);
    await expectRefused(next.refreshToken);
  });
});

describe('the reuse grace (auth.refreshReuseGraceSec)', () => {
  it('two refreshes with one token at the same moment (two tabs, a retry) both get the same new token', async () => {
    const login = await s.t.login('frank');
    const [a, b, c] = await Promise.all([
      refresh(login.refreshToken),
      refresh(login.refreshToken),
      refresh(login.refreshToken),
    ]);
    expect(b.refreshToken).toBe(a.refreshToken);
    expect(c.refreshToken).toBe(a.refreshToken);
    expect(a.refreshToken).not.toBe(login.refreshToken);
    // Each got an access token of its own, of the same live sign-in.
    await s.signInWithToken(a.accessToken, 'frank-tab-1');
    await s.signInWithToken(b.accessToken, 'frank-tab-2');
    // Only the token just replaced is forgiven: two generations back is a reuse.
    const next = await refresh(a.refreshToken);
    await expectRefused(login.refreshToken);
    await expectRefused(next.refreshToken);
  });

  it('is a grace, not a second life: after it the replaced token is a reuse', async () => {
    await restartWithGrace(1);
    const login = await s.t.login('frank');
    const next = await refresh(login.refreshToken);
    expect((await refresh(login.refreshToken)).refreshToken).toBe(next.refreshToken);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expectRefused(login.refreshToken);
    await expectRefused(next.refreshToken);
  });

  it('with the grace off, a token presented twice at once revokes the sign-in', async () => {
    await restartWithGrace(0);
    const login = await s.t.login('frank');
    const answers = await Promise.all([
      post('/api/auth/refresh', login.refreshToken),
      post('/api/auth/refresh', login.refreshToken),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const winner = tokenResponseSchema.parse(answers.find((a) => a.status === 200)?.json);
    await expectRefused(winner.refreshToken);
  });
});

describe('sign-out', () => {
  it('on this device: revokes its sign-in and closes its session; another device stays', async () => {
    const laptop = await s.t.login('frank');
    const phone = await s.t.login('frank');
    const { client: laptopClient } = await s.signInWithToken(laptop.accessToken, 'frank-laptop');
    const { client: phoneClient } = await s.signInWithToken(phone.accessToken, 'frank-phone');

    const out = await post('/api/auth/logout', laptop.refreshToken);
    expect(out.status).toBe(200);
    expect(signOutResponseSchema.parse(out.json)).toEqual({ revoked: 1 });
    await signedOut(laptopClient);
    await expectRefused(laptop.refreshToken);
    await expectHelloRefused(laptop.accessToken);
    // Signing out again is harmless.
    expect((await post('/api/auth/logout', laptop.refreshToken)).json).toEqual({ revoked: 0 });

    expect(await phoneClient.request('ping', {})).toHaveProperty('serverTime');
    expect((await refresh(phone.refreshToken)).userId).toBe('frank');
    expect((await post('/api/auth/logout', 'not-a-token')).status).toBe(401);
  });

  it('on all devices: revokes every sign-in of the user and closes their sessions', async () => {
    const laptop = await s.t.login('frank');
    const phone = await s.t.login('frank');
    const { client: laptopClient } = await s.signInWithToken(laptop.accessToken, 'frank-laptop');
    const { client: phoneClient } = await s.signInWithToken(phone.accessToken, 'frank-phone');
    // A session on a token the business server minted belongs to no sign-in.
    const { client: minted } = await s.signInWithToken(await s.token('frank'), 'frank-kiosk');

    const out = await post('/api/auth/logout-all', phone.refreshToken);
    expect(signOutResponseSchema.parse(out.json)).toEqual({ revoked: 2 });
    await Promise.all([signedOut(laptopClient), signedOut(phoneClient)]);
    await expectRefused(laptop.refreshToken);
    await expectRefused(phone.refreshToken);
    expect(await minted.request('ping', {})).toHaveProperty('serverTime');
    // A revoked sign-in cannot sign the others out again.
    expect((await post('/api/auth/logout-all', phone.refreshToken)).status).toBe(401);
    expect((await refresh((await s.t.login('frank')).refreshToken)).userId).toBe('frank');
  });
});

describe('credential changes revoke every sign-in', () => {
  it('a password change (as `user passwd` writes it) revokes sign-ins; the account check closes their sessions', async () => {
    const login = await s.t.login('frank');
    const { client } = await s.signInWithToken(login.accessToken, 'frank-laptop');
    await s.t.server.services.stores.users.setPassword('frank', 'a-new-password');
    await expectRefused(login.refreshToken);
    await signedOut(client);
  });

  it('disabling (admin API) revokes sign-ins: enabling again does not bring them back', async () => {
    const login = await s.t.login('frank');
    expect((await s.http('POST', '/admin/users/frank/disable')).status).toBe(200);
    expect((await s.http('POST', '/admin/users/frank/enable')).status).toBe(200);
    await expectRefused(login.refreshToken);
    await expectHelloRefused(login.accessToken);
    expect((await refresh((await s.t.login('frank')).refreshToken)).userId).toBe('frank');
  });
});
