import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import type { ElectronContents, ElectronWindow } from '../electron/windows.js';
import type { Rect } from '../windows/window-options.js';

/**
 * A recorded stand-in for Electron's BrowserWindow, behaving as Electron documents it where the
 * adapters depend on it: `destroy()` closes without `close` and then emits `closed`; a user's
 * close emits `close` (preventable) and then `closed`; a destroyed window throws when used.
 */
export class FakeWebContents extends EventEmitter implements ElectronContents {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  reloads = 0;
  crashes = 0;
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  reload(): void {
    this.reloads += 1;
  }
  devToolsOpen = false;
  toggleDevTools(): void {
    this.devToolsOpen = !this.devToolsOpen;
  }
  /** A key as Electron reports it in `before-input-event`; true if a listener prevented it. */
  press(input: {
    key: string;
    control?: boolean;
    meta?: boolean;
    shift?: boolean;
    alt?: boolean;
  }): boolean {
    const event = {
      defaultPrevented: false,
      preventDefault(): void {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-input-event', event, {
      type: 'keyDown',
      control: false,
      meta: false,
      shift: false,
      alt: false,
      ...input,
    });
    return event.defaultPrevented;
  }
  /** `forcefullyCrashRenderer()`: the renderer ends, Electron reports it as `killed`. */
  forcefullyCrashRenderer(): void {
    this.crashes += 1;
    this.crash('killed');
  }
  /** The renderer process dies: `render-process-gone`. */
  crash(reason = 'crashed', exitCode = 1): void {
    this.emit('render-process-gone', {}, { reason, exitCode });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter implements ElectronWindow {
  readonly webContents = new FakeWebContents();
  readonly calls: string[] = [];
  readonly loaded: string[] = [];
  bounds: Rect;
  visible = false;
  minimized = false;
  alwaysOnTop: { flag: boolean; level?: string } | undefined;
  workspaces: { visible: boolean; options: unknown } | undefined;
  private destroyed = false;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.bounds = {
      x: options.x ?? 0,
      y: options.y ?? 0,
      width: options.width ?? 800,
      height: options.height ?? 600,
    };
  }

  private use(method: string): void {
    if (this.destroyed) throw new TypeError(`Object has been destroyed (${method})`);
    this.calls.push(method);
  }
  loadURL(url: string): Promise<void> {
    this.use('loadURL');
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.use('show');
    this.visible = true;
  }
  showInactive(): void {
    this.use('showInactive');
    this.visible = true;
  }
  hide(): void {
    this.use('hide');
    this.visible = false;
  }
  focus(): void {
    this.use('focus');
  }
  restore(): void {
    this.use('restore');
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  setBounds(bounds: Partial<Rect>): void {
    this.use('setBounds');
    this.bounds = { ...this.bounds, ...bounds };
  }
  setAlwaysOnTop(flag: boolean, level?: 'screen-saver'): void {
    this.use('setAlwaysOnTop');
    this.alwaysOnTop = { flag, ...(level !== undefined ? { level } : {}) };
  }
  setVisibleOnAllWorkspaces(visible: boolean, options?: unknown): void {
    this.use('setVisibleOnAllWorkspaces');
    this.workspaces = { visible, options };
  }
  destroy(): void {
    if (this.destroyed) return;
    this.calls.push('destroy');
    this.markGone();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Electron's `ready-to-show`: the first paint is ready. */
  readyToShow(): void {
    this.emit('ready-to-show');
  }
  /** The user closes it (Cmd+W, Alt+F4, the window manager): `close`, then `closed` unless prevented. */
  userClose(): void {
    const event = {
      defaultPrevented: false,
      preventDefault(): void {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', event);
    if (!event.defaultPrevented) this.markGone();
  }
  private markGone(): void {
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/** `makeWindow` for the adapters: every window made is kept, in order. */
export class FakeElectron {
  readonly windows: FakeBrowserWindow[] = [];
  readonly makeWindow = (options: BrowserWindowConstructorOptions): FakeBrowserWindow => {
    const window = new FakeBrowserWindow(options);
    this.windows.push(window);
    return window;
  };
  /** The newest window whose URL routes to this call's ringing screen. */
  ringingWindow(callId: string): FakeBrowserWindow | undefined {
    return this.windows.findLast((w) => w.loaded[0]?.includes(`#/ringing/${callId}`) === true);
  }
}
