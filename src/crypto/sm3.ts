/**
 * SM3 (GM/T 0004-2012, GB/T 32905-2016): the Chinese 256-bit hash, a Merkle–Damgård design with
 * SHA-256's block size and padding. `sm3(data)` hashes in one call; `sm3.create()` streams and
 * follows @noble/hashes' Hash interface, so noble's `hmac(sm3, key, message)` is HMAC-SM3.
 */
import { createHasher, type Hash } from '@noble/hashes/utils.js';

const IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));
const P0 = (x: number): number => x ^ rotl(x, 9) ^ rotl(x, 17);
const P1 = (x: number): number => x ^ rotl(x, 15) ^ rotl(x, 23);

/** T_j <<< j, precomputed for the 64 rounds (T_j = 79cc4519 for j < 16, 7a879d8a after). */
const T_ROT = (() => {
  const t = new Int32Array(64);
  for (let j = 0; j < 64; j++) t[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32);
  return t;
})();

/** Message expansion W0..W67, shared by every instance (compression is synchronous). */
const W = new Int32Array(68);

const BLOCK = 64;

export class SM3 implements Hash<SM3> {
  readonly blockLen = BLOCK;
  readonly outputLen = 32;
  readonly canXOF = false;
  readonly #state = Int32Array.from(IV);
  readonly #buffer = new Uint8Array(BLOCK);
  #buffered = 0;
  #length = 0;
  #finished = false;

  /** The compression function CF(V, B) on the block at `offset`. */
  #compress(block: Uint8Array, offset: number): void {
    for (let i = 0; i < 16; i++, offset += 4) {
      W[i] = (block[offset]! << 24) | (block[offset + 1]! << 16) | (block[offset + 2]! << 8) | block[offset + 3]!;
    }
    for (let i = 16; i < 68; i++) {
      W[i] = P1(W[i - 16]! ^ W[i - 9]! ^ rotl(W[i - 3]!, 15)) ^ rotl(W[i - 13]!, 7) ^ W[i - 6]!;
    }
    const v = this.#state;
    let A = v[0]!;
    let B = v[1]!;
    let C = v[2]!;
    let D = v[3]!;
    let E = v[4]!;
    let F = v[5]!;
    let G = v[6]!;
    let H = v[7]!;
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(A, 12);
      const SS1 = rotl((a12 + E + T_ROT[j]!) | 0, 7);
      const SS2 = SS1 ^ a12;
      const w = W[j]!;
      const FF = j < 16 ? A ^ B ^ C : (A & B) | (A & C) | (B & C);
      const GG = j < 16 ? E ^ F ^ G : (E & F) | (~E & G);
      const TT1 = (FF + D + SS2 + (w ^ W[j + 4]!)) | 0;
      const TT2 = (GG + H + SS1 + w) | 0;
      D = C;
      C = rotl(B, 9);
      B = A;
      A = TT1;
      H = G;
      G = rotl(F, 19);
      F = E;
      E = P0(TT2);
    }
    v[0]! ^= A;
    v[1]! ^= B;
    v[2]! ^= C;
    v[3]! ^= D;
    v[4]! ^= E;
    v[5]! ^= F;
    v[6]! ^= G;
    v[7]! ^= H;
  }

  update(data: Uint8Array): this {
    if (this.#finished) throw new Error('SM3: update after digest');
    let i = 0;
    this.#length += data.length;
    if (this.#buffered > 0) {
      const take = Math.min(BLOCK - this.#buffered, data.length);
      this.#buffer.set(data.subarray(0, take), this.#buffered);
      this.#buffered += take;
      i = take;
      if (this.#buffered < BLOCK) return this;
      this.#compress(this.#buffer, 0);
      this.#buffered = 0;
    }
    for (; i + BLOCK <= data.length; i += BLOCK) this.#compress(data, i);
    if (i < data.length) {
      this.#buffer.set(data.subarray(i));
      this.#buffered = data.length - i;
    }
    return this;
  }

  digestInto(out: Uint8Array): void {
    if (this.#finished) throw new Error('SM3: digest already taken');
    if (out.length < 32) throw new RangeError('SM3: output buffer too small');
    this.#finished = true;
    // Padding: 1 bit, zeros to 56 mod 64 bytes, then the bit length as 64-bit big-endian.
    const buffer = this.#buffer;
    buffer[this.#buffered] = 0x80;
    buffer.fill(0, this.#buffered + 1);
    if (this.#buffered >= 56) {
      this.#compress(buffer, 0);
      buffer.fill(0);
    }
    const bits = this.#length * 8;
    const high = Math.floor(bits / 2 ** 32);
    const low = bits >>> 0;
    for (let k = 0; k < 4; k++) {
      buffer[56 + k] = high >>> (24 - 8 * k);
      buffer[60 + k] = low >>> (24 - 8 * k);
    }
    this.#compress(buffer, 0);
    for (let k = 0; k < 8; k++) {
      const word = this.#state[k]!;
      out[4 * k] = word >>> 24;
      out[4 * k + 1] = word >>> 16;
      out[4 * k + 2] = word >>> 8;
      out[4 * k + 3] = word;
    }
  }

  digest(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(32);
    this.digestInto(out);
    return out;
  }

  _cloneInto(to?: SM3): SM3 {
    const target = to ?? new SM3();
    target.#state.set(this.#state);
    target.#buffer.set(this.#buffer);
    target.#buffered = this.#buffered;
    target.#length = this.#length;
    target.#finished = this.#finished;
    return target;
  }

  clone(): SM3 {
    return this._cloneInto();
  }

  destroy(): void {
    this.#finished = true;
    this.#state.fill(0);
    this.#buffer.fill(0);
  }
}

/** SM3 of `data` (32 bytes); `sm3.create()` for streaming. */
export const sm3 = createHasher(() => new SM3());
