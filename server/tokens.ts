import { randomUUID } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { MediaTicketClaims, UserId } from '../protocol/index.js';
import { mediaTicketClaimsSchema, userIdSchema } from '../protocol/index.js';

/**
 * Signed short-lived tokens (HS256 JWTs). Access tokens open a signaling session; refresh tokens
 * only buy new tokens; media tickets admit one participant to one call's media room. `typ` keeps
 * one from being used as another.
 */
export type TokenKind = 'access' | 'refresh';

/** A media ticket whose signature and expiry were checked: its claims, id and expiry. */
export type VerifiedMediaTicket = MediaTicketClaims & { ticketId: string; expiresAt: number };

export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

const ISSUER = 'trayphone';

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttl: { accessSec: number; refreshSec: number },
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(
    userId: UserId,
    kind: TokenKind,
    ttlSec?: number,
  ): Promise<{ token: string; expiresAt: number }> {
    const lifetime = ttlSec ?? (kind === 'access' ? this.ttl.accessSec : this.ttl.refreshSec);
    const nowSec = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ typ: kind })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + lifetime)
      .sign(this.key);
    return { token, expiresAt: (nowSec + lifetime) * 1000 };
  }

  /** Returns the user id and expiry of a valid token of the given kind; throws TokenError. */
  async verify(token: string, kind: TokenKind): Promise<{ userId: UserId; expiresAt: number }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
      });
      const userId = userIdSchema.safeParse(payload.sub);
      if (payload.typ !== kind || !userId.success || payload.exp === undefined) {
        throw new TokenError('invalid', `not a ${kind} token`);
      }
      return { userId: userId.data, expiresAt: payload.exp * 1000 };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'token expired');
      throw new TokenError('invalid', 'token invalid');
    }
  }

  /** A media ticket: short-lived, for one call and one user. */
  async issueMediaTicket(
    claims: MediaTicketClaims,
    ttlSec: number,
  ): Promise<{ ticket: string; expiresAt: number }> {
    const nowSec = Math.floor(Date.now() / 1000);
    const ticket = await new SignJWT({
      typ: 'media',
      callId: claims.callId,
      role: claims.role,
      ...(claims.target === undefined ? {} : { target: claims.target }),
      ...(claims.sessionId === undefined ? {} : { sid: claims.sessionId }),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setJti(randomUUID())
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + ttlSec)
      .sign(this.key);
    return { ticket, expiresAt: (nowSec + ttlSec) * 1000 };
  }

  async verifyMediaTicket(ticket: string): Promise<VerifiedMediaTicket> {
    try {
      const { payload } = await jwtVerify(ticket, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
      });
      const claims = mediaTicketClaimsSchema.safeParse({
        callId: payload.callId,
        userId: payload.sub,
        role: payload.role,
        target: payload.target,
        sessionId: payload.sid,
      });
      const { jti, exp } = payload;
      if (payload.typ !== 'media' || !claims.success || jti === undefined || exp === undefined) {
        throw new TokenError('invalid', 'not a media ticket');
      }
      return { ...claims.data, ticketId: jti, expiresAt: exp * 1000 };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'ticket expired');
      throw new TokenError('invalid', 'ticket invalid');
    }
  }
}
