import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MonitorMode, QueueSnapshot } from '../../protocol/index.js';
import { errorCode, errorMessage, useApi, useSnapshot } from '../app/api-context.js';
import { notifyError } from '../app/notify.js';
import { useSettings } from '../app/settings.js';
import { AgentStatusText } from '../agent/AgentConsole.js';
import { formatMs, timeInStatusMs } from '../agent/agent-logic.js';
import { useNow } from '../agent/use-now.js';
import { agentRows, queueFigures, type QueueFigure } from './supervisor-logic.js';
import { type Monitoring, useMonitor } from './use-monitor.js';
import '../agent/seat.css';

const MODES: readonly MonitorMode[] = ['listen', 'whisper', 'barge'];

/** The queues this user supervises: asked once per connection (tab visibility, subscriptions). */
export function useSupervisedQueueNames(): string[] | undefined {
  const api = useApi();
  const snapshot = useSnapshot();
  const connected = snapshot?.connection === 'connected';
  const userId = snapshot?.account?.userId;
  const [names, setNames] = useState<string[]>();
  useEffect(() => {
    if (!connected || !userId) return;
    let live = true;
    api.supervisorQueues({}).then(
      (queues) => {
        if (live) setNames(queues.map((q) => q.name));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, connected, userId]);
  return names;
}

function FigureValue({ figure }: { figure: QueueFigure }) {
  if (figure.kind === 'ms') return <>{formatMs(figure.value)}</>;
  if (figure.kind === 'pct') return <>{`${String(Math.round(figure.value))}%`}</>;
  return <>{figure.value}</>;
}

/**
 * The supervisor view: every supervised queue with live figures (subscribed while the view is
 * open), its waiting calls, its agents with status and time in status, and the calls in progress
 * with listen / whisper / barge.
 */
export function SupervisorView() {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const { view } = useSettings();
  const names = useSupervisedQueueNames();
  const now = useNow(true, 1000);
  const { monitoring, start, stop } = useMonitor(api, view?.settings.microphoneDevice ?? '');
  const connected = snapshot?.connection === 'connected';
  const key = names?.join(',') ?? '';

  useEffect(() => {
    if (!connected || !key) return;
    const queues = key.split(',').slice(0, 50);
    api.supervisorSubscribe({ queues }).catch((error: unknown) => {
      notifyError({ code: errorCode(error), message: errorMessage(error) });
    });
    return () => {
      void api.supervisorUnsubscribe({ queues }).catch(() => undefined);
    };
  }, [api, connected, key]);

  if (names === undefined) return <p className="hint">{t('seat.supervisor.loading')}</p>;
  const queues = snapshot?.supervisedQueues ?? [];
  return (
    <section aria-labelledby="supervisor-title" className="screen supervisor-view">
      <h2 id="supervisor-title">{t('seat.supervisor.title')}</h2>
      {names.length === 0 && <p className="hint">{t('seat.supervisor.none')}</p>}
      {monitoring && (
        <MonitorBar
          monitoring={monitoring}
          queues={queues}
          onStop={() => {
            void stop();
          }}
        />
      )}
      {queues.map((q) => (
        <QueueCard
          key={q.config.name}
          queue={q}
          now={now}
          monitoring={monitoring}
          onMonitor={(callId, mode) => {
            void start(callId, mode);
          }}
        />
      ))}
    </section>
  );
}

function MonitorBar({
  monitoring,
  queues,
  onStop,
}: {
  monitoring: Monitoring;
  queues: QueueSnapshot[];
  onStop: () => void;
}) {
  const { t } = useTranslation();
  const call = queues.flatMap((q) => q.active).find((a) => a.callId === monitoring.callId);
  const text =
    monitoring.state === 'failed'
      ? t('seat.supervisor.monitorFailed', { message: monitoring.error ?? '' })
      : monitoring.state === 'joining'
        ? t('seat.supervisor.joining')
        : t(`seat.supervisor.monitoring.${monitoring.mode}`, {
            agent: call?.agentId ?? '',
            caller: call?.callerId ?? '',
          });
  return (
    <div
      className="card monitor-bar"
      role="status"
      data-testid="monitor-bar"
      data-monitor={`${monitoring.mode}:${monitoring.state}`}
    >
      <span className={monitoring.state === 'failed' ? 'error' : undefined}>{text}</span>
      <button type="button" className="danger" onClick={onStop}>
        {t('seat.supervisor.stop')}
      </button>
    </div>
  );
}

function QueueCard({
  queue: q,
  now,
  monitoring,
  onMonitor,
}: {
  queue: QueueSnapshot;
  now: number;
  monitoring: Monitoring | undefined;
  onMonitor: (callId: string, mode: MonitorMode) => void;
}) {
  const { t } = useTranslation();
  const name = q.config.name;
  return (
    <article className="card queue-card" aria-labelledby={`queue-${name}`} data-queue={name}>
      <h3 id={`queue-${name}`}>
        {q.config.displayName ?? name}{' '}
        <span className="tag">
          {t('seat.supervisor.strategy', {
            strategy: t(`seat.supervisor.strategies.${q.config.strategy}`),
          })}
        </span>
      </h3>
      <dl className="figures">
        {queueFigures(q, now).map((figure) => (
          <div key={figure.key}>
            <dt>{t(`seat.supervisor.${figure.key}`)}</dt>
            <dd data-figure={figure.key}>
              <FigureValue figure={figure} />
            </dd>
          </div>
        ))}
      </dl>

      <h4>{t('seat.supervisor.waitingCalls')}</h4>
      {q.waiting.length === 0 ? (
        <p className="hint">{t('seat.supervisor.noWaiting')}</p>
      ) : (
        <table className="seat-table">
          <thead>
            <tr>
              <th scope="col">{t('seat.supervisor.position')}</th>
              <th scope="col">{t('seat.supervisor.caller')}</th>
              <th scope="col">{t('seat.supervisor.waited')}</th>
            </tr>
          </thead>
          <tbody>
            {q.waiting.map((w) => (
              <tr key={w.callId}>
                <td>{w.position}</td>
                <td>{w.callerId}</td>
                <td>{formatMs(now - w.enteredAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h4>{t('seat.supervisor.agents')}</h4>
      <table className="seat-table">
        <thead>
          <tr>
            <th scope="col">{t('seat.supervisor.agent')}</th>
            <th scope="col">{t('seat.supervisor.status')}</th>
            <th scope="col">{t('seat.supervisor.inStatus')}</th>
            <th scope="col">{t('seat.supervisor.callsAnswered')}</th>
          </tr>
        </thead>
        <tbody>
          {agentRows(q).map(({ agent, answered }) => (
            <tr key={agent.userId} data-agent={agent.userId}>
              <td>{agent.userId}</td>
              <td>
                <AgentStatusText agent={agent} />
              </td>
              <td>{formatMs(timeInStatusMs(agent, now))}</td>
              <td>{answered}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h4>{t('seat.supervisor.activeCalls')}</h4>
      {q.active.length === 0 ? (
        <p className="hint">{t('seat.supervisor.noActive')}</p>
      ) : (
        <table className="seat-table">
          <thead>
            <tr>
              <th scope="col">{t('seat.supervisor.agent')}</th>
              <th scope="col">{t('seat.supervisor.caller')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('seat.supervisor.listen')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {q.active.map((a) => (
              <tr key={a.callId} data-call={a.callId}>
                <td>{a.agentId}</td>
                <td>{a.callerId}</td>
                <td>
                  <div className="button-row">
                    {MODES.map((mode) => (
                      <button
                        key={mode}
                        type="button"
                        data-monitor-mode={mode}
                        aria-pressed={monitoring?.callId === a.callId && monitoring.mode === mode}
                        onClick={() => {
                          onMonitor(a.callId, mode);
                        }}
                      >
                        {t(`seat.supervisor.${mode}`)}
                      </button>
                    ))}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
