import type { CallInfo, JsonText, QueueOffer, UserId } from '../../protocol/index.js';
import { callInfoSchema } from '../../protocol/index.js';
import { BoundedMap } from '../util/bounded-map.js';
import { SetMultimap } from '../util/set-multimap.js';
import { type LiveCall, isPresent } from './live-call.js';

/** Ended calls are remembered this long so that retries and late answers get a clear answer. */
const ENDED_MEMORY = 5_000;

/**
 * What the call engine knows about calls, indexed the ways it asks: live calls by id, recently
 * ended ones, the calls each user is involved in, the invitations pending for each user, and the
 * queue calls held for an agent. It decides nothing: the engine changes calls and keeps these
 * indexes in step, and every index is updated by one method here.
 */
export class CallRegistry {
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

  // ---- calls ---------------------------------------------------------------------------------

  /** Registers a live call, with its caller involved in it. */
  add(call: LiveCall): void {
    this.calls.set(call.info.callId, call);
    this.involvement.add(call.info.callerId, call.info.callId);
  }

  has(callId: string): boolean {
    return this.calls.has(callId);
  }

  live(callId: string): LiveCall | undefined {
    return this.calls.get(callId);
  }

  liveCalls(): LiveCall[] {
    return [...this.calls.values()];
  }

  /** Known call (live, or recently ended). */
  get(callId: string): CallInfo | undefined {
    const live = this.calls.get(callId);
    if (live) return live.info;
    const ended = this.ended.get(callId);
    return ended === undefined ? undefined : callInfoSchema.parse(JSON.parse(ended));
  }

  counts(): { ringing: number; active: number } {
    let ringing = 0;
    for (const { info } of this.calls.values()) if (info.state === 'ringing') ringing++;
    return { ringing, active: this.calls.size - ringing };
  }

  /** The call ended (`json`: its final text): it leaves every index and is remembered as ended. */
  retire(info: CallInfo, json: JsonText<CallInfo>): void {
    this.calls.delete(info.callId);
    this.held.delete(info.callId);
    this.queueOffers.delete(info.callId);
    this.ended.set(info.callId, json);
    this.involvement.delete(info.callerId, info.callId);
    for (const leg of info.legs) this.involvement.delete(leg.userId, info.callId);
  }

  // ---- who is in which call ------------------------------------------------------------------

  involve(userId: UserId, callId: string): void {
    this.involvement.add(userId, callId);
  }

  uninvolve(userId: UserId, callId: string): void {
    this.involvement.delete(userId, callId);
  }

  /** Calls the user is in: as caller of a call not ended, or as a present participant. */
  callsOf(userId: UserId): CallInfo[] {
    return this.liveOf(this.involvement.get(userId)).map((call) => call.info);
  }

  /** A user already in an active call is busy. Asked for every leg placed: no copies made. */
  isBusy(userId: UserId): boolean {
    for (const callId of this.involvement.get(userId)) {
      const info = this.calls.get(callId)?.info;
      if (info?.state === 'active' && isPresent(info, userId)) return true;
    }
    return false;
  }

  // ---- pending invitations -------------------------------------------------------------------

  ringing(userId: UserId, callId: string): void {
    this.pendingFor.add(userId, callId);
  }

  stoppedRinging(userId: UserId, callId: string): void {
    this.pendingFor.delete(userId, callId);
  }

  /** The live calls with an invitation pending for the user. */
  pendingCallsOf(userId: UserId): LiveCall[] {
    return this.liveOf(this.pendingFor.get(userId));
  }

  // ---- queue calls ---------------------------------------------------------------------------

  hold(callId: string): void {
    this.held.add(callId);
  }

  /** The call no longer waits for an agent; true if it did. */
  release(callId: string): boolean {
    return this.held.delete(callId);
  }

  isHeld(callId: string): boolean {
    return this.held.has(callId);
  }

  heldCalls(): CallInfo[] {
    return this.liveOf(this.held).map((call) => call.info);
  }

  setOffer(callId: string, agentId: UserId, offer: QueueOffer): void {
    let offers = this.queueOffers.get(callId);
    if (!offers) this.queueOffers.set(callId, (offers = new Map<UserId, QueueOffer>()));
    offers.set(agentId, offer);
  }

  offerFor(callId: string, agentId: UserId): QueueOffer | undefined {
    return this.queueOffers.get(callId)?.get(agentId);
  }

  /** The calls among `callIds` that are live. */
  private liveOf(callIds: Iterable<string>): LiveCall[] {
    const live: LiveCall[] = [];
    for (const callId of callIds) {
      const call = this.calls.get(callId);
      if (call) live.push(call);
    }
    return live;
  }
}
