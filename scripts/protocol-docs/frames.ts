import { z } from 'zod';
import {
  errorBodySchema,
  events,
  requestIdSchema,
  requests,
  sfuEvents,
  sfuRequests,
} from '../../protocol/index.js';

/**
 * The frames of the two WebSocket channels as whole messages, built from the protocol tables:
 * a request is `{id, type, data}`, its answer `{id, ok: true, data}` or an error frame, an event
 * `{type, data}`. The generated documents describe frames, not bare `data`, so that an outside
 * client can validate exactly what crosses the socket.
 */

export interface RequestDoc {
  type: string;
  description: string | undefined;
  request: z.ZodType;
  response: z.ZodType;
}
export interface EventDoc {
  type: string;
  description: string | undefined;
  event: z.ZodType;
}
export interface ChannelDoc {
  /** `ws` (signaling at `/ws`) or `sfu` (media at `/sfu`). */
  name: 'ws' | 'sfu';
  address: string;
  requests: RequestDoc[];
  events: EventDoc[];
  error: z.ZodType;
}

type RequestTable = Record<string, { data: z.ZodType; result: z.ZodType }>;
type EventTable = Record<string, z.ZodType>;

const byName = <T>(table: Record<string, T>): [string, T][] =>
  Object.entries(table).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function requestDocs(table: RequestTable): RequestDoc[] {
  return byName(table).map(([type, { data, result }]) => ({
    type,
    description: data.description,
    request: z.object({ id: requestIdSchema, type: z.literal(type), data }),
    response: z.object({ id: requestIdSchema, ok: z.literal(true), data: result }),
  }));
}

function eventDocs(table: EventTable): EventDoc[] {
  return byName(table).map(([type, data]) => ({
    type,
    description: data.description,
    event: z.object({ type: z.literal(type), data }),
  }));
}

/** The error answer of both channels; `id` is null when the frame's id could not be read. */
export const errorFrameSchema = z.object({
  id: requestIdSchema.nullable(),
  ok: z.literal(false),
  error: errorBodySchema,
});

export const CHANNELS: readonly ChannelDoc[] = [
  {
    name: 'ws',
    address: '/ws',
    requests: requestDocs(requests),
    events: eventDocs(events),
    error: errorFrameSchema,
  },
  {
    name: 'sfu',
    address: '/sfu',
    requests: requestDocs(sfuRequests),
    events: eventDocs(sfuEvents),
    error: errorFrameSchema,
  },
];
