import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { HotkeyStatus } from '../../protocol/index.js';
import { desktopShell } from '../app/desktop-shell.js';
import { initI18n } from '../i18n/index.js';
import { HotkeyStatusLine } from './HotkeyStatusLine.js';

const entry = (accelerator: string, state: HotkeyStatus['answer']['state']) => ({
  accelerator,
  state,
});

describe('hotkey status in settings', () => {
  beforeAll(async () => {
    await initI18n('en');
  });

  it('names each refused hotkey and, on Wayland, the portal and the command line', () => {
    const html = renderToStaticMarkup(
      <HotkeyStatusLine
        status={{
          answer: entry('CommandOrControl+Shift+A', 'failed'),
          decline: entry('CommandOrControl+Shift+D', 'idle'),
          hangup: entry('', 'unset'),
          mute: entry('Alt+M', 'registered'),
          wayland: true,
        }}
      />,
    );
    expect(html).toContain('Answer (CommandOrControl+Shift+A) could not be registered');
    expect(html).not.toContain('Decline (');
    expect(html).toContain('trayphone --answer');
    expect(renderToStaticMarkup(<HotkeyStatusLine status={undefined} />)).toBe('');
  });

  it('finds the desktop bridge only when it has the functions', () => {
    vi.stubGlobal('trayphoneShell', undefined);
    expect(desktopShell()).toBeUndefined();
    vi.stubGlobal('trayphoneShell', { hotkeyStatus: 'no' });
    expect(desktopShell()).toBeUndefined();
    vi.stubGlobal('trayphoneShell', {
      hotkeyStatus: () => Promise.resolve(null),
      onHotkeyStatus: () => () => undefined,
    });
    expect(desktopShell()).toBeDefined();
    vi.unstubAllGlobals();
  });
});
