import type { CallInfo, JsonText, UserId } from '../../protocol/index.js';
import type { MessageRouter } from '../signaling/sessions.js';

/** Makes a frame from the call's text as it is when its step ends. */
export type CallFrame = (call: JsonText<CallInfo>) => string;

interface Outgoing {
  userId: UserId;
  deviceId: string;
  frame: string | CallFrame;
}

/**
 * What one step of a call sends, in the order the step decided it, held until the step ends
 * (`CallSteps.afterChange` or `CallSteps.end`). Then the call is encoded once, as it finally is,
 * and every frame that carries it is made from that text, once per `CallFrame` however many
 * devices get it: no frame carries a call that the same step changed afterwards, and no encoded
 * text is passed from step to step. Empty between steps; within one it holds at most a few frames
 * per device of the call's people.
 */
export class CallOutbox {
  private queued: Outgoing[] = [];

  /** A frame that does not carry the call (`call.ringEnded`, `call.controlled`). */
  send(userId: UserId, deviceId: string, frame: string): void {
    this.queued.push({ userId, deviceId, frame });
  }

  /** A frame that carries the call, made when the step ends. */
  sendCall(userId: UserId, deviceId: string, frame: CallFrame): void {
    this.queued.push({ userId, deviceId, frame });
  }

  get isEmpty(): boolean {
    return this.queued.length === 0;
  }

  /** Sends what the step queued, in order; `json` is the call's text at the end of the step. */
  flush(router: Pick<MessageRouter, 'toDevice'>, json: JsonText<CallInfo>): void {
    const frames = this.queued;
    if (frames.length === 0) return;
    this.queued = [];
    const made = new Map<CallFrame, string>();
    for (const { userId, deviceId, frame } of frames) {
      let text: string;
      if (typeof frame === 'string') text = frame;
      else {
        text = made.get(frame) ?? frame(json);
        made.set(frame, text);
      }
      router.toDevice(userId, deviceId, text);
    }
  }
}
