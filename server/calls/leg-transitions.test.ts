import { describe, expect, it } from 'vitest';
import { LEG_STATES, type LegState } from '../../protocol/index.js';
import {
  LEG_EVENTS,
  type LegEvent,
  type LegOutcome,
  isPendingLeg,
  legTransition,
} from './leg-transitions.js';

/**
 * The whole table, written out once more by hand: every (state, event) pair is listed, so a
 * change to the machine must change this expectation too.
 */
const EXPECTED: Record<LegState, Record<LegEvent, string>> = {
  inviting: {
    delivered: 'ringing',
    pushed: 'pushed',
    accept: 'accepted',
    refuse: 'refused',
    cancel: 'canceled',
    expire: 'failed/timeout',
    'connection-lost': 'invalid',
  },
  pushed: {
    delivered: 'ringing',
    pushed: 'same',
    accept: 'accepted',
    refuse: 'refused',
    cancel: 'canceled',
    expire: 'failed/unreachable',
    'connection-lost': 'invalid',
  },
  ringing: {
    delivered: 'same',
    pushed: 'invalid',
    accept: 'accepted',
    refuse: 'refused',
    cancel: 'canceled',
    expire: 'failed/timeout',
    'connection-lost': 'invalid',
  },
  accepted: {
    delivered: 'same',
    pushed: 'invalid',
    accept: 'same',
    refuse: 'invalid',
    cancel: 'invalid',
    expire: 'invalid',
    'connection-lost': 'accepted/connection-lost',
  },
  refused: {
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'same',
    cancel: 'invalid',
    expire: 'invalid',
    'connection-lost': 'invalid',
  },
  canceled: {
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'invalid',
    cancel: 'same',
    expire: 'invalid',
    'connection-lost': 'invalid',
  },
  failed: {
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'invalid',
    cancel: 'invalid',
    expire: 'same',
    'connection-lost': 'invalid',
  },
};

const describeOutcome = (o: LegOutcome): string =>
  o.kind === 'next' ? (o.reason ? `${o.state}/${o.reason}` : o.state) : o.kind;

describe('the callee leg state machine', () => {
  for (const state of LEG_STATES) {
    for (const event of LEG_EVENTS) {
      it(`${state} + ${event} -> ${EXPECTED[state][event]}`, () => {
        expect(describeOutcome(legTransition(state, event))).toBe(EXPECTED[state][event]);
      });
    }
  }

  it('leaves a final state by no event', () => {
    for (const state of ['refused', 'canceled', 'failed'] as const) {
      for (const event of LEG_EVENTS) expect(legTransition(state, event).kind).not.toBe('next');
    }
  });

  it('treats exactly inviting, pushed and ringing as pending', () => {
    expect(LEG_STATES.filter(isPendingLeg)).toEqual(['inviting', 'ringing', 'pushed']);
  });

  it('never moves from a pending state back to inviting', () => {
    for (const state of LEG_STATES) {
      for (const event of LEG_EVENTS) {
        const o = legTransition(state, event);
        if (o.kind === 'next') expect(o.state).not.toBe('inviting');
      }
    }
  });
});
