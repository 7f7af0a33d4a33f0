import type { CallInfo } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { CallSteps } from './call-steps.js';
import { invalidState } from './call-steps.js';
import { type LiveCall, presentParticipants } from './live-call.js';
import type { Actor } from './ports.js';

/**
 * Hold and resume (issue 18): who may put an active call on hold or take it off, decided here;
 * the change itself is the call table's `hold` / `resume`, applied by `CallSteps.setHold`, which
 * also has the media plane pause the holder's media both ways. CallEngine delegates to this.
 *
 * One participant holds a call at a time, and only they resume it: the other side's "resume"
 * must not take the holder back into a conversation they stepped out of. When the holder leaves
 * the call, the hold ends with them (`CallSteps.leave`).
 */
export class CallHolds {
  constructor(private readonly steps: CallSteps) {}

  hold(call: LiveCall, actor: Actor): CallInfo {
    const { info } = call;
    this.assertInCallHere(info, actor);
    if (info.state !== 'active') throw invalidState(info, 'only an active call can be held');
    if (info.hold && info.hold.by !== actor.userId) {
      throw invalidState(info, 'the call is on hold by another participant');
    }
    if (!this.steps.setHold(call, actor.userId, true)) return info; // A repeat.
    this.steps.log(info, { by: actor.userId }, 'call put on hold');
    this.steps.afterChange(call);
    return info;
  }

  resume(call: LiveCall, actor: Actor): CallInfo {
    const { info } = call;
    this.assertInCallHere(info, actor);
    if (info.hold === undefined) return info; // Not on hold: a repeat, or a resume too late.
    if (info.hold.by !== actor.userId) {
      throw new ProtocolError('forbidden', 'only who put the call on hold resumes it');
    }
    this.steps.setHold(call, actor.userId, false);
    this.steps.log(info, { by: actor.userId }, 'call resumed');
    this.steps.afterChange(call);
    return info;
  }

  /** Holding is for a participant, on the device they are in the call on. */
  private assertInCallHere(info: CallInfo, actor: Actor): void {
    const inCallOn = presentParticipants(info).find((p) => p.userId === actor.userId)?.deviceId;
    if (inCallOn === undefined) throw invalidState(info, 'you are not in this call');
    if (inCallOn !== actor.device.id)
      throw invalidState(info, 'you are in this call on another device');
  }
}
