import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { Route } from '../../server/http/http-kit.js';
import { WEB_CSP } from '../../server/http/static-route.js';
import { SfuNodeProcess } from '../../server/integration/sfu-nodes/support/sfu-node-process.js';
import { RedisInstance } from '../../server/testing/redis-instance.js';
import type { TestClient } from '../../server/testing/test-client.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { bundleForBrowser } from '../support/bundle.js';
import { chromiumMissingReason } from '../support/chromium.js';
import { openHarnessPage, sleep, until } from '../support/harness-page.js';
import { closeContexts, expect, test } from '../support/test.js';

/**
 * Real WebRTC through SFU nodes in processes of their own (`role: sfu`), the signaling server
 * (`role: signaling`) in this one: the page comes from the signaling server with the web
 * client's CSP, its tickets send it to a node on another origin; kill -9 of that node and the
 * page's media session rejoins the other node on a fresh ticket.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`sfu-node browser suite skipped: ${missing}`);

type Inbound = { kind: string; userId: string; bytes: number; frames: number; audioLevel: number };
declare const window: {
  harness: {
    join(ticket: string, sfuUrl: string): Promise<string>;
    inbound(): Promise<Inbound[]>;
    events: string[];
  };
};

const TICKET_SECRET = 'sfu-nodes-ticket-secret-0123456789abcdef';
const HTML_PATH = '/e2e-sfu-node-harness.html';
const SCRIPT_PATH = '/e2e-sfu-node-harness.js';
let redis: RedisInstance;
let nodes: SfuNodeProcess[] = [];
let t: TestServer;
let browser: Browser;

/** The media harness, served with the web client's own Content-Security-Policy. */
async function harnessWithWebCsp(): Promise<Route> {
  const script = await bundleForBrowser(path.join(import.meta.dirname, 'harness.ts'));
  return (_req, res, url) => {
    if (url.pathname !== HTML_PATH && url.pathname !== SCRIPT_PATH) return Promise.resolve(false);
    const html = url.pathname === HTML_PATH;
    res.writeHead(200, {
      'content-type': html ? 'text/html' : 'text/javascript',
      'content-security-policy': WEB_CSP,
    });
    res.end(
      html
        ? `<!doctype html><html><body><script src="${SCRIPT_PATH}"></script></body></html>`
        : script,
    );
    return Promise.resolve(true);
  };
}

/** Opens a page that joins with the user's ticket, and asks signaling anew on every rejoin. */
async function mediaPage(
  client: TestClient,
  callId: string,
): Promise<{ page: Page; sfuUrl: string }> {
  const page = await openHarnessPage(browser, `${t.server.httpUrl}${HTML_PATH}`);
  await page.exposeFunction('freshTicket', async () => {
    const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
    return { ticket, sfuUrl };
  });
  const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
  await page.evaluate(({ ticket, sfuUrl }) => window.harness.join(ticket, sfuUrl), {
    ticket,
    sfuUrl,
  });
  return { page, sfuUrl };
}

const inbound = (page: Page) => page.evaluate(() => window.harness.inbound());
const videoFrom = (stats: Inbound[], userId: string) =>
  stats.filter((s) => s.userId === userId && s.kind === 'video').reduce((n, s) => n + s.frames, 0);
const audioFrom = (stats: Inbound[], userId: string) =>
  stats.filter((s) => s.userId === userId && s.kind === 'audio').reduce((n, s) => n + s.bytes, 0);

test.describe('media through SFU nodes in Chromium', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 120_000 });
  test.beforeAll(async ({ browser: workerBrowser }) => {
    test.setTimeout(90_000);
    redis = await RedisInstance.start();
    const shared = {
      sfuNodes: {
        redisUrl: redis.url,
        ticketSecret: TICKET_SECRET,
        heartbeatIntervalMs: 200,
        registrationTtlMs: 600,
      },
    };
    nodes = await Promise.all(['sfu-a', 'sfu-b'].map((id) => SfuNodeProcess.start(id, shared)));
    t = await startTestServer(
      { ...shared, role: 'signaling' },
      { routes: [await harnessWithWebCsp()] },
    );
    for (const id of ['alice', 'bob', 'carol']) await t.addUser(id);
    browser = workerBrowser;
  });
  test.afterAll(async () => {
    await closeContexts(browser);
    await t.dispose();
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  });

  test('a group call gets audio and video through a remote node, and rejoins the other node after kill -9', async () => {
    const alice = await t.connect('alice', { id: 'alice-web' });
    const bob = await t.connect('bob', { id: 'bob-web' });
    const carol = await t.connect('carol', { id: 'carol-web' });
    const callId = 'sfu-node-e2e-0001';
    await alice.request('call.invite', { callId, callees: ['bob', 'carol'], media: 'video' });
    for (const callee of [bob, carol]) {
      await callee.waitFor('call.incoming', (d) => d.call.callId === callId);
      await callee.request('call.accept', { callId });
    }
    const a = await mediaPage(alice, callId);
    const b = await mediaPage(bob, callId);
    const k = await mediaPage(carol, callId);
    const first = nodes.find((n) => n.url === a.sfuUrl);
    expect(first).toBeDefined();
    expect(new URL(a.sfuUrl).origin).not.toBe(
      new URL(t.server.httpUrl).origin.replace('http', 'ws'),
    );
    expect(b.sfuUrl).toBe(a.sfuUrl);
    expect(k.sfuUrl).toBe(a.sfuUrl);

    const flowing = (userId: string) => (s: Inbound[]) =>
      videoFrom(s, userId) > 10 && audioFrom(s, userId) > 2_000;
    // Three pages decoding video on two shared cores: their first frames may take a while.
    await until(() => inbound(a.page), flowing('bob'), 30_000);
    await until(() => inbound(b.page), flowing('alice'), 30_000);
    await until(() => inbound(k.page), flowing('alice'), 30_000);

    // Moderator mute, enforced at the node: alice gets no more of bob's audio.
    await alice.request('call.control', { callId, action: 'mute', target: 'bob', kind: 'audio' });
    await until(
      () => b.page.evaluate(() => window.harness.events),
      (e) => e.includes('moderator-muted:mic:true'),
    );
    await sleep(700);
    const mutedStart = audioFrom(await inbound(a.page), 'bob');
    await sleep(1_500);
    expect(audioFrom(await inbound(a.page), 'bob') - mutedStart).toBeLessThan(500);

    // kill -9 of the node: every page rejoins the other node and video flows again.
    const killedAt = Date.now();
    await first?.kill();
    for (const page of [a.page, b.page, k.page]) {
      await until(
        () => page.evaluate(() => window.harness.events),
        (e) => e.includes('rejoined'),
        20_000,
      );
    }
    const before = videoFrom(await inbound(a.page), 'bob');
    const back = await until(
      () => inbound(a.page),
      (s) => videoFrom(s, 'bob') > before + 10,
      20_000,
    );
    const rejoinedMs = Date.now() - killedAt;
    expect(videoFrom(back, 'bob')).toBeGreaterThan(before + 10);
    console.log(`[sfu-nodes e2e] kill -9 → video from bob at alice again after ${rejoinedMs} ms`);
    const { calls } = await alice.request('call.list', {});
    expect(calls.find((c) => c.callId === callId)?.state).toBe('active');
    await alice.request('call.hangup', { callId });
  });
});
