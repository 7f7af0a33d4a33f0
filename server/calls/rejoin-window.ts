import type { CallInfo, ParticipantConnection, UserId } from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { CallRegistry } from './call-registry.js';
import type { CallSteps } from './call-steps.js';
import {
  type LiveCall,
  findLeg,
  isPresent,
  pendingLegs,
  presentParticipants,
} from './live-call.js';

/**
 * What a participant lost: every signaling session of theirs (`signaling`), or the media
 * transport their device had in the call's SFU room (`media`). They are back once none is left.
 */
export type AbsenceCause = 'signaling' | 'media';

export interface ConnectionLossOptions {
  registry: CallRegistry;
  steps: CallSteps;
  /** The devices a user is signed in on now. */
  devicesOf: (userId: UserId) => readonly string[];
  /** How long a participant may have no live device in the call before they leave. */
  windowMs: number;
  logger: Logger;
}

interface Absence {
  readonly causes: Set<AbsenceCause>;
  readonly timer: NodeJS.Timeout;
}

/** The participant's connection as the call snapshot shows it (absent: connected). */
export function connectionOf(info: CallInfo, userId: UserId): ParticipantConnection {
  const flag = userId === info.callerId ? info.callerConnection : findLeg(info, userId)?.connection;
  return flag ?? 'connected';
}

function setConnection(info: CallInfo, userId: UserId, state: ParticipantConnection): void {
  if (userId === info.callerId) {
    if (state === 'reconnecting') info.callerConnection = state;
    else delete info.callerConnection;
    return;
  }
  const leg = findLeg(info, userId);
  if (!leg) return;
  if (state === 'reconnecting') leg.connection = state;
  else delete leg.connection;
}

/**
 * No call outlives its people (call-semantics.md): a participant with no live device in the call
 * is shown `reconnecting` to the others, and leaves with `connection-lost` once the rejoin window
 * runs out; a device of theirs that comes back within it (a new session, the media reconnected)
 * rejoins the same call without a new ring. The engine hands it what it hears about sessions and
 * media; every change to a call goes through CallSteps like any other operation's.
 */
export class ConnectionLoss {
  /** Per call, the participants without a live device and why. */
  private readonly absences = new Map<string, Map<UserId, Absence>>();
  /** Set at shutdown: sessions closing then are the server's doing, not a lost connection. */
  private stopped = false;

  constructor(private readonly o: ConnectionLossOptions) {}

  /** The user's last signaling session is gone (closed, or declared dead by the heartbeat). */
  userOffline(userId: UserId): void {
    for (const info of this.o.registry.callsOf(userId)) this.lost(info.callId, userId, 'signaling');
  }

  /** A device of the user signed in (its hello listed the calls they are still in). */
  userOnline(userId: UserId): void {
    for (const info of this.o.registry.callsOf(userId)) this.back(info.callId, userId, 'signaling');
  }

  /**
   * A call taken back after a restart: nobody is signed in yet, so every participant in it has
   * the rejoin window from now, as if their sessions had just gone (a caller who never comes
   * back does not leave the callees ringing for a call nobody is on).
   */
  restored(callId: string): void {
    const call = this.o.registry.live(callId);
    if (!call) return;
    for (const { userId } of presentParticipants(call.info)) {
      if (this.o.devicesOf(userId).length === 0) this.lost(callId, userId, 'signaling');
    }
  }

  /** The media transport the user's device had in the call closed or went silent. */
  mediaLost(callId: string, userId: UserId): void {
    this.lost(callId, userId, 'media');
  }

  /** The user's device has a connected media transport in the call again. */
  mediaBack(callId: string, userId: UserId): void {
    this.back(callId, userId, 'media');
  }

  /** Stops every window (server shutdown: the calls end anyway). */
  clear(): void {
    this.stopped = true;
    for (const byUser of this.absences.values()) {
      for (const absence of byUser.values()) clearTimeout(absence.timer);
    }
    this.absences.clear();
  }

  private lost(callId: string, userId: UserId, cause: AbsenceCause): void {
    const call = this.o.registry.live(callId);
    if (this.stopped || !call || !isPresent(call.info, userId)) return;
    const absence = this.absenceOf(callId, userId);
    if (absence) {
      absence.causes.add(cause);
      return;
    }
    const timer = setTimeout(() => {
      this.expired(callId, userId);
    }, this.o.windowMs);
    timer.unref();
    let byUser = this.absences.get(callId);
    if (!byUser) this.absences.set(callId, (byUser = new Map<UserId, Absence>()));
    byUser.set(userId, { causes: new Set([cause]), timer });
    setConnection(call.info, userId, 'reconnecting');
    this.o.steps.log(
      call.info,
      { userId, cause, windowMs: this.o.windowMs },
      'participant connection dropped: rejoin window open',
    );
    this.o.steps.afterChange(call);
  }

  private back(callId: string, userId: UserId, cause: AbsenceCause): void {
    const absence = this.absenceOf(callId, userId);
    if (!absence?.causes.delete(cause) || absence.causes.size > 0) return;
    clearTimeout(absence.timer);
    this.forget(callId, userId);
    const call = this.o.registry.live(callId);
    if (!call || !isPresent(call.info, userId)) return;
    if (cause === 'signaling') this.followDevice(call, userId);
    setConnection(call.info, userId, 'connected');
    this.o.steps.log(call.info, { userId, cause }, 'participant reconnected within the window');
    this.o.steps.afterChange(call);
  }

  /**
   * The user came back on another device than the one they were in the call on (that one is
   * still gone): the call's frames go to the device that came back.
   */
  private followDevice(call: LiveCall, userId: UserId): void {
    const devices = this.o.devicesOf(userId);
    const { info } = call;
    const inCallOn = presentParticipants(info).find((p) => p.userId === userId)?.deviceId;
    const device = devices[0];
    if (device === undefined || inCallOn === undefined || devices.includes(inCallOn)) return;
    this.o.steps.moveToDevice(call, userId, device);
    this.o.steps.log(info, { userId, from: inCallOn, to: device }, 'call moved to another device');
  }

  private expired(callId: string, userId: UserId): void {
    this.forget(callId, userId);
    const call = this.o.registry.live(callId);
    // A participant who left, or left and came in again since, is not this absence's.
    if (!call || !isPresent(call.info, userId)) return;
    if (connectionOf(call.info, userId) !== 'reconnecting') return;
    const { info } = call;
    setConnection(info, userId, 'connected');
    this.o.steps.log(info, { userId, windowMs: this.o.windowMs }, 'rejoin window ran out');
    if (userId === info.callerId && info.state === 'ringing') {
      // The caller of an unanswered call vanished: nobody is left to talk to whoever answers.
      this.o.steps.leave(call, userId, 'connection-lost');
      this.o.steps.end(call, 'connection-lost');
      return;
    }
    const device = presentParticipants(info).find((p) => p.userId === userId)?.deviceId;
    this.o.steps.leave(call, userId, 'connection-lost');
    const present = presentParticipants(info).length;
    const pending = pendingLegs(info).length;
    if (present === 0 || (present === 1 && pending === 0)) {
      this.o.steps.end(call, 'connection-lost');
      return;
    }
    // Only their media was lost, their signaling may be alive: unlike someone who hung up, they
    // do not know they are out of the call (the update shows their leg left, and why).
    this.o.steps.afterChange(call, device === undefined ? undefined : { userId, deviceId: device });
  }

  private absenceOf(callId: string, userId: UserId): Absence | undefined {
    return this.absences.get(callId)?.get(userId);
  }

  private forget(callId: string, userId: UserId): void {
    const byUser = this.absences.get(callId);
    byUser?.delete(userId);
    if (byUser?.size === 0) this.absences.delete(callId);
  }
}
