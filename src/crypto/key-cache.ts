import { equalBytes, toBase64 } from './bytes.js';
import { GenerationalCache } from './lru.js';

/**
 * Parsed or imported forms of encoded keys (RSA numbers, CryptoKeys, curve points, expanded
 * ML-DSA keys), so that signing twice with one key parses it once. Values are kept by content
 * (the key's Base64), so a key decoded afresh from storage still hits, in a GenerationalCache
 * (lru.ts): the `capacity` most recently used keys stay, at most twice that many are held. A key
 * array remembers its content string in a WeakMap (checked against a private copy, so a caller
 * that rewrites its array never gets a stale value), so a hit does not re-encode the key, and
 * the values stay bounded however many key arrays are alive. Failures are not cached.
 */
export class KeyCache<T> {
  readonly #contentStrings = new WeakMap<Uint8Array, { readonly copy: Uint8Array; readonly content: string }>();
  readonly #byContent: GenerationalCache<string, T>;

  constructor(capacity = 128) {
    this.#byContent = new GenerationalCache(capacity);
  }

  /** Keys held by content. */
  get size(): number {
    return this.#byContent.size;
  }

  get(key: Uint8Array, build: (key: Uint8Array) => T | undefined): T | undefined {
    const content = this.#contentOf(key);
    let value = this.#byContent.get(content);
    if (value === undefined) {
      value = build(key);
      if (value === undefined) return undefined;
      this.#byContent.set(content, value);
    }
    return value;
  }

  /** The value kept for `key` (counting as a use), or undefined: for values built asynchronously. */
  peek(key: Uint8Array): T | undefined {
    return this.#byContent.get(this.#contentOf(key));
  }

  set(key: Uint8Array, value: T): void {
    this.#byContent.set(this.#contentOf(key), value);
  }

  #contentOf(key: Uint8Array): string {
    let known = this.#contentStrings.get(key);
    if (!known || !equalBytes(known.copy, key)) {
      known = { copy: key.slice(), content: toBase64(key) };
      this.#contentStrings.set(key, known);
    }
    return known.content;
  }
}
