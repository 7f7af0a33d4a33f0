import { type DeviceCallState, SoftphoneError, type SoftphoneArgs } from '../../protocol/index.js';
import type { ClientCall } from '../calls/call-manager.js';
import type { CallList } from './call-list.js';
import { toSoftphoneError } from './errors.js';
import type { Session } from './session.js';

/** How long signing out waits for the server to confirm hanging up each call. */
const END_ON_SIGN_OUT_MS = 3_000;

/**
 * The call commands of the renderer contract over CallManager: each checks that the call is in a
 * state the command means something in, runs the CallManager action and turns its error into the
 * command's rejection.
 */
export class CallCommands {
  constructor(private readonly list: CallList) {}

  async place(session: Session, { callees, media }: SoftphoneArgs<'call'>) {
    const call = await this.run(session.calls.invite(callees, media));
    return { callId: call.callId };
  }

  async accept(session: Session, args: SoftphoneArgs<'accept'>): Promise<null> {
    const { callId, media } = args;
    const call = this.find(session, callId);
    if (call.direction === 'incoming' && (call.state === 'answering' || call.state === 'active')) {
      return null; // Already answered here: accepting again changes nothing.
    }
    this.expect(call, ['ringing'], 'accept');
    // End and answer: a call waiting accepted while this device is in a call ends that call
    // first (here, in core, so the ringing window, notifications and hotkeys all do the same).
    // The other party sees it end as `completed`; media then belongs to the new call alone.
    const current = session.calls
      .live()
      .filter((c) => c.callId !== callId && (c.state === 'answering' || c.state === 'active'));
    if (current.length > 0) {
      // Hold and accept (issue 18): the calls in progress wait on hold instead of ending.
      const setAside = (c: ClientCall) =>
        args.current === 'hold' && c.state === 'active'
          ? session.calls.hold(c.callId)
          : this.end(session, c);
      await this.run(Promise.all(current.map(setAside)));
      // The invitation may have stopped ringing meanwhile (caller gave up, answered elsewhere).
      this.expect(this.find(session, callId), ['ringing'], 'accept');
    }
    // Audio or video is this device's choice; the server's accept takes only the call id.
    await this.run(session.calls.accept(callId, media));
    return null;
  }

  /** "Switch here": the call this user is in on another device moves to this one. */
  async switchHere(session: Session, { callId }: SoftphoneArgs<'switchHere'>): Promise<null> {
    const call = this.find(session, callId);
    if (call.state === 'active') return null; // Already here: a repeat.
    this.expect(call, ['elsewhere'], 'switch here');
    await this.run(session.calls.moveHere(callId));
    return null;
  }

  /** Hold: the server decides who may (see server/calls/call-holds.ts); a repeat is a no-op. */
  async hold(session: Session, { callId }: SoftphoneArgs<'hold'>): Promise<null> {
    this.expect(this.find(session, callId), ['active'], 'hold');
    await this.run(session.calls.hold(callId));
    return null;
  }

  async resume(session: Session, { callId }: SoftphoneArgs<'resume'>): Promise<null> {
    this.expect(this.find(session, callId), ['active'], 'resume');
    await this.run(session.calls.resume(callId));
    return null;
  }

  async transfer(session: Session, { callId, target }: SoftphoneArgs<'transfer'>): Promise<null> {
    this.expect(this.find(session, callId), ['active'], 'transfer');
    await this.run(session.calls.transfer(callId, target));
    return null;
  }

  async completeTransfer(
    session: Session,
    { callId, consultCallId }: SoftphoneArgs<'completeTransfer'>,
  ): Promise<null> {
    this.expect(this.find(session, callId), ['active'], 'transfer');
    this.expect(this.find(session, consultCallId), ['active'], 'consult in');
    await this.run(session.calls.completeTransfer(callId, consultCallId));
    return null;
  }

  async decline(session: Session, { callId }: SoftphoneArgs<'decline'>): Promise<null> {
    const call = this.find(session, callId);
    if (call.state === 'ended') return null;
    this.expect(call, ['ringing'], 'decline');
    await this.run(session.calls.refuse(callId));
    return null;
  }

  async cancel(session: Session, { callId }: SoftphoneArgs<'cancel'>): Promise<null> {
    const call = this.find(session, callId);
    if (call.state === 'ended') return null;
    this.expect(call, ['dialing', 'ringback'], 'cancel');
    await this.run(session.calls.cancel(callId));
    return null;
  }

  /** Ends the call whatever its state: declines a ringing one, withdraws an unanswered one. */
  async hangup(session: Session, { callId }: SoftphoneArgs<'hangup'>): Promise<null> {
    const call = this.find(session, callId);
    await this.run(this.end(session, call));
    return null;
  }

  /** Signing out: leave every call properly rather than let the server time us out. */
  async endAll(session: Session): Promise<void> {
    const all = session.calls.live().map((call) => this.end(session, call));
    await Promise.race([
      Promise.allSettled(all),
      new Promise((resolve) => setTimeout(resolve, END_ON_SIGN_OUT_MS)),
    ]);
  }

  private end(session: Session, call: ClientCall): Promise<void> {
    switch (call.state) {
      case 'ringing':
        return session.calls.refuse(call.callId);
      case 'dialing':
      case 'ringback':
        return session.calls.cancel(call.callId);
      case 'answering':
      case 'active':
        return session.calls.hangup(call.callId);
      case 'idle':
      case 'elsewhere': // In the call on another device: signing out here must not end it.
      case 'ended':
        return Promise.resolve();
    }
  }

  private find(session: Session, callId: string): ClientCall {
    const call = this.list.get(callId) ?? session.calls.get(callId);
    if (!call) throw new SoftphoneError('not-found', `no call ${callId} on this device`);
    return call;
  }

  private expect(call: ClientCall, states: DeviceCallState[], action: string): void {
    if (!states.includes(call.state)) {
      throw new SoftphoneError('invalid-state', `cannot ${action} a call that is ${call.state}`);
    }
  }

  /** The action's own error, as the command's rejection. */
  private async run<T>(action: Promise<T>): Promise<T> {
    try {
      return await action;
    } catch (error) {
      throw toSoftphoneError(error);
    }
  }
}
