import { describe, expect, it } from 'vitest';
import { audibleIncoming, parseRoute } from './route.js';

describe('routes', () => {
  it('tabs, and contacts for anything unknown', () => {
    expect(parseRoute('#/history')).toEqual({ name: 'history' });
    expect(parseRoute('')).toEqual({ name: 'contacts' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'contacts' });
  });

  it('a ringing window rings unless its URL says silent', () => {
    expect(parseRoute('#/ringing/c%201')).toEqual({
      name: 'ringing',
      callId: 'c 1',
      silent: false,
    });
    expect(parseRoute('#/ringing/c%201?silent=1')).toEqual({
      name: 'ringing',
      callId: 'c 1',
      silent: true,
    });
    expect(parseRoute('#/ringing/c1?silent=0')).toMatchObject({ callId: 'c1', silent: false });
    expect(parseRoute('#/ringing')).toEqual({ name: 'contacts' });
  });

  it("reads what main's ringing windows are opened with (main/ringing: ringingRoute)", () => {
    // ringingRoute('call/ä?1', false): the id URI-encoded, so its own '?' cannot pass as a flag.
    expect(parseRoute('#/ringing/call%2F%C3%A4%3F1?silent=1')).toEqual({
      name: 'ringing',
      callId: 'call/ä?1',
      silent: true,
    });
  });

  it('in one page, only the first ringing invitation plays the ringtone', () => {
    expect(audibleIncoming([])).toBeUndefined();
    expect(audibleIncoming([{ callId: 'c1' }, { callId: 'c2' }])).toBe('c1');
  });
});
