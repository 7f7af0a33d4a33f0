import type { CallInfo, CallTransfer, Leg, UserId } from '../../protocol/index.js';
import { CallOutbox } from './call-outbox.js';
import type { LegNote } from './call-record.js';
import { isPendingLeg } from './leg-transitions.js';

/**
 * A call the server is handling now: the public snapshot every client renders, plus the private
 * bookkeeping that never leaves the server.
 */
export interface LiveCall {
  readonly info: CallInfo;
  /** Ring-timeout timers of pending legs. */
  readonly timers: Map<UserId, NodeJS.Timeout>;
  /** Devices that were sent `call.incoming`, per callee: they must be told when ringing stops. */
  readonly rungDevices: Map<UserId, Set<string>>;
  /** When each leg's invitation was sent out, for the invite-to-ring latency metric. */
  readonly invitedAtHr: Map<UserId, number>;
  readonly notes: Map<UserId, LegNote>;
  /** The frames of the step under way, sent when it ends. */
  readonly outbox: CallOutbox;
  /** Every blind transfer of the call, in order, for its record (the last is `info.transfer`). */
  readonly transfers: CallTransfer[];
  /** Who left last: told when the call ends because of their leaving (they hung up or were removed). */
  lastLeft?: { userId: UserId; deviceId: string };
}

export function newLiveCall(info: CallInfo): LiveCall {
  return {
    info,
    timers: new Map(),
    rungDevices: new Map(),
    invitedAtHr: new Map(),
    notes: new Map(),
    outbox: new CallOutbox(),
    transfers: info.transfer ? [info.transfer] : [],
  };
}

export const findLeg = (call: CallInfo, userId: UserId): Leg | undefined =>
  call.legs.find((l) => l.userId === userId);

/** Is the user in the call right now (caller not gone, or an answered callee not gone)? */
export function isPresent(call: CallInfo, userId: UserId): boolean {
  if (call.state === 'ended') return false;
  if (userId === call.callerId) return call.callerLeftAt === undefined;
  const leg = findLeg(call, userId);
  return leg?.state === 'accepted' && leg.leftAt === undefined;
}

/** The users present in the call, with the device each is in it on. */
export function presentParticipants(call: CallInfo): { userId: UserId; deviceId: string }[] {
  const out: { userId: UserId; deviceId: string }[] = [];
  if (call.callerLeftAt === undefined)
    out.push({ userId: call.callerId, deviceId: call.callerDevice });
  for (const leg of call.legs) {
    if (leg.state === 'accepted' && leg.leftAt === undefined && leg.answeredDevice) {
      out.push({ userId: leg.userId, deviceId: leg.answeredDevice });
    }
  }
  return out;
}

export const pendingLegs = (call: CallInfo): Leg[] =>
  call.legs.filter((l) => isPendingLeg(l.state));
