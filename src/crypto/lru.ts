/**
 * A bounded map with a two-generation approximation of least-recently-used eviction. New entries
 * go into the young generation; when it holds `capacity` entries it becomes the old generation
 * (the previous old one is dropped) and a new young one starts. A hit in the old generation moves
 * the entry back into the young one. So a hit in the young generation costs one Map look-up and
 * nothing else, the cache is never emptied wholesale, and an entry is dropped only after
 * `capacity` other distinct keys have been used since its last use: every key of a working set of
 * at most `capacity` keys stays, as under LRU. It holds between `capacity` and 2 × `capacity`
 * entries once warm.
 */
export class GenerationalCache<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`cache capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** The value of `key` (counting as a use), or undefined. */
  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#admit(key, old);
    }
    return old;
  }

  set(key: K, value: V): void {
    if (this.#young.has(key)) {
      this.#young.set(key, value);
      return;
    }
    this.#old.delete(key);
    this.#admit(key, value);
  }

  /** Entries held, in both generations. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  #admit(key: K, value: V): void {
    if (this.#young.size >= this.capacity) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, value);
  }
}
