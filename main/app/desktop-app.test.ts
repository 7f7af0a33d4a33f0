import { describe, expect, it } from 'vitest';
import type { HotkeyStatus } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { APP_ORIGIN, isTrustedSender } from '../security/origins.js';
import { SettingsWatch } from '../settings/settings-watch.js';
import type { LoginItemPlan } from '../shell/login-item.js';
import { ProtocolClaims } from '../shell/protocol-claims.js';
import {
  FakePowerMonitor,
  FakeProtocolRegistry,
  FakeSoftphone,
  FakeTimers,
  FakeWindowFactory,
  callInfo,
  incoming,
  outgoing,
  snapshot,
} from '../testing/fakes.js';
import type { TrayModel } from '../tray/tray-model.js';
import { DND_POLL_MS } from '../power/os-do-not-disturb.js';
import { NETWORK_POLL_MS } from '../power/power-watch.js';
import { RingingWindowStack } from '../ringing/ringing-window-stack.js';
import { DesktopApp, SHUTDOWN_STEP_TIMEOUT_MS } from './desktop-app.js';
import { QUIT_TIMEOUT_MS, callsToEnd } from './quit.js';

const OWN = { url: `${APP_ORIGIN}/index.html`, isMainFrame: true };

function setup(
  options: {
    os?: NodeJS.Platform;
    refuse?: string[];
    onHotkeyStatus?: (status: HotkeyStatus) => void;
    power?: FakePowerMonitor;
    screenPop?: { template: string; opened: string[] };
    online?: { value: boolean };
    protocols?: FakeProtocolRegistry;
    doNotDisturb?: { on: boolean };
  } = {},
) {
  const log = memoryLog();
  const softphone = new FakeSoftphone();
  const timers = new FakeTimers();
  const window: string[] = [];
  const registered = new Map<string, () => void>();
  const loginItems: LoginItemPlan[] = [];
  const trayModels: TrayModel[] = [];
  const menus: string[] = [];
  // The ringing windows as the Electron adapter drives them, with real (fake) window state.
  const ringingWindows = new FakeWindowFactory();
  const notifications: string[] = [];
  let exited = 0;
  const settings = new SettingsWatch();
  const app = new DesktopApp({
    softphone: softphone.asHost(),
    settings,
    mainWindow: {
      show: () => window.push('show'),
      hide: () => window.push('hide'),
      isVisible: () => true,
      openView: (view) => window.push(view),
      muteToggle: () => window.push('mute'),
      reload: () => window.push('reload'),
      restartRenderer: () => window.push('restart-renderer'),
      pickSource: (request) => window.push(`pick:${request.requestId}`),
      ...(options.onHotkeyStatus ? { hotkeyStatus: options.onHotkeyStatus } : {}),
    },
    ringingWindows: new RingingWindowStack(ringingWindows),
    notifier: {
      show: (spec) => {
        notifications.push(`${spec.kind}:${spec.callId}`);
        return { close: () => undefined };
      },
    },
    tray: { render: (m) => trayModels.push(m), setBadgeCount: () => undefined },
    shortcuts: {
      register: (accelerator, callback) => {
        if (options.refuse?.includes(accelerator)) return false;
        registered.set(accelerator, callback);
        return true;
      },
      unregister: (accelerator) => registered.delete(accelerator),
    },
    applyLoginItem: (plan) => loginItems.push(plan),
    platform: {
      os: options.os ?? 'win32',
      execPath: 'C:\\T\\Trayphone.exe',
      configHome: '/h/.config',
      appArgs: [],
    },
    isTrustedSender: (frame) => isTrustedSender(frame, { app: APP_ORIGIN }),
    applicationMenu: (language) => menus.push(language),
    openLogsFolder: () => window.push('logs-folder'),
    exit: () => {
      exited += 1;
    },
    ...(options.power ? { power: options.power } : {}),
    ...(options.screenPop
      ? {
          screenPop: {
            settings: () => ({
              template: options.screenPop?.template ?? '',
              when: 'ringing' as const,
            }),
            openExternal: (url: string) => options.screenPop?.opened.push(url),
          },
        }
      : {}),
    ...(options.protocols
      ? {
          clickToCall: new ProtocolClaims({
            client: options.protocols.port(),
            record: options.protocols.record(),
            packaged: true,
            log,
          }),
        }
      : {}),
    ...(options.doNotDisturb
      ? { doNotDisturb: () => Promise.resolve(options.doNotDisturb?.on) }
      : {}),
    ...(options.online ? { network: { isOnline: () => options.online?.value ?? true } } : {}),
    timers,
    log,
  });
  return {
    app,
    softphone,
    window,
    registered,
    loginItems,
    trayModels,
    menus,
    ringingWindows,
    notifications,
    settings,
    timers,
    log,
    exited: () => exited,
  };
}

describe('DesktopApp', () => {
  it('starts visible, or hidden with --hidden / startHidden', async () => {
    const a = setup();
    await a.app.start(['Trayphone.exe']);
    expect(a.window).toEqual(['show']);
    const b = setup();
    await b.app.start(['Trayphone.exe', '--hidden']);
    expect(b.window).toEqual([]);
    expect(b.trayModels.at(-1)?.icon).toBe('available');
  });

  it('a deep link at start, from a second instance or open-url pre-fills the dialer', async () => {
    const { app, softphone, window } = setup();
    await app.start(['Trayphone.exe', '--hidden', 'trayphone://call/alice?media=video']);
    app.secondInstance(['Trayphone.exe', 'tel:12 34']);
    // An international number cannot be dialled (user ids only): not pre-filled.
    app.secondInstance(['Trayphone.exe', 'tel:+1 555 0100']);
    app.openUrl('sip:carol@pbx');
    app.openUrl('https://evil.example');
    expect(softphone.dialRequests).toEqual([
      { target: 'alice', media: 'video' },
      { target: '1234', media: 'audio' },
      { target: 'carol', media: 'audio' },
    ]);
    expect(window.filter((w) => w === 'dialer')).toHaveLength(3);
  });

  it('command-line control reaches the running instance: --answer, --decline, --mute, --hangup, --call', async () => {
    const { app, softphone, window, log } = setup();
    await app.start(['x', '--hidden']);
    softphone.push(snapshot({ calls: [incoming('c1')] }));
    app.secondInstance(['trayphone', '--answer']);
    expect(softphone.commands.at(-1)).toEqual({
      command: 'accept',
      args: { callId: 'c1', media: 'audio' },
    });
    app.secondInstance(['trayphone', '--decline']);
    expect(softphone.commands.at(-1)).toEqual({ command: 'decline', args: { callId: 'c1' } });
    softphone.push(snapshot({ calls: [incoming('c1', 'active')] }));
    app.secondInstance(['trayphone', '--mute']);
    expect(window.at(-1)).toBe('mute');
    app.secondInstance(['trayphone', '--hangup']);
    expect(softphone.commands.at(-1)).toEqual({ command: 'hangup', args: { callId: 'c1' } });
    app.secondInstance(['trayphone', '--call', 'carol', '--video']);
    expect(softphone.commands.at(-1)).toEqual({
      command: 'call',
      args: { callees: ['carol'], media: 'video' },
    });
    await new Promise((r) => setImmediate(r));
    expect(window.at(-1)).toBe('show');
    // A refused command line does nothing at all (not even showing the window).
    const count = { commands: softphone.commands.length, window: window.length };
    app.secondInstance(['trayphone', '--answer', '--hangup']);
    expect(softphone.commands).toHaveLength(count.commands);
    expect(window).toHaveLength(count.window);
    expect(log.lines.some((l) => l.message === 'command line refused')).toBe(true);
  });

  it('--call at the first start pre-fills the dialer (the line may not be up yet)', async () => {
    const { app, softphone, window } = setup();
    await app.start(['trayphone', '--call', 'dave']);
    expect(softphone.dialRequests).toEqual([{ target: 'dave', media: 'audio' }]);
    expect(window).toEqual(['show', 'dialer']);
  });

  it('click-to-call schemes are claimed only when the setting is turned on, not at every start', async () => {
    const protocols = new FakeProtocolRegistry();
    const first = setup({ protocols });
    await first.app.start([]);
    expect(protocols.claims).toBe(0); // off by default
    const api = first.app.router;
    await api.handle('softphone:updateSettings', OWN, { clickToCall: true });
    expect(protocols.handlers.get('tel')).toBe('trayphone');
    const claimed = protocols.claims;
    protocols.handlers.set('tel', 'teams'); // the user gives tel: to another app
    const next = setup({ protocols });
    next.softphone.settingsView.settings.clickToCall = true;
    await next.app.start([]);
    expect(protocols.claims).toBe(claimed);
    expect(protocols.handlers.get('tel')).toBe('teams');
    await next.app.router.handle('softphone:updateSettings', OWN, { clickToCall: false });
    expect(protocols.handlers.get('sip')).toBeUndefined();
  });

  it('a second launch without a link just shows the window', async () => {
    const { app, window, softphone } = setup();
    await app.start(['x', '--hidden']);
    app.secondInstance(['x']);
    expect(window).toEqual(['show']);
    expect(softphone.dialRequests).toEqual([]);
  });

  it('global hotkeys are held only while they can act: answer/decline ringing, hang-up/mute in a call', async () => {
    const { app, softphone, registered, window, settings } = setup();
    await app.start(['x']);
    const keys = settings.current().hotkeys;
    // Nothing rings and no call: nothing is taken from the rest of the desktop.
    expect([...registered.keys()]).toEqual([]);
    const press = (action: 'answer' | 'decline' | 'hangup' | 'mute'): void => {
      const callback = registered.get(keys[action]);
      if (!callback) throw new Error(`${action} is not registered`);
      callback();
    };
    softphone.push(snapshot({ calls: [incoming('c1', 'ringing', { localMedia: 'video' })] }));
    expect([...registered.keys()].sort()).toEqual([keys.answer, keys.decline].sort());
    press('answer');
    expect(softphone.commands.at(-1)).toEqual({
      command: 'accept',
      args: { callId: 'c1', media: 'video' },
    });
    press('decline');
    expect(softphone.commands.at(-1)).toEqual({ command: 'decline', args: { callId: 'c1' } });
    softphone.push(snapshot({ calls: [incoming('c1', 'active')] }));
    expect([...registered.keys()].sort()).toEqual([keys.hangup, keys.mute].sort());
    press('mute');
    expect(window.at(-1)).toBe('mute');
    press('hangup');
    expect(softphone.commands.at(-1)).toEqual({ command: 'hangup', args: { callId: 'c1' } });
    softphone.push(snapshot({ calls: [outgoing('o1', 'ringback')] }));
    expect([...registered.keys()]).toEqual([keys.hangup]);
    press('hangup');
    expect(softphone.commands.at(-1)).toEqual({ command: 'cancel', args: { callId: 'o1' } });
    softphone.push(snapshot({ calls: [outgoing('o1', 'ended')] }));
    expect([...registered.keys()]).toEqual([]);
  });

  it('a refused hotkey shows in the status (IPC and push) before the first call', async () => {
    const pushed: unknown[] = [];
    const a = setup({
      refuse: ['CommandOrControl+Shift+A'],
      onHotkeyStatus: (s) => pushed.push(s),
    });
    await a.app.start(['x']);
    const answer = await a.app.router.handle('hotkeys:status', OWN, {});
    expect(answer).toMatchObject({
      ok: true,
      data: {
        answer: { accelerator: 'CommandOrControl+Shift+A', state: 'failed' },
        decline: { state: 'idle' },
        wayland: false,
      },
    });
    expect(pushed.at(-1)).toMatchObject({ answer: { state: 'failed' } });
    a.softphone.push(snapshot({ calls: [incoming('c1')] }));
    expect(pushed.at(-1)).toMatchObject({
      answer: { state: 'failed' },
      decline: { state: 'registered' },
    });
    // A new accelerator for answer is tried at once and clears the failure.
    await a.app.router.handle('softphone:updateSettings', OWN, {
      hotkeys: { ...a.settings.current().hotkeys, answer: 'Alt+F1' },
    });
    expect(pushed.at(-1)).toMatchObject({ answer: { accelerator: 'Alt+F1', state: 'registered' } });
  });

  it('changing hotkeys re-registers them; changing launchAtLogin re-plans the login item', async () => {
    const { app, registered, settings, loginItems, softphone } = setup();
    await app.start(['x']);
    softphone.push(snapshot({ calls: [incoming('c1', 'active')] }));
    const hotkeys = { ...settings.current().hotkeys, mute: 'Alt+F9' };
    await app.router.handle('softphone:updateSettings', OWN, { hotkeys });
    expect(registered.has('Alt+F9')).toBe(true);
    expect(registered.has('CommandOrControl+Shift+M')).toBe(false);
    expect(loginItems).toHaveLength(1);
    await app.router.handle('softphone:updateSettings', OWN, { launchAtLogin: true });
    expect(loginItems.at(-1)).toMatchObject({
      kind: 'login-item',
      settings: { openAtLogin: true, args: ['--hidden'] },
    });
  });

  it('the application menu (no reload, no DevTools) is set at start and follows the language', async () => {
    const { app, menus } = setup();
    await app.start(['x']);
    expect(menus).toEqual(['en']);
    await app.router.handle('softphone:updateSettings', OWN, { ringtone: 'chime' });
    expect(menus).toEqual(['en']);
    await app.router.handle('softphone:updateSettings', OWN, { language: 'zh-CN' });
    expect(menus).toEqual(['en', 'zh-CN']);
  });

  it('loading stored settings at start reloads nothing', async () => {
    const { app, window, softphone } = setup();
    softphone.settingsView.settings.serverUrl = 'https://stored.example';
    await app.start(['x', '--hidden']);
    expect(window).toEqual([]);
  });

  it('a new server origin reloads the main window (its CSP), but never during a call', async () => {
    const { app, window, softphone } = setup();
    await app.start(['x', '--hidden']);
    await app.router.handle('softphone:updateSettings', OWN, { serverUrl: 'https://a.example' });
    expect(window).toEqual(['reload']);
    await app.router.handle('softphone:updateSettings', OWN, { serverUrl: 'https://a.example/' });
    expect(window).toEqual(['reload']);
    softphone.push(snapshot({ calls: [incoming('c1', 'active')] }));
    await app.router.handle('softphone:updateSettings', OWN, { serverUrl: 'https://b.example' });
    expect(window).toEqual(['reload']);
    softphone.push(snapshot({ calls: [incoming('c1', 'ended', { endReason: 'completed' })] }));
    expect(window).toEqual(['reload', 'reload']);
  });

  it('logs every call state change with the call id', async () => {
    const { app, softphone, log } = setup();
    await app.start(['x', '--hidden']);
    softphone.push(snapshot({ calls: [incoming('c1')] }));
    softphone.push(snapshot({ calls: [incoming('c1')] }));
    softphone.push(snapshot({ calls: [incoming('c1', 'ended', { endReason: 'canceled' })] }));
    const states = log.lines.filter((l) => l.message === 'call state');
    expect(states.map((l) => [l.fields.callId, l.fields.from, l.fields.to])).toEqual([
      ['c1', 'new', 'ringing'],
      ['c1', 'ringing', 'ended'],
    ]);
    expect(states[1]?.fields.endReason).toBe('canceled');
  });

  it('tray actions become commands', async () => {
    const { app, softphone, window, trayModels } = setup();
    await app.start(['x', '--hidden']);
    app.trayAction('status:dnd');
    app.trayAction('missed');
    app.trayAction('agent:break');
    app.trayAction('agent:available');
    app.trayAction('logs');
    expect(softphone.commands).toEqual([
      { command: 'setStatus', args: { status: 'dnd' } },
      { command: 'agentSetStatus', args: { status: 'break', reason: 'break' } },
      { command: 'agentSetStatus', args: { status: 'available' } },
    ]);
    expect(window).toEqual(['show', 'history', 'logs-folder']);
    const actions = trayModels.at(-1)?.menu.map((i) => (i.kind === 'item' ? i.action : i.kind));
    expect(actions?.slice(-2)).toEqual(['logs', 'quit']);
    // Settings → Desktop asks for the same folder over IPC.
    expect(await app.router.handle('app:open-logs', OWN, {})).toEqual({ ok: true, data: null });
    expect(window.at(-1)).toBe('logs-folder');
    expect(window.filter((w) => w === 'logs-folder')).toHaveLength(2);
  });

  it('a crashed main window renderer is reloaded and the call goes on; a hang asks nothing without a dialog', async () => {
    const { app, softphone, window } = setup();
    await app.start(['x', '--hidden']);
    softphone.push(snapshot({ calls: [incoming('c1', 'active')] }));
    app.mainRendererGone({ reason: 'crashed', exitCode: 139 });
    app.mainRendererHung(true);
    app.mainRendererHung(false);
    expect(window).toEqual(['reload']);
    expect(softphone.commands).toEqual([]);
  });

  it("the tray's answer / decline / hang-up items act on their own call, not the newest", async () => {
    const { app, softphone, trayModels } = setup();
    await app.start(['x', '--hidden']);
    const carol = incoming('c2');
    carol.info = { ...callInfo('c2'), callerId: 'carol' };
    softphone.push(snapshot({ calls: [incoming('c1'), carol] }));
    const click = (label: string): void => {
      const item = trayModels.at(-1)?.menu.find((i) => i.kind === 'item' && i.label === label);
      if (item?.kind !== 'item') throw new Error(`no tray item ${label}`);
      app.trayAction(item.action, item.callId);
    };
    click('Answer — alice');
    expect(softphone.commands.at(-1)).toEqual({
      command: 'accept',
      args: { callId: 'c1', media: 'audio' },
    });
    click('Decline — carol');
    expect(softphone.commands.at(-1)).toEqual({ command: 'decline', args: { callId: 'c2' } });
    softphone.push(snapshot({ calls: [incoming('c1', 'active'), outgoing('o1', 'ringback')] }));
    const hangups = trayModels
      .at(-1)
      ?.menu.filter((i) => i.kind === 'item' && i.action === 'hangup');
    expect(hangups?.map((i) => (i.kind === 'item' ? i.callId : ''))).toEqual(['c1', 'o1']);
    app.trayAction('hangup', 'o1');
    expect(softphone.commands.at(-1)).toEqual({ command: 'cancel', args: { callId: 'o1' } });
    // A stale item whose call stopped ringing does nothing (it never answers another call).
    const before = softphone.commands.length;
    app.trayAction('answer', 'c2');
    expect(softphone.commands).toHaveLength(before);
  });

  it('quitting ends live calls cleanly (decline, cancel, hang up), closes the connection, exits', async () => {
    const { app, softphone, ringingWindows, exited } = setup();
    await app.start(['x']);
    softphone.push(
      snapshot({
        calls: [
          incoming('r1'),
          outgoing('o1', 'ringback'),
          incoming('a1', 'active'),
          incoming('e1', 'ended'),
        ],
      }),
    );
    expect(ringingWindows.open).toEqual(['r1']);
    app.trayAction('quit');
    await app.quit();
    expect(
      softphone.commands.map((c) => [c.command, (c.args as { callId: string }).callId]).sort(),
    ).toEqual([
      ['cancel', 'o1'],
      ['decline', 'r1'],
      ['hangup', 'a1'],
    ]);
    expect(softphone.closed).toBe(true);
    expect(ringingWindows.open).toEqual([]);
    expect(exited()).toBe(1);
  });

  it('quitting does not hang on a dead connection', async () => {
    const { app, softphone, timers, exited } = setup();
    await app.start(['x']);
    softphone.push(snapshot({ calls: [incoming('a1', 'active')] }));
    softphone.hang = true;
    const state = { finished: false };
    const done = app.quit().then(() => (state.finished = true));
    for (let i = 0; i < 10 && !state.finished; i++) {
      await new Promise((r) => setImmediate(r));
      timers.advance(QUIT_TIMEOUT_MS);
    }
    await done;
    expect(softphone.closed).toBe(true);
    expect(exited()).toBe(1);
  });

  it('Windows logoff (query-session-end): calls end cleanly at once, closing the window no longer hides it, the app exits', async () => {
    const { app, softphone, exited } = setup();
    await app.start(['x']);
    softphone.push(snapshot({ calls: [incoming('a1', 'active'), incoming('r1')] }));
    expect(app.mainWindowCloseAction()).toBe('hide');
    const done = app.osShutdown('query-session-end');
    // Synchronously: the close-to-tray handler must not block the session end.
    expect(app.mainWindowCloseAction()).toBe('close');
    void app.osShutdown('session-end'); // the second event joins the first
    await done;
    expect(
      softphone.commands.map((c) => [c.command, (c.args as { callId: string }).callId]).sort(),
    ).toEqual([
      ['decline', 'r1'],
      ['hangup', 'a1'],
    ]);
    expect(softphone.closed).toBe(true);
    expect(exited()).toBe(1);
  });

  it('powerMonitor shutdown delays the OS, ends the calls and exits; a dead link does not hold it past the short bounds', async () => {
    const power = new FakePowerMonitor();
    const { app, softphone, timers, exited } = setup({ power });
    await app.start(['x']);
    softphone.push(snapshot({ calls: [incoming('a1', 'active')] }));
    softphone.hang = true;
    power.emit('shutdown');
    expect(power.delayed).toBe(1);
    expect(app.mainWindowCloseAction()).toBe('close');
    for (let i = 0; i < 10 && exited() === 0; i++) {
      await new Promise((r) => setImmediate(r));
      timers.advance(SHUTDOWN_STEP_TIMEOUT_MS);
    }
    expect(softphone.commands).toEqual([{ command: 'hangup', args: { callId: 'a1' } }]);
    expect(exited()).toBe(1);
    expect(timers.now()).toBeLessThanOrEqual(3 * SHUTDOWN_STEP_TIMEOUT_MS);
    expect(power.listening).toBe(0);
  });

  it('resume, unlock and a network coming back reconnect at once', async () => {
    const power = new FakePowerMonitor();
    const online = { value: true };
    const { app, softphone, timers } = setup({ power, online });
    await app.start(['x', '--hidden']);
    power.emit('suspend');
    expect(softphone.reconnects).toBe(0);
    power.emit('resume');
    expect(softphone.reconnects).toBe(1);
    power.emit('unlock-screen');
    expect(softphone.reconnects).toBe(2);
    online.value = false;
    timers.advance(NETWORK_POLL_MS);
    expect(softphone.reconnects).toBe(2);
    online.value = true;
    timers.advance(NETWORK_POLL_MS);
    expect(softphone.reconnects).toBe(3);
    timers.advance(NETWORK_POLL_MS * 5);
    expect(softphone.reconnects).toBe(3);
  });

  it('away while the screen is locked, only from available, and back only if the lock set it', async () => {
    const power = new FakePowerMonitor();
    const { app, softphone } = setup({ power });
    await app.start(['x', '--hidden']);
    power.emit('lock-screen');
    expect(softphone.commands.at(-1)).toEqual({ command: 'setStatus', args: { status: 'away' } });
    softphone.push(snapshot({ status: 'away' }));
    power.emit('unlock-screen');
    expect(softphone.commands.at(-1)).toEqual({
      command: 'setStatus',
      args: { status: 'available' },
    });
    softphone.push(snapshot({ status: 'dnd' }));
    const before = softphone.commands.length;
    power.emit('lock-screen');
    power.emit('unlock-screen');
    expect(softphone.commands).toHaveLength(before);
  });

  it('an incoming call opens the CRM screen pop once', async () => {
    const screenPop = { template: 'https://crm.example.com/?c={caller}&id={callId}', opened: [] };
    const { app, softphone } = setup({ screenPop });
    await app.start(['x', '--hidden']);
    softphone.push(snapshot({ calls: [incoming('c1')] }));
    softphone.push(snapshot({ calls: [incoming('c1', 'active')] }));
    expect(screenPop.opened).toEqual(['https://crm.example.com/?c=alice&id=c1']);
  });

  it("followOsDoNotDisturb: while the desktop's do not disturb is on, a call rings without its window (notification only)", async () => {
    const doNotDisturb = { on: true };
    const { app, softphone, ringingWindows, notifications, timers } = setup({ doNotDisturb });
    await app.start(['x', '--hidden']);
    // Off by default: the desktop's state is not even read, the call rings as usual.
    softphone.push(snapshot({ calls: [incoming('c1')] }));
    expect(ringingWindows.open).toEqual(['c1']);
    softphone.push(snapshot({ calls: [] }));
    await app.router.handle('softphone:updateSettings', OWN, { followOsDoNotDisturb: true });
    await Promise.resolve();
    await Promise.resolve();
    softphone.push(snapshot({ calls: [incoming('c2')] }));
    expect(ringingWindows.open).toEqual([]);
    // The notification waits for the caller's name (a directory lookup).
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(notifications).toEqual(['incoming:c2']);
    softphone.push(snapshot({ calls: [] }));
    // The desktop's mode ends: the next poll sees it, the next call rings with its window.
    doNotDisturb.on = false;
    timers.advance(DND_POLL_MS);
    await Promise.resolve();
    await Promise.resolve();
    softphone.push(snapshot({ calls: [incoming('c3')] }));
    expect(ringingWindows.open).toEqual(['c3']);
    expect(ringingWindows.window('c3')?.audible).toBe(true);
  });

  it('a screen-share pick shows the main window, asks its renderer, and takes its answer over IPC', async () => {
    const { app, window } = setup();
    await app.start(['x', '--hidden']);
    const thumbnail = 'data:image/png;base64,AA==';
    const picked = app.sourcePicker.pick([
      { id: 'screen:0:0', name: 'Screen', kind: 'screen', thumbnail },
    ]);
    expect(window).toEqual(['show', 'pick:pick-1']);
    const bad = await app.router.handle('screen-share:choose', OWN, { requestId: 'pick-1' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const answer = { requestId: 'pick-1', sourceId: 'screen:0:0' };
    expect(await app.router.handle('screen-share:choose', OWN, answer)).toEqual({
      ok: true,
      data: null,
    });
    expect(await picked).toBe('screen:0:0');
  });

  it('settings results passing through IPC update what main follows', async () => {
    const { app, settings, softphone } = setup();
    await app.start(['x']);
    const seen: string[] = [];
    settings.on('changed', (view) => seen.push(view.settings.language));
    softphone.settingsView = { ...softphone.settingsView, locked: ['serverUrl'] };
    await app.router.handle('softphone:getSettings', OWN, {});
    expect(settings.currentView().locked).toEqual(['serverUrl']);
    await app.router.handle('softphone:updateSettings', OWN, { language: 'zh-CN' });
    expect(seen).toEqual(['en', 'zh-CN']);
  });
});

describe('callsToEnd', () => {
  it('maps each live state to its clean ending', () => {
    expect(
      callsToEnd(
        snapshot({
          calls: [
            incoming('a', 'ringing'),
            incoming('b', 'answering'),
            outgoing('c', 'dialing'),
            incoming('d', 'idle'),
            // On another device of the user: quitting this one leaves the call going there.
            incoming('e', 'elsewhere'),
          ],
        }),
      ),
    ).toEqual([
      { command: 'decline', callId: 'a' },
      { command: 'hangup', callId: 'b' },
      { command: 'cancel', callId: 'c' },
    ]);
  });
});
