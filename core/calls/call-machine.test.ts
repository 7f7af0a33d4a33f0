import { describe, expect, it } from 'vitest';
import type { DeviceCallState } from '../../protocol/index.js';
import { CALL_EVENTS, CALL_STATES, type CallEvent, transition } from './call-machine.js';

/** Every (state, event) pair written out: a change to the machine must change this too. */
const EXPECTED: Record<DeviceCallState, Partial<Record<CallEvent, DeviceCallState>>> = {
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

describe('the client call machine', () => {
  for (const state of CALL_STATES) {
    for (const event of CALL_EVENTS) {
      const expected = EXPECTED[state][event];
      it(`${state} + ${event} -> ${expected ?? '(no change)'}`, () => {
        expect(transition(state, event, 'completed')?.state).toBe(expected);
      });
    }
  }

  it('rings on incoming and stops ringing on every way out of ringing', () => {
    expect(transition('idle', 'incoming')?.intents).toEqual([
      'start-ringtone',
      'show-ringing-surface',
    ]);
    for (const event of ['accept', 'refuse', 'ended', 'joined'] as const) {
      const intents = transition('ringing', event, 'canceled')?.intents ?? [];
      expect(intents).toContain('stop-ringtone');
      expect(intents).toContain('close-ringing-surface');
    }
  });

  it('never rings twice for the same call', () => {
    expect(transition('ringing', 'incoming')).toBeUndefined();
    expect(transition('answering', 'incoming')).toBeUndefined();
    expect(transition('active', 'incoming')).toBeUndefined();
  });

  it('plays ringback from the moment a callee is reached until an answer or the end', () => {
    expect(transition('dialing', 'reached')?.intents).toEqual(['start-ringback']);
    expect(transition('ringback', 'joined')?.intents).toEqual(['stop-ringback']);
    expect(transition('ringback', 'cancel', 'canceled')?.intents).toEqual(['stop-ringback']);
    expect(transition('dialing', 'joined')?.intents).toEqual([]);
  });

  it('records a missed call only when it rang here and nobody answered', () => {
    expect(transition('ringing', 'ended', 'canceled')?.intents).toContain('record-missed');
    expect(transition('ringing', 'ended', 'timeout')?.intents).toContain('record-missed');
    expect(transition('ringing', 'ended', 'answered-elsewhere')?.intents).not.toContain(
      'record-missed',
    );
    expect(transition('ringing', 'ended', 'refused-elsewhere')?.intents).not.toContain(
      'record-missed',
    );
    expect(transition('ringing', 'refuse', 'declined')?.intents).not.toContain('record-missed');
    expect(transition('answering', 'ended', 'canceled')?.intents).toContain('record-missed');
    expect(transition('ringback', 'ended', 'timeout')?.intents).not.toContain('record-missed');
  });

  it('has no way out of ended', () => {
    for (const event of CALL_EVENTS) expect(transition('ended', event)).toBeUndefined();
  });
});
