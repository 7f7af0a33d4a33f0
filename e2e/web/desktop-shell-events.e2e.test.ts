import { chromiumMissingReason } from '../support/chromium.js';
import { expect, test } from '../support/test.js';
import {
  type WebWorld,
  audioBytesFrom,
  dial,
  grows,
  inCall,
  incoming,
  openClient,
  openClientSignedIn,
  signIn,
  startWorld,
  stopWorld,
} from './web-harness.js';

/**
 * The renderer's side of main's shell pushes, in Chromium with a real call: the page gets the
 * preload's `trayphoneShell` as the desktop app gives it (here a stand-in that keeps the
 * listeners, so the test can push as main does), and `shell:mute-toggle` must mute the call's
 * microphone as the Mute button does (the other side stops hearing it), `shell:open-view` must
 * open the tab.
 */
const missing = chromiumMissingReason();
if (missing) console.log(`desktop shell events suite skipped: ${missing}`);

/** The preload's shell bridge as seen by the page; `__shellPush` plays main's part. */
const SHELL_STAND_IN = `
  (() => {
    const listeners = { mute: [], view: [] };
    window.trayphoneShell = {
      onMuteToggle: (l) => { listeners.mute.push(l); return () => listeners.mute.splice(listeners.mute.indexOf(l), 1); },
      onOpenView: (l) => { listeners.view.push(l); return () => listeners.view.splice(listeners.view.indexOf(l), 1); },
    };
    window.__shellPush = (kind, arg) => { for (const l of [...listeners[kind]]) l(arg); return listeners[kind].length; };
  })();
`;

let world: WebWorld;

test.describe('desktop shell pushes in the renderer', () => {
  test.skip(missing !== undefined, missing);
  test.describe.configure({ timeout: 120_000 });
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(90_000);
    world = await startWorld(browser, ['alice', 'bob']);
  });
  test.afterAll(async () => {
    await stopWorld(world);
  });

  test('open-view opens the tab; mute-toggle mutes and unmutes the live call like the button', async () => {
    const alice = await openClient(world, 'alice', { initScript: SHELL_STAND_IN });
    await signIn(alice);
    const bob = await openClientSignedIn(world, 'bob');
    type Push = (kind: string, arg?: string) => number;
    const push = (kind: 'mute' | 'view', arg?: string) =>
      alice.page.evaluate(
        (p) => (window as unknown as { __shellPush: Push }).__shellPush(p.kind, p.arg),
        { kind, ...(arg !== undefined ? { arg } : {}) },
      );

    expect(await push('view', 'history')).toBe(1);
    await alice.page.locator('#history-title').waitFor();
    expect(await alice.page.evaluate(() => window.location.hash)).toBe('#/history');

    // No call view, no mute listener: the hotkey has nothing to act on.
    expect(await push('mute')).toBe(0);
    await dial(alice, 'bob', 'audio');
    await incoming(bob).waitFor();
    await bob.page.getByRole('button', { name: 'Accept audio' }).click();
    await inCall(alice).waitFor();
    await inCall(bob).waitFor();
    expect(await grows(() => audioBytesFrom(bob, 'alice'), 1_500)).toBe(true);

    // The call bar's one Mute toggle shows the state (issue 14's call screen), as in web.e2e.
    const mute = alice.page.locator('.call-bar-slot').getByRole('button', { name: 'Mute' });
    expect(await push('mute')).toBe(1);
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true');
    // Give the SFU a moment, then bob hears nothing more from alice.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await grows(() => audioBytesFrom(bob, 'alice'), 1_000, 3_000)).toBe(false);

    expect(await push('mute')).toBe(1);
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('false');
    expect(await grows(() => audioBytesFrom(bob, 'alice'), 1_500)).toBe(true);

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await inCall(alice).waitFor({ state: 'detached' });
    expect(await push('mute')).toBe(0);
  });
});
