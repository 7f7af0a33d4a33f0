import type { Socket } from 'node:net';
import type { TrustedProxies } from './client-address.js';

/**
 * Open TCP connections per client address, so that one address cannot take every socket of
 * the server. The cap is generous (an office behind one NAT address shares it); a connection
 * over it is refused when it asks for something (HTTP 429, 503 on upgrade), and the ones
 * already open are untouched.
 *
 * A connection from a trusted proxy is not counted as itself (it carries many clients): a
 * WebSocket upgrade through it is counted for the client address it forwards (`trackForwarded`).
 * Plain HTTP requests through a proxy share its keep-alive connections and are left to the
 * proxy's own per-source limits (deploy/haproxy/haproxy.cfg).
 */
export class AddressConnections {
  private readonly open = new Map<string, number>();
  /** Sockets that were over the cap when they connected. */
  private readonly over = new WeakSet<Socket>();

  constructor(
    private readonly cap: number,
    private readonly proxies: TrustedProxies,
  ) {}

  /** Counts a new connection until it closes (a trusted proxy's is not counted). */
  track(socket: Socket): void {
    if (this.proxies.isTrusted(socket.remoteAddress)) return;
    this.count(socket, socket.remoteAddress ?? 'unknown');
  }

  /** Counts a proxy's upgraded connection for the client it carries, until it closes. */
  trackForwarded(socket: Socket, clientAddress: string): void {
    this.count(socket, clientAddress);
  }

  private count(socket: Socket, address: string): void {
    const count = (this.open.get(address) ?? 0) + 1;
    this.open.set(address, count);
    if (count > this.cap) this.over.add(socket);
    socket.once('close', () => {
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
  }

  isOverCap(socket: Socket): boolean {
    return this.over.has(socket);
  }

  /** Open connections from this address (for tests and metrics). */
  countOf(address: string): number {
    return this.open.get(address) ?? 0;
  }
}
