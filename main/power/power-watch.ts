import type { TimerPort } from '../app/ports.js';
import type { Log } from '../log/log.js';

/**
 * What the operating system tells the app about power, sessions and the network, turned into
 * the app's reactions: reconnect at once when the machine wakes, the screen unlocks or the
 * network comes back (the signaling socket is likely dead, and waiting for the heartbeat and the
 * backoff took up to ~50 s); away while the screen is locked; a clean ending before the OS shuts
 * down. No Electron in here: `powerMonitor` and `net.isOnline` come in through the ports.
 */

export type PowerEventName = 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'shutdown';

/** Electron's `powerMonitor` (only `shutdown` passes an event that can delay the OS). */
export interface PowerPort {
  on(event: PowerEventName, listener: (event?: { preventDefault(): void }) => void): void;
  removeListener(
    event: PowerEventName,
    listener: (event?: { preventDefault(): void }) => void,
  ): void;
}

/** Electron's `net.isOnline()`: whether the OS reports a network. */
export interface NetworkPort {
  isOnline(): boolean;
}

/** How often the network state is read (Electron has no event for it in the main process). */
export const NETWORK_POLL_MS = 3_000;

export interface PowerWatchDeps {
  power: PowerPort;
  network?: NetworkPort;
  timers: TimerPort;
  log: Log;
  /** The softphone's `reconnectNow`. */
  reconnectNow: () => void;
  /** The OS is shutting down or logging off: end calls and quit. */
  shutdown: (source: string) => void;
  lockScreen: () => void;
  unlockScreen: () => void;
}

export class PowerWatch {
  private readonly off: (() => void)[] = [];
  private poll: unknown;
  private online = true;

  constructor(private readonly deps: PowerWatchDeps) {}

  start(): void {
    const { power, log } = this.deps;
    const listen = (
      event: PowerEventName,
      listener: (event?: { preventDefault(): void }) => void,
    ): void => {
      power.on(event, listener);
      this.off.push(() => {
        power.removeListener(event, listener);
      });
    };
    listen('resume', () => {
      this.reconnect('resume');
    });
    listen('unlock-screen', () => {
      this.reconnect('unlock-screen');
      this.deps.unlockScreen();
    });
    listen('lock-screen', () => {
      log.info({}, 'screen locked');
      this.deps.lockScreen();
    });
    listen('suspend', () => {
      log.info({}, 'system suspending');
    });
    listen('shutdown', (event) => {
      // Linux and macOS: delaying lets the calls end cleanly; quitting then lets the OS go on.
      event?.preventDefault();
      this.deps.shutdown('power-shutdown');
    });
    const network = this.deps.network;
    if (network) {
      this.online = network.isOnline();
      this.poll = this.deps.timers.setInterval(() => {
        const now = network.isOnline();
        if (now === this.online) return;
        this.online = now;
        if (now) this.reconnect('network-up');
        else log.info({}, 'network down');
      }, NETWORK_POLL_MS);
    }
  }

  dispose(): void {
    for (const off of this.off.splice(0)) off();
    if (this.poll !== undefined) this.deps.timers.clearInterval(this.poll);
    this.poll = undefined;
  }

  private reconnect(why: string): void {
    this.deps.log.info({ why }, 'reconnecting at once');
    this.deps.reconnectNow();
  }
}
