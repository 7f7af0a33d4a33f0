import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { zhCN } from './zh-CN.js';

/** Every key path of a resource tree, with its leaf value. */
function leaves(tree: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of leaves(value as object, path)) out.set(k, v);
    } else out.set(path, value);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  const english = leaves(en);
  const chinese = leaves(zhCN);

  it('the English and Simplified Chinese trees have exactly the same keys', () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('every string is non-empty and keeps the same placeholders', () => {
    for (const [key, value] of english) {
      const other = chinese.get(key);
      expect(typeof value, key).toBe('string');
      expect(typeof other, key).toBe('string');
      expect((other as string).length, key).toBeGreaterThan(0);
      expect(placeholders(other as string), key).toEqual(placeholders(value as string));
    }
  });

  it('Chinese strings are translated, not copied (except names)', () => {
    const sameAllowed = new Set(['app.name', 'settings.languages.en', 'settings.languages.zh-CN']);
    for (const [key, value] of english) {
      if (sameAllowed.has(key)) continue;
      expect(chinese.get(key), key).not.toBe(value);
    }
  });
});
