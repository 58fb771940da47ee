/**
 * A map that keeps at most `capacity` entries, dropping the least recently used one (by `get` or `set`) when a new
 * key would pass the cap. The dashboard keeps each experiment's decoded trials in one, so a server left running over
 * a store of many experiments holds the few being looked at rather than every experiment ever opened.
 */
export class LruCache<K, V> {
  readonly capacity: number;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`an LRU cache holds at least one entry, not ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** The value of `key`, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Sets `key` (now the most recently used), dropping the least recently used entry when over capacity. */
  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  /** How many entries it holds (never more than `capacity`). */
  get size(): number {
    return this.entries.size;
  }

  /** The keys, least recently used first. */
  keys(): K[] {
    return [...this.entries.keys()];
  }
}
