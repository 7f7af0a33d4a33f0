import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRELOAD_GLOBALS } from '../../protocol/index.js';
import { initI18n } from '../i18n/index.js';
import { SourcePicker, SourcePickerDialog } from './SourcePicker.js';

const PNG = 'data:image/png;base64,AA==';
const request = {
  requestId: 'pick-3',
  sources: [
    { id: 'screen:0:0', name: 'Entire screen', kind: 'screen' as const, thumbnail: PNG },
    { id: 'window:7:0', name: 'Notes <draft>', kind: 'window' as const, thumbnail: PNG },
  ],
};

describe('the screen-share picker (desktop)', () => {
  beforeAll(async () => {
    await initI18n('en');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('screens, then windows, each a button with its thumbnail and name; Cancel', () => {
    const html = renderToStaticMarkup(
      <SourcePickerDialog request={request} onChoose={() => undefined} />,
    );
    expect(html).toContain('role="dialog" aria-modal="true"');
    expect(html).toContain('Share your screen or a window');
    const order = ['Screens', 'Entire screen', 'Windows', 'Notes &lt;draft&gt;', 'Cancel'].map(
      (text) => html.indexOf(text),
    );
    expect(order.every((at, i) => at > -1 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
    expect(html.match(/<img src="data:image\/png;base64,AA==" alt=""/g)).toHaveLength(2);
  });

  it('no group for a kind without sources; in Chinese too', async () => {
    await i18next.changeLanguage('zh-CN');
    const html = renderToStaticMarkup(
      <SourcePickerDialog
        request={{ ...request, sources: request.sources.slice(0, 1) }}
        onChoose={() => undefined}
      />,
    );
    expect(html).toContain('共享屏幕或窗口');
    expect(html).toContain('屏幕');
    expect(html).not.toContain('窗口</legend>');
    await i18next.changeLanguage('en');
  });

  it('shows nothing until main asks (and nothing at all in a browser)', () => {
    expect(renderToStaticMarkup(<SourcePicker />)).toBe('');
    vi.stubGlobal(PRELOAD_GLOBALS.shell, {
      onPickSource: () => () => undefined,
      chooseSource: () => Promise.resolve(null),
    });
    expect(renderToStaticMarkup(<SourcePicker />)).toBe('');
  });
});
