import type { SourcePickRequest } from '../../protocol/index.js';
import type { TimerPort } from '../app/ports.js';
import type { Log } from '../log/log.js';
import type { PickerEntry, SourcePickerPort } from './display-media.js';

/**
 * The screen-share picker in the main window's renderer (thumbnails, screens then windows):
 * main pushes `shell:pick-source` with a fresh request id and waits for `screen-share:choose`.
 * One pick at a time (a new one cancels the old), an answer for another request is ignored,
 * and a pick nobody answers ends as cancelled after PICK_TIMEOUT_MS. Whatever the renderer
 * answers, display-media.ts shares only a source it offered.
 */
export const PICK_TIMEOUT_MS = 120_000;

interface Pending {
  requestId: string;
  resolve: (sourceId: string | null) => void;
  timer: unknown;
}

export class RendererSourcePicker implements SourcePickerPort {
  private pending: Pending | undefined;
  private seq = 0;

  constructor(
    private readonly deps: {
      /** Shows the main window and pushes the request to it. */
      ask: (request: SourcePickRequest) => void;
      timers: TimerPort;
      log: Log;
    },
  ) {}

  pick(entries: PickerEntry[]): Promise<string | null> {
    this.settle(null, 'replaced by a new pick');
    this.seq += 1;
    const requestId = `pick-${String(this.seq)}`;
    return new Promise((resolve) => {
      const timer = this.deps.timers.setTimeout(() => {
        this.settle(null, 'not answered in time');
      }, PICK_TIMEOUT_MS);
      this.pending = { requestId, resolve, timer };
      this.deps.ask({
        requestId,
        sources: entries.map(({ id, name, kind, thumbnail }) => ({ id, name, kind, thumbnail })),
      });
    });
  }

  /** The renderer's `screen-share:choose`. */
  choose(requestId: string, sourceId: string | null): void {
    if (this.pending?.requestId !== requestId) {
      this.deps.log.warn({ requestId }, 'screen share: an answer to no open pick, ignored');
      return;
    }
    this.settle(sourceId, sourceId === null ? 'cancelled' : 'chosen');
  }

  private settle(sourceId: string | null, why: string): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.deps.timers.clearTimeout(pending.timer);
    this.deps.log.info({ requestId: pending.requestId, why }, 'screen share pick over');
    pending.resolve(sourceId);
  }
}
