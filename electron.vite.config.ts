import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * The desktop build: `npm run build:desktop` (electron-vite build) → out/main, out/preload,
 * out/renderer; `npm run dev:desktop` serves the renderer with HMR. Our folders are top-level
 * (main/, preload/, renderer/), so every entry is explicit.
 */
const here = import.meta.dirname;
// The packaging test builds into its own directory (out/ may be in use by the e2e suite).
const outRoot = process.env.TRAYPHONE_DESKTOP_OUT ?? resolve(here, 'out');

export default defineConfig({
  main: {
    build: {
      outDir: resolve(outRoot, 'main'),
      // main's runtime packages (ws, electron-store, electron-log, zod, core/, protocol/) are
      // bundled in: the installer carries no node_modules at all (electron-builder.yml `files`),
      // so none of the server's packages can leak into it. Only Electron itself stays external.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(here, 'main/index.ts') },
        external: ['electron', /^electron\//],
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(outRoot, 'preload'),
      // A sandboxed preload can require nothing but 'electron': bundle zod and protocol/ in,
      // as one CommonJS file (sandboxed preloads cannot be ES modules).
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(here, 'preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    // The renderer helper owns renderer/ and its vite details; this mirrors renderer/vite.config.ts.
    root: resolve(here, 'renderer'),
    base: './',
    publicDir: false,
    plugins: [react()],
    build: {
      outDir: resolve(outRoot, 'renderer'),
      target: 'chrome120',
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rollupOptions: { input: { index: resolve(here, 'renderer/index.html') } },
    },
    server: { host: '127.0.0.1' },
  },
});
