import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * The desktop build: `npm run build:desktop` (electron-vite build) → out/main, out/preload,
 * out/renderer; `npm run dev:desktop` serves the renderer with HMR. Our folders are top-level
 * (main/, preload/, renderer/), so every entry is explicit.
 */
const here = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(here, 'out/main'),
      // ws, electron-store, electron-log stay in node_modules (packaged by electron-builder).
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve(here, 'main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: resolve(here, 'out/preload'),
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
      outDir: resolve(here, 'out/renderer'),
      target: 'chrome120',
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      rollupOptions: { input: { index: resolve(here, 'renderer/index.html') } },
    },
    server: { host: '127.0.0.1' },
  },
});
