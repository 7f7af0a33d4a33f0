import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { STORE_KEYS } from './persistence.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

let t: TestServer;
beforeEach(async () => {
  t = await startTestServer();
  await t.addUser('alice', 'Alice Liddell');
});
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

const signIn = (phone: ReturnType<typeof testPhone>, userId = 'alice', pass = password(userId)) =>
  phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: pass });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Softphone sign-in', () => {
  it('signs in, connects, and shows the account in the snapshot', async () => {
    const phone = testPhone();
    const account = await signIn(phone);
    expect(account).toEqual({
      userId: 'alice',
      displayName: 'Alice Liddell',
      serverUrl: t.server.httpUrl,
    });
    const snapshot = await phone.until((s) => s.connection === 'connected');
    expect(snapshot.account).toEqual(account);
    expect(snapshot.status).toBe('available');
    expect(await phone.sp.getSnapshot({})).toEqual(snapshot);
    // The connection went through connecting before connected, never failed.
    const states = phone.snapshots.map((s) => s.connection);
    expect(states).toContain('connecting');
    expect(states).not.toContain('failed');
    expect((await phone.sp.getSettings({})).settings.serverUrl).toBe(t.server.httpUrl);
  });

  it('refuses a wrong password with wrong-credentials and stays signed out', async () => {
    const phone = testPhone();
    const error = await rejected(signIn(phone, 'alice', 'not-the-password'));
    expect(error.code).toBe('wrong-credentials');
    expect((await phone.sp.getSnapshot({})).connection).toBe('signed-out');
    expect(phone.store.get(STORE_KEYS.session)).toBeUndefined();
  });

  it('reports an unreachable server', async () => {
    const phone = testPhone();
    const port = await closedPort();
    const error = await rejected(
      phone.sp.signIn({ serverUrl: `http://127.0.0.1:${port}`, userId: 'alice', password: 'x' }),
    );
    expect(error.code).toBe('unreachable');
    expect((await phone.sp.getSnapshot({})).account).toBeNull();
  });

  it('times out a server that accepts but never answers', async () => {
    const silent = createHttpServer(() => undefined); // Takes the connection, says nothing.
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      const phone = testPhone({ httpTimeoutMs: 300 });
      const error = await rejected(
        phone.sp.signIn({ serverUrl: `http://127.0.0.1:${port}`, userId: 'alice', password: 'x' }),
      );
      expect(error.code).toBe('timeout');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('gives up as unreachable when signaling does not answer, and stays signed out', async () => {
    const port = await closedPort();
    const phone = testPhone({
      signalingUrl: () => `ws://127.0.0.1:${port}/ws`,
      signInTimeoutMs: 800,
    });
    const error = await rejected(signIn(phone));
    expect(error.code).toBe('unreachable');
    const snapshot = await phone.until((s) => s.connection === 'signed-out');
    expect(snapshot.account).toBeNull();
    expect(phone.store.get(STORE_KEYS.session)).toBeUndefined();
  });

  it('fails with incompatible-version when the server refuses our protocol', async () => {
    // The real server signs us in over HTTP; its signaling stand-in speaks another version.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const { id } = JSON.parse((data as Buffer).toString('utf8')) as { id: number };
        const error = { code: 'incompatible-version', message: 'this server speaks 2' };
        socket.send(JSON.stringify({ id, ok: false, error }));
      });
    });
    try {
      const { port } = wss.address() as { port: number };
      const phone = testPhone({ signalingUrl: () => `ws://127.0.0.1:${port}/ws` });
      const error = await rejected(signIn(phone));
      expect(error.code).toBe('incompatible-version');
      await phone.until((s) => s.connection === 'failed');
      // Commands need a working session.
      expect((await rejected(phone.sp.setStatus({ status: 'away' }))).code).toBe('not-signed-in');
      expect(phone.store.get(STORE_KEYS.session)).toBeUndefined();
      // The rejection is the report: no toast besides.
      expect(phone.errors).toEqual([]);
    } finally {
      await new Promise((resolve) => {
        wss.close(resolve);
      });
    }
  });

  it('restores the saved session after a restart, and sign-out forgets it', async () => {
    const first = testPhone();
    await signIn(first);
    await first.until((s) => s.connection === 'connected');
    await first.sp.close();

    // An app restart: a new Softphone over the same storage signs in by itself.
    const token = first.store.get(STORE_KEYS.refreshToken);
    const second = testPhone({ store: first.store });
    const restored = await second.until((s) => s.connection === 'connected');
    expect(restored.account?.userId).toBe('alice');
    // It refreshed its access token, and keeps the rotated refresh token.
    expect(second.store.get(STORE_KEYS.refreshToken)).not.toBe(token);
    expect(await second.sp.setStatus({ status: 'away' })).toBeNull();

    await second.sp.signOut({});
    expect((await second.sp.getSnapshot({})).connection).toBe('signed-out');
    expect(second.store.get(STORE_KEYS.refreshToken)).toBeUndefined();
    await second.sp.close();

    const third = testPhone({ store: first.store });
    await third.sp.start();
    expect((await third.sp.getSnapshot({})).connection).toBe('signed-out');
  });

  it('fails for good when the saved refresh token is refused, and forgets it', async () => {
    const first = testPhone();
    await signIn(first);
    await first.sp.close();
    first.store.set(STORE_KEYS.refreshToken, JSON.stringify('forged-token'));

    const second = testPhone({ store: first.store });
    const failed = await second.until((s) => s.connection === 'failed');
    expect(failed.account?.userId).toBe('alice');
    expect(second.errors.map((e) => e.code)).toContain('unauthorized');
    expect(second.store.get(STORE_KEYS.refreshToken)).toBeUndefined();
    // Signing in again recovers.
    await signIn(second);
    await second.until((s) => s.connection === 'connected');
  });

  it('stops, rather than fight, when another client signs in with the same device id', async () => {
    const first = testPhone({ deviceId: 'shared-desk' });
    await signIn(first);
    const second = testPhone({ deviceId: 'shared-desk' });
    await signIn(second);
    await first.until((s) => s.connection === 'failed');
    expect(first.errors.map((e) => e.code)).toEqual(['replaced']);
    // The newer one keeps its session: the old one does not come back and evict it.
    await new Promise((r) => setTimeout(r, 500));
    expect(second.last().connection).toBe('connected');
    expect(second.errors).toEqual([]);
  });

  it('refuses to sign in to another server than the one policy fixed', async () => {
    const phone = testPhone({
      policyProvider: { load: () => ({ serverUrl: 'https://pbx.example.com' }) },
    });
    const error = await rejected(signIn(phone));
    expect(error.code).toBe('policy-locked');
    expect((await phone.sp.getSnapshot({})).connection).toBe('signed-out');
  });

  it('rejects invalid arguments without changing anything', async () => {
    const phone = testPhone();
    await signIn(phone);
    const before = await phone.sp.getSnapshot({});
    const bad: [string, unknown][] = [
      ['signIn', { serverUrl: t.server.httpUrl, userId: 'Not A User', password: 'x' }],
      ['signIn', { serverUrl: 'ftp://example.com', userId: 'alice', password: 'x' }],
      ['setStatus', { status: 'sleeping' }],
      ['call', { callees: [], media: 'audio' }],
      ['accept', { callId: 'short' }],
      ['getSnapshot', { extra: true }],
      ['history', { limit: 1000 }],
      ['updateSettings', { language: 'klingon' }],
      ['searchDirectory', { query: 'a' }],
      ['nonsense', {}],
    ];
    for (const [command, args] of bad) {
      const error = await rejected(phone.sp.invoke(command as 'getSnapshot', args));
      expect(error.code, command).toBe('invalid-argument');
    }
    expect(await phone.sp.getSnapshot({})).toEqual(before);
    expect((await phone.sp.getSettings({})).settings.language).toBe('en');
  });

  it('answers commands that need an account with not-signed-in', async () => {
    const phone = testPhone();
    for (const promise of [
      phone.sp.call({ callees: ['alice'], media: 'audio' }),
      phone.sp.history({}),
      phone.sp.searchDirectory({ query: 'a', limit: 5 }),
      phone.sp.watchPresence({ userIds: ['alice'] }),
    ]) {
      expect((await rejected(promise)).code).toBe('not-signed-in');
    }
  });
});
