import type {
  CallInfo,
  ClientSettings,
  SettingsView,
  SoftphoneCall,
  SoftphoneEventData,
  SoftphoneEventName,
  SoftphoneSnapshot,
} from '../../protocol/index.js';
import { SOFTPHONE_COMMANDS } from '../../protocol/index.js';
import type { SoftphoneHost, TimerPort } from '../app/ports.js';
import { DEFAULT_SETTINGS } from '../settings/settings-document.js';
import type { NativeWindow, NativeWindowFactory } from '../ringing/ringing-window-stack.js';
import type { DialRequest } from '../shell/deep-link.js';
import type { Rect } from '../windows/window-options.js';

/** Test doubles of the main-process ports: plain objects that record what they were asked. */

export const ME = 'bob';

export function snapshot(overrides: Partial<SoftphoneSnapshot> = {}): SoftphoneSnapshot {
  return {
    connection: 'connected',
    account: { userId: ME, displayName: 'Bob', serverUrl: 'ws://127.0.0.1:8480' },
    status: 'available',
    calls: [],
    missedUnread: 0,
    presence: [],
    dialRequest: null,
    ...overrides,
  };
}

export function callInfo(callId: string, media: 'audio' | 'video' = 'audio'): CallInfo {
  return {
    callId,
    callerId: 'alice',
    callerDevice: 'dev-a',
    moderatorId: 'alice',
    media,
    state: 'ringing',
    createdAt: 1_000,
    callerMuted: { audio: false, video: false },
    legs: [
      {
        userId: ME,
        state: 'ringing',
        invitedBy: 'alice',
        invitedAt: 1_000,
        expiresAt: 61_000,
        muted: { audio: false, video: false },
      },
    ],
  };
}

export function incoming(
  callId: string,
  state: SoftphoneCall['state'] = 'ringing',
  extra: Partial<SoftphoneCall> = {},
): SoftphoneCall {
  return {
    callId,
    direction: 'incoming',
    state,
    waiting: false,
    localMedia: 'audio',
    info: callInfo(callId, extra.localMedia ?? 'audio'),
    ...extra,
  };
}

export function outgoing(callId: string, state: SoftphoneCall['state']): SoftphoneCall {
  return { callId, direction: 'outgoing', state, waiting: false, localMedia: 'audio' };
}

/** Manual timers: `advance(ms)` runs what is due. */
export class FakeTimers implements TimerPort {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void; every?: number }>();

  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, fn });
    return id;
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + ms, fn, every: ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  clearInterval(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get active(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.time = timer.at;
      if (timer.every !== undefined) timer.at += timer.every;
      else this.pending.delete(id);
      timer.fn();
    }
    this.time = end;
  }
}

/** A softphone that records commands and lets the test push snapshots. */
export class FakeSoftphone {
  readonly shell = 'electron' as const;
  current: SoftphoneSnapshot = snapshot();
  readonly commands: { command: string; args: unknown }[] = [];
  readonly dialRequests: DialRequest[] = [];
  closed = false;
  /** `reconnectNow` calls (wake, unlock, network up). */
  reconnects = 0;
  settingsView: SettingsView = { settings: structuredClone(DEFAULT_SETTINGS), locked: [] };
  /** Commands that never answer (a dead connection). */
  hang = false;
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();

  push(next: SoftphoneSnapshot): void {
    this.current = next;
    this.emit('snapshot', next);
  }
  emit<E extends SoftphoneEventName>(event: E, data: SoftphoneEventData<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(data);
  }
  on<E extends SoftphoneEventName>(
    event: E,
    listener: (data: SoftphoneEventData<E>) => void,
  ): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }
  requestDial(request: DialRequest): void {
    this.dialRequests.push(request);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  reconnectNow(): void {
    this.reconnects += 1;
  }
  asHost(): SoftphoneHost {
    const host = this as unknown as Record<string, unknown>;
    for (const command of SOFTPHONE_COMMANDS) {
      if (command === 'getSnapshot') {
        host[command] = () => Promise.resolve(this.current);
        continue;
      }
      if (command === 'searchDirectory') {
        // Lookups (caller names) are not commands the tests count.
        host[command] = () => Promise.resolve([]);
        continue;
      }
      if (command === 'getSettings') {
        host[command] = () => Promise.resolve(structuredClone(this.settingsView));
        continue;
      }
      if (command === 'updateSettings') {
        host[command] = (patch: Partial<ClientSettings>) => {
          this.settingsView = {
            ...this.settingsView,
            settings: { ...this.settingsView.settings, ...patch },
          };
          return Promise.resolve(structuredClone(this.settingsView));
        };
        continue;
      }
      host[command] = (args: unknown) => {
        this.commands.push({ command, args });
        if (this.hang) return new Promise(() => undefined);
        return Promise.resolve(command === 'call' ? { callId: 'new-call-1' } : null);
      };
    }
    return this as unknown as SoftphoneHost;
  }
}

/** Records opened/closed handles per key. */
export class HandleLog {
  readonly opened: string[] = [];
  readonly closed: string[] = [];
  /** `setAudible` calls, as `<key>:on` / `<key>:off` (ringing windows). */
  readonly audible: string[] = [];
  handle(key: string): { close(): void; stop(): void; setAudible(on: boolean): void } {
    this.opened.push(key);
    const done = (): void => {
      this.closed.push(key);
    };
    const setAudible = (on: boolean): void => {
      this.audible.push(`${key}:${on ? 'on' : 'off'}`);
    };
    return { close: done, stop: done, setAudible };
  }
  get open(): string[] {
    const open = [...this.opened];
    for (const c of this.closed) open.splice(open.indexOf(c), 1);
    return open;
  }
}

/** `powerMonitor`: the test emits its events; `shutdown` records whether it was delayed. */
export class FakePowerMonitor {
  private readonly listeners = new Map<string, Set<(event?: { preventDefault(): void }) => void>>();
  delayed = 0;
  on(event: string, listener: (event?: { preventDefault(): void }) => void): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
  }
  removeListener(event: string, listener: (event?: { preventDefault(): void }) => void): void {
    this.listeners.get(event)?.delete(listener);
  }
  emit(event: string): void {
    const e = {
      preventDefault: () => {
        this.delayed += 1;
      },
    };
    for (const l of this.listeners.get(event) ?? []) l(e);
  }
  get listening(): number {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}

/**
 * A BrowserWindow as the ringing stack sees it, with real state: destroyed or not, where it is,
 * what it shows. Destroying it (or the user closing it) emits `closed`, as Electron does.
 */
export class FakeNativeWindow implements NativeWindow {
  destroyed = false;
  private readonly closedListeners: (() => void)[] = [];
  private readonly goneListeners: ((reason: string) => void)[] = [];
  constructor(
    public bounds: Rect,
    public route: string,
  ) {}
  setBounds(bounds: Rect): void {
    if (this.destroyed) throw new Error('setBounds on a destroyed window');
    this.bounds = bounds;
  }
  destroy(): void {
    if (this.destroyed) throw new Error('destroy on a destroyed window');
    this.destroyed = true;
    for (const l of this.closedListeners) l();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  navigate(route: string): void {
    if (this.destroyed) throw new Error('navigate on a destroyed window');
    this.route = route;
  }
  onClosed(listener: () => void): void {
    this.closedListeners.push(listener);
  }
  onRendererGone(listener: (reason: string) => void): void {
    this.goneListeners.push(listener);
  }
  /** Its renderer process dies (the window itself stays, blank). */
  crash(reason = 'crashed'): void {
    for (const l of this.goneListeners) l(reason);
  }
  /** The user closes it (Cmd+W, Alt+F4): the same `closed`, not through our `close()`. */
  userClose(): void {
    this.destroy();
  }
  get callId(): string {
    return decodeURIComponent(/^\/ringing\/([^?]*)/.exec(this.route)?.[1] ?? '');
  }
  get audible(): boolean {
    return !this.route.includes('silent=1');
  }
}

/** Creates FakeNativeWindows on a 1920×1040 work area and keeps every one it made. */
export class FakeWindowFactory implements NativeWindowFactory {
  readonly windows: FakeNativeWindow[] = [];
  workArea(): Rect {
    return { x: 0, y: 0, width: 1920, height: 1040 };
  }
  create(bounds: Rect, route: string): FakeNativeWindow {
    const window = new FakeNativeWindow(bounds, route);
    this.windows.push(window);
    return window;
  }
  /** Call ids of the windows still on screen. */
  get open(): string[] {
    return this.windows.filter((w) => !w.destroyed).map((w) => w.callId);
  }
  window(callId: string): FakeNativeWindow | undefined {
    return this.windows.findLast((w) => w.callId === callId && !w.destroyed);
  }
}

/**
 * The OS's scheme → handler table as `app.setAsDefaultProtocolClient` and friends change it, and
 * the claim record file, so tests can let "another app" take a scheme over between starts.
 */
export class FakeProtocolRegistry {
  readonly handlers = new Map<string, string>();
  claims = 0;
  stored: unknown = undefined;
  port(app = 'trayphone') {
    return {
      isDefault: (scheme: string) => this.handlers.get(scheme) === app,
      claim: (scheme: string) => {
        this.claims += 1;
        this.handlers.set(scheme, app);
        return true;
      },
      release: (scheme: string) => {
        if (this.handlers.get(scheme) === app) this.handlers.delete(scheme);
        return true;
      },
    };
  }
  record() {
    return {
      read: () => this.stored,
      write: (schemes: readonly string[]) => {
        this.stored = structuredClone([...schemes]);
      },
    };
  }
}
