/**
 * Trayphone's main process: Electron wiring only. It builds the ports (main/electron/), the core
 * Softphone on the persistent signaling connection, and the DesktopApp that holds the logic;
 * then forwards Electron's app events to it. Everything with behaviour is tested in plain Node.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  type IpcMainInvokeEvent,
  crashReporter,
  dialog,
  type WebContents,
  app,
  globalShortcut,
  ipcMain,
  Menu,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import Store from 'electron-store';
import { autoUpdater } from 'electron-updater';
import { Softphone } from '../core/softphone/index.js';
import { SOFTPHONE_EVENT_NAMES, softphoneEventChannel } from '../protocol/index.js';
import { DesktopApp } from './app/desktop-app.js';
import { signalingSocketFactory } from './net/signaling-socket.js';
import { signalingCa } from './net/system-ca.js';
import { crashReporterOptions, describeCrashReporting } from './crash/crash-reporting.js';
import { doNotDisturbProbe, execFilePort } from './power/os-do-not-disturb.js';
import { electronUpdaterPort } from './electron/updater-port.js';
import { AutoUpdate } from './update/auto-update.js';
import { installScope, resolveUpdateConfig } from './update/update-config.js';
import { realTimers } from './app/ports.js';
import type { AppPaths } from './electron/app-paths.js';
import {
  appIcon,
  electronLogPort,
  logsFolder,
  notifierPort,
  serveAppProtocol,
  trayPort,
} from './electron/electron-ports.js';
import {
  createMainWindow,
  mainWindowPort,
  ringingWindowFactory,
  watchMainRenderer,
} from './electron/windows.js';
import { RingingWindowStack } from './ringing/ringing-window-stack.js';
import {
  APP_ORIGIN,
  APP_SCHEME,
  type SenderFrame,
  type TrustedOrigins,
  devOrigin,
  isOwnRendererUrl,
  isTrustedSender,
} from './security/origins.js';
import { installSessionHandlers } from './electron/session-handlers.js';
import { isAllowedNavigation } from './security/web-policy.js';
import { DesktopStore } from './settings/desktop-store.js';
import { loadPolicy, policyFilePath } from './settings/policy.js';
import { loadRegistryPolicy, regExeReader } from './settings/registry-policy.js';
import { assertSecureServerUrl } from './security/server-url.js';
import { devOverrides } from './security/dev-overrides.js';
import { applicationMenuTemplate } from './windows/app-menu.js';
import { guardInput } from './windows/input-guard.js';
import type { SettingsDocument } from './settings/settings-document.js';
import { nodeSettingsFs, openSettingsStore } from './settings/settings-file.js';
import { SettingsWatch } from './settings/settings-watch.js';
import { TokenVault } from './settings/token-vault.js';
import { chromiumFeatures, isWaylandSession } from './shell/chromium-features.js';
import type { LoginItemPlan } from './shell/login-item.js';
import { ProtocolClaims } from './shell/protocol-claims.js';

// Development only (security/dev-overrides.ts): a packaged app never lets its environment move
// its data or its renderer. userData before anything reads it.
const overrides = devOverrides(app.isPackaged, process.env);
if (overrides.userData !== undefined) app.setPath('userData', overrides.userData);

const log = electronLogPort();

// The IT policy first (a file or the registry, read synchronously): the crash reporter below
// takes its upload server from it. Windows: the registry (GPO/Intune) only; elsewhere the
// root-owned policy file.
const policy =
  process.platform === 'win32'
    ? loadRegistryPolicy(regExeReader)
    : loadPolicy(policyFilePath(process.platform, process.env), readPolicyFile);

// As early as possible, before `ready`: minidumps of every process, uploaded only where the
// policy names an https server (crash/crash-reporting.ts).
const crashReporting = crashReporterOptions(policy.policy, {
  version: app.getVersion(),
  packaged: app.isPackaged,
});
crashReporter.start(crashReporting);

// Before `ready`: on Wayland, global shortcuts through the portal and screen capture via PipeWire.
const chromiumFeatureList = chromiumFeatures(process.platform, process.env);
if (chromiumFeatureList.length > 0) {
  app.commandLine.appendSwitch('enable-features', chromiumFeatureList.join(','));
}

// Before `ready`: app:// is a standard, secure origin (fetch, media, CSP like https).
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
  },
]);

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const devServerUrl = overrides.rendererUrl;
const paths: AppPaths = {
  renderer: path.join(here, '../renderer'),
  resources: path.join(app.getAppPath(), 'resources'),
  preload: path.join(here, '../preload/index.cjs'),
  ...(devServerUrl !== undefined ? { devServerUrl } : {}),
};
const origins: TrustedOrigins = {
  app: APP_ORIGIN,
  ...(devServerUrl !== undefined ? { dev: devOrigin(devServerUrl) } : {}),
};

let desktop: DesktopApp | undefined;
let mainWindow: BrowserWindow | undefined;
const pendingUrls: string[] = [];

if (!app.requestSingleInstanceLock()) {
  // Another Trayphone runs: it receives our argv through `second-instance`.
  app.quit();
} else {
  app.setAppUserModelId('app.trayphone.desktop');
  app.on('second-instance', (_event, argv) => desktop?.secondInstance(argv));
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (desktop) desktop.openUrl(url);
    else pendingUrls.push(url);
  });
  app.on('web-contents-created', (_event, contents) => {
    harden(contents);
  });
  // Closing every window leaves the app in the tray.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => desktop?.trayAction('open'));
  app.on('before-quit', (event) => {
    // Cmd+Q, OS logout, an installer: end calls cleanly first (DesktopApp.quit exits after).
    if (desktop && !desktop.isQuitting) {
      event.preventDefault();
      void desktop.quit();
    }
  });
  app.on('will-quit', () => {
    globalShortcut.unregisterAll();
  });
  app.whenReady().then(start, (error: unknown) => {
    log.error({ err: error }, 'startup failed');
    app.exit(1);
  });
}

/**
 * tel:/sip:/sips:/callto: as the OS handler, only while click-to-call is on and only packaged
 * (shell/protocol-claims.ts). `trayphone:` is declared by the installer (electron-builder
 * `protocols`, the macOS Info.plist, the Linux .desktop file) and never claimed at run time.
 */
function clickToCallClaims(): ProtocolClaims {
  const recordFile = path.join(app.getPath('userData'), 'click-to-call.json');
  return new ProtocolClaims({
    client: {
      isDefault: (scheme) => app.isDefaultProtocolClient(scheme),
      claim: (scheme) => app.setAsDefaultProtocolClient(scheme),
      release: (scheme) => app.removeAsDefaultProtocolClient(scheme),
    },
    record: {
      read: () => {
        const text = nodeSettingsFs.readText(recordFile);
        return text === null ? undefined : (JSON.parse(text) as unknown);
      },
      write: (schemes) => {
        writeFileSync(recordFile, JSON.stringify(schemes));
      },
    },
    packaged: app.isPackaged,
    log,
  });
}

function harden(contents: WebContents): void {
  const block = (event: { url: string; preventDefault(): void }): void => {
    if (isAllowedNavigation(event.url, origins)) return;
    event.preventDefault();
    log.warn({ url: event.url.slice(0, 200) }, 'navigation blocked');
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  // No reload key in any window (it would cut the call audio); DevTools keys only unpackaged.
  guardInput(contents, { packaged: app.isPackaged, log });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn({ url: url.slice(0, 200) }, 'window.open blocked');
    return { action: 'deny' };
  });
}

function senderOf(event: IpcMainInvokeEvent): SenderFrame | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { url: frame.url, isMainFrame: frame.parent === null && frame === event.sender.mainFrame };
}

function readPolicyFile(file: string): Uint8Array | null {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function applyLoginItem(plan: LoginItemPlan): void {
  if (plan.kind === 'login-item') {
    app.setLoginItemSettings(plan.settings);
    return;
  }
  if (plan.content === null) rmSync(plan.file, { force: true });
  else {
    mkdirSync(path.dirname(plan.file), { recursive: true });
    writeFileSync(plan.file, plan.content);
  }
}

async function start(): Promise<void> {
  const ses = session.defaultSession;
  log.info({}, describeCrashReporting(crashReporting, app.getPath('crashDumps')));
  const allowInsecure = policy.policy?.allowInsecureServer === true;
  // A corrupt trayphone.json is moved aside (trayphone.json.corrupt-<time>): start from defaults.
  const settingsStore = openSettingsStore(
    path.join(app.getPath('userData'), 'trayphone.json'),
    () => new Store<Record<string, unknown>>({ name: 'trayphone' }),
    nodeSettingsFs,
    log,
    Date.now,
  );
  const desktopStore = new DesktopStore(
    {
      read: () => settingsStore.store,
      write: (document: SettingsDocument) => {
        settingsStore.store = document;
      },
    },
    policy,
    new TokenVault(safeStorage, log),
    log,
  );
  const openSignalingSocket = signalingSocketFactory({
    resolveProxy: (url) => ses.resolveProxy(url),
    ca: signalingCa(log),
    log,
  });
  const softphone = new Softphone({
    shell: 'electron',
    // Plain http/ws only to loopback (or a lab's explicit policy): checked on every request.
    // Chromium's stack (net.fetch): the system proxy, PAC, proxy authentication, the OS's CAs.
    fetch: async (url, init) => {
      assertSecureServerUrl(url, allowInsecure);
      return net.fetch(url, init);
    },
    // ws in Node: the system proxy through resolveProxy and a CONNECT tunnel, the OS's CAs
    // added to Node's (net/signaling-socket.ts).
    createSocket: (url) => {
      assertSecureServerUrl(url, allowInsecure);
      return openSignalingSocket(url);
    },
    store: desktopStore.store,
    secretStore: desktopStore.secretStore,
    device: {
      name: os.hostname().slice(0, 100) || 'Desktop',
      platform:
        process.platform === 'win32'
          ? 'windows'
          : process.platform === 'darwin'
            ? 'macos'
            : 'linux',
    },
    settingsProvider: desktopStore.settingsProvider,
    policyProvider: desktopStore.policyProvider,
    defaultSettings: desktopStore.defaultSettings(),
    logger: log,
  });
  await softphone.start();
  const settings = new SettingsWatch();

  serveAppProtocol(ses, paths, origins, () => [settings.current().serverUrl]);
  installSessionHandlers(ses, {
    origins,
    log,
    picker: {
      pick: (entries) => desktop?.sourcePicker.pick(entries) ?? Promise.resolve(null),
    },
  });

  // Pushes reach every window of ours (the main window and ringing windows).
  for (const event of SOFTPHONE_EVENT_NAMES) {
    softphone.on(event, (data) => {
      for (const window of BrowserWindow.getAllWindows()) {
        const contents = window.webContents;
        if (!contents.isDestroyed() && isOwnRendererUrl(contents.getURL(), origins)) {
          contents.send(softphoneEventChannel(event), data);
        }
      }
    });
  }

  const windowPort = mainWindowPort(() => mainWindow);
  // Auto-update: the policy's feed, gated so that an update never installs during a call.
  const updates = new AutoUpdate({
    config: resolveUpdateConfig({
      policy: policy.policy,
      scope: installScope(process.platform, process.execPath, process.env),
      packaged: app.isPackaged,
    }),
    updater: electronUpdaterPort(autoUpdater, log),
    timers: realTimers,
    log,
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    onStatus: (status) => windowPort.updateStatus?.(status),
  });
  softphone.on('snapshot', (snapshot) => {
    updates.onSnapshot(snapshot);
  });
  const app_ = new DesktopApp({
    softphone,
    settings,
    mainWindow: windowPort,
    ringingWindows: new RingingWindowStack(
      ringingWindowFactory(
        (options) => new BrowserWindow(options),
        () => screen.getPrimaryDisplay().workArea,
        { paths, devTools: !app.isPackaged },
      ),
    ),
    notifier: notifierPort(paths),
    tray: trayPort(
      paths,
      (action, callId) => {
        app_.trayAction(action, callId);
      },
      () => {
        windowPort.show();
      },
    ),
    shortcuts: globalShortcut,
    applyLoginItem,
    platform: {
      os: process.platform,
      execPath: process.execPath,
      configHome: process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'),
      appArgs: app.isPackaged ? [] : [app.getAppPath()],
      wayland: isWaylandSession(process.platform, process.env),
      appImage: process.env.APPIMAGE,
    },
    isTrustedSender: (frame) => isTrustedSender(frame, origins),
    // Electron's default menu reloads and opens DevTools: ours does neither (windows/app-menu.ts).
    applicationMenu: (language) => {
      const template = applicationMenuTemplate(process.platform, language);
      Menu.setApplicationMenu(template ? Menu.buildFromTemplate(template) : null);
    },
    // A hung or crash-looping window's question: not parented to that window (it may be dead).
    dialog: {
      ask: async (spec, signal) =>
        (await dialog.showMessageBox({ ...spec, noLink: true, ...(signal ? { signal } : {}) }))
          .response,
    },
    openLogsFolder: () => {
      void shell.openPath(logsFolder()).then((error) => {
        if (error) log.warn({ error }, 'the logs folder could not be opened');
      });
    },
    exit: () => {
      // Calls are ended by now: a downloaded update installs instead of a plain exit (its
      // installer quits the app); if it does not within 10 s, exit anyway.
      if (updates.installOnQuit()) {
        setTimeout(() => {
          app.exit(0);
        }, 10_000).unref();
        return;
      }
      app.exit(0);
    },
    updateStatus: () => updates.status(),
    power: {
      on: (event, listener) => powerMonitor.on(event as 'shutdown', listener),
      removeListener: (event, listener) =>
        powerMonitor.removeListener(event as 'shutdown', listener),
    },
    network: { isOnline: () => net.isOnline() },
    // GNOME / KDE only (power/os-do-not-disturb.ts): Windows and macOS expose no such state.
    doNotDisturb: doNotDisturbProbe(process.platform, process.env, execFilePort),
    clickToCall: clickToCallClaims(),
    // CRM screen pop: the `crmScreenPop` setting, or the IT policy's (which wins and locks it).
    screenPop: {
      settings: () => settings.current().crmScreenPop,
      openExternal: (url) => {
        shell.openExternal(url).catch((error: unknown) => {
          log.warn({ err: error }, 'screen pop could not be opened');
        });
      },
    },
    timers: realTimers,
    log,
  });
  desktop = app_;
  for (const channel of app_.router.channels()) {
    ipcMain.handle(channel, (event, payload: unknown) =>
      app_.router.handle(channel, senderOf(event), payload),
    );
  }

  mainWindow = createMainWindow((options) => new BrowserWindow(options), {
    paths,
    icon: appIcon(paths),
    devTools: !app.isPackaged,
  });
  mainWindow.on('close', (event) => {
    // Closing hides to the tray: calls go on. Only quitting (or the OS ending the session)
    // closes for real.
    if (app_.mainWindowCloseAction() === 'hide') {
      event.preventDefault();
      mainWindow?.hide();
    }
  });
  // A crashed renderer is reloaded (the call lives here, in main); a hung one, asked about.
  watchMainRenderer(mainWindow, {
    gone: (details) => {
      app_.mainRendererGone(details);
    },
    hung: (hung) => {
      app_.mainRendererHung(hung);
    },
  });
  // Windows logoff / shutdown: `before-quit` does not fire. Never preventDefault here (that
  // would block the logoff); end calls at once, the window may then close, and the app exits.
  mainWindow.on('query-session-end', () => {
    void app_.osShutdown('query-session-end');
  });
  mainWindow.on('session-end', () => {
    void app_.osShutdown('session-end');
  });
  await app_.start(process.argv);
  updates.start();
  for (const url of pendingUrls.splice(0)) app_.openUrl(url);
  log.info({ version: app.getVersion() }, 'Trayphone started');
}
