import { chromiumMissingReason } from '../support/chromium.js';
import { expect, test } from '../support/test.js';
import {
  type UserPage,
  type WebWorld,
  SCREENSHOT_DIR,
  audioBytesFrom,
  dial,
  expectIdle,
  goTab,
  grows,
  inCall,
  inbound,
  incoming,
  screenshot,
  startWorld,
  stopWorld,
  userPage,
} from './web-harness.js';

/**
 * Seat calling in the web client, in Chromium against the real server and SFU: an agent takes a
 * queue call from the agent console, a supervisor watches the queue's figures change and listens
 * in; English, then Simplified Chinese (screenshots of both consoles in each).
 */
const missing = chromiumMissingReason();
if (missing) console.log(`seat calling web e2e skipped: ${missing}`);

let world: WebWorld;
const ACW_MS = 5_000;

const LABELS = {
  en: { agent: 'Agent', hangup: 'Hang up', accept: 'Accept audio' },
  'zh-CN': { agent: '坐席', hangup: '挂断', accept: '语音接听' },
} as const;

async function seatTab(user: UserPage, tab: 'agent' | 'supervisor'): Promise<void> {
  await user.page.locator(`nav a[data-tab=${tab}]`).click();
  await user.page.locator(`#${tab}-title`).waitFor();
}

const agentStatus = (user: UserPage) =>
  user.page
    .locator('[data-testid=agent-state] [data-agent-status]')
    .getAttribute('data-agent-status');
const figure = (user: UserPage, queue: string, key: string) =>
  user.page.locator(`article[data-queue=${queue}] [data-figure=${key}]`).textContent();

test.describe('seat calling in the web client', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 180_000 });
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(90_000);
    world = await startWorld(browser, ['ann', 'cal', 'sue']);
    const cc = world.t.server.services.contactCenter;
    await cc.createQueue({
      name: 'sales',
      displayName: 'Sales line',
      strategy: 'longest-idle',
      afterCallWorkMs: ACW_MS,
    });
    await cc.setMember('sales', { userId: 'ann' });
    await cc.setSupervisor('sales', 'sue', true);
  });
  test.afterAll(async () => {
    await stopWorld(world);
  });

  test('a caller calls queue:sales; the available agent sees the offer, answers, hangs up, does after-call work, is available again; the supervisor sees the figures move and listens in', async () => {
    const ann = await userPage(world, 'ann');
    const cal = await userPage(world, 'cal');
    const sue = await userPage(world, 'sue');
    // Only agents and supervisors get the seat-calling tabs.
    await expect.poll(() => cal.page.locator('nav a[data-tab=agent]').count()).toBe(0);
    await expect.poll(() => ann.page.locator('nav a[data-tab=supervisor]').count()).toBe(0);

    for (const [round, lang] of (['en', 'zh-CN'] as const).entries()) {
      if (lang !== 'en') {
        for (const user of [ann, sue]) {
          await goTab(user, 'settings');
          await user.page.locator('#settings-language').selectOption(lang);
          await expect
            .poll(() =>
              user.page
                .locator('nav a[data-tab=agent], nav a[data-tab=supervisor]')
                .first()
                .textContent(),
            )
            .toBe(user === ann ? LABELS[lang].agent : '班长席');
        }
      }
      await seatTab(sue, 'supervisor');
      await sue.page.locator('article[data-queue=sales]').waitFor();
      await expect.poll(() => figure(sue, 'sales', 'answered')).toBe(String(round));

      await seatTab(ann, 'agent');
      if (round === 0) {
        await expect.poll(() => agentStatus(ann)).toBe('logged-out');
        await ann.page.locator('[data-action=agent-break]').click();
        await expect.poll(() => agentStatus(ann)).toBe('break');
        // Nobody available: the caller waits, knows its place; the supervisor sees it wait.
        await dial(cal, 'queue:sales', 'audio');
        await expect
          .poll(() => cal.page.locator('[data-queue-position]').getAttribute('data-queue-position'))
          .toBe('1');
        await expect.poll(() => figure(sue, 'sales', 'waitingNow')).toBe('1');
        await sue.page
          .locator('article[data-queue=sales] tbody tr', { hasText: 'cal' })
          .first()
          .waitFor();
        await screenshot(cal, 'caller-queue-en');
        await screenshot(sue, 'supervisor-view-waiting-en');
        await ann.page.locator('[data-action=agent-available]').click();
      }
      if (round > 0) await expect.poll(() => agentStatus(ann)).toBe('available');
      await expect
        .poll(() =>
          sue.page
            .locator('article[data-queue=sales] tr[data-agent=ann] [data-agent-status]')
            .getAttribute('data-agent-status'),
        )
        .toBe('available');

      // The caller dials the queue from the dialer (in the first round it already waits).
      if (round > 0) await dial(cal, 'queue:sales', 'audio');
      const offer = ann.page.locator('[data-testid=agent-offer]');
      await offer.waitFor();
      await expect(ann.page.locator('[data-testid=offer-queue]').textContent()).resolves.toBe(
        'sales',
      );
      await expect(offer.textContent()).resolves.toContain('cal');
      await screenshot(ann, `agent-console-offer-${lang}`);
      await expect.poll(() => figure(sue, 'sales', 'entered')).toBe(String(round + 1));

      // The call card says which queue the call comes from; the agent answers there.
      await expect
        .poll(() => incoming(ann).locator('[data-queue-offer]').getAttribute('data-queue-offer'))
        .toBe('sales');
      await incoming(ann).getByRole('button', { name: LABELS[lang].accept }).click();
      await inCall(ann).waitFor();
      await inCall(cal).waitFor();
      await expect.poll(() => figure(sue, 'sales', 'answered')).toBe(String(round + 1));
      const activeRow = sue.page.locator('article[data-queue=sales] tr[data-call]');
      await activeRow.waitFor();
      if (round === 0) {
        // Listen: the supervisor hears the call; nobody in it sees the supervisor.
        await activeRow.locator('[data-monitor-mode=listen]').click();
        await expect
          .poll(() => sue.page.locator('[data-testid=monitor-bar]').getAttribute('data-monitor'), {
            timeout: 15_000,
          })
          .toBe('listen:joined');
        expect(await grows(async () => (await inbound(sue)).audioBytes, 2_000, 15_000)).toBe(true);
      }
      if (round === 1) {
        // Whisper: the agent hears the supervisor's microphone.
        await activeRow.locator('[data-monitor-mode=whisper]').click();
        await expect
          .poll(() => sue.page.locator('[data-testid=monitor-bar]').getAttribute('data-monitor'), {
            timeout: 15_000,
          })
          .toBe('whisper:joined');
        expect(await grows(() => audioBytesFrom(ann, 'sue'), 2_000, 15_000)).toBe(true);
      }
      await screenshot(sue, `supervisor-view-${lang}`);
      await sue.page.locator('[data-testid=monitor-bar] button').click();
      await expect.poll(() => sue.page.locator('[data-testid=monitor-bar]').count()).toBe(0);

      await ann.page.getByRole('button', { name: LABELS[lang].hangup }).click();
      await expectIdle(cal);
      // After-call work with its countdown, then available by itself.
      const acw = ann.page.locator('[data-testid=agent-acw]');
      await acw.waitFor();
      await expect.poll(() => agentStatus(ann)).toBe('after-call-work');
      await screenshot(ann, `agent-console-acw-${lang}`);
      await expect.poll(() => agentStatus(ann), { timeout: ACW_MS + 5_000 }).toBe('available');
      await expect.poll(() => acw.count()).toBe(0);
      await expect
        .poll(() =>
          ann.page.locator('[data-testid=agent-figures] [data-figure=answered]').textContent(),
        )
        .toBe(String(round + 1));
      await screenshot(ann, `agent-console-${lang}`);
      await expect.poll(() => figure(sue, 'sales', 'waitingNow')).toBe('0');
    }
    expect(world.cspViolations).toEqual([]);
    for (const user of [ann, sue]) {
      await goTab(user, 'settings');
      await user.page.locator('#settings-language').selectOption('en');
    }
    console.log(`screenshots in ${SCREENSHOT_DIR}`);
  });
});
