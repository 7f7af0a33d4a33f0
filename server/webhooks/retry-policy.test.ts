import { describe, expect, it } from 'vitest';
import { backoffDelayMs, classifyStatus, nextDelayMs, parseRetryAfterMs } from './retry-policy.js';

const now = Date.parse('2025-06-01T12:00:00Z');
const opts = { baseDelayMs: 500, maxDelayMs: 60_000 };

describe('webhook retry policy', () => {
  it('classifies 2xx as delivered, 408/429/5xx as retry, other statuses as permanent', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(classifyStatus(status, null, now)).toEqual({ kind: 'delivered' });
    }
    for (const status of [408, 429, 500, 502, 503, 504]) {
      expect(classifyStatus(status, null, now)).toEqual({
        kind: 'retry',
        reason: `http ${status}`,
      });
    }
    for (const status of [301, 302, 307, 400, 401, 403, 404, 410, 413, 422]) {
      expect(classifyStatus(status, null, now)).toEqual({ kind: 'permanent', status });
    }
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(classifyStatus(429, '3', now)).toEqual({
      kind: 'retry',
      reason: 'http 429',
      retryAfterMs: 3000,
    });
    expect(classifyStatus(503, '0', now)).toMatchObject({ retryAfterMs: 0 });
    expect(classifyStatus(500, '3', now)).not.toHaveProperty('retryAfterMs');
  });

  it('parses Retry-After as seconds or an HTTP date, and ignores junk', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs(' 7 ', now)).toBe(7_000);
    expect(parseRetryAfterMs(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(parseRetryAfterMs(new Date(now - 5_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped at maxDelayMs', () => {
    const top = () => 0.999_999;
    expect(backoffDelayMs(1, opts, top)).toBe(499);
    expect(backoffDelayMs(2, opts, top)).toBe(999);
    expect(backoffDelayMs(4, opts, top)).toBe(3999);
    expect(backoffDelayMs(20, opts, top)).toBe(59_999);
    expect(backoffDelayMs(5, opts, () => 0)).toBe(0);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelayMs(3, opts);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(2000);
    }
  });

  it('prefers Retry-After over backoff, within the same cap', () => {
    expect(nextDelayMs(1, opts, 10_000)).toBe(10_000);
    expect(nextDelayMs(1, opts, 3_600_000)).toBe(60_000);
    expect(nextDelayMs(1, opts)).toBeLessThan(500);
  });
});
