/**
 * The emulator's AES-GCM (cached key schedule and GHASH tables) against two references:
 * @noble/ciphers' `gcm` and node:crypto's aes-*-gcm. Same bytes out, same refusals.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesGcmOpen, aesGcmSeal } from '../../src/crypto/aes-gcm.js';

const envRuns = Number.parseInt(process.env.FUZZ_RUNS ?? '', 10);
const RUNS = Number.isFinite(envRuns) && envRuns > 0 ? envRuns : 300;
const envSeed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10);
const SEED = Number.isFinite(envSeed) ? envSeed : 0x67636d;

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** `bytes` copied to a given offset inside a larger buffer (unaligned views are the tricky case). */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const buffer = new Uint8Array(bytes.length + offset + 3);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
}

function nodeSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const cipher = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([body, cipher.getAuthTag()]));
}

function nodeOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  const decipher = createDecipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]));
}

const input = fc.record({
  key: fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  nonce: fc.oneof({ weight: 4, arbitrary: fc.uint8Array({ minLength: 12, maxLength: 12 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  plaintext: fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ minLength: 1000, maxLength: 5000 })),
  aad: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(0))),
  offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
  reuse: fc.boolean(),
});

describe('AES-GCM', () => {
  it('matches NIST SP 800-38D test case 16 (AES-256, 60-byte plaintext, 20-byte AAD)', () => {
    const key = fromHex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const nonce = fromHex('cafebabefacedbaddecaf888');
    const plaintext = fromHex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const aad = fromHex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const sealed = aesGcmSeal(key, nonce, plaintext, aad);
    expect(hex(sealed)).toBe(
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
        '76fc6ece0f4e1768cddf8853bb2d551b',
    );
    expect(hex(aesGcmOpen(key, nonce, sealed, aad)!)).toBe(hex(plaintext));
  });

  it('seals and opens exactly as @noble/ciphers gcm and node:crypto do', () => {
    fc.assert(
      fc.property(input, ({ key, nonce, plaintext, aad, offsets, reuse }) => {
        // The same key array twice (cache hit) or a fresh copy (cache miss) must not matter.
        const k = reuse ? key : key.slice();
        const sealed = aesGcmSeal(k, at(nonce, offsets[0]), at(plaintext, offsets[1]), at(aad, offsets[2]));
        // (noble takes nonces of 8 bytes or more; node:crypto any length)
        if (nonce.length >= 8) expect(hex(sealed)).toBe(hex(gcm(key, nonce, aad).encrypt(plaintext)));
        expect(hex(sealed)).toBe(hex(nodeSeal(key, nonce, plaintext, aad)));
        const opened = aesGcmOpen(key, nonce, at(sealed, offsets[3]), aad);
        expect(opened && hex(opened)).toBe(hex(plaintext));
        expect(hex(nodeOpen(key, nonce, sealed, aad))).toBe(hex(plaintext));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('refuses any change to the ciphertext, the tag, the AAD, the nonce or the key', () => {
    fc.assert(
      fc.property(input, fc.nat(), fc.nat(7), fc.constantFrom('sealed', 'aad', 'nonce', 'key'), ({ key, nonce, plaintext, aad }, where, bit, what) => {
        const sealed = aesGcmSeal(key, nonce, plaintext, aad);
        const flip = (b: Uint8Array) => {
          if (b.length === 0) return new Uint8Array([1]);
          const c = b.slice();
          c[where % c.length]! ^= 1 << bit;
          return c;
        };
        const opened =
          what === 'sealed'
            ? aesGcmOpen(key, nonce, flip(sealed), aad)
            : what === 'aad'
              ? aesGcmOpen(key, nonce, sealed, flip(aad))
              : what === 'nonce'
                ? aesGcmOpen(key, flip(nonce), sealed, aad)
                : aesGcmOpen(flip(key), nonce, sealed, aad);
        expect(opened).toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('does not reuse state for a key array whose bytes changed', () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12).fill(2);
    const plaintext = new Uint8Array(20).fill(3);
    const aad = new Uint8Array(5).fill(4);
    const first = aesGcmSeal(key, nonce, plaintext, aad);
    key[0] = 9;
    const second = aesGcmSeal(key, nonce, plaintext, aad);
    expect(hex(second)).toBe(hex(gcm(key, nonce, aad).encrypt(plaintext)));
    expect(hex(second)).not.toBe(hex(first));
  });

  it('refuses blobs shorter than a tag, empty nonces and bad key lengths', () => {
    const key = new Uint8Array(32).fill(1);
    expect(aesGcmOpen(key, new Uint8Array(12), new Uint8Array(15), new Uint8Array(0))).toBeUndefined();
    expect(aesGcmOpen(key, new Uint8Array(0), new Uint8Array(20), new Uint8Array(0))).toBeUndefined();
    expect(() => aesGcmSeal(key, new Uint8Array(0), new Uint8Array(3), new Uint8Array(0))).toThrow();
    expect(() => aesGcmSeal(new Uint8Array(31), new Uint8Array(12), new Uint8Array(3), new Uint8Array(0))).toThrow();
    expect(aesGcmOpen(new Uint8Array(31), new Uint8Array(12), new Uint8Array(20), new Uint8Array(0))).toBeUndefined();
  });
});
