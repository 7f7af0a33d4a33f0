import { type Rect, ringingWindowBounds } from '../windows/window-options.js';
import { type RingingWindow, type RingingWindowPort, ringingRoute } from './ringing-coordinator.js';

/**
 * The ringing windows on screen, as a stack: where each one goes, closing it for real, putting
 * the others back in their slots when one goes (so a new one never lands on top of another),
 * and telling the coordinator when the user closed one. The Electron adapter only creates the
 * BrowserWindow (main/electron/electron-ports.ts); every decision about it is made here, where
 * the tests see it through `NativeWindow`.
 */

/** The part of a BrowserWindow the stack drives. */
export interface NativeWindow {
  setBounds(bounds: Rect): void;
  /** Electron's `destroy()`: closes without `beforeunload`, then emits `closed`. */
  destroy(): void;
  isDestroyed(): boolean;
  /** Loads a renderer route (a hash change for the same call: the renderer sees `hashchange`). */
  navigate(route: string): void;
  /** `closed`: by `destroy()` or by the user (Cmd+W, Alt+F4, the OS). */
  onClosed(listener: () => void): void;
  /** `render-process-gone` of its webContents: the window stays, blank and silent. */
  onRendererGone(listener: (reason: string) => void): void;
}

export interface NativeWindowFactory {
  /** The work area ringing windows stack in (the primary display's, taskbar and dock excluded). */
  workArea(): Rect;
  /** A new, not yet shown ringing window at `bounds`, loading `route`. */
  create(bounds: Rect, route: string): NativeWindow;
}

/**
 * macOS: on every Space and over full-screen apps. `skipTransformProcessType` keeps Electron from
 * turning the app into a foreground process and back for this call (the dock icon blinked at
 * every incoming call without it).
 */
export const RINGING_WORKSPACES = {
  visibleOnFullScreen: true,
  skipTransformProcessType: true,
} as const;

/**
 * How many times one call's ringing window is made again after its renderer died; past that it
 * is treated as closed (silenced here, the ringtone moves on), still answerable from the tray.
 */
export const RINGING_RENDERER_RETRIES = 2;

interface Entry {
  callId: string;
  native: NativeWindow;
  audible: boolean;
  closingByUs: boolean;
  /** Windows made again for this call after a renderer died. */
  remade: number;
  onClosedByUser: (() => void) | undefined;
}

export class RingingWindowStack implements RingingWindowPort {
  private readonly entries: Entry[] = [];

  constructor(private readonly factory: NativeWindowFactory) {}

  /** Call ids of the ringing windows on screen, bottom (first) to top. */
  openCalls(): string[] {
    return this.entries.map((e) => e.callId);
  }

  open(callId: string, audible: boolean, onClosedByUser?: () => void): RingingWindow {
    const entry: Entry = {
      callId,
      native: this.make(callId, audible, this.entries.length),
      audible,
      closingByUs: false,
      remade: 0,
      onClosedByUser,
    };
    this.entries.push(entry);
    this.watch(entry);
    return {
      close: () => {
        entry.closingByUs = true;
        if (!entry.native.isDestroyed()) entry.native.destroy();
      },
      setAudible: (on) => {
        entry.audible = on;
        if (!entry.native.isDestroyed()) entry.native.navigate(ringingRoute(callId, on));
      },
    };
  }

  private make(callId: string, audible: boolean, slot: number): NativeWindow {
    return this.factory.create(
      ringingWindowBounds(this.factory.workArea(), slot),
      ringingRoute(callId, audible),
    );
  }

  /** Listens to the entry's current window (a window made again gets its own listeners). */
  private watch(entry: Entry): void {
    const native = entry.native;
    native.onClosed(() => {
      if (entry.native !== native) return; // replaced after its renderer died
      const index = this.entries.indexOf(entry);
      if (index === -1) return;
      this.entries.splice(index, 1);
      this.restack();
      if (!entry.closingByUs) entry.onClosedByUser?.();
    });
    native.onRendererGone(() => {
      if (entry.native !== native || entry.closingByUs || native.isDestroyed()) return;
      if (entry.remade >= RINGING_RENDERER_RETRIES) {
        // Give up on a window: as if the user closed it (silenced, the ringtone moves on).
        native.destroy();
        return;
      }
      entry.remade += 1;
      // The call still rings (the coordinator would have closed it otherwise): the same slot,
      // the same ringtone state, a fresh renderer.
      entry.native = this.make(entry.callId, entry.audible, this.entries.indexOf(entry));
      this.watch(entry);
      native.destroy();
    });
  }

  /** The windows left move down into the free slots, in the order they arrived. */
  private restack(): void {
    const area = this.factory.workArea();
    this.entries.forEach((entry, slot) => {
      if (!entry.native.isDestroyed()) entry.native.setBounds(ringingWindowBounds(area, slot));
    });
  }
}
