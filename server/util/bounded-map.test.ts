import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('keeps at most cap entries, evicting the oldest key first', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) map.set(key, i);
    expect(map.size).toBe(3);
    expect([...map.keys()]).toEqual(['c', 'd', 'e']);
    expect(map.has('a')).toBe(false);
    expect(map.has('b')).toBe(false);
    expect(map.get('a')).toBeUndefined();
    expect(map.get('c')).toBe(2);
    expect(map.get('e')).toBe(4);
  });

  it('evicts in insertion order across many wraps of its ring', () => {
    const map = new BoundedMap<number, string>(7);
    for (let i = 0; i < 1000; i++) {
      map.set(i, `v${i}`);
      const first = Math.max(0, i - 6);
      expect([...map.keys()]).toEqual(Array.from({ length: i - first + 1 }, (_, j) => first + j));
    }
    expect(map.get(993)).toBe('v993');
    expect(map.get(992)).toBeUndefined();
  });

  it('replaces the value of an existing key in place: it stays as old as it was', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('a', 10);
    expect(map.size).toBe(3);
    expect(map.get('a')).toBe(10);
    expect([...map.keys()]).toEqual(['a', 'b', 'c']);
    // 'a' was set first, so it is the next to go, the re-set notwithstanding.
    map.set('d', 4);
    expect([...map.keys()]).toEqual(['b', 'c', 'd']);
    expect(map.has('a')).toBe(false);
  });

  it('re-setting a key does not take a slot: the other keys are not evicted early', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    for (let i = 0; i < 10; i++) map.set('a', i);
    map.set('b', 2);
    expect([...map.keys()]).toEqual(['a', 'b']);
    expect(map.get('a')).toBe(9);
  });

  it('works with a cap of one', () => {
    const map = new BoundedMap<string, number>(1);
    map.set('a', 1).set('b', 2);
    expect([...map.keys()]).toEqual(['b']);
    expect(map.get('b')).toBe(2);
  });

  it('refuses a cap that holds nothing', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
  });
});
