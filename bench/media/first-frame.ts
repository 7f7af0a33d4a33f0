import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundleForBrowser } from '../../e2e/support/bundle.js';
import { launchChromium, newMediaContext } from '../../e2e/support/chromium.js';
import type { Route } from '../../server/http/http-kit.js';
import type { TestClient } from '../../server/testing/test-client.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import type { JoinMarks, JoinOptions } from './page.js';
import { loadAverage, sleep } from './proc.js';

/**
 * Accept → first decoded remote video frame, in Chromium, through a real Trayphone server with the
 * SFU (one worker). Two pages are opened and loaded once; then for each call: the caller invites,
 * the callee accepts (t0: just before `call.accept` is sent), and each side does what a client does
 * next: the callee once its accept is answered, the caller once `call.updated` says `active`, asks
 * for a media ticket and joins with it in its page. t1 is when the caller's page first has a
 * decoded frame of the callee's camera (see `firstFrameOf`). Both pages then leave, the caller
 * hangs up, and the next call starts once the SFU has freed every object of the last one.
 *
 * Clocks: the pages time their steps with their own `performance.now()`; before each call Node
 * measures the offset to its own `performance.now()` with a few `page.evaluate` round trips, keeping
 * the shortest (offset = Node midpoint − page time; error ≤ half that round trip, printed).
 */

declare const window: {
  bench: {
    now(): number;
    join(options: JoinOptions): Promise<JoinMarks>;
    firstFrame(timeoutMs: number): Promise<JoinMarks>;
    leave(): Promise<void>;
  };
};

const PAGE_PATH = '/bench-media.html';
const SCRIPT_PATH = '/bench-media.js';
const FIRST_FRAME_TIMEOUT_MS = 15_000;
const CALLER = 'alice';
const CALLEE = 'bob';

export interface FirstFrameOptions {
  calls: number;
  warmupCalls: number;
  mode: JoinOptions['mode'];
  log: (line: string) => void;
}

/** One call's times, in ms after t0 (the callee's `call.accept` going out), on Node's clock. */
export interface CallTiming {
  index: number;
  /** t1 − t0: the caller's first decoded frame of the callee's video (see `firstFrameOf`). */
  firstFrameMs: number | undefined;
  /** Which evidence gave t1 (the earlier): requestVideoFrameCallback's presentation time, or the
   * stats poll. */
  source: 'rvfc' | 'stats' | 'none';
  /** Same, from the stats poll alone (framesDecoded > 0, polled every ~10 ms). */
  decodedPolledMs: number | undefined;
  /** The callee's first frame of the caller's video (the other direction). */
  calleeFirstFrameMs: number | undefined;
  /** Steps: accept answered, caller told `active`, tickets, joins, camera, send, track, packet. */
  steps: Record<string, number | undefined>;
  /** Half the best calibration round trip of each page: the error bound of the clock mapping. */
  clockErrorMs: number;
  srtpCipher: string | undefined;
  error?: string;
}

export interface FirstFrameResult {
  calls: CallTiming[];
  warmup: CallTiming[];
  loadBefore: string;
  loadAfter: string;
  chromium: string;
}

/** Node clock minus page clock, from the quickest of a few round trips. */
async function clockOffset(page: Page): Promise<{ offset: number; halfRtt: number }> {
  let best = { offset: 0, halfRtt: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 7; i++) {
    const before = performance.now();
    const pageNow = await page.evaluate(() => window.bench.now());
    const after = performance.now();
    const halfRtt = (after - before) / 2;
    if (halfRtt < best.halfRtt) best = { offset: before + halfRtt - pageNow, halfRtt };
  }
  return best;
}

/**
 * The first evidence of a decoded frame: the earlier of requestVideoFrameCallback's presentation
 * time and the stats poll seeing framesDecoded > 0. Both come after the decode, so the earlier one
 * is the tighter bound (rVFC may miss the very first frame if the element was not playing yet; the
 * poll lags by up to its period plus Chromium's stats cache).
 */
function firstFrameOf(m: JoinMarks): { at: number | undefined; source: CallTiming['source'] } {
  const { presented, decodedPolled } = m;
  if (presented !== undefined && (decodedPolled === undefined || presented <= decodedPolled)) {
    return { at: presented, source: 'rvfc' };
  }
  if (decodedPolled !== undefined) return { at: decodedPolled, source: 'stats' };
  return { at: undefined, source: 'none' };
}

export async function measureFirstFrame(options: FirstFrameOptions): Promise<FirstFrameResult> {
  const { log } = options;
  const script = await bundleForBrowser(path.join(import.meta.dirname, 'page.ts'));
  // The page comes from the server itself (same loopback origin as its ws:// to the SFU).
  const route: Route = (_req, res, url) => {
    if (url.pathname === PAGE_PATH) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html><body><script src="${SCRIPT_PATH}"></script></body></html>`);
    } else if (url.pathname === SCRIPT_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else return Promise.resolve(false);
    return Promise.resolve(true);
  };
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startTestServer(
      { media: { enabled: true }, sfu: { workers: 1 } },
      { routes: [route] },
    );
    const t = server;
    await t.addUser(CALLER);
    await t.addUser(CALLEE);
    browser = await launchChromium();
    const chromium = browser.version();
    const open = async (): Promise<Page> => {
      if (!browser) throw new Error('no browser');
      const page = await (await newMediaContext(browser)).newPage();
      page.on('pageerror', (error) => {
        log(`  page error: ${error.message}`);
      });
      await page.goto(`${t.server.httpUrl}${PAGE_PATH}`);
      await page.waitForFunction(() => typeof window.bench === 'object');
      return page;
    };
    const callerPage = await open();
    const calleePage = await open();
    const caller = await t.connect(CALLER, { id: 'bench-caller' });
    const callee = await t.connect(CALLEE, { id: 'bench-callee' });
    const loadBefore = loadAverage().text;
    log(`  chromium ${chromium}; pages loaded; load average before: ${loadBefore}`);

    const ctx: CallContext = { t, caller, callee, callerPage, calleePage, mode: options.mode };
    const warmup: CallTiming[] = [];
    const calls: CallTiming[] = [];
    const tag = Date.now().toString(36);
    for (let i = 0; i < options.warmupCalls + options.calls; i++) {
      const isWarmup = i < options.warmupCalls;
      const timing = await oneCall(ctx, `bench-media-${tag}-${i}`, i);
      (isWarmup ? warmup : calls).push(timing);
      log(
        `  ${isWarmup ? 'warm-up' : `call ${String(calls.length).padStart(2)}`}: ${describe(timing)}`,
      );
    }
    return { calls, warmup, loadBefore, loadAfter: loadAverage().text, chromium };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.dispose().catch(() => undefined);
  }
}

interface CallContext {
  t: TestServer;
  caller: TestClient;
  callee: TestClient;
  callerPage: Page;
  calleePage: Page;
  mode: JoinOptions['mode'];
}

async function oneCall(ctx: CallContext, callId: string, index: number): Promise<CallTiming> {
  const { t, caller, callee, callerPage, calleePage } = ctx;
  const [callerClock, calleeClock] = [await clockOffset(callerPage), await clockOffset(calleePage)];
  const steps: Record<string, number | undefined> = {};
  await caller.request('call.invite', { callId, callees: [CALLEE], media: 'video' });
  await callee.waitFor('call.incoming', (d) => d.call.callId === callId);
  await callee.request('call.ack', { callId });

  const t0 = performance.now();
  const since = (at: number | undefined, clock?: { offset: number }): number | undefined =>
    at === undefined ? undefined : at + (clock?.offset ?? 0) - t0;
  const accepted = callee.request('call.accept', { callId });
  const calleeJoin = (async () => {
    await accepted;
    steps.acceptAnswered = since(performance.now());
    const { ticket, sfuUrl } = await callee.request('media.ticket', { callId });
    steps.calleeTicket = since(performance.now());
    return calleePage.evaluate((o) => window.bench.join(o), {
      ticket,
      sfuUrl,
      watchUserId: CALLER,
      mode: ctx.mode,
    });
  })();
  const callerJoin = (async () => {
    await caller.waitFor(
      'call.updated',
      (d) => d.call.callId === callId && d.call.state === 'active',
    );
    steps.callerToldActive = since(performance.now());
    const { ticket, sfuUrl } = await caller.request('media.ticket', { callId });
    steps.callerTicket = since(performance.now());
    return callerPage.evaluate((o) => window.bench.join(o), {
      ticket,
      sfuUrl,
      watchUserId: CALLEE,
      mode: ctx.mode,
    });
  })();

  let timing: CallTiming;
  try {
    const [callerJoined, calleeJoined] = await Promise.all([callerJoin, calleeJoin]);
    const [atCaller, atCallee] = await Promise.all([
      callerPage.evaluate((ms) => window.bench.firstFrame(ms), FIRST_FRAME_TIMEOUT_MS),
      calleePage.evaluate((ms) => window.bench.firstFrame(ms), FIRST_FRAME_TIMEOUT_MS),
    ]);
    const first = firstFrameOf(atCaller);
    steps.callerJoinStart = since(atCaller.joinStart, callerClock);
    steps.calleeJoinStart = since(atCallee.joinStart, calleeClock);
    steps.callerJoined = since(atCaller.joined, callerClock);
    steps.calleeJoined = since(atCallee.joined, calleeClock);
    steps.calleeCameraOpen = since(atCallee.gumDone, calleeClock);
    steps.calleeSending = since(atCallee.sending, calleeClock);
    steps.callerTrackAdded = since(atCaller.trackAdded, callerClock);
    steps.callerFirstPacket = since(atCaller.firstPacketPolled, callerClock);
    steps.callerFrameReceived = since(atCaller.frameReceived, callerClock);
    steps.callerDecodedPolled = since(atCaller.decodedPolled, callerClock);
    steps.callerPresented = since(atCaller.presented, callerClock);
    const error = callerJoined.error ?? calleeJoined.error ?? atCaller.error ?? atCallee.error;
    timing = {
      index,
      firstFrameMs: since(first.at, callerClock),
      source: first.source,
      decodedPolledMs: since(atCaller.decodedPolled, callerClock),
      calleeFirstFrameMs: since(firstFrameOf(atCallee).at, calleeClock),
      steps,
      clockErrorMs: Math.max(callerClock.halfRtt, calleeClock.halfRtt),
      srtpCipher: atCaller.srtpCipher,
      ...(error ? { error } : {}),
    };
  } catch (error) {
    timing = {
      index,
      firstFrameMs: undefined,
      source: 'none',
      decodedPolledMs: undefined,
      calleeFirstFrameMs: undefined,
      steps,
      clockErrorMs: Math.max(callerClock.halfRtt, calleeClock.halfRtt),
      srtpCipher: undefined,
      error: error instanceof Error ? error.message : String(error),
    };
  }

  // Leave and hang up; wait until the SFU has freed the room before the next call.
  await Promise.all([
    callerPage.evaluate(() => window.bench.leave()),
    calleePage.evaluate(() => window.bench.leave()),
  ]).catch(() => undefined);
  await caller.request('call.hangup', { callId }).catch(() => undefined);
  await callee.waitFor('call.ended', (d) => d.call.callId === callId).catch(() => undefined);
  const media = t.sfu();
  for (let i = 0; i < 100; i++) {
    const c = media.counts();
    if (c.routers === 0 && c.transports === 0) break;
    await sleep(50);
  }
  // Drop what the clients kept of this call, and let the pages settle.
  caller.events.length = 0;
  callee.events.length = 0;
  await sleep(300);
  return timing;
}

const ms = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(0));

function describe(c: CallTiming): string {
  const s = c.steps;
  if (c.error && c.firstFrameMs === undefined) return `FAILED: ${c.error}`;
  return (
    `first frame ${ms(c.firstFrameMs)} ms (${c.source}; stats poll ${ms(c.decodedPolledMs)}; ` +
    `other way ${ms(c.calleeFirstFrameMs)}) | accepted ${ms(s.acceptAnswered)}, ` +
    `tickets ${ms(s.calleeTicket)}/${ms(s.callerTicket)}, joined ${ms(s.calleeJoined)}/${ms(s.callerJoined)}, ` +
    `camera ${ms(s.calleeCameraOpen)}, sending ${ms(s.calleeSending)}, track ${ms(s.callerTrackAdded)}, ` +
    `1st pkt ≤${ms(s.callerFirstPacket)}, frame rcvd ${ms(s.callerFrameReceived)} | ±${c.clockErrorMs.toFixed(1)} ms` +
    (c.error ? ` | ${c.error}` : '')
  );
}
