import type { AesKeyState, EnvelopeHeader, Sm4KeyState } from './cache-entries.js';
import { KeyCache } from './key-cache.js';
import { GenerationalCache } from './lru.js';

/**
 * Every cache of the crypto code, grouped so that each engine holds its own: one engine's keys
 * never push another's out, and dropping an engine drops its caches. Each is a GenerationalCache
 * (lru.ts): it keeps at least its capacity of most recently used entries and at most twice that,
 * and is never emptied wholesale. Functions that use a cache take `caches?: CryptoCaches` last;
 * without it they use `defaultCryptoCaches`, shared by everything that passes none.
 *
 * Parsed asymmetric keys live in one KeyCache per slot (a family's private or public keys, per
 * curve or scheme), made on first use, so that this module needs none of the lazily loaded
 * asymmetric modules.
 */
/**
 * Capacities: the entries each cache keeps for sure; it may hold twice as many. Sizes measured on
 * Node 20 (heap and array buffers); the worst case is reached only with that many keys in use.
 */
export interface CryptoCacheOptions extends CacheCapacities {
  /** Faster ECDSA signing the platform offers (PlatformSigning; node:crypto in the server). Default: none, WebCrypto signs. */
  readonly platformSigning?: PlatformSigning;
}

export interface CacheCapacities {
  /** Encoded headers (by fields) and parsed headers (by bytes), each: ≈ 0.55 kB an entry, so ≤ 9 MB for both. Default 4,096. */
  readonly headers?: number;
  /** Expanded AES keys, and SM4 round keys, each with GHASH tables: ≈ 18 kB an entry, so ≤ 74 MB a cipher. Default 2,048. */
  readonly cipherStates?: number;
  /** Parsed private or public keys per family, curve or scheme: 1–5 kB (EC, SM2, Ed25519, ML-DSA / ML-KEM), up to ≈ 50 kB for RSA-4096 private keys with their WebCrypto imports, so ≤ 50 MB. Default 512. */
  readonly parsedKeys?: number;
  /** Parsed EC and SM2 public keys per curve: ≈ 1.4 kB, but a hot one carries wNAF tables of ≈ 130 kB, so ≤ 17 MB a curve. Default 64. */
  readonly publicPoints?: number;
}

export const DEFAULT_CACHE_CAPACITIES: Required<CacheCapacities> = {
  headers: 4096,
  cipherStates: 2048,
  parsedKeys: 512,
  publicPoints: 64,
};

/** Names one KeyCache of parsed keys and the type of its entries; module-level and stateless. */
export interface KeySlot<T> {
  readonly name: string;
  readonly capacity: 'parsedKeys' | 'publicPoints';
  /** Never set: carries T. */
  readonly entry?: T;
}

export function keySlot<T>(name: string, capacity: KeySlot<T>['capacity'] = 'parsedKeys'): KeySlot<T> {
  return { name, capacity };
}

/**
 * Signing the platform offers beside WebCrypto, faster because it is a synchronous call: Node's
 * node:crypto, handed in by the Node-only server (src/server/platform-signing.ts). The code here
 * only calls it and never imports it, so it stays browser-safe; without one, WebCrypto signs.
 */
export interface PlatformSigning {
  /**
   * A signer for one ECDSA private key on a NIST curve (canonical PKCS#8 with its public key),
   * made once per key and kept with it; it returns a DER signature (randomized, as WebCrypto's).
   * Undefined when the platform refuses the key: WebCrypto signs then.
   */
  ecdsaSigner(namedCurve: 'P-256' | 'P-384' | 'P-521', pkcs8: Uint8Array): ((hash: 'SHA-256' | 'SHA-384' | 'SHA-512', message: Uint8Array) => Uint8Array) | undefined;
}

export class CryptoCaches {
  readonly capacities: Required<CacheCapacities>;
  /** Faster signing from the platform (CryptoCacheOptions.platformSigning); undefined: WebCrypto. */
  readonly platformSigning: PlatformSigning | undefined;
  /** envelope.ts: header bytes by their length-prefixed fields. */
  readonly encodedHeaders: GenerationalCache<string, Uint8Array>;
  /** envelope.ts: header fields by the header bytes (as a binary string). */
  readonly parsedHeaders: GenerationalCache<string, EnvelopeHeader>;
  /** aes-gcm.ts: expanded key and GHASH tables by key array (each checked against a copy of its key). */
  readonly aesStates: GenerationalCache<Uint8Array, AesKeyState>;
  /** sm4.ts: round keys (and GHASH tables once GCM is used) by key array. */
  readonly sm4States: GenerationalCache<Uint8Array, Sm4KeyState>;
  readonly #keys = new Map<KeySlot<unknown>, KeyCache<unknown>>();

  constructor(options: CryptoCacheOptions = {}) {
    const { platformSigning, ...capacities } = options;
    this.capacities = { ...DEFAULT_CACHE_CAPACITIES, ...capacities };
    this.platformSigning = platformSigning;
    this.encodedHeaders = new GenerationalCache(this.capacities.headers);
    this.parsedHeaders = new GenerationalCache(this.capacities.headers);
    this.aesStates = new GenerationalCache(this.capacities.cipherStates);
    this.sm4States = new GenerationalCache(this.capacities.cipherStates);
  }

  /** The parsed-key cache of `slot` (RSA private keys, P-256 public points, ML-DSA-65 keys, …). */
  keys<T>(slot: KeySlot<T>): KeyCache<T> {
    let cache = this.#keys.get(slot);
    if (!cache) this.#keys.set(slot, (cache = new KeyCache<unknown>(this.capacities[slot.capacity])));
    return cache as KeyCache<T>;
  }

  /** Parsed asymmetric keys held, over every slot. */
  get parsedKeyCount(): number {
    let n = 0;
    for (const cache of this.#keys.values()) n += cache.size;
    return n;
  }
}

/** A set of caches for one engine; capacities default to DEFAULT_CACHE_CAPACITIES. */
export function createCryptoCaches(options?: CryptoCacheOptions): CryptoCaches {
  return new CryptoCaches(options);
}

/** The caches of every call that passes none. */
export const defaultCryptoCaches: CryptoCaches = createCryptoCaches();
