import { describe, expect, it } from 'vitest';
import { RateSearch } from './rate-search.js';

/** Runs a search against a system that keeps up with every rate up to `limit`. */
function search(start: number, limit: number, steps = 20): { tried: number[]; keptUp?: number } {
  const s = new RateSearch(start);
  const tried: number[] = [];
  for (let i = 0; i < steps; i++) {
    const rate = s.next();
    if (rate === undefined) break;
    tried.push(rate);
    s.record(rate, rate <= limit);
  }
  return { tried, ...(s.keptUp === undefined ? {} : { keptUp: s.keptUp }) };
}

describe('RateSearch', () => {
  it('climbs by 1.25 while steps pass, then narrows the bracket to 8%', () => {
    const { tried, keptUp } = search(2000, 3300);
    expect(tried.slice(0, 4)).toEqual([2000, 2500, 3150, 3950]);
    expect(keptUp).toBeLessThanOrEqual(3300);
    expect(keptUp).toBeGreaterThan(3300 / 1.08);
  });

  it('comes down by 1.25 while steps fail', () => {
    const { tried, keptUp } = search(2000, 1100);
    expect(tried.slice(0, 3)).toEqual([2000, 1600, 1300]);
    expect(keptUp).toBeLessThanOrEqual(1100);
    expect(keptUp).toBeGreaterThan(1100 / 1.08);
  });

  it('reports nothing when no rate passed', () => {
    expect(search(200, 10).keptUp).toBeUndefined();
  });

  it('drops a pass above a later failure below it (noise near the limit)', () => {
    const s = new RateSearch(1000);
    s.record(1000, true);
    s.record(1250, true);
    s.record(1100, false);
    expect(s.keptUp).toBe(1000);
    expect(s.next()).toBe(1050);
  });

  it('settles in the six steps the default run gives it', () => {
    expect(search(2000, 2600)).toEqual({ tried: [2000, 2500, 3150, 2800, 2650], keptUp: 2500 });
  });
});
