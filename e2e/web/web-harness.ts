import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { WEB_DIR } from '../../scripts/build-web.js';
import { expect } from '../support/test.js';

/**
 * The web client end to end: the built client served by a real server (with the SFU), each user
 * a fresh Chromium context with fake camera and microphone, driven through the UI only.
 */

export const RING_TIMEOUT_MS = 8_000;
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/screenshots');

export interface WebWorld {
  t: TestServer;
  browser: Browser;
  /** Contexts opened by the running test only (extra devices, visitors): closed after it. */
  contexts: BrowserContext[];
  /**
   * One signed-in page per user, kept across tests: the server allows only so many password
   * sign-ins per minute from one address, and a person keeps the app open all day anyway.
   */
  users: Map<string, UserPage>;
  /** Console reports of Content-Security-Policy violations, from every page. */
  cspViolations: string[];
  /**
   * Every error toast any page showed and no test claimed with `expectToast`: a flow that
   * expects none fails on them (a person should never see an error in a normal call).
   */
  toasts: ShownToast[];
}

export interface ShownToast {
  userId: string;
  code: string;
  text: string;
}

/**
 * A server of the built client (e2e/support/global-setup.ts builds it) for these users; pages open
 * in `browser`, the test runner's, which outlives the world.
 */
export async function startWorld(
  browser: Browser,
  users: string[],
  calls: { rejoinWindowMs?: number } = {},
): Promise<WebWorld> {
  const t = await startTestServer({
    media: { enabled: true },
    sfu: { workers: 1 },
    webRoot: WEB_DIR,
    calls: { defaultRingTimeoutMs: RING_TIMEOUT_MS, connectTimeoutMs: 15_000, ...calls },
  });
  for (const id of users) await t.addUser(id, id.charAt(0).toUpperCase() + id.slice(1));
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return { t, browser, contexts: [], users: new Map(), cspViolations: [], toasts: [] };
}

export async function stopWorld(world: WebWorld | undefined): Promise<void> {
  if (!world) return;
  await Promise.all(
    [...world.contexts, ...[...world.users.values()].map((u) => u.page.context())].map((c) =>
      c.close().catch(() => undefined),
    ),
  );
  await world.t.dispose();
}

/**
 * Every RTCPeerConnection of the page, kept for getStats: the test reads what really arrives
 * without any hook in the product.
 */
const CAPTURE_PEER_CONNECTIONS = `
  (() => {
    const Native = window.RTCPeerConnection;
    const all = [];
    window.__pcs = all;
    window.RTCPeerConnection = function (...args) {
      const pc = new Native(...args);
      all.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Native.prototype;
    Object.setPrototypeOf(window.RTCPeerConnection, Native);
  })();
`;

/**
 * Reports each error toast as it appears (its code and text) to the test, through a binding:
 * nothing in the product is there for the test, and a reload keeps the record.
 */
const REPORT_TOASTS = `
  (() => {
    const seen = new WeakSet();
    const report = () => {
      for (const el of document.querySelectorAll('.toast')) {
        if (seen.has(el)) continue;
        seen.add(el);
        window.__toastShown(el.dataset.code ?? '', el.firstChild?.textContent ?? '');
      }
    };
    new MutationObserver(report).observe(document, { subtree: true, childList: true });
  })();
`;

export interface UserPage {
  userId: string;
  page: Page;
  errors: string[];
}

/** A fresh browser context (its own storage: a new device) with the client open, not signed in. */
export async function openClient(
  world: WebWorld,
  userId: string,
  options: { locale?: string; initScript?: string } = {},
): Promise<UserPage> {
  const context = await world.browser.newContext({
    permissions: ['microphone', 'camera'],
    locale: options.locale ?? 'en-US',
    viewport: { width: 1100, height: 760 },
  });
  world.contexts.push(context);
  await context.addInitScript({ content: CAPTURE_PEER_CONNECTIONS });
  await context.exposeFunction('__toastShown', (code: string, text: string) => {
    console.log(`[${userId}] error toast: ${code} ${text}`);
    world.toasts.push({ userId, code, text });
  });
  await context.addInitScript({ content: REPORT_TOASTS });
  if (options.initScript !== undefined)
    await context.addInitScript({ content: options.initScript });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => {
    errors.push(error.message);
    console.log(`[${userId}] page error: ${error.message}`);
  });
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) world.cspViolations.push(msg.text());
    if (msg.type() === 'error') console.log(`[${userId}] console: ${msg.text()}`);
  });
  await page.goto(`${world.t.server.httpUrl}/`);
  return { userId, page, errors };
}

export async function signIn(user: UserPage, password = `password-${user.userId}`): Promise<void> {
  const { page } = user;
  await page.locator('#signin-user').fill(user.userId);
  await page.locator('#signin-password').fill(password);
  await page.locator('form button[type=submit]').click();
  await page.locator('[data-testid=connection]').waitFor();
  await expect.poll(() => connection(user), { timeout: 10_000 }).toBe('connected');
}

/** The connection state the header shows (its class names the state). */
export const connection = (user: UserPage): Promise<string> => pageConnection(user.page);

/** The same, for a page opened outside a WebWorld. */
export const pageConnection = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const el = document.querySelector('.connection');
    return el?.className.replace(/.*connection-/, '') ?? 'none';
  });

/** Another device of a user: its own context, signed in, closed when the test ends. */
export async function openClientSignedIn(world: WebWorld, userId: string): Promise<UserPage> {
  const user = await openClient(world, userId);
  await signIn(user);
  return user;
}

/** The user's everyday page: opened and signed in on first use, then kept for later tests. */
export async function userPage(world: WebWorld, userId: string): Promise<UserPage> {
  const known = world.users.get(userId);
  if (known) return known;
  const user = await openClientSignedIn(world, userId);
  // Kept: move its context out of the per-test list.
  world.contexts.splice(world.contexts.indexOf(user.page.context()), 1);
  world.users.set(userId, user);
  return user;
}

/** After a failed test: everyone's pages go, so the next test starts clean. */
export async function dropUsers(world: WebWorld): Promise<void> {
  const pages = [...world.users.values()];
  world.users.clear();
  await Promise.all(
    pages.map((u) =>
      u.page
        .context()
        .close()
        .catch(() => undefined),
    ),
  );
}

export async function goTab(user: UserPage, tab: 'contacts' | 'dialer' | 'history' | 'settings') {
  await user.page.locator(`nav a[data-tab=${tab}]`).click();
  await user.page.locator(`#${tab}-title`).waitFor();
}

/** The dialer's two buttons, as a user of that language reads them. */
export const DIAL_BUTTONS = {
  en: { audio: 'Audio call', video: 'Video call' },
  'zh-CN': { audio: '语音通话', video: '视频通话' },
} as const;

/** Calls through the dialer: type the ids, press the audio or video button. */
export async function dial(
  user: UserPage,
  targets: string,
  media: 'audio' | 'video',
  lang: keyof typeof DIAL_BUTTONS = 'en',
) {
  await goTab(user, 'dialer');
  await user.page.locator('#dialer-target').fill(targets);
  await user.page.getByRole('button', { name: DIAL_BUTTONS[lang][media], exact: true }).click();
  // An invitation refused at once (do-not-disturb, busy) goes straight to the ended summary.
  await user.page.locator('section.outgoing, section.ended').first().waitFor();
}

export const incoming = (user: UserPage) => user.page.locator('[role=alertdialog]');

/** Sounds the page plays now (ringtone names, `ringback`), as mirrored on <html data-sounds>. */
export const sounds = (user: UserPage): Promise<string> =>
  user.page.evaluate(() => document.documentElement.dataset.sounds ?? '');

export const inCall = (user: UserPage) => user.page.locator('section.in-call');

/** Is the video of `from` playing in this page's grid (frames decoded, time moving)? */
export const videoPlaying = (user: UserPage, from: string): Promise<boolean> =>
  user.page.evaluate(async (from) => {
    const video = document.querySelector<HTMLVideoElement>(`.tile video[data-user="${from}"]`);
    if (!video || video.hidden || video.paused || video.videoWidth === 0) return false;
    const t0 = video.currentTime;
    await new Promise((r) => setTimeout(r, 300));
    return video.currentTime > t0;
  }, from);

export interface Inbound {
  audioBytes: number;
  videoBytes: number;
  videoFrames: number;
}

/** What arrives over WebRTC, from getStats of every peer connection of the page. */
export const inbound = (user: UserPage): Promise<Inbound> =>
  user.page.evaluate(async () => {
    const out = { audioBytes: 0, videoBytes: 0, videoFrames: 0 };
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach(
        (s: { type: string; kind?: string; bytesReceived?: number; framesDecoded?: number }) => {
          if (s.type !== 'inbound-rtp') return;
          if (s.kind === 'audio') out.audioBytes += s.bytesReceived ?? 0;
          if (s.kind === 'video') {
            out.videoBytes += s.bytesReceived ?? 0;
            out.videoFrames += s.framesDecoded ?? 0;
          }
        },
      );
    }
    return out;
  });

/** Audio bytes received from one participant: the inbound-rtp of the track their <audio> plays. */
export const audioBytesFrom = (user: UserPage, from: string): Promise<number> =>
  user.page.evaluate(async (from) => {
    const ids = [...document.querySelectorAll<HTMLAudioElement>(`audio[data-user="${from}"]`)].map(
      (a) => a.dataset.track,
    );
    let bytes = 0;
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: { type: string; trackIdentifier?: string; bytesReceived?: number }) => {
        if (s.type === 'inbound-rtp' && ids.includes(s.trackIdentifier))
          bytes += s.bytesReceived ?? 0;
      });
    }
    return bytes;
  }, from);

/** Waits until a figure grows by at least `by` within the time (media flowing). */
export async function grows(
  probe: () => Promise<number>,
  by: number,
  timeoutMs = 10_000,
): Promise<boolean> {
  const start = await probe();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    if ((await probe()) - start >= by) return true;
  }
  return false;
}

export async function screenshot(user: UserPage, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await user.page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits for an error toast the flow expects on this page, and claims it (see `WebWorld.toasts`). */
export async function expectToast(world: WebWorld, user: UserPage, code: string): Promise<string> {
  const mine = (x: ShownToast) => x.userId === user.userId && x.code === code;
  await expect.poll(() => world.toasts.some(mine), { timeout: 5_000 }).toBe(true);
  const index = world.toasts.findIndex(mine);
  const [toast] = world.toasts.splice(index, 1);
  return toast?.text ?? '';
}

/** Back to idle: no call surfaces, the tabs are shown. */
export async function expectIdle(user: UserPage): Promise<void> {
  await expect.poll(() => inCall(user).count(), { timeout: 10_000 }).toBe(0);
  await expect.poll(() => incoming(user).count()).toBe(0);
  await expect.poll(() => user.page.locator('section.outgoing').count()).toBe(0);
  await user.page.locator('nav.tabs').waitFor();
}
