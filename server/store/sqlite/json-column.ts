import { z } from 'zod';

export type ColumnParse<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Reads back a JSON column through its protocol schema: parse, don't cast. A bad row comes back
 * as a reason, so the caller can log it and skip the row rather than fail the whole read.
 */
export function parseJsonColumn<T>(text: string, schema: z.ZodType<T>): ColumnParse<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'not JSON' };
  }
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: z.prettifyError(result.error) };
}
