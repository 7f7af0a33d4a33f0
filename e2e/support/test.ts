import { type Browser, test as base } from '@playwright/test';
import { assertFrameConformance } from '../../server/testing/frame-conformance.js';

export { expect } from '@playwright/test';

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
