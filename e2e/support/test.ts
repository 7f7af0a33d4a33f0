import { type Browser, test as base, expect as playwrightExpect } from '@playwright/test';
import { assertFrameConformance } from '../../server/testing/frame-conformance.js';

/**
 * How often `expect.poll` probes unless a test says otherwise: every 50 ms, as under Vitest, where
 * the suites were written. Playwright backs off (100, 250, 500, 1000 ms), and within the default
 * one-second deadline (playwright.config.ts) it would miss a level that rises for a moment.
 */
const POLL_INTERVAL_MS = 50;

type PollOptions = { message?: string; timeout?: number; intervals?: number[] };

function poll<T>(actual: () => T | Promise<T>, messageOrOptions: string | PollOptions = {}) {
  const options =
    typeof messageOrOptions === 'string' ? { message: messageOrOptions } : messageOrOptions;
  return playwrightExpect.poll(actual, { intervals: [POLL_INTERVAL_MS], ...options });
}

/** Playwright's `expect`, its `poll` probing every POLL_INTERVAL_MS by default. */
export const expect: typeof playwrightExpect = new Proxy(playwrightExpect, {
  get: (target, key, receiver): unknown =>
    key === 'poll' ? poll : (Reflect.get(target, key, receiver) as unknown),
});

/**
 * Playwright's `test` with the check Vitest's setup file (server/testing/frame-conformance-setup.ts)
 * makes for the Node suites: a test during which a test client received a frame outside the
 * protocol fails, and so does the worker when one arrived after its last test.
 */
export const test = base.extend<
  { frameConformance: undefined },
  { lateFrameConformance: undefined }
>({
  frameConformance: [
    // Playwright reads the fixtures a fixture needs from this pattern: none here.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(undefined);
      // Torn down after the test's afterEach hooks: frames received while it tears down count.
      assertFrameConformance('during this test');
    },
    { auto: true },
  ],
  lateFrameConformance: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(undefined);
      assertFrameConformance('after the last test of this worker');
    },
    { auto: true, scope: 'worker' },
  ],
});

/**
 * Closes every context still open in the worker's browser: a suite's afterAll, since the browser
 * outlives the suite (one per worker) and pages left playing media would load the next suite.
 */
export async function closeContexts(browser: Browser): Promise<void> {
  await Promise.all(browser.contexts().map((c) => c.close().catch(() => undefined)));
}
