/**
 * One call as this device sees it, as a pure transition table. `CallManager.apply` is the only
 * place that runs it; everything else renders its states.
 */
import type { DeviceCallState } from '../../protocol/index.js';
import { deviceCallStateSchema } from '../../protocol/index.js';

/** The states, in the order of a call's life (protocol/softphone.ts says what each means). */
export const CALL_STATES = deviceCallStateSchema.options;

export const CALL_EVENTS = [
  'invite',
  'reached',
  'incoming',
  'accept',
  'joined',
  'elsewhere',
  'refuse',
  'cancel',
  'hangup',
  'ended',
  'failed',
] as const;
/**
 * - `invite` (local): we place the call.           - `reached` (server): a callee rings or was pushed.
 * - `incoming` (server): an invitation for us.      - `accept` / `refuse` (local): our answer.
 * - `joined` (server): the call is active with us in it on this device.
 * - `elsewhere` (server): the call is active with us in it on another device of ours.
 * - `cancel` / `hangup` (local).                    - `ended` (server): over, with a reason.
 * - `failed` (local): a request of ours failed or timed out.
 */
export type CallEvent = (typeof CALL_EVENTS)[number];

type Row = Partial<Record<CallEvent, DeviceCallState>>;

/** Allowed transitions; a missing cell means the event changes nothing in that state. */
const TABLE: Record<DeviceCallState, Row> = {
  idle: {
    invite: 'dialing',
    incoming: 'ringing',
    joined: 'active',
    elsewhere: 'elsewhere',
    ended: 'ended',
  },
  dialing: {
    reached: 'ringback',
    joined: 'active',
    cancel: 'ended',
    hangup: 'ended',
    ended: 'ended',
    failed: 'ended',
  },
  ringback: { joined: 'active', cancel: 'ended', hangup: 'ended', ended: 'ended', failed: 'ended' },
  // Another device of ours answered (or won a simultaneous answer): the ringing stops here and
  // the call shows as on that device, with "Switch here" (call-semantics.md, one device at a time).
  ringing: {
    accept: 'answering',
    joined: 'active',
    elsewhere: 'elsewhere',
    refuse: 'ended',
    ended: 'ended',
  },
  answering: { joined: 'active', elsewhere: 'elsewhere', ended: 'ended', failed: 'ended' },
  // Another device of ours took the call ("Switch here" there): this one leaves its media.
  active: { hangup: 'ended', ended: 'ended', elsewhere: 'elsewhere' },
  // Only the server moves the call here (`joined`); a hang-up here would end it on the other.
  elsewhere: { joined: 'active', ended: 'ended' },
  ended: {},
};

/**
 * The next state, or `undefined` when the event changes nothing (a repeat, or too late: a second
 * `incoming` for a call already ringing never rings twice). What a shell does about a state (a
 * ringtone, the ringing window) it reads from the states themselves, and `endedAsMissed`
 * (missed.ts) says which ends were missed.
 */
export function transition(state: DeviceCallState, event: CallEvent): DeviceCallState | undefined {
  const next = TABLE[state][event];
  return next === undefined || next === state ? undefined : next;
}
