import { gcm, unsafe } from '@noble/ciphers/aes.js';
import { equalBytes } from './bytes.js';
import { type CryptoCaches, defaultCryptoCaches } from './caches.js';
import type { AesKeyState } from './cache-entries.js';
import { be32, bswap, le32, putLe32, ReusableGhash } from './ghash.js';

export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/**
 * AES-GCM (NIST SP 800-38D) on @noble/ciphers' AES block function and GHASH, with the per-key
 * work done once. `gcm(key, …)` expands the AES key and builds the GHASH tables on every call,
 * and its CTR and GHASH create typed-array views per call: for a short message that costs more
 * than the encryption. Here the expanded key and the GHASH tables of recently used keys are kept
 * (CryptoCaches.aesStates, bounded, least recently used out), and blocks go to the AES and GHASH cores as 32-bit words, without views or copies.
 * Any nonce length from one byte up is accepted, as the standard allows (96 bits is the fast
 * path); an empty nonce or a key of another length than 16, 24 or 32 bytes is refused by `gcm`.
 *
 * Words are the little-endian reading of 4 bytes, the layout noble's cores use on every host.
 */

export type { AesKeyState } from './cache-entries.js';

const ZERO_BLOCK = new Uint8Array(16);

function stateFor(key: Uint8Array, caches: CryptoCaches): AesKeyState | undefined {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) return undefined;
  const known = caches.aesStates.get(key);
  if (known && equalBytes(known.key, key)) return known;
  const xk = unsafe.expandKeyLE(key);
  const h = new Uint8Array(16);
  const e = unsafe.encrypt(xk, 0, 0, 0, 0); // H = E_K(0^128)
  putLe32(h, 0, e.s0);
  putLe32(h, 4, e.s1);
  putLe32(h, 8, e.s2);
  putLe32(h, 12, e.s3);
  const state: AesKeyState = { key: key.slice(), xk, ghash: new ReusableGhash(h) };
  h.fill(0);
  caches.aesStates.set(key, state);
  return state;
}

/** J0: nonce || 0^31 || 1 for a 96-bit nonce, else GHASH_H(nonce || 0^s || 0^64 || [len(nonce)]_64). */
function j0(state: AesKeyState, nonce: Uint8Array): Uint8Array {
  if (nonce.length === GCM_NONCE_BYTES) {
    const block = new Uint8Array(16);
    block.set(nonce);
    block[15] = 1;
    return block;
  }
  return state.ghash.start().absorb(nonce).absorbLengths(0, nonce.length * 8).result(ZERO_BLOCK);
}

/**
 * GCTR from counter block `counter` + `from` (inc32: the last 32 bits count, modulo 2^32): XORs
 * the key stream into `src`, writing `dst` (same length; may be `src`).
 */
function gctr(state: AesKeyState, counter: Uint8Array, from: number, src: Uint8Array, dst: Uint8Array): void {
  const c0 = le32(counter, 0);
  const c1 = le32(counter, 4);
  const c2 = le32(counter, 8);
  let n = (be32(counter, 12) + from) >>> 0;
  for (let i = 0; i < src.length; i += 16, n = (n + 1) >>> 0) {
    const k = unsafe.encrypt(state.xk, c0, c1, c2, bswap(n));
    if (i + 16 <= src.length) {
      putLe32(dst, i, le32(src, i) ^ k.s0);
      putLe32(dst, i + 4, le32(src, i + 4) ^ k.s1);
      putLe32(dst, i + 8, le32(src, i + 8) ^ k.s2);
      putLe32(dst, i + 12, le32(src, i + 12) ^ k.s3);
    } else {
      const words = [k.s0, k.s1, k.s2, k.s3];
      for (let j = 0; i + j < src.length; j++) dst[i + j] = src[i + j]! ^ (words[j >> 2]! >>> (8 * (j & 3)));
    }
  }
}

/** GHASH_H(A, C) XOR E_K(J0). */
function tag(state: AesKeyState, counter: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16);
  gctr(state, counter, 0, ZERO_BLOCK, mask);
  return state.ghash.start().absorb(aad).absorb(data).absorbLengths(aad.length * 8, data.length * 8).result(mask);
}

/** AES-GCM seal: returns ciphertext followed by the 16-byte tag. */
export function aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const state = nonce.length > 0 ? stateFor(key, caches) : undefined;
  if (!state) return gcm(key, nonce, aad).encrypt(plaintext); // refuses the key or nonce in noble's words
  const counter = j0(state, nonce);
  const out = new Uint8Array(plaintext.length + GCM_TAG_BYTES);
  const body = out.subarray(0, plaintext.length);
  gctr(state, counter, 1, plaintext, body);
  out.set(tag(state, counter, aad, body), plaintext.length);
  return out;
}

/** AES-GCM open: returns the plaintext, or undefined when authentication fails. */
export function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  if (sealed.length < GCM_TAG_BYTES) return undefined;
  const state = nonce.length > 0 ? stateFor(key, caches) : undefined;
  if (!state) {
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  }
  const data = sealed.subarray(0, sealed.length - GCM_TAG_BYTES);
  const counter = j0(state, nonce);
  if (!equalBytes(tag(state, counter, aad, data), sealed.subarray(data.length))) return undefined;
  const plaintext = new Uint8Array(data.length);
  gctr(state, counter, 1, data, plaintext);
  return plaintext;
}
