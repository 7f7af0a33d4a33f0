import { z } from 'zod';
import {
  callEndReasonSchema,
  callTransferSchema,
  callIdSchema,
  deviceIdSchema,
  mediaKindSchema,
  userIdSchema,
} from './common.js';
import { recordQueueSchema } from './contact-center.js';

/** How one participant's part in a call ended, as kept in the call record. */
export const participantOutcomeSchema = z.enum([
  'caller',
  'answered',
  'refused',
  'canceled',
  'timeout',
  'unreachable',
  'blocked',
  'dnd',
  'busy',
  'removed',
]);
export type ParticipantOutcome = z.infer<typeof participantOutcomeSchema>;

export const participantRecordSchema = z.object({
  userId: userIdSchema,
  role: z.enum(['caller', 'callee']),
  invitedBy: userIdSchema.optional(),
  invitedAt: z.number(),
  answeredAt: z.number().optional(),
  answeredDevice: deviceIdSchema.optional(),
  leftAt: z.number().optional(),
  outcome: participantOutcomeSchema,
  /** The refusal or failure reason as the caller saw it (`declined`, `busy`, a custom one...). */
  reason: z.string().optional(),
  /** Seconds this participant spent in the call after answering. */
  durationSec: z.number(),
});
export type ParticipantRecord = z.infer<typeof participantRecordSchema>;

/** The call detail record: one per call, written when it ends. */
export const callRecordSchema = z.object({
  callId: callIdSchema,
  callerId: userIdSchema,
  media: mediaKindSchema,
  createdAt: z.number(),
  answeredAt: z.number().optional(),
  endedAt: z.number(),
  endReason: callEndReasonSchema,
  /** Seconds from the first answer to the end; 0 for a call never answered. */
  durationSec: z.number(),
  participants: z.array(participantRecordSchema),
  /** Calls through a contact-center queue: the queue, the agent and the wait. */
  queue: recordQueueSchema.optional(),
  /**
   * Every blind transfer of the call, in order: by whom, of whom, to whom, and how it ended
   * (`ringing` here: the call ended while the target still rang). Absent if never transferred.
   */
  transfers: z.array(callTransferSchema).optional(),
});
export type CallRecord = z.infer<typeof callRecordSchema>;
