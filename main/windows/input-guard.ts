import type { Log } from '../log/log.js';

/**
 * Keys no Trayphone window may act on, checked in `before-input-event` (before the page and any
 * menu accelerator see them): a reload (Ctrl/Cmd+R, Shift+Ctrl/Cmd+R, F5, the keyboard's Refresh
 * key) would kill the call's audio, and in production DevTools shortcuts do nothing. Unpackaged,
 * the DevTools keys toggle DevTools, since there is no default menu to do it.
 */

/** The part of Electron's `Input` this reads. */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  shift: boolean;
  alt: boolean;
}

export type GuardedKey = 'reload' | 'devtools';

export function guardedKey(input: KeyInput): GuardedKey | undefined {
  const key = input.key.length === 1 ? input.key.toLowerCase() : input.key;
  const command = input.control || input.meta;
  if (key === 'F5' || key === 'BrowserRefresh' || (command && key === 'r')) return 'reload';
  if (key === 'F12') return 'devtools';
  // Ctrl+Shift+I/J/C (Windows, Linux) and Cmd+Alt+I/J/C (macOS): Chromium's DevTools keys.
  const devtoolsChord = (input.control && input.shift) || (input.meta && input.alt);
  if (devtoolsChord && ['i', 'j', 'c'].includes(key)) return 'devtools';
  return undefined;
}

/** A window's webContents, as far as the guard needs it. */
export interface GuardedContents {
  on(
    event: 'before-input-event',
    listener: (event: { preventDefault(): void }, input: KeyInput) => void,
  ): unknown;
  toggleDevTools(): void;
}

export function guardInput(
  contents: GuardedContents,
  options: { packaged: boolean; log: Log },
): void {
  contents.on('before-input-event', (event, input) => {
    const guarded = guardedKey(input);
    if (!guarded) return;
    event.preventDefault();
    if (input.type !== 'keyDown') return;
    if (guarded === 'reload') {
      options.log.info({ key: input.key }, 'reload key ignored (it would cut the call audio)');
    } else if (!options.packaged) {
      contents.toggleDevTools();
    }
  });
}
