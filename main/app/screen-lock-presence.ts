import type { SoftphoneSnapshot } from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import type { SoftphoneHost } from './ports.js';

/**
 * Away while the screen is locked, as chat and phone apps do: only from `available` (a chosen
 * busy or do-not-disturb stays), and back to available on unlock only if the lock set away.
 */
export class ScreenLockPresence {
  /** Set when the screen lock made us away: unlocking makes us available again, not otherwise. */
  private awayForLock = false;

  constructor(
    private readonly softphone: Pick<SoftphoneHost, 'setStatus'>,
    private readonly snapshot: () => SoftphoneSnapshot | undefined,
    private readonly log: Log,
  ) {}

  locked(locked: boolean): void {
    const current = this.snapshot();
    if (!current || current.connection !== 'connected') return;
    const fail = (error: unknown): void => {
      this.log.warn({ err: error }, 'presence change on screen lock failed');
    };
    if (locked && current.status === 'available') {
      this.awayForLock = true;
      this.softphone.setStatus({ status: 'away' }).catch(fail);
    } else if (!locked && this.awayForLock) {
      this.awayForLock = false;
      if (current.status === 'away') this.softphone.setStatus({ status: 'available' }).catch(fail);
    }
  }
}
