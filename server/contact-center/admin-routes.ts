import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import {
  ProtocolError,
  adminQueueMemberBodySchema,
  queueConfigPatchSchema,
  queueConfigSchema,
  queueNameSchema,
  userIdSchema,
} from '../../protocol/index.js';
import { HttpError, type Route, readJson, sendJson } from '../http/http-kit.js';
import type { Services } from '../signaling/context.js';

const HTTP_STATUS: Partial<Record<string, number>> = {
  'not-found': 404,
  conflict: 409,
  forbidden: 403,
  'bad-request': 400,
};

function bearerMatches(req: IncomingMessage, key: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const parsed = <T>(schema: z.ZodType<T>, raw: string | undefined, what: string): T => {
  const result = schema.safeParse(decodeURIComponent(raw ?? ''));
  if (!result.success) throw new HttpError(400, 'bad-request', `bad ${what}`);
  return result.data;
};

/**
 * The admin API of seat calling (same bearer key as `/admin/`):
 *   GET/POST /admin/queues, GET/PATCH/DELETE /admin/queues/:name,
 *   GET /admin/queues/:name/stats,
 *   PUT/DELETE /admin/queues/:name/agents/:userId (body {tier, skill}),
 *   PUT/DELETE /admin/queues/:name/supervisors/:userId.
 */
export function contactCenterAdminRoutes(services: Services): Route {
  const cc = services.contactCenter;
  const handle: Route = async (req, res, url) => {
    const key = services.config.auth.adminApiKey;
    if (!key) throw new HttpError(404, 'not-found', 'the admin API is not enabled');
    if (!bearerMatches(req, key)) throw new HttpError(401, 'unauthorized', 'bad admin key');
    const parts = url.pathname.split('/').slice(3); // after /admin/queues
    const method = req.method ?? 'GET';
    if (parts.length === 0 || (parts.length === 1 && parts[0] === '')) {
      if (method === 'GET') {
        sendJson(res, 200, { queues: cc.listQueues() });
        return true;
      }
      if (method === 'POST') {
        const body = await readJson(req, queueConfigSchema);
        sendJson(res, 201, await cc.createQueue(body));
        return true;
      }
    }
    const name = parsed(queueNameSchema, parts[0], 'queue name');
    if (parts.length === 1) {
      if (method === 'GET') {
        const queue = cc.getQueue(name);
        if (!queue) throw new HttpError(404, 'not-found', 'no such queue');
        sendJson(res, 200, queue);
        return true;
      }
      if (method === 'PATCH') {
        const patch = await readJson(req, queueConfigPatchSchema);
        sendJson(res, 200, await cc.updateQueue(name, patch));
        return true;
      }
      if (method === 'DELETE') {
        await cc.deleteQueue(name, (callId) => {
          services.calls.endCall(callId, 'timeout');
        });
        sendJson(res, 200, { deleted: name });
        return true;
      }
    }
    if (parts.length === 2 && parts[1] === 'stats' && method === 'GET') {
      const stats = cc.allStats().find((s) => s.queue === name);
      if (!stats) throw new HttpError(404, 'not-found', 'no such queue');
      sendJson(res, 200, stats);
      return true;
    }
    if (parts.length === 3 && (parts[1] === 'agents' || parts[1] === 'supervisors')) {
      const userId = parsed(userIdSchema, parts[2], 'user id');
      if (parts[1] === 'agents' && method === 'PUT') {
        const body = await readJson(req, adminQueueMemberBodySchema);
        sendJson(res, 200, await cc.setMember(name, { userId, ...body }));
        return true;
      }
      if (parts[1] === 'agents' && method === 'DELETE') {
        sendJson(res, 200, { removed: await cc.removeMember(name, userId) });
        return true;
      }
      if (method === 'PUT' || method === 'DELETE') {
        await cc.setSupervisor(name, userId, method === 'PUT');
        sendJson(res, 200, { queue: name, userId, supervisor: method === 'PUT' });
        return true;
      }
    }
    throw new HttpError(404, 'not-found', 'no such admin endpoint');
  };
  return async (req, res, url) => {
    if (url.pathname !== '/admin/queues' && !url.pathname.startsWith('/admin/queues/'))
      return false;
    try {
      return await handle(req, res, url);
    } catch (error) {
      if (error instanceof ProtocolError) {
        throw new HttpError(HTTP_STATUS[error.code] ?? 400, error.code, error.message);
      }
      if (error instanceof z.ZodError) {
        throw new HttpError(400, 'bad-request', error.issues[0]?.message ?? 'invalid');
      }
      throw error;
    }
  };
}
