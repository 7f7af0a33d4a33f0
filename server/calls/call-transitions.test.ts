import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CallEngine } from './call-engine.js';
import {
  CALL_EVENTS,
  CALL_TABLE_STATES,
  type CallEvent,
  type CallOutcome,
  type CallTableState,
  callStateOf,
  callTransition,
  wireCallState,
} from './call-transitions.js';
import { legStateOf } from './leg-transitions.js';
import { findLeg } from './live-call.js';
import { engineOptions, testActor } from './testing.js';

/** The whole call-level table, written out once more by hand (as the leg table's test does). */
const EXPECTED: Record<CallTableState, Record<CallEvent, string>> = {
  absent: {
    start: 'ringing',
    answer: 'invalid',
    hold: 'invalid',
    resume: 'invalid',
    end: 'invalid',
  },
  ringing: { start: 'invalid', answer: 'active', hold: 'invalid', resume: 'invalid', end: 'ended' },
  active: { start: 'invalid', answer: 'same', hold: 'held', resume: 'same', end: 'ended' },
  held: { start: 'invalid', answer: 'same', hold: 'same', resume: 'active', end: 'ended' },
  ended: {
    start: 'invalid',
    answer: 'invalid',
    hold: 'invalid',
    resume: 'invalid',
    end: 'invalid',
  },
};

const describeOutcome = (o: CallOutcome): string => (o.kind === 'next' ? o.state : o.kind);

describe('the call-level state machine', () => {
  for (const state of CALL_TABLE_STATES) {
    for (const event of CALL_EVENTS) {
      it(`${state} + ${event} -> ${EXPECTED[state][event]}`, () => {
        expect(describeOutcome(callTransition(state, event))).toBe(EXPECTED[state][event]);
      });
    }
  }

  it('never goes back to ringing or absent once a call is under way', () => {
    for (const state of CALL_TABLE_STATES.filter((s) => s !== 'absent')) {
      for (const event of CALL_EVENTS) {
        const o = callTransition(state, event);
        if (o.kind === 'next') expect(o.state).not.toBe('ringing');
      }
    }
  });

  it('sends a held call as active with its hold, and reads it back as held', () => {
    expect(wireCallState('held')).toBe('active');
    for (const state of CALL_TABLE_STATES) {
      if (state !== 'absent' && state !== 'held') expect(wireCallState(state)).toBe(state);
    }
    expect(callStateOf({ state: 'active', hold: { by: 'bob', since: 1 } })).toBe('held');
    expect(callStateOf({ state: 'active' })).toBe('active');
    expect(callStateOf({ state: 'ringing' })).toBe('ringing');
  });
});

/** An engine whose log lines are kept as parsed objects. */
function engineWithLog() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { engine: new CallEngine(engineOptions({ logger })), lines };
}

const available = { status: 'available', callWaiting: false, blockedCaller: false } as const;

describe('the engine moves a call through the tables', () => {
  it('logs every call-level change as old → new, with the call id', () => {
    const { engine, lines } = engineWithLog();
    const checks = new Map([
      ['bob', available],
      ['carol', available],
    ]);
    const callees = ['bob', 'carol'];
    engine.invite(testActor('alice'), { callId: 'ct-1', callees, media: 'audio' }, checks);
    engine.accept(testActor('bob'), 'ct-1');
    engine.accept(testActor('carol'), 'ct-1');
    engine.control(testActor('alice'), { callId: 'ct-1', action: 'end' });
    const changes = lines.filter((l) => 'from' in l && 'to' in l);
    expect(changes.map((l) => [l.callId, l.msg])).toEqual([
      ['ct-1', 'call absent → ringing'],
      ['ct-1', 'call ringing → active'],
      ['ct-1', 'call active → ended'],
    ]);
    expect(changes[1]).toMatchObject({ from: 'ringing', to: 'active' });
  });

  it('holds and resumes through the table, logged, and a hold ends with its holder', () => {
    const { engine, lines } = engineWithLog();
    const checks = new Map([['bob', available]]);
    engine.invite(testActor('alice'), { callId: 'ct-3', callees: ['bob'], media: 'audio' }, checks);
    engine.accept(testActor('bob'), 'ct-3');
    expect(engine.hold(testActor('bob'), 'ct-3').hold).toMatchObject({ by: 'bob' });
    engine.hold(testActor('bob'), 'ct-3'); // A repeat: no second change.
    expect(engine.resume(testActor('bob'), 'ct-3').hold).toBeUndefined();
    engine.hold(testActor('alice'), 'ct-3');
    engine.hangup(testActor('alice'), 'ct-3');
    const changes = lines.filter((l) => 'from' in l && 'to' in l).map((l) => l.msg);
    expect(changes).toEqual([
      'call absent → ringing',
      'call ringing → active',
      'call active → held',
      'call held → active',
      'call active → held',
      'call held → active',
      'call active → ended',
    ]);
  });

  it('puts a participant who left in the left state; the snapshot shows them as before', () => {
    const { engine } = engineWithLog();
    const checks = new Map([
      ['bob', available],
      ['carol', available],
    ]);
    const callees = ['bob', 'carol'];
    engine.invite(testActor('alice'), { callId: 'ct-2', callees, media: 'audio' }, checks);
    engine.accept(testActor('bob'), 'ct-2');
    engine.accept(testActor('carol'), 'ct-2');
    const info = engine.hangup(testActor('bob'), 'ct-2');
    const bob = findLeg(info, 'bob');
    expect(info.state).toBe('active');
    expect(legStateOf(bob!)).toBe('left');
    expect(bob?.state).toBe('accepted');
    expect(bob?.leftAt).toBeTypeOf('number');
    expect(legStateOf(findLeg(info, 'carol')!)).toBe('accepted');
    // Nobody who left can be made to leave or answer again through the table.
    expect(() => engine.accept(testActor('bob'), 'ct-2')).not.toThrow();
    expect(legStateOf(findLeg(engine.get('ct-2')!, 'bob')!)).toBe('left');
  });
});
