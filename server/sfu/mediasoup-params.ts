import type * as mediasoup from 'mediasoup';
import { z } from 'zod';
import { ProtocolError } from '../../protocol/index.js';

/**
 * The mediasoup parameter objects peers send, parsed for their shape (so that a peer cannot hand
 * mediasoup something that is not even an object of the right kind); mediasoup then validates
 * their content, and its rejection becomes `bad-request` (`asBadRequest`).
 */

const kind = z.enum(['audio', 'video']);
const mimeType = z.string().min(3).max(64);
const payloadType = z.number().int().min(0).max(127);
const rtcpFeedback = z.array(
  z.looseObject({ type: z.string().max(64), parameter: z.string().max(64).optional() }),
);
const codecParameters = z.record(z.string().max(64), z.union([z.string().max(256), z.number()]));

const rtpCodecCapability = z.looseObject({
  kind,
  mimeType,
  preferredPayloadType: payloadType.optional(),
  clockRate: z.number().int().positive(),
  channels: z.number().int().positive().optional(),
  parameters: codecParameters.optional(),
  rtcpFeedback: rtcpFeedback.max(16).optional(),
});

const rtpHeaderExtension = z.looseObject({
  kind,
  uri: z.string().max(256),
  preferredId: z.number().int().min(1).max(255),
  preferredEncrypt: z.boolean().optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
});

export const rtpCapabilitiesSchema = z.looseObject({
  codecs: z.array(rtpCodecCapability).min(1).max(64),
  headerExtensions: z.array(rtpHeaderExtension).max(64).optional(),
}) satisfies z.ZodType<mediasoup.types.RtpCapabilities>;

export const rtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType,
        payloadType,
        clockRate: z.number().int().positive(),
        channels: z.number().int().positive().optional(),
        parameters: codecParameters.optional(),
        rtcpFeedback: rtcpFeedback.max(16).optional(),
      }),
    )
    .min(1)
    .max(16),
  headerExtensions: z
    .array(
      z.looseObject({
        uri: z.string().max(256),
        id: z.number().int().min(1).max(255),
        encrypt: z.boolean().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .max(32)
    .optional(),
  encodings: z
    .array(
      z.looseObject({
        ssrc: z.number().int().nonnegative().optional(),
        rid: z.string().max(32).optional(),
        codecPayloadType: payloadType.optional(),
        rtx: z.object({ ssrc: z.number().int().nonnegative() }).optional(),
        dtx: z.boolean().optional(),
        scalabilityMode: z.string().max(16).optional(),
        scaleResolutionDownBy: z.number().positive().optional(),
        maxBitrate: z.number().positive().optional(),
      }),
    )
    .max(8)
    .optional(),
  rtcp: z
    .looseObject({
      cname: z.string().max(256).optional(),
      reducedSize: z.boolean().optional(),
      mux: z.boolean().optional(),
    })
    .optional(),
}) satisfies z.ZodType<mediasoup.types.RtpParameters>;

export const dtlsParametersSchema = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.string().max(32), value: z.string().max(256) }))
    .min(1)
    .max(8),
}) satisfies z.ZodType<mediasoup.types.DtlsParameters>;

/** Parses a peer's mediasoup object with `schema`; a mismatch is the peer's `bad-request`. */
export function parseParams<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  throw new ProtocolError(
    'bad-request',
    `${what}${where ? `.${where}` : ''}: ${issue?.message ?? 'invalid'}`,
  );
}

const MAX_REASON_CHARS = 200;

/**
 * Runs a mediasoup call made with a peer's parameters: mediasoup rejecting them (TypeError from
 * its validation, Error from the worker) is the peer's `bad-request`.
 */
export async function asBadRequest<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    if (error instanceof Error && error.name !== 'InvalidStateError') {
      throw new ProtocolError(
        'bad-request',
        `${what} rejected: ${error.message.slice(0, MAX_REASON_CHARS)}`,
      );
    }
    throw error;
  }
}
