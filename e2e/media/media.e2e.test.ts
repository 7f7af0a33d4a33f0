import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { TestClient } from '../../server/testing/test-client.js';
import type { TestServer } from '../../server/testing/test-server.js';
import { chromiumMissingReason } from '../support/chromium.js';
import { openHarnessPage, startHarnessServer, sleep, until } from '../support/harness-page.js';
import { closeContexts, expect, test } from '../support/test.js';

/**
 * Real WebRTC through the real SFU: headless Chromium pages with fake camera and microphone,
 * signaling driven from Node, media tickets handed to the pages.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`media browser suite skipped: ${missing}`);

type Inbound = { kind: string; userId: string; bytes: number; frames: number; audioLevel: number };
declare const window: {
  harness: {
    join(ticket: string, sfuUrl: string): Promise<string>;
    leave(): Promise<void>;
    setMuted(source: 'mic' | 'camera', muted: boolean): Promise<string>;
    inbound(): Promise<Inbound[]>;
    events: string[];
    remoteUsers(): string[];
  };
};

let t: TestServer;
let browser: Browser;
const HARNESS_PATH = '/e2e-media-harness.html';
const SCRIPT_PATH = '/e2e-media-harness.js';

const openPage = (): Promise<Page> =>
  openHarnessPage(browser, `${t.server.httpUrl}${HARNESS_PATH}`);

async function joinMedia(page: Page, client: TestClient, callId: string): Promise<void> {
  const { ticket, sfuUrl } = await client.request('media.ticket', { callId });
  await page.evaluate(({ ticket, sfuUrl }) => window.harness.join(ticket, sfuUrl), {
    ticket,
    sfuUrl,
  });
}

const inbound = (page: Page) => page.evaluate(() => window.harness.inbound());
const fromUser = (stats: Inbound[], userId: string, kind: string) =>
  stats.find((s) => s.userId === userId && s.kind === kind);

/** Accepts on the callee side once the invitation arrives. */
async function answer(client: TestClient, callId: string): Promise<void> {
  await client.waitFor('call.incoming', (d) => d.call.callId === callId);
  await client.request('call.accept', { callId });
}

test.describe('media through the SFU in Chromium', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 90_000 });
  test.beforeAll(async ({ browser: workerBrowser }) => {
    test.setTimeout(60_000);
    t = await startHarnessServer(
      path.join(import.meta.dirname, 'harness.ts'),
      { htmlPath: HARNESS_PATH, scriptPath: SCRIPT_PATH },
      ['alice', 'bob', 'carol'],
    );
    browser = workerBrowser;
  });
  test.afterAll(async () => {
    await closeContexts(browser);
    await t.dispose();
  });

  test('carries audio and video both ways, enforces a moderator mute, drops a removed participant, and frees everything on leave', async () => {
    const alice = await t.connect('alice', { id: 'alice-web' });
    const bob = await t.connect('bob', { id: 'bob-web' });
    const carol = await t.connect('carol', { id: 'carol-web' });
    const callId = 'media-e2e-0001';
    await alice.request('call.invite', { callId, callees: ['bob', 'carol'], media: 'video' });
    await Promise.all([answer(bob, callId), answer(carol, callId)]);

    const [alicePage, bobPage, carolPage] = await Promise.all([openPage(), openPage(), openPage()]);
    await joinMedia(alicePage, alice, callId);
    await joinMedia(bobPage, bob, callId);
    await joinMedia(carolPage, carol, callId);

    // Audio and video flow both ways: inbound bytes and decoded frames grow on each side.
    const flowing = (userId: string) => (s: Inbound[]) =>
      (fromUser(s, userId, 'video')?.frames ?? 0) > 10 &&
      (fromUser(s, userId, 'audio')?.bytes ?? 0) > 2_000;
    const atAlice = await until(() => inbound(alicePage), flowing('bob'));
    const atBob = await until(() => inbound(bobPage), flowing('alice'));
    await sleep(1_000);
    const laterAtAlice = await inbound(alicePage);
    const laterAtBob = await inbound(bobPage);
    expect(fromUser(laterAtAlice, 'bob', 'video')!.frames).toBeGreaterThan(
      fromUser(atAlice, 'bob', 'video')!.frames,
    );
    expect(fromUser(laterAtAlice, 'bob', 'audio')!.bytes).toBeGreaterThan(
      fromUser(atAlice, 'bob', 'audio')!.bytes,
    );
    expect(fromUser(laterAtBob, 'alice', 'video')!.frames).toBeGreaterThan(
      fromUser(atBob, 'alice', 'video')!.frames,
    );
    expect(fromUser(laterAtBob, 'alice', 'audio')!.bytes).toBeGreaterThan(
      fromUser(atBob, 'alice', 'audio')!.bytes,
    );

    // The moderator mutes bob's audio: it stops at the SFU, so alice receives no more of it,
    // and bob cannot unmute himself.
    await alice.request('call.control', { callId, action: 'mute', target: 'bob', kind: 'audio' });
    await until(
      () => bobPage.evaluate(() => window.harness.events),
      (e) => e.includes('moderator-muted:mic:true'),
    );
    await sleep(700); // Let packets already in flight land.
    const mutedStart = fromUser(await inbound(alicePage), 'bob', 'audio')!.bytes;
    await sleep(1_500);
    const mutedEnd = fromUser(await inbound(alicePage), 'bob', 'audio')!.bytes;
    expect(mutedEnd - mutedStart).toBeLessThan(500);
    expect(await bobPage.evaluate(() => window.harness.setMuted('mic', false))).toMatch(
      /forbidden/,
    );
    // Video from bob still flows.
    const videoBefore = fromUser(await inbound(alicePage), 'bob', 'video')!.frames;
    await sleep(1_000);
    expect(fromUser(await inbound(alicePage), 'bob', 'video')!.frames).toBeGreaterThan(videoBefore);

    // Removal drops carol from the room: her page is closed, the others lose her tracks.
    await alice.request('call.control', { callId, action: 'remove', target: 'carol' });
    await until(
      () => carolPage.evaluate(() => window.harness.events),
      (e) => e.includes('closed:removed'),
    );
    await until(
      () => alicePage.evaluate(() => window.harness.remoteUsers()),
      (users) => !users.includes('carol'),
    );

    // Leaving frees every mediasoup object of the call.
    await bobPage.evaluate(() => window.harness.leave());
    await alicePage.evaluate(() => window.harness.leave());
    await alice.request('call.hangup', { callId });
    const sfu = t.server.services.calls;
    expect(sfu.get(callId)?.state).toBe('ended');
    const media = t.sfu();
    await until(
      () => Promise.resolve(media.counts()),
      (c) => c.routers === 0 && c.transports === 0 && c.producers === 0 && c.consumers === 0,
    );
  });
});
