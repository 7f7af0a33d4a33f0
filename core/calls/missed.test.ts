import { describe, expect, it } from 'vitest';
import { endedAsMissed } from './missed.js';

describe('a live call missed on this device', () => {
  it('is one that rang here and that nobody answered', () => {
    expect(endedAsMissed('ringing', 'canceled')).toBe(true);
    expect(endedAsMissed('ringing', 'timeout')).toBe(true);
    expect(endedAsMissed('ringing', 'answered-elsewhere')).toBe(false);
    expect(endedAsMissed('ringing', 'refused-elsewhere')).toBe(false);
    expect(endedAsMissed('ringing', 'declined')).toBe(false);
    expect(endedAsMissed('answering', 'canceled')).toBe(true);
    expect(endedAsMissed('ringback', 'timeout')).toBe(false);
  });
});
