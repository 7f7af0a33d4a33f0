import { describe, expect, it } from 'vitest';
import { AttemptLimiter, HttpError } from './http-kit.js';

/** The sign-in limiter's refusal carries when the key's window ends (`Retry-After`). */
describe('AttemptLimiter.enforce', () => {
  const refusal = (limiter: AttemptLimiter, now: number): HttpError => {
    try {
      limiter.enforce('addr', 'slow down', now);
    } catch (error) {
      if (error instanceof HttpError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('refuses over the budget with the rest of the window, rounded up to whole seconds', () => {
    const limiter = new AttemptLimiter(2, 60_000);
    limiter.enforce('addr', 'slow down', 1_000);
    limiter.enforce('addr', 'slow down', 2_000);
    const late = refusal(limiter, 31_500);
    expect(late).toMatchObject({ status: 429, code: 'rate-limited', retryAfterSec: 30 });
    expect(refusal(limiter, 60_999).retryAfterSec).toBe(1);
    // The window is over: counted anew, let in.
    expect(() => {
      limiter.enforce('addr', 'slow down', 61_000);
    }).not.toThrow();
  });

  it('keys are apart: one address over its budget does not refuse another', () => {
    const limiter = new AttemptLimiter(1, 60_000);
    limiter.enforce('addr', 'slow down', 0);
    expect(refusal(limiter, 10).retryAfterSec).toBe(60);
    expect(() => {
      limiter.enforce('other', 'slow down', 10);
    }).not.toThrow();
  });
});
