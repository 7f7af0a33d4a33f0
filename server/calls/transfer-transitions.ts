import type { TransferState } from '../../protocol/index.js';

/**
 * A blind transfer's life (issue 18), as a pure transition table beside the call's and the legs'
 * ones. `CallTransfers` (call-transfers.ts) applies it in one place, `CallTransfers.apply`.
 *
 * Events:
 * - `transfer`: a participant moves the other party of the 1:1 call to a target, and leaves.
 * - `complete`: an attended transfer: the transferor, holding this call, consulted the target in
 *   a call of their own and joins the two; the target is in at once, nobody rings.
 * - `answered`: the leg rung for the transfer (the target's, or the transferor's ring-back)
 *   was accepted.
 * - `unanswered`: that leg ended without an answer (refused, timed out, withdrawn), or could not
 *   be placed (a transferor who was the call's caller has no leg to ring back).
 *
 * A call whose transfer was answered may be transferred again; a `failed` one is over (nobody
 * took the call back, so it ends).
 */
export type TransferEvent = 'transfer' | 'complete' | 'answered' | 'unanswered';

export const TRANSFER_EVENTS: readonly TransferEvent[] = [
  'transfer',
  'complete',
  'answered',
  'unanswered',
];

/** `absent`: the call was never transferred. */
export type TransferTableState = TransferState | 'absent';

export const TRANSFER_TABLE_STATES: readonly TransferTableState[] = [
  'absent',
  'ringing',
  'connected',
  'returning',
  'returned',
  'failed',
];

export type TransferOutcome = { kind: 'next'; state: TransferState } | { kind: 'invalid' };

const next = (state: TransferState): TransferOutcome => ({ kind: 'next', state });

/** Rows list what is allowed; anything missing is `invalid` (the engine checks before). */
const TABLE: Record<TransferTableState, Partial<Record<TransferEvent, TransferOutcome>>> = {
  absent: { transfer: next('ringing'), complete: next('connected') },
  ringing: { answered: next('connected'), unanswered: next('returning') },
  connected: { transfer: next('ringing'), complete: next('connected') },
  returning: { answered: next('returned'), unanswered: next('failed') },
  returned: { transfer: next('ringing'), complete: next('connected') },
  failed: {},
};

export function transferTransition(
  state: TransferTableState,
  event: TransferEvent,
): TransferOutcome {
  return TABLE[state][event] ?? { kind: 'invalid' };
}

/** A transfer still waiting for someone to answer: new transfers wait for it to settle. */
export const isTransferPending = (state: TransferTableState): boolean =>
  state === 'ringing' || state === 'returning';
