import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web build of the renderer: `renderer/index.html` in, `dist/web` out, served by the server
 * at `/`. Electron's build (electron.vite.config.ts) uses the same entry.
 */
const root = import.meta.dirname;
export const WEB_OUT_DIR = path.resolve(root, '../dist/web');

export default defineConfig({
  root,
  // Absolute: index.html is also the answer for deep paths (client routes), where a relative
  // `./assets/...` would point below them. Electron's own build loads from files instead.
  base: '/',
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: WEB_OUT_DIR,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // Strict CSP: no inlined data: scripts and no module-preload polyfill script.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: { host: '127.0.0.1' },
});
