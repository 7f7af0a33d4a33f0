import type { LegState } from '../../protocol/index.js';

/**
 * The life of one callee leg as a pure transition table. The call engine applies it in one place
 * (`CallSteps.applyLeg`, server/calls/call-steps.ts); everything else reads states.
 *
 * Events:
 * - `delivered`: a device of the callee acknowledged the invitation ("received by peer").
 * - `pushed`: no device of the callee is online; the invitation was stored and pushed.
 * - `accept` / `refuse`: a device of the callee answered.
 * - `cancel`: the caller (or moderator) withdrew, or the call ended around the leg.
 * - `expire`: the ring timeout fired.
 * - `connection-lost`: an answered callee had no live device in the call for the whole rejoin
 *   window; the leg stays `accepted` (they did answer) and carries the reason they left.
 */
export type LegEvent =
  'delivered' | 'pushed' | 'accept' | 'refuse' | 'cancel' | 'expire' | 'connection-lost';

export const LEG_EVENTS: readonly LegEvent[] = [
  'delivered',
  'pushed',
  'accept',
  'refuse',
  'cancel',
  'expire',
  'connection-lost',
];

/** `same`: the event is a harmless repeat (idempotent); `invalid`: it comes too late. */
export type LegOutcome =
  { kind: 'next'; state: LegState; reason?: string } | { kind: 'same' } | { kind: 'invalid' };

type Row = Partial<Record<LegEvent, LegOutcome>>;
const next = (state: LegState, reason?: string): LegOutcome =>
  reason === undefined ? { kind: 'next', state } : { kind: 'next', state, reason };
const same: LegOutcome = { kind: 'same' };

/** Rows list what is allowed; anything missing is `invalid`. */
const TABLE: Record<LegState, Row> = {
  inviting: {
    delivered: next('ringing'),
    pushed: next('pushed'),
    accept: next('accepted'),
    refuse: next('refused'),
    cancel: next('canceled'),
    expire: next('failed', 'timeout'),
  },
  pushed: {
    delivered: next('ringing'),
    pushed: same,
    accept: next('accepted'),
    refuse: next('refused'),
    cancel: next('canceled'),
    // Never reached any device before it expired.
    expire: next('failed', 'unreachable'),
  },
  ringing: {
    delivered: same,
    accept: next('accepted'),
    refuse: next('refused'),
    cancel: next('canceled'),
    expire: next('failed', 'timeout'),
  },
  // A late ack of a device that was slower than the one that answered is harmless.
  accepted: {
    delivered: same,
    accept: same,
    'connection-lost': next('accepted', 'connection-lost'),
  },
  refused: { refuse: same, delivered: same },
  canceled: { cancel: same, delivered: same },
  failed: { expire: same, delivered: same },
};

export function legTransition(state: LegState, event: LegEvent): LegOutcome {
  return TABLE[state][event] ?? { kind: 'invalid' };
}

/** A leg still waiting for an answer: it rings (or waits for a device) and has a timer. */
export const isPendingLeg = (state: LegState): boolean =>
  state === 'inviting' || state === 'pushed' || state === 'ringing';
