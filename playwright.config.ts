import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/support/chromium.js';

/**
 * The browser suites (e2e/**\/*.e2e.test.ts) on Playwright's runner; the Node suites stay on
 * Vitest (vitest.config.ts). `npm test` runs both (scripts/run-tests.sh). One project per area:
 * `npx playwright test --project web`. Failures keep a trace and a screenshot of every page under
 * test-results/playwright/; the HTML report goes to playwright-report/ (both git-ignored).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.test.ts',
  globalSetup: './e2e/support/global-setup.ts',
  // Not test-results/ itself: Playwright empties its output folder, and the suites' screenshots
  // of every main screen (test-results/screenshots) outlive a run of another project.
  outputDir: 'test-results/playwright',
  // The suites measure media and timeouts on a shared two-core machine: one at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    // scripts/run-tests.sh reads the counts from here for its one summary line.
    ...(process.env.TRAYPHONE_PLAYWRIGHT_JSON
      ? [['json', { outputFile: process.env.TRAYPHONE_PLAYWRIGHT_JSON }] as const]
      : []),
  ],
  // Vitest's default for expect.poll, which the assertions were written against.
  expect: { timeout: 1_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    // Debian's Chromium (never a downloaded build), with fake media devices.
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
    // playwright-core's defaults, which the suites ran with before (the runner's are none).
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
    // Without the screencast: several pages decode live video on two shared cores.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: true },
    screenshot: { mode: 'only-on-failure', fullPage: true },
  },
  projects: [
    {
      name: 'web',
      testDir: 'e2e/web',
      testIgnore: '**/seat-calling.e2e.test.ts',
    },
    { name: 'media', testDir: 'e2e/media' },
    {
      name: 'seat-calling',
      testMatch: ['**/contact-center/**/*.e2e.test.ts', '**/web/seat-calling.e2e.test.ts'],
    },
    { name: 'electron', testDir: 'e2e/electron' },
  ],
});
