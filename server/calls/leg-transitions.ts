import type { Leg, LegState } from '../../protocol/index.js';

/**
 * The life of one callee leg as a pure transition table, from its creation on. The call engine
 * applies it in one place (`CallSteps.applyLeg` and `CallSteps.createLeg`, server/calls/
 * call-steps.ts); everything else reads states.
 *
 * A leg is born from `absent` (no leg, or one that a new invitation replaces) by:
 * - `invite`: the callee is invited and the invitation goes out.
 * - `join`: the user is in the call at once, nobody rings (a supervisor's barge).
 *
 * Events on a leg:
 * - `delivered`: a device of the callee acknowledged the invitation ("received by peer").
 * - `pushed`: no device of the callee is online; the invitation was stored and pushed.
 * - `accept` / `refuse`: a device of the callee answered.
 * - `cancel`: the caller (or moderator) withdrew, or the call ended around the leg.
 * - `expire`: the ring timeout fired.
 * - `leave`: an answered callee hung up or was taken out; the leg is `left`, with the reason
 *   given, if any.
 * - `connection-lost`: an answered callee had no live device in the call for the whole rejoin
 *   window; the leg is `left`, with `connection-lost` as its reason.
 *
 * The rule for leaving: `left` is a state of this table, not of the protocol. A leg in it is
 * sent as it always was, `accepted` (the callee did answer) with `leftAt` set: the caller's view
 * has no `left` (call-semantics.md), so clients see the same snapshot as before. `legStateOf`
 * reads a leg's table state back from that form.
 */
export type LegEvent =
  | 'invite'
  | 'join'
  | 'delivered'
  | 'pushed'
  | 'accept'
  | 'refuse'
  | 'cancel'
  | 'expire'
  | 'leave'
  | 'connection-lost';

export const LEG_EVENTS: readonly LegEvent[] = [
  'invite',
  'join',
  'delivered',
  'pushed',
  'accept',
  'refuse',
  'cancel',
  'expire',
  'leave',
  'connection-lost',
];

/** The events that create a leg: the only ones allowed from `absent`. */
export type LegCreation = Extract<LegEvent, 'invite' | 'join'>;

/** A leg's state in the table: `absent` is where every leg starts, `left` where answered ones end. */
export type LegTableState = LegState | 'absent' | 'left';

/** Every state of the table, in the order of a leg's life. */
export const LEG_TABLE_STATES: readonly LegTableState[] = [
  'absent',
  'inviting',
  'ringing',
  'pushed',
  'accepted',
  'left',
  'refused',
  'canceled',
  'failed',
];

/** The leg's state in the table: an answered leg that left is `left`. */
export const legStateOf = (leg: Pick<Leg, 'state' | 'leftAt'>): LegTableState =>
  leg.state === 'accepted' && leg.leftAt !== undefined ? 'left' : leg.state;

/** How a table state is sent to clients (see the rule for leaving above). */
export const wireLegState = (state: Exclude<LegTableState, 'absent'>): LegState =>
  state === 'left' ? 'accepted' : state;

/** `same`: the event is a harmless repeat (idempotent); `invalid`: it comes too late. */
export type LegOutcome =
  | { kind: 'next'; state: Exclude<LegTableState, 'absent'>; reason?: string }
  | { kind: 'same' }
  | { kind: 'invalid' };

type Row = Partial<Record<LegEvent, LegOutcome>>;
const next = (state: Exclude<LegTableState, 'absent'>, reason?: string): LegOutcome =>
  reason === undefined ? { kind: 'next', state } : { kind: 'next', state, reason };
const same: LegOutcome = { kind: 'same' };

/** Rows list what is allowed; anything missing is `invalid`. */
const TABLE: Record<LegTableState, Row> = {
  absent: { invite: next('inviting'), join: next('accepted') },
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
    leave: next('left'),
    'connection-lost': next('left', 'connection-lost'),
  },
  // A late ack of a device of someone who left is harmless; they do not answer again.
  left: { delivered: same, leave: same },
  refused: { refuse: same, delivered: same },
  canceled: { cancel: same, delivered: same },
  failed: { expire: same, delivered: same },
};

export function legTransition(state: LegTableState, event: LegEvent): LegOutcome {
  return TABLE[state][event] ?? { kind: 'invalid' };
}

/** A leg still waiting for an answer: it rings (or waits for a device) and has a timer. */
export const isPendingLeg = (state: LegTableState): boolean =>
  state === 'inviting' || state === 'pushed' || state === 'ringing';
