import type { ClientSettings, HotkeyStatus, SoftphoneSnapshot } from '../../protocol/index.js';
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

/**
 * The hotkeys that have something to act on now: answer/decline while a call rings here,
 * hang-up/mute while one is in progress. Only these are held system-wide; the others are left
 * to the rest of the desktop.
 */
export function activeHotkeys(snapshot: SoftphoneSnapshot | undefined): Set<HotkeyAction> {
  const active = new Set<HotkeyAction>();
  if (!snapshot) return active;
  for (const action of HOTKEY_ACTIONS) {
    if (hotkeyCommand(action, snapshot)) active.add(action);
  }
  return active;
}

export const HOTKEY_ACTIONS: readonly HotkeyAction[] = ['answer', 'decline', 'hangup', 'mute'];

/** Electron's globalShortcut. `register` returns false (or throws) for taken or invalid keys. */
export interface GlobalShortcutPort {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

/**
 * Holds exactly the global shortcuts that have something to do (`activeHotkeys`), in line with
 * settings. A new accelerator is tried at once (registered and let go) so that the settings
 * screen shows a refused key before the first call, not during it. Failures are reported in
 * `status()` (and to `onStatus`), never thrown.
 */
export class HotkeyRegistry {
  private registered = new Map<HotkeyAction, string>();
  private configured: ClientSettings['hotkeys'] | undefined;
  private active = new Set<HotkeyAction>();
  private readonly failed = new Set<HotkeyAction>();
  private lastStatus = '';

  constructor(
    private readonly shortcuts: GlobalShortcutPort,
    private readonly onAction: (action: HotkeyAction) => void,
    private readonly log: Log,
    private readonly onStatus: (status: HotkeyStatus) => void = () => undefined,
    private readonly wayland = false,
  ) {}

  /** New settings: checks each changed accelerator, then holds what is active. */
  configure(hotkeys: ClientSettings['hotkeys']): HotkeyAction[] {
    const before = this.configured;
    this.configured = { ...hotkeys };
    for (const action of HOTKEY_ACTIONS) {
      const accelerator = hotkeys[action].trim();
      if (before && before[action].trim() === accelerator) continue;
      const held = this.registered.get(action);
      if (held !== undefined) {
        this.shortcuts.unregister(held);
        this.registered.delete(action);
      }
      this.failed.delete(action);
      if (accelerator === '' || this.active.has(action)) continue;
      // Tried now (and let go): a refused key shows in settings before the first call.
      if (this.tryRegister(action, accelerator)) this.shortcuts.unregister(accelerator);
    }
    this.sync();
    return HOTKEY_ACTIONS.filter((a) => this.failed.has(a));
  }

  /**
   * The calls changed: holds exactly `actions` (of those configured). A refused key is tried
   * again when it becomes active again (the other app may have let it go), not on every snapshot.
   */
  activate(actions: ReadonlySet<HotkeyAction>): void {
    const same = actions.size === this.active.size && [...actions].every((a) => this.active.has(a));
    if (same) return;
    this.active = new Set(actions);
    this.sync();
  }

  status(): HotkeyStatus {
    const entry = (action: HotkeyAction): HotkeyStatus[HotkeyAction] => {
      const accelerator = this.configured?.[action].trim() ?? '';
      const state =
        accelerator === ''
          ? 'unset'
          : this.failed.has(action)
            ? 'failed'
            : this.registered.has(action)
              ? 'registered'
              : 'idle';
      return { accelerator, state };
    };
    return {
      answer: entry('answer'),
      decline: entry('decline'),
      hangup: entry('hangup'),
      mute: entry('mute'),
      wayland: this.wayland,
    };
  }

  clear(): void {
    for (const accelerator of this.registered.values()) this.shortcuts.unregister(accelerator);
    this.registered.clear();
    this.active.clear();
  }

  private sync(): void {
    const hotkeys = this.configured;
    if (hotkeys) {
      for (const [action, accelerator] of [...this.registered]) {
        if (this.active.has(action)) continue;
        this.shortcuts.unregister(accelerator);
        this.registered.delete(action);
      }
      for (const action of this.active) {
        const accelerator = hotkeys[action].trim();
        if (accelerator === '' || this.registered.has(action)) continue;
        if (this.tryRegister(action, accelerator)) this.registered.set(action, accelerator);
      }
    }
    const status = this.status();
    const key = JSON.stringify(status);
    if (key !== this.lastStatus) {
      this.lastStatus = key;
      this.onStatus(status);
    }
  }

  private tryRegister(action: HotkeyAction, accelerator: string): boolean {
    let ok = false;
    try {
      ok = this.shortcuts.register(accelerator, () => {
        this.onAction(action);
      });
    } catch (error) {
      this.log.warn({ action, accelerator, err: error }, 'hotkey does not parse');
    }
    if (ok) this.failed.delete(action);
    else {
      this.failed.add(action);
      this.log.warn({ action, accelerator }, 'hotkey not registered (taken or invalid)');
    }
    return ok;
  }
}
