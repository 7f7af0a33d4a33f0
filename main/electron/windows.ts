/**
 * The window adapters: Electron's BrowserWindow turned into main's ports. They reach Electron
 * only through a `makeWindow` function and the structural `ElectronWindow` below (a
 * BrowserWindow is one), so the tests run this very code against a recorded fake window
 * (main/testing/fake-browser-window.ts) and see a no-op `destroy` or a missing option fail.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { ShellEventChannel, ShellEventData, ShellView } from '../../protocol/index.js';
import type { MainWindowPort } from '../app/ports.js';
import {
  type NativeWindow,
  type NativeWindowFactory,
  RINGING_WORKSPACES,
} from '../ringing/ringing-window-stack.js';
import { MAIN_WINDOW_SIZE, type Rect, secureWebPreferences } from '../windows/window-options.js';
import { type AppPaths, rendererUrl } from './app-paths.js';

/** The webContents methods the adapters use (Electron's WebContents has them all). */
export interface ElectronContents {
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
  forcefullyCrashRenderer(): void;
  isDestroyed(): boolean;
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: { reason: string; exitCode: number }) => void,
  ): unknown;
}

/** The BrowserWindow methods the adapters use. */
export interface ElectronWindow {
  readonly webContents: ElectronContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  showInactive(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  setBounds(bounds: Partial<Rect>): void;
  setAlwaysOnTop(flag: boolean, level?: 'screen-saver'): void;
  setVisibleOnAllWorkspaces(
    visible: boolean,
    options?: { visibleOnFullScreen?: boolean; skipTransformProcessType?: boolean },
  ): void;
  destroy(): void;
  isDestroyed(): boolean;
  on(event: 'closed' | 'unresponsive' | 'responsive', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export type MakeWindow<W extends ElectronWindow> = (options: BrowserWindowConstructorOptions) => W;

export interface WindowOptions {
  paths: AppPaths;
  /** Icon image for the window (Electron's nativeImage), or nothing. */
  icon?: BrowserWindowConstructorOptions['icon'];
  /** DevTools can exist only in an unpackaged app (`!app.isPackaged`). */
  devTools: boolean;
}

/** The main window: hidden until asked for, never throttled (calls run in it). */
export function createMainWindow<W extends ElectronWindow>(
  makeWindow: MakeWindow<W>,
  options: WindowOptions,
): W {
  const window = makeWindow({
    ...MAIN_WINDOW_SIZE,
    show: false,
    title: 'Trayphone',
    ...(options.icon !== undefined ? { icon: options.icon } : {}),
    webPreferences: secureWebPreferences({
      preload: options.paths.preload,
      keepRunningHidden: true,
      devTools: options.devTools,
    }),
  });
  void window.loadURL(rendererUrl(options.paths, ''));
  return window;
}

export function mainWindowPort(window: () => ElectronWindow | undefined): MainWindowPort {
  const send = <E extends ShellEventChannel>(channel: E, data: ShellEventData<E>): void => {
    window()?.webContents.send(channel, data);
  };
  return {
    show: () => {
      const w = window();
      if (!w) return;
      if (w.isMinimized()) w.restore();
      w.show();
      w.focus();
    },
    hide: () => window()?.hide(),
    isVisible: () => window()?.isVisible() ?? false,
    openView: (view: ShellView) => {
      send('shell:open-view', { view });
    },
    muteToggle: () => {
      send('shell:mute-toggle', {});
    },
    hotkeyStatus: (status) => {
      send('shell:hotkey-status', status);
    },
    updateStatus: (status) => {
      send('shell:update-status', status);
    },
    reload: () => {
      window()?.webContents.reload();
    },
    pickSource: (request) => {
      send('shell:pick-source', request);
    },
    restartRenderer: () => {
      window()?.webContents.forcefullyCrashRenderer();
    },
  };
}

/** The main window's renderer dying or hanging, handed to DesktopApp (app/renderer-recovery.ts). */
export function watchMainRenderer(
  window: ElectronWindow,
  handlers: {
    gone: (details: { reason: string; exitCode: number }) => void;
    hung: (hung: boolean) => void;
  },
): void {
  window.webContents.on('render-process-gone', (_event, details) => {
    handlers.gone({ reason: details.reason, exitCode: details.exitCode });
  });
  window.on('unresponsive', () => {
    handlers.hung(true);
  });
  window.on('responsive', () => {
    handlers.hung(false);
  });
}

/**
 * Ringing windows: frameless, on top, shown inactive (never steal focus from typing). Where they
 * go, closing them and re-stacking is RingingWindowStack's; this only makes and drives windows.
 */
export function ringingWindowFactory<W extends ElectronWindow>(
  makeWindow: MakeWindow<W>,
  workArea: () => Rect,
  options: WindowOptions,
): NativeWindowFactory {
  const { paths } = options;
  return {
    workArea,
    create: (bounds, route): NativeWindow => {
      const window = makeWindow({
        ...bounds,
        show: false,
        frame: false,
        resizable: false,
        movable: true,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        skipTaskbar: true,
        alwaysOnTop: true,
        focusable: true,
        title: 'Incoming call',
        webPreferences: secureWebPreferences({
          preload: paths.preload,
          autoplay: true,
          devTools: options.devTools,
        }),
      });
      window.setAlwaysOnTop(true, 'screen-saver');
      window.setVisibleOnAllWorkspaces(true, RINGING_WORKSPACES);
      window.once('ready-to-show', () => {
        window.showInactive();
      });
      void window.loadURL(rendererUrl(paths, route));
      return {
        setBounds: (b) => {
          window.setBounds(b);
        },
        destroy: () => {
          window.destroy();
        },
        isDestroyed: () => window.isDestroyed(),
        navigate: (next) => {
          // Only the hash changes: a same-document navigation, the renderer sees `hashchange`.
          void window.loadURL(rendererUrl(paths, next));
        },
        onClosed: (listener) => {
          window.on('closed', listener);
        },
        onRendererGone: (listener) => {
          window.webContents.on('render-process-gone', (_event, details) => {
            listener(details.reason);
          });
        },
      };
    },
  };
}
