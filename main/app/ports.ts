import type {
  ClientSettings,
  HotkeyStatus,
  ShellView,
  SourcePickRequest,
  UpdateStatus,
  SoftphoneApi,
  SoftphoneSnapshot,
} from '../../protocol/index.js';
import type { DialRequest } from '../shell/deep-link.js';

/**
 * The ports the main-process logic talks through. The Electron adapter (main/electron/) implements
 * them with real windows, tray and notifications; tests implement them with plain objects.
 */

/** The softphone main runs (core/softphone's `Softphone`), as main needs it. */
export type SoftphoneHost = SoftphoneApi & {
  /** A click-to-call link: the snapshot's `dialRequest` pre-fills the dialer. */
  requestDial(request: DialRequest): void;
  /** The network may have changed (wake, unlock, network up): reconnect or probe at once. */
  reconnectNow(): void;
  /** Closes the signaling connection (quit); the account stays signed in for the next start. */
  close(): Promise<void>;
};

export type SnapshotListener = (snapshot: SoftphoneSnapshot) => void;

export interface TimerPort {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  now(): number;
}

export const realTimers: TimerPort = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => {
    clearTimeout(h as NodeJS.Timeout);
  },
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => {
    clearInterval(h as NodeJS.Timeout);
  },
  now: () => Date.now(),
};

/** The main window and the renderer in it. */
export interface MainWindowPort {
  show(): void;
  hide(): void;
  isVisible(): boolean;
  /** Pushes a `shell:*` event to the renderer. */
  openView(view: ShellView): void;
  /** Reloads the renderer (its CSP is fixed at load: a new server origin needs a new load). */
  reload(): void;
  /** Pushes a screen-share pick to the renderer (`shell:pick-source`). */
  pickSource?(request: SourcePickRequest): void;
  /** Ends a hung renderer (`forcefullyCrashRenderer`); `render-process-gone` follows. */
  restartRenderer(): void;
  muteToggle(): void;
  /** Pushes the global hotkeys' status (`shell:hotkey-status`) to the settings screen. */
  hotkeyStatus?(status: HotkeyStatus): void;
  /** Pushes auto-update's status (`shell:update-status`) to the settings screen. */
  updateStatus?(status: UpdateStatus): void;
}

/** Facts about the running app that start-at-login and the hotkeys depend on. */
export interface PlatformInfo {
  os: NodeJS.Platform;
  execPath: string;
  configHome: string;
  appArgs: string[];
  /** A Wayland session: global shortcuts go through the portal (or the command line). */
  wayland?: boolean;
  /** `$APPIMAGE` when running as an AppImage (login-item.ts). */
  appImage?: string | undefined;
}

/** Sets the application menu in this language (windows/app-menu.ts: nothing that reloads). */
export type ApplicationMenuPort = (language: ClientSettings['language']) => void;

/** A modal question (Electron's `dialog.showMessageBox`): the index of the button chosen. */
export interface DialogSpec {
  type: 'warning' | 'error';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  /** The answer when the box is dismissed (Esc, closed). */
  cancelId: number;
}

export interface DialogPort {
  /** `signal` closes the box (the answer is then ignored). */
  ask(spec: DialogSpec, signal?: AbortSignal): Promise<number>;
}
