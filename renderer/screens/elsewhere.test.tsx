import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { callViews } from '../call/call-view.js';
import { initI18n } from '../i18n/index.js';
import { ElsewhereNotice } from './Elsewhere.js';

const call = { callId: 'c1', direction: 'incoming', state: 'elsewhere', waiting: false } as const;

describe('a call on another device', () => {
  beforeAll(async () => {
    await initI18n('en');
  });

  it('is shown as the notice, not as the call with media', () => {
    const views = callViews({ calls: [call as SoftphoneCall] } as Parameters<typeof callViews>[0]);
    expect(views.active).toBeUndefined();
    expect(views.elsewhere?.callId).toBe('c1');
  });

  it('says so with a Switch here button, in both languages', async () => {
    const html = renderToStaticMarkup(
      <ElsewhereNotice
        call={call as SoftphoneCall}
        names={['Alice Liddell']}
        switching={false}
        onSwitch={() => undefined}
      />,
    );
    expect(html).toContain('With Alice Liddell');
    expect(html).toContain('In a call on another device');
    expect(html).toContain('>Switch here</button>');
    expect(html).not.toContain('disabled');
    await i18next.changeLanguage('zh-CN');
    const zh = renderToStaticMarkup(
      <ElsewhereNotice
        call={call as SoftphoneCall}
        names={['Alice', 'Bob', 'Carol']}
        switching
        onSwitch={() => undefined}
      />,
    );
    expect(zh).toContain('与 Alice, Bob 及另外 1 人通话');
    expect(zh).toContain('正在另一台设备上通话');
    expect(zh).toContain('切换到此设备');
    expect(zh).toContain('disabled');
    await i18next.changeLanguage('en');
  });
});
