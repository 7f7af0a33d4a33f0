import type { AnsweredCall, WaitingCall } from './queue.js';

/** What the supervisor feed and the record of a call read of the queue calls. */
export interface QueueCallsView {
  waiting(callId: string): WaitingCall | undefined;
  answered(callId: string): AnsweredCall | undefined;
  answeredCalls(): IterableIterator<AnsweredCall>;
}

/**
 * The queue calls seat calling holds: waiting for an agent, or answered until the call ends.
 * The distribution changes them; the others read them through `QueueCallsView`. Bounded by the
 * live queue calls: each entry goes when its call is answered (waiting) or ends.
 */
export class QueueCalls implements QueueCallsView {
  private readonly waitingById = new Map<string, WaitingCall>();
  private readonly answeredById = new Map<string, AnsweredCall>();

  waiting(callId: string): WaitingCall | undefined {
    return this.waitingById.get(callId);
  }

  answered(callId: string): AnsweredCall | undefined {
    return this.answeredById.get(callId);
  }

  answeredCalls(): IterableIterator<AnsweredCall> {
    return this.answeredById.values();
  }

  wait(call: WaitingCall): void {
    this.waitingById.set(call.callId, call);
  }

  /** The call waits no more (answered, or it ended); true if it waited. */
  stopWaiting(callId: string): boolean {
    return this.waitingById.delete(callId);
  }

  answer(call: AnsweredCall): void {
    this.answeredById.set(call.callId, call);
  }

  /** The answered call ended; true if it was answered here. */
  endAnswered(callId: string): boolean {
    return this.answeredById.delete(callId);
  }
}
