import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  adminMintedTokenSchema,
  adminUserSchema,
  tokenResponseSchema,
} from '../../protocol/index.js';
import { Scenario, rejection } from './support.js';

let s: Scenario;
beforeEach(async () => {
  s = await Scenario.start({}, ['alice']);
});
afterEach(async () => {
  await s.dispose();
});

const signInWith = (token: string, deviceId: string) => s.signInWithToken(token, deviceId);

describe('the admin users API', () => {
  it('creates and lists users, and mints tokens that sign in over the signaling socket', async () => {
    const created = await s.http('POST', '/admin/users', {
      body: { userId: 'erin', displayName: 'Erin Example' },
    });
    expect(created.status).toBe(201);
    expect(adminUserSchema.parse(created.json)).toMatchObject({
      userId: 'erin',
      displayName: 'Erin Example',
      disabled: false,
    });
    const again = await s.http('POST', '/admin/users', {
      body: { userId: 'erin', displayName: 'Erin Again' },
    });
    expect(again.status).toBe(409);

    const listed = await s.http('GET', '/admin/users');
    expect(listed.status).toBe(200);
    const users = (listed.json as { users: unknown[] }).users.map((u) => adminUserSchema.parse(u));
    expect(users.map((u) => u.userId)).toEqual(['alice', 'erin']);
    const page = await s.http('GET', '/admin/users?after=alice&limit=1');
    expect((page.json as { users: { userId: string }[] }).users.map((u) => u.userId)).toEqual([
      'erin',
    ]);

    const minted = await s.http('POST', '/admin/users/erin/tokens', { body: { ttlSeconds: 600 } });
    expect(minted.status).toBe(200);
    const { accessToken, accessTokenExpiresAt, expiresAt } = adminMintedTokenSchema.parse(
      minted.json,
    );
    expect(accessTokenExpiresAt).toBeGreaterThan(Date.now() + 500_000);
    // The name sign-in uses; the old one stays, equal, for existing integrations.
    expect(expiresAt).toBe(accessTokenExpiresAt);
    const { client, hello } = await signInWith(accessToken, 'erin-laptop');
    expect(hello).toMatchObject({ userId: 'erin', displayName: 'Erin Example' });
    await client.close();

    expect((await s.http('POST', '/admin/users/nobody/tokens', { body: {} })).status).toBe(404);
    expect((await s.http('GET', '/admin/users', { key: null })).status).toBe(401);
  });

  it('disables a user: their sessions are closed with account-disabled and hello is refused', async () => {
    const token = await s.token('alice');
    const { client: laptop } = await signInWith(token, 'alice-laptop');
    const { client: phone } = await signInWith(token, 'alice-phone');

    const disabled = await s.http('POST', '/admin/users/alice/disable');
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ userId: 'alice', disabled: true });

    for (const client of [laptop, phone]) {
      expect(await client.waitFor('session.closing')).toEqual({ reason: 'account-disabled' });
      expect(await client.closed).toBe(4000);
    }
    const retry = await s.connectAnonymous();
    await rejection(
      retry.request('hello', {
        protocol: PROTOCOL_VERSION,
        token,
        device: { id: 'alice-laptop', name: 'laptop', platform: 'linux' },
      }),
      'unauthorized',
    );
    expect((await s.http('POST', '/admin/users/alice/tokens', { body: {} })).status).toBe(409);

    expect((await s.http('POST', '/admin/users/alice/enable')).status).toBe(200);
    const { hello } = await signInWith(token, 'alice-laptop');
    expect(hello.userId).toBe('alice');
  });
});

describe('client sign-in over HTTP', () => {
  it('trades a refresh token for a new token pair, and refuses an access token in its place', async () => {
    await s.t.addUser('frank', 'Frank');
    const login = tokenResponseSchema.parse(await s.t.login('frank'));

    const refreshed = await s.http('POST', '/api/auth/refresh', {
      body: { refreshToken: login.refreshToken },
      key: null,
    });
    expect(refreshed.status).toBe(200);
    const tokens = tokenResponseSchema.parse(refreshed.json);
    expect(tokens).toMatchObject({ userId: 'frank', displayName: 'Frank' });
    const { hello } = await signInWith(tokens.accessToken, 'frank-laptop');
    expect(hello.userId).toBe('frank');

    const misused = await s.http('POST', '/api/auth/refresh', {
      body: { refreshToken: login.accessToken },
      key: null,
    });
    expect(misused.status).toBe(401);
    expect(misused.json).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
