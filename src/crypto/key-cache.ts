import { equalBytes, toBase64 } from './bytes.js';
import { GenerationalCache } from './lru.js';

/**
 * Parsed or imported forms of encoded keys (RSA numbers, CryptoKeys, curve points, expanded
 * ML-DSA keys), so that signing twice with one key parses it once. Looked up first by the key
 * array itself (checked against a private copy, so a caller that rewrites its array never gets
 * a stale value), then by content, so a key decoded afresh from storage still hits. Bounded:
 * the content map keeps the `capacity` most recently used keys (two generations, see lru.ts).
 * Failures are not cached.
 */
export class KeyCache<T> {
  readonly #byArray = new WeakMap<Uint8Array, { readonly copy: Uint8Array; readonly value: T }>();
  readonly #byContent: GenerationalCache<string, T>;

  constructor(capacity = 128) {
    this.#byContent = new GenerationalCache(capacity);
  }

  /** Keys held by content. */
  get size(): number {
    return this.#byContent.size;
  }

  get(key: Uint8Array, build: (key: Uint8Array) => T | undefined): T | undefined {
    const known = this.#byArray.get(key);
    if (known && equalBytes(known.copy, key)) return known.value;
    const content = toBase64(key);
    let value = this.#byContent.get(content);
    if (value === undefined) {
      value = build(key);
      if (value === undefined) return undefined;
      this.#byContent.set(content, value);
    }
    this.#byArray.set(key, { copy: key.slice(), value });
    return value;
  }
}
