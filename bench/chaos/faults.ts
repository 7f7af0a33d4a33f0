import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosServer, Kill } from './chaos-server.js';
import type { Ledger } from './ledger.js';
import type { ChaosUser } from './population.js';
import type { Rng } from './rng.js';

export interface FaultOptions {
  /** Device faults (drop, freeze, vanish) per second, over all devices. */
  faultsPerSec: number;
  deadAfterMs: number;
  rejoinWindowMs: number;
}

export interface FaultCounts {
  drops: number;
  freezes: number;
  vanishes: number;
}

/**
 * Injects device faults until `stop`: abrupt drops (socket destroyed, the device reconnects),
 * freezes (no pongs, nothing sent) and vanishes (socket open, nothing read or written), short
 * ones the heartbeat does not notice and long ones it declares gone, shorter than the rejoin
 * window so that the device comes back into its call.
 */
export function injectDeviceFaults(
  people: readonly ChaosUser[],
  rng: Rng,
  options: FaultOptions,
): { stop: () => Promise<void>; counts: FaultCounts } {
  const counts: FaultCounts = { drops: 0, freezes: 0, vanishes: 0 };
  const devices = people.flatMap((u) => u.devices);
  // Read through a function: `stop` flips it while the loop awaits, behind the compiler's back.
  const state = { running: true };
  const running = (): boolean => state.running;
  const loop = (async () => {
    if (options.faultsPerSec <= 0 || devices.length === 0) return;
    while (running()) {
      await sleep(rng.int(1, Math.ceil(2_000 / options.faultsPerSec)));
      if (!running()) break;
      const device = rng.pick(devices);
      if (!device.isReady) continue;
      const long = rng.chance(0.5);
      const ms = long
        ? options.deadAfterMs + rng.int(100, Math.max(200, options.rejoinWindowMs / 2))
        : rng.int(50, Math.max(100, options.deadAfterMs / 3));
      switch (rng.weighted({ drop: 2, freeze: 1, vanish: 1 })) {
        case 'drop':
          counts.drops++;
          device.drop();
          break;
        case 'freeze':
          counts.freezes++;
          device.freeze(ms);
          break;
        case 'vanish':
          counts.vanishes++;
          device.vanish(ms);
          break;
      }
    }
  })();
  return {
    counts,
    stop: async () => {
      state.running = false;
      await loop;
    },
  };
}

export interface KillOptions {
  kills: number;
  durationMs: number;
  /** The kill lands this long (uniform, ms) after the acknowledgement it is aimed at. */
  aimMs: readonly [number, number];
  downtimeMs: readonly [number, number];
}

/**
 * Resolves at the next acknowledgement any device of the run gets (or after `timeoutMs`): one
 * ledger's hook in a single-process run, the first shard to report one in a sharded run.
 */
export type AcknowledgementWatch = (timeoutMs: number) => Promise<void>;

/** The watch over one ledger. */
export function watchLedger(ledger: Ledger): AcknowledgementWatch {
  return (timeoutMs) =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(fallback);
        ledger.onAcknowledged = undefined;
        resolve();
      };
      const fallback = setTimeout(done, timeoutMs);
      ledger.onAcknowledged = done;
    });
}

/**
 * Kills the server with SIGKILL `kills` times, spread over the run: each kill is armed at a
 * random moment and fires 0-20 ms after the next acknowledgement any device gets, inside the
 * window in which that step may not yet be written; the server restarts on the same data after
 * a short downtime (`onRestarted` tells where it listens now).
 */
export function scheduleKills(
  server: ChaosServer,
  nextAcknowledgement: AcknowledgementWatch,
  rng: Rng,
  options: KillOptions,
  log: (line: string) => void,
  onRestarted: () => void = () => undefined,
): { done: Promise<Kill[]>; stop: () => void } {
  const state = { stopped: false };
  const stopped = (): boolean => state.stopped;
  const startedAt = Date.now();
  const done = (async () => {
    const slot = options.durationMs / Math.max(1, options.kills);
    for (let i = 0; i < options.kills && !stopped(); i++) {
      const armAt = startedAt + slot * i + rng.int(Math.floor(slot * 0.2), Math.floor(slot * 0.8));
      await sleep(Math.max(0, armAt - Date.now()));
      if (stopped()) break;
      await nextAcknowledgement(2_000);
      await sleep(rng.int(options.aimMs[0], options.aimMs[1]));
      const kill = await server.kill9();
      log(`kill -9 #${i + 1} at +${kill.killAt - startedAt} ms`);
      await sleep(rng.int(options.downtimeMs[0], options.downtimeMs[1]));
      await server.restart();
      onRestarted();
      log(`restarted after ${Date.now() - kill.killAt} ms`);
    }
    return server.kills;
  })();
  return {
    done,
    stop: () => {
      state.stopped = true;
    },
  };
}
