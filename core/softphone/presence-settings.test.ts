import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfigInput } from '../../server/config.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { closePhones, password, rejected, testPhone } from './testing/softphone-fixture.js';

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let t: TestServer;
afterEach(async () => {
  await closePhones();
  await t.dispose();
});

async function start(config: ServerConfigInput = {}): Promise<void> {
  t = await startTestServer(config);
  for (const id of ['alice', 'bob', 'carol']) await t.addUser(id);
}

async function signedIn(userId: string, options: Parameters<typeof testPhone>[0] = {}) {
  const phone = testPhone(options);
  await phone.sp.signIn({ serverUrl: t.server.httpUrl, userId, password: password(userId) });
  await phone.until((s) => s.connection === 'connected');
  return phone;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Softphone presence', () => {
  it('watches users: their presence and status changes reach the snapshot', async () => {
    await start();
    const alice = await signedIn('alice');
    await alice.sp.watchPresence({ userIds: ['bob', 'carol', 'nobody'] });
    await alice.until((s) => s.presence.length === 2);
    expect(alice.last().presence).toEqual([
      { userId: 'bob', online: false, status: 'available' },
      { userId: 'carol', online: false, status: 'available' },
    ]);

    const bob = await signedIn('bob');
    await alice.until((s) => s.presence.find((p) => p.userId === 'bob')?.online === true);
    await bob.sp.setStatus({ status: 'away' });
    expect(bob.last().status).toBe('away');
    await alice.until((s) => s.presence.find((p) => p.userId === 'bob')?.status === 'away');

    // Watching a new list drops the old entries.
    await alice.sp.watchPresence({ userIds: ['carol'] });
    await alice.until((s) => s.presence.map((p) => p.userId).join() === 'carol');
  });

  it('shows a status set on another device of the same account', async () => {
    await start();
    const desk = await signedIn('alice');
    const laptop = await signedIn('alice');
    await laptop.sp.setStatus({ status: 'dnd' });
    await desk.until((s) => s.status === 'dnd');
  });

  it('keeps the session and the watch list across a server restart', async () => {
    await start({ port: await freePort() });
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    await alice.sp.watchPresence({ userIds: ['bob'] });
    await alice.until((s) => s.presence[0]?.online === true);

    await t.restart();
    await alice.until((s) => s.connection === 'reconnecting');
    await alice.until((s) => s.connection === 'connected');
    await bob.until((s) => s.connection === 'connected');
    expect(alice.last().account?.userId).toBe('alice');

    // The new server session watches bob again: his next change arrives.
    await bob.sp.setStatus({ status: 'busy' });
    await alice.until((s) => s.presence[0]?.status === 'busy');
    expect(alice.errors).toEqual([]);
    // And calls work on the new connection.
    const { callId } = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => s.calls.some((c) => c.callId === callId && c.state === 'ringing'));
  });
});

describe('Softphone settings', () => {
  it('has defaults, saves changes, and refuses to change what policy locked', async () => {
    await start();
    const phone = testPhone({
      policyProvider: { load: () => ({ ringtone: 'corporate', startHidden: true }) },
    });
    const view = await phone.sp.getSettings({});
    expect(view.locked.sort()).toEqual(['ringtone', 'startHidden']);
    expect(view.settings).toMatchObject({
      language: 'en',
      ringtone: 'corporate',
      startHidden: true,
    });
    expect(view.policyError).toBeUndefined();

    const updated = await phone.sp.updateSettings({ language: 'zh-CN', ringtone: 'corporate' });
    expect(updated.settings.language).toBe('zh-CN');

    const error = await rejected(phone.sp.updateSettings({ language: 'en', ringtone: 'bells' }));
    expect(error.code).toBe('policy-locked');
    // Nothing of a refused update is applied.
    expect((await phone.sp.getSettings({})).settings.language).toBe('zh-CN');

    // Settings survive a restart.
    await phone.sp.close();
    const again = testPhone({ store: phone.store });
    expect((await again.sp.getSettings({})).settings.language).toBe('zh-CN');
  });

  it('ignores a malformed policy as a whole and says why', async () => {
    await start();
    const phone = testPhone({ policyProvider: { load: () => ({ ringtone: 42, bogus: true }) } });
    const view = await phone.sp.getSettings({});
    expect(view.locked).toEqual([]);
    expect(view.policyError).toMatch(/policy ignored/);
  });

  it('takes call waiting from the server at sign-in, unless it was changed here meanwhile', async () => {
    await start();
    const users = t.server.services.stores.users;
    await users.updateSettings('bob', { callWaiting: true });
    const bob = await signedIn('bob');
    await until(
      async () => (await bob.sp.getSettings({})).settings.callWaiting,
      'server value adopted',
    );

    // Changed while signed out: the server hears it at the next sign-in.
    const carol = testPhone();
    await carol.sp.updateSettings({ callWaiting: true });
    await carol.sp.signIn({
      serverUrl: t.server.httpUrl,
      userId: 'carol',
      password: password('carol'),
    });
    await until(async () => (await users.getSettings('carol')).callWaiting, 'server told');
    expect((await carol.sp.getSettings({})).settings.callWaiting).toBe(true);
  });

  it('sends call waiting to the server, which then rings a busy user', async () => {
    await start();
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    await bob.sp.updateSettings({ callWaiting: true });

    const first = await alice.sp.call({ callees: ['bob'], media: 'audio' });
    await bob.until((s) => s.calls.some((c) => c.state === 'ringing'));
    await bob.sp.accept({ callId: first.callId, media: 'audio' });
    await bob.until((s) => s.calls.some((c) => c.state === 'active'));

    const second = await carol.sp.call({ callees: ['bob'], media: 'audio' });
    const waiting = await bob.until((s) =>
      s.calls.some((c) => c.callId === second.callId && c.state === 'ringing'),
    );
    expect(waiting.calls.find((c) => c.callId === second.callId)?.waiting).toBe(true);

    // A policy that locks call waiting off wins over the server at the next sign-in.
    await bob.sp.close();
    const locked = testPhone({
      store: bob.store,
      policyProvider: { load: () => ({ callWaiting: false }) },
    });
    await locked.until((s) => s.connection === 'connected');
    const users = t.server.services.stores.users;
    await until(
      async () => !(await users.getSettings('bob')).callWaiting,
      'server call waiting off',
    );
    expect((await locked.sp.getSettings({})).settings.callWaiting).toBe(false);
  });
});
