import { z } from 'zod';
import {
  callIdSchema,
  callInfoSchema,
  customPayloadSchema,
  deviceInfoSchema,
  legReasonSchema,
  mediaKindSchema,
  pageCursorSchema,
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
  callWaiting: z
    .boolean()
    .describe('Ring with a busy hint while in a call instead of refusing with `busy`.'),
});
export type UserSettings = z.infer<typeof settingsSchema>;

export const incomingCallSchema = z
  .object({
    call: callInfoSchema,
    remainingMs: z
      .number()
      .describe('Milliseconds left before the invitation times out, as of the server sending it.'),
    busy: z
      .boolean()
      .describe('The callee is already in an active call (call waiting): ring discreetly.'),
    queue: queueOfferSchema
      .optional()
      .describe(
        'The call comes from a contact-center queue: who waited how long, and whether to auto-answer.',
      ),
  })
  .describe(
    'An invitation for this user, to every online device of theirs; also after `hello` for each invitation still ringing. Answer with `call.ack`, then `call.accept` or `call.refuse`.',
  );
export type IncomingCall = z.infer<typeof incomingCallSchema>;

const ringTimeoutMs = z
  .number()
  .int()
  .min(MIN_RING_TIMEOUT_MS)
  .max(MAX_RING_TIMEOUT_MS)
  .optional()
  .describe(
    'How long each callee rings, 1,000-300,000 ms; the server default (`calls.defaultRingTimeoutMs`) when absent.',
  );

/**
 * Every request a client may send: for each type, the schema of `data` and of the response's
 * `data`. The server dispatches from this table and the client types its calls against it. The
 * description of each request is on its `data` schema (it reaches the generated documents).
 */
export const requests = {
  hello: {
    data: z
      .object({
        protocol: z
          .number()
          .int()
          .describe('The protocol version the client speaks (`PROTOCOL_VERSION`).'),
        token: z
          .string()
          .min(1)
          .max(4096)
          .describe('An access token (login, refresh or the admin API).'),
        device: deviceInfoSchema,
      })
      .describe(
        'The first request on a connection: signs the device in. Anything else first is `not-authenticated`; a device id already signed in is replaced (`session.closing replaced`).',
      ),
    result: z.object({
      userId: userIdSchema,
      displayName: z.string(),
      sessionId: z.string(),
      heartbeatIntervalMs: z
        .number()
        .describe(
          'The server pings a connection quiet for half of this; any frame or pong counts as alive.',
        ),
      serverTime: z
        .number()
        .describe('The server clock at answering (epoch ms), to correct for skew.'),
      sessionExpiresAt: z
        .number()
        .describe(
          'The session deadline (epoch ms, server clock): the expiry of the access token it was opened or last renewed with. Send `session.renew` with a fresh token before it; a session not renewed is closed (`session.closing token-expired`) after the server grace (`auth.sessionRenewGraceSec`).',
        ),
      settings: settingsSchema,
      status: presenceStatusSchema,
      calls: z
        .array(callInfoSchema)
        .describe(
          'Calls this user is in (ringing as caller, or active): the client resyncs from these. Invitations ringing for this user follow the response as `call.incoming` events.',
        ),
    }),
  },
  ping: {
    data: empty.describe('A liveness probe of the server; any frame keeps the connection alive.'),
    result: z.object({ serverTime: z.number() }),
  },
  'session.renew': {
    data: z
      .object({ accessToken: z.string().min(1).max(4096) })
      .describe(
        'Moves the session deadline to the expiry of a freshly refreshed access token of the same user. `token-expired` or `unauthorized` (forged, another user, a disabled account) change nothing. A token expiring before the current deadline leaves it as it is; the result is the deadline in force.',
      ),
    result: z.object({ sessionExpiresAt: z.number() }),
  },

  'presence.query': {
    data: z
      .object({ userIds: userIdList(500) })
      .describe(
        'Presence of many users; unknown ids are left out. A user who blocked the asker reads as offline with the default status, here, in `presence.subscribe` and in `presence.changed` (also right after the block).',
      ),
    result: z.object({ users: z.array(presenceSchema) }),
  },
  'presence.subscribe': {
    data: z
      .object({ userIds: userIdList(500) })
      .describe(
        'Presence now, and `presence.changed` on every change. Subscriptions belong to the session: a reconnect loses them.',
      ),
    result: z.object({ users: z.array(presenceSchema) }),
  },
  'presence.unsubscribe': {
    data: z
      .object({ userIds: userIdList(500) })
      .describe('Stops `presence.changed` for these users.'),
    result: emptyResult,
  },
  'presence.setStatus': {
    data: z
      .object({ status: presenceStatusSchema })
      .describe(
        'The status others see (stored with the account). `dnd` is enforced: invitations are refused with `dnd` without ringing.',
      ),
    result: emptyResult,
  },

  'call.invite': {
    data: z
      .object({
        callId: callIdSchema,
        callees: z
          .array(z.union([userIdSchema, queueAddressSchema]))
          .min(1)
          .max(MAX_CALLEES)
          .refine((c) => c.length === 1 || !c.some((x) => x.startsWith('queue:')), {
            message: 'a queue is called alone',
          })
          .describe(
            'User ids, or one `queue:<name>` alone (seat calling): a queue address among other callees is refused. No callee twice, and not the caller.',
          ),
        media: mediaKindSchema,
        payload: customPayloadSchema.optional(),
        ringTimeoutMs,
      })
      .describe(
        'Places a call. The call id is the caller’s: a retry with the same id, media and callees answers the call as it is now; another use of the id is `conflict`.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.ack': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'A callee device says it received `call.incoming`: the caller then sees `ringing`.',
      ),
    result: emptyResult,
  },
  'call.accept': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'Answers on this device; the other devices of the user get `call.ringEnded answered-elsewhere`.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.refuse': {
    data: z
      .object({
        callId: callIdSchema,
        reason: legReasonSchema
          .optional()
          .describe(
            '`declined` (the default), `busy`, `dnd`, or a reason of the client’s own (1-64 characters).',
          ),
      })
      .describe(
        'Declines on behalf of all of the user’s devices (the others get `refused-elsewhere`).',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.cancel': {
    data: z
      .object({
        callId: callIdSchema,
        callees: userIdList(MAX_CALLEES)
          .optional()
          .describe('Only these callees; all pending ones when absent.'),
      })
      .describe('The caller withdraws the invitation, for all callees or the ones named.'),
    result: z.object({ call: callInfoSchema }),
  },
  'call.hangup': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'Leaves the call. While it rings this cancels (caller) or refuses (callee); a one-to-one call ends for both; on an ended call it answers the call as it is.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.moveHere': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'Moves the user’s place in an active call to this device (“Switch here”): the call’s frames and media go to this device from now on; the device it was on gets `call.updated` naming this one and leaves media. A repeat from the device already in the call answers the call as it is.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.add': {
    data: z
      .object({ callId: callIdSchema, callees: userIdList(MAX_CALLEES), ringTimeoutMs })
      .describe(
        'A participant of an active call invites more users into it; callees already invited or present are skipped.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.control': {
    data: z
      .discriminatedUnion('action', [
        z.object({
          callId: callIdSchema,
          action: z.enum(['mute', 'unmute']),
          target: userIdSchema,
          kind: mediaKindSchema,
        }),
        z.object({ callId: callIdSchema, action: z.literal('remove'), target: userIdSchema }),
        z.object({ callId: callIdSchema, action: z.literal('end') }),
      ])
      .describe(
        'Conference control, moderator only (`forbidden` otherwise): mute or unmute a participant’s audio or video (enforced at the SFU), remove a participant (or withdraw a pending invitation), end the call for everyone.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.hold': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'Puts an active call on hold: the call’s `hold` names this user, and their media is paused at the SFU in both directions until they resume. A repeat by the holder answers the call as it is; while another participant holds it, `invalid-state`.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.resume': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'Takes the call off hold and restores its media. Only the participant who put it on hold resumes it (`forbidden` otherwise); on a call not on hold it answers the call as it is.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.transfer': {
    data: z
      .object({ callId: callIdSchema, target: userIdSchema, ringTimeoutMs })
      .describe(
        'Blind transfer of an active one-to-one call by either participant: the target rings with the call (its `transfer` names the transferor and the party transferred, the target’s leg `transferredBy`), the transferor leaves at once. If the target does not answer, a transferor who was a callee is rung back (`transfer.state` `returning`); otherwise, or if they do not answer either, the call ends. Same rights as conference control: only a participant, on the device in the call; `invalid-state` for a group call, one still ringing, or one the other side holds.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.completeTransfer': {
    data: z
      .object({
        callId: callIdSchema.describe('The call being transferred: on hold by this user.'),
        consultCallId: callIdSchema.describe(
          'This user’s active one-to-one call with the target (the consultation).',
        ),
      })
      .describe(
        'Completes an attended transfer: the consultation ends (`completed`), the target is in the held call at once on the device they consulted on (their leg `transferredBy` this user; `transfer.state` `connected`), and this user leaves it. To cancel instead, hang up the consultation and `call.resume` the held call.',
      ),
    result: z.object({ call: callInfoSchema }),
  },
  'call.list': {
    data: empty.describe('The calls this user is in now (as in the `hello` answer).'),
    result: z.object({ calls: z.array(callInfoSchema) }),
  },
  'media.ticket': {
    data: z
      .object({ callId: callIdSchema })
      .describe(
        'A short-lived, single-use ticket into the call’s media room (`join` on `sfuUrl`), for a participant present in the active call on this device.',
      ),
    result: z.object({ ticket: z.string(), sfuUrl: z.string(), expiresAt: z.number() }),
  },

  'message.send': {
    data: z
      .object({
        messageId: z
          .string()
          .min(1)
          .max(64)
          .describe('The sender’s id for the message; the recipient dedupes on it.'),
        to: userIdSchema,
        body: customPayloadSchema,
      })
      .describe(
        'A short custom message to every online device of a user; not stored for offline ones. A message to someone who blocked the sender is dropped and answered like one to an offline user (`deliveredTo: 0`).',
      ),
    result: z.object({
      deliveredTo: z
        .number()
        .int()
        .describe('How many devices the message was handed to now (0: the user is offline).'),
    }),
  },
  'message.ack': {
    data: z
      .object({ messageId: z.string().min(1).max(64), from: userIdSchema })
      .describe(
        'A recipient device confirms it got a message; the sender gets `message.delivered`.',
      ),
    result: emptyResult,
  },

  'push.register': {
    data: z
      .object({
        platform: z.enum(['apns-voip', 'fcm', 'vendor']),
        token: z.string().min(1).max(4096),
      })
      .describe(
        'Registers this device’s push token: the `call.invite` webhook carries it when no device of the user is online. One token per device; a new one replaces it.',
      ),
    result: emptyResult,
  },
  'push.unregister': {
    data: empty.describe('Removes this device’s push token (at sign-out).'),
    result: emptyResult,
  },

  'history.list': {
    data: z
      .object({
        cursor: pageCursorSchema.optional(),
        before: z
          .number()
          .optional()
          .describe(
            'Only records created before this (epoch ms), the older paging by `nextBefore`; `cursor` is preferred.',
          ),
        limit: z.number().int().min(1).max(100).optional().describe('Page size (default 50).'),
      })
      .describe(
        'The user’s own call records, newest first. With `cursor` a page holds at most `limit`; without one (the first page, or `before`) a page ends only after every record of its last creation time, so it may hold more. Either way nothing is skipped or repeated.',
      ),
    result: z.object({
      records: z.array(callRecordSchema),
      nextCursor: pageCursorSchema
        .optional()
        .describe('Present when more follow: pass it as `cursor`. Absent on the last page.'),
      nextBefore: z
        .number()
        .optional()
        .describe('The older paging key (pass as `before`); absent on the last page.'),
    }),
  },

  'settings.update': {
    data: settingsSchema
      .partial()
      .describe('Changes the settings named; the result is all of them.'),
    result: z.object({ settings: settingsSchema }),
  },
  'block.add': {
    data: z
      .object({ userId: userIdSchema })
      .describe(
        'Blocks a user: their invitations are refused as `declined` without ringing, their messages dropped, and they see this user offline. They are not told.',
      ),
    result: emptyResult,
  },
  'block.remove': {
    data: z.object({ userId: userIdSchema }).describe('Lifts a block.'),
    result: emptyResult,
  },
  'block.list': {
    data: empty.describe('The users this user blocked.'),
    result: z.object({ userIds: z.array(userIdSchema) }),
  },

  'directory.search': {
    data: z
      .object({
        query: z.string().max(100),
        limit: z.number().int().min(1).max(MAX_DIRECTORY_RESULTS).optional(),
      })
      .describe(
        'Enabled users whose id or display name contains `query` (case-insensitive), best matches first (exact id, then prefixes, then substrings); an empty query lists users by name.',
      ),
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
