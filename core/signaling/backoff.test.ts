import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it('grows exponentially and stays under the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 20, 1000].map((a) =>
      backoffDelay(a, options, () => 0.999999),
    );
    expect(ceilings.slice(0, 7)).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999]);
    for (const c of ceilings) expect(c).toBeLessThan(30_000);
  });

  it('spreads delays over the whole window (full jitter)', () => {
    expect(backoffDelay(5, options, () => 0)).toBe(0);
    expect(backoffDelay(5, options, () => 0.5)).toBe(8000);
  });

  it('keeps every delay within [0, cap) for random draws', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const d = backoffDelay(attempt, options);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(30_000, 500 * 2 ** attempt));
    }
  });
});
