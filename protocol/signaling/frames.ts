import { z } from 'zod';
import type { CallInfo } from '../common.js';
import { callInfoSchema } from '../common.js';
import { type ErrorCode, errorCodeSchema } from '../errors.js';
import { type EventData, type EventType, events, isEventType } from './events.js';
import { type RequestData, type RequestResult, type RequestType, requests } from './requests.js';

/** Frames larger than this are refused before parsing. */
export const MAX_FRAME_BYTES = 64 * 1024;

export const requestIdSchema = z.union([z.string().min(1).max(64), z.number().int()]);
export type RequestId = z.infer<typeof requestIdSchema>;

export const errorBodySchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** With `invalid-state`: the call as it is now, so the loser of a race learns the outcome. */
  call: callInfoSchema.optional(),
  retryAfterMs: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe(
      'With `rate-limited` from the connection’s rate limit: how long until a request is let in again (the HTTP answers say the same in `Retry-After`). Absent when the queue of waiting requests is full: retry once an answer arrives.',
    ),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

const requestEnvelope = z.object({
  id: requestIdSchema,
  type: z.string().max(64),
  /** Optional for requests without data (`ping`). */
  data: z.unknown().optional(),
});
const responseEnvelope = z.union([
  z.object({ id: requestIdSchema, ok: z.literal(true), data: z.unknown() }),
  // `id: null`: the server could not tell which request a bad frame was.
  z.object({ id: requestIdSchema.nullable(), ok: z.literal(false), error: errorBodySchema }),
]);
const eventEnvelope = z.object({ type: z.string(), data: z.unknown() });

/** A typed error raised while handling a request; the dispatcher turns it into a response. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly call?: CallInfo,
  ) {
    super(message);
  }
  toBody(): ErrorBody {
    return this.call
      ? { code: this.code, message: this.message, call: this.call }
      : { code: this.code, message: this.message };
  }
}

export type ParsedRequest = {
  [T in RequestType]: { id: RequestId; type: T; data: RequestData<T> };
}[RequestType];

export type ParseRequestOutcome = ParseRequestOutcomeOf<typeof requests>;

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/** How far into a frame `sniffRequestId` looks: clients put the id first. */
export const SNIFF_ID_CHARS = 1024;
const JSON_STRING_AT = /"(?:[^"\\]|\\.)*"/y;
const JSON_NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const isJsonSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** The JSON string or number literal at `at`, if it is complete (followed by `,` or `}`). */
function literalValueAt(text: string, at: number): unknown {
  const pattern = text[at] === '"' ? JSON_STRING_AT : JSON_NUMBER_AT;
  pattern.lastIndex = at;
  const literal = pattern.exec(text)?.[0];
  if (literal === undefined) return undefined;
  let end = at + literal.length;
  while (isJsonSpace(text[end])) end++;
  if (text[end] !== ',' && text[end] !== '}') return undefined;
  try {
    return JSON.parse(literal) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The request id of a frame that is not parsed (binary, too large, rate-limited, not JSON), so
 * the client can still match the error to its request: the value of the first top-level `"id"`
 * member within the first SNIFF_ID_CHARS characters, if it is a valid request id. Never an `id`
 * nested in `data`, and never a prefix of a number or string the frame cuts short.
 */
export function sniffRequestId(text: string): RequestId | null {
  const head = text.slice(0, SNIFF_ID_CHARS);
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '"') {
      JSON_STRING_AT.lastIndex = i;
      const literal = JSON_STRING_AT.exec(head)?.[0];
      if (literal === undefined) return null;
      i += literal.length - 1;
      if (depth !== 1 || !expectKey) continue;
      expectKey = false;
      let key: unknown;
      try {
        key = JSON.parse(literal);
      } catch {
        return null;
      }
      if (key !== 'id') continue;
      let at = i + 1;
      while (isJsonSpace(head[at])) at++;
      if (head[at] !== ':') return null;
      at++;
      while (isJsonSpace(head[at])) at++;
      const id = requestIdSchema.safeParse(literalValueAt(head, at));
      return id.success ? id.data : null;
    } else if (c === '{' || c === '[') {
      if (depth === 0 && c === '[') return null;
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth < 1) return null;
    } else if (c === ',') {
      if (depth === 1) expectKey = true;
    } else if (depth === 0 && !isJsonSpace(c)) return null;
  }
  return null;
}

/** A table of requests: each type's data schema (and more the parser does not look at). */
export type RequestTable = Readonly<Record<string, { readonly data: z.ZodType }>>;

/** A request of `T`, its data parsed by its type's schema. */
export type ParsedRequestOf<T extends RequestTable> = {
  [K in keyof T & string]: { id: RequestId; type: K; data: z.output<T[K]['data']> };
}[keyof T & string];

export type ParseRequestOutcomeOf<T extends RequestTable> =
  { ok: true; request: ParsedRequestOf<T> } | { ok: false; id: RequestId | null; error: ErrorBody };

/**
 * Parses one text frame from a client into a typed request of `table`, or says exactly what is
 * wrong. The envelope of every socket of ours (signaling and the SFU): `{id, type, data}`.
 * `precheck` refuses data before its schema sees it (the SFU's rule for what reaches mediasoup),
 * with the reason it returns.
 */
export function parseRequestFrameOf<T extends RequestTable>(
  table: T,
  text: string,
  precheck?: (data: unknown) => string | undefined,
): ParseRequestOutcomeOf<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A frame cut short may still say which request it was.
    return {
      ok: false,
      id: sniffRequestId(text),
      error: { code: 'bad-frame', message: 'frame is not JSON' },
    };
  }
  const envelope = requestEnvelope.safeParse(json);
  if (!envelope.success) {
    const maybeId = requestIdSchema.safeParse((json as { id?: unknown } | null)?.id);
    return {
      ok: false,
      id: maybeId.success ? maybeId.data : null,
      error: { code: 'bad-frame', message: `not a request: ${issuesText(envelope.error)}` },
    };
  }
  const { id, type, data } = envelope.data;
  const entry = Object.prototype.hasOwnProperty.call(table, type) ? table[type] : undefined;
  if (!entry) {
    return {
      ok: false,
      id,
      error: { code: 'unknown-type', message: `unknown request type ${JSON.stringify(type)}` },
    };
  }
  const refused = precheck?.(data);
  if (refused !== undefined) {
    return { ok: false, id, error: { code: 'bad-request', message: `${type}: ${refused}` } };
  }
  const parsed = entry.data.safeParse(data ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      id,
      error: { code: 'bad-request', message: `${type}: ${issuesText(parsed.error)}` },
    };
  }
  return { ok: true, request: { id, type, data: parsed.data } as ParsedRequestOf<T> };
}

/** Parses one text frame from a client into a typed signaling request. */
export const parseRequestFrame = (text: string): ParseRequestOutcome =>
  parseRequestFrameOf(requests, text);

export type ServerFrame =
  | { kind: 'response'; id: RequestId; ok: true; data: unknown }
  | { kind: 'response'; id: RequestId | null; ok: false; error: ErrorBody }
  | { kind: 'event'; event: ParsedEvent };

export type ParsedEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];

/**
 * Parses one frame from the server. A response's data is checked later against the schema of
 * the request it answers (the client knows which); events are checked here.
 */
export function parseServerFrame(text: string): ServerFrame | { kind: 'invalid'; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (json !== null && typeof json === 'object' && 'id' in json) {
    const response = responseEnvelope.safeParse(json);
    if (!response.success) return { kind: 'invalid', reason: issuesText(response.error) };
    return { kind: 'response', ...response.data };
  }
  const envelope = eventEnvelope.safeParse(json);
  if (!envelope.success) return { kind: 'invalid', reason: issuesText(envelope.error) };
  const { type, data } = envelope.data;
  if (!isEventType(type)) return { kind: 'invalid', reason: `unknown event ${type}` };
  const parsed = events[type].safeParse(data);
  if (!parsed.success) return { kind: 'invalid', reason: `${type}: ${issuesText(parsed.error)}` };
  return { kind: 'event', event: { type, data: parsed.data } as ParsedEvent };
}

/** Checks a response's data against the schema of the request type it answers. */
export function parseResult<T extends RequestType>(type: T, data: unknown): RequestResult<T> {
  return requests[type].result.parse(data) as RequestResult<T>;
}

export const encodeRequest = <T extends RequestType>(
  id: RequestId,
  type: T,
  data: RequestData<T>,
): string => JSON.stringify({ id, type, data });
export const encodeResult = (id: RequestId, data: unknown): string =>
  JSON.stringify({ id, ok: true, data });
export const encodeError = (id: RequestId | null, error: ErrorBody): string =>
  JSON.stringify({ id, ok: false, error });
export const encodeEvent = <T extends EventType>(type: T, data: EventData<T>): string =>
  JSON.stringify({ type, data });

// ---- frames around data encoded once -------------------------------------------------------
// The server sends the same call snapshot in several frames per call step (the event to every
// participant, the answer to the request): it encodes the snapshot once and splices that text
// into each frame. These give exactly the text the encoders above give for the parsed data.

declare const jsonOf: unique symbol;
/** Text that is `JSON.stringify` of a `T`, to be spliced into frames as it is. */
export type JsonText<T> = string & { readonly [jsonOf]: T };

/** Encodes a value once, for the frames that carry it. */
export const toJsonText = <T extends object>(value: T): JsonText<T> =>
  JSON.stringify(value) as JsonText<T>;

/**
 * `{"<key>":<value>,...rest}`: the text of `JSON.stringify({ [key]: value, ...rest })` for the
 * parsed `value`, its members in that order. `key` must not be an array index (those would
 * come first) and must not be in `rest`.
 */
export function jsonObjectWith<
  K extends string,
  V,
  const R extends object & { readonly [P in K]?: never },
>(key: K, value: JsonText<V>, rest: R): JsonText<Record<K, V> & R> {
  const head = `{${JSON.stringify(key)}:${value}`;
  const tail = JSON.stringify(rest);
  return (tail === '{}' ? `${head}}` : `${head},${tail.slice(1)}`) as JsonText<Record<K, V> & R>;
}

/** `encodeResult` for data already encoded: the same text. */
export const encodeResultJson = (id: RequestId, data: JsonText<unknown>): string =>
  `{"id":${JSON.stringify(id)},"ok":true,"data":${data}}`;

/** `encodeEvent` for data already encoded: the same text. */
export const encodeEventJson = <T extends EventType>(
  type: T,
  data: JsonText<EventData<T>>,
): string => `{"type":${JSON.stringify(type)},"data":${data}}`;
