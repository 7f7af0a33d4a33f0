import type { SoftphoneSnapshot, UpdateStatus } from '../../protocol/index.js';
import type { TimerPort } from '../app/ports.js';
import { callsToEnd } from '../app/quit.js';
import type { Log } from '../log/log.js';
import type { UpdateConfig } from './update-config.js';

/**
 * Auto-update's scheduling and gating, with no Electron in it: electron-updater comes in through
 * the `Updater` port (main/electron/updater-port.ts). It checks the feed a minute after start and
 * then every few hours; electron-updater downloads what it finds. A downloaded update is
 * installed only while no call is live on this device (ringing, dialing, answering or active all
 * count): when the app quits (after its calls ended) or once the machine has been idle for a
 * while with no call. Installing restarts the app, so mid-call it would cut the call.
 */

export type UpdaterEvents = {
  checking: [];
  available: [version: string];
  'not-available': [];
  progress: [percent: number];
  downloaded: [version: string];
  error: [message: string];
};

/** electron-updater's `autoUpdater`, as far as auto-update needs it. */
export interface Updater {
  /** A generic-provider feed (the folder holding latest*.yml). */
  setFeed(url: string): void;
  /** Checks the feed; electron-updater downloads an update it finds (`autoDownload`). */
  check(): Promise<void>;
  on<E extends keyof UpdaterEvents>(event: E, listener: (...args: UpdaterEvents[E]) => void): void;
  /** `quitAndInstall`: quits the app and runs the installer; `restart` relaunches it after. */
  install(options: { restart: boolean }): void;
}

/** The first check waits for the app to settle (sign-in, first snapshot). */
export const FIRST_CHECK_DELAY_MS = 60_000;
/** Then every four hours: a feed is a static file, and updates are rare. */
export const CHECK_INTERVAL_MS = 4 * 60 * 60_000;
/** How often a downloaded update looks for an idle moment. */
export const IDLE_POLL_MS = 60_000;
/** The machine counts as idle (nobody at it) after this long without input. */
export const IDLE_INSTALL_SECONDS = 15 * 60;

export interface AutoUpdateDeps {
  config: UpdateConfig;
  updater: Updater;
  timers: TimerPort;
  log: Log;
  /** `powerMonitor.getSystemIdleTime()`: seconds since the user's last input. */
  idleSeconds: () => number;
  /** Pushes the status to the settings screen. */
  onStatus?: (status: UpdateStatus) => void;
}

export class AutoUpdate {
  private current: UpdateStatus;
  private callLive = false;
  private timers: unknown[] = [];
  private installing = false;

  constructor(private readonly deps: AutoUpdateDeps) {
    this.current = deps.config.enabled
      ? { state: 'idle' }
      : { state: 'disabled', reason: deps.config.reason };
  }

  status(): UpdateStatus {
    return { ...this.current };
  }

  start(): void {
    const { config, updater, timers, log } = this.deps;
    if (!config.enabled) {
      log.info({ reason: config.reason }, 'auto-update off');
      return;
    }
    updater.setFeed(config.feedUrl);
    updater.on('checking', () => {
      this.set({ ...this.keep(), state: 'checking' });
    });
    updater.on('available', (version) => {
      log.info({ version }, 'update available: downloading');
      this.set({ ...this.checked(), state: 'downloading', version, percent: 0 });
    });
    updater.on('not-available', () => {
      this.set({ ...this.checked(), state: 'up-to-date' });
    });
    updater.on('progress', (percent) => {
      if (this.current.state !== 'downloading') return;
      this.set({ ...this.current, percent: Math.max(0, Math.min(100, Math.round(percent))) });
    });
    updater.on('downloaded', (version) => {
      log.info({ version }, 'update downloaded: installs when no call is live');
      this.set({ ...this.keep(), state: 'downloaded', version });
      this.installIfIdle();
    });
    updater.on('error', (message) => {
      log.warn({ error: message }, 'auto-update failed');
      this.set({ ...this.keep(), state: 'error', error: message.slice(0, 500) });
    });
    log.info({ feed: config.feedUrl }, 'auto-update on');
    this.timers.push(
      timers.setTimeout(() => {
        this.check();
      }, FIRST_CHECK_DELAY_MS),
      timers.setInterval(() => {
        this.check();
      }, CHECK_INTERVAL_MS),
      timers.setInterval(() => {
        this.installIfIdle();
      }, IDLE_POLL_MS),
    );
  }

  /** Every snapshot: whether a call is live here decides whether an update may install. */
  onSnapshot(snapshot: SoftphoneSnapshot): void {
    this.callLive = callsToEnd(snapshot).length > 0;
  }

  /**
   * The app is quitting and its calls have been ended (DesktopApp.quit ends them first): installs
   * a downloaded update instead of a plain exit. No call check here: the app is going away either
   * way, and a snapshot still showing a call whose hang-up timed out must not block it. True when
   * the installer took over (it quits the app itself).
   */
  installOnQuit(): boolean {
    if (this.current.state !== 'downloaded' || this.installing) return false;
    this.install(false);
    return true;
  }

  dispose(): void {
    for (const handle of this.timers.splice(0)) {
      this.deps.timers.clearTimeout(handle);
      this.deps.timers.clearInterval(handle);
    }
  }

  private check(): void {
    // A downloaded update waits for its install; checking again would only download it again.
    if (['checking', 'downloading', 'downloaded', 'installing'].includes(this.current.state)) {
      return;
    }
    this.deps.updater.check().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.log.warn({ error: message }, 'update check failed');
      this.set({ ...this.keep(), state: 'error', error: message.slice(0, 500) });
    });
  }

  private installIfIdle(): void {
    if (this.current.state !== 'downloaded' || this.callLive || this.installing) return;
    if (this.deps.idleSeconds() < IDLE_INSTALL_SECONDS) return;
    this.install(true);
  }

  private install(restart: boolean): void {
    this.installing = true;
    this.deps.log.info({ version: this.current.version, restart }, 'installing update');
    this.set({ ...this.current, state: 'installing' });
    this.dispose();
    this.deps.updater.install({ restart });
  }

  /** What survives a state change: when the feed last answered. */
  private keep(): Pick<UpdateStatus, 'checkedAt'> {
    return this.current.checkedAt === undefined ? {} : { checkedAt: this.current.checkedAt };
  }

  private checked(): Pick<UpdateStatus, 'checkedAt'> {
    return { checkedAt: this.deps.timers.now() };
  }

  private set(status: UpdateStatus): void {
    this.current = status;
    this.deps.onStatus?.(this.status());
  }
}
