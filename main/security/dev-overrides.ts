import { devOrigin } from './origins.js';

/**
 * What the environment may change in a development build: `TRAYPHONE_USER_DATA` (tests and
 * side-by-side profiles: another settings and session directory) and `ELECTRON_RENDERER_URL`
 * (electron-vite's dev server, loopback http only). A packaged app ignores both: its environment
 * never moves its data or swaps its renderer for another page that would get the preload's API.
 */
export interface DevOverrides {
  userData?: string;
  rendererUrl?: string;
}

export function devOverrides(
  packaged: boolean,
  env: Readonly<Record<string, string | undefined>>,
): DevOverrides {
  if (packaged) return {};
  const userData = env.TRAYPHONE_USER_DATA;
  const rendererUrl = env.ELECTRON_RENDERER_URL;
  return {
    ...(userData !== undefined && userData !== '' ? { userData } : {}),
    ...(devOrigin(rendererUrl) !== undefined && rendererUrl !== undefined ? { rendererUrl } : {}),
  };
}
