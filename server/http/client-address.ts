import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Who a request is really from when the server sits behind load balancers. A connection from a
 * trusted proxy (`limits.trustedProxies`) carries many clients: its own address says nothing
 * about them, so the per-address limits use the client address the proxy wrote into
 * `X-Forwarded-For` instead. The header is read from the right: each proxy appends the address
 * it saw, so the rightmost entry that is not a trusted proxy is the client (entries left of it
 * are whatever the client claimed). A connection from anyone else is its own address, whatever
 * headers it sends.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly any: boolean;

  /** `entries` are addresses or CIDR ranges (already validated by the config schema). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const range = parseAddressRange(entry);
      if (!range) throw new Error(`not an address or CIDR range: ${entry}`);
      if (range.prefix === undefined) this.list.addAddress(range.address, range.family);
      else this.list.addSubnet(range.address, range.prefix, range.family);
    }
    this.any = entries.length > 0;
  }

  isTrusted(address: string | undefined): boolean {
    if (!this.any || !address) return false;
    const plain = unmapped(address);
    const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
    return isIP(plain) !== 0 && this.list.check(plain, family);
  }

  /** The client's address: the socket's, or the forwarded one when the socket is a proxy's. */
  clientAddress(req: IncomingMessage): string {
    const peer = req.socket.remoteAddress ?? 'unknown';
    if (!this.isTrusted(peer)) return unmapped(peer);
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((hop) => unmapped(hop.trim()))
      .filter((hop) => isIP(hop) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      if (hop !== undefined && !this.isTrusted(hop)) return hop;
    }
    // Only proxies in the chain (a health check, or a proxy's own request).
    return hops[0] ?? unmapped(peer);
  }
}

/** `::ffff:10.0.0.1` (an IPv4 client of a dual-stack socket) is 10.0.0.1. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** An address (`10.0.0.5`, `fd00::1`) or a CIDR range (`10.0.0.0/8`), or undefined. */
export function parseAddressRange(
  entry: string,
): { address: string; family: 'ipv4' | 'ipv6'; prefix: number | undefined } | undefined {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family, prefix: undefined };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address, family, prefix };
}
