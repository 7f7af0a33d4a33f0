import { z } from 'zod';
import { callIdSchema, mediaKindSchema, userIdSchema } from '../../protocol/index.js';

/**
 * What SFU nodes and signaling nodes say to each other through Redis, and where:
 * - `tp:sfu:node:<id>`: an SFU node's registration (URL, load), renewed every heartbeat with a
 *   TTL: a node whose key expired is lost;
 * - `tp:sfu:nodes`: the ids of the nodes that registered (signaling drops the expired ones);
 * - `tp:to-sfu:<id>`: conference control for that node (pub/sub);
 * - `tp:sfu:events`: what SFU nodes tell signaling (media connected, lost, failed);
 * - `tp:sfu:call:<callId>`: the node a call's room is placed on (any signaling node can read it).
 * Every message is parsed with the schemas here on arrival.
 */
export const SFU_NODES_KEY = 'tp:sfu:nodes';
export const SFU_EVENTS_CHANNEL = 'tp:sfu:events';
export const nodeKey = (id: string): string => `tp:sfu:node:${id}`;
export const commandChannel = (id: string): string => `tp:to-sfu:${id}`;
export const placementKey = (callId: string): string => `tp:sfu:call:${callId}`;

export const sfuLoadSchema = z.object({
  rooms: z.number().int().min(0),
  peers: z.number().int().min(0),
  transports: z.number().int().min(0),
});
export type SfuLoad = z.infer<typeof sfuLoadSchema>;

export const registrationSchema = z.object({
  id: z.string().min(1).max(64),
  url: z.string().regex(/^wss?:\/\//),
  load: sfuLoadSchema,
  /** When the node (re)started: a new process under the same id is a new node. */
  startedAt: z.number(),
  at: z.number(),
});
export type Registration = z.infer<typeof registrationSchema>;

export const sfuCommandSchema = z.discriminatedUnion('type', [
  /** The call is active: arm the connect bound (at least two participants connect in time). */
  z.object({ type: z.literal('callActive'), callId: callIdSchema }),
  z.object({
    type: z.literal('participantLeft'),
    callId: callIdSchema,
    userId: userIdSchema,
    reason: z.enum(['left', 'removed']),
    /** Tickets signed before this (ms) admit nobody to this call any more. */
    at: z.number(),
  }),
  z.object({
    type: z.literal('setMuted'),
    callId: callIdSchema,
    userId: userIdSchema,
    kind: mediaKindSchema,
    muted: z.boolean(),
  }),
  /** A participant holds the call (or resumes it): see `Room.applyHolds`. */
  z.object({
    type: z.literal('setHeld'),
    callId: callIdSchema,
    userId: userIdSchema,
    held: z.boolean(),
  }),
  z.object({ type: z.literal('callEnded'), callId: callIdSchema }),
  z.object({ type: z.literal('userGone'), userId: userIdSchema, at: z.number() }),
]);
export type SfuCommand = z.infer<typeof sfuCommandSchema>;

export const sfuNodeEventSchema = z.object({
  type: z.enum(['mediaFailed', 'mediaLost', 'mediaBack']),
  sfuId: z.string(),
  callId: callIdSchema,
  userId: userIdSchema.optional(),
});
export type SfuNodeEvent = z.infer<typeof sfuNodeEventSchema>;

/** A JSON message of Redis parsed with `schema`; undefined (and `onBad`) when it does not fit. */
export function parseWire<T>(
  schema: z.ZodType<T>,
  text: string,
  onBad: (why: string) => void,
): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    onBad('not JSON');
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    onBad(parsed.error.issues[0]?.message ?? 'invalid');
    return undefined;
  }
  return parsed.data;
}
