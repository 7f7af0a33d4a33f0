import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenResponse, UserId } from '../../protocol/index.js';
import { loginRequestSchema, refreshRequestSchema } from '../../protocol/index.js';
import type { Services } from '../signaling/context.js';
import { TokenError } from '../tokens.js';
import { AttemptLimiter, HttpError, type Route, readJson, sendJson } from './http-kit.js';

/** Issues an access/refresh token pair for an account. */
export async function issueTokens(services: Services, userId: UserId): Promise<TokenResponse> {
  const account = await services.stores.users.get(userId);
  if (!account || account.disabled) throw new HttpError(401, 'unauthorized', 'account disabled');
  const access = await services.tokens.issue(userId, 'access');
  const refresh = await services.tokens.issue(userId, 'refresh');
  return {
    userId,
    displayName: account.displayName,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenExpiresAt: refresh.expiresAt,
  };
}

/** Sign-in for clients: `POST /api/auth/login` and `POST /api/auth/refresh`. */
export function authRoutes(services: Services): Route {
  const { signInPerAddressPerMinute, signInPerAccountPerMinute } = services.config.auth;
  const byAddress = new AttemptLimiter(signInPerAddressPerMinute, 60_000);
  const byUser = new AttemptLimiter(signInPerAccountPerMinute, 60_000);
  const address = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'POST') return false;
    if (url.pathname === '/api/auth/login') {
      const body = await readJson(req, loginRequestSchema);
      if (!byAddress.attempt(address(req)) || !byUser.attempt(body.userId)) {
        throw new HttpError(429, 'rate-limited', 'too many sign-in attempts; wait a minute');
      }
      const ok = await services.stores.users.verifyPassword(body.userId, body.password);
      if (!ok) {
        services.logger.info({ userId: body.userId }, 'sign-in refused');
        throw new HttpError(401, 'unauthorized', 'wrong user or password');
      }
      sendJson(res, 200, await issueTokens(services, body.userId));
      return true;
    }
    if (url.pathname === '/api/auth/refresh') {
      const body = await readJson(req, refreshRequestSchema);
      if (!byAddress.attempt(address(req))) {
        throw new HttpError(429, 'rate-limited', 'too many attempts; wait a minute');
      }
      const { userId } = await services.tokens
        .verify(body.refreshToken, 'refresh')
        .catch((error: unknown) => {
          const expired = error instanceof TokenError && error.reason === 'expired';
          throw new HttpError(
            401,
            expired ? 'token-expired' : 'unauthorized',
            'invalid refresh token',
          );
        });
      sendJson(res, 200, await issueTokens(services, userId));
      return true;
    }
    return false;
  };
}
