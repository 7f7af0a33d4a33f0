import type { CallInfo, CallState } from '../../protocol/index.js';

/**
 * The life of a call as a whole, as a pure transition table beside the legs' one
 * (leg-transitions.ts). The engine applies it in one place (`CallSteps.setCallState`), which
 * logs every change as `old → new`.
 *
 * Events:
 * - `start`: the call is created (from `absent`); it rings, or waits in a queue.
 * - `answer`: a callee accepted; a repeat (a later answer in a group call) changes nothing.
 * - `hold` / `resume`: a participant of the active call puts it on hold, or takes it off; a
 *   repeat changes nothing. Who may do either is the engine's check (call-holds.ts), before.
 * - `end`: the call is over, for whatever reason (its record says which).
 *
 * The rule for holding, as for a leg that left: `held` is a state of this table, not of the
 * protocol. A held call is sent as `active` with its `hold` set (who, since when), so a client
 * that knows nothing of hold still sees the call it always saw. `callStateOf` reads it back.
 */
export type CallEvent = 'start' | 'answer' | 'hold' | 'resume' | 'end';

export const CALL_EVENTS: readonly CallEvent[] = ['start', 'answer', 'hold', 'resume', 'end'];

/** A call's state in the table: `absent` is where every call starts. */
export type CallTableState = CallState | 'absent' | 'held';

export const CALL_TABLE_STATES: readonly CallTableState[] = [
  'absent',
  'ringing',
  'active',
  'held',
  'ended',
];

/** The call's state in the table: an active call on hold is `held`. */
export const callStateOf = (info: Pick<CallInfo, 'state' | 'hold'>): CallTableState =>
  info.state === 'active' && info.hold !== undefined ? 'held' : info.state;

/** How a table state is sent to clients (see the rule for holding above). */
export const wireCallState = (state: Exclude<CallTableState, 'absent'>): CallState =>
  state === 'held' ? 'active' : state;

/** `same`: a harmless repeat; `invalid`: the engine asked for a change that cannot be. */
export type CallOutcome =
  | { kind: 'next'; state: Exclude<CallTableState, 'absent'> }
  | { kind: 'same' }
  | { kind: 'invalid' };

const next = (state: Exclude<CallTableState, 'absent'>): CallOutcome => ({ kind: 'next', state });
const same: CallOutcome = { kind: 'same' };

/**
 * Rows list what is allowed; anything missing is `invalid`. An ended call changes no more. A
 * ringing call cannot be held: there is nobody in it to hold yet.
 */
const TABLE: Record<CallTableState, Partial<Record<CallEvent, CallOutcome>>> = {
  absent: { start: next('ringing') },
  ringing: { answer: next('active'), end: next('ended') },
  active: { answer: same, hold: next('held'), resume: same, end: next('ended') },
  // An invitation still ringing in a held call may be answered: the call stays on hold.
  held: { answer: same, hold: same, resume: next('active'), end: next('ended') },
  ended: {},
};

export function callTransition(state: CallTableState, event: CallEvent): CallOutcome {
  return TABLE[state][event] ?? { kind: 'invalid' };
}
