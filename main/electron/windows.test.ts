import { describe, expect, it } from 'vitest';
import type { SoftphoneCall } from '../../protocol/index.js';
import { memoryLog } from '../log/log.js';
import { RingingCoordinator } from '../ringing/ringing-coordinator.js';
import { RingingWindowStack } from '../ringing/ringing-window-stack.js';
import { APP_ORIGIN } from '../security/origins.js';
import { FakeElectron } from '../testing/fake-browser-window.js';
import { FakeTimers, HandleLog, incoming, snapshot } from '../testing/fakes.js';
import { ringingWindowBounds } from '../windows/window-options.js';
import {
  createMainWindow,
  mainWindowPort,
  ringingWindowFactory,
  watchMainRenderer,
} from './windows.js';

/**
 * The Electron window adapters themselves, against a recorded BrowserWindow: what they make and
 * what they do to it. A `destroy` that stops destroying, or a missing option, fails here.
 */
const paths = { renderer: '/out/renderer', resources: '/res', preload: '/out/preload/index.cjs' };
const area = { x: 0, y: 0, width: 1920, height: 1040 };

function ringing(devTools = false) {
  const electron = new FakeElectron();
  const notes = new HandleLog();
  const coordinator = new RingingCoordinator({
    windows: new RingingWindowStack(
      ringingWindowFactory(electron.makeWindow, () => area, { paths, devTools }),
    ),
    notifier: { show: (spec) => notes.handle(`${spec.kind}:${spec.callId}`) },
    mainWindow: { show: () => undefined, openView: () => undefined },
    timers: new FakeTimers(),
    log: memoryLog(),
  });
  const ring = (...calls: SoftphoneCall[]): void => {
    coordinator.update(snapshot({ calls }));
  };
  return { electron, coordinator, ring };
}

describe('the ringing window adapter (electron/windows.ts) on a recorded BrowserWindow', () => {
  it('an ended invitation destroys its BrowserWindow', () => {
    const { electron, ring } = ringing();
    ring(incoming('c1'));
    const window = electron.ringingWindow('c1');
    expect(window?.isDestroyed()).toBe(false);
    ring(incoming('c1', 'ended', { endReason: 'canceled' }));
    expect(window?.isDestroyed()).toBe(true);
    expect(window?.calls).toContain('destroy');
  });

  it('makes a frameless, on-top, locked-down window that shows without taking focus', () => {
    const { electron, ring } = ringing();
    ring(incoming('c1'));
    const window = electron.ringingWindow('c1');
    expect(window?.options).toMatchObject({
      ...ringingWindowBounds(area, 0),
      show: false,
      frame: false,
      alwaysOnTop: true,
      skipTaskbar: true,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        devTools: false,
        autoplayPolicy: 'no-user-gesture-required',
        preload: paths.preload,
      },
    });
    expect(window?.loaded).toEqual([`${APP_ORIGIN}/index.html#/ringing/c1`]);
    expect(window?.alwaysOnTop).toEqual({ flag: true, level: 'screen-saver' });
    expect(window?.visible).toBe(false);
    window?.readyToShow();
    expect(window?.calls).toContain('showInactive');
    expect(window?.calls).not.toContain('show');
    expect(window?.calls).not.toContain('focus');
  });

  it('macOS: every Space, over full screen, and no dock blink (skipTransformProcessType)', () => {
    const { electron, ring } = ringing();
    ring(incoming('c1'));
    expect(electron.ringingWindow('c1')?.workspaces).toEqual({
      visible: true,
      options: { visibleOnFullScreen: true, skipTransformProcessType: true },
    });
  });

  it('a second window goes above the first and moves down when the first is gone', () => {
    const { electron, ring } = ringing();
    ring(incoming('a'), incoming('b'));
    const b = electron.ringingWindow('b');
    expect(b?.bounds).toEqual(ringingWindowBounds(area, 1));
    expect(b?.loaded).toEqual([`${APP_ORIGIN}/index.html#/ringing/b?silent=1`]);
    ring(incoming('b'));
    expect(electron.ringingWindow('a')?.isDestroyed()).toBe(true);
    expect(b?.bounds).toEqual(ringingWindowBounds(area, 0));
    // The ringtone moved to b: a hash-only navigation, b keeps its window.
    expect(b?.loaded.at(-1)).toBe(`${APP_ORIGIN}/index.html#/ringing/b`);
  });

  it('the user closing a ringing window moves the ringtone to the next one, nothing reopens', () => {
    const { electron, coordinator, ring } = ringing();
    ring(incoming('a'), incoming('b'));
    electron.ringingWindow('a')?.userClose();
    expect(coordinator.audibleCall()).toBe('b');
    expect(electron.ringingWindow('b')?.loaded.at(-1)).toBe(`${APP_ORIGIN}/index.html#/ringing/b`);
    ring(incoming('a'), incoming('b'));
    expect(electron.windows).toHaveLength(2);
  });

  it("a ringing window's render-process-gone replaces its BrowserWindow with a fresh one on the same route", () => {
    const { electron, ring } = ringing();
    ring(incoming('c1'));
    const dead = electron.ringingWindow('c1');
    dead?.webContents.crash('oom');
    expect(dead?.isDestroyed()).toBe(true);
    const fresh = electron.ringingWindow('c1');
    expect(fresh).not.toBe(dead);
    expect(fresh?.isDestroyed()).toBe(false);
    expect(fresh?.loaded).toEqual([`${APP_ORIGIN}/index.html#/ringing/c1`]);
  });

  it('devTools only when asked for (unpackaged)', () => {
    const { electron, ring } = ringing(true);
    ring(incoming('c1'));
    expect(electron.ringingWindow('c1')?.options.webPreferences?.devTools).toBe(true);
  });
});

describe('the main window adapter', () => {
  it('a hidden, never throttled window on the app root, devTools off when packaged', () => {
    const electron = new FakeElectron();
    const window = createMainWindow(electron.makeWindow, { paths, devTools: false });
    expect(window.options).toMatchObject({
      show: false,
      webPreferences: { backgroundThrottling: false, devTools: false, sandbox: true },
    });
    expect(window.loaded).toEqual([`${APP_ORIGIN}/index.html`]);
  });

  it('the port shows (restoring a minimized window), hides, reloads and pushes shell events', () => {
    const electron = new FakeElectron();
    const window = createMainWindow(electron.makeWindow, { paths, devTools: false });
    const port = mainWindowPort(() => window);
    window.minimized = true;
    port.show();
    expect(window.calls.slice(-3)).toEqual(['restore', 'show', 'focus']);
    expect(port.isVisible()).toBe(true);
    port.hide();
    expect(port.isVisible()).toBe(false);
    port.reload();
    expect(window.webContents.reloads).toBe(1);
    port.restartRenderer();
    expect(window.webContents.crashes).toBe(1);
    port.openView('history');
    port.muteToggle();
    expect(window.webContents.sent).toEqual([
      { channel: 'shell:open-view', args: [{ view: 'history' }] },
      { channel: 'shell:mute-toggle', args: [{}] },
    ]);
  });

  it('watchMainRenderer hands render-process-gone, unresponsive and responsive on', () => {
    const electron = new FakeElectron();
    const window = createMainWindow(electron.makeWindow, { paths, devTools: false });
    const seen: unknown[] = [];
    watchMainRenderer(window, {
      gone: (details) => seen.push(details),
      hung: (hung) => seen.push(hung),
    });
    window.webContents.crash('crashed', 139);
    window.emit('unresponsive');
    window.emit('responsive');
    expect(seen).toEqual([{ reason: 'crashed', exitCode: 139 }, true, false]);
  });
});
