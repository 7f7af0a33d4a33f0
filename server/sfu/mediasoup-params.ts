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

/** Keys that mean something to JavaScript itself rather than to mediasoup. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype', 'then']);
/** Far more than any real RTP parameters or capabilities (Chromium's are ~4 deep, ~400 values). */
const MAX_DEPTH = 8;
const MAX_VALUES = 4_000;
/**
 * In a `u` regex a surrogate pair is one code point, so this matches lone surrogates only: the
 * same test as Node 20's `String.prototype.isWellFormed`, which our TypeScript lib lacks.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/**
 * Why `value` may not go to the mediasoup worker, or undefined if it may. The worker never
 * answers a request whose JSON it cannot parse (a lone UTF-16 surrogate is written as `\ud800`,
 * which its parser refuses), and every later request of the socket would wait behind it; keys
 * like `__proto__` or `then` turn data into behaviour on the way (object spreads, promises).
 */
export function workerUnsafe(value: unknown): string | undefined {
  let values = 0;
  const visit = (node: unknown, depth: number, where: string): string | undefined => {
    if (++values > MAX_VALUES) return `more than ${MAX_VALUES} values`;
    if (typeof node === 'string') {
      return isWellFormed(node) ? undefined : `${where || '(root)'}: not well-formed text`;
    }
    if (typeof node !== 'object' || node === null) return undefined;
    if (depth >= MAX_DEPTH) return `${where || '(root)'}: nested deeper than ${MAX_DEPTH}`;
    const entries: [string, unknown][] = Array.isArray(node)
      ? node.map((item, i) => [String(i), item])
      : Object.entries(node);
    for (const [key, child] of entries) {
      const path = where ? `${where}.${key}` : key;
      if (!isWellFormed(key)) return `${where || '(root)'}: a key is not well-formed text`;
      if (!Array.isArray(node) && PROTOTYPE_KEYS.has(key)) return `${path}: key not allowed`;
      const problem = visit(child, depth + 1, path);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(value, 0, '');
}

/** Refuses what `workerUnsafe` finds as the peer's `bad-request`. */
export function assertWorkerSafe(value: unknown, what: string): void {
  const problem = workerUnsafe(value);
  if (problem) throw new ProtocolError('bad-request', `${what}: ${problem}`);
}

/** Parses a peer's mediasoup object with `schema`; a mismatch is the peer's `bad-request`. */
export function parseParams<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  assertWorkerSafe(value, what);
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
