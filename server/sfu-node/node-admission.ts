import { decodeJwt } from 'jose';
import type { UserId } from '../../protocol/index.js';
import type { SfuCallAuthority } from '../sfu/sfu-service.js';
import { TokenError, type TokenService, type VerifiedMediaTicket } from '../tokens.js';

/** How long a node remembers an ended call or a departure: longer than any ticket lives. */
const REMEMBER_MS = 5 * 60_000;

export interface NodeAdmissionOptions {
  /** This node's `/sfu` URL: tickets signed for another node (their audience) are refused. */
  publicUrl: () => string;
  tickets: Pick<TokenService, 'verifyMediaTicket'>;
  /** What the node tells signaling (published on `tp:sfu:events`). */
  report: (
    type: 'mediaFailed' | 'mediaLost' | 'mediaBack',
    callId: string,
    userId?: UserId,
  ) => void;
  now?: () => number;
}

/**
 * Who gets into a room on an SFU node, decided on the node alone: the node holds no sessions and
 * no calls, so the signed ticket is the proof that signaling found the user present in the call
 * on that session's device when it signed it (60 s before at most). On top of its signature,
 * audience (this node) and expiry, and single use (TicketRules in SfuService), the node refuses
 * tickets of calls that ended, and tickets signed before their user left or was removed: the
 * conference control signaling sent here (`tp:to-sfu:<id>`).
 */
export class NodeAdmission implements SfuCallAuthority {
  private readonly ended = new Map<string, number>();
  /** `callId/userId` → when they left (ms); `*\/userId`: the account is gone from every call. */
  private readonly leftAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly o: NodeAdmissionOptions) {
    this.now = o.now ?? Date.now;
  }

  /** SfuService's ticket check: signature, audience, expiry, then this node's memory. */
  async verifyMediaTicket(ticket: string): Promise<VerifiedMediaTicket> {
    const claims = await this.o.tickets.verifyMediaTicket(ticket, this.o.publicUrl());
    const { ims } = decodeJwt(ticket);
    if (typeof ims !== 'number') throw new TokenError('invalid', 'not a ticket for an SFU node');
    if (this.ended.has(claims.callId)) throw new TokenError('invalid', 'the call is over');
    for (const key of [`${claims.callId}/${claims.userId}`, `*/${claims.userId}`]) {
      const left = this.leftAt.get(key);
      if (left === undefined) continue;
      if (ims <= left) throw new TokenError('invalid', 'signed before its user left the call');
      // Back in the call on a ticket signed since (a new invitation, a rejoin).
      this.leftAt.delete(key);
    }
    return claims;
  }

  isParticipant(callId: string, userId: UserId): boolean {
    return (
      !this.ended.has(callId) &&
      !this.leftAt.has(`${callId}/${userId}`) &&
      !this.leftAt.has(`*/${userId}`)
    );
  }

  /** Monitor tickets are signed only for supervisors signaling let monitor the call. */
  mayMonitor(callId: string): boolean {
    return !this.ended.has(callId);
  }

  onMediaFailed(callId: string): void {
    this.o.report('mediaFailed', callId);
  }

  onMediaLost(callId: string, userId: UserId): void {
    this.o.report('mediaLost', callId, userId);
  }

  onMediaBack(callId: string, userId: UserId): void {
    this.o.report('mediaBack', callId, userId);
  }

  participantLeft(callId: string, userId: UserId, at: number): void {
    this.forgetOld();
    this.leftAt.set(`${callId}/${userId}`, at);
  }

  userGone(userId: UserId, at: number): void {
    this.forgetOld();
    this.leftAt.set(`*/${userId}`, at);
  }

  callEnded(callId: string): void {
    this.forgetOld();
    this.ended.set(callId, this.now());
  }

  /** Entries older than any ticket are dropped: a ticket that old is refused by its expiry. */
  private forgetOld(): void {
    const horizon = this.now() - REMEMBER_MS;
    for (const map of [this.ended, this.leftAt]) {
      for (const [key, at] of map) {
        if (at > horizon) break;
        map.delete(key);
      }
    }
  }
}
