import type { MenuItemConstructorOptions } from 'electron';
import type { ClientSettings } from '../../protocol/index.js';

/**
 * The application menu, as data. Electron's default menu carries Reload (Ctrl/Cmd+R), Force
 * Reload and Toggle Developer Tools: a reload kills the call's audio (the media runs in the
 * renderer), and DevTools in production let anyone script the signed-in app. So: on macOS the
 * app menu, Edit (copy and paste need its roles there) and Window; on Windows and Linux no menu
 * at all (text fields copy and paste without one). No item reloads or opens DevTools.
 */
type Language = ClientSettings['language'];

const LABELS = {
  en: {
    about: 'About Trayphone',
    hide: 'Hide Trayphone',
    hideOthers: 'Hide Others',
    unhide: 'Show All',
    quit: 'Quit Trayphone',
    edit: 'Edit',
    undo: 'Undo',
    redo: 'Redo',
    cut: 'Cut',
    copy: 'Copy',
    paste: 'Paste',
    selectAll: 'Select All',
    window: 'Window',
    minimize: 'Minimize',
    close: 'Close Window',
  },
  'zh-CN': {
    about: '关于 Trayphone',
    hide: '隐藏 Trayphone',
    hideOthers: '隐藏其他',
    unhide: '全部显示',
    quit: '退出 Trayphone',
    edit: '编辑',
    undo: '撤销',
    redo: '重做',
    cut: '剪切',
    copy: '复制',
    paste: '粘贴',
    selectAll: '全选',
    window: '窗口',
    minimize: '最小化',
    close: '关闭窗口',
  },
} as const satisfies Record<Language, Record<string, string>>;

/** Roles that must never be reachable from a menu or its accelerators. */
export const FORBIDDEN_MENU_ROLES = ['reload', 'forceReload', 'toggleDevTools'] as const;

/** `null`: no application menu (Windows, Linux). */
export function applicationMenuTemplate(
  platform: NodeJS.Platform,
  language: Language,
): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  const t = LABELS[language];
  return [
    {
      label: 'Trayphone',
      submenu: [
        { role: 'about', label: t.about },
        { type: 'separator' },
        { role: 'hide', label: t.hide },
        { role: 'hideOthers', label: t.hideOthers },
        { role: 'unhide', label: t.unhide },
        { type: 'separator' },
        // Cmd+Q: `before-quit`, which ends the calls cleanly first (DesktopApp.quit).
        { role: 'quit', label: t.quit },
      ],
    },
    {
      label: t.edit,
      submenu: [
        { role: 'undo', label: t.undo },
        { role: 'redo', label: t.redo },
        { type: 'separator' },
        { role: 'cut', label: t.cut },
        { role: 'copy', label: t.copy },
        { role: 'paste', label: t.paste },
        { role: 'selectAll', label: t.selectAll },
      ],
    },
    {
      label: t.window,
      submenu: [
        { role: 'minimize', label: t.minimize },
        // Cmd+W: the main window hides to the tray; a ringing window is silenced.
        { role: 'close', label: t.close },
      ],
    },
  ];
}
