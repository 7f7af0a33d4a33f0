import { describe, expect, it } from 'vitest';
import { LEG_STATES } from '../../protocol/index.js';
import {
  LEG_EVENTS,
  type LegEvent,
  LEG_TABLE_STATES,
  type LegOutcome,
  type LegTableState,
  isPendingLeg,
  legStateOf,
  legTransition,
  wireLegState,
} from './leg-transitions.js';

/**
 * The whole table, written out once more by hand: every (state, event) pair is listed, so a
 * change to the machine must change this expectation too.
 */
const EXPECTED: Record<LegTableState, Record<LegEvent, string>> = {
  absent: {
    invite: 'inviting',
    join: 'accepted',
    delivered: 'invalid',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'invalid',
    cancel: 'invalid',
    expire: 'invalid',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
  inviting: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'ringing',
    pushed: 'pushed',
    accept: 'accepted',
    refuse: 'refused',
    cancel: 'canceled',
    expire: 'failed/timeout',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
  pushed: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'ringing',
    pushed: 'same',
    accept: 'accepted',
    refuse: 'refused',
    cancel: 'canceled',
    expire: 'failed/unreachable',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
  ringing: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'same',
    pushed: 'invalid',
    accept: 'accepted',
    refuse: 'refused',
    cancel: 'canceled',
    expire: 'failed/timeout',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
  accepted: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'same',
    pushed: 'invalid',
    accept: 'same',
    refuse: 'invalid',
    cancel: 'invalid',
    expire: 'invalid',
    leave: 'left',
    'connection-lost': 'left/connection-lost',
  },
  left: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'invalid',
    cancel: 'invalid',
    expire: 'invalid',
    leave: 'same',
    'connection-lost': 'invalid',
  },
  refused: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'same',
    cancel: 'invalid',
    expire: 'invalid',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
  canceled: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'invalid',
    cancel: 'same',
    expire: 'invalid',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
  failed: {
    invite: 'invalid',
    join: 'invalid',
    delivered: 'same',
    pushed: 'invalid',
    accept: 'invalid',
    refuse: 'invalid',
    cancel: 'invalid',
    expire: 'same',
    leave: 'invalid',
    'connection-lost': 'invalid',
  },
};

const describeOutcome = (o: LegOutcome): string =>
  o.kind === 'next' ? (o.reason ? `${o.state}/${o.reason}` : o.state) : o.kind;

describe('the callee leg state machine', () => {
  for (const state of LEG_TABLE_STATES) {
    for (const event of LEG_EVENTS) {
      it(`${state} + ${event} -> ${EXPECTED[state][event]}`, () => {
        expect(describeOutcome(legTransition(state, event))).toBe(EXPECTED[state][event]);
      });
    }
  }

  it('leaves a final state by no event', () => {
    for (const state of ['left', 'refused', 'canceled', 'failed'] as const) {
      for (const event of LEG_EVENTS) expect(legTransition(state, event).kind).not.toBe('next');
    }
  });

  it('treats exactly inviting, pushed and ringing as pending', () => {
    expect(LEG_STATES.filter(isPendingLeg)).toEqual(['inviting', 'ringing', 'pushed']);
  });

  it('creates a leg only from absent, and never moves back to absent or inviting', () => {
    for (const state of LEG_TABLE_STATES) {
      for (const event of ['invite', 'join'] as const) {
        expect(legTransition(state, event).kind).toBe(state === 'absent' ? 'next' : 'invalid');
      }
    }
    for (const state of LEG_STATES) {
      for (const event of LEG_EVENTS) {
        const o = legTransition(state, event);
        if (o.kind === 'next') expect(o.state).not.toBe('inviting');
      }
    }
  });

  it('lists every protocol state, and absent and left, once', () => {
    expect([...LEG_TABLE_STATES].sort()).toEqual([...LEG_STATES, 'absent', 'left'].sort());
  });

  it('reads a leg that answered and left as left, and sends left as accepted', () => {
    expect(legStateOf({ state: 'accepted' })).toBe('accepted');
    expect(legStateOf({ state: 'accepted', leftAt: 1 })).toBe('left');
    expect(legStateOf({ state: 'canceled' })).toBe('canceled');
    expect(wireLegState('left')).toBe('accepted');
    for (const state of LEG_STATES) expect(wireLegState(state)).toBe(state);
  });
});
