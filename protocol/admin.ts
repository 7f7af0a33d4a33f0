import { z } from 'zod';
import { pageCursorSchema, userIdSchema } from './common.js';
import {
  queueConfigSchema,
  queueMemberSchema,
  queueNameSchema,
  queueStatsSchema,
} from './contact-center.js';
import { callRecordSchema } from './records.js';
import { adminUserSchema } from './rest.js';

/**
 * The query strings and response bodies of the admin REST API (`/admin/...`, bearer key) and of
 * `/healthz`. Query values arrive as text, hence the coercions; the request bodies are in rest.ts
 * and contact-center.ts.
 */

const pageLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(100)
  .describe('Page size, 1-1000 (default 100).');

/**
 * `GET /admin/records`: newest first by (createdAt, callId), filtered by participant and creation
 * time. `cursor` combines with `from`/`before`: it pages within a time range.
 */
export const adminRecordQuerySchema = z.object({
  userId: userIdSchema
    .optional()
    .describe('Only calls this user took part in (as caller or as a participant).'),
  from: z.coerce
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Epoch ms, inclusive lower bound on `createdAt`.'),
  before: z.coerce
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Epoch ms, exclusive upper bound on `createdAt`.'),
  cursor: pageCursorSchema.optional(),
  limit: pageLimit,
});
export type AdminRecordQuery = z.infer<typeof adminRecordQuerySchema>;

/** `GET /admin/users`: in user id order. */
export const adminUserListQuerySchema = z.object({
  after: userIdSchema
    .optional()
    .describe('Only users whose id sorts after this one (older paging; `cursor` is preferred).'),
  cursor: pageCursorSchema.optional(),
  limit: pageLimit,
});
export type AdminUserListQuery = z.infer<typeof adminUserListQuerySchema>;

const nextCursor = pageCursorSchema
  .optional()
  .describe('Present when more follow: pass it as `cursor` for the next page. Absent on the last.');

export const adminUserListSchema = z.object({
  users: z.array(adminUserSchema).describe('In user id order.'),
  nextCursor,
});
export type AdminUserPage = z.infer<typeof adminUserListSchema>;
export const adminRecordListSchema = z.object({
  records: z.array(callRecordSchema).describe('Newest first by (`createdAt`, `callId`).'),
  nextCursor,
});
export type AdminRecordPage = z.infer<typeof adminRecordListSchema>;

/** `POST /admin/users/:userId/tokens`: an access token only (no refresh token). */
export const adminMintedTokenSchema = z.object({
  userId: userIdSchema,
  accessToken: z.string(),
  accessTokenExpiresAt: z
    .number()
    .describe('Epoch ms at which the access token expires (the name sign-in answers use).'),
  expiresAt: z
    .number()
    .describe('Deprecated: the same as `accessTokenExpiresAt`, kept for existing integrations.'),
});
export type AdminMintedToken = z.infer<typeof adminMintedTokenSchema>;

/** `PUT /admin/queues/:name/agents/:userId`: the agent's place; what is left out keeps its default. */
export const adminQueueMemberBodySchema = z.object({
  tier: z.number().int().min(1).max(9).optional(),
  skill: z.number().int().min(1).max(10).optional(),
});

/** A queue as the admin API lists it. */
export const queueListingSchema = z.object({
  config: queueConfigSchema,
  members: z.array(queueMemberSchema),
  supervisors: z.array(userIdSchema),
  waiting: z.number().int().describe('Calls waiting in the queue now.'),
});
export type QueueListingBody = z.infer<typeof queueListingSchema>;

export const adminQueueListSchema = z.object({ queues: z.array(queueListingSchema) });
export const adminQueueDeletedSchema = z.object({ deleted: queueNameSchema });
export const adminMemberRemovedSchema = z.object({
  removed: z.boolean().describe('False when the user was not an agent of the queue.'),
});
export const adminSupervisorSchema = z.object({
  queue: queueNameSchema,
  userId: userIdSchema,
  supervisor: z.boolean(),
});
export const adminQueueStatsSchema = queueStatsSchema;

/** `GET /healthz`: 503 with `stopping` while the server shuts down. */
export const healthSchema = z.object({
  status: z.enum(['ok', 'stopping']),
  uptimeSec: z.number().int(),
  sessions: z.number().int().describe('Signed-in signaling sessions on this server.'),
  calls: z.object({ ringing: z.number().int(), active: z.number().int() }),
});
export type Health = z.infer<typeof healthSchema>;
