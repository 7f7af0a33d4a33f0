import tls from 'node:tls';
import type { Log } from '../log/log.js';

/**
 * The certificates main's Node sockets trust: Node's bundled Mozilla list plus the OS's trust
 * store (where a company installs its TLS-inspection CA), so signaling works where the
 * renderer's Chromium already does. `tls.getCACertificates('system')` reads the OS store
 * (Windows' ROOT/CA stores, the macOS keychain, the OpenSSL paths on Linux); it exists from
 * Node 22.15 / 23.10, which Electron's Node has and this repository's test Node (20) has not,
 * hence the feature test. `session.setCertificateVerifyProc` only ever sees Chromium's
 * connections, never Node's, so it cannot do this.
 */
export type CaSource = 'default' | 'system';
export interface CaApi {
  getCACertificates?: (source: CaSource) => string[];
}

export type TrustedCertificates =
  | { kind: 'with-system'; certificates: string[]; system: number }
  | { kind: 'node-default'; reason: string };

/** Node's own list plus the OS's, deduplicated; or why only Node's list applies. */
export function trustedCertificates(api: CaApi): TrustedCertificates {
  const read = api.getCACertificates;
  if (typeof read !== 'function') {
    return { kind: 'node-default', reason: 'this Node cannot read the system trust store' };
  }
  try {
    const system = read('system');
    const certificates = [...new Set([...read('default'), ...system])];
    return { kind: 'with-system', certificates, system: system.length };
  } catch (error) {
    return { kind: 'node-default', reason: `system trust store unreadable: ${String(error)}` };
  }
}

/** The `ca` option for main's TLS sockets (undefined: Node's default list), logged once. */
export function signalingCa(log: Log, api: CaApi = tls as CaApi): string[] | undefined {
  const trusted = trustedCertificates(api);
  if (trusted.kind === 'node-default') {
    log.warn({ reason: trusted.reason }, 'signaling trusts only Node’s bundled CAs');
    return undefined;
  }
  log.info({ system: trusted.system }, 'signaling trusts the system CAs too');
  return trusted.certificates;
}
