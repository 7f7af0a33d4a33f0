import path from 'node:path';
import { type TrustedOrigins, isOwnRendererUrl } from './origins.js';

/**
 * The renderer's web security, as pure decisions: the Content-Security-Policy, which navigations
 * and permissions are allowed, and which file an `app://` request may read.
 */

/** The http(s) and ws(s) origins of the configured server, for `connect-src`. */
export function serverOrigins(serverUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return [];
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const plain = url.protocol === 'http:' || url.protocol === 'ws:';
  if (!secure && !plain) return [];
  // The host as written, with the port; nothing a URL could smuggle (paths, quotes, spaces).
  const host = url.host;
  if (!/^[a-z0-9.\-[\]:]+$/i.test(host)) return [];
  return secure ? [`https://${host}`, `wss://${host}`] : [`http://${host}`, `ws://${host}`];
}

/**
 * A strict CSP: our own scripts only, no eval, no plugins, no framing, and network access only to
 * the configured server (signaling, SFU WebSocket, REST). Inline styles are allowed because React
 * and CSS-in-JS set them; inline scripts are not.
 */
export function contentSecurityPolicy(serverUrls: readonly string[], dev?: string): string {
  const connect = new Set<string>(["'self'"]);
  for (const url of serverUrls) for (const origin of serverOrigins(url)) connect.add(origin);
  const self = ["'self'"];
  if (dev) {
    // Vite's dev server: its modules and the HMR WebSocket.
    self.push(dev);
    connect.add(dev.replace(/^http/, 'ws'));
  }
  return [
    "default-src 'none'",
    `script-src ${self.join(' ')}`,
    `style-src ${self.join(' ')} 'unsafe-inline'`,
    `img-src ${self.join(' ')} data: blob:`,
    `font-src ${self.join(' ')} data:`,
    `media-src ${self.join(' ')} blob: mediastream:`,
    `connect-src ${[...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self' blob:",
  ].join('; ');
}

/** In-app navigation: only within our renderer (hash routes, reloads). Everything else is blocked. */
export const isAllowedNavigation = (url: string, origins: TrustedOrigins): boolean =>
  isOwnRendererUrl(url, origins);

export interface PermissionQuery {
  permission: string;
  /** The URL of the frame asking. */
  requestingUrl: string;
  isMainFrame: boolean;
}

/**
 * Permissions: camera/microphone (`media`) and choosing the audio output (`speaker-selection`,
 * for setSinkId on the ringing device) to our own renderer's main frame; nothing else, to no one.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'speaker-selection']);

export function permissionGranted(query: PermissionQuery, origins: TrustedOrigins): boolean {
  return (
    GRANTED_PERMISSIONS.has(query.permission) &&
    query.isMainFrame &&
    isOwnRendererUrl(query.requestingUrl, origins)
  );
}

/**
 * Maps an `app://trayphone/<path>` request to a file under one of the roots, or undefined. The
 * first path segment picks the root (`/shell/...` → resources, anything else → the renderer);
 * `..`, encoded slashes and absolute paths cannot leave it.
 */
export function resolveAppRequest(
  requestUrl: string,
  roots: { renderer: string; shell: string },
  origins: Pick<TrustedOrigins, 'app'>,
): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (`${url.protocol}//${url.host}` !== origins.app) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const segments = pathname.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return undefined;
  let root = roots.renderer;
  if (segments[0] === 'shell') {
    root = roots.shell;
    segments.shift();
  }
  if (segments.length === 0) segments.push('index.html');
  const file = path.resolve(root, ...segments);
  const base = path.resolve(root);
  return file.startsWith(base + path.sep) ? file : undefined;
}

/**
 * Content types of what app:// serves, by extension. Set explicitly rather than left to the file
 * fetch, because every response says `nosniff`: the ringtones (audio/wav) must be typed right.
 */
const APP_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.woff2': 'font/woff2',
};

export const appContentType = (file: string): string | undefined =>
  APP_CONTENT_TYPES[path.extname(file).toLowerCase()];
