/**
 * Which pages are "our renderer". The app serves its renderer from the privileged `app://`
 * scheme (a real origin: stable device ids, CSP headers, no file:// ambient authority); in
 * development electron-vite serves it from a loopback dev server instead.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'trayphone';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export interface TrustedOrigins {
  /** `app://trayphone`, always. */
  app: string;
  /** The electron-vite dev server (`ELECTRON_RENDERER_URL`), in development only. */
  dev?: string;
}

/** The origin of the dev server URL, accepted only on loopback over http. */
export function devOrigin(rendererUrl: string | undefined): string | undefined {
  if (!rendererUrl) return undefined;
  try {
    const url = new URL(rendererUrl);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    return url.protocol === 'http:' && loopback ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `url` is a page of our own renderer (exact origin match, nothing looser). */
export function isOwnRendererUrl(url: string, origins: TrustedOrigins): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // `new URL('app://trayphone/x').origin` is 'null' for non-special schemes: compare parts.
  if (parsed.protocol === `${APP_SCHEME}:`) {
    return `${parsed.protocol}//${parsed.host}` === origins.app && parsed.username === '';
  }
  return origins.dev !== undefined && parsed.origin === origins.dev;
}

/** The frame an IPC message came from (Electron's `event.senderFrame`), reduced to what counts. */
export interface SenderFrame {
  url: string;
  /** The top frame of its window (not an iframe, however it got there). */
  isMainFrame: boolean;
}

export function isTrustedSender(frame: SenderFrame | null, origins: TrustedOrigins): boolean {
  return frame !== null && frame.isMainFrame && isOwnRendererUrl(frame.url, origins);
}
