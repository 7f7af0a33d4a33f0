import { describe, expect, it } from 'vitest';
import { deepLinkFromArgv, parseDeepLink } from './deep-link.js';

describe('parseDeepLink', () => {
  it.each([
    ['trayphone://call/bob', { target: 'bob', media: 'audio' }],
    ['trayphone://call/Bob.Smith?media=video', { target: 'bob.smith', media: 'video' }],
    ['trayphone://call/bob/?media=audio#x', { target: 'bob', media: 'audio' }],
    ['TRAYPHONE://CALL/bob', { target: 'bob', media: 'audio' }],
    ['trayphone:call/alice', { target: 'alice', media: 'audio' }],
    ['tel:1234', { target: '1234', media: 'audio' }],
    ['tel:(12)%2034-56;phone-context=pbx.example.com', { target: '123456', media: 'audio' }],
    ['callto:alice', { target: 'alice', media: 'audio' }],
    ['callto://Alice/', { target: 'alice', media: 'audio' }],
    ['callto:12-34', { target: '1234', media: 'audio' }],
    ['sip:bob@pbx.example.com', { target: 'bob', media: 'audio' }],
    ['sip:bob@pbx.example.com;transport=tls?subject=hi', { target: 'bob', media: 'audio' }],
    ['sips:carol_1@example.com', { target: 'carol_1', media: 'audio' }],
  ])('%s → %o', (link, expected) => {
    expect(parseDeepLink(link)).toEqual(expected);
  });

  it.each([
    ['another scheme', 'https://evil.example/call/bob'],
    ['javascript', 'javascript:alert(1)'],
    ['file', 'file:///etc/passwd'],
    ['unknown action', 'trayphone://hangup/bob'],
    ['extra path', 'trayphone://call/bob/extra'],
    ['path traversal', 'trayphone://call/..%2F..%2Fetc'],
    ['encoded slash', 'trayphone://call/bob%2Fadmin'],
    ['no target', 'trayphone://call/'],
    ['bad media', 'trayphone://call/bob?media=screen'],
    ['control characters', 'trayphone://call/bob%0Aevil'],
    ['null byte', 'trayphone://call/bob%00'],
    ['broken escape', 'trayphone://call/%E0%A4%A'],
    ['script in user', 'trayphone://call/<script>'],
    ['quotes', "sip:'bob'@x"],
    ['letters in number', 'tel:555-CALL-NOW'],
    // The dialer dials user ids (no PSTN gateway): numbers it would reject are not pre-filled.
    ['international number', 'tel:+1-555-0100'],
    ['service code', 'tel:*21%23'],
    ['callto international', 'callto:+15550100'],
    ['callto script', 'callto:<script>'],
    ['too long number', `tel:${'1'.repeat(40)}`],
    ['empty tel', 'tel:'],
    ['too long link', `trayphone://call/${'a'.repeat(600)}`],
    ['not a string', 42],
    ['empty', ''],
    ['user id too long', `sip:${'a'.repeat(70)}@x`],
    ['unicode lookalike', 'trayphone://call/bоb'],
  ])('refuses %s', (_why, link) => {
    expect(parseDeepLink(link)).toBeUndefined();
  });
});

describe('deepLinkFromArgv', () => {
  it('finds the link among Chromium switches and paths', () => {
    expect(
      deepLinkFromArgv([
        '/opt/Trayphone/trayphone',
        '--allow-file-access-from-files',
        '--hidden',
        'trayphone://call/bob?media=video',
      ]),
    ).toEqual({ target: 'bob', media: 'video' });
  });

  it('ignores flags that merely contain a link, and invalid links', () => {
    expect(deepLinkFromArgv(['app', '--x=trayphone://call/bob', 'tel:abc'])).toBeUndefined();
    expect(deepLinkFromArgv(['app', 'tel:abc', 'sip:alice@h'])).toEqual({
      target: 'alice',
      media: 'audio',
    });
  });
});
