import type { Browser, Page } from 'playwright-core';
import type { Route } from '../../server/http/http-kit.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { bundleForBrowser } from './bundle.js';
import { newMediaContext } from './chromium.js';

/**
 * Browser harness pages shared by the media e2e suites: the page comes from the test server
 * itself, as the web client will (same loopback origin), and loads the bundled harness script.
 */

/** Bundles `entry` and serves it: an empty page at `htmlPath` that loads it from `scriptPath`. */
export async function harnessRoute(
  entry: string,
  htmlPath: string,
  scriptPath: string,
): Promise<Route> {
  const script = await bundleForBrowser(entry);
  return (_req, res, url) => {
    if (url.pathname === htmlPath) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html><body><script src="${scriptPath}"></script></body></html>`);
    } else if (url.pathname === scriptPath) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else return Promise.resolve(false);
    return Promise.resolve(true);
  };
}

/**
 * A test server with media on (one SFU worker) that serves the harness bundled from `entry`
 * at `htmlPath`/`scriptPath`, with these users.
 */
export async function startHarnessServer(
  entry: string,
  paths: { htmlPath: string; scriptPath: string },
  userIds: readonly string[],
): Promise<TestServer> {
  const harness = await harnessRoute(entry, paths.htmlPath, paths.scriptPath);
  const t = await startTestServer(
    { media: { enabled: true }, sfu: { workers: 1 } },
    { routes: [harness] },
  );
  for (const id of userIds) await t.addUser(id);
  return t;
}

/** A fresh context with camera and microphone allowed, on the harness page at `url`. */
export async function openHarnessPage(browser: Browser, url: string): Promise<Page> {
  const context = await newMediaContext(browser);
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    console.log(`page error: ${error.message}`);
  });
  await page.goto(url);
  return page;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every 200 ms until `ok` holds (media stats grow on their own clock). */
export async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() - start > timeoutMs)
      throw new Error(`condition not reached: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}
