import { z } from 'zod';
import type {
  ErrorBody,
  ParseRequestOutcomeOf,
  ParsedRequestOf,
  RequestId,
  SfuEventData,
  SfuEventType,
  SfuRequestData,
  SfuRequestResult,
  SfuRequestType,
} from '../../protocol/index.js';
import {
  errorBodySchema,
  isSfuEventType,
  parseRequestFrameOf,
  requestIdSchema,
  sfuEvents,
  sfuRequests,
} from '../../protocol/index.js';
import { workerUnsafe } from './mediasoup-params.js';

/**
 * The SFU socket's frames: the same envelopes as signaling (`{id,type,data}` requests,
 * `{id,ok,data|error}` responses, `{type,data}` events), checked against protocol/sfu.ts.
 */

export type ParsedSfuRequest = ParsedRequestOf<typeof sfuRequests>;
export type ParseSfuRequestOutcome = ParseRequestOutcomeOf<typeof sfuRequests>;

const issuesText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/**
 * Parses one text frame from a peer into a typed SFU request, or says exactly what is wrong.
 * Everything a peer sends may end up in a request to the media worker: checked once here.
 */
export const parseSfuRequestFrame = (text: string): ParseSfuRequestOutcome =>
  parseRequestFrameOf(sfuRequests, text, workerUnsafe);

export const encodeSfuEvent = <T extends SfuEventType>(type: T, data: SfuEventData<T>): string =>
  JSON.stringify({ type, data });

export const encodeSfuRequest = <T extends SfuRequestType>(
  id: RequestId,
  type: T,
  data: SfuRequestData<T>,
): string => JSON.stringify({ id, type, data });

// ---- the client side (tests, tools) ------------------------------------------------------------

export type ParsedSfuEvent = {
  [T in SfuEventType]: { type: T; data: SfuEventData<T> };
}[SfuEventType];

export type SfuServerFrame =
  | { kind: 'response'; id: RequestId; ok: true; data: unknown }
  | { kind: 'response'; id: RequestId; ok: false; error: ErrorBody }
  | { kind: 'event'; event: ParsedSfuEvent };

const responseEnvelope = z.union([
  z.object({ id: requestIdSchema.nullable(), ok: z.literal(true), data: z.unknown() }),
  z.object({ id: requestIdSchema.nullable(), ok: z.literal(false), error: errorBodySchema }),
]);
const eventEnvelope = z.object({ type: z.string(), data: z.unknown() });

/**
 * Parses one frame from the SFU. A response's data is checked later against the schema of the
 * request it answers; events are checked here. Errors about frames whose id could not be read
 * carry `id: null`: they come back as responses with id null.
 */
export function parseSfuServerFrame(
  text: string,
):
  | SfuServerFrame
  | { kind: 'orphan-error'; error: ErrorBody }
  | { kind: 'invalid'; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (json !== null && typeof json === 'object' && 'ok' in json) {
    const response = responseEnvelope.safeParse(json);
    if (!response.success) return { kind: 'invalid', reason: issuesText(response.error) };
    const r = response.data;
    if (r.id === null) {
      return r.ok
        ? { kind: 'invalid', reason: 'a result without id' }
        : { kind: 'orphan-error', error: r.error };
    }
    return r.ok
      ? { kind: 'response', id: r.id, ok: true, data: r.data }
      : { kind: 'response', id: r.id, ok: false, error: r.error };
  }
  const envelope = eventEnvelope.safeParse(json);
  if (!envelope.success) return { kind: 'invalid', reason: issuesText(envelope.error) };
  const { type, data } = envelope.data;
  if (!isSfuEventType(type)) return { kind: 'invalid', reason: `unknown event ${type}` };
  const parsed = sfuEvents[type].safeParse(data);
  if (!parsed.success) return { kind: 'invalid', reason: `${type}: ${issuesText(parsed.error)}` };
  return { kind: 'event', event: { type, data: parsed.data } as ParsedSfuEvent };
}

/** Checks a response's data against the schema of the SFU request type it answers. */
export function parseSfuResult<T extends SfuRequestType>(
  type: T,
  data: unknown,
): SfuRequestResult<T> {
  return sfuRequests[type].result.parse(data) as SfuRequestResult<T>;
}
