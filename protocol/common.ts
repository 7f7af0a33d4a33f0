import { z } from 'zod';

/** Maximum size of opaque custom data a client may attach (call payloads, peer messages). */
export const MAX_CUSTOM_PAYLOAD_BYTES = 4096;

/**
 * An opaque paging cursor: pass a page's `nextCursor` back unchanged to get the next page; never
 * build or parse one. A page without `nextCursor` is the last. Pages are tie-safe: items sharing
 * a creation time are neither skipped nor repeated across a boundary.
 */
export const pageCursorSchema = z
  .string()
  .min(1)
  .max(256)
  .describe(
    'Opaque: the `nextCursor` of the previous page, passed back unchanged (never built or parsed by a client).',
  );

export const userIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'user ids are 1-64 of a-z 0-9 . _ - and start alphanumeric',
  );
export type UserId = z.infer<typeof userIdSchema>;

/** Chosen by the caller so that retrying an invitation is idempotent. */
export const callIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'call ids are 8-64 of A-Z a-z 0-9 _ -');
export type CallId = z.infer<typeof callIdSchema>;

export const deviceIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

export const deviceInfoSchema = z.object({
  id: deviceIdSchema,
  name: z.string().min(1).max(100),
  platform: z.enum(['windows', 'macos', 'linux', 'web', 'ios', 'android', 'other']),
});
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;

export const presenceStatusSchema = z.enum(['available', 'away', 'busy', 'dnd']);
export type PresenceStatus = z.infer<typeof presenceStatusSchema>;

export const mediaKindSchema = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKindSchema>;

const utf8 = new TextEncoder();
/** UTF-8 size of a string; runs in Node and in browsers alike. */
export const utf8Length = (s: string): number => utf8.encode(s).length;

/** Opaque text that the server carries but never reads, capped in UTF-8 bytes. */
export const customPayloadSchema = z
  .string()
  .max(MAX_CUSTOM_PAYLOAD_BYTES)
  .refine((s) => utf8Length(s) <= MAX_CUSTOM_PAYLOAD_BYTES, {
    message: `at most ${MAX_CUSTOM_PAYLOAD_BYTES} bytes`,
  });

/** States of one callee, as the caller sees them (call-semantics.md). */
export const LEG_STATES = [
  'inviting',
  'ringing',
  'pushed',
  'accepted',
  'refused',
  'canceled',
  'failed',
] as const;
export const legStateSchema = z.enum(LEG_STATES);
export type LegState = z.infer<typeof legStateSchema>;
export const FINAL_LEG_STATES: ReadonlySet<LegState> = new Set(['refused', 'canceled', 'failed']);

/**
 * Why a callee leg is where it is. `declined`, `busy`, `dnd` come with `refused`; a refusing client
 * may also give a custom reason. `timeout` and `unreachable` come with `failed`.
 */
export const legReasonSchema = z.string().min(1).max(64);

/**
 * Why a device stopped ringing (callee side), as the server sends it. The device that answers or
 * refuses learns that from its own request's answer, so it gets no `call.ringEnded`; a call that
 * ends while ringing is `canceled`.
 */
export const ringEndReasonSchema = z
  .enum(['canceled', 'answered-elsewhere', 'refused-elsewhere', 'timeout'])
  .describe(
    '`canceled`: the caller hung up, or the call ended or moved on (a queue offer withdrawn); `answered-elsewhere` / `refused-elsewhere`: another device of this user answered or refused; `timeout`: the ring timed out.',
  );
export type RingEndReason = z.infer<typeof ringEndReasonSchema>;

/** Why a call ended, as recorded in its call record. */
export const callEndReasonSchema = z.enum([
  'completed',
  'canceled',
  'refused',
  'timeout',
  'unreachable',
  'failed',
  'media-failed',
  'ended-by-moderator',
  'server-shutdown',
  /** The server process died (a crash, kill -9): the call ended about when it was last persisted. */
  'server-failure',
  // A participant had no live device in the call for longer than the rejoin window.
  'connection-lost',
]);
export type CallEndReason = z.infer<typeof callEndReasonSchema>;

export const callStateSchema = z.enum(['ringing', 'active', 'ended']);
export type CallState = z.infer<typeof callStateSchema>;

/**
 * Whether a participant has a live device in the call: `reconnecting` while the server waits,
 * within the rejoin window, for their signaling or media to come back. Absent means connected.
 */
export const participantConnectionSchema = z.enum(['connected', 'reconnecting']);
export type ParticipantConnection = z.infer<typeof participantConnectionSchema>;

/** Why a participant left a call they were in (`connection-lost`: the rejoin window ran out). */
export const leftReasonSchema = z.enum(['left', 'removed', 'connection-lost']);
export type LeftReason = z.infer<typeof leftReasonSchema>;

export const legSchema = z.object({
  userId: userIdSchema,
  state: legStateSchema,
  reason: legReasonSchema.optional(),
  invitedBy: userIdSchema,
  invitedAt: z.number(),
  expiresAt: z.number(),
  answeredAt: z.number().optional(),
  answeredDevice: deviceIdSchema.optional(),
  leftAt: z.number().optional(),
  muted: z.object({ audio: z.boolean(), video: z.boolean() }),
  connection: participantConnectionSchema.optional(),
  /** This invitation is a blind transfer to this callee, made by that participant (issue 18). */
  transferredBy: userIdSchema.optional(),
});
export type Leg = z.infer<typeof legSchema>;

/**
 * Where a blind transfer is: `ringing` (the target rings; the transferor left), `connected`
 * (the target answered), `returning` (the target did not answer: the transferor is rung back),
 * `returned` (the transferor answered that), `failed` (nobody took the call back: it ends).
 */
export const transferStateSchema = z.enum([
  'ringing',
  'connected',
  'returning',
  'returned',
  'failed',
]);
export type TransferState = z.infer<typeof transferStateSchema>;

/** The call's last blind transfer: who moved whom to whom, when, and how it went. */
export const callTransferSchema = z.object({
  by: userIdSchema,
  /** The participant being transferred (the other side of the 1:1 call). */
  party: userIdSchema,
  target: userIdSchema,
  at: z.number(),
  state: transferStateSchema,
});
export type CallTransfer = z.infer<typeof callTransferSchema>;

/** The server's view of a call: the single authority every client renders. */
export const callInfoSchema = z.object({
  callId: callIdSchema,
  callerId: userIdSchema,
  callerDevice: deviceIdSchema,
  moderatorId: userIdSchema,
  media: mediaKindSchema,
  payload: customPayloadSchema.optional(),
  state: callStateSchema,
  createdAt: z.number(),
  callerLeftAt: z.number().optional(),
  /** Set when the caller left because the rejoin window ran out (`connection-lost`). */
  callerLeftReason: leftReasonSchema.optional(),
  callerConnection: participantConnectionSchema.optional(),
  callerMuted: z.object({ audio: z.boolean(), video: z.boolean() }),
  legs: z.array(legSchema),
  endedAt: z.number().optional(),
  endReason: callEndReasonSchema.optional(),
  /**
   * Set while the call is on hold: who put it on hold and since when (epoch ms). The holder's
   * media is paused at the SFU both ways (to and from every other participant); only they resume.
   * Absent when the call is not on hold.
   */
  hold: z.object({ by: userIdSchema, since: z.number() }).optional(),
  /** The call's last blind transfer, if it was transferred (`call.transfer`). */
  transfer: callTransferSchema.optional(),
  /** A call to a contact-center queue: the queue it waits in (or came through) and since when. */
  queue: z
    .object({ queue: z.string(), enteredAt: z.number(), agentId: userIdSchema.optional() })
    .optional(),
});
export type CallInfo = z.infer<typeof callInfoSchema>;

export const presenceSchema = z.object({
  userId: userIdSchema,
  online: z.boolean(),
  status: presenceStatusSchema,
  /**
   * Set (true) while the user is present in an active call: an automatic presence others see on
   * top of the status they chose, which comes back as it was when the call ends. Absent otherwise.
   */
  inCall: z.literal(true).optional(),
});
export type Presence = z.infer<typeof presenceSchema>;
