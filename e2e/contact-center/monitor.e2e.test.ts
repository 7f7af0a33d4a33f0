import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { TestClient } from '../../server/testing/test-client.js';
import type { TestServer } from '../../server/testing/test-server.js';
import { chromiumMissingReason } from '../support/chromium.js';
import { openHarnessPage, startHarnessServer, sleep, until } from '../support/harness-page.js';
import { closeContexts, expect, test } from '../support/test.js';

/**
 * Seat calling in Chromium: a caller and an agent talk through the SFU (fake microphones); their
 * queue's supervisor listens, then whispers. Real WebRTC, the real server, the bundled client
 * media module.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`contact-center browser suite skipped: ${missing}`);

type Inbound = { userId: string; kind: string; bytes: number };
declare const window: {
  monitorHarness: {
    join(ticket: string, sfuUrl: string, sendMic: boolean): Promise<string>;
    leave(): Promise<void>;
    inbound(): Promise<Inbound[]>;
    remoteUsers(): string[];
    events: string[];
  };
};

let t: TestServer;
let browser: Browser;
const HARNESS_PATH = '/e2e-cc-harness.html';
const SCRIPT_PATH = '/e2e-cc-harness.js';

const openPage = (): Promise<Page> =>
  openHarnessPage(browser, `${t.server.httpUrl}${HARNESS_PATH}`);

const join = (page: Page, ticket: { ticket: string; sfuUrl: string }, sendMic: boolean) =>
  page.evaluate(
    ({ ticket, sfuUrl, sendMic }) => window.monitorHarness.join(ticket, sfuUrl, sendMic),
    {
      ...ticket,
      sendMic,
    },
  );
const inbound = (page: Page) => page.evaluate(() => window.monitorHarness.inbound());
const bytesFrom = (stats: Inbound[], userId: string) =>
  stats.filter((s) => s.userId === userId).reduce((n, s) => n + s.bytes, 0);

async function signIn(userId: string): Promise<TestClient> {
  return t.connect(userId, { id: `${userId}-browser`, platform: 'web' });
}

test.describe('seat calling: a supervisor in Chromium', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 120_000 });
  test.beforeAll(async ({ browser: workerBrowser }) => {
    test.setTimeout(60_000);
    t = await startHarnessServer(
      path.join(import.meta.dirname, 'harness.ts'),
      { htmlPath: HARNESS_PATH, scriptPath: SCRIPT_PATH },
      ['caller', 'agent', 'sup'],
    );
    const cc = t.server.services.contactCenter;
    await cc.createQueue({ name: 'help', strategy: 'longest-idle' });
    await cc.setMember('help', { userId: 'agent' });
    await cc.setSupervisor('help', 'sup', true);
    browser = workerBrowser;
  });
  test.afterAll(async () => {
    await closeContexts(browser);
    await t.dispose();
  });

  test('listens unseen, then whispers to the agent without the caller receiving it', async () => {
    const caller = await signIn('caller');
    const agent = await signIn('agent');
    const sup = await signIn('sup');
    await agent.request('agent.setStatus', { status: 'available' });
    const callId = 'cc-e2e-monitor-01';
    await caller.request('call.invite', { callId, callees: ['queue:help'], media: 'audio' });
    const offer = await agent.waitFor('call.incoming', (d) => d.call.callId === callId);
    expect(offer.queue).toMatchObject({ queue: 'help', callerId: 'caller' });
    await agent.request('call.accept', { callId });

    const [callerPage, agentPage, supPage] = [await openPage(), await openPage(), await openPage()];
    await join(callerPage, await caller.request('media.ticket', { callId }), true);
    await join(agentPage, await agent.request('media.ticket', { callId }), true);
    // Caller and agent hear each other.
    await until(
      () => inbound(callerPage),
      (s) => bytesFrom(s, 'agent') > 2_000,
    );
    await until(
      () => inbound(agentPage),
      (s) => bytesFrom(s, 'caller') > 2_000,
    );

    // Listen: the supervisor receives both sides and sends nothing; nobody sees it.
    const listen = await sup.request('supervisor.monitor', { callId, mode: 'listen' });
    await join(supPage, listen, false);
    const heard = await until(
      () => inbound(supPage),
      (s) => bytesFrom(s, 'caller') > 2_000 && bytesFrom(s, 'agent') > 2_000,
    );
    expect(heard.map((s) => s.userId).sort()).toEqual(['agent', 'caller']);
    expect(await callerPage.evaluate(() => window.monitorHarness.remoteUsers())).toEqual(['agent']);
    expect(await agentPage.evaluate(() => window.monitorHarness.remoteUsers())).toEqual(['caller']);

    // Whisper: the supervisor now also speaks; the agent receives it, the caller does not.
    await supPage.evaluate(() => window.monitorHarness.leave());
    const whisper = await sup.request('supervisor.monitor', { callId, mode: 'whisper' });
    await join(supPage, whisper, true);
    const agentHears = await until(
      () => inbound(agentPage),
      (s) => bytesFrom(s, 'sup') > 2_000,
    );
    expect(bytesFrom(agentHears, 'caller')).toBeGreaterThan(0);
    // Give the caller's side every chance to get it: still no track and no bytes from `sup`.
    await sleep(2_000);
    expect(await callerPage.evaluate(() => window.monitorHarness.remoteUsers())).toEqual(['agent']);
    expect(bytesFrom(await inbound(callerPage), 'sup')).toBe(0);
    const room = t.sfu().roomOf(callId);
    const supProducers = [...(room?.peer('sup')?.producers.keys() ?? [])];
    expect(supProducers).toHaveLength(1);
    const callerConsumes = [...(room?.peer('caller')?.consumers.values() ?? [])].map(
      (c) => c.producerId,
    );
    expect(callerConsumes).not.toContain(supProducers[0]);
    // The supervisor keeps hearing both sides while whispering.
    await until(
      () => inbound(supPage),
      (s) => bytesFrom(s, 'caller') > 2_000 && bytesFrom(s, 'agent') > 2_000,
    );

    await caller.request('call.hangup', { callId });
    await until(
      () => supPage.evaluate(() => window.monitorHarness.events),
      (e) => e.some((x) => x.startsWith('closed:')),
    );
  });
});
