import type { MediaTicketClaims } from '../../protocol/index.js';
import type { TokenService } from '../tokens.js';

/** Who signs media tickets, and for which SFU URL: the in-process SFU or the call's SFU node. */
export interface MediaTicketIssuer {
  issue(
    claims: MediaTicketClaims,
    ttlSec: number,
  ): Promise<{ ticket: string; expiresAt: number; sfuUrl: string }>;
}

/** Embedded mode: tickets signed with the server's own key, for its own `/sfu`. */
export function inProcessTickets(
  tokens: Pick<TokenService, 'issueMediaTicket'>,
  sfuUrl: () => string,
): MediaTicketIssuer {
  return {
    async issue(claims, ttlSec) {
      return { ...(await tokens.issueMediaTicket(claims, ttlSec)), sfuUrl: sfuUrl() };
    },
  };
}
