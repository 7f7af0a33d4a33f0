import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { callViews } from '../call/call-view.js';
import { ConnectionIndicator, OfflineBanner } from '../components/ConnectionIndicator.js';
import { HeaderMenu } from '../components/HeaderMenu.js';
import { StatusControl } from '../components/StatusControl.js';
import { SourcePicker } from '../components/SourcePicker.js';
import { Toasts } from '../components/Toasts.js';
import { Contacts } from '../screens/Contacts.js';
import { Dialer } from '../screens/Dialer.js';
import { History } from '../screens/History.js';
import { IncomingCall, RingingWindow } from '../screens/Incoming.js';
import { EndedSummary, OutgoingCall } from '../screens/Outgoing.js';
import { ElsewhereCall } from '../screens/Elsewhere.js';
import { Settings } from '../screens/Settings.js';
import { SignIn } from '../screens/SignIn.js';
import { CallToasts } from '../in-call/CallToasts.js';
import { AgentConsole } from '../agent/AgentConsole.js';
import { useNow } from '../agent/use-now.js';
import { SupervisorView, useSupervisedQueueNames } from '../supervisor/SupervisorView.js';
import { useApi, useSigningIn, useSnapshot } from './api-context.js';
import { CallBarSlot, CallBarSlotProvider } from './call-bar-slot.js';
import { useFocusCallBarOnConnect, useIncomingShortcut } from './incoming-focus.js';
import { useShellOpenView } from './desktop-shell.js';
import { useHeadset } from '../headset/use-headset.js';
import { useRetryWhenBack } from './reconnect.js';
import { audibleIncoming, routeHash, TABS, useRoute, type Tab } from './route.js';

// mediasoup-client and the whole call view load only when a call has media.
const InCall = lazy(() => import('../in-call/InCall.js'));

const SCREENS: Record<Tab, () => React.JSX.Element> = {
  contacts: Contacts,
  dialer: Dialer,
  history: History,
  settings: Settings,
  agent: AgentConsole,
  supervisor: SupervisorView,
};

export function App() {
  const { t } = useTranslation();
  const snapshot = useSnapshot();
  const route = useRoute();
  const [signingIn] = useSigningIn();
  // Desktop: the tray opens a view (Missed calls → history).
  useShellOpenView();
  if (!snapshot)
    return (
      <p className="loading" role="status">
        {t('app.loading')}
      </p>
    );
  if (route.name === 'ringing') return <Ringing callId={route.callId} silent={route.silent} />;
  if (
    signingIn ||
    !snapshot.account ||
    snapshot.connection === 'signed-out' ||
    snapshot.connection === 'failed'
  )
    return <SignIn sessionFailed={!signingIn && snapshot.connection === 'failed'} />;
  return (
    <CallBarSlotProvider>
      <Shell tab={route.name} />
    </CallBarSlotProvider>
  );
}

function Ringing({ callId, silent }: { callId: string; silent: boolean }) {
  useIncomingShortcut();
  return <RingingWindow callId={callId} silent={silent} />;
}

function Shell({ tab }: { tab: Tab }) {
  const { t } = useTranslation();
  const api = useApi();
  const snapshot = useSnapshot();
  const hasEnded = snapshot?.calls.some((c) => c.state === 'ended') ?? false;
  const now = useNow(hasEnded);
  const [dismissed, setDismissed] = useState<string>();
  const supervised = useSupervisedQueueNames();
  const connected = snapshot ? callViews(snapshot, now).active : undefined;
  useIncomingShortcut();
  useRetryWhenBack(api, snapshot?.connection ?? 'signed-out');
  useFocusCallBarOnConnect(connected?.state === 'active' ? connected.callId : undefined);
  // USB headset call buttons and LEDs, in the signed-in main window only (not ringing windows).
  useHeadset();
  if (!snapshot?.account) return null;
  // Seat calling tabs only for agents (an agent state exists) and supervisors (of some queue).
  const shown = (name: Tab) =>
    name === 'agent'
      ? snapshot.agentState !== undefined
      : name !== 'supervisor' || (supervised?.length ?? 0) > 0;
  const { account, connection, missedUnread } = snapshot;
  const views = callViews(snapshot, now);
  // A call that connected and was hung up needs no summary; one that never connected does.
  const ended =
    views.ended?.callId === dismissed || views.ended?.endReason === 'completed'
      ? undefined
      : views.ended;
  const Screen = SCREENS[tab];
  // Electron rings in its own window; the main window shows the call but stays quiet.
  const ring = api.shell === 'browser';

  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="top-bar">
        <h1 className="brand">{t('app.name')}</h1>
        <StatusControl status={snapshot.status} disabled={connection !== 'connected'} />
        <ConnectionIndicator connection={connection} />
        <HeaderMenu displayName={account.displayName} userId={account.userId} />
      </header>
      <OfflineBanner
        connection={connection}
        nextAttemptAt={snapshot.nextAttemptAt}
        onReconnect={() => void api.retryConnection({}).catch(() => undefined)}
      />
      {!views.active && (
        <nav className="tabs" aria-label={t('nav.label')}>
          {TABS.filter(shown).map((name) => (
            <a
              key={name}
              href={routeHash(name)}
              aria-current={tab === name ? 'page' : undefined}
              data-tab={name}
            >
              {t(`nav.${name}`)}
              {name === 'history' && missedUnread > 0 && (
                <span
                  className="badge"
                  data-testid="missed-badge"
                  aria-label={t('nav.missedBadge', { count: missedUnread })}
                >
                  {missedUnread}
                </span>
              )}
            </a>
          ))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        <div className="call-area">
          {views.incoming.map((call) => (
            <IncomingCall
              key={call.callId}
              call={call}
              ring={ring && call.callId === audibleIncoming(views.incoming)}
            />
          ))}
          {views.outgoing && <OutgoingCall call={views.outgoing} />}
          {views.elsewhere && !views.active && (
            <ElsewhereCall
              key={views.elsewhere.callId}
              call={views.elsewhere}
              me={account.userId}
            />
          )}
          {ended && !views.active && !views.outgoing && (
            <EndedSummary
              call={ended}
              onDismiss={() => {
                setDismissed(ended.callId);
              }}
            />
          )}
        </div>
        {views.active ? (
          views.active.state === 'active' ? (
            <Suspense
              fallback={
                <p className="hint" role="status">
                  {t('inCall.loading')}
                </p>
              }
            >
              <InCall key={views.active.callId} call={views.active} me={account.userId} />
            </Suspense>
          ) : (
            <p className="hint" role="status">
              {t('inCall.loading')}
            </p>
          )
        ) : (
          <Screen />
        )}
      </main>
      <CallBarSlot label={t('shell.callBar')} />
      <Toasts />
      <CallToasts
        summaryCallId={ended && !views.active && !views.outgoing ? ended.callId : undefined}
      />
      <SourcePicker />
    </div>
  );
}
