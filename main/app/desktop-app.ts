import type { SoftphoneSnapshot, UpdateStatus } from '../../protocol/index.js';
import { ScreenPop, type ScreenPopSettings } from '../crm/screen-pop.js';
import { IpcRouter } from '../ipc/ipc-router.js';
import type { Log } from '../log/log.js';
import { type DoNotDisturbProbe, OsDoNotDisturb } from '../power/os-do-not-disturb.js';
import { type NetworkPort, type PowerPort, PowerWatch } from '../power/power-watch.js';
import type { NotifierPort, RingingWindowPort } from '../ringing/ringing-coordinator.js';
import { RingingCoordinator } from '../ringing/ringing-coordinator.js';
import { RendererSourcePicker } from '../screen-share/renderer-picker.js';
import type { SenderFrame } from '../security/origins.js';
import type { SettingsWatch } from '../settings/settings-watch.js';
import { parseCliCommand } from '../shell/cli-args.js';
import { deepLinkFromArgv, parseDeepLink } from '../shell/deep-link.js';
import {
  type GlobalShortcutPort,
  type HotkeyAction,
  HotkeyRegistry,
  activeHotkeys,
} from '../shell/hotkeys.js';
import { type LoginItemPlan, startsHidden } from '../shell/login-item.js';
import type { ProtocolClaims } from '../shell/protocol-claims.js';
import { TrayController, type TrayPort } from '../tray/tray-controller.js';
import type { TrayAction } from '../tray/tray-model.js';
import { CallCommands } from './call-commands.js';
import { logCallChanges } from './call-log.js';
import { MainWindowLifecycle } from './main-window-lifecycle.js';
import type {
  ApplicationMenuPort,
  DialogPort,
  MainWindowPort,
  PlatformInfo,
  SoftphoneHost,
  TimerPort,
} from './ports.js';
import { QUIT_TIMEOUT_MS, endCallsAndClose } from './quit.js';
import { type RendererGone, RendererRecovery } from './renderer-recovery.js';
import { ScreenLockPresence } from './screen-lock-presence.js';
import { ShellSettings } from './shell-settings.js';
import { withSettingsWatch } from './softphone-facade.js';

/**
 * Ending calls when the OS shuts down or logs off: Windows shows "this app is preventing
 * shutdown" after ~5 s, and each of the three quit steps is bounded by this.
 */
export const SHUTDOWN_STEP_TIMEOUT_MS = 1_500;

export interface DesktopAppDeps {
  softphone: SoftphoneHost;
  settings: SettingsWatch;
  mainWindow: MainWindowPort;
  ringingWindows: RingingWindowPort;
  notifier: NotifierPort;
  tray: TrayPort;
  shortcuts: GlobalShortcutPort;
  applyLoginItem: (plan: LoginItemPlan) => void;
  platform: PlatformInfo;
  isTrustedSender: (frame: SenderFrame | null) => boolean;
  applicationMenu?: ApplicationMenuPort;
  /** Questions and errors (a hung or crash-looping window); without it they are only logged. */
  dialog?: DialogPort;
  /** Opens the logs folder (`shell.openPath`): the tray's item and Settings' `app:open-logs`. */
  openLogsFolder?: () => void;
  /** `powerMonitor`: resume / unlock reconnect at once, lock sets away, shutdown ends calls. */
  power?: PowerPort;
  /** CRM screen pop: the template and moment (settings / policy), and `shell.openExternal`. */
  screenPop?: { settings: () => ScreenPopSettings; openExternal: (url: string) => void };
  /** tel:/sip:/callto: handlers, claimed only while the `clickToCall` setting (or policy) is on. */
  clickToCall?: ProtocolClaims;
  /** Auto-update's state for the settings screen (main/update/auto-update.ts). */
  updateStatus?: () => UpdateStatus;
  /** `net.isOnline`: a network coming back reconnects at once. */
  network?: NetworkPort;
  /** The desktop's do-not-disturb where it is exposed (followed if `followOsDoNotDisturb`). */
  doNotDisturb?: DoNotDisturbProbe;
  /** Ends the process once cleanup is done (Electron: `app.exit(0)`). */
  exit: () => void;
  timers: TimerPort;
  log: Log;
}

/**
 * The desktop app's logic, composed from its parts and wired from ports: the softphone's
 * snapshots drive the tray, the ringing surfaces, the hotkeys, the screen pop and the main
 * window's reloads; settings drive the shell (shell-settings.ts); the user's actions outside the
 * renderer become commands (call-commands.ts); quitting ends calls first. No Electron in here.
 */
export class DesktopApp {
  readonly router: IpcRouter;
  readonly tray: TrayController;
  readonly ringing: RingingCoordinator;
  /** The screen-share picker in the main window (setDisplayMediaRequestHandler's picker). */
  readonly sourcePicker: RendererSourcePicker;
  private readonly hotkeys: HotkeyRegistry;
  private readonly commands: CallCommands;
  private readonly shellSettings: ShellSettings;
  private readonly mainWindow: MainWindowLifecycle;
  private readonly lockPresence: ScreenLockPresence;
  private readonly recovery: RendererRecovery;
  private readonly osDoNotDisturb: OsDoNotDisturb;
  private snapshot: SoftphoneSnapshot | undefined;
  private quitting: Promise<void> | undefined;
  private powerWatch: PowerWatch | undefined;
  private readonly screenPop: ScreenPop | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: DesktopAppDeps) {
    const { settings, timers, log } = deps;
    this.commands = new CallCommands({
      softphone: deps.softphone,
      mainWindow: deps.mainWindow,
      snapshot: () => this.snapshot,
      quit: () => void this.quit(),
      ...(deps.openLogsFolder ? { openLogsFolder: deps.openLogsFolder } : {}),
      log,
    });
    this.tray = new TrayController(deps.tray, timers, () => settings.current().language);
    this.sourcePicker = new RendererSourcePicker({
      ask: (request) => {
        deps.mainWindow.show();
        deps.mainWindow.pickSource?.(request);
      },
      timers,
      log,
    });
    this.osDoNotDisturb = new OsDoNotDisturb({
      probe: deps.doNotDisturb,
      enabled: () => settings.current().followOsDoNotDisturb,
      timers,
      log,
    });
    this.ringing = new RingingCoordinator({
      quiet: () => this.osDoNotDisturb.active(),
      windows: deps.ringingWindows,
      notifier: deps.notifier,
      mainWindow: deps.mainWindow,
      timers,
      log,
      callAction: (action, callId) => {
        this.hotkey(action, callId);
      },
      lookupName: async (userId) => {
        const found = await deps.softphone.searchDirectory({ query: userId, limit: 5 });
        return found.find((entry) => entry.userId === userId)?.displayName;
      },
    });
    this.hotkeys = new HotkeyRegistry(
      deps.shortcuts,
      (action) => {
        this.hotkey(action);
      },
      log,
      (status) => deps.mainWindow.hotkeyStatus?.(status),
      deps.platform.wayland ?? false,
    );
    this.shellSettings = new ShellSettings({
      settings,
      hotkeys: this.hotkeys,
      applyLoginItem: deps.applyLoginItem,
      platform: deps.platform,
      clickToCall: deps.clickToCall,
      applicationMenu: deps.applicationMenu,
    });
    this.mainWindow = new MainWindowLifecycle(deps.mainWindow, () => this.isQuitting, log);
    this.lockPresence = new ScreenLockPresence(deps.softphone, () => this.snapshot, log);
    this.recovery = new RendererRecovery({
      window: deps.mainWindow,
      dialog: deps.dialog,
      softphone: deps.softphone,
      snapshot: () => this.snapshot,
      language: () => settings.current().language,
      quitting: () => this.isQuitting,
      quit: () => void this.quit(),
      timers,
      log,
    });
    this.screenPop = deps.screenPop
      ? new ScreenPop(deps.screenPop.settings, deps.screenPop.openExternal, log)
      : undefined;
    this.router = new IpcRouter({
      softphone: withSettingsWatch(deps.softphone, settings),
      shell: {
        'window:show': () => {
          deps.mainWindow.show();
          return Promise.resolve(null);
        },
        'window:hide': () => {
          deps.mainWindow.hide();
          return Promise.resolve(null);
        },
        'app:quit': async () => {
          await this.quit();
          return null;
        },
        'hotkeys:status': () => Promise.resolve(this.hotkeys.status()),
        'update:status': () =>
          Promise.resolve(deps.updateStatus?.() ?? { state: 'disabled', reason: 'not-packaged' }),
        'app:open-logs': () => {
          deps.openLogsFolder?.();
          return Promise.resolve(null);
        },
        'screen-share:choose': ({ requestId, sourceId }) => {
          this.sourcePicker.choose(requestId, sourceId);
          return Promise.resolve(null);
        },
      },
      isTrustedSender: deps.isTrustedSender,
      log,
    });
  }

  get isQuitting(): boolean {
    return this.quitting !== undefined;
  }

  /** Starts the shell; shows the main window unless started hidden. */
  async start(argv: readonly string[]): Promise<void> {
    const { softphone, settings } = this.deps;
    // The stored settings first: loading them is not a change (no reload, no re-registration).
    settings.set(await softphone.getSettings({}));
    this.unsubscribe.push(
      softphone.on('snapshot', (snapshot) => {
        this.onSnapshot(snapshot);
      }),
      settings.on('changed', (view, previous) => {
        this.shellSettings.changed(view, previous);
        this.mainWindow.serverChanged(previous.settings.serverUrl, view.settings.serverUrl);
        this.tray.refresh();
        if (view.settings.followOsDoNotDisturb !== previous.settings.followOsDoNotDisturb) {
          void this.osDoNotDisturb.read();
        }
        if (this.snapshot) this.ringing.update(this.snapshot);
      }),
    );
    this.shellSettings.applyAll();
    this.watchPower();
    this.osDoNotDisturb.start();
    this.onSnapshot(await softphone.getSnapshot({}));
    // At start nothing rings yet and the line may not be up: `--call` pre-fills the dialer.
    const cli = parseCliCommand(argv);
    const cliCall = cli.ok && cli.command?.command === 'call' ? cli.command : undefined;
    const dial = cliCall
      ? { target: cliCall.target, media: cliCall.media }
      : deepLinkFromArgv(argv);
    if (dial) this.commands.dial(dial);
    else if (!startsHidden(argv, settings.current().startHidden)) this.deps.mainWindow.show();
  }

  /**
   * A second launch: a command-line action (`--answer`, `--call bob`, …) runs here; otherwise
   * the window comes forward and takes over the deep link, if any.
   */
  secondInstance(argv: readonly string[]): void {
    const cli = parseCliCommand(argv);
    if (!cli.ok) {
      this.deps.log.warn({ error: cli.error }, 'command line refused');
      return;
    }
    if (cli.command) {
      this.commands.cliCommand(cli.command);
      return;
    }
    const dial = deepLinkFromArgv(argv);
    if (dial) this.commands.dial(dial);
    else this.deps.mainWindow.show();
  }

  /** macOS `open-url`. */
  openUrl(url: string): void {
    const dial = parseDeepLink(url);
    if (dial) this.commands.dial(dial);
    else this.deps.log.warn({ length: url.length }, 'ignored a link that is not click-to-call');
  }

  /** `callId`: the call a tray item (answer / decline / hang up) was built for. */
  trayAction(action: TrayAction, callId?: string): void {
    this.commands.trayAction(action, callId);
  }

  hotkey(action: HotkeyAction, callId?: string): void {
    this.commands.hotkey(action, callId);
  }

  /**
   * Windows `query-session-end` / `session-end`, `powerMonitor` `shutdown`: the OS is going away
   * and `before-quit` will not come. Calls end cleanly at once (the other side sees a hang-up,
   * not a lost connection), with shorter bounds, and the app exits; from now on closing the
   * main window closes it (the close-to-tray handler must not hold up the logoff).
   */
  osShutdown(source: string): Promise<void> {
    if (!this.quitting) this.deps.log.info({ source }, 'the OS is ending the session');
    return this.quit(SHUTDOWN_STEP_TIMEOUT_MS);
  }

  /** The main window's `render-process-gone`: reload (the call goes on), or stop a crash loop. */
  mainRendererGone(details: RendererGone): void {
    this.recovery.gone(details);
  }

  /** The main window's `unresponsive` / `responsive`: wait or reload, asked once. */
  mainRendererHung(hung: boolean): void {
    if (hung) this.recovery.unresponsive();
    else this.recovery.responsive();
  }

  /** What closing the main window does: hide to the tray, unless the app is quitting. */
  mainWindowCloseAction(): 'hide' | 'close' {
    return this.mainWindow.closeAction();
  }

  /** Ends live calls cleanly, tears the shell down, then exits. Idempotent. */
  quit(stepTimeoutMs = QUIT_TIMEOUT_MS): Promise<void> {
    this.quitting ??= (async () => {
      const { softphone, timers, log } = this.deps;
      log.info({}, 'quitting');
      try {
        await endCallsAndClose(softphone, timers, log, stepTimeoutMs);
      } finally {
        this.powerWatch?.dispose();
        this.osDoNotDisturb.dispose();
        for (const off of this.unsubscribe) off();
        this.ringing.dispose();
        this.tray.dispose();
        this.hotkeys.clear();
        this.deps.exit();
      }
    })();
    return this.quitting;
  }

  private watchPower(): void {
    const { power, network, softphone, timers, log } = this.deps;
    if (!power) return;
    this.powerWatch = new PowerWatch({
      power,
      ...(network ? { network } : {}),
      timers,
      log,
      reconnectNow: () => {
        softphone.reconnectNow();
      },
      shutdown: (source) => {
        void this.osShutdown(source);
      },
      lockScreen: () => {
        this.lockPresence.locked(true);
      },
      unlockScreen: () => {
        this.lockPresence.locked(false);
      },
    });
    this.powerWatch.start();
  }

  private onSnapshot(snapshot: SoftphoneSnapshot): void {
    logCallChanges(this.deps.log, this.snapshot, snapshot);
    this.snapshot = snapshot;
    if (this.quitting) return;
    this.tray.update(snapshot);
    this.ringing.update(snapshot);
    this.hotkeys.activate(activeHotkeys(snapshot));
    this.screenPop?.update(snapshot);
    this.mainWindow.update(snapshot);
  }
}
