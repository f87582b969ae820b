import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromUtf8, utf8 } from './bytes.js';

/** Where every random byte of the emulator comes from: ids, key material, nonces. */
export interface RandomSource {
  /** Fills `out` with random bytes and returns it. */
  fill(out: Uint8Array): Uint8Array;
  /** The state needed to continue the same stream after a restore (seeded sources only). */
  readonly position?: number;
}

const MAX_GET_RANDOM = 65536;

/** `crypto.getRandomValues`, present in browsers and Node. */
export const systemRandom: RandomSource = {
  fill(out: Uint8Array): Uint8Array {
    for (let i = 0; i < out.length; i += MAX_GET_RANDOM) {
      globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + MAX_GET_RANDOM)) as Uint8Array<ArrayBuffer>);
    }
    return out;
  },
};

const BLOCK = 64;
const BUFFER_BLOCKS = 64;
const ZERO_NONCE = new Uint8Array(12);

/**
 * A deterministic stream (ChaCha20 keyed by SHA-256 of the seed): the same seed and the same
 * sequence of requests give the same bytes. `position` counts bytes handed out, so a restored
 * engine continues the stream where its snapshot left it.
 */
export class SeededRandom implements RandomSource {
  readonly #key: Uint8Array;
  readonly #buffer = new Uint8Array(BLOCK * BUFFER_BLOCKS);
  #bufferStart = -1;
  #position = 0;

  constructor(seed: string, position = 0) {
    this.#key = sha256(utf8(`kms-emulator/seed/${seed}`));
    this.#position = position;
  }

  get position(): number {
    return this.#position;
  }

  fill(out: Uint8Array): Uint8Array {
    let written = 0;
    while (written < out.length) {
      const pos = this.#position;
      if (this.#bufferStart < 0 || pos < this.#bufferStart || pos >= this.#bufferStart + this.#buffer.length) {
        const block = Math.floor(pos / BLOCK);
        this.#buffer.fill(0);
        chacha20(this.#key, ZERO_NONCE, this.#buffer, this.#buffer, block);
        this.#bufferStart = block * BLOCK;
      }
      const offset = pos - this.#bufferStart;
      const take = Math.min(out.length - written, this.#buffer.length - offset);
      out.set(this.#buffer.subarray(offset, offset + take), written);
      written += take;
      this.#position += take;
    }
    return out;
  }
}

export function randomBytes(random: RandomSource, length: number): Uint8Array {
  return random.fill(new Uint8Array(length));
}

/** RFC 4122 version-4 UUID drawn from the given source. */
export function randomUuid(random: RandomSource): string {
  const b = randomBytes(random, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  // One flat string (as toHex): a template of slices would keep a tree of pieces per id.
  const out = new Uint8Array(36);
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = 0x2d; // '-'
    out[o++] = UUID_DIGITS[b[i]! >> 4]!;
    out[o++] = UUID_DIGITS[b[i]! & 15]!;
  }
  return fromUtf8(out);
}

const UUID_DIGITS = utf8('0123456789abcdef');
