import { chromiumMissingReason } from '../support/chromium.js';
import { expect, test } from '../support/test.js';
import { startFutureServer } from './future-server.js';
import {
  type UserPage,
  type WebWorld,
  dial,
  expectIdle,
  expectToast,
  goTab,
  grows,
  inCall,
  inbound,
  incoming,
  RING_TIMEOUT_MS,
  SCREENSHOT_DIR,
  audioBytesFrom,
  connection,
  openClient,
  dropUsers,
  openClientSignedIn,
  userPage,
  screenshot,
  sounds,
  startWorld,
  stopWorld,
  videoPlaying,
} from './web-harness.js';

/**
 * The web client end to end in Chromium against the real server and SFU: every step through the
 * UI a person would use, every check on what the pages show and what WebRTC really receives.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`web e2e suite skipped: ${missing}`);

let world: WebWorld;

test.describe('web client in Chromium', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 120_000 });
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(90_000);
    world = await startWorld(browser, ['alice', 'bob', 'carol', 'dave', 'erin']);
  });
  test.afterAll(async () => {
    await stopWorld(world);
  });
  // Playwright reads the fixtures a hook needs from this pattern: none, only the test's info.
  // eslint-disable-next-line no-empty-pattern
  test.afterEach(async ({}, testInfo) => {
    const failed = testInfo.status !== testInfo.expectedStatus;
    // Error toasts no flow claimed, and any still on screen (claimed ones are dismissed, or
    // they would show in the next flow): taken now, checked once the pages are cleaned up.
    const strayToasts = world.toasts.splice(0);
    const leftOnScreen: string[] = [];
    for (const user of world.users.values()) {
      const texts = await user.page
        .locator('.toast')
        .evaluateAll((els) =>
          els.map((e) => `${(e as HTMLElement).dataset.code} ${e.firstChild?.textContent}`),
        )
        .catch(() => []);
      for (const text of texts) leftOnScreen.push(`${user.userId}: ${text}`);
    }
    // A failed test leaves a picture of every page; then every user of the test signs off.
    if (failed) {
      let n = 0;
      for (const c of [
        ...world.contexts,
        ...[...world.users.values()].map((u) => u.page.context()),
      ])
        for (const page of c.pages())
          await page
            .screenshot({
              path: `${SCREENSHOT_DIR}/failed-${testInfo.title.slice(0, 20)}-${n++}.png`,
            })
            .catch(() => undefined);
    }
    await Promise.all(world.contexts.splice(0).map((c) => c.close().catch(() => undefined)));
    if (failed) await dropUsers(world);
    expect(strayToasts, 'error toasts shown in a flow that expects none').toEqual([]);
    expect(leftOnScreen, 'error toasts left on screen at the end of the flow').toEqual([]);
  });

  test('alice video-calls bob from her contacts: he rings, accepts, both see and hear each other; she hangs up; both histories show it with its duration', async () => {
    const alice = await userPage(world, 'alice');
    const bob = await userPage(world, 'bob');

    await goTab(alice, 'contacts');
    await alice.page.locator('#contacts-search').fill('bob');
    const row = alice.page.locator('li.contact-row[data-user=bob]');
    await row.waitFor();
    await expect
      .poll(() => row.locator('[data-presence]').getAttribute('data-presence'))
      .toBe('available');
    // One call action on the row (audio); video is in its "…" menu.
    await row.getByRole('button', { name: 'More actions for Bob' }).click();
    await alice.page.getByRole('menuitem', { name: 'Video call Bob' }).click();

    await incoming(bob).waitFor();
    await expect(incoming(bob).textContent()).resolves.toContain('alice');
    await expect.poll(() => sounds(bob)).toContain('classic');
    await expect.poll(() => sounds(alice)).toContain('ringback');
    await bob.page.getByRole('button', { name: 'Accept video' }).click();

    await inCall(alice).waitFor();
    await inCall(bob).waitFor();
    await expect.poll(() => videoPlaying(alice, 'bob'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => videoPlaying(bob, 'alice'), { timeout: 15_000 }).toBe(true);
    for (const user of [alice, bob]) {
      expect(await grows(async () => (await inbound(user)).audioBytes, 2_000), user.userId).toBe(
        true,
      );
      expect(await grows(async () => (await inbound(user)).videoFrames, 10), user.userId).toBe(
        true,
      );
    }
    expect(await sounds(bob)).toBe('');
    expect(await sounds(alice)).toBe('');
    await screenshot(alice, 'in-call-en');

    // Screen sharing adds a second video stream, and bob's tile shows the screen.
    const decodingVideo = (user: UserPage) =>
      user.page.evaluate(async () => {
        let n = 0;
        for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
          if (pc.connectionState === 'closed') continue;
          (await pc.getStats()).forEach(
            (s: { type: string; kind?: string; framesDecoded?: number }) => {
              if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded ?? 0) > 0) n++;
            },
          );
        }
        return n;
      });
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await alice.page.getByRole('button', { name: 'Stop sharing' }).waitFor();
    await expect.poll(() => decodingVideo(bob), { timeout: 10_000 }).toBe(2);
    await alice.page.getByRole('button', { name: 'Stop sharing' }).click();
    await alice.page.getByRole('button', { name: 'Share screen' }).waitFor();

    // Switching the microphone mid-call replaces the track: bob keeps hearing alice.
    await alice.page.getByRole('button', { name: 'Devices' }).click();
    const mics = await alice.page
      .locator('#call-mic option')
      .evaluateAll((options) =>
        options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''),
      );
    expect(mics.length).toBeGreaterThan(1);
    await alice.page.locator('#call-mic').selectOption(mics[mics.length - 1] ?? '');
    await expect.poll(() => alice.page.locator('#call-mic').inputValue()).toBe(mics.at(-1));
    expect(await grows(() => audioBytesFrom(bob, 'alice'), 2_000)).toBe(true);
    expect(alice.errors).toEqual([]);
    await alice.page.locator('#call-mic').selectOption('');

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await expectIdle(alice);
    await expectIdle(bob);

    for (const user of [alice, bob]) {
      await goTab(user, 'history');
      const first = user.page.locator('li.history-row').first();
      await first.waitFor();
      const text = (await first.textContent()) ?? '';
      // By display name (the id is its title).
      expect(text, user.userId).toContain(user === alice ? 'Bob' : 'Alice');
      expect(text).toContain(user === alice ? 'Outgoing' : 'Incoming');
      const duration = await first.locator('[data-testid=duration]').textContent();
      expect(duration, 'a call of a few seconds').toMatch(/^[1-9]\d* s$/);
      await first.getByRole('button', { name: 'Details' }).click();
      await expect(first.locator('dl.details').textContent()).resolves.toContain('Call ended');
    }
    await screenshot(bob, 'history-en');
  });

  test('bob declines and alice sees "Declined"; alice cancels and bob stops ringing; nobody answers: timeout, and bob finds the missed calls counted and highlighted', async () => {
    const alice = await userPage(world, 'alice');
    const bob = await userPage(world, 'bob');
    // Away from History: looking at it marks missed calls seen.
    await goTab(bob, 'contacts');

    // Declined, by keyboard. The incoming view never takes focus from what has it (the tab just
    // clicked): Alt+Shift+A moves there, to "Accept audio"; Tab reaches Decline.
    await dial(alice, 'bob', 'audio');
    await incoming(bob).waitFor();
    expect(await bob.page.evaluate(() => document.activeElement?.getAttribute('data-tab'))).toBe(
      'contacts',
    );
    await bob.page.keyboard.press('Alt+Shift+A');
    await expect
      .poll(() => bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Accept audio');
    await bob.page.keyboard.press('Tab');
    expect(await bob.page.evaluate(() => document.activeElement?.textContent)).toBe('Decline');
    await bob.page.keyboard.press('Enter');
    const declined = alice.page.locator('section.ended li[data-user=bob]');
    await declined.waitFor();
    expect(await declined.textContent()).toContain('Declined');
    await screenshot(alice, 'declined-en');
    await expectIdle(bob);
    expect(await sounds(bob)).toBe('');

    // Canceled: bob's ringing stops.
    await dial(alice, 'bob', 'audio');
    await incoming(bob).waitFor();
    await expect.poll(() => sounds(bob)).toContain('classic');
    await alice.page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => incoming(bob).count(), { timeout: 3_000 }).toBe(0);
    await expect.poll(() => sounds(bob), { timeout: 1_000 }).toBe('');
    await expect.poll(() => sounds(alice), { timeout: 1_000 }).toBe('');

    // Nobody answers: the ring timeout ends it on both sides.
    await dial(alice, 'bob', 'video');
    await incoming(bob).waitFor();
    await expect
      .poll(() => alice.page.locator('section.outgoing li[data-user=bob]').textContent())
      .toContain('Ringing');
    const timedOut = alice.page.locator('section.ended li[data-user=bob]');
    await timedOut.waitFor({ timeout: RING_TIMEOUT_MS + 5_000 });
    expect(await timedOut.textContent()).toContain('No answer (timed out)');
    await expect.poll(() => incoming(bob).count()).toBe(0);
    expect(await sounds(bob)).toBe('');

    // Two missed calls (the canceled one and the unanswered one); the declined one is not missed.
    const badge = bob.page.locator('[data-testid=missed-badge]');
    await expect.poll(async () => ((await badge.count()) > 0 ? badge.textContent() : '')).toBe('2');
    await goTab(bob, 'history');
    await expect.poll(() => bob.page.locator('li.history-row.missed').count()).toBe(2);
    await expect.poll(() => bob.page.locator('li.history-row').count()).toBeGreaterThanOrEqual(3);
    await expect.poll(() => bob.page.locator('[data-testid=missed-count]').textContent()).toBe('2');
    const missedRow = bob.page.locator('li.history-row.missed').first();
    expect(await missedRow.textContent()).toContain('Missed call');
    await screenshot(bob, 'history-missed-en');
    // Seen now: the badge goes.
    await expect.poll(() => badge.count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Missed' }).click();
    await expect.poll(() => bob.page.locator('li.history-row').count()).toBe(2);
  });

  test('bob signed in twice: he answers on one device and the other stops ringing at once', async () => {
    const alice = await userPage(world, 'alice');
    const bobDesk = await userPage(world, 'bob');
    const bobLaptop = await openClientSignedIn(world, 'bob'); // a second device

    await dial(alice, 'bob', 'audio');
    await incoming(bobDesk).waitFor();
    await incoming(bobLaptop).waitFor();
    await expect.poll(() => sounds(bobLaptop)).toContain('classic');
    await bobDesk.page.getByRole('button', { name: 'Accept audio' }).click();
    const answered = Date.now();
    await expect.poll(() => incoming(bobLaptop).count(), { intervals: [50] }).toBe(0);
    await expect.poll(() => sounds(bobLaptop), { intervals: [50] }).toBe('');
    const stoppedAfter = Date.now() - answered;
    console.log(`second device stopped ringing ${stoppedAfter} ms after the answer`);
    expect(stoppedAfter).toBeLessThan(1_500);
    expect(await inCall(bobLaptop).count()).toBe(0);

    await inCall(alice).waitFor();
    await inCall(bobDesk).waitFor();
    expect(await grows(async () => (await inbound(bobDesk)).audioBytes, 2_000)).toBe(true);
    await bobDesk.page.getByRole('button', { name: 'Hang up' }).click();
    await expectIdle(alice);
    await expectIdle(bobDesk);
    await bobLaptop.page.context().close();
  });

  test('carol is offline when alice calls; she signs in before the timeout and gets the call', async () => {
    const alice = await userPage(world, 'alice');
    await dial(alice, 'carol', 'audio');
    const leg = alice.page.locator('section.outgoing li[data-user=carol]');
    await expect.poll(() => leg.getAttribute('data-state')).toBe('pushed');
    expect(await leg.textContent()).toContain('Offline: notified, still ringing');
    await expect.poll(() => sounds(alice)).toContain('ringback');
    await screenshot(alice, 'outgoing-pushed-en');

    const carol = await userPage(world, 'carol');
    await incoming(carol).waitFor();
    expect(await incoming(carol).textContent()).toContain('alice');
    // call-semantics.md: the caller's view moves from `pushed` to `ringing` once a device got it.
    await expect.poll(() => leg.getAttribute('data-state'), { timeout: 3_000 }).toBe('ringing');
    await carol.page.getByRole('button', { name: 'Accept audio' }).click();
    await inCall(alice).waitFor();
    await inCall(carol).waitFor();
    expect(await grows(async () => (await inbound(alice)).audioBytes, 2_000)).toBe(true);
    await carol.page.getByRole('button', { name: 'Hang up' }).click();
    await expectIdle(alice);
    await expectIdle(carol);
  });

  test('group call: alice calls bob and carol, adds dave during the call, mutes bob (nobody hears him any more) and removes carol', async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      userPage(world, 'alice'),
      userPage(world, 'bob'),
      userPage(world, 'carol'),
      userPage(world, 'dave'),
    ]);
    await dial(alice, 'bob, carol', 'audio');
    const outgoing = alice.page.locator('section.outgoing');
    await expect.poll(() => outgoing.locator('li').count()).toBe(2);
    for (const callee of [bob, carol]) {
      await incoming(callee).waitFor();
      await callee.page.getByRole('button', { name: 'Accept audio' }).click();
      await inCall(callee).waitFor();
    }
    await inCall(alice).waitFor();

    // Anyone may add people; here the moderator does, from the participants panel.
    await alice.page.locator('#add-participant').fill('dave');
    await alice.page.getByRole('button', { name: 'Invite', exact: true }).click();
    await incoming(dave).waitFor();
    await dave.page.getByRole('button', { name: 'Accept audio' }).click();
    await inCall(dave).waitFor();
    const panel = alice.page.locator('aside.participants');
    await expect.poll(() => panel.locator('li[data-user]').count()).toBe(4);

    // Everyone hears bob before the mute.
    for (const listener of [alice, carol, dave])
      expect(await grows(() => audioBytesFrom(listener, 'bob'), 1_500), listener.userId).toBe(true);

    // The moderator's per-person actions sit behind a "…" menu (a group call of 3+ only).
    await panel.getByRole('button', { name: 'Actions for Bob' }).click();
    await alice.page.getByRole('menuitem', { name: 'Mute audio of Bob' }).click();
    await expect
      .poll(() => bob.page.locator('.in-call').textContent())
      .toContain('The moderator muted your microphone.');
    await expect
      .poll(() => panel.locator('li[data-user=bob] [data-state=mic-off]').textContent())
      .toBe('Bob is muted');
    await screenshot(alice, 'group-call-moderator-en');
    // Give the SFU a moment to stop forwarding, then nothing more arrives from bob...
    await new Promise((r) => setTimeout(r, 1_000));
    for (const listener of [alice, carol, dave]) {
      expect(
        await grows(() => audioBytesFrom(listener, 'bob'), 1_000, 3_000),
        listener.userId,
      ).toBe(false);
    }
    // ...while alice is still heard.
    expect(await grows(() => audioBytesFrom(dave, 'alice'), 1_500)).toBe(true);
    // Bob cannot unmute himself against the moderator.
    const bobsMute = bob.page.locator('.call-bar-slot').getByRole('button', { name: 'Mute' });
    expect(await bobsMute.getAttribute('aria-pressed')).toBe('true');

    await panel.getByRole('button', { name: 'Actions for Carol' }).click();
    await alice.page.getByRole('menuitem', { name: 'Remove Carol' }).click();
    await expectIdle(carol);
    await expect
      .poll(() => carol.page.locator('section.ended').textContent())
      .toContain('You were removed from the call');
    await expect.poll(() => panel.locator('li[data-user]').count()).toBe(3);
    expect(await inCall(bob).count()).toBe(1);
    expect(await inCall(dave).count()).toBe(1);

    await alice.page.getByRole('button', { name: 'End for all' }).click();
    for (const user of [alice, bob, dave]) await expectIdle(user);
  });

  test('do-not-disturb and busy refusals reach the caller with their reasons', async () => {
    const [alice, bob, carol, erin] = await Promise.all([
      userPage(world, 'alice'),
      userPage(world, 'bob'),
      userPage(world, 'carol'),
      userPage(world, 'erin'),
    ]);
    // Erin turns on do-not-disturb from the header's status control.
    await erin.page.locator('#status-control').selectOption('dnd');
    await expect.poll(() => erin.page.locator('#status-control').inputValue()).toBe('dnd');
    await new Promise((r) => setTimeout(r, 300));
    await dial(alice, 'erin', 'audio');
    const dnd = alice.page.locator('section.ended li[data-user=erin]');
    await dnd.waitFor();
    expect(await dnd.textContent()).toContain('Do not disturb');
    expect(await incoming(erin).count()).toBe(0);
    expect(await sounds(erin)).toBe('');
    await screenshot(alice, 'refused-dnd-en');

    // Bob is in a call with carol: a second caller hears "busy".
    await dial(bob, 'carol', 'audio');
    await incoming(carol).waitFor();
    await carol.page.getByRole('button', { name: 'Accept audio' }).click();
    await inCall(bob).waitFor();
    await alice.page.getByRole('button', { name: 'Dismiss' }).click();
    await dial(alice, 'bob', 'audio');
    const busy = alice.page.locator('section.ended li[data-user=bob]');
    await busy.waitFor();
    expect(await busy.textContent()).toContain('Busy');
    expect(await incoming(bob).count()).toBe(0);
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    await expectIdle(carol);
  });

  test('the connection state is always shown, and the dialer keeps what was typed across a reconnect', async () => {
    const alice = await userPage(world, 'alice');
    await goTab(alice, 'dialer');
    await alice.page.locator('#dialer-target').fill('bob, car');
    // The server drops alice's connection (as a network change would): the client reconnects.
    for (const session of world.t.server.services.sessions.sessionsOf('alice'))
      session.close('server-shutdown');
    // The reconnect can be quicker than two reads from the test, so the state and its words are
    // read together, in one evaluation, at the first moment the page is not connected.
    let seen = { state: 'connected', words: '' };
    await expect
      .poll(
        async () => {
          seen = await alice.page.evaluate(() => {
            const el = document.querySelector('.connection');
            return {
              state: el?.className.replace(/.*connection-/, '') ?? 'none',
              words: el?.querySelector('[data-testid=connection]')?.textContent ?? '',
            };
          });
          return seen.state;
        },
        { intervals: [20] },
      )
      .not.toBe('connected');
    expect(['Connecting…', 'Reconnecting…']).toContain(seen.words);
    await expect.poll(() => connection(alice), { timeout: 15_000 }).toBe('connected');
    expect(await alice.page.locator('#dialer-target').inputValue()).toBe('bob, car');
  });

  test('sign-in says plainly what went wrong: wrong password, unreachable server, incompatible version', async () => {
    const visitor = await openClient(world, 'alice');
    const { page } = visitor;
    // A deep link is a client route: the server answers with the app, under its strict CSP.
    const response = await page.goto(`${world.t.server.httpUrl}/some/client/route`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#signin-user').waitFor();
    const error = page.locator('#signin-error');
    await page.locator('#signin-user').fill('alice');
    await page.locator('#signin-password').fill('not-her-password');
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => error.textContent()).toBe('Wrong user ID or password.');
    await screenshot(visitor, 'signin-wrong-password-en');

    // Nothing listens on port 9 of loopback.
    await page.locator('#signin-server').fill('http://127.0.0.1:9');
    await page.locator('#signin-password').fill('password-alice');
    await page.locator('form button[type=submit]').click();
    await expect
      .poll(() => error.textContent(), { timeout: 15_000 })
      .toBe('The server cannot be reached. Check the URL and your network.');

    const future = await startFutureServer();
    try {
      await page.locator('#signin-server').fill(future.url);
      await page.locator('#signin-password').fill('password-alice');
      await page.locator('form button[type=submit]').click();
      await expect
        .poll(() => error.textContent(), { timeout: 15_000 })
        .toContain('different version of Trayphone');
    } finally {
      await future.close();
    }
    // What was typed is still there, nothing signed in.
    expect(await page.locator('#signin-user').inputValue()).toBe('alice');
    expect(await page.locator('nav.tabs').count()).toBe(0);
  });

  test('a click-to-call link opens the dialer pre-filled', async () => {
    const alice = await userPage(world, 'alice');
    await alice.page.goto(
      `${world.t.server.httpUrl}/?call=${encodeURIComponent('tel:carol')}&media=video`,
    );
    await expect.poll(() => connection(alice), { timeout: 10_000 }).toBe('connected');
    await alice.page.locator('#dialer-title').waitFor();
    await expect.poll(() => alice.page.locator('#dialer-target').inputValue()).toBe('carol');
    expect(await alice.page.locator('.dialer [role=status]').textContent()).toContain(
      'Opened from a link',
    );
    expect(alice.page.url()).not.toContain('call=');
    await alice.page.getByRole('button', { name: 'Clear', exact: true }).click();

    // A call that cannot be placed says so, in a toast and in the ended call's summary.
    await alice.page.locator('#dialer-target').fill('nosuchuser');
    await alice.page.getByRole('button', { name: 'Audio call', exact: true }).click();
    expect(await expectToast(world, alice, 'not-found')).toContain('No such user');
    const toast = alice.page.locator('.toasts .toast');
    expect(await toast.count()).toBe(1);
    await alice.page.locator('section.ended').waitFor();
    // A toast raised before switching language is shown in the new one.
    await goTab(alice, 'settings');
    await alice.page.locator('#settings-language').selectOption('zh-CN');
    await expect.poll(() => toast.first().textContent()).toContain('没有该用户');
    await alice.page.locator('#settings-language').selectOption('en');
    await expect.poll(() => toast.first().textContent()).toContain('No such user');
    // Dismissed by its own button (the summary has a "Dismiss" too): it must not linger into
    // the next flow's screens.
    await toast.first().getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => toast.count()).toBe(0);
    await alice.page.locator('section.ended').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => alice.page.locator('section.ended').count()).toBe(0);
  });

  test('every main screen, in English and in Simplified Chinese switched at run time (screenshots saved)', async () => {
    const LABELS = {
      en: { contacts: 'Contacts', acceptVideo: 'Accept video', hangup: 'Hang up' },
      'zh-CN': { contacts: '联系人', acceptVideo: '视频接听', hangup: '挂断' },
    } as const;
    const visitor = await openClient(world, 'visitor');
    const alice = await userPage(world, 'alice');
    const bob = await userPage(world, 'bob');
    for (const lang of ['en', 'zh-CN'] as const) {
      await visitor.page.locator('#language-picker').selectOption(lang);
      await expect
        .poll(() => visitor.page.evaluate(() => document.documentElement.lang))
        .toBe(lang);
      await screenshot(visitor, `signin-${lang}`);

      for (const user of [alice, bob]) {
        await goTab(user, 'settings');
        await user.page.locator('#settings-language').selectOption(lang);
        await expect
          .poll(() => user.page.locator('nav a[data-tab=contacts]').textContent())
          .toBe(LABELS[lang].contacts);
      }
      if (lang === 'en') {
        // The microphone test shows a live level; the ringtone preview and test sound play.
        await alice.page.getByRole('button', { name: 'Test microphone' }).click();
        await expect
          .poll(() =>
            alice.page.locator('#mic-level').evaluate((m) => (m as HTMLMeterElement).value),
          )
          .toBeGreaterThan(0.01);
        await alice.page.getByRole('button', { name: 'Stop test' }).click();
        await alice.page.getByRole('button', { name: 'Preview ringtone' }).click();
        await expect.poll(() => sounds(alice)).toBe('classic');
        await alice.page.getByRole('button', { name: 'Stop preview' }).click();
        await expect.poll(() => sounds(alice)).toBe('');
        await alice.page.getByRole('button', { name: 'Play test sound' }).click();
        await expect.poll(() => sounds(alice)).toBe('test');
        await expect.poll(() => sounds(alice), { timeout: 3_000 }).toBe('');
      }
      await screenshot(alice, `settings-${lang}`);
      await goTab(alice, 'contacts');
      await alice.page.locator('#contacts-search').fill('');
      await alice.page.locator('li.contact-row[data-user=bob]').waitFor();
      await screenshot(alice, `contacts-${lang}`);
      await goTab(alice, 'history');
      await screenshot(alice, `history-${lang}`);
      await goTab(alice, 'dialer');
      await alice.page.locator('#dialer-target').fill('bob');
      await screenshot(alice, `dialer-${lang}`);
      await alice.page.locator('.dialer button.primary').nth(1).click(); // video
      await incoming(bob).waitFor();
      await expect
        .poll(() => alice.page.locator('section.outgoing li[data-state=ringing]').count())
        .toBe(1);
      await screenshot(alice, `outgoing-${lang}`);
      await screenshot(bob, `incoming-${lang}`);
      // The ringing window of the desktop app is the same view, alone, at #/ringing/<callId>.
      const callId = await incoming(bob).getAttribute('data-call');
      await bob.page.evaluate((id) => (window.location.hash = `#/ringing/${id}`), callId);
      await bob.page.locator('main.ringing-window [role=alertdialog]').waitFor();
      await bob.page.setViewportSize({ width: 420, height: 260 });
      await screenshot(bob, `ringing-window-${lang}`);
      await bob.page.getByRole('button', { name: LABELS[lang].acceptVideo }).click();
      await bob.page.setViewportSize({ width: 1100, height: 760 });
      await bob.page.evaluate(() => (window.location.hash = '#/contacts'));
      await inCall(bob).waitFor();
      await inCall(alice).waitFor();
      await expect.poll(() => videoPlaying(alice, 'bob'), { timeout: 15_000 }).toBe(true);
      await screenshot(alice, `in-call-${lang}`);
      await alice.page.getByRole('button', { name: LABELS[lang].hangup }).click();
      await expectIdle(alice);
      await expectIdle(bob);
    }
    // Dark mode follows the system.
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await goTab(alice, 'history');
    await screenshot(alice, 'history-zh-CN-dark');
    const background = await alice.page.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    expect(background).toBe('rgb(20, 23, 27)');
    // Every screen above ran under the server's CSP without a single violation.
    expect(world.cspViolations).toEqual([]);
    // Back to English for whoever signs in next on this account.
    await goTab(alice, 'settings');
    await alice.page.locator('#settings-language').selectOption('en');
    await goTab(bob, 'settings');
    await bob.page.locator('#settings-language').selectOption('en');
  });
});
