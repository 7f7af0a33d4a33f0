import type { IncomingMessage, ServerResponse } from 'node:http';
import { loginRequestSchema, refreshRequestSchema } from '../../protocol/index.js';
import type { Services } from '../signaling/context.js';
import { AttemptLimiter, HttpError, type Route, readJson, sendJson } from './http-kit.js';
import { rotateSignIn, signOut, startSignIn } from './sign-ins.js';

/**
 * Sign-in for clients: `POST /api/auth/login`, `POST /api/auth/refresh` (rotates the refresh
 * token: sign-ins.ts), and sign-out with a refresh token: `POST /api/auth/logout` (this sign-in)
 * and `POST /api/auth/logout-all` (every sign-in of the user).
 */
export function authRoutes(
  services: Services,
  /** The client's address (behind a trusted proxy: the one it forwards). */
  address: (req: IncomingMessage) => string = (req) => req.socket.remoteAddress ?? 'unknown',
): Route {
  const { signInPerAddressPerMinute, signInPerAccountPerMinute } = services.config.auth;
  const byAddress = new AttemptLimiter(signInPerAddressPerMinute, 60_000);
  const byUser = new AttemptLimiter(signInPerAccountPerMinute, 60_000);
  const limitAddress = (req: IncomingMessage): void => {
    byAddress.enforce(address(req), 'too many attempts from this address; see Retry-After');
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'POST') return false;
    if (url.pathname === '/api/auth/login') {
      const body = await readJson(req, loginRequestSchema);
      limitAddress(req);
      byUser.enforce(body.userId, 'too many sign-in attempts for this account; see Retry-After');
      const ok = await services.stores.users.verifyPassword(body.userId, body.password);
      if (!ok) {
        services.logger.info({ userId: body.userId }, 'sign-in refused');
        throw new HttpError(401, 'unauthorized', 'wrong user or password');
      }
      sendJson(res, 200, await startSignIn(services, body.userId));
      return true;
    }
    if (url.pathname === '/api/auth/refresh') {
      const body = await readJson(req, refreshRequestSchema);
      limitAddress(req);
      sendJson(res, 200, await rotateSignIn(services, body.refreshToken));
      return true;
    }
    if (url.pathname === '/api/auth/logout' || url.pathname === '/api/auth/logout-all') {
      const body = await readJson(req, refreshRequestSchema);
      limitAddress(req);
      const scope = url.pathname === '/api/auth/logout' ? 'device' : 'everywhere';
      sendJson(res, 200, await signOut(services, body.refreshToken, scope));
      return true;
    }
    return false;
  };
}
