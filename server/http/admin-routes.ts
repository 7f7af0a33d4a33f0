import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type {
  AdminMintedToken,
  AdminRecordPage,
  AdminUser,
  AdminUserPage,
} from '../../protocol/index.js';
import {
  adminCreateUserSchema,
  adminMintTokenSchema,
  adminRecordQuerySchema,
  adminUserListQuerySchema,
  userIdSchema,
} from '../../protocol/index.js';
import type { Services } from '../signaling/context.js';
import { UserExistsError, type UserAccount } from '../store/types.js';
import {
  CursorError,
  decodeRecordCursor,
  decodeUserCursor,
  encodeRecordCursor,
  encodeUserCursor,
  pageOf,
} from '../util/page-cursor.js';
import { HttpError, type Route, decodePathSegment, readJson, sendJson } from './http-kit.js';

const toAdminUser = (u: UserAccount): AdminUser => ({
  userId: u.userId,
  displayName: u.displayName,
  disabled: u.disabled,
  createdAt: u.createdAt,
});

/** A cursor this server did not issue is the client's mistake. */
function decoded<T>(decode: (cursor: string) => T, cursor: string): T {
  try {
    return decode(cursor);
  } catch (error) {
    if (error instanceof CursorError) throw new HttpError(400, 'bad-request', error.message);
    throw error;
  }
}

function bearerMatches(req: IncomingMessage, key: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseQuery<S extends z.ZodType>(url: URL, schema: S): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    throw new HttpError(400, 'bad-request', parsed.error.issues[0]?.message ?? 'bad query');
  }
  return parsed.data;
}

/**
 * The admin API for a business server (bearer key from the config): users, tokens for its own
 * users, call records. Off when no key is configured.
 */
export function adminRoutes(services: Services): Route {
  const { stores, config } = services;
  return async (req, res, url) => {
    if (!url.pathname.startsWith('/admin/')) return false;
    const key = config.auth.adminApiKey;
    if (!key) throw new HttpError(404, 'not-found', 'the admin API is not enabled');
    if (!bearerMatches(req, key)) throw new HttpError(401, 'unauthorized', 'bad admin key');

    const userPath = /^\/admin\/users\/([^/]+)\/(disable|enable|tokens)$/.exec(url.pathname);
    if (url.pathname === '/admin/users' && req.method === 'POST') {
      const body = await readJson(req, adminCreateUserSchema);
      try {
        sendJson(res, 201, toAdminUser(await stores.users.create(body)));
      } catch (error) {
        if (error instanceof UserExistsError) throw new HttpError(409, 'conflict', 'user exists');
        throw error;
      }
      return true;
    }
    if (url.pathname === '/admin/users' && req.method === 'GET') {
      const { after, cursor, limit } = parseQuery(url, adminUserListQuerySchema);
      const from = cursor === undefined ? after : decoded(decodeUserCursor, cursor);
      const users = await stores.users.list({ limit: limit + 1, ...(from && { after: from }) });
      const { items, nextCursor } = pageOf(users, limit, (u) => encodeUserCursor(u.userId));
      const page: AdminUserPage = { users: items.map(toAdminUser) };
      sendJson(res, 200, nextCursor === undefined ? page : { ...page, nextCursor });
      return true;
    }
    if (userPath && req.method === 'POST') {
      const userId = userIdSchema.safeParse(decodePathSegment(userPath[1] ?? '', 'the user id'));
      const account = userId.success ? await stores.users.get(userId.data) : undefined;
      if (!account) throw new HttpError(404, 'not-found', 'no such user');
      const action = userPath[2];
      if (action === 'tokens') {
        const { ttlSeconds } = await readJson(req, adminMintTokenSchema);
        if (account.disabled) throw new HttpError(409, 'conflict', 'user is disabled');
        const access = await services.tokens.issue(account.userId, 'access', ttlSeconds);
        const minted: AdminMintedToken = {
          userId: account.userId,
          accessToken: access.token,
          accessTokenExpiresAt: access.expiresAt,
          expiresAt: access.expiresAt,
        };
        sendJson(res, 200, minted);
        return true;
      }
      const disable = action === 'disable';
      await stores.users.setDisabled(account.userId, disable);
      if (disable) services.accounts.disabled(account.userId);
      services.logger.info(
        { userId: account.userId, disabled: disable },
        'account changed by admin',
      );
      sendJson(res, 200, toAdminUser({ ...account, disabled: disable }));
      return true;
    }
    if (url.pathname === '/admin/records' && req.method === 'GET') {
      const { cursor, limit, ...range } = parseQuery(url, adminRecordQuerySchema);
      const records = await stores.records.query({
        ...range,
        limit: limit + 1,
        ...(cursor === undefined ? {} : { olderThan: decoded(decodeRecordCursor, cursor) }),
      });
      const { items, nextCursor } = pageOf(records, limit, encodeRecordCursor);
      const page: AdminRecordPage = { records: items };
      sendJson(res, 200, nextCursor === undefined ? page : { ...page, nextCursor });
      return true;
    }
    const record = /^\/admin\/records\/([A-Za-z0-9_-]{1,64})$/.exec(url.pathname);
    if (record && req.method === 'GET') {
      const found = await stores.records.get(record[1] ?? '');
      if (!found) throw new HttpError(404, 'not-found', 'no such record');
      sendJson(res, 200, found);
      return true;
    }
    throw new HttpError(404, 'not-found', 'no such admin endpoint');
  };
}
