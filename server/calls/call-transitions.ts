import type { CallState } from '../../protocol/index.js';

/**
 * The life of a call as a whole, as a pure transition table beside the legs' one
 * (leg-transitions.ts). The engine applies it in one place (`CallSteps.setCallState`), which
 * logs every change as `old → new`.
 *
 * Events:
 * - `start`: the call is created (from `absent`); it rings, or waits in a queue.
 * - `answer`: a callee accepted; a repeat (a later answer in a group call) changes nothing.
 * - `end`: the call is over, for whatever reason (its record says which).
 */
export type CallEvent = 'start' | 'answer' | 'end';

export const CALL_EVENTS: readonly CallEvent[] = ['start', 'answer', 'end'];

/** A call's state in the table: `absent` is where every call starts. */
export type CallTableState = CallState | 'absent';

export const CALL_TABLE_STATES: readonly CallTableState[] = [
  'absent',
  'ringing',
  'active',
  'ended',
];

/** `same`: a harmless repeat; `invalid`: the engine asked for a change that cannot be. */
export type CallOutcome =
  { kind: 'next'; state: CallState } | { kind: 'same' } | { kind: 'invalid' };

const next = (state: CallState): CallOutcome => ({ kind: 'next', state });
const same: CallOutcome = { kind: 'same' };

/** Rows list what is allowed; anything missing is `invalid`. An ended call changes no more. */
const TABLE: Record<CallTableState, Partial<Record<CallEvent, CallOutcome>>> = {
  absent: { start: next('ringing') },
  ringing: { answer: next('active'), end: next('ended') },
  active: { answer: same, end: next('ended') },
  ended: {},
};

export function callTransition(state: CallTableState, event: CallEvent): CallOutcome {
  return TABLE[state][event] ?? { kind: 'invalid' };
}
