import type { SessionStore } from './session.js';

/**
 * The unread missed-call count of the signed-in account: one more for every call that rang here
 * and ended unanswered (CallManager's `record-missed` intent), zero once History was seen. Kept
 * per account, so switching accounts on one device keeps each one's count.
 */
export class MissedCalls {
  private userId: string | undefined;
  private _count = 0;
  /** Writes one after the other, so the stored count is always the latest. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SessionStore,
    private readonly onChange: () => void,
  ) {}

  get count(): number {
    return this._count;
  }

  async load(userId: string): Promise<void> {
    this.userId = userId;
    this._count = await this.store.loadMissed(userId);
    this.onChange();
  }

  /** Signed out: nothing to show (the stored count stays for the account's next sign-in). */
  clear(): void {
    this.userId = undefined;
    this._count = 0;
    this.onChange();
  }

  bump(): Promise<void> {
    return this.set(this._count + 1);
  }

  reset(): Promise<void> {
    return this.set(0);
  }

  private set(count: number): Promise<void> {
    this._count = count;
    this.onChange();
    const userId = this.userId;
    if (userId === undefined) return Promise.resolve();
    this.writes = this.writes
      .catch(() => undefined)
      .then(() => this.store.saveMissed(userId, count));
    return this.writes;
  }
}
