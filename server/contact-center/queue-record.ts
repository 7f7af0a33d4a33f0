import type { CallInfo, RecordQueue } from '../../protocol/index.js';
import type { AnsweredCall, WaitingCall } from './queue.js';

/** Seconds, with one decimal. */
const waitSec = (from: number, to: number): number => Math.round((to - from) / 100) / 10;

/**
 * The queue part of an ended queue call's record, from what seat calling knows of the call when
 * it ends: still waiting (its caller hung up, or the queue timed it out), answered by an agent,
 * or a call of a previous run (restored after a restart) that never reached an agent here. Pure:
 * the engine asks for it while it completes the record.
 */
export function queueRecordOf(
  call: Pick<CallInfo, 'queue'>,
  known: { waiting: WaitingCall | undefined; answered: AnsweredCall | undefined },
  now: number,
): RecordQueue | undefined {
  const { waiting, answered } = known;
  if (waiting) {
    return {
      queue: waiting.queue,
      waitSec: waitSec(waiting.firstEnteredAt, now),
      outcome: waiting.outcome ?? 'abandoned',
      ...(waiting.overflowedFrom.length > 0 ? { overflowedFrom: waiting.overflowedFrom } : {}),
    };
  }
  if (answered) {
    return {
      queue: answered.queue,
      agentId: answered.agentId,
      waitSec: waitSec(answered.firstEnteredAt, answered.answeredAt),
      outcome: 'answered',
      ...(answered.overflowedFrom.length > 0 ? { overflowedFrom: answered.overflowedFrom } : {}),
    };
  }
  if (call.queue) return { queue: call.queue.queue, waitSec: 0, outcome: 'abandoned' };
  return undefined;
}
