import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SoftphoneCall, SoftphonePeer } from '../../protocol/softphone.js';
import { initI18n } from '../i18n/index.js';
import { PeerNotices } from './PeerNotices.js';

/** The call as core hands it over: only the peers matter to these views. */
const call = (peers: SoftphonePeer[], over: Partial<SoftphoneCall> = {}): SoftphoneCall => ({
  callId: 'call-00000001',
  direction: 'outgoing',
  state: 'active',
  waiting: false,
  localMedia: 'audio',
  peers,
  ...over,
});

describe("the others' connections in words", () => {
  beforeAll(async () => {
    await initI18n('en');
  });

  it('names who is reconnecting and who left because the connection was lost, and nobody else', async () => {
    await i18next.changeLanguage('en');
    const html = renderToStaticMarkup(
      <PeerNotices
        call={call([
          { userId: 'bob', connection: 'reconnecting' },
          { userId: 'carol', connection: 'left', leftReason: 'connection-lost' },
          { userId: 'dave', connection: 'connected' },
          { userId: 'erin', connection: 'left', leftReason: 'left' },
        ])}
      />,
    );
    expect(html).toContain('bob&#x27;s connection dropped, reconnecting…');
    expect(html).toContain('carol left');
    expect(html).not.toContain('dave');
    expect(html).not.toContain('erin');
    expect(html).toContain('role="status"');
  });

  it('says nothing while everyone is connected', () => {
    const html = renderToStaticMarkup(
      <PeerNotices call={call([{ userId: 'bob', connection: 'connected' }])} />,
    );
    expect(html).toBe('');
  });

  it('renders in Simplified Chinese', async () => {
    await i18next.changeLanguage('zh-CN');
    const html = renderToStaticMarkup(
      <PeerNotices
        call={call([
          { userId: 'bob', connection: 'reconnecting' },
          { userId: 'carol', connection: 'left', leftReason: 'connection-lost' },
        ])}
      />,
    );
    expect(html).toContain('bob 的连接已断开，正在重新连接…');
    expect(html).toContain('carol 已离开');
    await i18next.changeLanguage('en');
  });
});
