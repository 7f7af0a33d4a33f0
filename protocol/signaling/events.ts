import { z } from 'zod';
import {
  callEndReasonSchema,
  callIdSchema,
  callInfoSchema,
  deviceIdSchema,
  mediaKindSchema,
  presenceSchema,
  ringEndReasonSchema,
  userIdSchema,
} from '../common.js';
import { contactCenterEvents } from '../contact-center.js';
import { incomingCallSchema } from './requests.js';

/** Every event the server pushes to a client (`{type, data}`, no id). */
export const events = {
  /** An invitation for this user: ring (call waiting: ring discreetly when `busy`). */
  'call.incoming': incomingCallSchema,
  /** This device must stop ringing for this call, and why. */
  'call.ringEnded': z.object({ callId: callIdSchema, reason: ringEndReasonSchema }),
  /** Anything changed in a call this user is in (caller or participant): render the snapshot. */
  'call.updated': z.object({ call: callInfoSchema }),
  /** The call is over for everyone. */
  'call.ended': z.object({ call: callInfoSchema, reason: callEndReasonSchema }),
  /** The moderator changed something about this user's own participation. */
  'call.controlled': z.object({
    callId: callIdSchema,
    action: z.enum(['mute', 'unmute', 'remove']),
    kind: mediaKindSchema.optional(),
    by: userIdSchema,
  }),
  'presence.changed': presenceSchema,
  'message.received': z.object({
    messageId: z.string(),
    from: userIdSchema,
    fromDevice: deviceIdSchema,
    body: z.string(),
  }),
  'message.delivered': z.object({
    messageId: z.string(),
    to: userIdSchema,
    deviceId: deviceIdSchema,
  }),
  /**
   * The server is about to close this session: signed in elsewhere with the same device, a
   * disabled account, shutdown, `token-expired` (not renewed by its deadline and the grace after
   * it: refresh the token and reconnect; calls wait for the rejoin window), or `signed-out` (the
   * sign-in it was opened with was revoked: signed out on this device or on all, the password
   * changed, or its refresh token was reused; its tokens are refused: sign in again).
   */
  'session.closing': z.object({
    reason: z.enum([
      'replaced',
      'account-disabled',
      'server-shutdown',
      'token-expired',
      'signed-out',
    ]),
  }),
  ...contactCenterEvents,
} as const;

export type EventType = keyof typeof events;
export type EventData<T extends EventType> = z.infer<(typeof events)[T]>;
export const isEventType = (type: string): type is EventType =>
  Object.prototype.hasOwnProperty.call(events, type);
