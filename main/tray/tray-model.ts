import type {
  AgentStatus,
  ClientSettings,
  PresenceStatus,
  SoftphoneCall,
  SoftphoneSnapshot,
} from '../../protocol/index.js';

/**
 * What the tray shows, computed from the softphone snapshot alone: the icon for the state, the
 * tooltip and (macOS) title with the missed-call count, the badge count, and the menu as data.
 * The Electron adapter only turns this into `Tray` / `Menu` calls.
 */
export type TrayState = PresenceStatus | 'offline' | 'reconnecting' | 'ringing' | 'in-call';

/** Icon files in resources/tray/ (`<name>-16.png`, `<name>-32.png`). */
export type BaseTrayIcon =
  'available' | 'away' | 'busy' | 'dnd' | 'offline' | 'ringing' | 'ringing-dim' | 'in-call';

/**
 * The icons that show the missed-call count as a badge (Windows shows no count anywhere else but
 * the tooltip): every icon but the flashing ringing pair, which has the user's attention already.
 */
export const BADGED_TRAY_ICONS = [
  'available',
  'away',
  'busy',
  'dnd',
  'offline',
  'in-call',
] as const;
/** The badge's texts: 1 to 9, then "9+". */
export const MISSED_BADGES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '9plus'] as const;
export type MissedBadge = (typeof MISSED_BADGES)[number];
export type TrayIcon = BaseTrayIcon | `${BadgedTrayIcon}-missed-${MissedBadge}`;

export const missedBadge = (count: number): MissedBadge | undefined =>
  count <= 0 ? undefined : count > 9 ? '9plus' : MISSED_BADGES[count - 1];

type BadgedTrayIcon = (typeof BADGED_TRAY_ICONS)[number];
const isBadged = (icon: BaseTrayIcon): icon is BadgedTrayIcon =>
  (BADGED_TRAY_ICONS as readonly BaseTrayIcon[]).includes(icon);

/** The state's icon, with the missed-call badge when there is one to show. */
export function trayIcon(base: BaseTrayIcon, missed: number): TrayIcon {
  const badge = missedBadge(missed);
  return badge !== undefined && isBadged(base) ? `${base}-missed-${badge}` : base;
}

export type TrayAction =
  | 'open'
  | 'answer'
  | 'decline'
  | 'hangup'
  | 'missed'
  /** Opens the folder of main's logs (and the crash dumps' parent): what support asks for. */
  | 'logs'
  | 'quit'
  | `status:${PresenceStatus}`
  /** Seat calling: the agent's own status (a break from the tray has the reason `break`). */
  | 'agent:available'
  | 'agent:break';

export type TrayMenuItem =
  | {
      kind: 'item';
      action: TrayAction;
      label: string;
      enabled: boolean;
      /** The call an answer / decline / hang-up item acts on (never "the newest one"). */
      callId?: string;
    }
  | { kind: 'radio'; action: TrayAction; label: string; checked: boolean; enabled: boolean }
  | { kind: 'separator' };

export interface TrayModel {
  state: TrayState;
  icon: TrayIcon;
  tooltip: string;
  /** Text next to the icon (macOS menu bar): the missed-call count, or empty. */
  title: string;
  badgeCount: number;
  /** The icon alternates while a call rings here. */
  flashing: boolean;
  menu: TrayMenuItem[];
}

type Language = ClientSettings['language'];

const LABELS = {
  en: {
    app: 'Trayphone',
    available: 'Available',
    away: 'Away',
    busy: 'Busy',
    dnd: 'Do not disturb',
    offline: 'Signed out',
    reconnecting: 'Reconnecting…',
    ringing: 'Incoming call',
    'in-call': 'In a call',
    open: 'Open Trayphone',
    answer: 'Answer',
    decline: 'Decline',
    hangup: 'Hang up',
    missed: (n: number) => (n === 0 ? 'Missed calls' : `Missed calls (${n})`),
    missedTip: (n: number) => (n === 1 ? '1 missed call' : `${n} missed calls`),
    from: (who: string) => `Incoming call from ${who}`,
    logs: 'Open logs folder',
    quit: 'Quit',
    agent: {
      available: 'Agent: available',
      'on-call': 'Agent: on a call',
      'after-call-work': 'Agent: after-call work',
      break: 'Agent: on break',
      'logged-out': 'Agent: logged out',
    },
    agentAvailable: 'Ready for queue calls',
    agentBreak: 'Take a break',
  },
  'zh-CN': {
    app: 'Trayphone',
    available: '在线',
    away: '离开',
    busy: '忙碌',
    dnd: '请勿打扰',
    offline: '已退出登录',
    reconnecting: '正在重新连接…',
    ringing: '来电',
    'in-call': '通话中',
    open: '打开 Trayphone',
    answer: '接听',
    decline: '拒接',
    hangup: '挂断',
    missed: (n: number) => (n === 0 ? '未接来电' : `未接来电（${n}）`),
    missedTip: (n: number) => `${n} 个未接来电`,
    from: (who: string) => `${who} 来电`,
    logs: '打开日志文件夹',
    quit: '退出',
    agent: {
      available: '坐席：空闲',
      'on-call': '坐席：通话中',
      'after-call-work': '坐席：话后处理',
      break: '坐席：小休',
      'logged-out': '坐席：已签出',
    },
    agentAvailable: '置闲（接听队列来电）',
    agentBreak: '小休',
  },
} as const;

const STATUSES: PresenceStatus[] = ['available', 'away', 'busy', 'dnd'];

export const ringingHere = (calls: readonly SoftphoneCall[]): SoftphoneCall[] =>
  calls.filter((c) => c.direction === 'incoming' && c.state === 'ringing');

const IN_CALL: ReadonlySet<SoftphoneCall['state']> = new Set([
  'dialing',
  'ringback',
  'answering',
  'active',
]);
export const callsInProgress = (calls: readonly SoftphoneCall[]): SoftphoneCall[] =>
  calls.filter((c) => IN_CALL.has(c.state));

export function trayState(snapshot: SoftphoneSnapshot): TrayState {
  switch (snapshot.connection) {
    case 'signed-out':
    case 'failed':
      return 'offline';
    case 'connecting':
    case 'reconnecting':
      // A call in progress keeps its media; the tray still says the line is down.
      return 'reconnecting';
    case 'connected':
      break;
  }
  if (ringingHere(snapshot.calls).length > 0) return 'ringing';
  if (callsInProgress(snapshot.calls).length > 0) return 'in-call';
  return snapshot.status;
}

const ICONS: Record<TrayState, BaseTrayIcon> = {
  available: 'available',
  away: 'away',
  busy: 'busy',
  dnd: 'dnd',
  offline: 'offline',
  reconnecting: 'offline',
  ringing: 'ringing',
  'in-call': 'in-call',
};

/**
 * @param flashPhase the flash timer's phase: while ringing, `true` shows the dimmed icon.
 */
export function trayModel(
  snapshot: SoftphoneSnapshot,
  language: Language = 'en',
  flashPhase = false,
): TrayModel {
  const t = LABELS[language];
  const state = trayState(snapshot);
  const missed = snapshot.missedUnread;
  const ringing = ringingHere(snapshot.calls);
  const signedIn = state !== 'offline';
  const flashing = state === 'ringing';
  const icon: TrayIcon = flashing && flashPhase ? 'ringing-dim' : trayIcon(ICONS[state], missed);

  let headline: string = t[state];
  // While the line is down the tray says so, even if an invitation is still on screen.
  const first = state === 'ringing' ? ringing[0] : undefined;
  if (first) headline = t.from(first.info?.callerId ?? '?');
  const account = snapshot.account ? ` — ${snapshot.account.displayName}` : '';
  const agent = snapshot.agentState;
  const agentLine = agent ? agentHeadline(t.agent[agent.status], agent.reason) : '';
  const tooltip = [`${t.app}${account}`, headline, agentLine, missed > 0 ? t.missedTip(missed) : '']
    .filter((s) => s !== '')
    .join('\n');

  const menu: TrayMenuItem[] = [{ kind: 'item', action: 'open', label: t.open, enabled: true }];
  if (first) {
    // One answer / decline pair per ringing call, each carrying its call id: "Answer — alice"
    // must answer alice even when carol's invitation arrived after hers.
    menu.push({ kind: 'separator' });
    for (const call of ringing) {
      const who = call.info?.callerId ?? '?';
      menu.push(
        {
          kind: 'item',
          action: 'answer',
          label: `${t.answer} — ${who}`,
          enabled: true,
          callId: call.callId,
        },
        {
          kind: 'item',
          action: 'decline',
          label: ringing.length > 1 ? `${t.decline} — ${who}` : t.decline,
          enabled: true,
          callId: call.callId,
        },
      );
    }
  } else if (callsInProgress(snapshot.calls).length > 0) {
    menu.push({ kind: 'separator' });
    const live = callsInProgress(snapshot.calls);
    for (const call of live) {
      const who = call.peers?.[0]?.userId ?? call.info?.callerId;
      menu.push({
        kind: 'item',
        action: 'hangup',
        label: live.length > 1 && who !== undefined ? `${t.hangup} — ${who}` : t.hangup,
        enabled: true,
        callId: call.callId,
      });
    }
  }
  menu.push({ kind: 'separator' });
  for (const status of STATUSES) {
    menu.push({
      kind: 'radio',
      action: `status:${status}`,
      label: t[status],
      checked: signedIn && snapshot.status === status,
      enabled: signedIn,
    });
  }
  if (agent) menu.push(...agentItems(agent.status, agentLine, signedIn, t));
  menu.push(
    { kind: 'separator' },
    { kind: 'item', action: 'missed', label: t.missed(missed), enabled: true },
    { kind: 'separator' },
    { kind: 'item', action: 'logs', label: t.logs, enabled: true },
    { kind: 'item', action: 'quit', label: t.quit, enabled: true },
  );
  return {
    state,
    icon,
    tooltip,
    title: missed > 0 ? String(missed) : '',
    badgeCount: missed,
    flashing,
    menu,
  };
}

/** "Agent: on break (lunch)": the agent's status as the tray's headline for it. */
const agentHeadline = (label: string, reason: string | undefined): string =>
  reason === undefined || reason === 'break' ? label : `${label} (${reason})`;

/**
 * Seat calling: the agent's status (a disabled line) and the two changes the tray offers. The
 * server refuses a change during a call, so the items are disabled then.
 */
function agentItems(
  status: AgentStatus,
  headline: string,
  signedIn: boolean,
  t: (typeof LABELS)[Language],
): TrayMenuItem[] {
  const free = signedIn && status !== 'on-call';
  return [
    { kind: 'separator' },
    { kind: 'item', action: 'open', label: headline, enabled: false },
    {
      kind: 'radio',
      action: 'agent:available',
      label: t.agentAvailable,
      checked: signedIn && status === 'available',
      enabled: free,
    },
    {
      kind: 'radio',
      action: 'agent:break',
      label: t.agentBreak,
      checked: signedIn && status === 'break',
      enabled: free,
    },
  ];
}
