import type { UserId } from '../../protocol/index.js';
import { ProtocolError } from '../../protocol/index.js';
import type { SignInFamilyStore, UserStore } from '../store/types.js';
import { TokenError, type TokenService } from '../tokens.js';

/**
 * Checks an access token as `hello` and `session.renew` both must: signature, kind, expiry, a
 * sign-in (family) not revoked, and an account that exists and is not disabled. Returns who it
 * is for and until when; throws `token-expired` or `unauthorized`.
 */
export async function verifyAccessToken(
  tokens: TokenService,
  stores: { users: Pick<UserStore, 'get'>; families: Pick<SignInFamilyStore, 'revokedAmong'> },
  token: string,
): Promise<{ userId: UserId; expiresAt: number; displayName: string; familyId?: string }> {
  const verified = await tokens.verify(token, 'access').catch((error: unknown) => {
    if (error instanceof TokenError && error.reason === 'expired') {
      throw new ProtocolError('token-expired', 'the access token has expired');
    }
    throw new ProtocolError('unauthorized', 'invalid token');
  });
  const { userId, expiresAt, familyId } = verified;
  if (familyId !== undefined && (await stores.families.revokedAmong([familyId])).has(familyId)) {
    throw new ProtocolError('unauthorized', 'this sign-in was revoked; sign in again');
  }
  const account = await stores.users.get(userId);
  if (!account || account.disabled) throw new ProtocolError('unauthorized', 'account disabled');
  return {
    userId,
    expiresAt,
    displayName: account.displayName,
    ...(familyId === undefined ? {} : { familyId }),
  };
}
