import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRELOAD_GLOBALS } from '../../protocol/index.js';
import { desktopLogs } from '../app/desktop-shell.js';
import { initI18n } from '../i18n/index.js';
import { OpenLogsButton } from './OpenLogsButton.js';

describe('Settings → Desktop: Open logs folder', () => {
  beforeAll(async () => {
    await initI18n('en');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('nothing in a browser, or with a preload that lacks the command', () => {
    expect(renderToStaticMarkup(<OpenLogsButton />)).toBe('');
    vi.stubGlobal(PRELOAD_GLOBALS.shell, { quit: () => Promise.resolve(null) });
    expect(renderToStaticMarkup(<OpenLogsButton />)).toBe('');
  });

  it('a button in the desktop app, in both languages, that asks main through the bridge', async () => {
    const asked: string[] = [];
    vi.stubGlobal(PRELOAD_GLOBALS.shell, {
      openLogs: () => {
        asked.push('open-logs');
        return Promise.resolve(null);
      },
    });
    expect(renderToStaticMarkup(<OpenLogsButton />)).toBe(
      '<p><button type="button">Open logs folder</button></p>',
    );
    await i18next.changeLanguage('zh-CN');
    expect(renderToStaticMarkup(<OpenLogsButton />)).toContain('打开日志文件夹');
    await i18next.changeLanguage('en');
    await desktopLogs()?.openLogs();
    expect(asked).toEqual(['open-logs']);
  });
});
