import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../../e2e/support/bundle.js';
import { chromiumSkipReason, launchChromium } from '../../e2e/support/chromium.js';

/** The press-a-key hotkey field in real Chromium: real key events, real focus. */
const missing = chromiumSkipReason('hotkey capture suite');

declare const window: { saved: string[] };

let browser: Browser;
let page: Page;

const field = () => page.locator('#hotkey-answer');
const saved = () => page.evaluate(() => window.saved);
const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');

describe.skipIf(missing !== undefined)('press-a-key hotkey field', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    const script = await bundleForBrowser(
      path.join(import.meta.dirname, '../testing/hotkey-capture-harness.tsx'),
    );
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent('<!doctype html><html><body><div id="root"></div></body></html>');
    await page.addScriptTag({ content: script });
    await field().waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser.close();
  });

  it('records the combination pressed, and Tab still moves on', async () => {
    expect(await field().inputValue()).toBe('CommandOrControl+Shift+A');
    await page.locator('#before').focus();
    await page.keyboard.press('Tab');
    expect(await focusedId()).toBe('hotkey-answer');
    expect(await field().inputValue()).toBe('Press keys… (Esc cancels)');
    await page.keyboard.down('Control');
    await page.keyboard.down('Alt');
    // Only modifiers so far: shown, nothing saved.
    expect(await field().inputValue()).toBe('CommandOrControl+Alt');
    expect(await saved()).toEqual([]);
    await page.keyboard.press('KeyM');
    await page.keyboard.up('Alt');
    await page.keyboard.up('Control');
    expect(await saved()).toEqual(['CommandOrControl+Alt+M']);
    expect(await field().inputValue()).toBe('CommandOrControl+Alt+M');
    expect(await focusedId()).not.toBe('hotkey-answer');
    // Tab passes through a listening field instead of being recorded.
    await field().focus();
    await page.keyboard.press('Tab');
    expect(await focusedId()).not.toBe('hotkey-answer');
    expect(await saved()).toEqual(['CommandOrControl+Alt+M']);
  });

  it('a plain key asks for a modifier; Escape keeps the old one; Backspace clears it', async () => {
    await field().focus();
    await page.keyboard.press('KeyQ');
    expect(await page.locator('#hotkey-answer-hint').textContent()).toBe(
      'Use at least one of Ctrl, Alt, Shift or Super with a key.',
    );
    expect(await focusedId()).toBe('hotkey-answer');
    await page.keyboard.press('Escape');
    expect(await focusedId()).not.toBe('hotkey-answer');
    expect(await field().inputValue()).toBe('CommandOrControl+Alt+M');

    await field().focus();
    await page.keyboard.press('Backspace');
    expect((await saved()).at(-1)).toBe('');
    expect(await field().inputValue()).toBe('Not set');
    expect(await page.getByRole('button', { name: 'Clear Answer' }).isDisabled()).toBe(true);
  });
});
