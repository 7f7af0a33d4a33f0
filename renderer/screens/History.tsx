import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CallRecord } from '../../protocol/index.js';
import { errorMessage, useApi, useSnapshot } from '../app/api-context.js';
import { useNames } from '../app/names.js';
import { placeCall } from '../app/place-call.js';
import {
  callBackTargets,
  durationLabel,
  endLabel,
  isMissed,
  isOutgoing,
} from '../call/call-view.js';
import { Icon } from '../components/Icon.js';

type Filter = 'all' | 'missed';
const PAGE = 30;

/** Call history: all or missed, missed highlighted and counted, call back, details per call. */
export function History() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const me = snapshot?.account?.userId ?? '';
  const [filter, setFilter] = useState<Filter>('all');
  const [records, setRecords] = useState<CallRecord[]>([]);
  const [nextBefore, setNextBefore] = useState<number>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string>();
  const missedUnread = snapshot?.missedUnread ?? 0;
  // Reload when a call ends (its record is new) or a missed call arrives.
  const endedCount = snapshot?.calls.filter((c) => c.state === 'ended').length ?? 0;
  const connected = snapshot?.connection === 'connected';

  const load = useCallback(
    async (before?: number) => {
      try {
        const page = await api.history({
          limit: PAGE,
          ...(before === undefined ? {} : { before }),
          ...(filter === 'missed' ? { missedOnly: true } : {}),
        });
        setRecords((prev) => (before === undefined ? page.records : [...prev, ...page.records]));
        setNextBefore(page.nextBefore);
        setError(undefined);
      } catch (err) {
        setError(errorMessage(err));
      }
    },
    [api, filter],
  );
  useEffect(() => {
    if (connected) void load();
  }, [load, endedCount, missedUnread, connected]);
  useEffect(() => {
    // Viewing the history is seeing the missed calls.
    if (missedUnread > 0 && connected) void api.markMissedSeen({}).catch(() => undefined);
  }, [api, missedUnread, connected]);

  const name = useNames(api, [
    ...new Set(records.flatMap((r) => [r.callerId, ...r.participants.map((p) => p.userId)])),
  ]);
  const missedCount = records.filter((r) => isMissed(r, me)).length;
  const shown = filter === 'missed' ? records.filter((r) => isMissed(r, me)) : records;
  const when = (ms: number) =>
    new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);

  return (
    <section aria-labelledby="history-title" className="screen">
      <h2 id="history-title">{t('history.title')}</h2>
      <div className="segmented" role="group" aria-label={t('history.title')}>
        {(['all', 'missed'] as const).map((f) => (
          <button
            key={f}
            type="button"
            aria-pressed={filter === f}
            onClick={() => {
              setFilter(f);
            }}
          >
            {t(`history.${f}`)}
            {f === 'missed' && missedCount > 0 && (
              <span className="badge" data-testid="missed-count">
                {missedCount}
              </span>
            )}
          </button>
        ))}
      </div>
      {error && (
        <p className="error" role="alert">
          {t('history.loadFailed', { message: error })}
        </p>
      )}
      {shown.length === 0 && !error ? <p className="hint">{t('history.empty')}</p> : null}
      <ul className="history-list">
        {shown.map((r) => {
          const missed = isMissed(r, me);
          const outgoing = isOutgoing(r, me);
          const targets = callBackTargets(r, me);
          const ids = outgoing ? targets : [r.callerId];
          const who = ids.map(name).join(', ');
          const dur = durationLabel(r.durationSec);
          const end = endLabel(r.endReason);
          const expanded = open === r.callId;
          return (
            <li
              key={r.callId}
              className={`history-row${missed ? ' missed' : ''}`}
              data-call={r.callId}
              data-missed={missed}
            >
              <span className="history-main">
                <strong title={ids.join(', ')}>
                  <Icon name={outgoing ? 'outgoing' : missed ? 'missed' : 'incoming'} /> {who}
                </strong>
                <small>
                  {missed
                    ? t('history.missedCall')
                    : t(outgoing ? 'history.outgoing' : 'history.incoming')}
                  {' · '}
                  {t(r.media === 'video' ? 'call.video' : 'call.audio')}
                  {' · '}
                  <span>{when(r.createdAt)}</span>
                  {' · '}
                  <span data-testid="duration">{t(dur.key, dur.params)}</span>
                </small>
              </span>
              <span className="row-actions">
                <button
                  type="button"
                  aria-expanded={expanded}
                  aria-controls={`details-${r.callId}`}
                  onClick={() => {
                    setOpen(expanded ? undefined : r.callId);
                  }}
                >
                  {t(expanded ? 'history.hideDetails' : 'history.details')}
                </button>
                <button
                  type="button"
                  className="icon-button"
                  disabled={!connected || targets.length === 0}
                  aria-label={t('history.callBack', { name: who })}
                  title={t('history.callBack', { name: who })}
                  onClick={() => void placeCall(api, targets, r.media)}
                >
                  <Icon name="phone" />
                </button>
              </span>
              {expanded && (
                <dl id={`details-${r.callId}`} className="details">
                  <dt>{t('history.who')}</dt>
                  <dd>
                    <ul>
                      {r.participants.map((p) => (
                        <li key={p.userId} title={p.userId}>
                          {t('shell.outcomeOf', {
                            name: name(p.userId),
                            outcome: t(`history.outcome.${p.outcome}`),
                          })}
                          {p.durationSec > 0
                            ? ` (${t(durationLabel(p.durationSec).key, durationLabel(p.durationSec).params)})`
                            : ''}
                        </li>
                      ))}
                    </ul>
                  </dd>
                  <dt>{t('history.when')}</dt>
                  <dd>{when(r.createdAt)}</dd>
                  <dt>{t('history.duration')}</dt>
                  <dd>{t(dur.key, dur.params)}</dd>
                  <dt>{t('history.endReason')}</dt>
                  <dd>{t(end.key, end.params)}</dd>
                </dl>
              )}
            </li>
          );
        })}
      </ul>
      {nextBefore !== undefined && (
        <button type="button" onClick={() => void load(nextBefore)}>
          {t('history.loadMore')}
        </button>
      )}
    </section>
  );
}
