import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { FakeProtocolRegistry } from '../testing/fakes.js';
import { ProtocolClaims } from './protocol-claims.js';

function claims(os: FakeProtocolRegistry, packaged = true) {
  return new ProtocolClaims({ client: os.port(), record: os.record(), packaged, log: memoryLog() });
}

describe('ProtocolClaims', () => {
  it('claims nothing while click-to-call is off (the default)', () => {
    const os = new FakeProtocolRegistry();
    os.handlers.set('tel', 'skype');
    claims(os).apply(false);
    expect(os.claims).toBe(0);
    expect(os.handlers.get('tel')).toBe('skype');
  });

  it('an unpackaged (dev) binary never registers, even opted in', () => {
    const os = new FakeProtocolRegistry();
    claims(os, false).apply(true);
    expect(os.claims).toBe(0);
    expect(os.handlers.size).toBe(0);
  });

  it('opting in claims tel:, sip:, sips:, callto: once and remembers them', () => {
    const os = new FakeProtocolRegistry();
    claims(os).apply(true);
    expect([...os.handlers.entries()].sort()).toEqual([
      ['callto', 'trayphone'],
      ['sip', 'trayphone'],
      ['sips', 'trayphone'],
      ['tel', 'trayphone'],
    ]);
    expect(os.stored).toEqual(['tel', 'sip', 'sips', 'callto']);
  });

  it('a scheme the user gave to another app is not taken back at the next starts', () => {
    const os = new FakeProtocolRegistry();
    claims(os).apply(true);
    const claimed = os.claims;
    os.handlers.set('tel', 'teams'); // the user picked Teams for tel: in the OS settings
    claims(os).apply(true); // next start
    claims(os).apply(true); // and the one after
    expect(os.claims).toBe(claimed);
    expect(os.handlers.get('tel')).toBe('teams');
    expect(os.handlers.get('sip')).toBe('trayphone');
  });

  it('turning it off gives back what is still ours; turning it on again is a new opt-in', () => {
    const os = new FakeProtocolRegistry();
    claims(os).apply(true);
    os.handlers.set('callto', 'skype');
    claims(os).apply(false);
    expect([...os.handlers.entries()]).toEqual([['callto', 'skype']]);
    expect(os.stored).toEqual([]);
    claims(os).apply(true);
    expect(os.handlers.get('tel')).toBe('trayphone');
    expect(os.handlers.get('callto')).toBe('trayphone');
  });

  it('a malformed claim record is ignored, not trusted', () => {
    const os = new FakeProtocolRegistry();
    os.stored = ['tel', 'https'];
    claims(os).apply(true);
    expect(os.handlers.get('tel')).toBe('trayphone');
    expect(os.handlers.has('https')).toBe(false);
  });
});
