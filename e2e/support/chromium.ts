import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium, installed by scripts/setup; never a downloaded browser build. */
export const CHROMIUM_PATH = process.env.TRAYPHONE_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser suites cannot run here, or undefined when they can. */
export function chromiumMissingReason(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `no Chromium at ${CHROMIUM_PATH} (run scripts/setup as root, or set TRAYPHONE_CHROMIUM)`;
}

/**
 * For a Vitest suite that needs Chromium: the reason it cannot run here, printed once as the
 * suite's skip reason (a skip must say why), or undefined when it can.
 */
export function chromiumSkipReason(suite: string): string | undefined {
  const missing = chromiumMissingReason();
  if (missing) process.stdout.write(`${suite} skipped: ${missing}\n`);
  return missing;
}

/**
 * Chromium's switches for every browser test: fake camera and microphone, and the background
 * networking that this machine's closed network would refuse turned off. playwright.config.ts
 * launches the browser suites' Chromium with them too.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Let the media flow in background tabs too: every page of a test is "hidden" but one.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
  '--autoplay-policy=no-user-gesture-required',
];

/** Headless Chromium with CHROMIUM_ARGS, for the tests outside Playwright's runner. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

export async function newMediaContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ permissions: ['microphone', 'camera'] });
}
