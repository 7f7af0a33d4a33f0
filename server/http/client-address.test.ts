import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { TrustedProxies, parseAddressRange } from './client-address.js';

const from = (remoteAddress: string, forwarded?: string | string[]): IncomingMessage =>
  ({
    socket: { remoteAddress },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage;

describe('TrustedProxies.clientAddress', () => {
  const proxies = new TrustedProxies(['10.0.0.0/24', 'fd00::1']);

  it('is the socket address when the peer is not a trusted proxy, whatever it claims', () => {
    expect(proxies.clientAddress(from('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
    expect(new TrustedProxies([]).clientAddress(from('10.0.0.2', '198.51.100.1'))).toBe('10.0.0.2');
  });

  it('is the rightmost untrusted hop behind trusted proxies (left entries are the client’s claims)', () => {
    expect(proxies.clientAddress(from('10.0.0.2', '198.51.100.1, 203.0.113.7'))).toBe(
      '203.0.113.7',
    );
    expect(proxies.clientAddress(from('10.0.0.2', '203.0.113.7, 10.0.0.9'))).toBe('203.0.113.7');
    // Node joins repeated headers; an array is read the same way.
    expect(proxies.clientAddress(from('::ffff:10.0.0.2', ['1.2.3.4', '203.0.113.8']))).toBe(
      '203.0.113.8',
    );
    expect(proxies.clientAddress(from('fd00::1', 'junk, 2001:db8::5'))).toBe('2001:db8::5');
  });

  it('falls back to the first hop, or the proxy, when only proxies are in the chain', () => {
    expect(proxies.clientAddress(from('10.0.0.2', '10.0.0.3'))).toBe('10.0.0.3');
    expect(proxies.clientAddress(from('10.0.0.2'))).toBe('10.0.0.2');
    expect(proxies.clientAddress(from('10.0.0.2', 'not-an-address'))).toBe('10.0.0.2');
  });

  it('matches IPv4-mapped peers and ranges', () => {
    expect(proxies.isTrusted('::ffff:10.0.0.200')).toBe(true);
    expect(proxies.isTrusted('10.0.1.1')).toBe(false);
    expect(proxies.isTrusted(undefined)).toBe(false);
  });
});

describe('parseAddressRange', () => {
  it('takes addresses and CIDR ranges of either family, and nothing else', () => {
    expect(parseAddressRange('10.0.0.0/8')).toEqual({
      address: '10.0.0.0',
      family: 'ipv4',
      prefix: 8,
    });
    expect(parseAddressRange('fd00::/8')?.family).toBe('ipv6');
    expect(parseAddressRange('10.0.0.1')?.prefix).toBeUndefined();
    for (const bad of [
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0/8',
      'host',
      '10.0.0.1/8/1',
      '10.0.0.1/x',
    ]) {
      expect(parseAddressRange(bad)).toBeUndefined();
    }
  });
});
