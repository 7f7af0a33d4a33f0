import { z } from 'zod';
import {
  callInfoSchema,
  deviceInfoSchema,
  errorCodeSchema,
  events,
  presenceStatusSchema,
} from '../../protocol/index.js';

/*
 * What nodes tell each other over Redis pub/sub. Every message is parsed on arrival (a node of
 * another version, or anything else publishing on our channels, is logged and dropped).
 */

/** The channel only this node subscribes to: frames for its devices, requests for its calls. */
export const nodeChannel = (nodeId: string): string => `tp:to-node:${nodeId}`;
/** Sign-ins and sign-outs of every node: each keeps a replica of who is where. */
export const DIRECTORY_CHANNEL = 'tp:sess:changes';
/** Chosen statuses, block changes and "in a call", for the watchers on every node. */
export const PRESENCE_CHANNEL = 'tp:presence:changes';

/** Where a user's devices are: hash field = device id, value = a `remoteDevice`. */
export const directoryKey = (userId: string): string => `tp:sess:${userId}`;
/** Which node owns a live call (and decides for it). */
export const callOwnerKey = (callId: string): string => `tp:call:${callId}:owner`;
/** A node's lease: present while the node is alive and allowed to decide. */
export const nodeLeaseKey = (nodeId: string): string => `tp:node:${nodeId}`;

export const remoteDeviceSchema = z.object({
  nodeId: z.string(),
  sessionId: z.string(),
  userId: z.string(),
  device: deviceInfoSchema,
  connectedAt: z.number(),
  expiresAt: z.number(),
});
export type RemoteDevice = z.infer<typeof remoteDeviceSchema>;

const closeReasonSchema = events['session.closing'].shape.reason;

export const actorSchema = z.object({ userId: z.string(), device: deviceInfoSchema });

export const nodeMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('frame'), userId: z.string(), deviceId: z.string(), frame: z.string() }),
  z.object({
    t: z.literal('close'),
    userId: z.string(),
    sessionId: z.string(),
    reason: closeReasonSchema,
  }),
  z.object({
    t: z.literal('request'),
    id: z.string(),
    from: z.string(),
    type: z.string(),
    session: remoteDeviceSchema,
    data: z.unknown(),
  }),
  z.object({
    t: z.literal('answer'),
    id: z.string(),
    /** The result when `ok`; the error otherwise. */
    ok: z.boolean(),
    result: z.unknown().optional(),
    code: errorCodeSchema.optional(),
    message: z.string().optional(),
    call: callInfoSchema.optional(),
  }),
]);
export type NodeMessage = z.infer<typeof nodeMessageSchema>;

export const directoryMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('on'), entry: remoteDeviceSchema }),
  z.object({
    t: z.literal('off'),
    nodeId: z.string(),
    userId: z.string(),
    deviceId: z.string(),
    sessionId: z.string(),
  }),
  /** The node is gone (its lease expired, or it stopped): forget every device it held. */
  z.object({ t: z.literal('node-gone'), nodeId: z.string() }),
]);
export type DirectoryMessage = z.infer<typeof directoryMessageSchema>;

export const presenceMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('status'),
    from: z.string(),
    userId: z.string(),
    status: presenceStatusSchema,
  }),
  z.object({
    t: z.literal('block'),
    from: z.string(),
    blocker: z.string(),
    blocked: z.string(),
    isBlocked: z.boolean(),
  }),
  z.object({ t: z.literal('in-call'), from: z.string(), userId: z.string(), inCall: z.boolean() }),
]);
export type PresenceMessage = z.infer<typeof presenceMessageSchema>;

/** Parses a message's JSON text against a schema; undefined (for the caller to log) if invalid. */
export function parseMessage<T>(schema: z.ZodType<T>, text: string): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
