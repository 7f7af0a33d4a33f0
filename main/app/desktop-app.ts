import type { ClientSettings, SoftphoneSnapshot, UpdateStatus } from '../../protocol/index.js';
import {
  SOFTPHONE_COMMANDS,
  presenceStatusSchema,
  type SoftphoneApi,
} from '../../protocol/index.js';
import { ScreenPop, type ScreenPopSettings } from '../crm/screen-pop.js';
import { IpcRouter } from '../ipc/ipc-router.js';
import type { Log } from '../log/log.js';
import { forCall } from '../log/log.js';
import type { NotifierPort, RingingWindowPort } from '../ringing/ringing-coordinator.js';
import { RingingCoordinator } from '../ringing/ringing-coordinator.js';
import type { SenderFrame } from '../security/origins.js';
import { serverOrigins } from '../security/web-policy.js';
import type { SettingsWatch } from '../settings/settings-watch.js';
import { type CliCommand, parseCliCommand } from '../shell/cli-args.js';
import { type DialRequest, deepLinkFromArgv, parseDeepLink } from '../shell/deep-link.js';
import {
  type GlobalShortcutPort,
  type HotkeyAction,
  HotkeyRegistry,
  activeHotkeys,
  hotkeyCommand,
} from '../shell/hotkeys.js';
import { type LoginItemPlan, loginItemPlan, startsHidden } from '../shell/login-item.js';
import type { ProtocolClaims } from '../shell/protocol-claims.js';
import { TrayController, type TrayPort } from '../tray/tray-controller.js';
import type { TrayAction } from '../tray/tray-model.js';
import type { MainWindowPort, SoftphoneHost, TimerPort } from './ports.js';
import { type NetworkPort, type PowerPort, PowerWatch } from '../power/power-watch.js';
import { QUIT_TIMEOUT_MS, endCallsAndClose } from './quit.js';

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
  platform: {
    os: NodeJS.Platform;
    execPath: string;
    configHome: string;
    appArgs: string[];
    /** A Wayland session: global shortcuts go through the portal (or the command line). */
    wayland?: boolean;
    /** `$APPIMAGE` when running as an AppImage (login-item.ts). */
    appImage?: string | undefined;
  };
  isTrustedSender: (frame: SenderFrame | null) => boolean;
  /** Sets the application menu in this language (windows/app-menu.ts: nothing that reloads). */
  applicationMenu?: (language: ClientSettings['language']) => void;
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
  /** Ends the process once cleanup is done (Electron: `app.exit(0)`). */
  exit: () => void;
  timers: TimerPort;
  log: Log;
}

/**
 * The desktop app's logic, wired from ports: the softphone's snapshots drive the tray and the
 * ringing surfaces; settings drive hotkeys and start-at-login; deep links, tray actions and
 * hotkeys become softphone commands; quitting ends calls first. No Electron in here.
 */
export class DesktopApp {
  readonly router: IpcRouter;
  readonly tray: TrayController;
  readonly ringing: RingingCoordinator;
  private readonly hotkeys: HotkeyRegistry;
  private snapshot: SoftphoneSnapshot | undefined;
  private quitting: Promise<void> | undefined;
  private reloadPending = false;
  private powerWatch: PowerWatch | undefined;
  private readonly screenPop: ScreenPop | undefined;
  /** Set when the screen lock made us away: unlocking makes us available again, not otherwise. */
  private awayForLock = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: DesktopAppDeps) {
    const { settings, timers, log } = deps;
    this.tray = new TrayController(deps.tray, timers, () => settings.current().language);
    this.ringing = new RingingCoordinator({
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
        this.applySettings(view.settings.launchAtLogin !== previous.settings.launchAtLogin);
        if (view.settings.clickToCall !== previous.settings.clickToCall) {
          this.deps.clickToCall?.apply(view.settings.clickToCall);
        }
        if (view.settings.language !== previous.settings.language) {
          this.deps.applicationMenu?.(view.settings.language);
        }
        this.reloadForNewServer(previous.settings.serverUrl, view.settings.serverUrl);
        this.tray.refresh();
        if (this.snapshot) this.ringing.update(this.snapshot);
      }),
    );
    this.applySettings(true);
    this.deps.applicationMenu?.(settings.current().language);
    this.deps.clickToCall?.apply(settings.current().clickToCall);
    this.watchPower();
    this.onSnapshot(await softphone.getSnapshot({}));
    // At start nothing rings yet and the line may not be up: `--call` pre-fills the dialer.
    const cli = parseCliCommand(argv);
    const cliCall = cli.ok && cli.command?.command === 'call' ? cli.command : undefined;
    const dial = cliCall
      ? { target: cliCall.target, media: cliCall.media }
      : deepLinkFromArgv(argv);
    if (dial) this.dial(dial);
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
      this.cliCommand(cli.command);
      return;
    }
    const dial = deepLinkFromArgv(argv);
    if (dial) this.dial(dial);
    else this.deps.mainWindow.show();
  }

  /** macOS `open-url`. */
  openUrl(url: string): void {
    const dial = parseDeepLink(url);
    if (dial) this.dial(dial);
    else this.deps.log.warn({ length: url.length }, 'ignored a link that is not click-to-call');
  }

  /** `callId`: the call a tray item (answer / decline / hang up) was built for. */
  trayAction(action: TrayAction, callId?: string): void {
    const { softphone, mainWindow, log } = this.deps;
    const fail = (error: unknown): void => {
      log.warn({ action, err: error }, 'tray action failed');
    };
    switch (action) {
      case 'status:available':
      case 'status:away':
      case 'status:busy':
      case 'status:dnd':
        softphone.setStatus({ status: presenceStatusSchema.parse(action.slice(7)) }).catch(fail);
        return;
      case 'agent:available':
        softphone.agentSetStatus({ status: 'available' }).catch(fail);
        return;
      case 'agent:break':
        softphone.agentSetStatus({ status: 'break', reason: 'break' }).catch(fail);
        return;
      case 'open':
        mainWindow.show();
        return;
      case 'missed':
        mainWindow.show();
        mainWindow.openView('history');
        return;
      case 'quit':
        void this.quit();
        return;
      case 'answer':
      case 'decline':
      case 'hangup':
        this.hotkey(action, callId);
        return;
    }
  }

  hotkey(action: HotkeyAction, callId?: string): void {
    if (!this.snapshot) return;
    const command = hotkeyCommand(action, this.snapshot, callId);
    if (!command) return;
    if (command.command === 'mute-toggle') {
      this.deps.mainWindow.muteToggle();
      return;
    }
    const { softphone, log } = this.deps;
    const callLog = forCall(log, command.callId);
    callLog.info({ action, command: command.command }, 'hotkey');
    const done = (error: unknown): void => {
      callLog.warn({ err: error }, `${command.command} from hotkey failed`);
    };
    switch (command.command) {
      case 'accept':
        softphone.accept({ callId: command.callId, media: command.media }).catch(done);
        return;
      case 'decline':
      case 'hangup':
      case 'cancel':
        softphone[command.command]({ callId: command.callId }).catch(done);
        return;
    }
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

  /** What closing the main window does: hide to the tray, unless the app is quitting. */
  mainWindowCloseAction(): 'hide' | 'close' {
    return this.quitting ? 'close' : 'hide';
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
        for (const off of this.unsubscribe) off();
        this.ringing.dispose();
        this.tray.dispose();
        this.hotkeys.clear();
        this.deps.exit();
      }
    })();
    return this.quitting;
  }

  /** The same actions as the tray and the hotkeys; `--call` places the call and shows it. */
  private cliCommand(command: CliCommand): void {
    const { softphone, mainWindow, log } = this.deps;
    log.info({ command: command.command }, 'command line');
    if (command.command !== 'call') {
      this.hotkey(command.command);
      return;
    }
    softphone.call({ callees: [command.target], media: command.media }).then(
      ({ callId }) => {
        forCall(log, callId).info({ target: command.target }, 'call from the command line');
        mainWindow.show();
      },
      (error: unknown) => {
        log.warn({ err: error, target: command.target }, 'call from the command line failed');
        // The dialer, pre-filled, says why (signed out, offline) and lets the user retry.
        this.dial({ target: command.target, media: command.media });
      },
    );
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
        this.awayOnLock(true);
      },
      unlockScreen: () => {
        this.awayOnLock(false);
      },
    });
    this.powerWatch.start();
  }

  /**
   * Away while the screen is locked, as chat and phone apps do: only from `available` (a chosen
   * busy or do-not-disturb stays), and back to available on unlock only if the lock set away.
   */
  private awayOnLock(locked: boolean): void {
    const current = this.snapshot;
    if (!current || current.connection !== 'connected') return;
    const fail = (error: unknown): void => {
      this.deps.log.warn({ err: error }, 'presence change on screen lock failed');
    };
    if (locked && current.status === 'available') {
      this.awayForLock = true;
      this.deps.softphone.setStatus({ status: 'away' }).catch(fail);
    } else if (!locked && this.awayForLock) {
      this.awayForLock = false;
      if (current.status === 'away')
        this.deps.softphone.setStatus({ status: 'available' }).catch(fail);
    }
  }

  private dial(request: DialRequest): void {
    this.deps.log.info({ target: request.target, media: request.media }, 'click-to-call');
    this.deps.softphone.requestDial(request);
    this.deps.mainWindow.show();
    this.deps.mainWindow.openView('dialer');
  }

  private onSnapshot(snapshot: SoftphoneSnapshot): void {
    this.logCallChanges(this.snapshot, snapshot);
    this.snapshot = snapshot;
    if (this.quitting) return;
    this.tray.update(snapshot);
    this.ringing.update(snapshot);
    this.hotkeys.activate(activeHotkeys(snapshot));
    this.screenPop?.update(snapshot);
    if (this.reloadPending && snapshot.calls.every((c) => c.state === 'ended')) {
      this.reloadPending = false;
      this.deps.mainWindow.reload();
    }
  }

  /** Each call's state changes, one line each, carrying the call id (the log tells its story). */
  private logCallChanges(before: SoftphoneSnapshot | undefined, after: SoftphoneSnapshot): void {
    const previous = new Map(before?.calls.map((c) => [c.callId, c.state]));
    for (const call of after.calls) {
      const was = previous.get(call.callId);
      if (was === call.state) continue;
      forCall(this.deps.log, call.callId).info(
        {
          direction: call.direction,
          from: was ?? 'new',
          to: call.state,
          ...(call.endReason !== undefined ? { endReason: call.endReason } : {}),
          ...(call.info ? { caller: call.info.callerId, media: call.info.media } : {}),
        },
        'call state',
      );
    }
  }

  /**
   * The renderer's CSP allows connections to the configured server only, and a page's CSP is
   * fixed when it loads: when the server's origin changes (signing in), the main window reloads
   * so its media socket may reach the new server. Never during a call.
   */
  private reloadForNewServer(before: string, after: string): void {
    if (serverOrigins(before).join() === serverOrigins(after).join()) return;
    const busy = this.snapshot?.calls.some((c) => c.state !== 'ended') ?? false;
    if (busy) {
      this.deps.log.warn({}, 'server changed during a call: the window reloads after it');
      this.reloadPending = true;
      return;
    }
    this.deps.log.info({ server: serverOrigins(after)[0] ?? '' }, 'server changed: reloading UI');
    this.deps.mainWindow.reload();
  }

  private applySettings(loginItemToo: boolean): void {
    const { settings, platform } = this.deps;
    const current = settings.current();
    this.hotkeys.configure(current.hotkeys);
    if (!loginItemToo) return;
    this.deps.applyLoginItem(
      loginItemPlan({
        platform: platform.os,
        enabled: current.launchAtLogin,
        execPath: platform.execPath,
        appImage: platform.appImage,
        configHome: platform.configHome,
        appArgs: platform.appArgs,
      }),
    );
  }
}

/**
 * The softphone as the IPC router runs it: plain delegation (the softphone's methods keep their
 * own `this`), with every settings result copied into main's `SettingsWatch`.
 */
export function withSettingsWatch(softphone: SoftphoneApi, watch: SettingsWatch): SoftphoneApi {
  const facade = { shell: softphone.shell, on: softphone.on.bind(softphone) } as Record<
    string,
    unknown
  >;
  for (const command of SOFTPHONE_COMMANDS) {
    const method = softphone[command] as (args: unknown) => Promise<unknown>;
    facade[command] = (args: unknown) => method.call(softphone, args);
  }
  const api = facade as SoftphoneApi;
  const refresh = async (): Promise<void> => {
    watch.set(await softphone.getSettings({}));
  };
  api.getSettings = async (args) => {
    const view = await softphone.getSettings(args);
    watch.set(view);
    return view;
  };
  api.updateSettings = async (patch) => {
    const view = await softphone.updateSettings(patch);
    watch.set(view);
    return view;
  };
  api.signIn = async (args) => {
    try {
      return await softphone.signIn(args);
    } finally {
      await refresh(); // signing in stores the server URL
    }
  };
  return api;
}
