import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { DEFAULT_SETTINGS } from '../settings/settings-document.js';
import { chromiumFeatures } from './chromium-features.js';
import { HotkeyRegistry } from './hotkeys.js';
import { loginItemPlan, startsHidden } from './login-item.js';

describe('HotkeyRegistry', () => {
  it('reports accelerators the OS refuses or that do not parse, and keeps the others', () => {
    const taken = new Set(['CommandOrControl+Shift+A']);
    const registered: string[] = [];
    const registry = new HotkeyRegistry(
      {
        register: (accelerator) => {
          if (accelerator === 'Nonsense++') throw new Error('invalid accelerator');
          if (taken.has(accelerator)) return false;
          registered.push(accelerator);
          return true;
        },
        unregister: (accelerator) => registered.splice(registered.indexOf(accelerator), 1),
      },
      () => undefined,
      memoryLog(),
    );
    const failed = registry.configure({
      ...DEFAULT_SETTINGS.hotkeys,
      mute: 'Nonsense++',
      hangup: '',
    });
    expect(failed.sort()).toEqual(['answer', 'mute']);
    // Tried and let go: nothing is held until there is something to act on.
    expect(registered).toEqual([]);
    expect(registry.status()).toMatchObject({
      answer: { state: 'failed' },
      decline: { state: 'idle' },
      hangup: { state: 'unset' },
      mute: { state: 'failed' },
    });
    registry.activate(new Set(['answer', 'decline']));
    expect(registered).toEqual(['CommandOrControl+Shift+D']);
    registry.activate(new Set(['hangup', 'mute']));
    expect(registered).toEqual([]);
    registry.activate(new Set(['decline']));
    registry.clear();
    expect(registered).toEqual([]);
  });
});

describe('chromiumFeatures', () => {
  it('a Wayland session gets the GlobalShortcuts portal (and PipeWire capture); X11 and others none', () => {
    expect(chromiumFeatures('linux', { XDG_SESSION_TYPE: 'wayland' })).toEqual([
      'GlobalShortcutsPortal',
      'WebRTCPipeWireCapturer',
    ]);
    expect(chromiumFeatures('linux', { XDG_SESSION_TYPE: 'x11' })).toEqual([]);
    expect(chromiumFeatures('linux', {})).toEqual([]);
    expect(chromiumFeatures('win32', { XDG_SESSION_TYPE: 'wayland' })).toEqual([]);
  });
});

describe('login item', () => {
  it('Windows/macOS: app.setLoginItemSettings with --hidden', () => {
    expect(
      loginItemPlan({ platform: 'darwin', enabled: true, execPath: '/A/T', configHome: '' }),
    ).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: true, openAsHidden: true, path: '/A/T', args: ['--hidden'] },
    });
  });

  it('Linux: an XDG autostart entry (quoted), removed when disabled', () => {
    const plan = loginItemPlan({
      platform: 'linux',
      enabled: true,
      execPath: '/opt/My Apps/trayphone',
      configHome: '/home/b/.config',
    });
    expect(plan.kind).toBe('xdg-autostart');
    if (plan.kind !== 'xdg-autostart') return;
    expect(plan.file).toBe('/home/b/.config/autostart/trayphone.desktop');
    expect(plan.content).toContain('Exec="/opt/My Apps/trayphone" --hidden');
    expect(
      loginItemPlan({ platform: 'linux', enabled: false, execPath: '/x', configHome: '/c' }),
    ).toMatchObject({ content: null });
  });

  it('starts hidden from the flag or the setting', () => {
    expect(startsHidden(['x', '--hidden'], false)).toBe(true);
    expect(startsHidden(['x'], true)).toBe(true);
    expect(startsHidden(['x'], false)).toBe(false);
  });
});

describe('start at login from an AppImage', () => {
  it('the autostart entry starts $APPIMAGE, not the temporary mount the app runs from', () => {
    const plan = loginItemPlan({
      platform: 'linux',
      enabled: true,
      execPath: '/tmp/.mount_TrayphXyZ/trayphone',
      configHome: '/home/u/.config',
      appImage: '/home/u/Apps/Trayphone-0.1.0.AppImage',
    });
    expect(plan.kind === 'xdg-autostart' ? plan.content : '').toContain(
      'Exec=/home/u/Apps/Trayphone-0.1.0.AppImage --hidden',
    );
    expect(plan.kind === 'xdg-autostart' ? plan.content : '').not.toContain('.mount_');
  });
});
