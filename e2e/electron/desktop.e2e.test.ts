import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ElectronApplication, type Page, _electron } from '@playwright/test';
import type { SoftphoneApi, SoftphoneSnapshot } from '../../protocol/index.js';
import { type TestServer, startTestServer } from '../../server/testing/test-server.js';
import { expect, test } from '../support/test.js';
import { electronBinary, electronMissingReason } from './electron-binary.js';

/**
 * The desktop app end to end: the built app (electron-vite build) started hidden in the tray
 * against a real server; a Node client calls; the ringing window appears without focus; the
 * call is accepted from it and the window closes; the call is hung up. Runs only where an
 * Electron binary exists.
 */
const missing = electronMissingReason();
if (missing) console.log(`electron desktop suite skipped: ${missing}`);

declare const window: { softphone: SoftphoneApi };
const root = path.resolve(import.meta.dirname, '../..');

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    // A probe may land in a reload (the window reloads when the server changes): retry.
    const value = await probe().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test.describe('desktop app (Electron)', () => {
  test.skip(missing !== undefined, missing);
  let t: TestServer | undefined;
  let app: ElectronApplication | undefined;
  let userData: string | undefined;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    if (!existsSync(path.join(root, 'out/main/index.js'))) {
      const { build } = await import('electron-vite');
      await build({ root, configFile: path.join(root, 'electron.vite.config.ts') });
    }
    t = await startTestServer({ media: { enabled: true } });
    await t.addUser('alice', 'Alice');
    await t.addUser('bob', 'Bob');
    userData = mkdtempSync(path.join(os.tmpdir(), 'trayphone-electron-'));
    app = await _electron.launch({
      executablePath: electronBinary()!,
      args: [path.join(root, 'out/main/index.js'), '--hidden', '--no-sandbox'],
      env: { ...process.env, TRAYPHONE_USER_DATA: userData, ELECTRON_ENABLE_LOGGING: '1' },
      timeout: 30_000,
    });
  });

  test.afterAll(async () => {
    await app?.close().catch(() => undefined);
    await t?.dispose();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  test('starts hidden in the tray, rings on an incoming call, accepts, hangs up', async () => {
    test.setTimeout(90_000);
    if (!app || !t) throw new Error('set-up failed');
    const server = t;
    const electronApp = app;
    const main = await electronApp.firstWindow();
    expect(
      await electronApp.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows()[0]?.isVisible(),
      ),
    ).toBe(false);

    // Signing in to a new server reloads the window (its CSP): the evaluate may not return.
    await main
      .evaluate(
        (serverUrl) =>
          window.softphone.signIn({ serverUrl, userId: 'bob', password: 'password-bob' }),
        server.server.httpUrl,
      )
      .catch(() => undefined);
    const snapshot = (page: Page) => page.evaluate(() => window.softphone.getSnapshot({}));
    await until(
      () => snapshot(main),
      (s: SoftphoneSnapshot) => s.connection === 'connected',
    );

    const alice = await server.connect('alice', { id: 'alice-node' });
    const callId = 'e2e-electron-call-1';
    const ringing = electronApp.waitForEvent('window', {
      predicate: (p) => p.url().includes('#/ringing/'),
    });
    await alice.request('call.invite', { callId, callees: ['bob'], media: 'audio' });
    const ringPage = await ringing;
    expect(ringPage.url()).toContain(`#/ringing/${callId}`);
    // Shown on top without taking focus from whatever the user was doing.
    const shown = await until(
      () =>
        electronApp.evaluate(({ BrowserWindow }) =>
          BrowserWindow.getAllWindows()
            .filter((w) => w.webContents.getURL().includes('#/ringing/'))
            .map((w) => ({
              visible: w.isVisible(),
              onTop: w.isAlwaysOnTop(),
              focused: w.isFocused(),
            })),
        ),
      (ws) => ws.length === 1 && ws[0]!.visible,
    );
    expect(shown[0]).toMatchObject({ onTop: true, focused: false });

    const closed = ringPage.waitForEvent('close');
    await ringPage.evaluate(
      (id) => window.softphone.accept({ callId: id, media: 'audio' }),
      callId,
    );
    await closed;
    await until(
      () => snapshot(main),
      (s) => s.calls.some((c) => c.callId === callId && c.state === 'active'),
    );

    await main.evaluate((id) => window.softphone.hangup({ callId: id }), callId);
    await until(
      () => snapshot(main),
      (s) => !s.calls.some((c) => c.callId === callId && c.state !== 'ended'),
    );
    await alice.close();
  });
});
