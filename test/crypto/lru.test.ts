/**
 * GenerationalCache: bounded, never emptied wholesale, and as good as LRU of the same capacity
 * (an entry goes only after `capacity` other keys were used since its last use).
 */
import { describe, expect, it } from 'vitest';
import { GenerationalCache } from '../../src/crypto/lru.js';

/** Looks `key` up, filling it on a miss; true on a hit. */
function use(cache: GenerationalCache<string, string>, key: string): boolean {
  if (cache.get(key) !== undefined) return true;
  cache.set(key, `value of ${key}`);
  return false;
}

describe('GenerationalCache', () => {
  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new GenerationalCache(0)).toThrow(RangeError);
    expect(() => new GenerationalCache(1.5)).toThrow(RangeError);
  });

  it('returns what was set, and undefined for a key never set', () => {
    const cache = new GenerationalCache<string, number>(4);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.get('a')).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('evicts the least recently used key first', () => {
    const cache = new GenerationalCache<string, string>(2);
    use(cache, 'a');
    use(cache, 'b');
    expect(use(cache, 'a')).toBe(true); // a is now more recent than b
    use(cache, 'c'); // young {a, b} turns old; young {c}
    expect(use(cache, 'a')).toBe(true); // promoted: young {c, a}
    use(cache, 'd'); // young {c, a} turns old; {a, b} dropped, so b (least recent) goes
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('value of a');
    expect(cache.get('c')).toBe('value of c');
    expect(cache.get('d')).toBe('value of d');
  });

  it('keeps a key until capacity other keys have been used since its last use', () => {
    const capacity = 8;
    const cache = new GenerationalCache<string, string>(capacity);
    use(cache, 'kept');
    for (let i = 0; i < 1000; i++) {
      use(cache, `other ${i}`);
      // Touch 'kept' again before `capacity` others have been used since its last use.
      if (i % capacity === capacity - 1) expect(use(cache, 'kept')).toBe(true);
    }
    const lone = new GenerationalCache<string, string>(capacity);
    use(lone, 'once');
    for (let i = 0; i < 2 * capacity + 1; i++) use(lone, `other ${i}`);
    expect(lone.get('once')).toBeUndefined();
  });

  it('never misses on a working set of up to capacity keys, in any order, and stays bounded', () => {
    const capacity = 64;
    const cache = new GenerationalCache<string, string>(capacity);
    for (const workingSet of [1, 7, capacity - 1, capacity]) {
      const keys = Array.from({ length: workingSet }, (_, i) => `set ${workingSet} key ${i}`);
      for (const key of keys) use(cache, key); // warm-up: each misses once
      let seed = workingSet;
      for (let round = 0; round < 50 * capacity; round++) {
        // Round-robin half of the time, pseudo-random the rest.
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const key = round % 2 === 0 ? keys[(round / 2) % workingSet]! : keys[seed % workingSet]!;
        expect(use(cache, key)).toBe(true);
      }
      expect(cache.size).toBeLessThanOrEqual(2 * capacity);
    }
  });

  it('is never emptied wholesale: a full generation turning over keeps the recent keys', () => {
    const capacity = 100;
    const cache = new GenerationalCache<string, string>(capacity);
    for (let i = 0; i < 10 * capacity; i++) {
      use(cache, `key ${i}`);
      expect(cache.size).toBeGreaterThanOrEqual(Math.min(i + 1, capacity));
      expect(cache.size).toBeLessThanOrEqual(2 * capacity);
    }
    for (let i = 9 * capacity; i < 10 * capacity; i++) expect(cache.get(`key ${i}`)).toBe(`value of key ${i}`);
  });
});
