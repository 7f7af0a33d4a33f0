import type { UserId } from '../../protocol/index.js';
import type { CallEngine } from '../calls/call-engine.js';
import type { Logger } from '../logger.js';
import type { SignInFamilyStore, UserStore } from '../store/types.js';
import type { SessionRegistry } from './sessions.js';

export interface AccountGuardOptions {
  sessions: SessionRegistry;
  users: Pick<UserStore, 'getMany'>;
  families: Pick<SignInFamilyStore, 'revokedAmong'>;
  calls: Pick<CallEngine, 'dismissUser'>;
  /** Takes every media peer of the user out of every room (`SfuService.userGone`). */
  dropMedia: (userId: UserId) => void;
  logger: Logger;
  /** How often signed-in users are checked against the store (`auth.accountCheckIntervalMs`). */
  intervalMs: number;
}

/**
 * A disabled account loses everything it still has on this server at once: its part in every
 * live call (a present participant leaves, a one-to-one call ends by the usual rules, ringing
 * invitations to it and from it end), every media peer (a supervisor's listen peer has no leg),
 * and every session (`session.closing account-disabled`). Sign-in, refresh and `session.renew`
 * refuse it by reading the account.
 *
 * The admin API disables in this process and calls `disabled` itself. The `user disable` CLI
 * runs in another process that writes the same SQLite file, so signed-in users are also checked
 * against the store every `intervalMs`: one `getMany` of every online user. That is cheap: the
 * store's row cache drops itself only when another connection committed to the file (`PRAGMA
 * data_version`), so a check with no outside write reads memory only, and one after such a
 * write is a single query for all online accounts.
 *
 * The same check closes sessions whose sign-in was revoked by another process (`user passwd`
 * revokes every sign-in of the user): one query for the families of all sessions. A revocation
 * in this process (sign-out, a reused refresh token) closes its sessions at once (sign-ins.ts).
 */
export class AccountGuard {
  private readonly timer: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly o: AccountGuardOptions) {
    this.timer = setInterval(() => {
      void this.check();
    }, o.intervalMs);
    this.timer.unref();
  }

  /** The account is disabled: end its calls, media and sessions now. */
  disabled(userId: UserId): void {
    const { sessions, calls, dropMedia, logger } = this.o;
    // Calls first: the user's devices hear how their calls ended before their sessions close.
    calls.dismissUser(userId, 'account-disabled');
    dropMedia(userId);
    const closing = [...sessions.sessionsOf(userId)];
    for (const session of closing) session.close('account-disabled');
    logger.info({ userId, sessions: closing.length }, 'disabled account: calls and sessions ended');
  }

  /** Checks every signed-in user against the store; ends what disabled accounts still have. */
  async check(): Promise<void> {
    if (this.checking) return; // A slow store: the next tick checks again.
    this.checking = true;
    try {
      const online = new Set<UserId>();
      const families = new Set<string>();
      for (const session of this.o.sessions.all()) {
        online.add(session.userId);
        if (session.familyId !== undefined) families.add(session.familyId);
      }
      if (online.size === 0) return;
      const accounts = await this.o.users.getMany([...online]);
      const disabled = new Set<UserId>();
      for (const userId of online) {
        const account = accounts.get(userId);
        // Deleted accounts count as disabled: nothing may stay signed in without one.
        if (!account || account.disabled) disabled.add(userId);
      }
      // Disabling revokes the sign-ins too: such sessions close as `account-disabled`, the
      // reason that tells the user why, not as `signed-out`.
      for (const userId of disabled) this.disabled(userId);
      await this.closeRevoked(families, disabled);
    } catch (error) {
      this.o.logger.error({ err: error }, 'account check failed');
    } finally {
      this.checking = false;
    }
  }

  private async closeRevoked(
    families: ReadonlySet<string>,
    closedAlready: ReadonlySet<UserId>,
  ): Promise<void> {
    if (families.size === 0) return;
    const revoked = await this.o.families.revokedAmong([...families]);
    if (revoked.size === 0) return;
    const closing = [...this.o.sessions.all()].filter(
      (session) =>
        !closedAlready.has(session.userId) &&
        session.familyId !== undefined &&
        revoked.has(session.familyId),
    );
    if (closing.length === 0) return;
    for (const session of closing) session.close('signed-out');
    this.o.logger.info({ sessions: closing.length }, 'sessions of revoked sign-ins closed');
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
