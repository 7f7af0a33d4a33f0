import type { DeviceInfo, UserId } from '../../protocol/index.js';
import { silentLogger } from '../logger.js';
import { type CallEngineOptions, noMediaPlane } from './ports.js';

/** Test support: a CallEngine outside a server (unit tests of the engine and of what it drives). */

/** A user's one device in these tests: `<userId>-dev`. */
export const testActor = (userId: UserId): { userId: UserId; device: DeviceInfo } => ({
  userId,
  device: { id: `${userId}-dev`, name: `${userId}-dev`, platform: 'linux' },
});

/**
 * Engine options where everything outside the engine does nothing: frames, stores, media and
 * observers are dropped, and each user has one device (`testActor`). A test passes what it
 * watches or wires for real.
 */
export function engineOptions(overrides: Partial<CallEngineOptions> = {}): CallEngineOptions {
  return {
    router: { toUser: () => 1, toDevice: () => true },
    devicesOf: (userId) => [`${userId}-dev`],
    liveCalls: {
      save: () => undefined,
      delete: () => undefined,
      loadAll: () => Promise.resolve([]),
      flush: () => Promise.resolve(),
    },
    records: {
      add: () => undefined,
      query: () => Promise.resolve([]),
      get: () => Promise.resolve(undefined),
      flush: () => Promise.resolve(),
    },
    media: noMediaPlane,
    observer: {
      pushInvitation: () => undefined,
      callEnded: () => undefined,
      legRinging: () => undefined,
      callStarted: () => undefined,
    },
    logger: silentLogger(),
    defaultRingTimeoutMs: 60_000,
    ...overrides,
  };
}
