import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { createBrowserSoftphone } from './browser.js';
import { STORE_KEYS } from './persistence.js';
import type { Softphone } from './softphone.js';
import { password, until } from './testing/softphone-fixture.js';

/** Web Storage as a page has it. */
class FakeStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

type Globals = Record<'WebSocket' | 'localStorage' | 'sessionStorage', unknown>;
const g = globalThis as unknown as Globals;
const saved: Partial<Globals> = {};
let t: TestServer;
const phones: Softphone[] = [];

beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('alice');
  for (const key of ['WebSocket', 'localStorage', 'sessionStorage'] as const) saved[key] = g[key];
  // Node has fetch; the page's WebSocket and storage are stood in for.
  g.WebSocket = WebSocket;
  g.localStorage = new FakeStorage();
  g.sessionStorage = new FakeStorage();
});
afterEach(async () => {
  await Promise.all(phones.splice(0).map((p) => p.close()));
  Object.assign(g, saved);
  await t.dispose();
});

describe('createBrowserSoftphone', () => {
  it('signs in with the page globals, keeps the session in localStorage, the device per tab', async () => {
    const sp = createBrowserSoftphone({ serverUrl: t.server.httpUrl });
    phones.push(sp);
    expect(sp.shell).toBe('browser');
    expect((await sp.getSettings({})).settings.serverUrl).toBe(t.server.httpUrl);
    await sp.signIn({ serverUrl: t.server.httpUrl, userId: 'alice', password: password('alice') });
    expect((await sp.getSnapshot({})).connection).toBe('connected');

    const local = g.localStorage as FakeStorage;
    const tab = g.sessionStorage as FakeStorage;
    expect(local.items.has(STORE_KEYS.session)).toBe(true);
    expect(local.items.has(STORE_KEYS.refreshToken)).toBe(true);
    expect(tab.items.get(STORE_KEYS.deviceId)).toMatch(/^"web-/);
    expect(local.items.has(STORE_KEYS.deviceId)).toBe(false);

    // A reload of the page: signed in again from localStorage, same device.
    await sp.close();
    const reloaded = createBrowserSoftphone({ serverUrl: t.server.httpUrl });
    phones.push(reloaded);
    let connection = '';
    reloaded.on('snapshot', (s) => (connection = s.connection));
    await until(() => connection === 'connected', 'reconnected after reload');
    const sessions = t.server.services.sessions;
    expect(sessions.isOnline('alice')).toBe(true);
  });

  it('keeps working in memory when storage is blocked', async () => {
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new Error('SecurityError');
      },
    });
    try {
      const sp = createBrowserSoftphone({ serverUrl: t.server.httpUrl });
      phones.push(sp);
      await sp.signIn({
        serverUrl: t.server.httpUrl,
        userId: 'alice',
        password: password('alice'),
      });
      expect((await sp.getSnapshot({})).account?.userId).toBe('alice');
    } finally {
      Object.defineProperty(globalThis, 'localStorage', {
        configurable: true,
        writable: true,
        value: undefined,
      });
    }
  });
});
