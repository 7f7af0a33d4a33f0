import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Softphone } from '../../core/softphone/index.js';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import type { TestClient } from '../../server/testing/test-client.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { memoryLog } from '../../main/log/log.js';
import type { NotificationSpec } from '../../main/ringing/ringing-coordinator.js';
import { APP_ORIGIN, isTrustedSender } from '../../main/security/origins.js';
import { DesktopStore } from '../../main/settings/desktop-store.js';
import { loadPolicy } from '../../main/settings/policy.js';
import { SettingsWatch } from '../../main/settings/settings-watch.js';
import { TokenVault } from '../../main/settings/token-vault.js';
import { HandleLog } from '../../main/testing/fakes.js';
import type { TrayModel } from '../../main/tray/tray-model.js';
import { DesktopApp } from '../../main/app/desktop-app.js';
import { realTimers } from '../../main/app/ports.js';

/**
 * The desktop main process without Electron: core's real Softphone (over `ws`, with the desktop
 * settings store) against a real server, driving DesktopApp whose Electron ports are recorders.
 * A Node client calls; the ringing surfaces must follow the invitation's real life.
 */
let t: TestServer;
/** The caller, one connection for the suite (sign-ins are rate-limited per address). */
let alice: TestClient;
beforeAll(async () => {
  t = await startTestServer();
  await t.addUser('alice', 'Alice');
  await t.addUser('bob', 'Bob');
  alice = await t.connect('alice', { id: 'alice-node' });
});
afterAll(async () => {
  await t.dispose();
});

const running: DesktopApp[] = [];
let seq = 0;
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.quit()));
});

async function until(check: () => boolean, what: string, ms = 8_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function desktopBob() {
  const log = memoryLog();
  const safe = {
    isEncryptionAvailable: () => true,
    encryptString: (s: string) => Buffer.from(s).reverse(),
    decryptString: (b: Buffer) => Buffer.from(b).reverse().toString(),
  };
  let file: unknown;
  const store = new DesktopStore(
    { read: () => file, write: (d) => (file = d) },
    loadPolicy('/none', () => null),
    new TokenVault(safe, log),
    log,
  );
  const softphone = new Softphone({
    shell: 'electron',
    fetch: (url, init) => fetch(url, init),
    createSocket: (url) => new WebSocket(url),
    store: store.store,
    secretStore: store.secretStore,
    device: { name: 'desk', platform: 'linux', id: `bob-desk-${seq++}` },
    settingsProvider: store.settingsProvider,
    policyProvider: store.policyProvider,
    defaultSettings: store.defaultSettings(),
  });
  await softphone.start();
  const windows = new HandleLog();
  const notifications: NotificationSpec[] = [];
  const main: string[] = [];
  const trays: TrayModel[] = [];
  const badges: number[] = [];
  let last: SoftphoneSnapshot | undefined;
  softphone.on('snapshot', (s) => (last = s));
  const app = new DesktopApp({
    softphone,
    settings: new SettingsWatch(),
    mainWindow: {
      show: () => main.push('show'),
      hide: () => main.push('hide'),
      isVisible: () => false,
      openView: (v) => main.push(v),
      muteToggle: () => main.push('mute'),
      reload: () => main.push('reload'),
      restartRenderer: () => main.push('restart-renderer'),
    },
    ringingWindows: { open: (id) => windows.handle(id) },
    notifier: {
      show: (spec) => {
        notifications.push(spec);
        return { close: () => undefined };
      },
    },
    tray: { render: (m) => trays.push(m), setBadgeCount: (n) => badges.push(n) },
    shortcuts: { register: () => true, unregister: () => undefined },
    applyLoginItem: () => undefined,
    platform: { os: 'linux', execPath: '/x', configHome: '/tmp/none', appArgs: [] },
    isTrustedSender: (frame) => isTrustedSender(frame, { app: APP_ORIGIN }),
    exit: () => undefined,
    timers: realTimers,
    log,
  });
  running.push(app);
  await app.start(['trayphone', '--hidden']);
  const frame = (route = '') => ({ url: `${APP_ORIGIN}/index.html${route}`, isMainFrame: true });
  const signIn = await app.router.handle('softphone:signIn', frame(), {
    serverUrl: t.server.httpUrl,
    userId: 'bob',
    password: 'password-bob',
  });
  expect(signIn.ok).toBe(true);
  await until(() => last?.connection === 'connected', 'bob connected');
  return {
    app,
    softphone,
    windows,
    notifications,
    main,
    trays,
    badges,
    frame,
    log,
    snap: () => last,
  };
}

const newCallId = () => `desk-call-${Date.now()}-${seq++}`;

describe('DesktopApp with the real softphone and server', () => {
  it('rings, accepts from the ringing window, closes it, shows the call, hangs up by hotkey', async () => {
    const bob = await desktopBob();
    const callId = newCallId();
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'video' });
    await until(() => bob.windows.open.includes(callId), 'ringing window');
    await until(() => bob.notifications.length > 0, 'incoming notification');
    // The caller's display name, from the directory.
    expect(bob.notifications[0]).toMatchObject({
      kind: 'incoming',
      title: 'Incoming video call',
      body: 'Alice',
    });
    expect(bob.trays.at(-1)?.state).toBe('ringing');

    const answer = await bob.app.router.handle(
      'softphone:accept',
      bob.frame(`#/ringing/${callId}`),
      {
        callId,
        media: 'video',
      },
    );
    expect(answer).toEqual({ ok: true, data: null });
    await until(() => bob.windows.open.length === 0, 'ringing window closed');
    expect(bob.main).toContain('show');
    await until(() => bob.trays.at(-1)?.state === 'in-call', 'tray in call');

    bob.app.hotkey('hangup');
    await alice.waitFor('call.ended', (d) => d.call.callId === callId);
    await until(() => bob.trays.at(-1)?.state === 'available', 'tray available');
  });

  it('the caller cancels: the window closes, a missed-call notification stays, the badge rises', async () => {
    const bob = await desktopBob();
    const callId = newCallId();
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await until(() => bob.windows.open.includes(callId), 'ringing window');
    await alice.request('call.cancel', { callId });
    await until(() => bob.windows.open.length === 0, 'ringing window closed');
    await until(() => bob.notifications.some((n) => n.kind === 'missed'), 'missed notification');
    await until(() => bob.badges.at(-1) === 1, 'badge 1');
    expect(bob.trays.at(-1)?.tooltip).toContain('1 missed call');
  });

  it('answered on another device of the same user: the window closes, nothing is missed', async () => {
    const bob = await desktopBob();
    const bobPhone = await t.connect('bob', { id: 'bob-phone' });
    const callId = newCallId();
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await until(() => bob.windows.open.includes(callId), 'ringing window');
    await bobPhone.waitFor('call.incoming', (d) => d.call.callId === callId);
    await bobPhone.request('call.accept', { callId });
    await until(() => bob.windows.open.length === 0, 'ringing window closed');
    expect(bob.notifications.filter((n) => n.kind === 'missed')).toEqual([]);
    await bobPhone.request('call.hangup', { callId });
    await bobPhone.close();
  });

  it('nobody answers: at the ring timeout the window closes and the call is missed', async () => {
    const bob = await desktopBob();
    const callId = newCallId();
    await alice.request('call.invite', {
      callId,
      callees: ['bob'],
      media: 'audio',
      ringTimeoutMs: 1_500,
    });
    await until(() => bob.windows.open.includes(callId), 'ringing window');
    await until(() => bob.windows.open.length === 0, 'ringing window closed by the timeout');
    await until(() => bob.notifications.some((n) => n.kind === 'missed'), 'missed notification');
  });

  it('declined from the ringing window: it closes, the caller hears declined, nothing is missed', async () => {
    const bob = await desktopBob();
    const callId = newCallId();
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await until(() => bob.windows.open.includes(callId), 'ringing window');
    const answer = await bob.app.router.handle(
      'softphone:decline',
      bob.frame(`#/ringing/${callId}`),
      {
        callId,
      },
    );
    expect(answer.ok).toBe(true);
    const ended = await alice.waitFor('call.ended', (d) => d.call.callId === callId);
    expect(ended.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });
    await until(() => bob.windows.open.length === 0, 'ringing window closed');
    expect(bob.notifications.filter((n) => n.kind === 'missed')).toEqual([]);
  });

  it('quitting while it rings declines the invitation before exiting', async () => {
    const bob = await desktopBob();
    const callId = newCallId();
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    await until(() => bob.windows.open.includes(callId), 'ringing window');
    await bob.app.quit();
    const ended = await alice.waitFor('call.ended', (d) => d.call.callId === callId);
    expect(ended.call.legs[0]).toMatchObject({ state: 'refused', reason: 'declined' });
    expect(bob.windows.open).toEqual([]);
  });
});
