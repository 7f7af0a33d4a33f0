import type { SoftphoneSnapshot } from '../../protocol/index.js';
import type { Log } from '../log/log.js';
import { serverOrigins } from '../security/web-policy.js';
import type { MainWindowPort } from './ports.js';

const live = (snapshot: SoftphoneSnapshot | undefined): boolean =>
  snapshot?.calls.some((c) => c.state !== 'ended') ?? false;

/**
 * The main window's life beyond show and hide: what closing it does, and the reloads main
 * decides (never during a call, since the call's media runs in the renderer).
 */
export class MainWindowLifecycle {
  private reloadPending = false;
  private snapshot: SoftphoneSnapshot | undefined;

  constructor(
    private readonly window: MainWindowPort,
    private readonly quitting: () => boolean,
    private readonly log: Log,
  ) {}

  /** What closing the main window does: hide to the tray, unless the app is quitting. */
  closeAction(): 'hide' | 'close' {
    return this.quitting() ? 'close' : 'hide';
  }

  update(snapshot: SoftphoneSnapshot): void {
    this.snapshot = snapshot;
    if (this.reloadPending && !live(snapshot)) {
      this.reloadPending = false;
      this.window.reload();
    }
  }

  /**
   * The renderer's CSP allows connections to the configured server only, and a page's CSP is
   * fixed when it loads: when the server's origin changes (signing in), the main window reloads
   * so its media socket may reach the new server. Never during a call.
   */
  serverChanged(before: string, after: string): void {
    if (serverOrigins(before).join() === serverOrigins(after).join()) return;
    if (live(this.snapshot)) {
      this.log.warn({}, 'server changed during a call: the window reloads after it');
      this.reloadPending = true;
      return;
    }
    this.log.info({ server: serverOrigins(after)[0] ?? '' }, 'server changed: reloading UI');
    this.window.reload();
  }
}
