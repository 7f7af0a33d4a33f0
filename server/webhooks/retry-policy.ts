/**
 * What to do after one webhook attempt. Pure functions, so the policy is tested without HTTP.
 */

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'permanent'; status: number };

/**
 * 2xx delivers. 408, 429 and 5xx are the receiver saying "not now", so we retry. Any other status
 * (a 4xx, or a 3xx since we never follow redirects with a signed body) means the request itself
 * is wrong and repeating it would fail the same way.
 */
export function classifyStatus(
  status: number,
  retryAfterHeader: string | null,
  nowMs: number,
): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) {
    const reason = `http ${status}`;
    // Only 429 and 503 promise anything with Retry-After (RFC 9110 §10.2.3).
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfterMs(retryAfterHeader, nowMs) : undefined;
    return retryAfterMs === undefined
      ? { kind: 'retry', reason }
      : { kind: 'retry', reason, retryAfterMs };
  }
  return { kind: 'permanent', status };
}

/** Retry-After is either delay-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^(attempts-1))).
 * The jitter spreads the retries of many deliveries that failed together (a receiver restart), so
 * they do not all come back at the same instant.
 */
export function backoffDelayMs(
  attempts: number,
  opts: { baseDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

/** The delay before the next attempt: the receiver's Retry-After if it gave one, capped too. */
export function nextDelayMs(
  attempts: number,
  opts: { baseDelayMs: number; maxDelayMs: number },
  retryAfterMs?: number,
): number {
  return retryAfterMs === undefined
    ? backoffDelayMs(attempts, opts)
    : Math.min(retryAfterMs, opts.maxDelayMs);
}
