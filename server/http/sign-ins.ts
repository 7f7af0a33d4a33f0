import { randomUUID } from 'node:crypto';
import type { TokenResponse, UserId } from '../../protocol/index.js';
import type { Services } from '../signaling/context.js';
import type { RevocationReason } from '../store/types.js';
import { TokenError, type VerifiedToken } from '../tokens.js';
import { HttpError } from './http-kit.js';

/**
 * Sign-ins and their refresh tokens. A login starts a family; every refresh rotates it (a new
 * refresh token, the old one dead). An old token presented again was copied or replayed: the
 * family is revoked, so both holders sign in again. A client must therefore keep only the newest
 * refresh token and never refresh twice with one (core's TokenKeeper refreshes one at a time, and
 * rereads the shared store first, where browser tabs leave the token they rotated to). The token
 * just replaced is accepted for `auth.refreshReuseGraceSec` more, answering the same new refresh
 * token (a retry after a lost answer; two tabs refreshing at the same moment).
 */

/** A new sign-in (`start`), or a refresh with the family's token `fromTokenId`. */
type PairFor = { start: true } | { start: false; fromTokenId: string };

/** Issues the token pair of a sign-in (family) for an account that may sign in. */
async function issuePair(
  services: Services,
  userId: UserId,
  familyId: string,
  pairFor: PairFor,
): Promise<TokenResponse> {
  const account = await services.stores.users.get(userId);
  if (!account || account.disabled) throw new HttpError(401, 'unauthorized', 'account disabled');
  const { families } = services.stores;
  let claims = services.tokens.claimsFor('refresh');
  if (pairFor.start) {
    await families.start({ familyId, userId, token: claims });
  } else {
    const graceMs = services.config.auth.refreshReuseGraceSec * 1000;
    const rotation = await families.rotate(familyId, userId, pairFor.fromTokenId, claims, graceMs);
    if (rotation.outcome === 'reused') {
      services.logger.warn({ userId, familyId }, 'refresh token reused: its sign-in is revoked');
      closeSessions(services, userId, (family) => family === familyId);
    }
    if (rotation.outcome === 'retried') {
      services.logger.info({ userId, familyId }, 'refresh retried within the reuse grace');
      claims = rotation.current;
    } else if (rotation.outcome !== 'rotated') {
      throw new HttpError(401, 'unauthorized', refusal(rotation.outcome));
    }
  }
  const refresh = await services.tokens.signRefresh(userId, familyId, claims);
  const access = await services.tokens.issue(userId, 'access', undefined, familyId);
  return {
    userId,
    displayName: account.displayName,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
  };
}

const refusal = (outcome: 'reused' | 'revoked' | 'unknown'): string =>
  outcome === 'reused'
    ? 'refresh token already used: every token of this sign-in is revoked; sign in again'
    : 'this sign-in was revoked (signed out, password changed or account disabled)';

/** A password login: a new sign-in. */
export function startSignIn(services: Services, userId: UserId): Promise<TokenResponse> {
  return issuePair(services, userId, randomUUID(), { start: true });
}

/** A refresh token checked for signature, kind and expiry: 401 otherwise. */
async function verifiedRefresh(services: Services, refreshToken: string): Promise<VerifiedToken> {
  return services.tokens.verify(refreshToken, 'refresh').catch((error: unknown) => {
    const expired = error instanceof TokenError && error.reason === 'expired';
    throw new HttpError(401, expired ? 'token-expired' : 'unauthorized', 'invalid refresh token');
  });
}

/**
 * A refresh: the family's current token buys the next pair. A refresh token from before families
 * (no `fam` claim) becomes a family of its own at its first use, so it too works once.
 */
export async function rotateSignIn(
  services: Services,
  refreshToken: string,
): Promise<TokenResponse> {
  const token = await verifiedRefresh(services, refreshToken);
  const { userId, tokenId } = token;
  if (token.familyId !== undefined) {
    return issuePair(services, userId, token.familyId, { start: false, fromTokenId: tokenId });
  }
  const familyId = `legacy-${tokenId}`;
  const legacy = {
    tokenId,
    issuedAtSec: token.issuedAtSec,
    expiresAtSec: Math.floor(token.expiresAt / 1000),
  };
  await services.stores.families.start({ familyId, userId, token: legacy });
  return issuePair(services, userId, familyId, { start: false, fromTokenId: tokenId });
}

/**
 * Signs out with a refresh token: this sign-in (`device`), or every sign-in of its user
 * (`everywhere`). The sessions signed in with them are closed (`session.closing signed-out`).
 * Signing out with an expired or already revoked token is not an error: the outcome is the same.
 */
export async function signOut(
  services: Services,
  refreshToken: string,
  scope: 'device' | 'everywhere',
): Promise<{ revoked: number }> {
  const token = await services.tokens.verify(refreshToken, 'refresh').catch((error: unknown) => {
    if (error instanceof TokenError && error.reason === 'expired') return undefined;
    throw new HttpError(401, 'unauthorized', 'invalid refresh token');
  });
  if (!token) return { revoked: 0 };
  const { userId, familyId } = token;
  const { families } = services.stores;
  if (scope === 'everywhere') {
    // Only a live sign-in may sign the others out: a revoked token proves nothing any more.
    if (familyId === undefined || (await families.revokedAmong([familyId])).has(familyId)) {
      throw new HttpError(401, 'unauthorized', 'this sign-in was revoked');
    }
    return { revoked: await revokeEverySignIn(services, userId, 'signed-out-everywhere') };
  }
  if (familyId === undefined) return { revoked: 0 };
  const revoked = await families.revoke(familyId, userId, 'signed-out');
  closeSessions(services, userId, (family) => family === familyId);
  services.logger.info({ userId, familyId }, 'signed out on one device');
  return { revoked: revoked ? 1 : 0 };
}

/**
 * Revokes every sign-in of the user and closes the sessions opened with them (`signed-out`).
 * Sessions on tokens the business server minted belong to no sign-in and stay.
 */
export async function revokeEverySignIn(
  services: Services,
  userId: UserId,
  reason: RevocationReason,
): Promise<number> {
  const revoked = await services.stores.families.revokeAllOf(userId, reason);
  closeSessions(services, userId, (family) => family !== undefined);
  services.logger.info({ userId, revoked, reason }, 'every sign-in of the user revoked');
  return revoked;
}

function closeSessions(
  services: Services,
  userId: UserId,
  ofFamily: (familyId: string | undefined) => boolean,
): void {
  for (const session of [...services.sessions.sessionsOf(userId)]) {
    if (ofFamily(session.familyId)) session.close('signed-out');
  }
}
