import type { Page } from '@playwright/test';
import { chromiumMissingReason } from '../support/chromium.js';
import { expect, test } from '../support/test.js';
import {
  MAIN,
  RINGING,
  SMALLEST,
  WIDE,
  type Viewport,
  axeSerious,
  horizontalOverflow,
  inViewport,
  shoot,
  sizeName,
  textFullyShown,
  verticalOverflow,
} from './surface-checks.js';
import {
  type UserPage,
  type WebWorld,
  connection,
  dial,
  expectIdle,
  goTab,
  inCall,
  incoming,
  startWorld,
  stopWorld,
  userPage,
} from './web-harness.js';

/**
 * Issue 14's surfaces at the desktop app's real window sizes (ringing 340×150, main 420×700 and
 * 360×560) and at 1280×800, in English and Simplified Chinese: what a person needs is on screen
 * without scrolling, nothing overflows sideways, axe finds nothing critical or serious. The
 * screenshots land in test-results/surfaces/.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`surfaces suite skipped: ${missing}`);

const LONG_NAME = 'Maximilian Alexander Featherstonehaugh-Worthington';
const WORDS = {
  en: {
    hangup: 'Hang up',
    mute: /^(un)?mute( microphone)?$/i,
    missedFrom: 'Missed call from Alice',
    tab: 'Contacts',
    reconnectNow: 'Reconnect now',
    saved: 'Saved',
  },
  'zh-CN': {
    hangup: '挂断',
    mute: /^(取消)?(麦克风)?静音$/,
    missedFrom: 'Alice 的未接来电',
    tab: '联系人',
    reconnectNow: '立即重新连接',
    saved: '已保存',
  },
} as const;
type Lang = keyof typeof WORDS;

let world: WebWorld;

async function setLanguage(user: UserPage, lang: Lang) {
  await goTab(user, 'settings');
  await user.page.locator('#settings-language').selectOption(lang);
  await expect
    .poll(() => user.page.locator('nav a[data-tab=contacts]').textContent())
    .toBe(WORDS[lang].tab);
}

/** The checks every surface passes; `axe` off for repeat sizes of one screen (time). */
async function checkSurface(page: Page, name: string, axe = true) {
  expect(await horizontalOverflow(page), `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
  expect(await verticalOverflow(page), `${name}: the page itself scrolls`).toBeLessThanOrEqual(0);
  if (axe) expect(await axeSerious(page), `${name}: axe`).toEqual([]);
  await shoot(page, name);
}

test.describe('surfaces at their real sizes', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 60_000 });
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(90_000);
    world = await startWorld(browser, ['alice', 'bob']);
    await world.t.addUser('max', LONG_NAME);
  });
  test.afterAll(async () => {
    await stopWorld(world);
  });
  test.afterEach(async () => {
    // A failed flow must not leave a call or a summary behind for the next one.
    for (const user of world.users.values()) {
      const page = user.page;
      await page.setViewportSize(MAIN);
      await page.evaluate(() => (window.location.hash = '#/contacts'));
      for (const button of await page
        .locator(
          '.call-bar-slot button.hangup, section.in-call button.danger, section.outgoing button.danger, [role=alertdialog] button.danger',
        )
        .all())
        await button.click().catch(() => undefined);
      await page
        .locator('section.ended button')
        .last()
        .click({ timeout: 1_000 })
        .catch(() => undefined);
    }
  });

  for (const lang of ['en', 'zh-CN'] as const) {
    test(`${lang}: contacts, dialer, history and settings at 420×700, 360×560 and 1280×800`, async () => {
      const alice = await userPage(world, 'alice');
      await setLanguage(alice, lang);
      for (const size of [MAIN, SMALLEST, WIDE] as Viewport[]) {
        await alice.page.setViewportSize(size);
        const axe = size !== SMALLEST;
        await goTab(alice, 'contacts');
        await alice.page.locator('#contacts-search').fill('');
        await alice.page.locator('li.contact-row[data-user=bob]').waitFor();
        // One call action per row, the rest in its menu: the row never wraps.
        const row = alice.page.locator('li.contact-row[data-user=bob]');
        expect(await row.getByRole('button').count()).toBe(2);
        await checkSurface(alice.page, `contacts-${sizeName(size)}-${lang}`, axe);
        await row.locator('.row-more').click();
        await alice.page.getByRole('menuitem').first().waitFor();
        await checkSurface(alice.page, `contacts-menu-${sizeName(size)}-${lang}`, axe);
        await alice.page.keyboard.press('Escape');

        await goTab(alice, 'dialer');
        await alice.page.locator('#dialer-target').fill('bo');
        await alice.page.locator('[data-suggestion=bob]').waitFor();
        // No "not found" for what is still being typed while the directory suggests someone.
        expect(await alice.page.locator('[data-testid=dialer-unknown]').count()).toBe(0);
        await checkSurface(alice.page, `dialer-${sizeName(size)}-${lang}`, axe);
        await alice.page.locator('#dialer-target').fill('');

        await goTab(alice, 'history');
        await checkSurface(alice.page, `history-${sizeName(size)}-${lang}`, axe);
        await goTab(alice, 'settings');
        await checkSurface(alice.page, `settings-${sizeName(size)}-${lang}`, axe);
        if (size === MAIN) {
          // The web client has no global hotkeys: no fields that would do nothing.
          expect(await alice.page.locator('[id^=hotkey-]').count()).toBe(0);
          // "Saved" shows in the part that changed, not at the bottom of the page.
          const ringtone = alice.page.locator('#set-ringtone');
          await ringtone.selectOption('chime');
          const note = alice.page.locator('fieldset:has(#set-ringtone) .saved-note');
          await expect.poll(() => note.textContent()).toBe(WORDS[lang].saved);
          await ringtone.selectOption('classic');
        }
      }
      await alice.page.setViewportSize(MAIN);
    });

    test(`${lang}: the ringing window at 340×150 shows the caller's whole name and every answer`, async () => {
      const bob = await userPage(world, 'bob');
      const max = await userPage(world, 'max');
      const alice = await userPage(world, 'alice');
      for (const user of [bob, max, alice]) await setLanguage(user, lang);
      await goTab(bob, 'contacts');
      for (const [caller, media, name] of [
        [max, 'video', LONG_NAME],
        [alice, 'audio', 'Alice'],
      ] as const) {
        await dial(caller, 'bob', media, lang);
        await incoming(bob).waitFor();
        const callId = await incoming(bob).getAttribute('data-call');
        await bob.page.setViewportSize(RINGING);
        await bob.page.evaluate((id) => (window.location.hash = `#/ringing/${id}`), callId);
        const card = bob.page.locator('main.ringing-window [role=alertdialog]');
        await card.waitFor();
        await shoot(bob.page, `ringing-${media}-${sizeName(RINGING)}-${lang}`);
        const shown = card.locator('[data-testid=caller-name]');
        expect(await textFullyShown(shown, name), `${name} in the ringing window`).toBe(true);
        const answers = card.getByRole('button');
        expect(await answers.count()).toBe(media === 'video' ? 3 : 2);
        for (const button of await answers.all())
          expect(await inViewport(button), (await button.textContent()) ?? '').toBe(true);
        // One row: every answer on the same line.
        const tops = await answers.evaluateAll((els) =>
          els.map((e) => Math.round(e.getBoundingClientRect().top)),
        );
        expect(new Set(tops).size).toBe(1);
        await checkSurface(bob.page, `ringing-${media}-${sizeName(RINGING)}-${lang}`);
        await card.getByRole('button').last().click(); // Decline
        await bob.page.setViewportSize(MAIN);
        await bob.page.evaluate(() => (window.location.hash = '#/contacts'));
        await expectIdle(bob);
        await expectIdle(caller);
      }
    });

    test(`${lang}: a call arriving while typing in search takes no focus; the missed-call card names the caller`, async () => {
      const bob = await userPage(world, 'bob');
      const alice = await userPage(world, 'alice');
      await bob.page.setViewportSize(MAIN);
      // Each test sets the languages it reads: it must not rely on an earlier test's.
      for (const user of [bob, alice]) await setLanguage(user, lang);
      await goTab(bob, 'contacts');
      const search = bob.page.locator('#contacts-search');
      await search.fill('');
      await search.pressSequentially('al');
      await dial(alice, 'bob', 'audio', lang);
      await incoming(bob).waitFor();
      await checkSurface(bob.page, `incoming-${sizeName(MAIN)}-${lang}`);
      expect(await bob.page.evaluate(() => document.activeElement?.id)).toBe('contacts-search');
      // The next Space lands in the search box, not on Accept.
      await bob.page.keyboard.press('Space');
      expect(await search.inputValue()).toBe('al ');
      expect(await incoming(bob).count()).toBe(1);
      expect(await inCall(bob).count()).toBe(0);
      await search.fill('');
      // The same card in the wide layout.
      await bob.page.setViewportSize(WIDE);
      await checkSurface(bob.page, `incoming-${sizeName(WIDE)}-${lang}`);
      await bob.page.setViewportSize(MAIN);
      // Alice gives up: Bob's card says whose call he missed.
      await alice.page.locator('section.outgoing button.danger').click();
      const missed = bob.page.locator('section.ended');
      await missed.waitFor();
      await expect.poll(() => missed.textContent()).toContain(WORDS[lang].missedFrom);
      await checkSurface(bob.page, `missed-${sizeName(MAIN)}-${lang}`);
      await bob.page.setViewportSize(WIDE);
      await checkSurface(bob.page, `missed-${sizeName(WIDE)}-${lang}`);
      await bob.page.setViewportSize(MAIN);
      await missed.getByRole('button').last().click();
      await expectIdle(alice);
    });

    test(`${lang}: an audio and a video call at 420×700 and 1280×800 keep Mute and Hang up on screen`, async () => {
      const alice = await userPage(world, 'alice');
      const bob = await userPage(world, 'bob');
      await setLanguage(alice, lang);
      await setLanguage(bob, lang);
      for (const media of ['audio', 'video'] as const) {
        await dial(alice, 'bob', media, lang);
        await incoming(bob).waitFor();
        // The caller's card while it rings: who is called, and Cancel on screen.
        const outgoing = alice.page.locator('section.outgoing');
        await outgoing.waitFor();
        for (const size of [MAIN, WIDE]) {
          await alice.page.setViewportSize(size);
          const name = `outgoing-${media}-${sizeName(size)}-${lang}`;
          expect(await outgoing.textContent(), `${name}: callee named`).toContain('Bob');
          const cancel = outgoing.locator('button.danger');
          expect(await inViewport(cancel), `${name}: cancel`).toBe(true);
          await checkSurface(alice.page, name, media === 'audio');
        }
        await alice.page.setViewportSize(MAIN);
        await incoming(bob).locator('button.accept').click();
        await inCall(alice).waitFor();
        await inCall(bob).waitFor();
        for (const size of [MAIN, WIDE]) {
          for (const user of [alice, bob]) {
            await user.page.setViewportSize(size);
            const name = `in-call-${media}-${user.userId}-${sizeName(size)}-${lang}`;
            const hangup = user.page.getByRole('button', { name: WORDS[lang].hangup, exact: true });
            const mute = user.page.getByRole('button', { name: WORDS[lang].mute });
            await hangup.waitFor();
            await shoot(user.page, name);
            expect(await inViewport(hangup), `${name}: hang up`).toBe(true);
            expect(await inViewport(mute), `${name}: mute`).toBe(true);
            await checkSurface(user.page, name, user === alice);
          }
        }
        // Bob mutes himself: Alice sees it on his tile or avatar within a second.
        const micOff = alice.page.locator('section.in-call [data-user=bob] [data-state=mic-off]');
        expect(await micOff.count()).toBe(0);
        const clicked = Date.now();
        await bob.page.getByRole('button', { name: WORDS[lang].mute }).click();
        await micOff.first().waitFor({ timeout: 2_000 });
        const seenMs = Date.now() - clicked;
        console.log(`${lang} ${media}: bob's own mute seen by alice after ${seenMs} ms`);
        expect(seenMs, 'remote mute seen within 1 s').toBeLessThan(1_000);
        await alice.page.getByRole('button', { name: WORDS[lang].hangup }).click();
        await expectIdle(alice);
        await expectIdle(bob);
        for (const user of [alice, bob]) await user.page.setViewportSize(MAIN);
      }
    });

    test(`${lang}: offline, the last lists stay greyed and Reconnect now or the online event connects at once`, async () => {
      const alice = await userPage(world, 'alice');
      await setLanguage(alice, lang);
      await alice.page.setViewportSize(MAIN);
      await goTab(alice, 'contacts');
      await alice.page.locator('#contacts-search').fill('');
      await alice.page.locator('li.contact-row[data-user=bob]').waitFor();
      // While `down`, every new signaling socket is closed at once (the network is gone). The
      // route patches WebSocket when a page loads, hence the reload (the session is kept).
      let down = false;
      await alice.page.routeWebSocket(/./, (ws) => {
        if (down) void ws.close();
        else ws.connectToServer();
      });
      await alice.page.reload();
      await expect.poll(() => connection(alice), { timeout: 10_000 }).toBe('connected');
      await alice.page.locator('li.contact-row[data-user=bob]').waitFor();
      const banner = alice.page.locator('.offline-banner');
      const reconnect = alice.page.getByRole('button', { name: WORDS[lang].reconnectNow });
      /**
       * The network goes, and stays gone until the client's own next attempt is at least
       * LONG_WAIT_MS away (the banner's data-next-attempt-at, the time it counts down to):
       * connecting within 2 s of the click or the event is then theirs, never the backoff's,
       * and the button cannot vanish under the click because the backoff connected first (it
       * did once: the click then waited out its 30 s action timeout). A fixed sleep gave
       * neither: after 5 s the next attempt was anywhere in 0-8 s.
       */
      const LONG_WAIT_MS = 3_000;
      const goOffline = async () => {
        down = true;
        for (const session of world.t.server.services.sessions.sessionsOf('alice'))
          session.close('server-shutdown');
        await expect.poll(() => connection(alice)).not.toBe('connected');
      };
      /** Waits until the next attempt is due ≥ LONG_WAIT_MS from now; returns when it is due. */
      const longBackoff = async () => {
        const dueIn = async () =>
          Number(await banner.getAttribute('data-next-attempt-at')) - Date.now();
        await expect
          .poll(dueIn, { timeout: 30_000, intervals: [100] })
          .toBeGreaterThanOrEqual(LONG_WAIT_MS);
        return Number(await banner.getAttribute('data-next-attempt-at'));
      };
      try {
        let offlineAt = Date.now();
        await goOffline();
        // The last directory answer stays, greyed, instead of "Nobody found".
        await alice.page.locator('ul.contact-list.stale li.contact-row[data-user=bob]').waitFor();
        await checkSurface(alice.page, `offline-${sizeName(MAIN)}-${lang}`);
        await alice.page.setViewportSize(WIDE);
        await checkSurface(alice.page, `offline-${sizeName(WIDE)}-${lang}`);
        await alice.page.setViewportSize(MAIN);
        let dueAt = await longBackoff();
        const waited = [Date.now() - offlineAt];
        down = false;
        let since = Date.now();
        await reconnect.click();
        await expect
          .poll(() => connection(alice), { timeout: 5_000, intervals: [50] })
          .toBe('connected');
        const afterClick = Date.now() - since;
        expect(Date.now(), 'connected before the backoff would have').toBeLessThan(dueAt);
        await alice.page.locator('ul.contact-list.stale').waitFor({ state: 'detached' });

        offlineAt = Date.now();
        await goOffline();
        dueAt = await longBackoff();
        waited.push(Date.now() - offlineAt);
        down = false;
        since = Date.now();
        await alice.page.evaluate(() => window.dispatchEvent(new Event('online')));
        await expect
          .poll(() => connection(alice), { timeout: 5_000, intervals: [50] })
          .toBe('connected');
        const afterOnline = Date.now() - since;
        expect(Date.now(), 'connected before the backoff would have').toBeLessThan(dueAt);
        console.log(
          `${lang}: offline ${waited.join(' / ')} ms until the next attempt was ≥ ${LONG_WAIT_MS} ms away; ` +
            `connected ${afterClick} ms after Reconnect now, ${afterOnline} ms after online`,
        );
        expect(afterClick).toBeLessThan(2_000);
        expect(afterOnline).toBeLessThan(2_000);
      } finally {
        down = false;
      }
    });
  }
});
