import type { Socket } from 'node:net';

/**
 * Open TCP connections per client address, so that one address cannot take every socket of
 * the server. The cap is generous (an office behind one NAT address shares it); a connection
 * over it is refused when it asks for something (HTTP 429, 503 on upgrade), and the ones
 * already open are untouched.
 */
export class AddressConnections {
  private readonly open = new Map<string, number>();
  /** Sockets that were over the cap when they connected. */
  private readonly over = new WeakSet<Socket>();

  constructor(private readonly cap: number) {}

  /** Counts a new connection until it closes. */
  track(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
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
