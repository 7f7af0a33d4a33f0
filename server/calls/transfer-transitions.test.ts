import { describe, expect, it } from 'vitest';
import {
  TRANSFER_EVENTS,
  TRANSFER_TABLE_STATES,
  type TransferEvent,
  type TransferOutcome,
  type TransferTableState,
  isTransferPending,
  transferTransition,
} from './transfer-transitions.js';

/** The whole table, written out once more by hand (as the call and leg tables' tests do). */
const EXPECTED: Record<TransferTableState, Record<TransferEvent, string>> = {
  absent: {
    transfer: 'ringing',
    complete: 'connected',
    answered: 'invalid',
    unanswered: 'invalid',
  },
  ringing: {
    transfer: 'invalid',
    complete: 'invalid',
    answered: 'connected',
    unanswered: 'returning',
  },
  connected: {
    transfer: 'ringing',
    complete: 'connected',
    answered: 'invalid',
    unanswered: 'invalid',
  },
  returning: {
    transfer: 'invalid',
    complete: 'invalid',
    answered: 'returned',
    unanswered: 'failed',
  },
  returned: {
    transfer: 'ringing',
    complete: 'connected',
    answered: 'invalid',
    unanswered: 'invalid',
  },
  failed: { transfer: 'invalid', complete: 'invalid', answered: 'invalid', unanswered: 'invalid' },
};

const describeOutcome = (o: TransferOutcome): string => (o.kind === 'next' ? o.state : o.kind);

describe('the blind transfer state machine', () => {
  for (const state of TRANSFER_TABLE_STATES) {
    for (const event of TRANSFER_EVENTS) {
      it(`${state} + ${event} -> ${EXPECTED[state][event]}`, () => {
        expect(describeOutcome(transferTransition(state, event))).toBe(EXPECTED[state][event]);
      });
    }
  }

  it('pending exactly while someone is rung for it', () => {
    expect(TRANSFER_TABLE_STATES.filter(isTransferPending)).toEqual(['ringing', 'returning']);
  });

  it('never transfers again while a transfer rings, and never after one failed', () => {
    for (const state of TRANSFER_TABLE_STATES.filter((s) => isTransferPending(s) || s === 'failed'))
      for (const event of ['transfer', 'complete'] as const)
        expect(transferTransition(state, event).kind).toBe('invalid');
  });
});
