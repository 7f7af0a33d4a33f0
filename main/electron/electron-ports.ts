/**
 * The thin Electron layer: each function turns one Electron API into a port of main's plain
 * modules. No decisions are made here; they live in the modules these ports feed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Menu,
  type MenuItemConstructorOptions,
  type NativeImage,
  Notification,
  Tray,
  app,
  nativeImage,
  net,
  type Session,
} from 'electron';
import electronLog from 'electron-log/main';
import { type Log, type LogFields, formatLine } from '../log/log.js';
import { toastActions } from '../notifications/toast-actions.js';
import { type Closable, type NotifierPort } from '../ringing/ringing-coordinator.js';
import type { TrustedOrigins } from '../security/origins.js';
import {
  appContentType,
  contentSecurityPolicy,
  resolveAppRequest,
} from '../security/web-policy.js';
import type { TrayPort } from '../tray/tray-controller.js';
import type { TrayAction, TrayModel } from '../tray/tray-model.js';
import type { AppPaths } from './app-paths.js';

// ---- logging -------------------------------------------------------------------------------

/** electron-log to `<userData>/logs/main.log`, rotated at 5 MB; every call line carries its id. */
export function electronLogPort(): Log {
  electronLog.transports.file.maxSize = 5 * 1024 * 1024;
  electronLog.transports.file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}';
  const line = (level: 'debug' | 'info' | 'warn' | 'error') => (f: LogFields, m: string) => {
    electronLog[level](formatLine(f, m));
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** The folder of main.log (electron-log's own choice per platform): the "Open logs" target. */
export function logsFolder(): string {
  return path.dirname(electronLog.transports.file.getFile().path);
}

// ---- the app:// protocol --------------------------------------------------------------------

/**
 * Serves the renderer and resources under `app://trayphone`, each response with the CSP header.
 * `serverUrls` is read per request, so a new server URL applies at the next load.
 */
export function serveAppProtocol(
  ses: Session,
  paths: AppPaths,
  origins: TrustedOrigins,
  serverUrls: () => string[],
): void {
  ses.protocol.handle('app', async (request) => {
    const file = resolveAppRequest(
      request.url,
      { renderer: paths.renderer, shell: paths.resources },
      origins,
    );
    if (!file) return new Response('not found', { status: 404 });
    let response: Response;
    try {
      response = await net.fetch(pathToFileURL(file).toString());
    } catch {
      return new Response('not found', { status: 404 });
    }
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', contentSecurityPolicy(serverUrls()));
    headers.set('X-Content-Type-Options', 'nosniff');
    const type = appContentType(file);
    if (type) headers.set('Content-Type', type);
    return new Response(response.body, { status: response.status, headers });
  });
  if (origins.dev !== undefined) {
    // The dev server's responses get the same CSP (plus the dev origin itself).
    const dev = origins.dev;
    ses.webRequest.onHeadersReceived({ urls: [`${dev}/*`] }, (details, callback) => {
      callback({
        responseHeaders: {
          ...details.responseHeaders,
          'Content-Security-Policy': [contentSecurityPolicy(serverUrls(), dev)],
        },
      });
    });
  }
}

/** The app icon for windows. */
export const appIcon = (paths: AppPaths): NativeImage =>
  nativeImage.createFromPath(path.join(paths.resources, 'icons', 'icon-512.png'));

// ---- tray, notifications ---------------------------------------------------------------------

export function trayPort(
  paths: AppPaths,
  onAction: (action: TrayAction, callId?: string) => void,
  onClick: () => void,
): TrayPort & { destroy(): void } {
  const image = (icon: string) => {
    const img = nativeImage.createFromPath(path.join(paths.resources, 'tray', `${icon}-16.png`));
    const hi = readFileSync(path.join(paths.resources, 'tray', `${icon}-32.png`));
    img.addRepresentation({ scaleFactor: 2, buffer: hi });
    return img;
  };
  const tray = new Tray(image('offline'));
  tray.on('click', onClick);
  let lastMenu = '';
  let lastIcon = '';
  const toTemplate = (model: TrayModel): MenuItemConstructorOptions[] =>
    model.menu.map((item) =>
      item.kind === 'separator'
        ? { type: 'separator' }
        : {
            type: item.kind === 'radio' ? 'radio' : 'normal',
            label: item.label,
            enabled: item.enabled,
            ...(item.kind === 'radio' ? { checked: item.checked } : {}),
            click: () => {
              onAction(item.action, item.kind === 'item' ? item.callId : undefined);
            },
          },
    );
  return {
    render: (model) => {
      if (model.icon !== lastIcon) {
        lastIcon = model.icon;
        tray.setImage(image(model.icon));
      }
      tray.setToolTip(model.tooltip);
      if (process.platform === 'darwin') tray.setTitle(model.title);
      const menuKey = JSON.stringify(model.menu);
      if (menuKey !== lastMenu) {
        lastMenu = menuKey;
        tray.setContextMenu(Menu.buildFromTemplate(toTemplate(model)));
      }
    },
    setBadgeCount: (count) => {
      // macOS dock and Linux Unity launchers; a no-op elsewhere (the tooltip carries the count).
      app.setBadgeCount(count);
    },
    destroy: () => {
      tray.destroy();
    },
  };
}

/**
 * Electron's Notification rather than node-notifier: native on all three OSes without shipping
 * helper binaries (SnoreToast, terminal-notifier) that must be unpacked from the asar and signed;
 * click events arrive in-process; the app's AppUserModelId and icon are used.
 */
export function notifierPort(paths: AppPaths): NotifierPort {
  const live = new Set<Notification>(); // kept referenced, or GC may drop click handlers
  return {
    show: (spec): Closable => {
      if (!Notification.isSupported()) return { close: () => undefined };
      const buttons = toastActions(process.platform, spec.actions);
      const n = new Notification({
        ...(buttons ? { actions: buttons.actions } : {}),
        title: spec.title,
        body: spec.body,
        silent: spec.silent,
        // The OS reads this file itself: point at the unpacked copy (electron-builder asarUnpack).
        icon: path
          .join(paths.resources, 'icons', 'icon-512.png')
          .replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'),
        ...(spec.kind === 'incoming' ? { urgency: 'critical', timeoutType: 'never' } : {}),
      });
      live.add(n);
      n.on('click', spec.onClick);
      if (buttons) {
        n.on('action', (_event, index) => {
          buttons.onAction(index);
        });
      }
      n.on('close', () => live.delete(n));
      n.show();
      return {
        close: () => {
          n.close();
          live.delete(n);
        },
      };
    },
  };
}
