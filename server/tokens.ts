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

/** What a token is signed over besides its subject, kind and family. */
export interface IssuedClaims {
  /** The token's `jti`. */
  tokenId: string;
  /** `iat` and `exp`, epoch seconds. */
  issuedAtSec: number;
  expiresAtSec: number;
}

export interface IssuedToken {
  token: string;
  /** The token's `jti`. */
  tokenId: string;
  /** `iat`, epoch seconds. */
  issuedAtSec: number;
  /** Epoch ms. */
  expiresAt: number;
}

export interface VerifiedToken {
  userId: UserId;
  expiresAt: number;
  tokenId: string;
  /** `iat`, epoch seconds (the expiry's when a token has none). */
  issuedAtSec: number;
  /** The sign-in it belongs to; absent on minted tokens (and refresh tokens from before it). */
  familyId?: string;
}

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

  /**
   * A token of `kind`. Tokens of a sign-in carry its family (`fam`): refresh tokens so that a
   * refresh finds the family to rotate, access tokens so that revoking the family (sign-out)
   * also refuses them at `hello` and `session.renew`. Minted tokens (admin API) have none.
   */
  issue(userId: UserId, kind: TokenKind, ttlSec?: number, familyId?: string): Promise<IssuedToken> {
    return this.sign(userId, kind, this.claimsFor(kind, ttlSec), familyId);
  }

  /** The id and times of a new token of `kind`, not signed yet (a rotation stores them first). */
  claimsFor(kind: TokenKind, ttlSec?: number): IssuedClaims {
    const lifetime = ttlSec ?? (kind === 'access' ? this.ttl.accessSec : this.ttl.refreshSec);
    const issuedAtSec = Math.floor(Date.now() / 1000);
    return { tokenId: randomUUID(), issuedAtSec, expiresAtSec: issuedAtSec + lifetime };
  }

  /**
   * The refresh token of a sign-in with these claims. Signing the same claims again gives the
   * same string (HS256 is deterministic): a refresh retried within the reuse grace gets the very
   * token the first one got, so that two tabs sharing a sign-in end up holding the same one.
   */
  signRefresh(userId: UserId, familyId: string, claims: IssuedClaims): Promise<IssuedToken> {
    return this.sign(userId, 'refresh', claims, familyId);
  }

  private async sign(
    userId: UserId,
    kind: TokenKind,
    { tokenId, issuedAtSec, expiresAtSec }: IssuedClaims,
    familyId: string | undefined,
  ): Promise<IssuedToken> {
    const token = await new SignJWT({
      typ: kind,
      ...(familyId === undefined ? {} : { fam: familyId }),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(userId)
      .setJti(tokenId)
      .setIssuedAt(issuedAtSec)
      .setExpirationTime(expiresAtSec)
      .sign(this.key);
    return { token, tokenId, issuedAtSec, expiresAt: expiresAtSec * 1000 };
  }

  /** Returns who a valid token of the given kind is for, and its ids; throws TokenError. */
  async verify(token: string, kind: TokenKind): Promise<VerifiedToken> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
      });
      const userId = userIdSchema.safeParse(payload.sub);
      const { exp, jti, fam } = payload;
      const familyOk = fam === undefined || typeof fam === 'string';
      if (payload.typ !== kind || !userId.success || exp === undefined || !familyOk) {
        throw new TokenError('invalid', `not a ${kind} token`);
      }
      return {
        userId: userId.data,
        expiresAt: exp * 1000,
        tokenId: jti ?? '',
        issuedAtSec: payload.iat ?? exp,
        ...(typeof fam === 'string' ? { familyId: fam } : {}),
      };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'token expired');
      throw new TokenError('invalid', 'token invalid');
    }
  }

  /**
   * A media ticket: short-lived, for one call and one user. With `audience` (an SFU node's URL,
   * server/sfu-node) only that node takes it, and it carries its signing time in ms (`ims`).
   */
  async issueMediaTicket(
    claims: MediaTicketClaims,
    ttlSec: number,
    audience?: string,
  ): Promise<{ ticket: string; expiresAt: number }> {
    const nowMs = Date.now();
    const nowSec = Math.floor(nowMs / 1000);
    const jwt = new SignJWT({
      typ: 'media',
      callId: claims.callId,
      role: claims.role,
      ...(claims.target === undefined ? {} : { target: claims.target }),
      ...(claims.sessionId === undefined ? {} : { sid: claims.sessionId }),
      ...(audience === undefined ? {} : { ims: nowMs }),
    });
    if (audience !== undefined) jwt.setAudience(audience);
    const ticket = await jwt
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setJti(randomUUID())
      .setIssuedAt(nowSec)
      .setExpirationTime(nowSec + ttlSec)
      .sign(this.key);
    return { ticket, expiresAt: (nowSec + ttlSec) * 1000 };
  }

  /** With `audience`: only tickets signed for it (an SFU node checks its own URL). */
  async verifyMediaTicket(ticket: string, audience?: string): Promise<VerifiedMediaTicket> {
    try {
      const { payload } = await jwtVerify(ticket, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        ...(audience === undefined ? {} : { audience }),
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
