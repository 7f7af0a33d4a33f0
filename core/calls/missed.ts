import type { CallRecord, DeviceCallState, DeviceEndReason, UserId } from '../../protocol/index.js';

/**
 * What "missed" means, in one place for every shell: a call that rang here and that nobody
 * answered anywhere. Live calls are judged by how they ended on this device; calls in the
 * history by their record.
 */

/** A call that rang (or was being answered) here and then ended with one of these was missed. */
export const MISSED_END_REASONS: ReadonlySet<DeviceEndReason> = new Set([
  'canceled',
  'timeout',
  'unreachable',
]);

/** A live call just went from `previous` to ended with `reason`: was it missed on this device? */
export function endedAsMissed(previous: DeviceCallState, reason: DeviceEndReason): boolean {
  const rangHere = previous === 'ringing' || previous === 'answering';
  return rangHere && MISSED_END_REASONS.has(reason);
}

/**
 * The outcomes of a callee's participation that make a record missed. `dnd` counts too:
 * call-semantics.md says a callee finds the calls refused for do-not-disturb as missed (they never
 * rang, so a live call cannot be missed that way).
 */
const MISSED_OUTCOMES: ReadonlySet<string> = new Set(['timeout', 'canceled', 'unreachable', 'dnd']);

/**
 * Missed, for `me`: an incoming call that I never answered on any device, and that ended for me
 * without my own refusal (it timed out, the caller gave up, it never reached me, or do-not-disturb
 * refused it).
 */
export function isMissed(record: CallRecord, me: UserId): boolean {
  if (record.callerId === me) return false;
  const mine = record.participants.filter((p) => p.userId === me && p.role === 'callee');
  if (mine.length === 0) return false;
  if (mine.some((p) => p.answeredAt !== undefined || p.outcome === 'answered')) return false;
  return mine.some((p) => MISSED_OUTCOMES.has(p.outcome));
}
