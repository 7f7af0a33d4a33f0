import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../protocol/index.js';
import { rateQuality } from '../in-call/quality.js';
import type { SoftphoneCall } from '../../protocol/softphone.js';
import {
  acceptEndsCurrent,
  callBackTargets,
  clock,
  dialTargetFromLink,
  durationLabel,
  isMissed,
  parseTargets,
} from './call-view.js';

const record = (
  outcome: CallRecord['participants'][number]['outcome'],
  callerId = 'alice',
): CallRecord => ({
  callId: 'call-00000001',
  callerId,
  media: 'audio',
  createdAt: 1,
  endedAt: 2,
  endReason: 'timeout',
  durationSec: 0,
  participants: [
    { userId: 'alice', role: 'caller', invitedAt: 1, outcome: 'caller', durationSec: 0 },
    { userId: 'bob', role: 'callee', invitedAt: 1, outcome, durationSec: 0 },
  ],
});

describe('call view helpers', () => {
  it('a call I never answered is missed; my own decline, an answer and my own calls are not', () => {
    for (const o of ['timeout', 'canceled', 'unreachable', 'dnd'] as const)
      expect(isMissed(record(o), 'bob'), o).toBe(true);
    for (const o of ['answered', 'refused', 'blocked', 'busy'] as const)
      expect(isMissed(record(o), 'bob'), o).toBe(false);
    expect(isMissed(record('timeout'), 'alice')).toBe(false);
  });

  it('call back dials the caller of an incoming call and the callees of my own', () => {
    expect(callBackTargets(record('timeout'), 'bob')).toEqual(['alice']);
    expect(callBackTargets(record('timeout'), 'alice')).toEqual(['bob']);
  });

  it('the dialer splits, lower-cases and de-duplicates ids and flags invalid ones', () => {
    expect(parseTargets(' Bob, carol  bob;dave ')).toEqual({
      valid: ['bob', 'carol', 'dave'],
      invalid: [],
    });
    expect(parseTargets('bob !x').invalid).toEqual(['!x']);
    // Seat calling: one queue alone is a target; mixed with people it is not.
    expect(parseTargets(' Queue:Sales ')).toEqual({ valid: ['queue:sales'], invalid: [] });
    expect(parseTargets('bob queue:sales')).toEqual({ valid: ['bob'], invalid: ['queue:sales'] });
    expect(parseTargets('queue:').invalid).toEqual(['queue:']);
  });

  it('click-to-call links keep the user part', () => {
    expect(dialTargetFromLink('trayphone://call/bob')).toBe('bob');
    expect(dialTargetFromLink('tel:carol')).toBe('carol');
    expect(dialTargetFromLink('sip:dave@example.com')).toBe('dave');
    expect(dialTargetFromLink('erin')).toBe('erin');
  });

  it('durations and the call timer read like a phone', () => {
    expect(durationLabel(42)).toEqual({ key: 'time.seconds', params: { count: '42' } });
    expect(durationLabel(185)).toEqual({ key: 'time.minutes', params: { m: '3', s: '5' } });
    expect(clock(65)).toBe('1:05');
    expect(clock(3725)).toBe('1:02:05');
  });

  it('quality is the worse transport, rated by loss, round trip and jitter', () => {
    expect(rateQuality([])).toBe('unknown');
    const good = { rttMs: 20, lossPct: 0, jitterMs: 5 };
    expect(rateQuality([good, undefined])).toBe('good');
    expect(rateQuality([good, { rttMs: 250, lossPct: 0, jitterMs: 5 }])).toBe('fair');
    expect(rateQuality([good, { rttMs: 20, lossPct: 8, jitterMs: 5 }])).toBe('poor');
    expect(rateQuality([{ rttMs: null, lossPct: null, jitterMs: null }])).toBe('good');
  });
});

describe('acceptEndsCurrent', () => {
  const c = (callId: string, state: SoftphoneCall['state']) =>
    ({
      callId,
      state,
      direction: 'incoming',
      waiting: false,
      localMedia: 'audio',
    }) as SoftphoneCall;
  it('only an answered call of this device other than the ringing one', () => {
    expect(acceptEndsCurrent([c('a', 'active'), c('b', 'ringing')], 'b')).toBe(true);
    expect(acceptEndsCurrent([c('a', 'answering'), c('b', 'ringing')], 'b')).toBe(true);
    expect(acceptEndsCurrent([c('a', 'ended'), c('b', 'ringing')], 'b')).toBe(false);
    expect(acceptEndsCurrent([c('a', 'ringback'), c('b', 'ringing')], 'b')).toBe(false);
    expect(acceptEndsCurrent([c('b', 'ringing')], 'b')).toBe(false);
  });
});
