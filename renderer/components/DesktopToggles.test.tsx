import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initI18n } from '../i18n/index.js';
import { DESKTOP_TOGGLES, DesktopToggles } from './DesktopToggles.js';

const values = {
  startHidden: false,
  launchAtLogin: true,
  clickToCall: false,
  followOsDoNotDisturb: true,
};

describe('Settings → Desktop toggles', () => {
  beforeAll(async () => {
    await initI18n('en');
  });

  it('one checkbox per toggle with its value; a policy-locked one is disabled', () => {
    const html = renderToStaticMarkup(
      <DesktopToggles
        values={values}
        isLocked={(k) => k === 'followOsDoNotDisturb'}
        onSave={() => undefined}
      />,
    );
    expect(html.match(/type="checkbox"/g)).toHaveLength(DESKTOP_TOGGLES.length);
    expect(html.match(/checked=""/g)).toHaveLength(2);
    const dnd = /<input[^>]*aria-describedby="set-os-dnd-hint"[^>]*>/.exec(html)?.[0] ?? '';
    expect(dnd).toContain('checked=""');
    expect(dnd).toContain('disabled=""');
    expect(html.match(/disabled=""/g)).toHaveLength(1);
    expect(html).toContain('Follow the desktop&#x27;s do not disturb');
    expect(html).toContain('Works on GNOME and KDE Plasma');
  });

  it('in Chinese too', async () => {
    await i18next.changeLanguage('zh-CN');
    const html = renderToStaticMarkup(
      <DesktopToggles values={values} isLocked={() => false} onSave={() => undefined} />,
    );
    expect(html).toContain('跟随桌面的勿扰模式');
    expect(html).toContain('适用于 GNOME 和 KDE Plasma');
    await i18next.changeLanguage('en');
  });
});
