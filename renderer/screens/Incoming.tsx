import { Phone, PhoneOff, Video } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { MediaKind } from '../../protocol/index.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi, useSnapshot } from '../app/api-context.js';
import { focusIsFree, INCOMING_SHORTCUT } from '../app/incoming-focus.js';
import { useDisplayName } from '../app/names.js';
import { useSettings } from '../app/settings.js';
import { acceptEndsCurrent, endLabel } from '../call/call-view.js';
import { asRingtone } from '../call/sounds.js';
import { useSound } from '../call/use-sound.js';
import { QueueOfferLine } from '../agent/AgentConsole.js';
import { TransferNote, transferNote, transferParty } from '../in-call/TransferPanel.js';

/**
 * An invitation ringing on this device: who calls (display name first, the id below), audio or
 * video, and the answers in one row. The same compact view fills the Electron ringing window
 * (`#/ringing/<callId>`, 340×150). It is announced (alertdialog) but takes focus only when
 * nothing else has it: someone typing must not answer with the next Space.
 */
export function IncomingCall({ call, ring }: { call: SoftphoneCall; ring: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const { view } = useSettings();
  const snapshot = useSnapshot();
  const me = snapshot?.account?.userId ?? '';
  // A transfer rings with the party transferred, not with whoever placed the call.
  const callerId = transferParty(call, me) ?? call.info?.callerId ?? '';
  const callerName = useDisplayName(api, callerId);
  const caller = callerName === callerId ? callerId : `${callerName} (${callerId})`;
  const video = call.info?.media === 'video';
  const firstButton = useRef<HTMLButtonElement>(null);
  const transferBy = useDisplayName(api, transferNote(call, me)?.about ?? '');
  // Core's accept ends this device's current call first (end and answer): say so up front.
  const endsCurrent = acceptEndsCurrent(snapshot?.calls ?? [], call.callId);
  const ringtone = call.waiting ? 'waiting' : asRingtone(view?.settings.ringtone ?? 'classic');
  useSound(ringtone, ring, view?.settings.ringingDevice ?? '');
  useEffect(() => {
    if (focusIsFree(document)) firstButton.current?.focus();
  }, []);

  const accept = (media: MediaKind, current?: 'hold') => {
    const args = current ? { callId: call.callId, media, current } : { callId: call.callId, media };
    void api.accept(args).catch(() => undefined);
  };
  const title = t('call.incomingFrom', { name: caller });
  const kind = t(video ? 'call.videoCall' : 'call.audioCall');
  return (
    <section
      className="card incoming"
      role="alertdialog"
      aria-label={title}
      aria-describedby={`incoming-${call.callId}-kind`}
      aria-keyshortcuts={INCOMING_SHORTCUT.aria}
      data-call={call.callId}
    >
      <div className="incoming-who">
        <span className="incoming-kind-icon" aria-hidden="true">
          {video ? <Video size={20} /> : <Phone size={20} />}
        </span>
        <span className="incoming-text">
          <h2 className="incoming-name" title={title} data-testid="caller-name">
            {callerName}
          </h2>
          <p
            id={`incoming-${call.callId}-kind`}
            className="call-kind"
            title={`${kind} · ${callerId}`}
          >
            {kind}
            {callerName !== callerId && <> · {callerId}</>}
          </p>
        </span>
      </div>
      <QueueOfferLine callId={call.callId} />
      <TransferNote call={call} me={me} nameOf={() => transferBy} />
      {call.waiting && <p className="hint incoming-note">{t('call.waiting')}</p>}
      {endsCurrent && (
        <p className="hint incoming-note" data-testid="accept-ends-current">
          {t('call.acceptEndsCurrent')}
        </p>
      )}
      <div className="incoming-actions">
        <button
          ref={firstButton}
          type="button"
          className="accept"
          aria-label={t(video ? 'call.acceptVideo' : 'call.acceptAudio')}
          onClick={() => {
            accept(video ? 'video' : 'audio');
          }}
        >
          {video ? <Video aria-hidden="true" size={16} /> : <Phone aria-hidden="true" size={16} />}
          {t('shell.accept')}
        </button>
        {video && (
          <button
            type="button"
            className="accept-audio"
            aria-label={t('shell.acceptAsAudio')}
            title={t('shell.acceptAsAudio')}
            onClick={() => {
              accept('audio');
            }}
          >
            <Phone aria-hidden="true" size={16} />
            {t('shell.asAudio')}
          </button>
        )}
        {endsCurrent && (
          <button
            type="button"
            className="accept-hold"
            onClick={() => {
              accept(video ? 'video' : 'audio', 'hold');
            }}
          >
            {t('callScreen.holdAndAccept')}
          </button>
        )}
        <button
          type="button"
          className="danger"
          onClick={() => void api.decline({ callId: call.callId }).catch(() => undefined)}
        >
          <PhoneOff aria-hidden="true" size={16} />
          {t('call.decline')}
        </button>
      </div>
      <p className="hint incoming-shortcut">{t('shell.incomingShortcut')}</p>
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
