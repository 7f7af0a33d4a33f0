import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initI18n } from '../i18n/index.js';
import { HeadsetSettings } from './HeadsetSettings.js';

const hid = {
  getDevices: () => Promise.resolve([]),
  requestDevice: () => Promise.resolve([]),
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
};

describe('Settings → Devices: headset call buttons', () => {
  beforeAll(async () => {
    await initI18n('en');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('nothing without WebHID (or a navigator.hid that is not one)', () => {
    expect(renderToStaticMarkup(<HeadsetSettings />)).toBe('');
    vi.stubGlobal('navigator', { hid: { getDevices: () => Promise.resolve([]) } });
    expect(renderToStaticMarkup(<HeadsetSettings />)).toBe('');
  });

  it('with WebHID: what is in use and the button to pick one, in both languages', async () => {
    vi.stubGlobal('navigator', { hid });
    const html = renderToStaticMarkup(<HeadsetSettings />);
    expect(html).toContain('No headset controls calls yet');
    expect(html).toContain('<button type="button" aria-describedby="headset-hint">');
    expect(html).toContain('Use a headset’s call buttons…');
    await i18next.changeLanguage('zh-CN');
    expect(renderToStaticMarkup(<HeadsetSettings />)).toContain('使用耳机的通话按键…');
    await i18next.changeLanguage('en');
  });
});
