import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentState, AgentStats } from '../../protocol/index.js';
import { errorCode, errorMessage, useApi, useSnapshot } from '../app/api-context.js';
import { notifyError } from '../app/notify.js';
import {
  BREAK_REASONS,
  afterCallRemainingMs,
  agentFigures,
  currentOffer,
  formatMs,
  offerWaitMs,
  reasonKey,
  timeInStatusMs,
} from './agent-logic.js';
import { useNow } from './use-now.js';
import './seat.css';

const report = (error: unknown) => {
  notifyError({ code: errorCode(error), message: errorMessage(error) });
};

/** The agent's own status in words: "On break (Lunch)". */
export function AgentStatusText({ agent }: { agent: AgentState }) {
  const { t } = useTranslation();
  const key = reasonKey(agent.reason);
  // A plain break (reason `break`) needs no "(Break)" after "On break".
  const shown = agent.status === 'break' && agent.reason && agent.reason !== 'break';
  const reason = shown && agent.reason ? (key ? t(key) : agent.reason) : '';
  return (
    <span className={`agent-status agent-${agent.status}`} data-agent-status={agent.status}>
      <span className="dot" aria-hidden="true" />
      {t(`seat.status.${agent.status}`)}
      {reason && ` (${reason})`}
    </span>
  );
}

/** On the incoming call card: the queue a call comes from and how long its caller has waited. */
export function QueueOfferLine({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const snapshot = useSnapshot();
  const offer = snapshot?.queueOffers?.find((o) => o.callId === callId);
  const now = useNow(offer !== undefined, 1000);
  if (!offer) return null;
  return (
    <p className="queue-offer-line" data-queue-offer={offer.queue}>
      {t('seat.agent.offerLine', { queue: offer.queue, time: formatMs(offerWaitMs(offer, now)) })}
    </p>
  );
}

/** On the caller's outgoing card: the queue the call waits in, its place and the wait so far. */
export function QueueWaitLine({ callId }: { callId: string }) {
  const { t } = useTranslation();
  const snapshot = useSnapshot();
  const place = snapshot?.queuePositions?.find((p) => p.callId === callId);
  const now = useNow(place !== undefined, 1000);
  if (!place) return null;
  const waited = place.waitedMs + Math.max(0, now - place.receivedAt);
  return (
    <p className="queue-offer-line" data-queue-position={place.position}>
      {t('seat.caller.position', {
        queue: place.queue,
        position: String(place.position),
        waiting: String(place.waiting),
        time: formatMs(waited),
      })}
    </p>
  );
}

/**
 * The agent console: own status with break reasons, the queue call being offered (queue, caller,
 * wait), after-call work with its countdown and "ready now", and the agent's figures.
 */
export function AgentConsole() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const agent = snapshot?.agentState;
  const now = useNow(agent !== undefined, 500);
  const [reason, setReason] = useState<string>(BREAK_REASONS[0]);
  const [busy, setBusy] = useState(false);
  // When this device first saw the current status: the after-call countdown runs from it.
  const seen = useRef<{ key: string; at: number }>({ key: '', at: Date.now() });
  const statusKey = agent ? `${agent.status}:${String(agent.since)}` : '';
  if (seen.current.key !== statusKey) seen.current = { key: statusKey, at: Date.now() };

  const [stats, setStats] = useState<{ stats: AgentStats; at: number }>();
  const connected = snapshot?.connection === 'connected';
  useEffect(() => {
    if (!connected || !statusKey) return;
    // Fresh figures whenever the status changes (a call answered, handled, a break).
    let live = true;
    api.agentStats({}).then(
      (s) => {
        if (live) setStats({ stats: s, at: Date.now() });
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, connected, statusKey]);

  if (!snapshot || !agent) return <p className="hint">{t('seat.agent.noOffer')}</p>;

  const run = (task: () => Promise<unknown>) => {
    setBusy(true);
    task()
      .catch(report)
      .finally(() => {
        setBusy(false);
      });
  };
  const offered = currentOffer(snapshot);
  const acwLeft = afterCallRemainingMs(agent, seen.current.at, now);
  const onCall = agent.status === 'on-call';
  const figures = stats ? agentFigures(stats.stats, agent, stats.at, now) : undefined;

  return (
    <section aria-labelledby="agent-title" className="screen agent-console">
      <h2 id="agent-title">{t('seat.agent.title')}</h2>
      <div className="card agent-state" data-testid="agent-state">
        <h3>{t('seat.agent.myStatus')}</h3>
        <p className="agent-status-line">
          <AgentStatusText agent={agent} />{' '}
          <span className="hint">
            {t('seat.agent.inStatusFor', { time: formatMs(timeInStatusMs(agent, now)) })}
          </span>
        </p>
        <p className="hint">
          {t('seat.agent.queues', { queues: agent.queues.map((q) => q.queue).join(', ') })}
        </p>
        <div className="button-row">
          <button
            type="button"
            className="primary"
            data-action="agent-available"
            disabled={busy || onCall || agent.status === 'available' || !connected}
            onClick={() => {
              run(() => api.agentSetStatus({ status: 'available' }));
            }}
          >
            {t('seat.agent.goAvailable')}
          </button>
          <label htmlFor="break-reason" className="visually-hidden">
            {t('seat.agent.breakReason')}
          </label>
          <select
            id="break-reason"
            value={reason}
            disabled={busy || onCall || !connected}
            onChange={(e) => {
              setReason(e.target.value);
            }}
          >
            {BREAK_REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`seat.reasons.${r}`)}
              </option>
            ))}
          </select>
          <button
            type="button"
            data-action="agent-break"
            disabled={busy || onCall || !connected}
            onClick={() => {
              run(() => api.agentSetStatus({ status: 'break', reason }));
            }}
          >
            {t('seat.agent.goBreak')}
          </button>
          <button
            type="button"
            data-action="agent-logout"
            disabled={busy || onCall || agent.status === 'logged-out' || !connected}
            onClick={() => {
              run(() => api.agentSetStatus({ status: 'logged-out' }));
            }}
          >
            {t('seat.agent.logOut')}
          </button>
        </div>
        {onCall && <p className="hint">{t('seat.agent.onCallHint')}</p>}
        <label className="checkbox">
          <input
            type="checkbox"
            checked={agent.autoAnswer}
            disabled={busy || !connected}
            onChange={(e) => {
              const autoAnswer = e.target.checked;
              run(() => api.agentSettings({ autoAnswer }));
            }}
          />
          {t('seat.agent.autoAnswer')}
        </label>
      </div>

      {offered && (
        <div className="card agent-offer" role="status" data-testid="agent-offer">
          <h3>{t('seat.agent.offerTitle')}</h3>
          <dl className="facts">
            <dt>{t('seat.agent.offerQueue')}</dt>
            <dd data-testid="offer-queue">{offered.offer.queue}</dd>
            <dt>{t('seat.agent.offerCaller')}</dt>
            <dd>
              {offered.offer.callerName === offered.offer.callerId
                ? offered.offer.callerId
                : `${offered.offer.callerName} (${offered.offer.callerId})`}
            </dd>
            <dt>{t('seat.agent.offerWait')}</dt>
            <dd className="timer">{formatMs(offerWaitMs(offered.offer, now))}</dd>
          </dl>
          <p className="hint">
            {offered.offer.autoAnswer ? t('seat.agent.autoAnswering') : t('seat.agent.answerHint')}
          </p>
        </div>
      )}

      {acwLeft !== undefined && (
        <div className="card agent-acw" data-testid="agent-acw">
          <h3>{t('seat.agent.acwTitle')}</h3>
          <p className="countdown" role="timer">
            {t('seat.agent.acwLeft', { time: formatMs(acwLeft + 999) })}
          </p>
          <div className="button-row">
            <button
              type="button"
              className="primary"
              data-action="ready-now"
              disabled={busy || !connected}
              onClick={() => {
                run(() => api.agentSetStatus({ status: 'available' }));
              }}
            >
              {t('seat.agent.readyNow')}
            </button>
          </div>
        </div>
      )}

      <div className="card agent-figures" data-testid="agent-figures">
        <h3>{t('seat.agent.figuresTitle')}</h3>
        <p className="hint">{t('seat.agent.figuresSince')}</p>
        {figures && (
          <>
            <dl className="figures">
              <div>
                <dt>{t('seat.agent.answered')}</dt>
                <dd data-figure="answered">{figures.answered}</dd>
              </div>
              <div>
                <dt>{t('seat.agent.offered')}</dt>
                <dd>{figures.offered}</dd>
              </div>
              <div>
                <dt>{t('seat.agent.missed')}</dt>
                <dd>{figures.missed}</dd>
              </div>
              <div>
                <dt>{t('seat.agent.avgHandle')}</dt>
                <dd>{figures.avgHandleMs === undefined ? '–' : formatMs(figures.avgHandleMs)}</dd>
              </div>
            </dl>
            <h3>{t('seat.agent.timeIn')}</h3>
            <table className="status-times">
              <tbody>
                {figures.timeIn.map(({ status, ms }) => (
                  <tr key={status}>
                    <th scope="row">{t(`seat.status.${status}`)}</th>
                    <td>{formatMs(ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </section>
  );
}
