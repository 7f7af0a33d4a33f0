import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../../e2e/support/bundle.js';
import { chromiumSkipReason, launchChromium } from '../../e2e/support/chromium.js';
import type { SoftphoneSnapshot } from '../../protocol/index.js';
import type { Route } from '../../server/http/http-kit.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import type { Softphone } from './softphone.js';
import { closePhones, password, testPhone } from './testing/softphone-fixture.js';

const missing = chromiumSkipReason('softphone browser suite');

declare const window: {
  harness: { softphone: Softphone; snapshots: SoftphoneSnapshot[]; errors: string[] };
};

const PAGE = '/softphone-harness.html';
const SCRIPT = '/softphone-harness.js';
let t: TestServer;
let browser: Browser;

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string) {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() - start > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lastSnapshot = (page: Page) => page.evaluate(() => window.harness.snapshots.at(-1) ?? null);

describe.skipIf(missing !== undefined)(
  'the web client softphone in Chromium',
  { timeout: 60_000 },
  () => {
    beforeAll(async () => {
      const script = await bundleForBrowser(
        path.join(import.meta.dirname, 'testing/browser-harness.ts'),
      );
      // Served by the Trayphone server itself, as the web client is: `location.origin` is the server.
      const route: Route = (_req, res, url) => {
        if (url.pathname === PAGE) {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(`<!doctype html><html><body><script src="${SCRIPT}"></script></body></html>`);
        } else if (url.pathname === SCRIPT) {
          res.writeHead(200, { 'content-type': 'text/javascript' });
          res.end(script);
        } else return Promise.resolve(false);
        return Promise.resolve(true);
      };
      t = await startTestServer({}, { routes: [route] });
      await t.addUser('alice');
      await t.addUser('bob');
      browser = await launchChromium();
    }, 60_000);
    afterAll(async () => {
      await closePhones();
      await browser.close();
      await t.dispose();
    });

    it('signs in from the page, answers a call, and stays signed in across a reload', async () => {
      const page = await (await browser.newContext()).newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${t.server.httpUrl}${PAGE}`);

      const account = await page.evaluate(
        (pass) =>
          window.harness.softphone.signIn({
            serverUrl: location.origin,
            userId: 'bob',
            password: pass,
          }),
        password('bob'),
      );
      expect(account.userId).toBe('bob');
      await until(
        () => lastSnapshot(page),
        (s) => s?.connection === 'connected',
        'page connected',
      );

      // A call from a Node softphone rings in the page; the page answers with video.
      const alice = testPhone();
      await alice.sp.signIn({
        serverUrl: t.server.httpUrl,
        userId: 'alice',
        password: password('alice'),
      });
      const { callId } = await alice.sp.call({ callees: ['bob'], media: 'video' });
      await until(
        () => lastSnapshot(page),
        (s) => s?.calls.some((c) => c.callId === callId && c.state === 'ringing') === true,
        'ringing in the page',
      );
      await page.evaluate(
        (id) => window.harness.softphone.accept({ callId: id, media: 'video' }),
        callId,
      );
      await alice.until((s) => s.calls.some((c) => c.callId === callId && c.state === 'active'));
      const active = await until(
        () => lastSnapshot(page),
        (s) => s?.calls.some((c) => c.callId === callId && c.state === 'active') === true,
        'active in the page',
      );
      expect(active?.calls.find((c) => c.callId === callId)?.localMedia).toBe('video');
      await alice.sp.hangup({ callId });

      // A reload keeps the session (localStorage) and the tab's device (sessionStorage).
      await page.reload();
      const restored = await until(
        () => lastSnapshot(page),
        (s) => s?.connection === 'connected',
        'reconnected after reload',
      );
      expect(restored?.account?.userId).toBe('bob');
      expect(await page.evaluate(() => window.harness.errors)).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  },
);
