import { afterEach, describe, expect, it } from 'vitest';
import { restErrorSchema } from '../../protocol/index.js';
import type { ServerConfigInput } from '../config.js';
import { type TestServer, startTestServer } from '../testing/test-server.js';

/** `POST /api/auth/login` attempts are limited per account and per client address (config). */
describe('sign-in limits', () => {
  let t: TestServer;
  afterEach(async () => {
    await t.dispose();
  });

  async function serverWith(users: readonly string[], overrides: ServerConfigInput = {}) {
    t = await startTestServer(overrides);
    for (const user of users) await t.addUser(user);
  }
  const login = (userId: string): Promise<globalThis.Response> =>
    fetch(`${t.server.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, password: `password-${userId}` }),
    });
  /** Signs each user in, in turn, all from this test's one address. */
  async function statusesOf(userIds: readonly string[]): Promise<number[]> {
    const statuses: number[] = [];
    for (const userId of userIds) {
      const res = await login(userId);
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    return statuses;
  }

  it('answers the eleventh sign-in within a minute with 429', async () => {
    await serverWith(['alice']);
    const statuses = await statusesOf(Array.from({ length: 11 }, () => 'alice'));
    expect(statuses.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(statuses[10]).toBe(429);
    const res = await login('alice');
    expect(res.status).toBe(429);
    expect(restErrorSchema.parse(await res.json()).error.code).toBe('rate-limited');
    // When the account's minute ends: 1-60 whole seconds (RFC 9110 delay-seconds).
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  });

  it('says when to retry on refresh and sign-out too (the address limit)', async () => {
    await serverWith(['alice'], { auth: { signInPerAddressPerMinute: 2 } });
    const first = await t.login('alice');
    const refresh = await fetch(`${t.server.httpUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: first.refreshToken }),
    });
    expect(refresh.status).toBe(200);
    await refresh.arrayBuffer();
    for (const path of ['/api/auth/refresh', '/api/auth/logout']) {
      const res = await fetch(`${t.server.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: first.refreshToken }),
      });
      expect(res.status).toBe(429);
      await res.arrayBuffer();
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    }
  });

  it('lets an office sign many agents in from one address, within the address limit', async () => {
    // Twenty accounts from one address (as behind a NAT): the default address limit is 120 a
    // minute, so none is refused; the account limit (10) is per account.
    const agents = Array.from({ length: 20 }, (_, i) => `agent-${String(i).padStart(2, '0')}`);
    await serverWith(agents);
    expect(await statusesOf(agents)).toEqual(agents.map(() => 200));
  });

  it('refuses sign-ins from one address beyond auth.signInPerAddressPerMinute', async () => {
    const users = ['u-one', 'u-two', 'u-three', 'u-four'];
    await serverWith(users, { auth: { signInPerAddressPerMinute: 3 } });
    expect(await statusesOf(users)).toEqual([200, 200, 200, 429]);
  });
});
