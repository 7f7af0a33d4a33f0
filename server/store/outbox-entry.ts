import { z } from 'zod';
import { callEndedWebhookSchema, callInviteWebhookSchema } from '../../protocol/webhooks.js';

/**
 * A webhook as the outbox keeps it until it is delivered or given up. `call.ended` is kept as
 * the body it will be (its record is known when the call ends). A push is kept as its intent:
 * written in the same transaction as the pushed invitation, it cannot wait for the look-ups of
 * the callee's push tokens and the caller's name, which are made when it is sent (so a resend
 * after a restart also reaches a token registered meanwhile).
 */
export const pushIntentSchema = callInviteWebhookSchema.omit({ pushTokens: true }).extend({
  call: callInviteWebhookSchema.shape.call.omit({ callerName: true }),
});
export type PushIntent = z.infer<typeof pushIntentSchema>;

export const outboxEntrySchema = z.discriminatedUnion('type', [
  pushIntentSchema,
  callEndedWebhookSchema,
]);
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

export const callIdOfEntry = (entry: OutboxEntry): string =>
  entry.type === 'call.invite' ? entry.call.callId : entry.record.callId;
