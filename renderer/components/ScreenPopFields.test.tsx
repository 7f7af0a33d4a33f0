import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initI18n } from '../i18n/index.js';
import { ScreenPopFields } from './ScreenPopFields.js';

const TEMPLATE = 'https://crm.example.com/lookup?caller={caller}';

describe('CRM screen pop fields in settings', () => {
  beforeAll(async () => {
    await initI18n('en');
  });

  it('shows the template and the moment; a policy locks both', () => {
    const html = renderToStaticMarkup(
      <ScreenPopFields
        value={{ template: TEMPLATE, when: 'answered' }}
        locked
        onSave={() => undefined}
      />,
    );
    expect(html).toContain(`value="${TEMPLATE.replace(/&/g, '&amp;')}"`);
    expect(html).toContain('<option value="answered" selected="">When I answer</option>');
    expect(html.match(/disabled=""/g)).toHaveLength(2);
    expect(html).toContain('{caller}, {queue} and {callId} are filled in');
  });

  it('a stored http template is flagged (never saved from here), in both languages', async () => {
    const http = { template: 'http://crm.example.com/', when: 'ringing' as const };
    const html = renderToStaticMarkup(
      <ScreenPopFields value={http} locked={false} onSave={() => undefined} />,
    );
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('Must be an https:// address');
    await i18next.changeLanguage('zh-CN');
    const zh = renderToStaticMarkup(
      <ScreenPopFields value={http} locked={false} onSave={() => undefined} />,
    );
    expect(zh).toContain('必须是 https:// 地址');
    expect(zh).toContain('来电响铃时');
    await i18next.changeLanguage('en');
  });
});
