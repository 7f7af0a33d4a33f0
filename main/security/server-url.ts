import { isIP } from 'node:net';

/**
 * Passwords and tokens cross the connection to the server: plain `http:`/`ws:` is accepted only
 * for this machine itself (a local test server), or when IT explicitly allows it for a lab
 * (`allowInsecureServer` in the policy). Everything else must be `https:`/`wss:`.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/** Why this server URL is refused, or undefined when it may be used. */
export function insecureServerReason(url: string, allowInsecure: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${url.slice(0, 200)}`;
  }
  switch (parsed.protocol) {
    case 'https:':
    case 'wss:':
      return undefined;
    case 'http:':
    case 'ws:':
      if (allowInsecure || isLoopbackHost(parsed.hostname)) return undefined;
      return (
        `plain ${parsed.protocol.slice(0, -1)} to ${parsed.host} is refused (passwords and tokens ` +
        `would cross the network in clear): use https, or IT policy allowInsecureServer for a lab`
      );
    default:
      return `${parsed.protocol} is not a server URL scheme`;
  }
}

/** The same check, as the guard in front of the main process's fetch and WebSocket. */
export function assertSecureServerUrl(url: string, allowInsecure: boolean): void {
  const reason = insecureServerReason(url, allowInsecure);
  if (reason !== undefined) throw new InsecureServerError(reason);
}

export class InsecureServerError extends Error {
  override readonly name = 'InsecureServerError';
  readonly code = 'insecure-server';
}
