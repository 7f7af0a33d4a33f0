import type { SettingsService } from './settings.js';
import type { Session } from './session.js';

/**
 * Call waiting is a setting of the account that the server enforces (it refuses a busy user's
 * invitations with `busy` unless it is on), mirrored in the client settings so the settings
 * screen shows it and CallManager rings discreetly. The server's value is adopted at each hello,
 * except when policy locks it or the user changed it while offline: then the server is told.
 */
export class CallWaitingSync {
  private unsynced = false;

  constructor(
    private readonly settings: SettingsService,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Before saving a changed setting: the server hears first, so its refusal changes nothing. */
  async change(session: Session | undefined, enabled: boolean): Promise<void> {
    if (session?.connected) {
      await session.signaling.request('settings.update', { callWaiting: enabled });
      this.unsynced = false;
    } else {
      this.unsynced = true;
    }
    session?.calls.setCallWaiting(enabled);
  }

  /** After hello, with the server's value. */
  onHello(session: Session, onServer: boolean): void {
    const local = this.settings.settings.callWaiting;
    if (local === onServer) {
      this.unsynced = false;
      return;
    }
    if (this.settings.isLocked('callWaiting') || this.unsynced) {
      session.calls.setCallWaiting(local);
      session.signaling
        .request('settings.update', { callWaiting: local })
        .then(() => {
          this.unsynced = false;
        })
        .catch(this.onError);
      return;
    }
    this.settings.update({ callWaiting: onServer }).catch(this.onError);
  }
}
