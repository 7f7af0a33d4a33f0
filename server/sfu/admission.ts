import type { UserId } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { VerifiedMediaTicket } from '../tokens.js';

export interface TicketRulesOptions {
  /**
   * Is this signaling session still signed in for this user? Without it (an SFU on its own, in
   * tests) tickets are single use but bound to no session.
   */
  sessionLive?: (sessionId: string, userId: UserId) => boolean;
  now?: () => number;
}

/**
 * What makes a media ticket good once, beyond its signature and expiry:
 * - single use: a ticket joins one socket one time; a replay (another socket, the same ticket)
 *   is refused and the peer it admitted stays in. Remembered by ticket id until it expires,
 *   after which its signature check refuses it anyway, so memory is bounded by the tickets
 *   issued in one ticket lifetime.
 * - bound to the signaling session that asked for it: once that session is gone (signed out,
 *   replaced, disabled, expired), its tickets admit nobody; the device asks again when it is
 *   back, and gets a ticket of its new session.
 */
export class TicketRules {
  /** Ticket ids seen, with their expiry; inserted in issue order, so roughly expiry order. */
  private readonly spent = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly o: TicketRulesOptions = {}) {
    this.now = o.now ?? Date.now;
  }

  /** Spends the ticket, or throws `unauthorized` saying why it admits nobody. */
  spend(ticket: VerifiedMediaTicket): void {
    this.forgetExpired();
    if (this.spent.has(ticket.ticketId)) {
      throw new ProtocolError('unauthorized', 'this media ticket was used already');
    }
    if (this.o.sessionLive) {
      const { sessionId } = ticket;
      if (sessionId === undefined || !this.o.sessionLive(sessionId, ticket.userId)) {
        throw new ProtocolError(
          'unauthorized',
          'the session that asked for this media ticket has ended',
        );
      }
    }
    this.spent.set(ticket.ticketId, ticket.expiresAt);
  }

  /** Tickets remembered now (tests: memory stays bounded). */
  size(): number {
    return this.spent.size;
  }

  private forgetExpired(): void {
    const now = this.now();
    // Lifetimes differ a little (participant and monitor tickets): an entry that expires later
    // than one behind it only stays that much longer.
    for (const [ticketId, expiresAt] of this.spent) {
      if (expiresAt > now) return;
      this.spent.delete(ticketId);
    }
  }
}
