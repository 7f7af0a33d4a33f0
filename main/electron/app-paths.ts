import { APP_ORIGIN } from '../security/origins.js';

/** Where the built app's parts are (out/, resources/), and the dev server in development. */
export interface AppPaths {
  /** Built renderer (index.html). */
  renderer: string;
  /** resources/ (tray and app icons, sounds). */
  resources: string;
  /** The bundled preload (CommonJS). */
  preload: string;
  /** electron-vite's dev server, in development. */
  devServerUrl?: string;
}

/** The URL of a renderer route (`''` = the app root, `/ringing/<id>` = a ringing window). */
export function rendererUrl(paths: AppPaths, route: string): string {
  const base = paths.devServerUrl ?? `${APP_ORIGIN}/index.html`;
  return route === '' ? base : `${base.replace(/#.*$/, '')}#${route}`;
}
