/** A set of values per key; a key whose set becomes empty is dropped (no empty sets pile up). */
export class SetMultimap<K, V> {
  private readonly sets = new Map<K, Set<V>>();

  add(key: K, value: V): void {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(value);
  }

  delete(key: K, value: V): void {
    const set = this.sets.get(key);
    set?.delete(value);
    if (set?.size === 0) this.sets.delete(key);
  }

  has(key: K): boolean {
    return this.sets.has(key);
  }

  /** The values of `key`; empty when there are none. */
  get(key: K): ReadonlySet<V> {
    return this.sets.get(key) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<never> = new Set();
