import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaKind } from '../../protocol/index.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi, useSnapshot } from '../app/api-context.js';
import { useDisplayName } from '../app/names.js';
import { useSettings } from '../app/settings.js';
import { acceptEndsCurrent, endLabel } from '../call/call-view.js';
import { asRingtone } from '../call/sounds.js';
import { useSound } from '../call/use-sound.js';
import { Icon } from '../components/Icon.js';
import { QueueOfferLine } from '../agent/AgentConsole.js';

/**
 * An invitation ringing on this device: who calls, audio or video, and the three answers. The
 * same view fills the Electron ringing window (`#/ringing/<callId>`).
 */
export function IncomingCall({ call, ring }: { call: SoftphoneCall; ring: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const { view } = useSettings();
  const callerId = call.info?.callerId ?? '';
  const callerName = useDisplayName(api, callerId);
  const caller = callerName === callerId ? callerId : `${callerName} (${callerId})`;
  const video = call.info?.media === 'video';
  const firstButton = useRef<HTMLButtonElement>(null);
  const snapshot = useSnapshot();
  // Core's accept ends this device's current call first (end and answer): say so up front.
  const endsCurrent = acceptEndsCurrent(snapshot?.calls ?? [], call.callId);
  const ringtone = call.waiting ? 'waiting' : asRingtone(view?.settings.ringtone ?? 'classic');
  useSound(ringtone, ring, view?.settings.ringingDevice ?? '');
  useEffect(() => {
    // Keyboard users land on the answer buttons; the ringing window never steals focus itself.
    if (api.shell === 'browser') firstButton.current?.focus();
  }, [api.shell]);

  const accept = (media: MediaKind) => {
    void api.accept({ callId: call.callId, media }).catch(() => undefined);
  };
  return (
    <section
      className="card incoming"
      role="alertdialog"
      aria-labelledby={`incoming-${call.callId}-title`}
      aria-describedby={`incoming-${call.callId}-kind`}
      data-call={call.callId}
    >
      <h2 id={`incoming-${call.callId}-title`}>{t('call.incomingFrom', { name: caller })}</h2>
      <p id={`incoming-${call.callId}-kind`} className="call-kind">
        <Icon name={video ? 'video' : 'phone'} /> {t(video ? 'call.videoCall' : 'call.audioCall')}
      </p>
      <QueueOfferLine callId={call.callId} />
      {call.waiting && <p className="hint">{t('call.waiting')}</p>}
      {endsCurrent && (
        <p className="hint" data-testid="accept-ends-current">
          {t('call.acceptEndsCurrent')}
        </p>
      )}
      <div className="button-row">
        <button
          ref={firstButton}
          type="button"
          className="accept"
          onClick={() => {
            accept('audio');
          }}
        >
          {t('call.acceptAudio')}
        </button>
        {video && (
          <button
            type="button"
            className="accept"
            onClick={() => {
              accept('video');
            }}
          >
            {t('call.acceptVideo')}
          </button>
        )}
        <button
          type="button"
          className="danger"
          onClick={() => void api.decline({ callId: call.callId }).catch(() => undefined)}
        >
          {t('call.decline')}
        </button>
      </div>
    </section>
  );
}

/**
 * The Electron ringing window: one call's incoming view, or a word that it stopped ringing.
 * `silent`: another ringing window plays the ringtone (main rings one at a time).
 */
export function RingingWindow({ callId, silent = false }: { callId: string; silent?: boolean }) {
  const { t } = useTranslation();
  const snapshot = useSnapshot();
  const call = snapshot?.calls.find((c) => c.callId === callId);
  if (call?.state === 'ringing')
    return (
      <main id="main" className="ringing-window">
        <IncomingCall call={call} ring={!silent} />
      </main>
    );
  const end = endLabel(call?.endReason);
  return (
    <main id="main" className="ringing-window">
      <p className="card" role="status">
        {call?.endReason ? t(end.key, end.params) : t('call.ringEnded')}
      </p>
    </main>
  );
}
