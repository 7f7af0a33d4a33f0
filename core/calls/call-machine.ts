/**
 * One call as this device sees it, as a pure transition table. `CallManager.apply` is the only
 * place that runs it; everything else renders states and acts on the intents it returns.
 */
import type { DeviceCallState, DeviceEndReason } from '../../protocol/index.js';
import { deviceCallStateSchema } from '../../protocol/index.js';

/** The states, in the order of a call's life (protocol/softphone.ts says what each means). */
export const CALL_STATES = deviceCallStateSchema.options;

export const CALL_EVENTS = [
  'invite',
  'reached',
  'incoming',
  'accept',
  'joined',
  'refuse',
  'cancel',
  'hangup',
  'ended',
  'failed',
] as const;
/**
 * - `invite` (local): we place the call.           - `reached` (server): a callee rings or was pushed.
 * - `incoming` (server): an invitation for us.      - `accept` / `refuse` (local): our answer.
 * - `joined` (server): the call is active with us in it.
 * - `cancel` / `hangup` (local).                    - `ended` (server): over, with a reason.
 * - `failed` (local): a request of ours failed or timed out.
 */
export type CallEvent = (typeof CALL_EVENTS)[number];

/** What the shells (Electron main, the web page) do in response to a transition. */
export type CallIntent =
  | 'start-ringtone'
  | 'stop-ringtone'
  | 'show-ringing-surface'
  | 'close-ringing-surface'
  | 'start-ringback'
  | 'stop-ringback'
  | 'record-missed';

type Row = Partial<Record<CallEvent, DeviceCallState>>;

/** Allowed transitions; a missing cell means the event changes nothing in that state. */
const TABLE: Record<DeviceCallState, Row> = {
  idle: { invite: 'dialing', incoming: 'ringing', joined: 'active', ended: 'ended' },
  dialing: {
    reached: 'ringback',
    joined: 'active',
    cancel: 'ended',
    hangup: 'ended',
    ended: 'ended',
    failed: 'ended',
  },
  ringback: { joined: 'active', cancel: 'ended', hangup: 'ended', ended: 'ended', failed: 'ended' },
  ringing: { accept: 'answering', joined: 'active', refuse: 'ended', ended: 'ended' },
  answering: { joined: 'active', ended: 'ended', failed: 'ended' },
  active: { hangup: 'ended', ended: 'ended' },
  ended: {},
};

/** Missed: it rang here and nobody answered it anywhere. */
const MISSED_REASONS: ReadonlySet<DeviceEndReason> = new Set([
  'canceled',
  'timeout',
  'unreachable',
]);

export interface Transition {
  state: DeviceCallState;
  intents: CallIntent[];
}

/** The intents that entering `next` from `previous` implies. */
function intentsFor(
  previous: DeviceCallState,
  next: DeviceCallState,
  reason?: DeviceEndReason,
): CallIntent[] {
  const intents: CallIntent[] = [];
  if (previous === 'ringing') intents.push('stop-ringtone', 'close-ringing-surface');
  if (previous === 'ringback') intents.push('stop-ringback');
  if (next === 'ringing') intents.push('start-ringtone', 'show-ringing-surface');
  if (next === 'ringback') intents.push('start-ringback');
  const rang = previous === 'ringing' || previous === 'answering';
  if (next === 'ended' && rang && reason !== undefined && MISSED_REASONS.has(reason)) {
    intents.push('record-missed');
  }
  return intents;
}

/**
 * The next state and intents, or `undefined` when the event changes nothing (a repeat, or too
 * late: a second `incoming` for a call already ringing never rings twice).
 */
export function transition(
  state: DeviceCallState,
  event: CallEvent,
  reason?: DeviceEndReason,
): Transition | undefined {
  const next = TABLE[state][event];
  if (next === undefined || next === state) return undefined;
  return { state: next, intents: intentsFor(state, next, reason) };
}
