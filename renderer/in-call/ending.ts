import { endedAsMissed } from '../../core/calls/missed.js';
import type { DeviceCallState, DeviceEndReason, SoftphoneCall } from '../../protocol/softphone.js';
import { otherParties } from '../call/call-view.js';

/**
 * What one ending means to this side of the call, worded for the person who sees it: the callee
 * of a call nobody answered missed it, the caller hears that the callee declined or is busy, and
 * a call that connected says how long it lasted.
 */
export type Ending =
  | { kind: 'missed'; from: string; at: number }
  | { kind: 'declined' | 'busy' | 'dnd' | 'noAnswer'; who: string[] }
  | { kind: 'ended'; who: string[]; seconds: number };

/** How the caller hears that nobody took the call (other endings need no notice). */
const REFUSAL_KINDS: Partial<Record<DeviceEndReason, 'declined' | 'busy' | 'dnd' | 'noAnswer'>> = {
  refused: 'declined',
  busy: 'busy',
  dnd: 'dnd',
  timeout: 'noAnswer',
};

/** When the call was first answered by anyone (the timer's start). */
export function answeredAt(call: SoftphoneCall): number | undefined {
  const times = call.info?.legs
    .map((l) => l.answeredAt)
    .filter((x): x is number => x !== undefined);
  return times && times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * The notice for a call that just went from `previous` to ended on this device, or undefined
 * when there is nothing to tell (we declined ourselves, another of our devices answered, the
 * moderator removed us: the ended card says those).
 */
export function endingOf(
  previous: DeviceCallState,
  call: SoftphoneCall,
  me: string,
): Ending | undefined {
  const reason = call.endReason ?? 'completed';
  const info = call.info;
  if (!info) return undefined;
  if (call.direction === 'incoming' && endedAsMissed(previous, reason)) {
    return { kind: 'missed', from: info.callerId, at: info.createdAt };
  }
  const who = otherParties(call, me).map((p) => p.userId);
  if (previous === 'active') {
    const start = answeredAt(call);
    const end = call.endedAt ?? info.endedAt ?? Date.now();
    return { kind: 'ended', who, seconds: start ? Math.max(0, (end - start) / 1000) : 0 };
  }
  if (call.direction !== 'outgoing') return undefined;
  const refusal = REFUSAL_KINDS[reason];
  return refusal ? { kind: refusal, who } : undefined;
}

/** "07:05": the local time of day a missed call came in. */
export const timeOfDay = (ms: number): string => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};
