import { useTranslation } from 'react-i18next';
import type { Leg } from '../../protocol/index.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { MISSED_END_REASONS } from '../../core/calls/missed.js';
import { useApi } from '../app/api-context.js';
import { useDisplayName, useNames } from '../app/names.js';
import { placeCall } from '../app/place-call.js';
import { endLabel, legLabel, wantsRingback } from '../call/call-view.js';
import { useSound } from '../call/use-sound.js';
import { useSettings } from '../app/settings.js';
import { QueueWaitLine } from '../agent/AgentConsole.js';
import { PeerNotices } from '../in-call/PeerNotices.js';

/** One callee and their state in words (ringing, offline/pushed, declined with reason...). */
export function LegList({ legs }: { legs: Leg[] }) {
  const { t } = useTranslation();
  const api = useApi();
  const name = useNames(
    api,
    legs.map((l) => l.userId),
  );
  return (
    <ul className="leg-list">
      {legs.map((leg) => {
        const label = legLabel(leg);
        return (
          <li key={leg.userId} data-user={leg.userId} data-state={leg.state}>
            <strong title={leg.userId}>{name(leg.userId)}</strong>
            <span className={`leg-state leg-${leg.state}`}>{t(label.key, label.params)}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** Our invitation ringing out: per-callee state, ringback, cancel. */
export function OutgoingCall({ call }: { call: SoftphoneCall }) {
  const { t } = useTranslation();
  const api = useApi();
  const { view } = useSettings();
  useSound('ringback', wantsRingback(call), view?.settings.speakerDevice ?? '');
  const legs = call.info?.legs ?? [];
  return (
    <section className="card outgoing" aria-labelledby="outgoing-title" data-call={call.callId}>
      <h2 id="outgoing-title">
        {t('call.outgoingTitle')}
        {' · '}
        {t(call.localMedia === 'video' ? 'call.videoCall' : 'call.audioCall')}
      </h2>
      <div role="status" aria-live="polite">
        <QueueWaitLine callId={call.callId} />
        <LegList legs={legs} />
      </div>
      <div className="button-row">
        <button
          type="button"
          className="danger"
          autoFocus
          onClick={() => void api.cancel({ callId: call.callId }).catch(() => undefined)}
        >
          {t('call.cancel')}
        </button>
      </div>
    </section>
  );
}

/**
 * What happened to a call that just ended: shown on the idle screen, dismissible. A call that
 * rang here and nobody answered says whose it was, with a call back.
 */
export function EndedSummary({ call, onDismiss }: { call: SoftphoneCall; onDismiss: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const reason = call.endReason ?? call.info?.endReason;
  const label = endLabel(reason);
  const legs = call.direction === 'outgoing' ? (call.info?.legs ?? []) : [];
  const callerId = call.info?.callerId ?? '';
  const callerName = useDisplayName(api, callerId);
  const missed =
    call.direction === 'incoming' &&
    call.endReason !== undefined &&
    MISSED_END_REASONS.has(call.endReason);
  const at = new Intl.DateTimeFormat(i18n.language, { timeStyle: 'short' }).format(
    call.endedAt ?? Date.now(),
  );
  return (
    <section
      className={`card ended${missed ? ' missed' : ''}`}
      role="status"
      aria-labelledby="ended-title"
      data-call={call.callId}
      data-missed={missed}
    >
      <h2 id="ended-title">
        {missed ? t('shell.missedFrom', { name: callerName }) : t('call.endedTitle')}
      </h2>
      {missed ? (
        <p>
          {at}
          {callerName !== callerId && <> · {callerId}</>}
        </p>
      ) : (
        label.key !== 'call.end.completed' && <p>{t(label.key, label.params)}</p>
      )}
      {/* The caller's leg list already says who left; the callee sees who dropped here. */}
      {legs.length > 0 ? <LegList legs={legs} /> : <PeerNotices call={call} />}
      <div className="button-row">
        {missed && callerId && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              onDismiss();
              void placeCall(api, [callerId], call.info?.media ?? 'audio');
            }}
          >
            {t('shell.callBack')}
          </button>
        )}
        <button type="button" onClick={onDismiss}>
          {t('app.dismiss')}
        </button>
      </div>
    </section>
  );
}
