import type { ClientSettings, SoftphoneSnapshot } from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import { callsInProgress, ringingHere } from '../tray/tray-model.js';

export type HotkeyAction = keyof ClientSettings['hotkeys'];

/** What a hotkey does given the current calls (undefined: nothing to act on). */
export type HotkeyCommand =
  | { command: 'accept'; callId: string; media: 'audio' | 'video' }
  | { command: 'decline'; callId: string }
  | { command: 'hangup'; callId: string }
  | { command: 'cancel'; callId: string }
  /** The renderer owns the microphone: main only tells it to toggle. */
  | { command: 'mute-toggle' };

/**
 * The newest invitation ringing here is the one a hotkey answers or declines. With `callId` (a
 * tray item, a notification button) only that call is acted on, and only if it is still in a
 * state the action fits: a stale menu never answers somebody else.
 */
export function hotkeyCommand(
  action: HotkeyAction,
  snapshot: SoftphoneSnapshot,
  callId?: string,
): HotkeyCommand | undefined {
  const mine = (c: { callId: string }): boolean => callId === undefined || c.callId === callId;
  const ringing = ringingHere(snapshot.calls).filter(mine).at(-1);
  const inProgress = callsInProgress(snapshot.calls).filter(mine);
  switch (action) {
    case 'answer':
      return ringing
        ? { command: 'accept', callId: ringing.callId, media: ringing.info?.media ?? 'audio' }
        : undefined;
    case 'decline':
      return ringing ? { command: 'decline', callId: ringing.callId } : undefined;
    case 'hangup': {
      const active = inProgress.find((c) => c.state === 'active' || c.state === 'answering');
      if (active) return { command: 'hangup', callId: active.callId };
      const outgoing = inProgress.find((c) => c.state === 'dialing' || c.state === 'ringback');
      return outgoing ? { command: 'cancel', callId: outgoing.callId } : undefined;
    }
    case 'mute':
      return inProgress.some((c) => c.state === 'active') ? { command: 'mute-toggle' } : undefined;
  }
}

/** Electron's globalShortcut. `register` returns false (or throws) for taken or invalid keys. */
export interface GlobalShortcutPort {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

/**
 * Keeps the global shortcuts in line with settings: re-registers only what changed, and reports
 * (rather than throws on) accelerators the OS refused or that do not parse.
 */
export class HotkeyRegistry {
  private registered = new Map<HotkeyAction, string>();

  constructor(
    private readonly shortcuts: GlobalShortcutPort,
    private readonly onAction: (action: HotkeyAction) => void,
    private readonly log: Log,
  ) {}

  /** Returns the actions whose accelerator could not be registered. */
  apply(hotkeys: ClientSettings['hotkeys']): HotkeyAction[] {
    const failed: HotkeyAction[] = [];
    for (const [action, accelerator] of this.registered) {
      if (hotkeys[action] !== accelerator) {
        this.shortcuts.unregister(accelerator);
        this.registered.delete(action);
      }
    }
    for (const action of Object.keys(hotkeys) as HotkeyAction[]) {
      const accelerator = hotkeys[action].trim();
      if (accelerator === '' || this.registered.get(action) === accelerator) continue;
      let ok = false;
      try {
        ok = this.shortcuts.register(accelerator, () => {
          this.onAction(action);
        });
      } catch (error) {
        this.log.warn({ action, accelerator, err: error }, 'hotkey does not parse');
      }
      if (ok) this.registered.set(action, accelerator);
      else {
        failed.push(action);
        this.log.warn({ action, accelerator }, 'hotkey not registered (taken or invalid)');
      }
    }
    return failed;
  }

  clear(): void {
    for (const accelerator of this.registered.values()) this.shortcuts.unregister(accelerator);
    this.registered.clear();
  }
}
