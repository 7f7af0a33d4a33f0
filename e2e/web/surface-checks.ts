import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';

/**
 * What a person needs from a surface, measured in the page as it is (nothing scrolled): no
 * horizontal overflow, controls inside the viewport, text not cut off, axe clean. Screenshots
 * are viewport-sized: what the window shows, not the whole document.
 */
export const SURFACES_DIR = path.resolve(import.meta.dirname, '../../test-results/surfaces');
mkdirSync(SURFACES_DIR, { recursive: true });

export interface Viewport {
  width: number;
  height: number;
}
export const RINGING: Viewport = { width: 340, height: 150 };
export const MAIN: Viewport = { width: 420, height: 700 };
export const SMALLEST: Viewport = { width: 360, height: 560 };
export const WIDE: Viewport = { width: 1280, height: 800 };
export const sizeName = (v: Viewport) => `${v.width}x${v.height}`;

/** The document's width beyond the window's (0 when nothing overflows sideways). */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const doc = document.scrollingElement ?? document.documentElement;
    return doc.scrollWidth - window.innerWidth;
  });

/** The document's height beyond the window's (the page itself scrolls when > 0). */
export const verticalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const doc = document.scrollingElement ?? document.documentElement;
    return doc.scrollHeight - window.innerHeight;
  });

/**
 * Is the element wholly inside the window as it is now, without scrolling anything? Its box and
 * the box of every scrolling ancestor that clips it are checked, so a control below a scrolled
 * panel's fold counts as outside.
 */
export const inViewport = (locator: Locator): Promise<boolean> =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return false;
    if (r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight)
      return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const box = p.getBoundingClientRect();
      if (r.top < box.top - 1 || r.bottom > box.bottom + 1) return false;
      if (r.left < box.left - 1 || r.right > box.right + 1) return false;
    }
    return true;
  });

/** Is all of the text on screen: in the element, neither cut sideways nor below its last line? */
export const textFullyShown = (locator: Locator, full: string): Promise<boolean> =>
  locator.evaluate(
    (el, full) =>
      el.textContent.includes(full) &&
      el.scrollWidth <= el.clientWidth &&
      el.scrollHeight <= el.clientHeight,
    full,
  );

export interface AxeFinding {
  id: string;
  impact: string;
  targets: string[];
}

/** Critical and serious axe violations of the page as it is (WCAG 2.1 A and AA rules). */
export async function axeSerious(page: Page): Promise<AxeFinding[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

export async function shoot(page: Page, name: string): Promise<string> {
  const file = path.join(SURFACES_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
