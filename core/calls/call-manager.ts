import type {
  CallInfo,
  DeviceCallState,
  DeviceEndReason,
  EventData,
  MediaKind,
  ParsedEvent,
  RingEndReason,
  UserId,
} from '../../protocol/index.js';
import {
  type HelloResult,
  type SignalingClient,
  SignalingError,
} from '../signaling/signaling-client.js';
import { TypedEmitter } from '../util/typed-emitter.js';
import { type CallEvent, transition } from './call-machine.js';
import { endedAsMissed } from './missed.js';

/** One call as this device knows it. */
export interface ClientCall {
  readonly callId: string;
  readonly direction: 'outgoing' | 'incoming';
  state: DeviceCallState;
  /** The server's latest snapshot (absent only before the first answer to our invite). */
  info?: CallInfo;
  endReason?: DeviceEndReason;
  /** What this device placed or answered the call with (audio or video). */
  localMedia?: MediaKind;
  /** Incoming while already in a call (call waiting): ring discreetly. */
  waiting: boolean;
  endedAt?: number;
}

/** Ended calls are kept this long so that late events find them and change nothing. */

export type CallManagerEvents = {
  state: [state: DeviceCallState, previous: DeviceCallState, call: ClientCall];
  /** A call that rang here ended unanswered everywhere (`endedAsMissed`). */
  missed: [call: ClientCall];
};

const RING_END: Record<RingEndReason, DeviceEndReason> = {
  canceled: 'canceled',
  'answered-elsewhere': 'answered-elsewhere',
  'refused-elsewhere': 'refused-elsewhere',
  timeout: 'timeout',
};

const newCallId = (): string => crypto.randomUUID().replaceAll('-', '');

/**
 * All calls of this device: feeds server events and the user's actions through the call machine,
 * in one place (`apply`), and emits `(state, previous, call)`. Each action resolves with the call
 * as it is after the server's answer, or rejects with the server's error (the call moved on as
 * the error says). Ended calls stay until `forget`: their owner (the softphone's call list)
 * decides how long they are shown; until then a late event for one finds it.
 */
export class CallManager extends TypedEmitter<CallManagerEvents> {
  private readonly calls = new Map<string, ClientCall>();
  private me: UserId | undefined;
  private callWaiting = false;

  constructor(private readonly signaling: SignalingClient) {
    super();
    signaling.on('ready', (hello) => {
      this.resync(hello);
    });
    signaling.on('event', (event) => {
      this.onEvent(event);
    });
  }

  get(callId: string): ClientCall | undefined {
    return this.calls.get(callId);
  }

  /** An ended call is no longer needed (shown long enough); a live one is never forgotten. */
  forget(callId: string): void {
    if (this.calls.get(callId)?.state === 'ended') this.calls.delete(callId);
  }

  /** Calls not yet ended. */
  live(): ClientCall[] {
    return [...this.calls.values()].filter((c) => c.state !== 'ended');
  }

  setCallWaiting(enabled: boolean): void {
    this.callWaiting = enabled;
  }

  // ---- the user's actions ------------------------------------------------------------------

  async invite(
    callees: UserId[],
    media: MediaKind,
    options: { payload?: string; ringTimeoutMs?: number } = {},
  ): Promise<ClientCall> {
    const call = this.track(newCallId(), 'outgoing');
    call.localMedia = media;
    this.apply(call, 'invite');
    try {
      const { call: info } = await this.signaling.request('call.invite', {
        callId: call.callId,
        callees,
        media,
        ...options,
      });
      this.applySnapshot(call, info);
    } catch (error) {
      this.failed(call, error);
    }
    return call;
  }

  /** `media`: what this device answers with (the server's accept takes only the call id). */
  async accept(callId: string, media?: MediaKind): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || !this.apply(call, 'accept')) return;
    if (media) call.localMedia = media;
    try {
      const { call: info } = await this.signaling.request('call.accept', { callId });
      this.applySnapshot(call, info);
    } catch (error) {
      this.failed(call, error);
    }
  }

  /**
   * "Switch here": the call we are in on another device moves to this one. The server's answer
   * names this device, so the snapshot turns the call `active` here.
   */
  async moveHere(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (call?.state !== 'elsewhere') return;
    try {
      const { call: info } = await this.signaling.request('call.moveHere', { callId });
      this.applySnapshot(call, info);
    } catch (error) {
      this.failed(call, error);
    }
  }

  async refuse(callId: string, reason = 'declined'): Promise<void> {
    await this.answerAndApply(callId, 'refuse', 'declined', () =>
      this.signaling.request('call.refuse', { callId, reason }),
    );
  }

  async cancel(callId: string): Promise<void> {
    await this.answerAndApply(callId, 'cancel', 'canceled', () =>
      this.signaling.request('call.cancel', { callId }),
    );
  }

  async hangup(callId: string): Promise<void> {
    await this.answerAndApply(callId, 'hangup', 'completed', () =>
      this.signaling.request('call.hangup', { callId }),
    );
  }

  // ---- the server's side -------------------------------------------------------------------

  private onEvent(event: ParsedEvent): void {
    switch (event.type) {
      case 'call.incoming':
        this.onIncoming(event.data);
        return;
      case 'call.ringEnded': {
        const call = this.calls.get(event.data.callId);
        if (!call) return;
        // Answered on another device of ours: the call goes on there, and shows here as
        // `elsewhere` (no media) with "Switch here", not as over.
        if (event.data.reason === 'answered-elsewhere') this.apply(call, 'elsewhere');
        else this.apply(call, 'ended', RING_END[event.data.reason]);
        return;
      }
      case 'call.updated':
        this.applySnapshot(
          this.track(event.data.call.callId, this.directionOf(event.data.call)),
          event.data.call,
        );
        return;
      case 'call.ended': {
        const call = this.calls.get(event.data.call.callId);
        if (call) this.applySnapshot(call, event.data.call);
        return;
      }
      case 'call.controlled': {
        const call = this.calls.get(event.data.callId);
        if (call && event.data.action === 'remove') this.apply(call, 'ended', 'removed');
        return;
      }
      case 'presence.changed':
      case 'message.received':
      case 'message.delivered':
      case 'session.closing':
      case 'agent.status':
      case 'queue.position':
      case 'queue.state':
        return; // Not about a call's state: the softphone facade handles these.
    }
  }

  private onIncoming({ call: info, busy }: EventData<'call.incoming'>): void {
    const inCall = this.live().some((c) => c.state === 'active' && c.callId !== info.callId);
    if (inCall && !this.callWaiting) {
      // Busy by default: refuse without ringing (the server normally does this already).
      this.signaling
        .request('call.refuse', { callId: info.callId, reason: 'busy' })
        .catch(() => undefined);
      return;
    }
    const call = this.track(info.callId, 'incoming');
    call.waiting = busy || inCall;
    call.info = info;
    this.apply(call, 'incoming');
    // Tell the caller it rings here; repeating it after a reconnect is harmless.
    this.signaling.request('call.ack', { callId: info.callId }).catch(() => undefined);
  }

  /** After (re)connecting: the server's calls are the truth; ours that it no longer has ended. */
  private resync(hello: HelloResult): void {
    this.me = hello.userId;
    this.callWaiting = hello.settings.callWaiting;
    const known = new Set(hello.calls.map((c) => c.callId));
    for (const info of hello.calls)
      this.applySnapshot(this.track(info.callId, this.directionOf(info)), info);
    // A ringing invitation that is still live comes again as `call.incoming` right after.
    const gone = this.live().filter(
      (c) => !known.has(c.callId) && c.state !== 'ringing' && c.state !== 'dialing',
    );
    if (gone.length > 0) void this.endFromRecords(gone);
  }

  /**
   * Calls that ended while this device was away (the server crashed, or went on without us):
   * their records say how, so the user reads "the server failed" or "connection lost", not a
   * bare failure. A call with no record found ends `failed`.
   */
  private async endFromRecords(gone: readonly ClientCall[]): Promise<void> {
    const reasons = new Map<string, DeviceEndReason>();
    try {
      const { records } = await this.signaling.request('history.list', { limit: 50 });
      for (const record of records) reasons.set(record.callId, record.endReason);
    } catch {
      // Signed out again, or the server is gone: the reason stays unknown.
    }
    for (const call of gone) this.apply(call, 'ended', reasons.get(call.callId) ?? 'failed');
  }

  /** Maps the server's snapshot of a call onto this device's state. */
  private applySnapshot(call: ClientCall, info: CallInfo): void {
    call.info = info;
    const me = this.me;
    if (info.state === 'ended') {
      this.apply(call, 'ended', this.endReasonOf(info));
      return;
    }
    const myLeg = info.legs.find((l) => l.userId === me);
    const iAmIn =
      me === info.callerId
        ? info.callerLeftAt === undefined
        : myLeg?.state === 'accepted' && myLeg.leftAt === undefined;
    if (info.state === 'active' && iAmIn) {
      // A synced call we are in on another device of ours is not joined here: this device
      // would take its media (an echo). It shows as `elsewhere` until the user switches here.
      const myDevice = me === info.callerId ? info.callerDevice : myLeg?.answeredDevice;
      this.apply(call, myDevice === this.signaling.deviceId ? 'joined' : 'elsewhere');
    } else if (me === info.callerId && info.callerLeftAt !== undefined) {
      // The server took us out after our rejoin window ran out: say so, not a plain hang-up.
      this.apply(
        call,
        'ended',
        info.callerLeftReason === 'connection-lost' ? 'connection-lost' : 'completed',
      );
    } else if (myLeg && myLeg.leftAt !== undefined) {
      this.apply(
        call,
        'ended',
        myLeg.reason === 'connection-lost' ? 'connection-lost' : 'completed',
      );
    } else if (
      me === info.callerId &&
      info.legs.some((l) => l.state === 'ringing' || l.state === 'pushed')
    ) {
      this.apply(call, 'reached');
    }
  }

  private endReasonOf(info: CallInfo): DeviceEndReason {
    const reason = info.endReason ?? 'completed';
    if (reason === 'refused' && info.legs.length === 1) {
      const legReason = info.legs[0]?.reason;
      if (legReason === 'busy' || legReason === 'dnd') return legReason;
      return 'refused';
    }
    return reason;
  }

  private async answerAndApply(
    callId: string,
    event: CallEvent,
    reason: DeviceEndReason,
    send: () => Promise<{ call: CallInfo }>,
  ): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.state === 'ended') return;
    try {
      const { call: info } = await send();
      call.info = info;
      this.apply(call, event, reason);
      if (info.state === 'ended') this.applySnapshot(call, info);
    } catch (error) {
      this.failed(call, error);
    }
  }

  /** A request failed: a lost race carries the call as it is now; anything else ends ours. */
  private failed(call: ClientCall, error: unknown): never {
    const failure =
      error instanceof SignalingError ? error : new SignalingError('internal', String(error));
    if (failure.body?.call) {
      this.applySnapshot(call, failure.body.call);
      if (call.state === 'answering') this.apply(call, 'ended', 'answered-elsewhere');
    } else if (call.state === 'dialing' || call.state === 'answering')
      this.apply(call, 'failed', 'failed');
    throw failure;
  }

  /** The one place a call's state changes. Returns whether it changed. */
  private apply(call: ClientCall, event: CallEvent, reason?: DeviceEndReason): boolean {
    const next = transition(call.state, event);
    if (!next) return false;
    const previous = call.state;
    call.state = next;
    if (next === 'ended') {
      call.endReason = reason ?? 'completed';
      call.endedAt = Date.now();
    }
    this.emit('state', next, previous, call);
    if (next === 'ended' && endedAsMissed(previous, call.endReason ?? 'completed')) {
      this.emit('missed', call);
    }
    return true;
  }

  private track(callId: string, direction: ClientCall['direction']): ClientCall {
    let call = this.calls.get(callId);
    if (!call) {
      call = { callId, direction, state: 'idle', waiting: false };
      this.calls.set(callId, call);
    }
    return call;
  }

  private directionOf(info: CallInfo): ClientCall['direction'] {
    return info.callerId === this.me ? 'outgoing' : 'incoming';
  }
}
