import { z } from 'zod';
import {
  callIdSchema,
  customPayloadSchema,
  deviceIdSchema,
  mediaKindSchema,
  userIdSchema,
} from './common.js';
import { callRecordSchema } from './records.js';

/**
 * The webhooks the server POSTs to the business server (call-semantics.md, "Offline callees and
 * push" and "Call detail records"). Delivery is at least once: a retry after a timeout may repeat
 * a POST the receiver already handled, so receivers dedupe on `deliveryId`.
 * Times in bodies are Unix milliseconds, like everywhere in the protocol; the timestamp header is
 * Unix seconds because it only bounds replay.
 */

export const WEBHOOK_HEADERS = {
  /** The body's `type`, so a receiver can route before parsing. */
  event: 'X-Trayphone-Event',
  /** The body's `deliveryId`, the same on every retry of one delivery. */
  delivery: 'X-Trayphone-Delivery',
  /** Unix seconds at signing; fresh on each attempt. */
  timestamp: 'X-Trayphone-Timestamp',
  /** `v1=` + hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`). */
  signature: 'X-Trayphone-Signature',
} as const;

/** The prefix of the signature header; a new scheme would get a new version, not a new header. */
export const WEBHOOK_SIGNATURE_PREFIX = 'v1=';

/** The push services a device may register a token for (`push.register`). */
export const pushPlatformSchema = z.enum(['apns-voip', 'fcm', 'vendor']);
export type PushPlatform = z.infer<typeof pushPlatformSchema>;

export const pushTokenSchema = z.object({
  deviceId: deviceIdSchema,
  platform: pushPlatformSchema,
  token: z.string().min(1).max(4096),
});
export type PushToken = z.infer<typeof pushTokenSchema>;

/** Unique per delivery (not per attempt), so a receiver can drop the repeats of a retry. */
export const deliveryIdSchema = z.string().min(1).max(64);

/** A push for a callee with no device online; the business server forwards it to the tokens. */
export const callInviteWebhookSchema = z.object({
  type: z.literal('call.invite'),
  deliveryId: deliveryIdSchema,
  sentAt: z.number(),
  callee: userIdSchema,
  call: z.object({
    callId: callIdSchema,
    callerId: userIdSchema,
    callerName: z.string().max(100),
    media: mediaKindSchema,
    payload: customPayloadSchema.optional(),
    /** When the invitation stops ringing; a push arriving later should not wake anyone. */
    expiresAt: z.number(),
  }),
  pushTokens: z.array(pushTokenSchema),
});
export type CallInviteWebhook = z.infer<typeof callInviteWebhookSchema>;

/** Sent once per call when it ends, carrying the same record the history API returns. */
export const callEndedWebhookSchema = z.object({
  type: z.literal('call.ended'),
  deliveryId: deliveryIdSchema,
  sentAt: z.number(),
  record: callRecordSchema,
});
export type CallEndedWebhook = z.infer<typeof callEndedWebhookSchema>;

export const webhookBodySchema = z.discriminatedUnion('type', [
  callInviteWebhookSchema,
  callEndedWebhookSchema,
]);
export type WebhookBody = z.infer<typeof webhookBodySchema>;
export type WebhookEvent = WebhookBody['type'];
