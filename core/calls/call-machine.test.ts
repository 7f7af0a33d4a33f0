import { describe, expect, it } from 'vitest';
import type { DeviceCallState } from '../../protocol/index.js';
import { CALL_EVENTS, CALL_STATES, type CallEvent, transition } from './call-machine.js';

/** Every (state, event) pair written out: a change to the machine must change this too. */
const EXPECTED: Record<DeviceCallState, Partial<Record<CallEvent, DeviceCallState>>> = {
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
  ringing: {
    accept: 'answering',
    joined: 'active',
    elsewhere: 'elsewhere',
    refuse: 'ended',
    ended: 'ended',
  },
  answering: { joined: 'active', elsewhere: 'elsewhere', ended: 'ended', failed: 'ended' },
  active: { hangup: 'ended', ended: 'ended', elsewhere: 'elsewhere' },
  elsewhere: { joined: 'active', ended: 'ended' },
  ended: {},
};

describe('the client call machine', () => {
  for (const state of CALL_STATES) {
    for (const event of CALL_EVENTS) {
      const expected = EXPECTED[state][event];
      it(`${state} + ${event} -> ${expected ?? '(no change)'}`, () => {
        expect(transition(state, event)).toBe(expected);
      });
    }
  }

  it('never rings twice for the same call', () => {
    expect(transition('ringing', 'incoming')).toBeUndefined();
    expect(transition('answering', 'incoming')).toBeUndefined();
    expect(transition('active', 'incoming')).toBeUndefined();
  });

  it('a call on another device of ours never rings, dials or hangs up here', () => {
    for (const event of ['incoming', 'invite', 'accept', 'hangup', 'cancel'] as const) {
      expect(transition('elsewhere', event)).toBeUndefined();
    }
  });

  it('a call answered on another device of ours shows as elsewhere where it rang', () => {
    expect(transition('ringing', 'elsewhere')).toBe('elsewhere');
    expect(transition('answering', 'elsewhere')).toBe('elsewhere');
  });

  it('has no way out of ended', () => {
    for (const event of CALL_EVENTS) expect(transition('ended', event)).toBeUndefined();
  });
});
