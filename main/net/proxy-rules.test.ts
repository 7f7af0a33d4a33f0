import { describe, expect, it } from 'vitest';
import { chooseProxyRoute } from './proxy-rules.js';

describe("chooseProxyRoute (Electron's resolveProxy answer)", () => {
  it('DIRECT, or the first HTTP proxy', () => {
    expect(chooseProxyRoute('DIRECT')).toEqual({ route: { kind: 'direct' }, skipped: [] });
    expect(chooseProxyRoute('PROXY proxy.corp.example:8080; DIRECT')).toEqual({
      route: { kind: 'http-connect', host: 'proxy.corp.example', port: 8080 },
      skipped: [],
    });
    expect(chooseProxyRoute(' proxy [fd00::1]:3128 ').route).toEqual({
      kind: 'http-connect',
      host: 'fd00::1',
      port: 3128,
    });
  });

  it('skips what it cannot tunnel through and takes the next entry', () => {
    expect(chooseProxyRoute('SOCKS5 s:1080; HTTPS h:443; PROXY p:3128')).toEqual({
      route: { kind: 'http-connect', host: 'p', port: 3128 },
      skipped: ['SOCKS5 s:1080', 'HTTPS h:443'],
    });
    expect(chooseProxyRoute('SOCKS s:1080')).toEqual({
      route: { kind: 'direct' },
      skipped: ['SOCKS s:1080'],
    });
  });

  it('malformed entries are skipped, never half-used', () => {
    for (const bad of ['PROXY p', 'PROXY p:0', 'PROXY p:70000', 'PROXY p:80 extra', 'DIRECT x']) {
      expect(chooseProxyRoute(bad)).toEqual({ route: { kind: 'direct' }, skipped: [bad] });
    }
    expect(chooseProxyRoute('')).toEqual({ route: { kind: 'direct' }, skipped: [] });
  });
});
