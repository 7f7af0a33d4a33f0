import { describe, expect, it } from 'vitest';
import { SetMultimap } from './set-multimap.js';

describe('SetMultimap', () => {
  it('keeps a set per key and drops a key once its set is empty', () => {
    const map = new SetMultimap<string, number>();
    map.add('a', 1);
    map.add('a', 2);
    map.add('a', 2);
    map.add('b', 3);
    expect([...map.get('a')]).toEqual([1, 2]);
    map.delete('a', 1);
    map.delete('a', 2);
    map.delete('x', 9); // unknown key: nothing happens
    expect(map.get('a').size).toBe(0);
    expect(map.has('a')).toBe(false);
    expect(map.has('b')).toBe(true);
    expect([...map.get('b')]).toEqual([3]);
  });
});
