import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { devOverrides } from '../security/dev-overrides.js';
import { FakeWebContents } from '../testing/fake-browser-window.js';
import { FORBIDDEN_MENU_ROLES, applicationMenuTemplate } from './app-menu.js';
import { guardInput } from './input-guard.js';

const roles = (items: MenuItemConstructorOptions[]): string[] =>
  items.flatMap((item) => [
    ...(item.role !== undefined ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);

const guarded = (packaged: boolean) => {
  const contents = new FakeWebContents();
  const log = memoryLog();
  guardInput(contents, { packaged, log });
  return { contents, log };
};

describe('lock-down: the application menu', () => {
  it('macOS: app menu, Edit (copy and paste) and Window; nothing reloads or opens DevTools', () => {
    const menu = applicationMenuTemplate('darwin', 'en');
    expect(menu).not.toBeNull();
    const all = roles(menu ?? []);
    expect(all).toEqual(
      expect.arrayContaining(['copy', 'paste', 'cut', 'selectAll', 'undo', 'quit', 'close']),
    );
    for (const role of FORBIDDEN_MENU_ROLES) expect(all).not.toContain(role);
    expect(all.some((r) => /reload|devtools/i.test(r))).toBe(false);
    expect(menu?.map((m) => m.label)).toEqual(['Trayphone', 'Edit', 'Window']);
  });

  it('in Chinese too', () => {
    const menu = applicationMenuTemplate('darwin', 'zh-CN');
    expect(menu?.map((m) => m.label)).toEqual(['Trayphone', '编辑', '窗口']);
    expect(roles(menu ?? [])).toEqual(roles(applicationMenuTemplate('darwin', 'en') ?? []));
  });

  it('Windows and Linux: no menu at all (Electron default menu removed)', () => {
    expect(applicationMenuTemplate('win32', 'en')).toBeNull();
    expect(applicationMenuTemplate('linux', 'zh-CN')).toBeNull();
  });
});

describe('lock-down: keys in every window (before-input-event)', () => {
  it('blocks every reload key, packaged or not', () => {
    for (const packaged of [true, false]) {
      const { contents } = guarded(packaged);
      expect(contents.press({ key: 'r', control: true })).toBe(true);
      expect(contents.press({ key: 'R', control: true, shift: true })).toBe(true);
      expect(contents.press({ key: 'r', meta: true })).toBe(true);
      expect(contents.press({ key: 'R', meta: true, shift: true })).toBe(true);
      expect(contents.press({ key: 'F5' })).toBe(true);
      expect(contents.press({ key: 'F5', control: true })).toBe(true);
      expect(contents.press({ key: 'BrowserRefresh' })).toBe(true);
      expect(contents.reloads).toBe(0);
    }
  });

  it('leaves typing, copy and paste alone', () => {
    const { contents } = guarded(true);
    expect(contents.press({ key: 'r' })).toBe(false);
    expect(contents.press({ key: 'R', shift: true })).toBe(false);
    expect(contents.press({ key: 'c', control: true })).toBe(false);
    expect(contents.press({ key: 'v', meta: true })).toBe(false);
    expect(contents.press({ key: 'Enter' })).toBe(false);
  });

  it('production: DevTools keys do nothing; development: they toggle DevTools', () => {
    const prod = guarded(true).contents;
    for (const key of [
      { key: 'F12' },
      { key: 'I', control: true, shift: true },
      { key: 'J', control: true, shift: true },
      { key: 'i', meta: true, alt: true },
    ]) {
      expect(prod.press(key)).toBe(true);
    }
    expect(prod.devToolsOpen).toBe(false);
    const dev = guarded(false).contents;
    expect(dev.press({ key: 'F12' })).toBe(true);
    expect(dev.devToolsOpen).toBe(true);
  });
});

describe('lock-down: the environment moves nothing in a packaged app', () => {
  const env = {
    TRAYPHONE_USER_DATA: '/tmp/profile-2',
    ELECTRON_RENDERER_URL: 'http://localhost:5173/',
  };

  it('packaged: TRAYPHONE_USER_DATA and ELECTRON_RENDERER_URL are ignored', () => {
    expect(devOverrides(true, env)).toEqual({});
  });

  it('unpackaged: both honoured, the renderer URL only on loopback http', () => {
    expect(devOverrides(false, env)).toEqual({
      userData: '/tmp/profile-2',
      rendererUrl: 'http://localhost:5173/',
    });
    expect(devOverrides(false, { ELECTRON_RENDERER_URL: 'https://evil.example/' })).toEqual({});
    expect(devOverrides(false, { TRAYPHONE_USER_DATA: '' })).toEqual({});
  });
});
