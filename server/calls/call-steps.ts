import type {
  CallEndReason,
  CallInfo,
  JsonText,
  Leg,
  LeftReason,
  MediaKind,
  RequestData,
  RingEndReason,
  UserId,
} from '../../protocol/index.js';
import {
  ProtocolError,
  encodeEvent,
  encodeEventJson,
  jsonObjectWith,
} from '../../protocol/index.js';
import type { Actor, CallEngineOptions, QueueHooks } from './ports.js';
import { buildCallRecord, unansweredEndReason } from './call-record.js';
import type { CallRegistry } from './call-registry.js';
import type { CallFrame } from './call-outbox.js';
import { CallSnapshots } from './call-snapshots.js';
import type { CalleeCheck } from './callee-checks.js';
import { type CallEvent, callStateOf, callTransition, wireCallState } from './call-transitions.js';
import {
  type LegCreation,
  type LegEvent,
  isPendingLeg,
  legStateOf,
  legTransition,
  wireLegState,
} from './leg-transitions.js';
import {
  type LiveCall,
  findLeg,
  newLiveCall,
  pendingLegs,
  presentParticipants,
} from './live-call.js';

export const invalidState = (call: CallInfo, message: string): ProtocolError =>
  new ProtocolError('invalid-state', message, call);

/** What an event brings besides itself: the reason the leg ends with, the answering device. */
export interface LegDetail {
  reason?: string | undefined;
  /** `accept`, `join`: the device the callee is in the call on. */
  device?: string;
}

/** How a leg is created: who invited the user, and how long the invitation rings. */
export interface LegOrigin {
  invitedBy: UserId;
  ringMs: number;
  /** `join`: the device the user is in the call on. */
  device?: string;
  /** A blind transfer's target leg: who transferred the call to this user. */
  transferredBy?: UserId;
}

/**
 * The steps every call operation is made of: placing and arming a leg, applying a leg event (the
 * one place a leg changes state), a participant leaving, publishing a change or ending the call,
 * and telling devices. CallEngine decides which steps an operation takes and in what order; it is
 * the only user of this class, and every step runs synchronously inside one of its operations.
 */
export class CallSteps {
  readonly snapshots: CallSnapshots;
  /** Seat calling, once it follows the queue calls (`CallEngine.followQueues`). */
  private queues: QueueHooks | undefined;
  /**
   * Runs at the end of every step that changed a live call, before its fate is decided: a
   * blind transfer moves on there (CallTransfers.settle). Given once, by the engine.
   */
  settle: ((call: LiveCall) => void) | undefined;

  constructor(
    private readonly o: CallEngineOptions,
    private readonly registry: CallRegistry,
    private readonly now: () => number,
  ) {
    this.snapshots = new CallSnapshots(o.verifySnapshots ?? false);
  }

  /** Seat calling follows the queue calls from now on; given once. */
  followQueues(hooks: QueueHooks): void {
    if (this.queues) throw new Error('the queue calls are followed already');
    this.queues = hooks;
  }

  /**
   * Adds a callee leg and decides at once: refused (block, DND, busy) or delivered/pushed. The
   * callee's devices get `call.incoming` when the step ends, with the call as it is then.
   */
  placeLeg(
    call: LiveCall,
    callee: UserId,
    invitedBy: UserId,
    ringMs: number,
    checks: ReadonlyMap<UserId, CalleeCheck>,
    extra: Pick<LegOrigin, 'transferredBy'> = {},
  ): void {
    const leg = this.createLeg(call, callee, 'invite', { invitedBy, ringMs, ...extra });
    const check = checks.get(callee);
    if (check?.blockedCaller) {
      // The caller is not told about the block: a plain refusal, without ringing anywhere.
      call.notes.set(callee, 'blocked');
      this.applyLeg(call, leg, 'refuse', { reason: 'declined' });
    } else if (check?.status === 'dnd') {
      this.applyLeg(call, leg, 'refuse', { reason: 'dnd' });
    } else if (this.isBusy(callee) && !check?.callWaiting) {
      this.applyLeg(call, leg, 'refuse', { reason: 'busy' });
    } else {
      this.registry.ringing(callee, call.info.callId);
      this.armLeg(call, leg);
      call.invitedAtHr.set(callee, performance.now());
      const devices = this.o.devicesOf(callee);
      if (devices.length > 0) {
        const incoming: CallFrame = (json) => this.incomingFrame(call.info, leg, json);
        const rung = this.rung(call, callee);
        for (const deviceId of devices) {
          call.outbox.sendCall(callee, deviceId, incoming);
          rung.add(deviceId);
        }
        return;
      }
      this.applyLeg(call, leg, 'pushed');
      this.o.observer.pushInvitation(callee, call.info, leg.expiresAt);
    }
  }

  /** `encoded`: the text of `info` as it is now. */
  incomingFrame(info: CallInfo, leg: Leg, encoded: JsonText<CallInfo>): string {
    const offer = this.registry.offerFor(info.callId, leg.userId);
    return encodeEventJson(
      'call.incoming',
      jsonObjectWith('call', encoded, {
        remainingMs: Math.max(0, leg.expiresAt - this.now()),
        busy: this.inActiveCall(leg.userId),
        ...(offer ? { queue: offer } : {}),
      }),
    );
  }

  armLeg(call: LiveCall, leg: Leg): void {
    const delay = Math.max(0, leg.expiresAt - this.now());
    const timer = setTimeout(() => {
      call.timers.delete(leg.userId);
      if (this.registry.live(call.info.callId) !== call || !isPendingLeg(leg.state)) return;
      // Node's timers run on a monotonic clock and can fire a millisecond before the wall-clock
      // expiry: an invitation never ends before the time its callers were given.
      if (this.now() < leg.expiresAt) {
        this.armLeg(call, leg);
        return;
      }
      // A pushed invitation that a device signed in for and was sent did reach the callee: like
      // an online device that never acknowledged, nobody answered (`timeout`, not `unreachable`).
      const reached = (call.rungDevices.get(leg.userId)?.size ?? 0) > 0;
      this.applyLeg(call, leg, 'expire', { reason: reached ? 'timeout' : undefined });
      this.stopRinging(call, leg.userId, 'timeout');
      this.log(call.info, { userId: leg.userId, reason: leg.reason }, 'invitation expired');
      this.afterChange(call);
    }, delay);
    timer.unref();
    call.timers.set(leg.userId, timer);
  }

  /**
   * The one place a leg is born (see the table's `absent` row): a new leg for the user, in place
   * of the one a previous invitation left (the engine decided that one is over).
   */
  createLeg(call: LiveCall, userId: UserId, event: LegCreation, origin: LegOrigin): Leg {
    const outcome = legTransition('absent', event);
    if (outcome.kind !== 'next') throw new Error(`a leg is not created by ${event}`);
    const now = this.now();
    const answered = outcome.state === 'accepted';
    if (answered && origin.device === undefined) throw new Error('a joined leg needs its device');
    const leg: Leg = {
      userId,
      state: wireLegState(outcome.state),
      invitedBy: origin.invitedBy,
      invitedAt: now,
      expiresAt: now + origin.ringMs,
      ...(answered ? { answeredAt: now, answeredDevice: origin.device } : {}),
      muted: { audio: false, video: false },
      ...(origin.transferredBy === undefined ? {} : { transferredBy: origin.transferredBy }),
    };
    const legs = call.info.legs;
    const previous = legs.findIndex((l) => l.userId === userId);
    if (previous >= 0) legs[previous] = leg;
    else legs.push(leg);
    call.notes.delete(userId);
    return leg;
  }

  /**
   * The one place a leg changes. Returns true when it changed; a repeat is a no-op and a
   * too-late event is an `invalid-state` error carrying the call as it is.
   */
  applyLeg(call: LiveCall, leg: Leg, event: LegEvent, detail: LegDetail = {}): boolean {
    const outcome = legTransition(legStateOf(leg), event);
    if (outcome.kind === 'same') return false;
    if (outcome.kind === 'invalid') {
      throw invalidState(call.info, `the invitation is already ${leg.state}`);
    }
    const before = leg.state;
    leg.state = wireLegState(outcome.state);
    const why = detail.reason ?? outcome.reason;
    if (why === undefined) delete leg.reason;
    else leg.reason = why;
    if (event === 'accept') {
      if (detail.device === undefined) throw new Error('an accepted leg needs its device');
      leg.answeredAt = this.now();
      leg.answeredDevice = detail.device;
    }
    if (outcome.state === 'left') leg.leftAt = this.now();
    if (!isPendingLeg(leg.state)) {
      const timer = call.timers.get(leg.userId);
      if (timer) clearTimeout(timer);
      call.timers.delete(leg.userId);
      this.registry.stoppedRinging(leg.userId, call.info.callId);
    }
    // The contact center follows offers: what it hears is a leg whose state changed.
    if (call.info.queue && leg.state !== before) this.queues?.legChanged(call.info, leg);
    return true;
  }

  /**
   * The one place a call's state changes (call-transitions.ts), logged as `old → new`. Returns
   * true when it changed; a repeat is a no-op; a change the table does not allow is a bug.
   * `holder`: who puts the call on hold (`hold`), kept in the call's `hold` while it is held.
   */
  setCallState(call: LiveCall, event: CallEvent, holder?: UserId): boolean {
    const { info } = call;
    const from = callStateOf(info);
    const outcome = callTransition(from, event);
    if (outcome.kind === 'same') return false;
    if (outcome.kind === 'invalid') {
      throw new Error(`call ${info.callId}: no ${event} from ${from}`);
    }
    info.state = wireCallState(outcome.state);
    if (outcome.state === 'held') {
      if (holder === undefined) throw new Error('a call is held by someone');
      info.hold = { by: holder, since: this.now() };
    } else delete info.hold;
    this.log(info, { from, to: outcome.state }, `call ${from} → ${outcome.state}`);
    return true;
  }

  /**
   * Withdraws pending invitations: each leg ends `canceled` (with `reason` on it, if given) and
   * its devices stop ringing. Every withdrawal goes this way, whoever asked for it.
   */
  cancelLegs(call: LiveCall, legs: readonly Leg[], reason?: string): void {
    for (const leg of legs) {
      this.applyLeg(call, leg, 'cancel', { reason });
      this.stopRinging(call, leg.userId, 'canceled');
    }
  }

  /** Conference control's mute: the flag in the call, and the media plane that enforces it. */
  setMuted(call: LiveCall, userId: UserId, kind: MediaKind, muted: boolean): void {
    const { info } = call;
    const flags = userId === info.callerId ? info.callerMuted : findLeg(info, userId)?.muted;
    if (flags) flags[kind] = muted;
    this.o.media.setMuted(info.callId, userId, kind, muted);
  }

  /**
   * Puts the call on hold by `userId`, or takes it off: the table's `hold` / `resume`, and the
   * media plane that pauses (or restores) the holder's media both ways. False for a repeat.
   */
  setHold(call: LiveCall, userId: UserId, held: boolean): boolean {
    if (!this.setCallState(call, held ? 'hold' : 'resume', userId)) return false;
    this.o.media.setHeld(call.info.callId, userId, held);
    return true;
  }

  /**
   * A user already in an active call is busy; a user with no live device is not (they may be in
   * a call's rejoin window): their invitation is stored and pushed like any offline callee's.
   */
  isBusy(userId: UserId): boolean {
    return this.o.devicesOf(userId).length > 0 && this.inActiveCall(userId);
  }

  /** In an active call: one of this node's, or (cluster mode) one another node owns. */
  inActiveCall(userId: UserId): boolean {
    return this.registry.isBusy(userId) || (this.o.busyElsewhere?.(userId) ?? false);
  }

  /**
   * A present participant leaves. `legReason`: what stays on a callee's leg (a dismissal's reason;
   * a lost connection's is `connection-lost` by the table).
   */
  leave(call: LiveCall, userId: UserId, reason: LeftReason, legReason?: string): void {
    const { info } = call;
    const device = presentParticipants(info).find((p) => p.userId === userId)?.deviceId;
    if (device) call.lastLeft = { userId, deviceId: device };
    if (userId === info.callerId) {
      info.callerLeftAt = this.now();
      if (reason === 'connection-lost') info.callerLeftReason = reason;
    } else {
      const leg = findLeg(info, userId);
      const event = reason === 'connection-lost' ? 'connection-lost' : 'leave';
      if (leg) this.applyLeg(call, leg, event, { reason: legReason });
    }
    this.registry.uninvolve(userId, info.callId);
    // A hold lasts as long as its holder is in the call: whoever stays is not left on hold.
    if (info.hold?.by === userId) this.setHold(call, userId, false);
    // For the SFU a connection lost is a leaving like any other: its peer, if any, is taken out.
    this.o.media.participantLeft(info.callId, userId, reason === 'removed' ? 'removed' : 'left');
    // The moderator role passes on to whoever has been in the call longest; in a queue call
    // never to the customer who called in (the agent's side runs it).
    if (info.moderatorId === userId) {
      const next = presentParticipants(info).find((p) => !info.queue || p.userId !== info.callerId);
      if (next) info.moderatorId = next.userId;
    }
    this.log(info, { userId, reason }, 'participant left');
  }

  /**
   * The end of every step that changed a call: end it if nothing keeps it going, else persist
   * it, encode it once and send the step's frames (`call.updated` to every device taking part,
   * and to `alsoTell`, someone who just left and would not know it otherwise).
   *
   * `answering`: the device whose request this step answers with the call (`call.invite`,
   * `call.accept`). Its answer carries this very snapshot, so it is not sent the same snapshot
   * as a `call.updated` too (docs/protocol.md, "Ordering"): that was a tenth of a call's frames.
   */
  afterChange(
    call: LiveCall,
    alsoTell?: { userId: UserId; deviceId: string },
    answering?: { userId: UserId; deviceId: string },
  ): void {
    const { info } = call;
    if (info.state === 'ended') {
      // Its end sent what the step had queued; anything queued since goes with its final text.
      if (!call.outbox.isEmpty) call.outbox.flush(this.o.router, this.snapshots.of(info));
      return;
    }
    this.settle?.(call);
    const pending = pendingLegs(info).length;
    if (info.state === 'ringing' && pending === 0 && !this.registry.isHeld(info.callId)) {
      this.end(call, unansweredEndReason(info.legs));
      return;
    }
    const present = presentParticipants(info).length;
    if (info.state === 'active' && (present === 0 || (present === 1 && pending === 0))) {
      this.end(call, 'completed');
      return;
    }
    // The call outlived that leaving: whoever left is out of it, and not told of its later end.
    const { lastLeft } = call;
    delete call.lastLeft;
    this.o.liveCalls.save(info);
    const audience = this.withOtherDevices(info, presentParticipants(info));
    // Their device that left has its answer (or `alsoTell`); their others learn they are out.
    this.addOtherDevicesOf(info, lastLeft, audience, lastLeft?.deviceId);
    if (alsoTell && !audience.some((p) => sameDevice(p, alsoTell))) audience.push(alsoTell);
    for (const p of audience) {
      if (answering && sameDevice(p, answering)) continue;
      call.outbox.sendCall(p.userId, p.deviceId, callUpdated);
    }
    call.outbox.flush(this.o.router, this.snapshots.publish(info));
    this.o.partiesChanged?.(partiesOf(info));
  }

  /** `at`: when it ended, if not now (a call cut by a crash ended when the server was lost). */
  end(call: LiveCall, reason: CallEndReason, at = this.now()): void {
    const { info } = call;
    this.cancelLegs(call, pendingLegs(info));
    const audience = this.withOtherDevices(info, presentParticipants(info));
    const { lastLeft } = call;
    if (lastLeft && !audience.some((p) => sameDevice(p, lastLeft))) audience.push(lastLeft);
    this.addOtherDevicesOf(info, lastLeft, audience);
    this.setCallState(call, 'end');
    info.endedAt = at;
    info.endReason = reason;
    const json = this.snapshots.publish(info);
    this.registry.retire(info, json);
    this.o.liveCalls.delete(info.callId);
    this.o.media.callEnded(info.callId);
    const ended: CallFrame = (text) =>
      encodeEventJson('call.ended', jsonObjectWith('call', text, { reason }));
    for (const p of audience) call.outbox.sendCall(p.userId, p.deviceId, ended);
    call.outbox.flush(this.o.router, json);
    const record = buildCallRecord(info, call.notes);
    if (call.transfers.length > 0) record.transfers = call.transfers.map((t) => ({ ...t }));
    if (info.queue && this.queues) {
      // Seat calling says what the record holds of the queues; the record stays the engine's.
      const queuePart = this.queues.queueRecord(info);
      if (queuePart) record.queue = queuePart;
      this.queues.callEnded(info);
    }
    this.o.records.add(record);
    this.o.observer.callEnded(record);
    this.o.partiesChanged?.(partiesOf(info));
    this.log(info, { reason, durationSec: record.durationSec }, 'call ended');
  }

  /**
   * An active call's participants on every device they are signed in on: the devices not in the
   * call show it as "in a call on another device" (issue 14), and must hear of its changes and
   * end (a switch, a hang-up) to show it right. A ringing call stays with the devices in it.
   */
  /**
   * The one who just left an active call may show it on other devices of theirs (`elsewhere`, a
   * device it was switched away from): those hear of the step too, or show the call for ever.
   */
  private addOtherDevicesOf(
    info: CallInfo,
    leaver: { userId: UserId; deviceId: string } | undefined,
    audience: { userId: UserId; deviceId: string }[],
    exceptDeviceId?: string,
  ): void {
    if (!leaver || info.state !== 'active') return;
    for (const deviceId of this.o.devicesOf(leaver.userId)) {
      const device = { userId: leaver.userId, deviceId };
      if (deviceId !== exceptDeviceId && !audience.some((p) => sameDevice(p, device))) {
        audience.push(device);
      }
    }
  }

  private withOtherDevices(
    info: CallInfo,
    present: { userId: UserId; deviceId: string }[],
  ): { userId: UserId; deviceId: string }[] {
    if (info.state !== 'active') return present;
    const out = [...present];
    for (const { userId } of present) {
      for (const deviceId of this.o.devicesOf(userId)) {
        if (!out.some((p) => p.userId === userId && p.deviceId === deviceId)) {
          out.push({ userId, deviceId });
        }
      }
    }
    return out;
  }

  stopRinging(call: LiveCall, userId: UserId, reason: RingEndReason, except?: string): void {
    const devices = call.rungDevices.get(userId);
    if (!devices) return;
    const frame = encodeEvent('call.ringEnded', { callId: call.info.callId, reason });
    for (const deviceId of devices) {
      if (deviceId !== except) call.outbox.send(userId, deviceId, frame);
    }
    call.rungDevices.delete(userId);
  }

  /** Tells a participant what the moderator did to them, when the step ends. */
  sendToParticipant(
    call: LiveCall,
    userId: UserId,
    type: 'call.controlled',
    data: Parameters<typeof encodeEvent<'call.controlled'>>[1],
  ): void {
    const p = presentParticipants(call.info).find((x) => x.userId === userId);
    if (p) call.outbox.send(p.userId, p.deviceId, encodeEvent(type, data));
  }

  /**
   * The user came back on another device than the one they were in the call on: the call's
   * frames go to `deviceId` from now on.
   */
  moveToDevice(call: LiveCall, userId: UserId, deviceId: string): void {
    const { info } = call;
    if (userId === info.callerId) info.callerDevice = deviceId;
    else {
      const leg = findLeg(info, userId);
      if (leg) leg.answeredDevice = deviceId;
    }
  }

  rung(call: LiveCall, userId: UserId): Set<string> {
    let set = call.rungDevices.get(userId);
    if (!set) call.rungDevices.set(userId, (set = new Set()));
    return set;
  }

  /**
   * A new ringing call with no legs yet, registered as live with its caller involved: shared by
   * `invite` and `createQueued`, which differ only in `extra` (the queue a held call waits in).
   */
  startCall(
    actor: Actor,
    data: RequestData<'call.invite'>,
    now: number,
    extra: Pick<CallInfo, 'queue'>,
  ): LiveCall {
    const start = callTransition('absent', 'start');
    if (start.kind !== 'next') throw new Error('a call is not created by start');
    const info: CallInfo = {
      callId: data.callId,
      callerId: actor.userId,
      callerDevice: actor.device.id,
      moderatorId: actor.userId,
      media: data.media,
      state: wireCallState(start.state),
      createdAt: now,
      callerMuted: { audio: false, video: false },
      legs: [],
      ...extra,
      ...(data.payload === undefined ? {} : { payload: data.payload }),
    };
    const call = newLiveCall(info);
    this.registry.add(call);
    this.o.observer.callStarted();
    this.log(info, { from: 'absent', to: start.state }, `call absent → ${start.state}`);
    return call;
  }

  /** Every line about a call carries its id. */
  log(info: CallInfo, fields: Record<string, unknown>, message: string): void {
    this.o.logger.info({ callId: info.callId, ...fields }, message);
  }
}

/** The `call.updated` frame, made from the call's text. */
const callUpdated: CallFrame = (json) =>
  encodeEventJson('call.updated', jsonObjectWith('call', json, {}));

const sameDevice = (
  a: { userId: UserId; deviceId: string },
  b: { userId: UserId; deviceId: string },
): boolean => a.userId === b.userId && a.deviceId === b.deviceId;

/** Everyone a call ever involved: its caller and every callee. */
const partiesOf = (info: CallInfo): UserId[] => [info.callerId, ...info.legs.map((l) => l.userId)];
