import { readdirSync } from 'node:fs';
import path from 'node:path';
import { WEB_DIR } from '../../scripts/build-web.js';
import { SOUND_NAMES } from '../../scripts/generate-resources.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { chromiumMissingReason } from '../support/chromium.js';
import { closeContexts, expect, test } from '../support/test.js';

/**
 * The web build ships the generated sounds (renderer/call/sounds.ts imports them as Vite assets),
 * and the server serves them so that the page may play them: `audio/wav`, allowed by its CSP.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`web sounds suite skipped: ${missing}`);

let t: TestServer;

test.describe('web client sounds', () => {
  test.skip(missing !== undefined, missing);
  // The web client is built by the global setup (e2e/support/global-setup.ts).
  test.beforeAll(async () => {
    test.setTimeout(60_000);
    t = await startTestServer({ webRoot: WEB_DIR });
  });
  test.afterAll(async ({ browser }) => {
    await closeContexts(browser);
    await t.dispose();
  });

  test('every generated sound is in the build, served as audio/wav, and plays in the page', async ({
    browser,
  }) => {
    const wavs = readdirSync(path.join(WEB_DIR, 'assets')).filter((f) => f.endsWith('.wav'));
    // Hashed names: `<sound>-<hash>.wav`, one per sound the generator makes.
    expect(wavs.map((f) => f.replace(/-[\w-]{8}\.wav$/, '')).sort()).toEqual(
      [...SOUND_NAMES].sort(),
    );
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(`${t.server.httpUrl}/`);
    for (const wav of wavs) {
      const response = await fetch(`${t.server.httpUrl}/assets/${wav}`);
      expect(response.headers.get('content-type'), wav).toBe('audio/wav');
      const played = await page.evaluate(async (src) => {
        const audio = new Audio(src);
        audio.loop = true;
        await audio.play();
        await new Promise((resolve) => setTimeout(resolve, 400));
        audio.pause();
        return { time: audio.currentTime, error: audio.error?.code ?? 0 };
      }, `/assets/${wav}`);
      expect(played.error, wav).toBe(0);
      expect(played.time, wav).toBeGreaterThan(0.1);
    }
    expect(problems).toEqual([]);
  });
});
