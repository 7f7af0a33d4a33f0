import { z } from 'zod';
import { callIdSchema, mediaKindSchema, userIdSchema } from './common.js';

/**
 * The SFU connection (`/sfu`, its own WebSocket, owned by the renderer). Same envelopes as
 * signaling: requests `{id, type, data}`, responses `{id, ok, data | error}`, events `{type, data}`.
 *
 * mediasoup's own parameter objects (RTP capabilities and parameters, DTLS and ICE parameters) are
 * checked here for their outer shape and size only; mediasoup validates them fully and its
 * rejection becomes a `bad-request`.
 */

/** An object from mediasoup whose inner shape mediasoup itself validates. */
const mediasoupObject = z.record(z.string(), z.unknown());

export const mediaSourceSchema = z.enum(['mic', 'camera', 'screen']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

export const producerInfoSchema = z.object({
  producerId: z.string(),
  userId: userIdSchema,
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfoSchema>;

export const sfuPeerSchema = z.object({
  userId: userIdSchema,
  producers: z.array(producerInfoSchema),
});
export type SfuPeer = z.infer<typeof sfuPeerSchema>;

const transportOptionsSchema = z.object({
  id: z.string(),
  iceParameters: mediasoupObject,
  iceCandidates: z.array(mediasoupObject),
  dtlsParameters: mediasoupObject,
});
export type TransportOptions = z.infer<typeof transportOptionsSchema>;

const empty = z.object({}).strict();
/**
 * An answer with nothing in it yet. Not strict, unlike `empty` for request data: a client must
 * accept the members a newer server may add (forward compatibility, docs/protocol.md).
 */
const emptyResult = z.object({});
/** `{ [key]: id }`, typed by its key (a computed key alone would type it `Record<string, string>`). */
const idOf = <K extends string>(key: K) =>
  z.object({ [key]: z.string().min(1).max(64) } as Record<K, z.ZodString>);

/** Every request of the SFU connection, with its data and result schemas. */
export const sfuRequests = {
  /** First request: a media ticket from signaling (`media.ticket`) admits the peer to its call's room. */
  join: {
    data: z.object({ ticket: z.string().min(1).max(4096) }),
    result: z.object({
      callId: callIdSchema,
      userId: userIdSchema,
      routerRtpCapabilities: mediasoupObject,
      peers: z.array(sfuPeerSchema),
    }),
  },
  'transport.create': {
    data: z.object({
      direction: z.enum(['send', 'recv']),
      /** Only TCP candidates: for networks that block UDP. */
      forceTcp: z.boolean().optional(),
    }),
    result: transportOptionsSchema,
  },
  'transport.connect': {
    data: z.object({ transportId: z.string().min(1).max(64), dtlsParameters: mediasoupObject }),
    result: emptyResult,
  },
  'transport.restartIce': {
    data: idOf('transportId'),
    result: z.object({ iceParameters: mediasoupObject }),
  },
  /** The peer can receive: the server creates (paused) consumers for every producer, now and later. */
  'consumer.ready': { data: z.object({ rtpCapabilities: mediasoupObject }), result: emptyResult },
  produce: {
    data: z.object({
      transportId: z.string().min(1).max(64),
      kind: mediaKindSchema,
      rtpParameters: mediasoupObject,
      source: mediaSourceSchema,
    }),
    result: z.object({ producerId: z.string() }),
  },
  /** The peer's own mute. Resuming a producer the moderator muted is `forbidden`. */
  'producer.pause': { data: idOf('producerId'), result: emptyResult },
  'producer.resume': { data: idOf('producerId'), result: emptyResult },
  'producer.close': { data: idOf('producerId'), result: emptyResult },
  'consumer.resume': { data: idOf('consumerId'), result: emptyResult },
  leave: { data: empty, result: emptyResult },
} as const;

export type SfuRequestType = keyof typeof sfuRequests;
export type SfuRequestData<T extends SfuRequestType> = z.infer<(typeof sfuRequests)[T]['data']>;
export type SfuRequestResult<T extends SfuRequestType> = z.infer<(typeof sfuRequests)[T]['result']>;
export const isSfuRequestType = (type: string): type is SfuRequestType =>
  Object.prototype.hasOwnProperty.call(sfuRequests, type);

/** Events the SFU pushes to a peer. */
export const sfuEvents = {
  'peer.joined': z.object({ userId: userIdSchema }),
  'peer.left': z.object({ userId: userIdSchema }),
  /** A new consumer on the peer's receive transport, created paused: resume it once wired up. */
  'consumer.new': z.object({
    consumerId: z.string(),
    producerId: z.string(),
    userId: userIdSchema,
    kind: mediaKindSchema,
    source: mediaSourceSchema,
    rtpParameters: mediasoupObject,
    producerPaused: z.boolean(),
  }),
  'consumer.closed': z.object({ consumerId: z.string(), producerId: z.string() }),
  /** A producer (the peer's own or one it consumes) was paused or resumed. */
  'producer.paused': z.object({
    producerId: z.string(),
    userId: userIdSchema,
    byModerator: z.boolean(),
  }),
  'producer.resumed': z.object({ producerId: z.string(), userId: userIdSchema }),
  /** The loudest participant now, or null when everyone is quiet. */
  'speaker.active': z.object({ userId: userIdSchema.nullable() }),
  /** Per-transport quality of this peer's connection, a few times a minute. */
  'transport.quality': z.object({
    transportId: z.string(),
    direction: z.enum(['send', 'recv']),
    rttMs: z.number().nullable(),
    lossPct: z.number().nullable(),
    jitterMs: z.number().nullable(),
    bitrateKbps: z.number(),
  }),
  /** Media for this call moved (a worker died): join again with a fresh ticket. */
  'room.rejoin': z.object({ reason: z.enum(['worker-died']) }),
  /** The peer is out of the room (removed by the moderator, the call ended). */
  'room.closed': z.object({ reason: z.enum(['removed', 'call-ended', 'replaced']) }),
} as const;

export type SfuEventType = keyof typeof sfuEvents;
export type SfuEventData<T extends SfuEventType> = z.infer<(typeof sfuEvents)[T]>;
export const isSfuEventType = (type: string): type is SfuEventType =>
  Object.prototype.hasOwnProperty.call(sfuEvents, type);

/** The claims of a media ticket, as the signaling server signs them and the SFU checks them. */
export const mediaTicketClaimsSchema = z.object({
  callId: callIdSchema,
  userId: userIdSchema,
  /**
   * Supervisors of a contact-center queue: `listen` only consumes and is invisible to the call,
   * `whisper` also produces audio that only `target` (the agent) consumes, `barge` is like a
   * participant.
   */
  role: z.enum(['moderator', 'participant', 'listen', 'whisper', 'barge']),
  target: userIdSchema.optional(),
  /**
   * The signaling session that asked for the ticket. A ticket admits once (a replay is refused
   * with `unauthorized` and the peer it admitted stays in), and only while that session is
   * signed in: a device that signed in again asks for a new ticket.
   */
  sessionId: z.string().min(1).max(64).optional(),
});
export type MediaTicketClaims = z.infer<typeof mediaTicketClaimsSchema>;
