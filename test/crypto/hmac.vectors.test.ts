/**
 * HMAC-SHA-224/256/384/512 against Project Wycheproof, and HMAC-SM3 (our SM3 in noble's HMAC).
 * KMS MACs are full length: a truncated tag (Wycheproof's shorter-tag groups) must not verify.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.js';
import { computeMac, type HmacSpec, hmacKeyLength, verifyMac } from '../../src/crypto/hmac.js';
import { sm3 } from '../../src/crypto/sm3.js';
import { hex, wycheproof } from './support.js';

const FILES: Array<[string, HmacSpec, number]> = [
  ['hmac_sha224', 'HMAC_224', 224],
  ['hmac_sha256', 'HMAC_256', 256],
  ['hmac_sha384', 'HMAC_384', 384],
  ['hmac_sha512', 'HMAC_512', 512],
];

describe('HMAC against Wycheproof', () => {
  for (const [file, spec, bits] of FILES) {
    it(`${file}: full-length tags compute and verify, modified and truncated ones do not`, () => {
      const suite = wycheproof(file);
      let full = 0;
      for (const group of suite.testGroups) {
        for (const t of group.tests) {
          const key = hex(t.key);
          const msg = hex(t.msg);
          const tag = hex(t.tag);
          const ok = verifyMac(spec, key, msg, tag);
          if (group.tagSize === bits) {
            full++;
            expect(ok, `tcId ${t.tcId}`).toBe(t.result === 'valid');
            if (t.result === 'valid') expect(toHex(computeMac(spec, key, msg))).toBe(t.tag);
          } else {
            expect(ok, `tcId ${t.tcId} (truncated tag)`).toBe(false);
          }
        }
      }
      expect(full).toBeGreaterThan(50);
    });
  }

  it('key lengths are the hash lengths', () => {
    expect(FILES.map(([, spec]) => hmacKeyLength(spec))).toEqual([28, 32, 48, 64]);
  });

  it('hmac_sm3: our SM3 gives the HMAC-SM3 vectors', () => {
    const suite = wycheproof('hmac_sm3');
    let count = 0;
    for (const group of suite.testGroups) {
      for (const t of group.tests) {
        const mac = toHex(hmac(sm3, hex(t.key), hex(t.msg)).subarray(0, (group.tagSize as number) / 8));
        expect(mac === t.tag, `tcId ${t.tcId}`).toBe(t.result === 'valid');
        count++;
      }
    }
    expect(count).toBe(suite.numberOfTests);
  });
});
