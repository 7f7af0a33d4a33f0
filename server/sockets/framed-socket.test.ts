import { describe, expect, it } from 'vitest';
import { TokenBucket } from './framed-socket.js';

describe('TokenBucket', () => {
  it('gives the burst at once, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 3);
    const t0 = Date.now();
    expect([bucket.take(t0), bucket.take(t0), bucket.take(t0), bucket.take(t0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    // 10 per second: one token back after 100 ms, not before.
    expect(bucket.take(t0 + 50)).toBe(false);
    expect(bucket.take(t0 + 150)).toBe(true);
    expect(bucket.take(t0 + 150)).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const bucket = new TokenBucket(100, 2);
    const later = Date.now() + 60_000;
    expect([bucket.take(later), bucket.take(later), bucket.take(later)]).toEqual([
      true,
      true,
      false,
    ]);
  });
  it('says how long until the next token: the hint of a rate-limited answer', () => {
    const bucket = new TokenBucket(10, 1);
    const t0 = Date.now();
    expect(bucket.waitMs(t0)).toBe(0);
    expect(bucket.take(t0)).toBe(true);
    expect(bucket.waitMs(t0)).toBe(100);
    expect(bucket.waitMs(t0 + 30)).toBe(70);
    expect(bucket.take(t0 + 99)).toBe(false);
    expect(bucket.take(t0 + 100)).toBe(true);
  });
});
