import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it } from 'vitest';
import { updateOffReasonSchema, updateStatusSchema } from '../../protocol/index.js';
import { initI18n } from '../i18n/index.js';
import { UpdateStatusLine } from './UpdateStatusLine.js';

describe('auto-update status in settings', () => {
  beforeAll(async () => {
    await initI18n('en');
  });

  it('says what is ready and when it installs; errors are flagged', () => {
    const ready = renderToStaticMarkup(
      <UpdateStatusLine status={{ state: 'downloaded', version: '1.4.0' }} />,
    );
    expect(ready).toContain('Updates: 1.4.0 is ready: it installs when you quit');
    const failed = renderToStaticMarkup(
      <UpdateStatusLine status={{ state: 'error', error: 'net::ERR_PROXY_CONNECTION_FAILED' }} />,
    );
    expect(failed).toContain('class="error"');
    expect(failed).toContain('net::ERR_PROXY_CONNECTION_FAILED');
  });

  it('every state and every off reason has its text in both languages', async () => {
    for (const language of ['en', 'zh-CN']) {
      await i18next.changeLanguage(language);
      for (const state of updateStatusSchema.shape.state.options) {
        const html = renderToStaticMarkup(
          <UpdateStatusLine status={{ state, version: '2.0.0' }} />,
        );
        expect(html).not.toContain('settings.update');
      }
      for (const reason of updateOffReasonSchema.options) {
        const html = renderToStaticMarkup(
          <UpdateStatusLine status={{ state: 'disabled', reason }} />,
        );
        expect(html).not.toContain('settings.update');
      }
    }
    await i18next.changeLanguage('en');
  });
});
