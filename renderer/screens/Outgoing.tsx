import { useTranslation } from 'react-i18next';
import type { Leg } from '../../protocol/index.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import { useApi } from '../app/api-context.js';
import { endLabel, legLabel, wantsRingback } from '../call/call-view.js';
import { useSound } from '../call/use-sound.js';
import { useSettings } from '../app/settings.js';
import { QueueWaitLine } from '../agent/AgentConsole.js';
import { PeerNotices } from '../in-call/PeerNotices.js';

/** One callee and their state in words (ringing, offline/pushed, declined with reason...). */
export function LegList({ legs }: { legs: Leg[] }) {
  const { t } = useTranslation();
  return (
    <ul className="leg-list">
      {legs.map((leg) => {
        const label = legLabel(leg);
        return (
          <li key={leg.userId} data-user={leg.userId} data-state={leg.state}>
            <strong>{leg.userId}</strong>
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

/** What happened to a call that just ended: shown on the idle screen, dismissible. */
export function EndedSummary({ call, onDismiss }: { call: SoftphoneCall; onDismiss: () => void }) {
  const { t } = useTranslation();
  const label = endLabel(call.endReason ?? call.info?.endReason);
  const legs = call.direction === 'outgoing' ? (call.info?.legs ?? []) : [];
  return (
    <section
      className="card ended"
      role="status"
      aria-labelledby="ended-title"
      data-call={call.callId}
    >
      <h2 id="ended-title">{t('call.endedTitle')}</h2>
      {label.key !== 'call.end.completed' && <p>{t(label.key, label.params)}</p>}
      {/* The caller's leg list already says who left; the callee sees who dropped here. */}
      {legs.length > 0 ? <LegList legs={legs} /> : <PeerNotices call={call} />}
      <button type="button" onClick={onDismiss}>
        {t('app.dismiss')}
      </button>
    </section>
  );
}
