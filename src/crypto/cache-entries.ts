/**
 * The shapes of the entries that CryptoCaches (caches.ts) keeps, in a module of their own so that
 * the modules filling the caches and the caches themselves import them without a circle.
 */
import type { ReusableGhash } from './ghash.js';

export const EnvelopeAlgorithm = { AES_256_GCM: 1, SM4_GCM: 2 } as const;
export type EnvelopeAlgorithmId = (typeof EnvelopeAlgorithm)[keyof typeof EnvelopeAlgorithm];

/** aes-gcm.ts: an expanded AES key and its GHASH tables. */
export interface AesKeyState {
  /** A copy of the key, so a caller that rewrites its key array never gets a stale state. */
  readonly key: Uint8Array;
  readonly xk: Uint32Array;
  readonly ghash: ReusableGhash;
}

/** sm4.ts: SM4 round keys, and GHASH tables once GCM is used. */
export interface Sm4KeyState {
  readonly key: Uint8Array;
  readonly encrypt: Int32Array;
  readonly decrypt: Int32Array;
  ghash?: ReusableGhash;
}

/** envelope.ts: the fields of an envelope header. */
export interface EnvelopeHeader {
  algorithm: EnvelopeAlgorithmId;
  account: string;
  region: string;
  keyId: string;
  /** 64 lowercase hex characters. */
  materialId: string;
}
