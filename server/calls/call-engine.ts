import type {
  CallEndReason,
  CallInfo,
  JsonText,
  Leg,
  QueueOffer,
  RequestData,
  UserId,
} from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { Session } from '../signaling/sessions.js';
import type { PersistedLiveCall } from '../store/types.js';
import { CallHolds } from './call-holds.js';
import { CallRegistry } from './call-registry.js';
import { CallTransfers } from './call-transfers.js';
import { CallSteps, invalidState } from './call-steps.js';
import type { CalleeCheck } from './callee-checks.js';
import { isPendingLeg } from './leg-transitions.js';
import type { Actor, CallEngineOptions, QueueHooks } from './ports.js';
import { ConnectionLoss } from './rejoin-window.js';
import {
  type LiveCall,
  findLeg,
  isPresent,
  newLiveCall,
  pendingLegs,
  presentParticipants,
} from './live-call.js';

/** Was the user ever in this call: its caller, or a callee invited into it? */
export const wasInCall = (info: CallInfo, userId: UserId): boolean =>
  info.callerId === userId || findLeg(info, userId) !== undefined;

/**
 * What anyone who was never in a call gets for it, live or ended: the same answer as for an id
 * that names no call, so a call id learnt elsewhere reveals neither the call nor its payload.
 */
const noSuchCall = (): ProtocolError => new ProtocolError('not-found', 'no such call');

/**
 * The invitation lifecycle (call-semantics.md): the single authority for every call's state.
 * Every operation is synchronous once its inputs are known, so the order in which the server
 * processes two racing requests decides the outcome, deterministically.
 *
 * This class decides: which request is allowed, and which steps it takes. The steps themselves
 * (a leg placed, a leg event applied, a change published, the end) are CallSteps; what is known
 * about calls, and indexed for the questions asked here, is CallRegistry.
 */
export class CallEngine {
  private readonly registry = new CallRegistry();
  private readonly now: () => number;
  private readonly steps: CallSteps;
  private readonly connectionLoss: ConnectionLoss;
  private readonly holds: CallHolds;
  private readonly transfers: CallTransfers;

  constructor(private readonly o: CallEngineOptions) {
    this.now = o.now ?? Date.now;
    this.steps = new CallSteps(o, this.registry, this.now);
    this.holds = new CallHolds(this.steps);
    this.transfers = new CallTransfers(this.steps, this.registry, this.now, o.defaultRingTimeoutMs);
    this.steps.settle = (call) => {
      this.transfers.settle(call);
    };
    this.connectionLoss = new ConnectionLoss({
      registry: this.registry,
      steps: this.steps,
      devicesOf: o.devicesOf,
      windowMs: o.rejoinWindowMs ?? 30_000,
      logger: o.logger,
    });
  }

  /**
   * Seat calling follows the queue calls from now on (their leg changes and ends). Given after
   * construction, once: the contact center is built on the engine, so neither waits for the other.
   */
  followQueues(hooks: QueueHooks): void {
    this.steps.followQueues(hooks);
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Known call (live, or recently ended). */
  get(callId: string): CallInfo | undefined {
    return this.registry.get(callId);
  }

  /** Calls the user is in: as caller of a call not ended, or as a present participant. */
  callsOf(userId: UserId): CallInfo[] {
    return this.registry.callsOf(userId);
  }

  /** A user already in an active call is busy, unless they have no live device. */
  isBusy(userId: UserId): boolean {
    return this.steps.isBusy(userId);
  }

  /**
   * The call's JSON as the engine last published it: the answer to a request that returned this
   * CallInfo carries it without encoding the call again.
   */
  /** In an active call this engine holds (cluster mode shares it with the other nodes). */
  inOwnActiveCall(userId: UserId): boolean {
    return this.registry.isBusy(userId);
  }

  /** Live calls this engine holds (cluster mode: its owned calls). */
  liveCallIds(): string[] {
    return this.registry.liveCalls().map((call) => call.info.callId);
  }

  /**
   * Stops deciding without ending anything (cluster mode: this node lost its lease; another
   * node takes the calls over from their persisted state): timers stop, the calls are forgotten.
   */
  freeze(): void {
    this.connectionLoss.clear();
    for (const call of this.registry.liveCalls()) {
      for (const timer of call.timers.values()) clearTimeout(timer);
      call.timers.clear();
    }
  }

  snapshotOf(info: CallInfo): JsonText<CallInfo> {
    return this.steps.snapshots.of(info);
  }

  counts(): { ringing: number; active: number } {
    return this.registry.counts();
  }

  // ---- operations ----------------------------------------------------------------------------

  /**
   * Creates the call, or answers a retry with the call as it is. `checks` were resolved by the
   * caller (async lookups) for every callee; the engine only decides.
   */
  invite(
    actor: Actor,
    data: RequestData<'call.invite'>,
    checks: ReadonlyMap<UserId, CalleeCheck>,
  ): CallInfo {
    const known = this.get(data.callId);
    if (known) return this.retriedInvite(known, actor, data);
    const call = this.steps.startCall(actor, data, this.now(), {});
    const { info } = call;
    this.steps.log(info, { callees: data.callees, media: data.media }, 'call invited');
    const ringMs = data.ringTimeoutMs ?? this.o.defaultRingTimeoutMs;
    for (const callee of data.callees) {
      this.steps.placeLeg(call, callee, actor.userId, ringMs, checks);
    }
    this.steps.afterChange(call, undefined, { userId: actor.userId, deviceId: actor.device.id });
    return info;
  }

  /** A callee device received `call.incoming`. */
  ack(actor: Actor, callId: string): void {
    const call = this.live(callId);
    if (!call) return; // A late ack for a call that already ended changes nothing.
    const leg = findLeg(call.info, actor.userId);
    if (!leg) throw noSuchCall();
    this.steps.rung(call, actor.userId).add(actor.device.id);
    if (this.steps.applyLeg(call, leg, 'delivered') && leg.state === 'ringing') {
      const sentAt = call.invitedAtHr.get(leg.userId);
      if (sentAt !== undefined) this.o.observer.legRinging((performance.now() - sentAt) / 1000);
      this.steps.afterChange(call);
    }
  }

  accept(actor: Actor, callId: string): CallInfo {
    const { call, leg } = this.calleeLeg(actor, callId, 'accept');
    if (leg.state === 'accepted') {
      if (leg.answeredDevice === actor.device.id) return call.info;
      throw invalidState(call.info, 'answered on another device');
    }
    this.steps.applyLeg(call, leg, 'accept', { device: actor.device.id });
    this.steps.stopRinging(call, leg.userId, 'answered-elsewhere', actor.device.id);
    const firstAnswer = this.steps.setCallState(call, 'answer');
    if (this.registry.release(callId) && call.info.queue) {
      // A queue call is the agent's to run: the customer who called in is not its moderator.
      call.info.queue.agentId = leg.userId;
      call.info.moderatorId = leg.userId;
    }
    this.registry.involve(leg.userId, callId);
    this.steps.log(call.info, { userId: leg.userId, deviceId: actor.device.id }, 'call accepted');
    if (firstAnswer) this.o.media.callActive(call.info);
    this.steps.afterChange(call, undefined, { userId: leg.userId, deviceId: actor.device.id });
    return call.info;
  }

  refuse(actor: Actor, callId: string, reason = 'declined'): CallInfo {
    // A retry after the refusal ended the call: the same answer as while the call was live.
    const ended = this.live(callId) ? undefined : this.visibleTo(actor, callId);
    if (ended && findLeg(ended, actor.userId)?.state === 'refused') return ended;
    const { call, leg } = this.calleeLeg(actor, callId, 'refuse');
    if (leg.state === 'refused') return call.info;
    this.steps.applyLeg(call, leg, 'refuse', { reason });
    this.steps.stopRinging(call, leg.userId, 'refused-elsewhere', actor.device.id);
    this.steps.log(call.info, { userId: leg.userId, reason }, 'call refused');
    this.steps.afterChange(call);
    return call.info;
  }

  /** The caller withdraws the invitation from all pending callees, or from the ones named. */
  cancel(actor: Actor, callId: string, callees?: readonly UserId[]): CallInfo {
    const call = this.live(callId);
    const info = this.visibleTo(actor, callId);
    if (!info) throw noSuchCall();
    if (info.callerId !== actor.userId)
      throw new ProtocolError('forbidden', 'only the caller cancels');
    if (!call) {
      if (info.endReason === 'canceled') return info;
      throw invalidState(info, `the call already ended (${info.endReason ?? 'ended'})`);
    }
    if (!callees && this.registry.isHeld(callId)) {
      // The caller gave up waiting in the queue: nothing else keeps the call.
      this.steps.log(call.info, { queue: call.info.queue?.queue }, 'queued call abandoned');
      this.steps.end(call, 'canceled');
      return call.info;
    }
    const targets = call.info.legs.filter((l) => !callees || callees.includes(l.userId));
    const pending = targets.filter((l) => isPendingLeg(l.state));
    if (pending.length === 0 && targets.some((l) => l.state === 'accepted')) {
      throw invalidState(call.info, 'already answered');
    }
    this.steps.cancelLegs(call, pending);
    this.steps.log(call.info, { callees: pending.map((l) => l.userId) }, 'invitation canceled');
    this.steps.afterChange(call);
    return call.info;
  }

  hangup(actor: Actor, callId: string): CallInfo {
    const known = this.visibleTo(actor, callId);
    if (!known) throw noSuchCall();
    const call = this.live(callId);
    if (!call) return known; // Ended already: a repeat, or a late hang-up.
    const { info } = call;
    if (actor.userId === info.callerId && info.state === 'ringing') {
      return this.cancel(actor, callId);
    }
    const leg = findLeg(info, actor.userId);
    if (leg && isPendingLeg(leg.state)) return this.refuse(actor, callId);
    if (!isPresent(info, actor.userId)) return info; // Already gone: a repeat.
    this.steps.leave(call, actor.userId, 'left');
    this.steps.afterChange(call);
    return call.info;
  }

  /**
   * "Switch here": the user is in the active call on another device of theirs and moves it to
   * this one. Only the user's own place moves (another user gets `not-found`, like any call they
   * were never in); a repeat from the device already in the call changes nothing.
   */
  moveHere(actor: Actor, callId: string): CallInfo {
    const call = this.liveVisibleTo(actor, callId);
    const { info } = call;
    const inCallOn = presentParticipants(info).find((p) => p.userId === actor.userId)?.deviceId;
    if (inCallOn === undefined) throw invalidState(info, 'you are not in this call');
    if (inCallOn === actor.device.id) return info;
    if (info.state !== 'active') throw invalidState(info, 'the call is not in progress');
    this.steps.moveToDevice(call, actor.userId, actor.device.id);
    // The old device's media leaves now rather than when its client reacts: one device of a
    // user is in the room at a time (no echo), and `left` does not open a rejoin window.
    this.o.media.participantLeft(callId, actor.userId, 'left');
    this.steps.log(
      info,
      { userId: actor.userId, from: inCallOn, to: actor.device.id },
      'call moved here',
    );
    // The old device is no participant any more: told like someone who just left.
    this.steps.afterChange(call, { userId: actor.userId, deviceId: inCallOn });
    return info;
  }

  /** A participant puts the active call on hold: see CallHolds (call-holds.ts). */
  hold(actor: Actor, callId: string): CallInfo {
    return this.holds.hold(this.liveVisibleTo(actor, callId), actor);
  }

  /** The participant who put the call on hold takes it off hold. */
  resume(actor: Actor, callId: string): CallInfo {
    return this.holds.resume(this.liveVisibleTo(actor, callId), actor);
  }

  /** Blind transfer of a 1:1 call: see CallTransfers (call-transfers.ts). */
  transfer(
    actor: Actor,
    data: RequestData<'call.transfer'>,
    checks: ReadonlyMap<UserId, CalleeCheck>,
  ): CallInfo {
    const call = this.liveVisibleTo(actor, data.callId);
    return this.transfers.transfer(call, actor, data.target, data.ringTimeoutMs, checks);
  }

  /** Attended transfer: joins the held call's party and the consultation's target. */
  completeTransfer(actor: Actor, data: RequestData<'call.completeTransfer'>): CallInfo {
    const held = this.liveVisibleTo(actor, data.callId);
    const consult = this.liveVisibleTo(actor, data.consultCallId);
    return this.transfers.complete(held, consult, actor);
  }

  /** A participant invites more users into the call. */
  add(
    actor: Actor,
    data: RequestData<'call.add'>,
    checks: ReadonlyMap<UserId, CalleeCheck>,
  ): CallInfo {
    const call = this.liveVisibleTo(actor, data.callId);
    if (!isPresent(call.info, actor.userId)) {
      throw new ProtocolError('forbidden', 'only participants invite into a call');
    }
    const ringMs = data.ringTimeoutMs ?? this.o.defaultRingTimeoutMs;
    for (const callee of data.callees) {
      const leg = findLeg(call.info, callee);
      const alreadyIn = leg && (isPendingLeg(leg.state) || isPresent(call.info, callee));
      if (callee === call.info.callerId || alreadyIn) continue;
      this.steps.placeLeg(call, callee, actor.userId, ringMs, checks);
    }
    this.steps.log(call.info, { callees: data.callees, by: actor.userId }, 'participants invited');
    this.steps.afterChange(call);
    return call.info;
  }

  /** Conference control: mute/unmute, remove, end for all. Moderator only. */
  control(actor: Actor, data: RequestData<'call.control'>): CallInfo {
    const call = this.liveVisibleTo(actor, data.callId);
    const { info } = call;
    if (info.moderatorId !== actor.userId || !isPresent(info, actor.userId)) {
      throw new ProtocolError('forbidden', 'only the moderator controls the call');
    }
    if (data.action === 'end') {
      this.steps.log(info, { by: actor.userId }, 'call ended by moderator');
      this.steps.end(call, 'ended-by-moderator');
      return info;
    }
    if (data.target === actor.userId) {
      throw new ProtocolError('bad-request', 'control your own participation directly');
    }
    const leg = findLeg(info, data.target);
    if (data.action === 'remove' && leg && isPendingLeg(leg.state)) {
      // Authorized above, for the moderator: their invitation is withdrawn as a cancel would.
      this.steps.cancelLegs(call, [leg]);
      this.steps.log(info, { callees: [leg.userId], by: actor.userId }, 'invitation canceled');
      this.steps.afterChange(call);
      return info;
    }
    if (!isPresent(info, data.target)) throw new ProtocolError('not-found', 'not in the call');
    if (data.action === 'remove') {
      call.notes.set(data.target, 'removed');
      this.steps.sendToParticipant(call, data.target, 'call.controlled', {
        callId: info.callId,
        action: 'remove',
        by: actor.userId,
      });
      this.steps.leave(call, data.target, 'removed');
    } else {
      this.steps.setMuted(call, data.target, data.kind, data.action === 'mute');
      this.steps.sendToParticipant(call, data.target, 'call.controlled', {
        callId: info.callId,
        action: data.action,
        kind: data.kind,
        by: actor.userId,
      });
    }
    this.steps.log(info, { action: data.action, target: data.target }, 'conference control');
    this.steps.afterChange(call);
    return info;
  }

  /**
   * Takes a user out of a live call on the server's own authority, because their right to be in
   * it was revoked (a supervisor lost the queue, the account was disabled): a present
   * participant leaves (the media plane drops their peer), a pending invitation to them is
   * withdrawn, and a caller whose call still rings withdraws it from everyone. `reason` stays
   * on their leg and in the record. The call goes on or ends by the usual rules; the user's
   * device that was in it gets the call as it now is. No-op for a user not in the call.
   */
  dismiss(callId: string, userId: UserId, reason: string): void {
    const call = this.live(callId);
    if (!call) return;
    const { info } = call;
    const leg = findLeg(info, userId);
    if (leg && isPendingLeg(leg.state)) {
      this.steps.cancelLegs(call, [leg], reason);
    } else if (userId === info.callerId && info.state === 'ringing') {
      if (this.registry.isHeld(callId)) {
        // Waiting in a queue: nothing else keeps the call (as when its caller gives up).
        this.steps.log(info, { userId, reason }, 'queued call withdrawn by the server');
        this.steps.end(call, 'canceled');
        return;
      }
      this.steps.cancelLegs(call, pendingLegs(info));
    } else if (isPresent(info, userId)) {
      const device = presentParticipants(info).find((p) => p.userId === userId)?.deviceId;
      this.steps.leave(call, userId, 'removed', reason);
      this.steps.log(info, { userId, reason }, 'dismissed from the call');
      // If the call goes on, that device is told it is out; if it ends, `call.ended` reaches it
      // (it left last).
      this.steps.afterChange(call, device === undefined ? undefined : { userId, deviceId: device });
      return;
    } else return;
    this.steps.log(info, { userId, reason }, 'invitation withdrawn by the server');
    this.steps.afterChange(call);
  }

  /** `dismiss` from every live call the user is in, has called, or is invited to. */
  dismissUser(userId: UserId, reason: string): void {
    const callIds = new Set<string>();
    for (const info of this.registry.callsOf(userId)) callIds.add(info.callId);
    for (const call of this.registry.pendingCallsOf(userId)) callIds.add(call.info.callId);
    for (const callId of callIds) this.dismiss(callId, userId, reason);
  }

  /** Ends a live call from outside signaling (the media plane: `media-failed`). No-op if gone. */
  endCall(callId: string, reason: CallEndReason): void {
    const call = this.live(callId);
    if (!call) return;
    this.steps.log(call.info, { reason }, 'call ended by the media plane');
    this.steps.end(call, reason);
  }

  // ---- connection loss: see ConnectionLoss (rejoin-window.ts) -------------------------------

  /** The user's last signaling session is gone: their calls' rejoin windows open. */
  userOffline(userId: UserId): void {
    this.connectionLoss.userOffline(userId);
  }

  /** A device of the user signed in again: they are back in the calls they are still in. */
  userOnline(userId: UserId): void {
    this.connectionLoss.userOnline(userId);
  }

  /** The SFU: the user's media transport in the call closed or went silent. */
  mediaLost(callId: string, userId: UserId): void {
    // A holder may leave the call's media while holding it (to consult, or take another call):
    // nothing flows to or from them meanwhile, and they rejoin it when they resume.
    if (this.live(callId)?.info.hold?.by === userId) return;
    this.connectionLoss.mediaLost(callId, userId);
  }

  /** The SFU: the user's media in the call is connected again. */
  mediaBack(callId: string, userId: UserId): void {
    this.connectionLoss.mediaBack(callId, userId);
  }

  // ---- seat calling: the contact center holds queue calls and offers them to agents -----------

  /** A call to a queue: ringing with no callee until an agent is offered it. */
  createQueued(actor: Actor, data: RequestData<'call.invite'>, queue: string): CallInfo {
    const now = this.now();
    const call = this.steps.startCall(actor, data, now, { queue: { queue, enteredAt: now } });
    const { info } = call;
    this.registry.hold(info.callId);
    this.steps.log(info, { queue }, 'call queued');
    this.steps.afterChange(call);
    return info;
  }

  /** Rings an agent for a held call (`call.incoming` carries `offer`). False if it cannot. */
  offer(callId: string, agentId: UserId, ringMs: number, offer: QueueOffer): boolean {
    const call = this.live(callId);
    if (!call || !this.registry.isHeld(callId) || call.info.state !== 'ringing') return false;
    const leg = findLeg(call.info, agentId);
    if (leg && isPendingLeg(leg.state)) return false;
    this.registry.setOffer(callId, agentId, offer);
    const check: CalleeCheck = { status: 'available', callWaiting: false, blockedCaller: false };
    const checks = new Map([[agentId, check]]);
    this.steps.placeLeg(call, agentId, call.info.callerId, ringMs, checks);
    this.steps.afterChange(call);
    return true;
  }

  /**
   * A supervisor barges into an answered queue call: an accepted leg at once (nobody rings), so
   * every participant sees them in `call.updated`, they hang up like anyone and the record lists
   * them. The contact center checked the right to do so.
   */
  join(callId: string, userId: UserId, deviceId: string, invitedBy: UserId): CallInfo {
    const call = this.live(callId);
    if (!call || call.info.state !== 'active') {
      throw new ProtocolError('invalid-state', 'the call is not in progress');
    }
    const { info } = call;
    if (isPresent(info, userId)) {
      if (presentParticipants(info).some((p) => p.userId === userId && p.deviceId === deviceId)) {
        return info;
      }
      throw invalidState(info, 'already in the call on another device');
    }
    if (userId === info.callerId) throw invalidState(info, 'the caller left this call');
    if (this.isBusy(userId)) throw new ProtocolError('invalid-state', 'you are in another call');
    this.steps.createLeg(call, userId, 'join', { invitedBy, ringMs: 0, device: deviceId });
    this.registry.involve(userId, callId);
    this.steps.log(info, { userId, deviceId }, 'joined the call directly');
    this.steps.afterChange(call);
    return info;
  }

  /** Stops ringing the agents named (another agent answered, or the call moved on). */
  withdraw(callId: string, agentIds: readonly UserId[]): void {
    const call = this.live(callId);
    if (!call) return;
    const offered = pendingLegs(call.info).filter((l) => agentIds.includes(l.userId));
    if (offered.length === 0) return;
    this.steps.cancelLegs(call, offered);
    this.steps.afterChange(call);
  }

  /** The call moved to another queue (overflow). */
  requeue(callId: string, queue: string): void {
    const call = this.live(callId);
    if (!call?.info.queue) return;
    call.info.queue.queue = queue;
    this.steps.afterChange(call);
  }

  /** Queue calls waiting for an agent (after a restart: for the contact center to adopt). */
  heldCalls(): CallInfo[] {
    return this.registry.heldCalls();
  }

  /** Is this queue call still waiting for an agent? */
  isHeld(callId: string): boolean {
    return this.registry.isHeld(callId);
  }

  /**
   * Is the user a present participant of this live call (for media admission)? With `deviceId`:
   * in the call on that device (a user's other devices are not admitted to its media).
   */
  isParticipant(callId: string, userId: UserId, deviceId?: string): boolean {
    const call = this.live(callId);
    if (call === undefined || !isPresent(call.info, userId)) return false;
    if (deviceId === undefined) return true;
    return presentParticipants(call.info).some(
      (p) => p.userId === userId && p.deviceId === deviceId,
    );
  }

  /** A device came online: it rings for every invitation still pending for its user. */
  deliverPending(session: Session): void {
    for (const call of this.registry.pendingCallsOf(session.userId)) {
      const leg = findLeg(call.info, session.userId);
      if (!leg) continue;
      this.steps.rung(call, leg.userId).add(session.device.id);
      session.send(this.steps.incomingFrame(call.info, leg, this.steps.snapshots.of(call.info)));
    }
  }

  // ---- restart and shutdown ------------------------------------------------------------------

  /**
   * Takes back the calls persisted by a previous run. Ringing invitations go on ringing (with the
   * time they had left); calls that were active lost their process: a graceful stop ended them
   * (`server-shutdown`), so those found here were cut by a crash and end with `server-failure`,
   * dated when the server last persisted anything, never at this restart.
   */
  restore(calls: readonly PersistedLiveCall[]): void {
    for (const { info, persistedAt } of calls) {
      if (this.registry.has(info.callId) || info.state === 'ended') continue;
      const call = newLiveCall(info);
      this.registry.add(call);
      for (const leg of info.legs)
        if (isPresent(info, leg.userId)) this.registry.involve(leg.userId, info.callId);
      if (info.state === 'active') {
        this.steps.end(call, 'server-failure', persistedAt);
        continue;
      }
      if (info.queue) {
        // A queue call waits again; its offers of the previous run are void (the contact center
        // adopts the call and offers it anew).
        this.registry.hold(info.callId);
        this.steps.cancelLegs(call, pendingLegs(info));
      }
      for (const leg of pendingLegs(info)) {
        this.registry.ringing(leg.userId, info.callId);
        this.steps.armLeg(call, leg);
      }
      this.steps.log(info, { pending: pendingLegs(info).length }, 'call restored');
      this.steps.afterChange(call);
      this.connectionLoss.restored(info.callId);
    }
  }

  /**
   * Cluster mode: takes over calls another node owned until it died (or this node's previous
   * run). Unlike `restore` nothing was cut, since the media are elsewhere and the clients are
   * still connected to their nodes: active calls go on, ringing invitations ring on with the
   * time they had left (timers re-armed), and the devices ringing now are the ones stopped when
   * the call is answered or ends. Participants with no device left get their rejoin window.
   */
  adopt(calls: readonly PersistedLiveCall[]): void {
    for (const { info } of calls) {
      if (this.registry.has(info.callId) || info.state === 'ended') continue;
      const call = newLiveCall(info);
      this.registry.add(call);
      for (const leg of info.legs)
        if (isPresent(info, leg.userId)) this.registry.involve(leg.userId, info.callId);
      if (info.queue && info.state === 'ringing') {
        this.registry.hold(info.callId);
        this.steps.cancelLegs(call, pendingLegs(info));
      }
      for (const leg of pendingLegs(info)) {
        this.registry.ringing(leg.userId, info.callId);
        const rung = this.steps.rung(call, leg.userId);
        for (const deviceId of this.o.devicesOf(leg.userId)) rung.add(deviceId);
        this.steps.armLeg(call, leg);
      }
      this.steps.log(
        info,
        { pending: pendingLegs(info).length, state: info.state },
        'call taken over',
      );
      this.steps.afterChange(call);
      this.connectionLoss.restored(info.callId);
    }
  }

  /** Ends active calls cleanly; ringing invitations stay persisted for the next start. */
  shutdown(): void {
    this.connectionLoss.clear();
    for (const call of this.registry.liveCalls()) {
      for (const timer of call.timers.values()) clearTimeout(timer);
      call.timers.clear();
      if (call.info.state === 'active') this.steps.end(call, 'server-shutdown');
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private retriedInvite(known: CallInfo, actor: Actor, data: RequestData<'call.invite'>): CallInfo {
    const sameCallees =
      data.callees.length <= known.legs.length &&
      data.callees.every((c) => known.legs.some((l) => l.userId === c));
    if (known.callerId !== actor.userId || known.media !== data.media || !sameCallees) {
      throw new ProtocolError('conflict', 'this call id is already used for another call');
    }
    return known;
  }

  private calleeLeg(actor: Actor, callId: string, verb: string): { call: LiveCall; leg: Leg } {
    const call = this.liveVisibleTo(actor, callId, `cannot ${verb}: the call has ended`);
    const leg = findLeg(call.info, actor.userId);
    // The caller of the call is no callee of it: nothing to answer.
    if (!leg) throw noSuchCall();
    return { call, leg };
  }

  /**
   * The call, live or recently ended, if the actor was ever in it; undefined otherwise, also for
   * a call that exists: the check comes before any answer that would carry the call.
   */
  private visibleTo(actor: Actor, callId: string): CallInfo | undefined {
    const info = this.get(callId);
    return info && wasInCall(info, actor.userId) ? info : undefined;
  }

  /** The live call the actor was in; `invalid-state` (with the call) once it ended. */
  private liveVisibleTo(actor: Actor, callId: string, ended = 'the call has ended'): LiveCall {
    const info = this.visibleTo(actor, callId);
    if (!info) throw noSuchCall();
    const call = this.live(callId);
    if (!call) throw invalidState(info, ended);
    return call;
  }

  private live(callId: string): LiveCall | undefined {
    return this.registry.live(callId);
  }
}
