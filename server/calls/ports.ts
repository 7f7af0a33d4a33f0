import type {
  CallInfo,
  CallRecord,
  Leg,
  MediaKind,
  RecordQueue,
  UserId,
} from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { MessageRouter, Session } from '../signaling/sessions.js';
import type { LiveCallStore, RecordStore } from '../store/types.js';

/*
 * The call engine's ports: what it is given (routing, stores, the media plane, observers, queue
 * hooks) and who acts on it. In a module of their own so that the engine's parts (CallSteps,
 * the rejoin window) and the services plugged in depend on these, not on the engine.
 */

/** Where the SFU plugs in: the signaling side tells it what conference control decided. */
export interface MediaPlane {
  callActive(call: CallInfo): void;
  participantLeft(callId: string, userId: UserId, reason: 'left' | 'removed'): void;
  setMuted(callId: string, userId: UserId, kind: MediaKind, muted: boolean): void;
  /**
   * The user put the call on hold (`held`) or resumed it: while held, their media is paused both
   * ways, to and from every other participant.
   */
  setHeld(callId: string, userId: UserId, held: boolean): void;
  callEnded(callId: string): void;
}

export const noMediaPlane: MediaPlane = {
  callActive: () => undefined,
  participantLeft: () => undefined,
  setMuted: () => undefined,
  setHeld: () => undefined,
  callEnded: () => undefined,
};

/** Side effects outside signaling: push for offline callees, the `call.ended` webhook, metrics. */
export interface CallObserver {
  pushInvitation(callee: UserId, call: CallInfo, expiresAt: number): void;
  callEnded(record: CallRecord): void;
  legRinging(secondsSinceInvite: number): void;
  callStarted(): void;
}

/**
 * Where seat calling (server/contact-center) follows the calls it holds in a queue. Called in the
 * middle of the engine's work: implementations must not call back into the engine synchronously.
 * Given to `CallEngine.followQueues` once both exist (the contact center is built on the engine).
 */
export interface QueueHooks {
  /** A leg of a held (queue) call changed state. */
  legChanged(call: CallInfo, leg: Leg): void;
  /**
   * The queue part of the record of a queue call that is ending, asked while the engine
   * completes the record (nothing changes); undefined when seat calling knows nothing of it.
   */
  queueRecord(call: CallInfo): RecordQueue | undefined;
  /** A queue call ended, its record complete: seat calling lets go of it. */
  callEnded(call: CallInfo): void;
}

export interface CallEngineOptions {
  router: MessageRouter;
  /** The devices a user is signed in on now. */
  devicesOf: (userId: UserId) => readonly string[];
  liveCalls: LiveCallStore;
  records: RecordStore;
  media: MediaPlane;
  observer: CallObserver;
  logger: Logger;
  defaultRingTimeoutMs: number;
  /** How long a participant with no live device stays in a call (`calls.rejoinWindowMs`). */
  rejoinWindowMs?: number;
  now?: () => number;
  /**
   * The people of a call whose "in a call" state may have changed (after every published change
   * and at the end): presence re-reads `isBusy` for them. Must not call back into the engine's
   * changes synchronously (reading is fine).
   */
  partiesChanged?: (userIds: readonly UserId[]) => void;
  /**
   * Cluster mode: is the user in an active call owned by another node? Busy counts it too, so
   * an invitation decided here sees the calls decided elsewhere. Unset: never.
   */
  busyElsewhere?: (userId: UserId) => boolean;
  /** Check every reused call snapshot against a fresh encoding (tests: see CallSnapshots). */
  verifySnapshots?: boolean;
}

export type Actor = Pick<Session, 'userId' | 'device'>;
