import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import type { TokenResponse } from '../../protocol/index.js';
import { AuthClient, TokenKeeper } from './auth.js';
import { MemoryStore, STORE_KEYS } from './persistence.js';
import { closePhones, password, testPhone, until } from './testing/softphone-fixture.js';

/**
 * The server rotates refresh tokens and revokes a whole sign-in when a rotated one comes back
 * (server/http/sign-ins.ts): the softphone must keep, and persist, only the newest one; and its
 * sign-out revokes the sign-in on the server, so that a copy of the token is worth nothing.
 */
let t: TestServer;
/** The signed-in refresh token stored in `store` now. */
const storedToken = (store: MemoryStore): string =>
  z.string().parse(JSON.parse(store.get(STORE_KEYS.refreshToken) ?? 'null'));

beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('alice', 'Alice');
});
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

const refreshStatus = async (refreshToken: string): Promise<number> =>
  (
    await fetch(`${t.server.httpUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    })
  ).status;

describe('Softphone with rotating refresh tokens', () => {
  it('persists each rotated token: restarts keep working, and the token it left behind is dead', async () => {
    const first = testPhone();
    await first.sp.signIn({
      serverUrl: t.server.httpUrl,
      userId: 'alice',
      password: password('alice'),
    });
    await first.until((s) => s.connection === 'connected');
    const atSignIn = storedToken(first.store);
    await first.sp.close();

    // Three app restarts, each refreshing with the token the previous one stored.
    let store = first.store;
    const seen = [atSignIn];
    for (let restart = 0; restart < 3; restart++) {
      const phone = testPhone({ store });
      await phone.until((s) => s.connection === 'connected');
      seen.push(storedToken(phone.store));
      await phone.sp.close();
      store = phone.store;
    }
    expect(new Set(seen).size).toBe(seen.length);

    // Signing out revokes the sign-in on the server: the last stored token is refused too.
    const last = testPhone({ store });
    await last.until((s) => s.connection === 'connected');
    const current = storedToken(last.store);
    await last.sp.signOut({});
    expect(last.store.get(STORE_KEYS.refreshToken)).toBeUndefined();
    expect(await refreshStatus(current)).toBe(401);
    expect(await refreshStatus(atSignIn)).toBe(401);
  });

  it('stops as signed out when another device signs every device out', async () => {
    const phone = testPhone();
    await phone.sp.signIn({
      serverUrl: t.server.httpUrl,
      userId: 'alice',
      password: password('alice'),
    });
    await phone.until((s) => s.connection === 'connected');
    const other = await t.login('alice');
    const out = await fetch(`${t.server.httpUrl}/api/auth/logout-all`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: other.refreshToken }),
    });
    expect(out.status).toBe(200);
    const failed = await phone.until((s) => s.connection === 'failed');
    expect(failed.account?.userId).toBe('alice');
    expect(phone.store.get(STORE_KEYS.refreshToken)).toBeUndefined();
  });
});

/**
 * Browser tabs: one localStorage (one sign-in, one refresh token), a device id each. The access
 * tokens here live 100 s, under TokenKeeper's 120 s margin, so every hello refreshes.
 */
describe('tabs sharing one sign-in do not sign each other out by rotating', () => {
  const serverWithGrace = async (refreshReuseGraceSec: number) => {
    await t.dispose();
    t = await startTestServer(
      {
        auth: {
          jwtSecret: 'test-secret-test-secret-test-secret-0123',
          refreshReuseGraceSec,
        },
      },
      { tokenLifetimesSec: { access: 100 } },
    );
    await t.addUser('alice', 'Alice');
  };
  const tabsOn = async (refreshReuseGraceSec: number) => {
    await serverWithGrace(refreshReuseGraceSec);
    const store = new MemoryStore();
    const first = testPhone({ store, deviceId: 'web-tab-1' });
    await first.sp.signIn({
      serverUrl: t.server.httpUrl,
      userId: 'alice',
      password: password('alice'),
    });
    const second = testPhone({ store, deviceId: 'web-tab-2' });
    await second.until((s) => s.connection === 'connected');
    return { store, tabs: [first, second] };
  };
  const reconnect = (deviceId: string) => {
    for (const session of t.server.services.sessions.sessionsOf('alice')) {
      if (session.device.id === deviceId) session.close('server-shutdown');
    }
  };

  it('one tab at a time: each refreshes with the token the other stored (no grace needed)', async () => {
    const { store, tabs } = await tabsOn(0);
    // Tab 1 still holds, in memory, the token tab 2 rotated away when it opened.
    for (const round of [1, 2, 3]) {
      for (const [index, tab] of tabs.entries()) {
        const before = storedToken(store);
        reconnect(`web-tab-${index + 1}`);
        await until(() => storedToken(store) !== before, `tab ${index + 1} refreshed, ${round}`);
        await tab.until((s) => s.connection === 'connected');
      }
    }
    for (const tab of tabs) expect(tab.last().connection).toBe('connected');
    expect(await refreshStatus(storedToken(store))).toBe(200);
  });

  /** Two tabs' token keepers over one stored token, refreshing in the same tick. */
  const refreshTogether = async () => {
    const login = await t.login('alice');
    let stored = login.refreshToken;
    const auth = new AuthClient({ fetch, clock: { now: () => Date.now() }, httpTimeoutMs: 5_000 });
    const saved = {
      rotated: (tokens: TokenResponse) => {
        stored = tokens.refreshToken;
        return Promise.resolve();
      },
      latest: () => Promise.resolve(stored),
    };
    const clock = { now: () => Date.now() };
    const tabs = [1, 2].map(
      () => new TokenKeeper(auth, clock, t.server.httpUrl, login.refreshToken, saved),
    );
    const outcomes = await Promise.allSettled(tabs.map((tab) => tab.renewalToken()));
    return { outcomes, stored: () => stored };
  };

  it('both in the same tick: the server’s reuse grace answers both with the same token', async () => {
    await serverWithGrace(30);
    const { outcomes, stored } = await refreshTogether();
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await refreshStatus(stored())).toBe(200);
  });

  it('both in the same tick with the grace off: the second is a reuse (what the grace is for)', async () => {
    await serverWithGrace(0);
    const { outcomes, stored } = await refreshTogether();
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await refreshStatus(stored())).toBe(401);
  });
});
