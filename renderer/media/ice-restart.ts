import type { types } from 'mediasoup-client';

/** How an ICE restart is paced: the defaults resume a 5 s outage within a few seconds of it. */
export interface IceRestartPacing {
  /**
   * A `disconnected` transport often comes back by itself (a lost packet burst, a brief roam):
   * restart only if it is still down after this long. `failed` restarts at once.
   */
  graceMs: number;
  /** After a restart, how long to wait for the transport to connect before trying again. */
  retryMs: number;
  /** Restarts in one outage before giving up (the session then rejoins the room afresh). */
  maxAttempts: number;
}

export const DEFAULT_ICE_RESTART_PACING: IceRestartPacing = {
  graceMs: 2_000,
  retryMs: 2_500,
  maxAttempts: 6,
};

export interface IceRestartHooks {
  /** New ICE parameters for this transport from the SFU (`transport.restartIce`). */
  requestRestart: () => Promise<types.IceParameters>;
  /** The transport's media is down (true) or flowing again (false). */
  onReconnecting: (reconnecting: boolean) => void;
  /** Every restart of the outage failed to bring the transport back. */
  onGaveUp: () => void;
  onAttempt?: (attempt: number, error?: unknown) => void;
}

/**
 * Keeps one mediasoup-client transport's media alive across network changes, sleep and NAT
 * rebinding: on `disconnected` (after a grace) or `failed` it asks the SFU for new ICE parameters
 * and restarts ICE on the same transport, so producers and consumers stay as they are and nobody
 * renegotiates. Retries a bounded number of times while the transport stays down. Returns a stop
 * function (the transport closed, the session left).
 */
export function keepIceAlive(
  transport: types.Transport,
  hooks: IceRestartHooks,
  pacing: IceRestartPacing = DEFAULT_ICE_RESTART_PACING,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempts = 0;
  let down = false;
  let stopped = false;

  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const schedule = (ms: number) => {
    clear();
    timer = setTimeout(() => void restart(), ms);
  };
  // A function, not inline checks: the state changes while a request is in flight.
  const stillDown = () => !stopped && !transport.closed && down;
  const restart = async (): Promise<void> => {
    timer = undefined;
    if (!stillDown()) return;
    if (attempts >= pacing.maxAttempts) {
      down = false;
      hooks.onGaveUp();
      return;
    }
    attempts += 1;
    // The next try is scheduled first: a request that hangs (the SFU socket half-dead) must not
    // stall the recovery.
    schedule(pacing.retryMs);
    try {
      const iceParameters = await hooks.requestRestart();
      if (!stillDown()) return;
      await transport.restartIce({ iceParameters });
      hooks.onAttempt?.(attempts);
    } catch (error) {
      hooks.onAttempt?.(attempts, error);
    }
  };

  const onState = (state: types.ConnectionState) => {
    if (stopped) return;
    if (state === 'connected') {
      clear();
      attempts = 0;
      if (down) {
        down = false;
        hooks.onReconnecting(false);
      }
    } else if (state === 'disconnected' || state === 'failed') {
      if (!down) {
        down = true;
        hooks.onReconnecting(true);
      }
      // A failed transport never comes back on its own; a retry already due keeps its time.
      if (state === 'failed' && attempts === 0) schedule(0);
      else if (timer === undefined) schedule(attempts === 0 ? pacing.graceMs : pacing.retryMs);
    } else if (state === 'closed') {
      stop();
    }
  };
  const stop = () => {
    stopped = true;
    clear();
    transport.off('connectionstatechange', onState);
  };
  transport.on('connectionstatechange', onState);
  return stop;
}
