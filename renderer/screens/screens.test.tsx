import i18next from 'i18next';
import { renderToStaticMarkup } from 'react-dom/server.node';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Leg } from '../../protocol/index.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { ApiProvider, SnapshotStore } from '../app/api-context.js';
import { App } from '../app/App.js';
import { SettingsProvider } from '../app/settings.js';
import { initI18n } from '../i18n/index.js';
import { MemorySoftphone } from '../testing/memory-softphone.js';
import { IncomingCall } from './Incoming.js';
import { EndedSummary, OutgoingCall } from './Outgoing.js';

/** Screens rendered to markup against the in-memory API (effects do not run here). */
function render(api: MemorySoftphone, node: React.ReactNode): string {
  const store = new SnapshotStore(api);
  api.push({}); // The store takes the snapshot synchronously from the push.
  return renderToStaticMarkup(
    <ApiProvider store={store}>
      <SettingsProvider>{node}</SettingsProvider>
    </ApiProvider>,
  );
}

const leg = (userId: string, state: Leg['state'], reason?: string): Leg => ({
  userId,
  state,
  ...(reason ? { reason } : {}),
  invitedBy: 'alice',
  invitedAt: 1,
  expiresAt: 2,
  muted: { audio: false, video: false },
});

const call = (over: Partial<SoftphoneCall>, legs: Leg[]): SoftphoneCall => ({
  callId: 'call-00000001',
  direction: 'outgoing',
  state: 'ringback',
  waiting: false,
  localMedia: 'video',
  info: {
    callId: 'call-00000001',
    callerId: 'alice',
    callerDevice: 'dev-a',
    moderatorId: 'alice',
    media: 'video',
    state: 'ringing',
    createdAt: 1,
    callerMuted: { audio: false, video: false },
    legs,
  },
  ...over,
});

describe('screens', () => {
  beforeAll(async () => {
    // The route and the sign-in default read the page location: a stub is all SSR needs.
    vi.stubGlobal('window', { location: { hash: '#/contacts', origin: 'http://127.0.0.1:8480' } });
    await initI18n('en');
  });

  it('the outgoing view names every callee state of a group call, with refusal reasons', async () => {
    await i18next.changeLanguage('en');
    const html = render(
      new MemorySoftphone(),
      <OutgoingCall
        call={call({}, [
          leg('bob', 'ringing'),
          leg('carol', 'pushed'),
          leg('dave', 'refused', 'dnd'),
          leg('erin', 'refused', 'in a meeting'),
          leg('fred', 'failed', 'timeout'),
        ])}
      />,
    );
    expect(html).toContain('Ringing');
    expect(html).toContain('Offline: notified, still ringing');
    expect(html).toContain('Do not disturb');
    expect(html).toContain('Refused: in a meeting');
    expect(html).toContain('No answer (timed out)');
    expect(html).toContain('Cancel');
  });

  it('the same views render in Simplified Chinese', async () => {
    await i18next.changeLanguage('zh-CN');
    const html = render(
      new MemorySoftphone(),
      <EndedSummary
        call={call({ state: 'ended', endReason: 'refused' }, [leg('bob', 'refused', 'busy')])}
        onDismiss={() => undefined}
      />,
    );
    expect(html).toContain('忙线');
    expect(html).toContain('通话已结束');
    await i18next.changeLanguage('en');
  });

  it('the incoming view offers Accept video and Accept as audio only for a video call', () => {
    const incoming = call({ direction: 'incoming', state: 'ringing' }, [leg('alice', 'ringing')]);
    const video = render(new MemorySoftphone(), <IncomingCall call={incoming} ring={false} />);
    expect(video).toContain('aria-label="Accept as audio"');
    expect(video).toContain('aria-label="Accept video"');
    expect(video).toContain('Decline');
    expect(video).toContain('role="alertdialog"');
    const audioInfo = incoming.info ? { ...incoming.info, media: 'audio' as const } : undefined;
    const audio = render(
      new MemorySoftphone(),
      <IncomingCall
        call={{ ...incoming, ...(audioInfo ? { info: audioInfo } : {}) }}
        ring={false}
      />,
    );
    expect(audio).not.toContain('Accept video');
    expect(audio).not.toContain('Accept as audio');
    expect(audio).toContain('aria-label="Accept audio"');
  });

  it('a waiting call says that accepting it ends the current call', () => {
    const waiting = call(
      { callId: 'call-00000002', direction: 'incoming', state: 'ringing', waiting: true },
      [leg('alice', 'ringing')],
    );
    const active = call({ direction: 'outgoing', state: 'active' }, [leg('bob', 'accepted')]);
    const api = new MemorySoftphone();
    api.snapshot = { ...api.snapshot, calls: [active, waiting] };
    const html = render(api, <IncomingCall call={waiting} ring={false} />);
    expect(html).toContain('Call waiting: you are already in a call');
    expect(html).toContain('Accepting ends your current call');
    const alone = new MemorySoftphone();
    alone.snapshot = { ...alone.snapshot, calls: [waiting] };
    expect(render(alone, <IncomingCall call={waiting} ring={false} />)).not.toContain(
      'Accepting ends',
    );
  });

  it('a signed-out app shows the sign-in form; a failed session says so', () => {
    const api = new MemorySoftphone();
    api.snapshot = { ...api.snapshot, connection: 'signed-out', account: null };
    const html = render(api, <App />);
    expect(html).toContain('Sign in to Trayphone');
    expect(html).toContain('id="signin-password"');
    const failed = new MemorySoftphone();
    failed.snapshot = { ...failed.snapshot, connection: 'failed' };
    expect(render(failed, <App />)).toContain('Your session ended');
  });

  it('the signed-in shell shows connection state, status control and the missed badge', () => {
    const api = new MemorySoftphone();
    api.snapshot = { ...api.snapshot, connection: 'reconnecting', missedUnread: 2 };
    const html = render(api, <App />);
    expect(html).toContain('Reconnecting…');
    expect(html).toContain('data-testid="missed-badge"');
    expect(html).toContain('id="status-control"');
    expect(html).toContain('What you type is kept');
  });

  it('the summary of a call that ended connection-lost says so and who left', () => {
    const ended = call({ direction: 'incoming', state: 'ended', endReason: 'connection-lost' }, []);
    const html = render(
      new MemorySoftphone(),
      <EndedSummary
        call={{
          ...ended,
          peers: [{ userId: 'bob', connection: 'left', leftReason: 'connection-lost' }],
        }}
        onDismiss={() => undefined}
      />,
    );
    expect(html).toContain('Connection lost');
    expect(html).toContain('bob left');
  });

  it('a missed call says whose it was and offers to call back', () => {
    const ended = call({ direction: 'incoming', state: 'ended', endReason: 'canceled' }, []);
    const html = render(
      new MemorySoftphone(),
      <EndedSummary call={ended} onDismiss={() => undefined} />,
    );
    expect(html).toContain('Missed call from alice');
    expect(html).toContain('Call back');
    expect(html).toContain('data-missed="true"');
    const declined = call(
      { direction: 'incoming', state: 'ended', endReason: 'refused-elsewhere' },
      [],
    );
    const other = render(
      new MemorySoftphone(),
      <EndedSummary call={declined} onDismiss={() => undefined} />,
    );
    expect(other).not.toContain('Missed call');
  });
});
