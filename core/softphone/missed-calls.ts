import type { UserId } from '../../protocol/index.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { isMissed } from '../calls/missed.js';
import type { MissedState, SessionStore } from './session.js';

/** Unread ids kept at most (the badge shows a number; nobody needs the 201st). */
const MAX_UNREAD = 200;
/** History pages (of 100) read at a hello to find calls missed while this device was away. */
const MAX_PAGES = 3;

/**
 * The unread missed calls of the signed-in account, as call ids (so a call is counted once
 * however it is learnt of), with the server time History was last seen:
 * - a call that rang here and ended unanswered (CallManager's `record-missed` intent) counts;
 * - at every hello, History since then is read for calls missed while this device was offline
 *   or never rang (do-not-disturb);
 * - `markMissedSeen` empties it and moves the mark to now.
 * Kept per account, so switching accounts on one device keeps each one's unread calls.
 */
export class MissedCalls {
  private userId: UserId | undefined;
  private state: MissedState = { ids: [] };
  /** Server time minus local time, from the last hello. */
  private skewMs = 0;
  /** Writes one after the other, so the stored state is always the latest. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SessionStore,
    private readonly now: () => number,
    private readonly onChange: () => void,
  ) {}

  get count(): number {
    return this.state.ids.length;
  }

  async load(userId: UserId): Promise<void> {
    this.userId = userId;
    this.state = (await this.store.loadMissed(userId)) ?? { ids: [] };
    this.onChange();
  }

  /** Signed out: nothing to show (the stored state stays for the account's next sign-in). */
  clear(): void {
    this.userId = undefined;
    this.state = { ids: [] };
    this.onChange();
  }

  add(callId: string): Promise<void> {
    if (this.state.ids.includes(callId)) return Promise.resolve();
    return this.save({ ...this.state, ids: [...this.state.ids, callId].slice(-MAX_UNREAD) });
  }

  reset(): Promise<void> {
    return this.save({ seenAt: this.now() + this.skewMs, ids: [] });
  }

  /** After hello: counts what History has that was missed since it was last seen. */
  async reconcile(signaling: SignalingClient, me: UserId, serverTime: number): Promise<void> {
    this.skewMs = serverTime - this.now();
    const { seenAt } = this.state;
    if (seenAt === undefined) {
      // First sign-in of this account here: an old history is not news.
      await this.save({ ...this.state, seenAt: serverTime });
      return;
    }
    const found: string[] = [];
    let before: number | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await signaling.request('history.list', {
        limit: 100,
        ...(before === undefined ? {} : { before }),
      });
      for (const record of result.records) {
        if (record.createdAt > seenAt && isMissed(record, me)) found.push(record.callId);
      }
      const oldest = result.records.at(-1)?.createdAt;
      if (result.nextBefore === undefined || oldest === undefined || oldest <= seenAt) break;
      before = result.nextBefore;
    }
    if (me !== this.userId) return; // Signed out or switched meanwhile.
    const fresh = found.reverse().filter((id) => !this.state.ids.includes(id));
    if (fresh.length > 0) {
      await this.save({ ...this.state, ids: [...this.state.ids, ...fresh].slice(-MAX_UNREAD) });
    }
  }

  private save(state: MissedState): Promise<void> {
    this.state = state;
    this.onChange();
    const userId = this.userId;
    if (userId === undefined) return Promise.resolve();
    this.writes = this.writes
      .catch(() => undefined)
      .then(() => this.store.saveMissed(userId, state));
    return this.writes;
  }
}
