import { ProtocolError } from '../../../protocol/index.js';
import { verifyAccessToken } from '../access-token.js';
import type { HandlerTable } from './types.js';

export const sessionHandlers: HandlerTable<'session.renew'> = {
  /**
   * A fresh access token moves the session's deadline to its expiry. It is checked as at hello
   * and must be the same user's: access tokens carry no device, so a token of this account is
   * as good as the one the session signed in with. Any refusal changes nothing.
   */
  'session.renew': async ({ session, services }, { accessToken }) => {
    const { tokens, stores, logger } = services;
    const { userId, expiresAt, familyId } = await verifyAccessToken(tokens, stores, accessToken);
    if (userId !== session.userId) {
      logger.warn(
        { userId: session.userId, deviceId: session.device.id, tokenUserId: userId },
        'session renew with a token of another user refused',
      );
      throw new ProtocolError('unauthorized', 'the token is for another user');
    }
    // An older token (a retry that crossed a newer renew) never shortens the deadline.
    if (expiresAt > session.expiresAt) session.expiresAt = expiresAt;
    // Signed in anew on this device (a new family): the session belongs to that sign-in now.
    session.familyId = familyId;
    logger.debug(
      { userId, deviceId: session.device.id, expiresAt: session.expiresAt },
      'session renewed',
    );
    return { sessionExpiresAt: session.expiresAt };
  },
};
