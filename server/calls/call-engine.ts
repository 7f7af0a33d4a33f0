import type {
  CallEndReason,
  CallInfo,
  CallRecord,
  JsonText,
  Leg,
  MediaKind,
  QueueOffer,
  RequestData,
  RingEndReason,
  UserId,
} from '../../protocol/index.js';
import {
  ProtocolError,
  callInfoSchema,
  encodeEvent,
  encodeEventJson,
  jsonObjectWith,
  toJsonText,
} from '../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { MessageRouter, Session } from '../signaling/sessions.js';
import type { LiveCallStore, RecordStore } from '../store/types.js';
import { BoundedMap } from '../util/bounded-map.js';
import { SetMultimap } from '../util/set-multimap.js';
import { buildCallRecord, unansweredEndReason } from './call-record.js';
import { CallSnapshots } from './call-snapshots.js';
import type { CalleeCheck } from './callee-checks.js';
import { type LegEvent, isPendingLeg, legTransition } from './leg-transitions.js';
import {
  type LiveCall,
  findLeg,
  isPresent,
  newLiveCall,
  pendingLegs,
  presentParticipants,
} from './live-call.js';

/** Where the SFU plugs in: the signaling side tells it what conference control decided. */
export interface MediaPlane {
  callActive(call: CallInfo): void;
  participantLeft(callId: string, userId: UserId, reason: 'left' | 'removed'): void;
  setMuted(callId: string, userId: UserId, kind: MediaKind, muted: boolean): void;
  callEnded(callId: string): void;
}

export const noMediaPlane: MediaPlane = {
  callActive: () => undefined,
  participantLeft: () => undefined,
  setMuted: () => undefined,
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
 */
export interface QueueHooks {
  /** A leg of a held (queue) call changed state. */
  legChanged(call: CallInfo, leg: Leg): void;
  /** A queue call is ending: the record may be completed with its queue part before it is kept. */
  callEnding(call: CallInfo, record: CallRecord): void;
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
  now?: () => number;
  queueHooks?: QueueHooks;
  /** Check every reused call snapshot against a fresh encoding (tests: see CallSnapshots). */
  verifySnapshots?: boolean;
}

/** Ended calls are remembered this long so that retries and late answers get a clear answer. */
const ENDED_MEMORY = 5_000;

type Actor = Pick<Session, 'userId' | 'device'>;

const invalidState = (call: CallInfo, message: string): ProtocolError =>
  new ProtocolError('invalid-state', message, call);

/**
 * The invitation lifecycle (call-semantics.md): the single authority for every call's state.
 * Every operation is synchronous once its inputs are known, so the order in which the server
 * processes two racing requests decides the outcome, deterministically.
 */
export class CallEngine {
  private readonly calls = new Map<string, LiveCall>();
  /**
   * Recently ended calls as their final JSON, oldest evicted first; a call id ends only once, so
   * never re-set. Text, not the CallInfo objects: each lives for ENDED_MEMORY calls (seconds
   * under load), and every young-generation GC copied their whole object graphs (one flat string
   * is one copy); they are read back only for late or repeated requests.
   */
  private readonly ended = new BoundedMap<string, JsonText<CallInfo>>(ENDED_MEMORY);
  /** Calls each user is caller of or answered, not yet left: for busy checks and resync. */
  private readonly involvement = new SetMultimap<UserId, string>();
  /** Calls with a pending leg for each user: delivered to devices as they come online. */
  private readonly pendingFor = new SetMultimap<UserId, string>();
  /** Queue calls waiting for an agent: they stay ringing without any pending leg. */
  private readonly held = new Set<string>();
  /** The queue context of each agent's offer, per queue call: it goes into `call.incoming`. */
  private readonly queueOffers = new Map<string, Map<UserId, QueueOffer>>();
  private readonly now: () => number;
  private readonly snapshots: CallSnapshots;

  constructor(private readonly o: CallEngineOptions) {
    this.now = o.now ?? Date.now;
    this.snapshots = new CallSnapshots(o.verifySnapshots ?? false);
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Known call (live, or recently ended). */
  get(callId: string): CallInfo | undefined {
    const live = this.calls.get(callId);
    if (live) return live.info;
    const ended = this.ended.get(callId);
    return ended === undefined ? undefined : callInfoSchema.parse(JSON.parse(ended));
  }

  /** Calls the user is in: as caller of a call not ended, or as a present participant. */
  callsOf(userId: UserId): CallInfo[] {
    return [...this.involvement.get(userId)].flatMap((id) => {
      const call = this.calls.get(id)?.info;
      return call ? [call] : [];
    });
  }

  /** A user already in an active call is busy. */
  isBusy(userId: UserId): boolean {
    return this.callsOf(userId).some((c) => c.state === 'active' && isPresent(c, userId));
  }

  /**
   * The call's JSON as the engine last published it: the answer to a request that returned this
   * CallInfo carries it without encoding the call again.
   */
  snapshotOf(info: CallInfo): JsonText<CallInfo> {
    return this.snapshots.of(info);
  }

  counts(): { ringing: number; active: number } {
    let ringing = 0;
    for (const { info } of this.calls.values()) if (info.state === 'ringing') ringing++;
    return { ringing, active: this.calls.size - ringing };
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
    const call = this.startCall(actor, data, this.now(), {});
    const { info } = call;
    this.log(info, { callees: data.callees, media: data.media }, 'call invited');
    const ringMs = data.ringTimeoutMs ?? this.o.defaultRingTimeoutMs;
    // Each leg placed supersedes the text of the one before: only the last leg's is still true.
    let encoded: JsonText<CallInfo> | undefined;
    for (const callee of data.callees) {
      encoded = this.placeLeg(call, callee, actor.userId, ringMs, checks);
    }
    this.afterChange(call, encoded);
    return info;
  }

  /** A callee device received `call.incoming`. */
  ack(actor: Actor, callId: string): void {
    const call = this.live(callId);
    if (!call) return; // A late ack for a call that already ended changes nothing.
    const leg = findLeg(call.info, actor.userId);
    if (!leg) throw new ProtocolError('not-found', 'you are not invited to this call');
    this.rung(call, actor.userId).add(actor.device.id);
    if (this.applyLeg(call, leg, 'delivered') && leg.state === 'ringing') {
      const sentAt = call.invitedAtHr.get(leg.userId);
      if (sentAt !== undefined) this.o.observer.legRinging((performance.now() - sentAt) / 1000);
      this.afterChange(call);
    }
  }

  accept(actor: Actor, callId: string): CallInfo {
    const { call, leg } = this.calleeLeg(actor, callId, 'accept');
    if (leg.state === 'accepted') {
      if (leg.answeredDevice === actor.device.id) return call.info;
      throw invalidState(call.info, 'answered on another device');
    }
    this.applyLeg(call, leg, 'accept');
    leg.answeredAt = this.now();
    leg.answeredDevice = actor.device.id;
    this.stopRinging(call, leg.userId, 'answered-elsewhere', actor.device.id);
    const firstAnswer = call.info.state === 'ringing';
    call.info.state = 'active';
    if (this.held.delete(callId) && call.info.queue) call.info.queue.agentId = leg.userId;
    this.involvement.add(leg.userId, callId);
    this.log(call.info, { userId: leg.userId, deviceId: actor.device.id }, 'call accepted');
    if (firstAnswer) this.o.media.callActive(call.info);
    this.afterChange(call);
    return call.info;
  }

  refuse(actor: Actor, callId: string, reason = 'declined'): CallInfo {
    // A retry after the refusal ended the call: the same answer as while the call was live.
    const ended = this.live(callId) ? undefined : this.get(callId);
    if (ended && findLeg(ended, actor.userId)?.state === 'refused') return ended;
    const { call, leg } = this.calleeLeg(actor, callId, 'refuse');
    if (leg.state === 'refused') return call.info;
    this.applyLeg(call, leg, 'refuse', reason);
    this.stopRinging(call, leg.userId, 'refused-elsewhere', actor.device.id);
    this.log(call.info, { userId: leg.userId, reason }, 'call refused');
    this.afterChange(call);
    return call.info;
  }

  /** The caller withdraws the invitation from all pending callees, or from the ones named. */
  cancel(actor: Actor, callId: string, callees?: readonly UserId[]): CallInfo {
    const call = this.live(callId);
    const info = call?.info ?? this.get(callId);
    if (!info) throw new ProtocolError('not-found', 'no such call');
    if (info.callerId !== actor.userId)
      throw new ProtocolError('forbidden', 'only the caller cancels');
    if (!call) {
      if (info.endReason === 'canceled') return info;
      throw invalidState(info, `the call already ended (${info.endReason ?? 'ended'})`);
    }
    if (!callees && this.held.has(callId)) {
      // The caller gave up waiting in the queue: nothing else keeps the call.
      this.log(call.info, { queue: call.info.queue?.queue }, 'queued call abandoned');
      this.end(call, 'canceled');
      return call.info;
    }
    const targets = call.info.legs.filter((l) => !callees || callees.includes(l.userId));
    const pending = targets.filter((l) => isPendingLeg(l.state));
    if (pending.length === 0 && targets.some((l) => l.state === 'accepted')) {
      throw invalidState(call.info, 'already answered');
    }
    for (const leg of pending) {
      this.applyLeg(call, leg, 'cancel');
      this.stopRinging(call, leg.userId, 'canceled');
    }
    this.log(call.info, { callees: pending.map((l) => l.userId) }, 'invitation canceled');
    this.afterChange(call);
    return call.info;
  }

  hangup(actor: Actor, callId: string): CallInfo {
    const call = this.live(callId);
    if (!call) {
      const ended = this.get(callId);
      if (ended) return ended;
      throw new ProtocolError('not-found', 'no such call');
    }
    const { info } = call;
    if (actor.userId === info.callerId && info.state === 'ringing') {
      return this.cancel(actor, callId);
    }
    const leg = findLeg(info, actor.userId);
    if (leg && isPendingLeg(leg.state)) return this.refuse(actor, callId);
    if (!isPresent(info, actor.userId)) {
      if (actor.userId === info.callerId || leg) return info; // Already gone: a repeat.
      throw new ProtocolError('not-found', 'you are not in this call');
    }
    this.leave(call, actor.userId, 'left');
    this.afterChange(call);
    return call.info;
  }

  /** A participant invites more users into the call. */
  add(
    actor: Actor,
    data: RequestData<'call.add'>,
    checks: ReadonlyMap<UserId, CalleeCheck>,
  ): CallInfo {
    const call = this.live(data.callId);
    if (!call) {
      const ended = this.get(data.callId);
      if (ended) throw invalidState(ended, 'the call has ended');
      throw new ProtocolError('not-found', 'no such call');
    }
    if (!isPresent(call.info, actor.userId)) {
      throw new ProtocolError('forbidden', 'only participants invite into a call');
    }
    const ringMs = data.ringTimeoutMs ?? this.o.defaultRingTimeoutMs;
    // Skipped callees change nothing: `encoded` stays the text of the last leg placed.
    let encoded: JsonText<CallInfo> | undefined;
    for (const callee of data.callees) {
      const leg = findLeg(call.info, callee);
      const alreadyIn = leg && (isPendingLeg(leg.state) || isPresent(call.info, callee));
      if (callee === call.info.callerId || alreadyIn) continue;
      encoded = this.placeLeg(call, callee, actor.userId, ringMs, checks);
    }
    this.log(call.info, { callees: data.callees, by: actor.userId }, 'participants invited');
    this.afterChange(call, encoded);
    return call.info;
  }

  /** Conference control: mute/unmute, remove, end for all. Moderator only. */
  control(actor: Actor, data: RequestData<'call.control'>): CallInfo {
    const call = this.live(data.callId);
    if (!call) {
      const ended = this.get(data.callId);
      if (ended) throw invalidState(ended, 'the call has ended');
      throw new ProtocolError('not-found', 'no such call');
    }
    const { info } = call;
    if (info.moderatorId !== actor.userId || !isPresent(info, actor.userId)) {
      throw new ProtocolError('forbidden', 'only the moderator controls the call');
    }
    if (data.action === 'end') {
      this.log(info, { by: actor.userId }, 'call ended by moderator');
      this.end(call, 'ended-by-moderator');
      return info;
    }
    if (data.target === actor.userId) {
      throw new ProtocolError('bad-request', 'control your own participation directly');
    }
    const leg = findLeg(info, data.target);
    if (data.action === 'remove' && leg && isPendingLeg(leg.state)) {
      return this.cancel({ userId: info.callerId, device: actor.device }, data.callId, [
        data.target,
      ]);
    }
    if (!isPresent(info, data.target)) throw new ProtocolError('not-found', 'not in the call');
    if (data.action === 'remove') {
      call.notes.set(data.target, 'removed');
      this.sendToParticipant(info, data.target, 'call.controlled', {
        callId: info.callId,
        action: 'remove',
        by: actor.userId,
      });
      this.leave(call, data.target, 'removed');
    } else {
      const muted = data.action === 'mute';
      const flags = data.target === info.callerId ? info.callerMuted : leg?.muted;
      if (flags) flags[data.kind] = muted;
      this.o.media.setMuted(info.callId, data.target, data.kind, muted);
      this.sendToParticipant(info, data.target, 'call.controlled', {
        callId: info.callId,
        action: data.action,
        kind: data.kind,
        by: actor.userId,
      });
    }
    this.log(info, { action: data.action, target: data.target }, 'conference control');
    this.afterChange(call);
    return info;
  }

  /** Ends a live call from outside signaling (the media plane: `media-failed`). No-op if gone. */
  endCall(callId: string, reason: CallEndReason): void {
    const call = this.live(callId);
    if (!call) return;
    this.log(call.info, { reason }, 'call ended by the media plane');
    this.end(call, reason);
  }

  // ---- seat calling: the contact center holds queue calls and offers them to agents -----------

  /** A call to a queue: ringing with no callee until an agent is offered it. */
  createQueued(actor: Actor, data: RequestData<'call.invite'>, queue: string): CallInfo {
    const now = this.now();
    const call = this.startCall(actor, data, now, { queue: { queue, enteredAt: now } });
    const { info } = call;
    this.held.add(info.callId);
    this.log(info, { queue }, 'call queued');
    this.afterChange(call);
    return info;
  }

  /** Rings an agent for a held call (`call.incoming` carries `offer`). False if it cannot. */
  offer(callId: string, agentId: UserId, ringMs: number, offer: QueueOffer): boolean {
    const call = this.live(callId);
    if (!call || !this.held.has(callId) || call.info.state !== 'ringing') return false;
    const leg = findLeg(call.info, agentId);
    if (leg && isPendingLeg(leg.state)) return false;
    let offers = this.queueOffers.get(callId);
    if (!offers) this.queueOffers.set(callId, (offers = new Map<UserId, QueueOffer>()));
    offers.set(agentId, offer);
    const check: CalleeCheck = { status: 'available', callWaiting: false, blockedCaller: false };
    const checks = new Map([[agentId, check]]);
    this.afterChange(call, this.placeLeg(call, agentId, call.info.callerId, ringMs, checks));
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
    const now = this.now();
    const leg: Leg = {
      userId,
      state: 'accepted',
      invitedBy,
      invitedAt: now,
      expiresAt: now,
      answeredAt: now,
      answeredDevice: deviceId,
      muted: { audio: false, video: false },
    };
    const previous = info.legs.findIndex((l) => l.userId === userId);
    if (previous >= 0) info.legs[previous] = leg;
    else info.legs.push(leg);
    call.notes.delete(userId);
    this.involvement.add(userId, callId);
    this.log(info, { userId, deviceId }, 'joined the call directly');
    this.afterChange(call);
    return info;
  }

  /** Stops ringing the agents named (another agent answered, or the call moved on). */
  withdraw(callId: string, agentIds: readonly UserId[]): void {
    const call = this.live(callId);
    if (!call) return;
    let changed = false;
    for (const agentId of agentIds) {
      const leg = findLeg(call.info, agentId);
      if (!leg || !isPendingLeg(leg.state)) continue;
      this.applyLeg(call, leg, 'cancel');
      this.stopRinging(call, agentId, 'canceled');
      changed = true;
    }
    if (changed) this.afterChange(call);
  }

  /** The call moved to another queue (overflow). */
  requeue(callId: string, queue: string): void {
    const call = this.live(callId);
    if (!call?.info.queue) return;
    call.info.queue.queue = queue;
    this.afterChange(call);
  }

  /** Queue calls waiting for an agent (after a restart: for the contact center to adopt). */
  heldCalls(): CallInfo[] {
    return [...this.held].flatMap((id) => {
      const info = this.calls.get(id)?.info;
      return info ? [info] : [];
    });
  }

  /** Is this queue call still waiting for an agent? */
  isHeld(callId: string): boolean {
    return this.held.has(callId);
  }

  /** Is the user a present participant of this live call (for media admission)? */
  isParticipant(callId: string, userId: UserId): boolean {
    const call = this.live(callId);
    return call !== undefined && isPresent(call.info, userId);
  }

  /** A device came online: it rings for every invitation still pending for its user. */
  deliverPending(session: Session): void {
    for (const callId of this.pendingFor.get(session.userId)) {
      const call = this.calls.get(callId);
      const leg = call && findLeg(call.info, session.userId);
      if (!call || !leg) continue;
      this.rung(call, leg.userId).add(session.device.id);
      session.send(this.incomingFrame(call.info, leg, this.snapshots.of(call.info)));
    }
  }

  // ---- restart and shutdown ------------------------------------------------------------------

  /**
   * Takes back the calls persisted by a previous run. Ringing invitations go on ringing (with the
   * time they had left); calls that were active lost their process and end.
   */
  restore(calls: readonly CallInfo[]): void {
    for (const info of calls) {
      if (this.calls.has(info.callId) || info.state === 'ended') continue;
      const call = newLiveCall(info);
      this.calls.set(info.callId, call);
      this.involvement.add(info.callerId, info.callId);
      for (const leg of info.legs)
        if (isPresent(info, leg.userId)) this.involvement.add(leg.userId, info.callId);
      if (info.state === 'active') {
        this.end(call, 'server-shutdown');
        continue;
      }
      if (info.queue) {
        // A queue call waits again; its offers of the previous run are void (the contact center
        // adopts the call and offers it anew).
        this.held.add(info.callId);
        for (const leg of pendingLegs(info)) this.applyLeg(call, leg, 'cancel');
      }
      for (const leg of pendingLegs(info)) {
        this.pendingFor.add(leg.userId, info.callId);
        this.armLeg(call, leg);
      }
      this.log(info, { pending: pendingLegs(info).length }, 'call restored');
      this.afterChange(call);
    }
  }

  /** Ends active calls cleanly; ringing invitations stay persisted for the next start. */
  shutdown(): void {
    for (const call of [...this.calls.values()]) {
      for (const timer of call.timers.values()) clearTimeout(timer);
      call.timers.clear();
      if (call.info.state === 'active') this.end(call, 'server-shutdown');
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

  /**
   * Adds a callee leg and decides at once: refused (block, DND, busy) or delivered/pushed.
   * Returns the call's text sent in `call.incoming` when the leg rang a device: the call does not
   * change after that text is taken, so the step's `afterChange` may publish it as it is.
   */
  private placeLeg(
    call: LiveCall,
    callee: UserId,
    invitedBy: UserId,
    ringMs: number,
    checks: ReadonlyMap<UserId, CalleeCheck>,
  ): JsonText<CallInfo> | undefined {
    const now = this.now();
    const leg: Leg = {
      userId: callee,
      state: 'inviting',
      invitedBy,
      invitedAt: now,
      expiresAt: now + ringMs,
      muted: { audio: false, video: false },
    };
    const legs = call.info.legs;
    const previous = legs.findIndex((l) => l.userId === callee);
    if (previous >= 0) legs[previous] = leg;
    else legs.push(leg);
    call.notes.delete(callee);
    const check = checks.get(callee);
    if (check?.blockedCaller) {
      // The caller is not told about the block: a plain refusal, without ringing anywhere.
      call.notes.set(callee, 'blocked');
      this.applyLeg(call, leg, 'refuse', 'declined');
    } else if (check?.status === 'dnd') {
      this.applyLeg(call, leg, 'refuse', 'dnd');
    } else if (this.isBusy(callee) && !check?.callWaiting) {
      this.applyLeg(call, leg, 'refuse', 'busy');
    } else {
      this.pendingFor.add(callee, call.info.callId);
      this.armLeg(call, leg);
      call.invitedAtHr.set(callee, performance.now());
      const devices = this.o.devicesOf(callee);
      if (devices.length > 0) {
        const encoded = toJsonText(call.info);
        const frame = this.incomingFrame(call.info, leg, encoded);
        const rung = this.rung(call, callee);
        for (const deviceId of devices) {
          this.o.router.toDevice(callee, deviceId, frame);
          rung.add(deviceId);
        }
        return encoded;
      }
      this.applyLeg(call, leg, 'pushed');
      this.o.observer.pushInvitation(callee, call.info, leg.expiresAt);
    }
    return undefined;
  }

  /** `encoded`: the text of `info` as it is now. */
  private incomingFrame(info: CallInfo, leg: Leg, encoded: JsonText<CallInfo>): string {
    const offer = this.queueOffers.get(info.callId)?.get(leg.userId);
    return encodeEventJson(
      'call.incoming',
      jsonObjectWith('call', encoded, {
        remainingMs: Math.max(0, leg.expiresAt - this.now()),
        busy: this.isBusy(leg.userId),
        ...(offer ? { queue: offer } : {}),
      }),
    );
  }

  private armLeg(call: LiveCall, leg: Leg): void {
    const delay = Math.max(0, leg.expiresAt - this.now());
    const timer = setTimeout(() => {
      call.timers.delete(leg.userId);
      if (this.calls.get(call.info.callId) !== call || !isPendingLeg(leg.state)) return;
      // A pushed invitation that a device signed in for and was sent did reach the callee: like
      // an online device that never acknowledged, nobody answered (`timeout`, not `unreachable`).
      const reached = (call.rungDevices.get(leg.userId)?.size ?? 0) > 0;
      this.applyLeg(call, leg, 'expire', reached ? 'timeout' : undefined);
      this.stopRinging(call, leg.userId, 'timeout');
      this.log(call.info, { userId: leg.userId, reason: leg.reason }, 'invitation expired');
      this.afterChange(call);
    }, delay);
    timer.unref();
    call.timers.set(leg.userId, timer);
  }

  /**
   * The one place a leg changes state. Returns true when it changed; a repeat is a no-op and a
   * too-late event is an `invalid-state` error carrying the call as it is.
   */
  private applyLeg(call: LiveCall, leg: Leg, event: LegEvent, reason?: string): boolean {
    const outcome = legTransition(leg.state, event);
    if (outcome.kind === 'same') return false;
    if (outcome.kind === 'invalid') {
      throw invalidState(call.info, `the invitation is already ${leg.state}`);
    }
    leg.state = outcome.state;
    const why = reason ?? outcome.reason;
    if (why === undefined) delete leg.reason;
    else leg.reason = why;
    if (!isPendingLeg(leg.state)) {
      const timer = call.timers.get(leg.userId);
      if (timer) clearTimeout(timer);
      call.timers.delete(leg.userId);
      this.pendingFor.delete(leg.userId, call.info.callId);
    }
    if (call.info.queue) this.o.queueHooks?.legChanged(call.info, leg);
    return true;
  }

  private leave(call: LiveCall, userId: UserId, reason: 'left' | 'removed'): void {
    const now = this.now();
    const { info } = call;
    const device = presentParticipants(info).find((p) => p.userId === userId)?.deviceId;
    if (device) call.lastLeft = { userId, deviceId: device };
    if (userId === info.callerId) info.callerLeftAt = now;
    else {
      const leg = findLeg(info, userId);
      if (leg) leg.leftAt = now;
    }
    this.involvement.delete(userId, info.callId);
    this.o.media.participantLeft(info.callId, userId, reason);
    // The moderator role passes on to whoever has been in the call longest.
    if (info.moderatorId === userId) {
      const next = presentParticipants(info)[0];
      if (next) info.moderatorId = next.userId;
    }
    this.log(info, { userId, reason }, 'participant left');
  }

  /**
   * After every change: end the call if nothing keeps it going, else persist and publish.
   * `encoded`: the call's text taken after its last change in this step, if a frame needed it.
   */
  private afterChange(call: LiveCall, encoded?: JsonText<CallInfo>): void {
    const { info } = call;
    if (info.state === 'ended') return;
    const pending = pendingLegs(info).length;
    if (info.state === 'ringing' && pending === 0 && !this.held.has(info.callId)) {
      this.end(call, unansweredEndReason(info.legs));
      return;
    }
    const present = presentParticipants(info).length;
    if (info.state === 'active' && (present === 0 || (present === 1 && pending === 0))) {
      this.end(call, 'completed');
      return;
    }
    // The call outlived that leaving: whoever left is out of it, and not told of its later end.
    delete call.lastLeft;
    this.o.liveCalls.save(info);
    const json = this.snapshots.publish(info, encoded);
    this.broadcast(info, encodeEventJson('call.updated', jsonObjectWith('call', json, {})));
  }

  private end(call: LiveCall, reason: CallEndReason): void {
    const { info } = call;
    for (const leg of pendingLegs(info)) {
      this.applyLeg(call, leg, 'cancel');
      this.stopRinging(call, leg.userId, 'canceled');
    }
    const audience = presentParticipants(info);
    if (call.lastLeft) audience.push(call.lastLeft);
    info.state = 'ended';
    info.endedAt = this.now();
    info.endReason = reason;
    this.calls.delete(info.callId);
    this.held.delete(info.callId);
    this.queueOffers.delete(info.callId);
    const json = this.snapshots.publish(info);
    this.ended.set(info.callId, json);
    this.involvement.delete(info.callerId, info.callId);
    for (const leg of info.legs) this.involvement.delete(leg.userId, info.callId);
    this.o.liveCalls.delete(info.callId);
    this.o.media.callEnded(info.callId);
    const frame = encodeEventJson('call.ended', jsonObjectWith('call', json, { reason }));
    for (const p of audience) this.o.router.toDevice(p.userId, p.deviceId, frame);
    const record = buildCallRecord(info, call.notes);
    if (info.queue) this.o.queueHooks?.callEnding(info, record);
    this.o.records.add(record);
    this.o.observer.callEnded(record);
    this.log(info, { reason, durationSec: record.durationSec }, 'call ended');
  }

  private stopRinging(
    call: LiveCall,
    userId: UserId,
    reason: RingEndReason,
    except?: string,
  ): void {
    const devices = call.rungDevices.get(userId);
    if (!devices) return;
    const frame = encodeEvent('call.ringEnded', { callId: call.info.callId, reason });
    for (const deviceId of devices) {
      if (deviceId !== except) this.o.router.toDevice(userId, deviceId, frame);
    }
    call.rungDevices.delete(userId);
  }

  /** Sends the snapshot to every device taking part (the caller's sees each callee's state). */
  private broadcast(info: CallInfo, frame: string): void {
    for (const p of presentParticipants(info)) this.o.router.toDevice(p.userId, p.deviceId, frame);
  }

  private sendToParticipant(
    info: CallInfo,
    userId: UserId,
    type: 'call.controlled',
    data: Parameters<typeof encodeEvent<'call.controlled'>>[1],
  ): void {
    const p = presentParticipants(info).find((x) => x.userId === userId);
    if (p) this.o.router.toDevice(p.userId, p.deviceId, encodeEvent(type, data));
  }

  private calleeLeg(actor: Actor, callId: string, verb: string): { call: LiveCall; leg: Leg } {
    const call = this.live(callId);
    if (!call) {
      const ended = this.get(callId);
      if (ended) throw invalidState(ended, `cannot ${verb}: the call has ended`);
      throw new ProtocolError('not-found', 'no such call');
    }
    const leg = findLeg(call.info, actor.userId);
    if (!leg) throw new ProtocolError('not-found', 'you are not invited to this call');
    return { call, leg };
  }

  private live(callId: string): LiveCall | undefined {
    return this.calls.get(callId);
  }

  private rung(call: LiveCall, userId: UserId): Set<string> {
    let set = call.rungDevices.get(userId);
    if (!set) call.rungDevices.set(userId, (set = new Set()));
    return set;
  }

  /**
   * A new ringing call with no legs yet, registered as live with its caller involved: shared by
   * `invite` and `createQueued`, which differ only in `extra` (the queue a held call waits in).
   */
  private startCall(
    actor: Actor,
    data: RequestData<'call.invite'>,
    now: number,
    extra: Pick<CallInfo, 'queue'>,
  ): LiveCall {
    const info: CallInfo = {
      callId: data.callId,
      callerId: actor.userId,
      callerDevice: actor.device.id,
      moderatorId: actor.userId,
      media: data.media,
      state: 'ringing',
      createdAt: now,
      callerMuted: { audio: false, video: false },
      legs: [],
      ...extra,
      ...(data.payload === undefined ? {} : { payload: data.payload }),
    };
    const call = newLiveCall(info);
    this.calls.set(info.callId, call);
    this.involvement.add(actor.userId, info.callId);
    this.o.observer.callStarted();
    return call;
  }

  /** Every line about a call carries its id. */
  private log(info: CallInfo, fields: Record<string, unknown>, message: string): void {
    this.o.logger.info({ callId: info.callId, ...fields }, message);
  }
}
