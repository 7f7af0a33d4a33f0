import type { SoftphoneCall, SoftphoneSnapshot } from '../../protocol/index.js';
import { MISSED_END_REASONS } from '../../core/calls/missed.js';
import type { MainWindowPort, TimerPort } from '../app/ports.js';
import { type Log, forCall } from '../log/log.js';
import type { ToastAction } from '../notifications/toast-actions.js';
import { ringingHere } from '../tray/tray-model.js';

/**
 * Everything that happens on this device while an invitation rings: the small always-on-top
 * ringing window and the native notification. The ringtone is played by the ringing window's
 * renderer (renderer/screens/Incoming.tsx, on the chosen ringing device via setSinkId), so it
 * lives and dies with the window. One ringtone at a time: with two invitations ringing, the
 * window of the first rings audibly and later ones show silently (their URL says `?silent=1`).
 * The first, because it is already sounding: switching to the newest would cut a ring short and
 * leave the user unsure which window makes the sound. When the audible one stops ringing, the
 * oldest window still ringing takes the sound over, so no invitation is left ringing unheard.
 * It is driven by snapshots, not by
 * individual events: on every snapshot, whatever rings here has its surfaces, and whatever does
 * not ring any more (accepted, declined, canceled, answered or refused elsewhere, timed out,
 * signed out, or gone after a resync) loses them at once. So no ending can be forgotten.
 */

export interface Closable {
  close(): void;
}

export interface RingingWindow extends Closable {
  /** Switches the window's ringtone on or off (the renderer reads it from its URL). */
  setAudible(audible: boolean): void;
}

/**
 * The renderer route of a ringing window: `/ringing/<callId>`, with `?silent=1` for a window that
 * shows without sound (renderer/app/route.ts reads it).
 */
export const ringingRoute = (callId: string, audible: boolean): string =>
  `/ringing/${encodeURIComponent(callId)}${audible ? '' : '?silent=1'}`;

/** The ringing window: frameless, always on top, shown without taking focus. */
export interface RingingWindowPort {
  /**
   * `audible`: whether this window plays the ringtone (only one does at a time).
   * `onClosedByUser`: the user closed the window (not us closing it).
   */
  open(callId: string, audible: boolean, onClosedByUser?: () => void): RingingWindow;
}

export interface NotificationSpec {
  kind: 'incoming' | 'missed';
  callId: string;
  title: string;
  body: string;
  /** Incoming notifications are silent: the ringing window's ringtone is the sound. */
  silent: boolean;
  onClick: () => void;
  /** Buttons (Answer / Decline on an invitation), shown where the platform has them. */
  actions?: ToastAction[];
}

export interface NotifierPort {
  show(spec: NotificationSpec): Closable;
}

/** After the ring timeout the server ends the invitation; this is how long we wait beyond it. */
export const RING_WATCHDOG_GRACE_MS = 10_000;
/** Bound for an invitation whose own timeout we cannot see. */
export const RING_WATCHDOG_DEFAULT_MS = 120_000;

interface Ring {
  /** None when it rang quietly (the desktop's do-not-disturb): notification and tray only. */
  window: RingingWindow | undefined;
  /**
   * The user closed its window, or it rang quietly: silent on this device (never handed the
   * ringtone), still answerable from tray or toast.
   */
  silenced?: boolean;
  /** Absent while the caller's display name is being looked up. */
  notification?: Closable;
  watchdog: unknown;
}

export interface RingingDeps {
  windows: RingingWindowPort;
  notifier: NotifierPort;
  mainWindow: Pick<MainWindowPort, 'show' | 'openView'>;
  timers: TimerPort;
  log: Log;
  /** Answers or declines this call (the notification's buttons); without it, no buttons. */
  callAction?: (action: 'answer' | 'decline', callId: string) => void;
  /** The caller's display name (directory lookup); without it the notification shows the id. */
  lookupName?: (userId: string) => Promise<string | undefined>;
  /**
   * Read as an invitation starts ringing: true rings it quietly, with no ringing window (so no
   * ringtone), only the notification and the tray (the desktop's do-not-disturb, followed on
   * opt-in: power/os-do-not-disturb.ts). It stays quiet until it ends, even if the mode ends.
   */
  quiet?: () => boolean;
}

/** How long the notification waits for the caller's display name before showing the id. */
export const NAME_LOOKUP_WAIT_MS = 500;

const callerOf = (call: SoftphoneCall): string => call.info?.callerId ?? 'Unknown caller';

export class RingingCoordinator {
  private readonly rings = new Map<string, Ring>();
  /** Calls whose watchdog fired: not rung again even if a stale snapshot still says ringing. */
  private readonly expired = new Set<string>();
  /** The call whose window plays the ringtone; the others ring silently. */
  private audible: string | undefined;

  constructor(private readonly deps: RingingDeps) {}

  /** Call ids with open ringing surfaces. */
  ringing(): string[] {
    return [...this.rings.keys()];
  }

  /** The call whose ringing window plays the ringtone, if any rings. */
  audibleCall(): string | undefined {
    return this.audible;
  }

  update(snapshot: SoftphoneSnapshot): void {
    const online = snapshot.connection !== 'signed-out' && snapshot.connection !== 'failed';
    const ringingNow = online
      ? ringingHere(snapshot.calls).filter((c) => !this.expired.has(c.callId))
      : [];
    const ids = new Set(ringingNow.map((c) => c.callId));
    for (const callId of [...this.rings.keys()]) {
      if (ids.has(callId)) continue;
      const call = snapshot.calls.find((c) => c.callId === callId);
      this.stopRinging(
        callId,
        call,
        online ? 'invitation over' : `connection ${snapshot.connection}`,
      );
    }
    for (const call of ringingNow) {
      if (!this.rings.has(call.callId)) this.startRinging(call, snapshot);
    }
  }

  /** Closes every surface (quit). */
  dispose(): void {
    for (const callId of [...this.rings.keys()]) this.stopRinging(callId, undefined, 'shutdown');
  }

  private startRinging(call: SoftphoneCall, snapshot: SoftphoneSnapshot): void {
    const log = forCall(this.deps.log, call.callId);
    const media = call.info?.media ?? call.localMedia;
    const quiet = this.deps.quiet?.() === true;
    const audible = !quiet && this.audible === undefined;
    if (audible) this.audible = call.callId;
    const callAction = this.deps.callAction;
    const window = quiet
      ? undefined
      : this.deps.windows.open(call.callId, audible, () => {
          this.closedByUser(call.callId);
        });
    const notify = (caller: string): Closable =>
      this.deps.notifier.show({
        kind: 'incoming',
        callId: call.callId,
        title: media === 'video' ? 'Incoming video call' : 'Incoming audio call',
        body: call.waiting ? `${caller} (call waiting)` : caller,
        silent: true,
        onClick: () => {
          this.deps.mainWindow.show();
        },
        ...(callAction
          ? {
              actions: [
                {
                  label: 'Answer',
                  run: () => {
                    callAction('answer', call.callId);
                  },
                },
                {
                  label: 'Decline',
                  run: () => {
                    callAction('decline', call.callId);
                  },
                },
              ],
            }
          : {}),
      });
    const watchdog = this.deps.timers.setTimeout(
      () => {
        log.warn({}, 'ringing outlived its invitation timeout: surfaces closed');
        this.expired.add(call.callId);
        this.stopRinging(call.callId, undefined, 'watchdog');
      },
      this.watchdogDelay(call, snapshot),
    );
    const ring: Ring = { window, watchdog, ...(quiet ? { silenced: true } : {}) };
    this.rings.set(call.callId, ring);
    log.info(
      { media, waiting: call.waiting, caller: callerOf(call), audible },
      quiet
        ? 'ringing quietly (desktop do-not-disturb): notification only'
        : 'ringing: window shown',
    );
    const callerId = call.info?.callerId;
    const known = callerId === undefined ? callerOf(call) : this.names.get(callerId);
    if (known !== undefined || callerId === undefined || !this.deps.lookupName) {
      ring.notification = notify(known ?? callerOf(call));
      return;
    }
    // A name helps more than the id; the ringing window is already up, so waiting briefly is ok.
    void this.nameOf(callerId).then((name) => {
      if (this.rings.get(call.callId) !== ring) return; // the ring ended meanwhile
      ring.notification = notify(name ?? callerId);
    });
  }

  /**
   * The user closed a ringing window (Cmd+W, Alt+F4, the window manager): as a softphone user
   * expects, that silences this device and is not a decline. The invitation keeps ringing on the
   * user's other devices, and here it stays answerable from the notification, the tray and the
   * hotkeys until it ends; its window is not opened again. Its ringtone died with the window, so
   * the next window still ringing takes the ringtone over (or nothing rings).
   */
  private closedByUser(callId: string): void {
    const ring = this.rings.get(callId);
    if (!ring || ring.silenced) return;
    ring.silenced = true;
    forCall(this.deps.log, callId).info({}, 'ringing window closed by the user: silenced here');
    if (this.audible === callId) this.handOverRingtone(callId);
  }

  /** The oldest window still ringing (and not silenced) takes the ringtone over. */
  private handOverRingtone(from: string): void {
    const next = [...this.rings].find(([id, ring]) => id !== from && ring.silenced !== true);
    this.audible = next?.[0];
    if (!next) return;
    next[1].window?.setAudible(true);
    forCall(this.deps.log, next[0]).info({ after: from }, 'ringing: ringtone handed over');
  }

  private readonly names = new Map<string, string>();

  private nameOf(userId: string): Promise<string | undefined> {
    const lookup = this.deps.lookupName;
    if (!lookup) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = this.deps.timers.setTimeout(() => {
        resolve(undefined);
      }, NAME_LOOKUP_WAIT_MS);
      lookup(userId).then(
        (name) => {
          this.deps.timers.clearTimeout(timer);
          if (name !== undefined && name !== '') this.names.set(userId, name);
          resolve(name);
        },
        () => {
          this.deps.timers.clearTimeout(timer);
          resolve(undefined);
        },
      );
    });
  }

  /** How long this invitation may ring: its own ring duration (skew-free) plus a grace. */
  private watchdogDelay(call: SoftphoneCall, snapshot: SoftphoneSnapshot): number {
    const me = snapshot.account?.userId;
    const leg = call.info?.legs.find((l) => l.userId === me);
    if (!leg) return RING_WATCHDOG_DEFAULT_MS;
    return Math.max(0, leg.expiresAt - leg.invitedAt) + RING_WATCHDOG_GRACE_MS;
  }

  private stopRinging(callId: string, call: SoftphoneCall | undefined, why: string): void {
    const ring = this.rings.get(callId);
    if (!ring) return;
    this.rings.delete(callId);
    this.deps.timers.clearTimeout(ring.watchdog);
    ring.window?.close();
    ring.notification?.close();
    const log = forCall(this.deps.log, callId);
    if (this.audible === callId) this.handOverRingtone(callId);
    log.info(
      { why, state: call?.state, endReason: call?.endReason },
      'ringing over: surfaces closed',
    );
    if (!call) return;
    if (call.state === 'answering' || call.state === 'active') {
      // Answered from the ringing window, the notification or a hotkey: show the call.
      this.deps.mainWindow.show();
    } else if (
      call.state === 'ended' &&
      call.endReason !== undefined &&
      MISSED_END_REASONS.has(call.endReason)
    ) {
      log.info({ endReason: call.endReason }, 'missed call: notification left');
      this.deps.notifier.show({
        kind: 'missed',
        callId,
        title: 'Missed call',
        body: this.names.get(call.info?.callerId ?? '') ?? callerOf(call),
        silent: false,
        onClick: () => {
          this.deps.mainWindow.show();
          this.deps.mainWindow.openView('history');
        },
      });
    }
  }
}
