import type { ErrorCode } from '../../protocol/index.js';

/**
 * The pieces every fuzzer here shares: a seeded PRNG with hostile text, JSON written by hand (so a
 * frame can hold what a JS object cannot: duplicate keys, `__proto__` as an own key, `1e999`,
 * nesting deeper than JSON.stringify survives), values chosen to break fields, one-field mutation.
 */
// ---------------------------------------------------------------------------------------------
// A tiny seeded PRNG.

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Bits of text chosen to upset parsers, validators and logs. */
// prettier-ignore
export const TEXT_CHUNKS = [
  'a', 'Z', '0', ' ', '-', '_', '.', '"', '\\', '/', '{', '}', '[', ']', ':', ',', '\n', '\t',
  '\u0000', '\u0007', '\u001f', '\u007f', 'é', 'ß', '中', 'ع', '\u200b', '\u202e', '\ufeff',
  '\u2028', '\u2029', '\uffff', '\ud83d\ude00', '\ud800', '\udfff', '%s', '${x}', '<script>',
  "'; DROP TABLE users; --", '__proto__', 'constructor', 'NaN', 'null',
];

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    let roll = this.next() * table.reduce((sum, [w]) => sum + w, 0);
    for (const [w, value] of table) {
      roll -= w;
      if (roll < 0) return value;
    }
    const last = table.at(-1);
    if (!last) throw new Error('weighted pick from an empty table');
    return last[1];
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  /** Random text of about `chunks` pieces, mixing ASCII, controls, unicode and lone surrogates. */
  text(chunks: number): string {
    let out = '';
    for (let i = 0; i < chunks; i++) {
      out += this.chance(0.5) ? String.fromCharCode(this.range(32, 126)) : this.pick(TEXT_CHUNKS);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON built by hand, so frames can hold what JS objects cannot: duplicate keys, `__proto__` as
// an own key, number literals like 1e999, nesting deeper than JSON.stringify would survive.

export class Raw {
  constructor(readonly text: string) {}
}
export class Obj {
  constructor(readonly entries: [string, J][]) {}
}
export type J = null | boolean | number | string | Raw | Obj | J[];

export function toJson(value: J): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) {
    return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value);
}

export function fromPlain(value: unknown): J {
  if (Array.isArray(value)) return value.map(fromPlain);
  if (value !== null && typeof value === 'object') {
    return new Obj(Object.entries(value).map(([k, v]) => [k, fromPlain(v)]));
  }
  return value as J;
}

// ---------------------------------------------------------------------------------------------
// The model: which id a response must carry.

export type Id = string | number;
/** Unicode code points (a lone surrogate counts as one), as the protocol measures text. */
export const codePoints = (s: string): number => Array.from(s).length;
/** The protocol's request ids: 1-64 code points of text, or a safe integer. */
export const isValidId = (v: unknown): v is Id =>
  (typeof v === 'string' && codePoints(v) >= 1 && codePoints(v) <= 64) ||
  (typeof v === 'number' && Number.isSafeInteger(v));
/** Equal ids have equal keys (`-0` and `0` are the same id on the wire). */
export const idKey = (id: Id): string => `${typeof id}:${String(id)}`;

export interface Planned {
  kind: string;
  payload: Buffer;
  binary: boolean;
  /** Key of the id the one response must carry, or null: a response with `id: null`. */
  expect: string | null;
  /** The error code, where the frame alone decides it. */
  code?: ErrorCode;
}

/** A value chosen to break whatever field it lands in. */
export function hostileValue(rng: Rng, depth = 0): J {
  return rng.pick<() => J>([
    () => null,
    () => rng.chance(0.5),
    () => 0,
    () => new Raw('-0'),
    () => -rng.range(1, 1e9),
    () => rng.range(1, 1e9),
    () => 2 ** 53,
    () => 1e308,
    () => -1e308,
    () => 5e-324,
    () => 1.5,
    () => new Raw('1e999'),
    () => new Raw('-1e999'),
    () => new Raw('123456789012345678901234567890'),
    () => new Raw('0.000000000000000000000000000001'),
    () => rng.pick(['', 'NaN', 'Infinity', '-Infinity', 'undefined', 'null', '0x1f', '1e999']),
    () => rng.pick(['__proto__', 'constructor', 'prototype', 'toString', ' 42 ', 'true']),
    () => rng.text(rng.range(1, 40)),
    () => (depth > 0 ? 'short' : 'a'.repeat(rng.range(1_000, 20_000))),
    () => (depth > 0 ? 'é' : '\ud83d\ude00'.repeat(rng.range(100, 3_000))),
    () => (depth > 0 ? '\u0000' : rng.text(rng.range(500, 2_000))),
    () => {
      const d = rng.range(10, 20_000);
      return new Raw(`${'['.repeat(d)}${']'.repeat(d)}`);
    },
    () => {
      const d = rng.range(10, 5_000);
      return new Raw(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`);
    },
    () => new Obj([['__proto__', new Obj([['polluted', true]])]]),
    () => new Obj([['constructor', new Obj([['prototype', new Obj([['polluted', true]])]])]]),
    () =>
      new Obj([
        ['__proto__', null],
        ['toString', 1],
        ['hasOwnProperty', 'x'],
      ]),
    () =>
      depth > 1 ? [] : Array.from({ length: rng.range(0, 4) }, () => hostileValue(rng, depth + 1)),
    () =>
      depth > 1
        ? new Obj([])
        : new Obj(
            Array.from({ length: rng.range(0, 4) }, (): [string, J] => [
              rng.pick(['__proto__', 'constructor', 'id', 'type', rng.text(3)]),
              hostileValue(rng, depth + 1),
            ]),
          ),
    () => Array.from({ length: 501 }, (_, i) => `fz-x${i}`),
  ])();
}

/** Replaces, removes or adds exactly one field somewhere inside `data`. */
export function mutateOne(rng: Rng, data: J, hostile: () => J = () => hostileValue(rng)): J {
  type Slot = { parent: Obj | J[]; index: number };
  const slots: Slot[] = [];
  const walk = (node: J): void => {
    if (node instanceof Obj) {
      node.entries.forEach(([, child], index) => {
        slots.push({ parent: node, index });
        walk(child);
      });
    } else if (Array.isArray(node)) {
      node.forEach((child, index) => {
        slots.push({ parent: node, index });
        walk(child);
      });
    }
  };
  walk(data);
  if (slots.length === 0 || rng.chance(0.1)) return hostile();
  const { parent, index } = rng.pick(slots);
  const op = rng.int(4);
  if (parent instanceof Obj) {
    const entry = parent.entries[index];
    if (!entry) return data;
    if (op === 0) parent.entries.splice(index, 1);
    else if (op === 1) {
      const key = rng.pick(['__proto__', 'constructor', 'prototype', entry[0], rng.text(4)]);
      parent.entries.splice(index + 1, 0, [key, hostile()]);
    } else entry[1] = hostile();
  } else if (op === 0) parent.splice(index, 1);
  else parent[index] = hostile();
  return data;
}
