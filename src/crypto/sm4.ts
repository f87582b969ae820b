/**
 * SM4 (GM/T 0002-2012, GB/T 32907-2016), the Chinese 128-bit block cipher, and its modes:
 * SM4-GCM (NIST SP 800-38D with SM4 as the block cipher, as RFC 8998 uses it) and SM4-CBC with
 * PKCS#7 padding. The round function runs on four precomputed 256-entry tables (S-box followed by
 * the linear transform L), and the round keys and GHASH tables of recently used keys are kept
 * (CryptoCaches.sm4States, bounded, least recently used out), as AES-GCM does.
 */
import { equalBytes } from './bytes.js';
import { type CryptoCaches, defaultCryptoCaches } from './caches.js';
import type { Sm4KeyState } from './cache-entries.js';
import { ReusableGhash } from './ghash.js';

const SBOX = (() => {
  const hex =
    'd690e9fecce13db716b614c228fb2c052b679a762abe04c3aa44132649860699' +
    '9c4250f491ef987a33540b43edcfac62e4b31ca9c908e89580df94fa758f3fa6' +
    '4707a7fcf37317ba83593c19e6854fa8686b81b27164da8bf8eb0f4b70569d35' +
    '1e240e5e6358d1a225227c3b01217887d40046579fd327524c3602e7a0c4c89e' +
    'eabf8ad240c738b5a3f7f2cef96115a1e0ae5da49b341a55ad933230f58cb1e3' +
    '1df6e22e8266ca60c02923ab0d534e6fd5db3745defd8e2f03ff6a726d6c5b51' +
    '8d1baf92bbddbc7f11d95c411f105ad80ac13188a5cd7bbd2d74d012b8e5b4b0' +
    '8969974a0c96777e65b9f109c56ec68418f07dec3adc4d2079ee5f3ed7cb3948';
  const box = new Uint8Array(256);
  for (let i = 0; i < 256; i++) box[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return box;
})();

const FK = [0xa3b1bac6, 0x56aa3350, 0x677d9197, 0xb27022dc];
/** CK_i: byte j of CK_i is (4i + j) · 7 mod 256. */
const CK = Array.from({ length: 32 }, (_, i) => {
  let w = 0;
  for (let j = 0; j < 4; j++) w = (w << 8) | (((4 * i + j) * 7) & 0xff);
  return w | 0;
});

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** T0..T3[b] = L(τ(b at byte position 0..3)), L(B) = B ⊕ B<<<2 ⊕ B<<<10 ⊕ B<<<18 ⊕ B<<<24. */
const [T0, T1, T2, T3] = [24, 16, 8, 0].map((shift) => {
  const table = new Int32Array(256);
  for (let b = 0; b < 256; b++) {
    const x = SBOX[b]! << shift;
    table[b] = x ^ rotl(x, 2) ^ rotl(x, 10) ^ rotl(x, 18) ^ rotl(x, 24);
  }
  return table;
}) as [Int32Array, Int32Array, Int32Array, Int32Array];

const tau = (x: number): number =>
  (SBOX[x >>> 24]! << 24) | (SBOX[(x >>> 16) & 0xff]! << 16) | (SBOX[(x >>> 8) & 0xff]! << 8) | SBOX[x & 0xff]!;

const readBe = (b: Uint8Array, i: number): number => (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;

function writeBe(out: Uint8Array, i: number, w: number): void {
  out[i] = w >>> 24;
  out[i + 1] = w >>> 16;
  out[i + 2] = w >>> 8;
  out[i + 3] = w;
}

/** The 32 encryption round keys of a 16-byte key. */
export function sm4ExpandKey(key: Uint8Array): Int32Array {
  if (key.length !== 16) throw new RangeError(`SM4 key must be 16 bytes, got ${key.length}`);
  let k0 = readBe(key, 0) ^ FK[0]!;
  let k1 = readBe(key, 4) ^ FK[1]!;
  let k2 = readBe(key, 8) ^ FK[2]!;
  let k3 = readBe(key, 12) ^ FK[3]!;
  const rk = new Int32Array(32);
  for (let i = 0; i < 32; i++) {
    const t = tau(k1 ^ k2 ^ k3 ^ CK[i]!);
    const next = k0 ^ t ^ rotl(t, 13) ^ rotl(t, 23);
    rk[i] = next;
    k0 = k1;
    k1 = k2;
    k2 = k3;
    k3 = next;
  }
  return rk;
}

/** One block through the 32 rounds with the given round keys (reversed keys decrypt). */
function cryptBlock(rk: Int32Array, input: Uint8Array, inOffset: number, out: Uint8Array, outOffset: number): void {
  let x0 = readBe(input, inOffset);
  let x1 = readBe(input, inOffset + 4);
  let x2 = readBe(input, inOffset + 8);
  let x3 = readBe(input, inOffset + 12);
  for (let i = 0; i < 32; i++) {
    const a = x1 ^ x2 ^ x3 ^ rk[i]!;
    const next = x0 ^ T0[a >>> 24]! ^ T1[(a >>> 16) & 0xff]! ^ T2[(a >>> 8) & 0xff]! ^ T3[a & 0xff]!;
    x0 = x1;
    x1 = x2;
    x2 = x3;
    x3 = next;
  }
  writeBe(out, outOffset, x3);
  writeBe(out, outOffset + 4, x2);
  writeBe(out, outOffset + 8, x1);
  writeBe(out, outOffset + 12, x0);
}

export type { Sm4KeyState } from './cache-entries.js';

function stateFor(key: Uint8Array, caches: CryptoCaches): Sm4KeyState {
  const known = caches.sm4States.get(key);
  if (known && equalBytes(known.key, key)) return known;
  const encrypt = sm4ExpandKey(key);
  const state: Sm4KeyState = { key: key.slice(), encrypt, decrypt: encrypt.slice().reverse() };
  caches.sm4States.set(key, state);
  return state;
}

function checkBlock(block: Uint8Array): void {
  if (block.length !== 16) throw new RangeError(`SM4 block must be 16 bytes, got ${block.length}`);
}

/** SM4 encryption of one 16-byte block (ECB of one block). */
export function sm4EncryptBlock(key: Uint8Array, block: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  checkBlock(block);
  const out = new Uint8Array(16);
  cryptBlock(stateFor(key, caches).encrypt, block, 0, out, 0);
  return out;
}

/** SM4 decryption of one 16-byte block. */
export function sm4DecryptBlock(key: Uint8Array, block: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  checkBlock(block);
  const out = new Uint8Array(16);
  cryptBlock(stateFor(key, caches).decrypt, block, 0, out, 0);
  return out;
}

// ------------------------------------------------------------------ CBC (PKCS#7)

/** SM4-CBC with PKCS#7 padding (a 16-byte IV). */
export function sm4CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  checkBlock(iv);
  const rk = stateFor(key, caches).encrypt;
  const pad = 16 - (plaintext.length % 16);
  const out = new Uint8Array(plaintext.length + pad);
  out.set(plaintext);
  out.fill(pad, plaintext.length);
  let previous = iv;
  for (let i = 0; i < out.length; i += 16) {
    for (let j = 0; j < 16; j++) out[i + j]! ^= previous[j]!;
    cryptBlock(rk, out, i, out, i);
    previous = out.subarray(i, i + 16);
  }
  return out;
}

/** SM4-CBC decryption; undefined when the length or the PKCS#7 padding is wrong. */
export function sm4CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  if (iv.length !== 16 || ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  const rk = stateFor(key, caches).decrypt;
  const out = new Uint8Array(ciphertext.length);
  for (let i = 0; i < ciphertext.length; i += 16) {
    cryptBlock(rk, ciphertext, i, out, i);
    const previous = i === 0 ? iv : ciphertext.subarray(i - 16, i);
    for (let j = 0; j < 16; j++) out[i + j]! ^= previous[j]!;
  }
  const pad = out[out.length - 1]!;
  let bad = pad === 0 || pad > 16 ? 1 : 0;
  for (let j = 1; j <= 16; j++) {
    const inPad = j <= pad ? 1 : 0;
    bad |= inPad & (out[out.length - j] !== pad ? 1 : 0);
  }
  return bad ? undefined : out.slice(0, out.length - pad);
}

// ------------------------------------------------------------------ GCM

export const SM4_GCM_TAG_BYTES = 16;

function ghashFor(state: Sm4KeyState): ReusableGhash {
  if (!state.ghash) {
    const h = new Uint8Array(16);
    cryptBlock(state.encrypt, h, 0, h, 0); // H = E_K(0^128)
    state.ghash = new ReusableGhash(h);
    h.fill(0);
  }
  return state.ghash;
}

/** J0: nonce ‖ 0^31 ‖ 1 for a 96-bit nonce, else GHASH_H(nonce ‖ 0^s ‖ 0^64 ‖ [len(nonce)]_64). */
function j0(state: Sm4KeyState, nonce: Uint8Array): Uint8Array {
  if (nonce.length === 12) {
    const block = new Uint8Array(16);
    block.set(nonce);
    block[15] = 1;
    return block;
  }
  return ghashFor(state).start().absorb(nonce).absorbLengths(0, nonce.length * 8).result(new Uint8Array(16));
}

/** GCTR from counter block `counter` + `from` (inc32 on the last 32 bits). */
function gctr(state: Sm4KeyState, counter: Uint8Array, from: number, src: Uint8Array, dst: Uint8Array): void {
  const block = counter.slice();
  const stream = new Uint8Array(16);
  let n = (readBe(counter, 12) + from) >>> 0;
  for (let i = 0; i < src.length; i += 16, n = (n + 1) >>> 0) {
    writeBe(block, 12, n);
    cryptBlock(state.encrypt, block, 0, stream, 0);
    const end = Math.min(16, src.length - i);
    for (let j = 0; j < end; j++) dst[i + j] = src[i + j]! ^ stream[j]!;
  }
}

function tag(state: Sm4KeyState, counter: Uint8Array, aad: Uint8Array, data: Uint8Array): Uint8Array {
  const mask = new Uint8Array(16);
  cryptBlock(state.encrypt, counter, 0, mask, 0); // E_K(J0)
  return ghashFor(state).start().absorb(aad).absorb(data).absorbLengths(aad.length * 8, data.length * 8).result(mask);
}

/** SM4-GCM seal: ciphertext followed by the 16-byte tag. Nonce: any length from 1 byte (12 is usual). */
export function sm4GcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  if (nonce.length === 0) throw new RangeError('SM4-GCM nonce must not be empty');
  const state = stateFor(key, caches);
  const counter = j0(state, nonce);
  const out = new Uint8Array(plaintext.length + SM4_GCM_TAG_BYTES);
  const body = out.subarray(0, plaintext.length);
  gctr(state, counter, 1, plaintext, body);
  out.set(tag(state, counter, aad, body), plaintext.length);
  return out;
}

/** SM4-GCM open: the plaintext, or undefined when the key, nonce or tag is wrong. Never throws. */
export function sm4GcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  if (key.length !== 16 || nonce.length === 0 || sealed.length < SM4_GCM_TAG_BYTES) return undefined;
  const state = stateFor(key, caches);
  const data = sealed.subarray(0, sealed.length - SM4_GCM_TAG_BYTES);
  const counter = j0(state, nonce);
  if (!equalBytes(tag(state, counter, aad, data), sealed.subarray(data.length))) return undefined;
  const plaintext = new Uint8Array(data.length);
  gctr(state, counter, 1, data, plaintext);
  return plaintext;
}
