import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{protocol,core,server,main,preload,renderer,scripts,e2e,bench}/**/*.test.{ts,tsx}'],
    // The browser suites run on Playwright's runner (playwright.config.ts).
    exclude: [...configDefaults.exclude, 'e2e/**/*.e2e.test.ts'],
    // Integration tests start real servers on loopback: keep them isolated per file.
    pool: 'forks',
    // Fails a test during which a test client received a frame outside the protocol.
    setupFiles: ['server/testing/frame-conformance-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
