import { describe, expect, it } from 'vitest';
import { memoryLog } from '../log/log.js';
import { signalingCa, trustedCertificates } from './system-ca.js';

describe('the system CAs for Node sockets', () => {
  it("Node's list plus the OS's, without duplicates", () => {
    const api = {
      getCACertificates: (source: 'default' | 'system') =>
        source === 'default' ? ['A', 'B'] : ['B', 'CORP'],
    };
    expect(trustedCertificates(api)).toEqual({
      kind: 'with-system',
      certificates: ['A', 'B', 'CORP'],
      system: 2,
    });
    const log = memoryLog();
    expect(signalingCa(log, api)).toEqual(['A', 'B', 'CORP']);
    expect(log.lines[0]).toMatchObject({ level: 'info', fields: { system: 2 } });
  });

  it("a Node without the API, or an unreadable store: Node's default list, and a warning", () => {
    expect(trustedCertificates({})).toMatchObject({ kind: 'node-default' });
    const throwing = {
      getCACertificates: () => {
        throw new Error('keychain locked');
      },
    };
    expect(trustedCertificates(throwing)).toEqual({
      kind: 'node-default',
      reason: 'system trust store unreadable: Error: keychain locked',
    });
    const log = memoryLog();
    expect(signalingCa(log, {})).toBeUndefined();
    expect(log.lines[0]?.level).toBe('warn');
  });
});
