import type { CallInfo, JsonText } from '../../protocol/index.js';
import { toJsonText } from '../../protocol/index.js';

/** A published snapshot no longer matches its call: some change was not published. */
export class StaleSnapshotError extends Error {
  override readonly name = 'StaleSnapshotError';
}

/**
 * The JSON of each call as the engine last published it: encoded once at the end of each step
 * that changed the call (`CallSteps.afterChange`, `end`), where every frame of the step is made
 * from it (see CallOutbox); the frames sent later with the same snapshot (the answer to the
 * request that changed the call, a late device's `call.incoming`) splice that text too.
 *
 * This is only right while every change to a CallInfo is published before anyone reads its
 * snapshot: every engine operation that changes a call ends in `afterChange` or `end`, which
 * publish. With `verify` (the test server turns it on), every read compares the kept text with
 * a fresh encoding and throws on a difference, so the integration suites check that rule.
 */
export class CallSnapshots {
  /** Keyed by the object: an ended call's text goes when the engine forgets the call. */
  private readonly published = new WeakMap<CallInfo, JsonText<CallInfo>>();

  constructor(private readonly verify: boolean) {}

  /** Encodes the call as it is now and keeps that text as its published one. */
  publish(info: CallInfo): JsonText<CallInfo> {
    const json = toJsonText(info);
    this.published.set(info, json);
    return json;
  }

  /** The call's text as last published (encoded afresh if it never was). */
  of(info: CallInfo): JsonText<CallInfo> {
    const json = this.published.get(info);
    if (json === undefined) return toJsonText(info);
    if (this.verify) this.check(info, json, 'published');
    return json;
  }

  private check(info: CallInfo, json: string, what: string): void {
    const fresh = JSON.stringify(info);
    if (fresh !== json) {
      throw new StaleSnapshotError(
        `call ${info.callId}: the ${what} snapshot ${json} is not the call as it is: ${fresh}`,
      );
    }
  }
}
