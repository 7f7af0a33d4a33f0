import { z } from 'zod';
import type { RecordKey } from '../store/types.js';

/**
 * Opaque paging cursors (`nextCursor`): the key of the last item a page held, encoded so that
 * clients pass it back unchanged and never build one. Records are keyed by (createdAt, callId),
 * the order the store reads them in, so that records sharing a millisecond are neither skipped
 * nor repeated across a page boundary; users by their id, which is unique on its own. The tag
 * names the kind and the version of the layout: a cursor of one kind is refused as the other.
 */
export class CursorError extends Error {
  override readonly name = 'CursorError';
}

const recordCursorSchema = z.tuple([
  z.literal('r1'),
  z.number().int().nonnegative(),
  z.string().min(1).max(64),
]);
const userCursorSchema = z.tuple([z.literal('u1'), z.string().min(1).max(64)]);

/** Cursors are short: anything longer was not made by this server. */
const MAX_CURSOR_LENGTH = 256;

const encode = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> {
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new CursorError('not a cursor this server issued');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('not a cursor this server issued');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new CursorError('not a cursor of this listing');
  return parsed.data;
}

export const encodeRecordCursor = (key: RecordKey): string =>
  encode(['r1', key.createdAt, key.callId]);

export function decodeRecordCursor(cursor: string): RecordKey {
  const [, createdAt, callId] = decode(cursor, recordCursorSchema);
  return { createdAt, callId };
}

export const encodeUserCursor = (userId: string): string => encode(['u1', userId]);

export function decodeUserCursor(cursor: string): string {
  return decode(cursor, userCursorSchema)[1];
}

/**
 * A page from `limit + 1` items read: the first `limit`, and the cursor of the last of them when
 * more follow (none on the last page, so a client stops without asking for an empty one).
 */
export function pageOf<T>(
  items: readonly T[],
  limit: number,
  cursorOf: (item: T) => string,
): { items: T[]; nextCursor?: string } {
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return items.length > limit && last !== undefined
    ? { items: page, nextCursor: cursorOf(last) }
    : { items: page };
}
