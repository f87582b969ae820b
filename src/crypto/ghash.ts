/**
 * GHASH (NIST SP 800-38D) keyed once and restartable, on @noble/ciphers' GHASH core: shared by
 * AES-GCM and SM4-GCM, which keep one per key. Words are the little-endian reading of 4 bytes,
 * the layout noble's cores use on every host.
 */
import { GHASH } from '@noble/ciphers/_polyval.js';

export const le32 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
export const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
export const bswap = (n: number): number => ((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24);

export function putLe32(out: Uint8Array, i: number, w: number): void {
  out[i] = w;
  out[i + 1] = w >>> 8;
  out[i + 2] = w >>> 16;
  out[i + 3] = w >>> 24;
}

/** GHASH keyed once: `start()` begins the next message with the same precomputed tables. */
export class ReusableGhash extends GHASH {
  start(): this {
    this.s0 = 0;
    this.s1 = 0;
    this.s2 = 0;
    this.s3 = 0;
    return this;
  }

  /** Absorbs `data` zero-padded to a whole number of blocks (GHASH of one GCM segment). */
  absorb(data: Uint8Array): this {
    const full = data.length - (data.length % 16);
    for (let i = 0; i < full; i += 16) this._updateBlock(le32(data, i), le32(data, i + 4), le32(data, i + 8), le32(data, i + 12));
    if (full < data.length) {
      const last = new Uint8Array(16);
      last.set(data.subarray(full));
      this._updateBlock(le32(last, 0), le32(last, 4), le32(last, 8), le32(last, 12));
    }
    return this;
  }

  /** Absorbs the block [a]_64 || [b]_64 of two bit lengths. */
  absorbLengths(aBits: number, bBits: number): this {
    this._updateBlock(bswap(Math.floor(aBits / 2 ** 32)), bswap(aBits >>> 0), bswap(Math.floor(bBits / 2 ** 32)), bswap(bBits >>> 0));
    return this;
  }

  /** The 16-byte result, XORed with `mask`. */
  result(mask: Uint8Array): Uint8Array {
    const out = new Uint8Array(16);
    putLe32(out, 0, this.s0 ^ le32(mask, 0));
    putLe32(out, 4, this.s1 ^ le32(mask, 4));
    putLe32(out, 8, this.s2 ^ le32(mask, 8));
    putLe32(out, 12, this.s3 ^ le32(mask, 12));
    return out;
  }
}

