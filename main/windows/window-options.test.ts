import { describe, expect, it } from 'vitest';
import {
  RINGING_WINDOW_SIZE,
  ringingWindowBounds,
  secureWebPreferences,
} from './window-options.js';

describe('window options', () => {
  it('every window is isolated, sandboxed and without Node', () => {
    const prefs = secureWebPreferences({ preload: '/p/index.cjs' });
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: '/p/index.cjs',
    });
    expect(secureWebPreferences({ autoplay: true }).autoplayPolicy).toBe(
      'no-user-gesture-required',
    );
  });

  it('ringing windows stack upwards from the bottom-right of the work area and stay on screen', () => {
    const area = { x: 0, y: 0, width: 1920, height: 1040 };
    const first = ringingWindowBounds(area, 0);
    const second = ringingWindowBounds(area, 1);
    expect(first.x + first.width).toBeLessThanOrEqual(1920);
    expect(first.y + first.height).toBeLessThanOrEqual(1040);
    expect(second.y).toBe(first.y - RINGING_WINDOW_SIZE.height - 16);
    for (let i = 0; i < 20; i++) {
      const b = ringingWindowBounds({ x: 100, y: 50, width: 800, height: 500 }, i);
      expect(b.y).toBeGreaterThanOrEqual(50);
      expect(b.x).toBeGreaterThanOrEqual(100);
    }
  });
});
