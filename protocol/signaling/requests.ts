import { z } from 'zod';
import {
  callIdSchema,
  callInfoSchema,
  customPayloadSchema,
  deviceInfoSchema,
  legReasonSchema,
  mediaKindSchema,
  presenceSchema,
  presenceStatusSchema,
  userIdSchema,
} from '../common.js';
import { callRecordSchema } from '../records.js';
import { contactCenterRequests, queueAddressSchema, queueOfferSchema } from '../contact-center.js';

const empty = z.object({}).strict();
/**
 * An answer with nothing in it yet. Not strict, unlike `empty` for request data: a client must
 * accept the members a newer server may add (forward compatibility, docs/protocol.md).
 */
const emptyResult = z.object({});
const userIdList = (max: number) => z.array(userIdSchema).min(1).max(max);

/** Upper bound on callees of one invitation (a group call), including in-call additions. */
export const MAX_CALLEES = 32;
export const MIN_RING_TIMEOUT_MS = 1_000;
export const MAX_RING_TIMEOUT_MS = 300_000;
/** Upper bound on the users one `directory.search` returns. */
export const MAX_DIRECTORY_RESULTS = 100;

export const settingsSchema = z.object({
  /** Ring with a busy hint while in a call instead of refusing with `busy`. */
  callWaiting: z.boolean(),
});
export type UserSettings = z.infer<typeof settingsSchema>;

export const incomingCallSchema = z.object({
  call: callInfoSchema,
  /** Milliseconds left before the invitation times out, as of the server sending it. */
  remainingMs: z.number(),
  /** The callee is already in a call: ring discreetly (call waiting). */
  busy: z.boolean(),
  /** The call comes from a contact-center queue: who waited how long, and whether to auto-answer. */
  queue: queueOfferSchema.optional(),
});
export type IncomingCall = z.infer<typeof incomingCallSchema>;

/**
 * Every request a client may send: for each type, the schema of `data` and of the response's
 * `data`. The server dispatches from this table and the client types its calls against it.
 */
export const requests = {
  hello: {
    data: z.object({
      protocol: z.number().int(),
      token: z.string().min(1).max(4096),
      device: deviceInfoSchema,
    }),
    result: z.object({
      userId: userIdSchema,
      displayName: z.string(),
      sessionId: z.string(),
      heartbeatIntervalMs: z.number(),
      serverTime: z.number(),
      /**
       * The session's deadline (epoch ms, server clock): the expiry of the access token it was
       * opened or last renewed with. Send `session.renew` with a fresh token before it; a
       * session not renewed by then is closed (`session.closing token-expired`) after the
       * server's grace (`auth.sessionRenewGraceSec`).
       */
      sessionExpiresAt: z.number(),
      settings: settingsSchema,
      status: presenceStatusSchema,
      /**
       * Calls this user is in (ringing as caller, or active): the client resyncs from these.
       * Invitations ringing for this user follow the response as `call.incoming` events.
       */
      calls: z.array(callInfoSchema),
    }),
  },
  ping: { data: empty, result: z.object({ serverTime: z.number() }) },
  /**
   * Moves the session's deadline to the expiry of a freshly refreshed access token of the same
   * user. `token-expired` or `unauthorized` (a forged token, another user's, a disabled account)
   * change nothing: the session keeps its deadline. A token that expires before the current
   * deadline leaves it as it is; the result is the deadline in force.
   */
  'session.renew': {
    data: z.object({ accessToken: z.string().min(1).max(4096) }),
    result: z.object({ sessionExpiresAt: z.number() }),
  },

  /**
   * Presence of many users. A user who blocked the asker reads as offline with the default
   * status, here, in `presence.subscribe` and in `presence.changed` (also right after the block).
   */
  'presence.query': {
    data: z.object({ userIds: userIdList(500) }),
    result: z.object({ users: z.array(presenceSchema) }),
  },
  'presence.subscribe': {
    data: z.object({ userIds: userIdList(500) }),
    result: z.object({ users: z.array(presenceSchema) }),
  },
  'presence.unsubscribe': { data: z.object({ userIds: userIdList(500) }), result: emptyResult },
  'presence.setStatus': { data: z.object({ status: presenceStatusSchema }), result: emptyResult },

  'call.invite': {
    data: z.object({
      callId: callIdSchema,
      /** User ids, or one `queue:<name>` alone (seat calling). */
      callees: z
        .array(z.union([userIdSchema, queueAddressSchema]))
        .min(1)
        .max(MAX_CALLEES)
        .refine((c) => c.length === 1 || !c.some((x) => x.startsWith('queue:')), {
          message: 'a queue is called alone',
        }),
      media: mediaKindSchema,
      payload: customPayloadSchema.optional(),
      ringTimeoutMs: z.number().int().min(MIN_RING_TIMEOUT_MS).max(MAX_RING_TIMEOUT_MS).optional(),
    }),
    result: z.object({ call: callInfoSchema }),
  },
  /** A callee device says it received `call.incoming`: the caller then sees `ringing`. */
  'call.ack': { data: z.object({ callId: callIdSchema }), result: emptyResult },
  'call.accept': {
    data: z.object({ callId: callIdSchema }),
    result: z.object({ call: callInfoSchema }),
  },
  'call.refuse': {
    data: z.object({ callId: callIdSchema, reason: legReasonSchema.optional() }),
    result: z.object({ call: callInfoSchema }),
  },
  /** The caller withdraws the invitation, for all callees or the ones named. */
  'call.cancel': {
    data: z.object({ callId: callIdSchema, callees: userIdList(MAX_CALLEES).optional() }),
    result: z.object({ call: callInfoSchema }),
  },
  'call.hangup': {
    data: z.object({ callId: callIdSchema }),
    result: z.object({ call: callInfoSchema }),
  },
  /** A participant of an active call invites more users into it. */
  'call.add': {
    data: z.object({
      callId: callIdSchema,
      callees: userIdList(MAX_CALLEES),
      ringTimeoutMs: z.number().int().min(MIN_RING_TIMEOUT_MS).max(MAX_RING_TIMEOUT_MS).optional(),
    }),
    result: z.object({ call: callInfoSchema }),
  },
  /** Conference control: moderator only. */
  'call.control': {
    data: z.discriminatedUnion('action', [
      z.object({
        callId: callIdSchema,
        action: z.enum(['mute', 'unmute']),
        target: userIdSchema,
        kind: mediaKindSchema,
      }),
      z.object({ callId: callIdSchema, action: z.literal('remove'), target: userIdSchema }),
      z.object({ callId: callIdSchema, action: z.literal('end') }),
    ]),
    result: z.object({ call: callInfoSchema }),
  },
  'call.list': { data: empty, result: z.object({ calls: z.array(callInfoSchema) }) },
  /** A short-lived ticket into the call's media room, for a participant present in the call. */
  'media.ticket': {
    data: z.object({ callId: callIdSchema }),
    result: z.object({ ticket: z.string(), sfuUrl: z.string(), expiresAt: z.number() }),
  },

  /**
   * A short custom message to every device of a user. A message to someone who blocked the
   * sender is dropped and answered like one to an offline user (`deliveredTo: 0`): the sender is
   * not told of the block, as a blocked caller is not.
   */
  'message.send': {
    data: z.object({
      messageId: z.string().min(1).max(64),
      to: userIdSchema,
      body: customPayloadSchema,
    }),
    /** How many devices the message was handed to now (0: the user is offline). */
    result: z.object({ deliveredTo: z.number().int() }),
  },
  /** A recipient device confirms it got a message; the sender gets `message.delivered`. */
  'message.ack': {
    data: z.object({ messageId: z.string().min(1).max(64), from: userIdSchema }),
    result: emptyResult,
  },

  'push.register': {
    data: z.object({
      platform: z.enum(['apns-voip', 'fcm', 'vendor']),
      token: z.string().min(1).max(4096),
    }),
    result: emptyResult,
  },
  'push.unregister': { data: empty, result: emptyResult },

  'history.list': {
    data: z.object({
      before: z.number().optional(),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    result: z.object({ records: z.array(callRecordSchema), nextBefore: z.number().optional() }),
  },

  'settings.update': {
    data: settingsSchema.partial(),
    result: z.object({ settings: settingsSchema }),
  },
  'block.add': { data: z.object({ userId: userIdSchema }), result: emptyResult },
  'block.remove': { data: z.object({ userId: userIdSchema }), result: emptyResult },
  'block.list': { data: empty, result: z.object({ userIds: z.array(userIdSchema) }) },

  /**
   * Enabled users whose id or display name contains `query` (case-insensitive), best matches
   * first (exact id, then prefixes, then substrings); an empty query lists users by name.
   */
  'directory.search': {
    data: z.object({
      query: z.string().max(100),
      limit: z.number().int().min(1).max(MAX_DIRECTORY_RESULTS).optional(),
    }),
    result: z.object({
      users: z.array(z.object({ userId: userIdSchema, displayName: z.string() })),
    }),
  },

  ...contactCenterRequests,
} as const;

export type RequestType = keyof typeof requests;
export type RequestData<T extends RequestType> = z.infer<(typeof requests)[T]['data']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof requests)[T]['result']>;
export const REQUEST_TYPES = Object.keys(requests) as RequestType[];
export const isRequestType = (type: string): type is RequestType =>
  Object.prototype.hasOwnProperty.call(requests, type);
