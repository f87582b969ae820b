import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aesGcmOpen, aesGcmSeal } from '../../src/crypto/aes-gcm.js';
import { fromHex, toHex } from '../../src/crypto/bytes.js';

interface Vector {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  keySize: number;
  ivSize: number;
  tagSize: number;
  tests: Omit<Vector, 'key' | 'iv'>[] & Vector[];
}

const suite = JSON.parse(readFileSync(new URL('../vectors/wycheproof/aes_gcm_test.json', import.meta.url), 'utf8')) as { testGroups: Group[] };
// The envelope uses 16-byte tags; Wycheproof's shorter-tag groups do not apply.
const groups = suite.testGroups.filter((g) => g.tagSize === 128);
const hex = (s: string) => fromHex(s)!;

describe('AES-GCM against Wycheproof aes_gcm_test.json', () => {
  it('covers the groups it should', () => {
    const tests = groups.flatMap((g) => g.tests);
    expect(tests.length).toBeGreaterThan(200);
    expect(groups.some((g) => g.keySize === 256 && g.ivSize === 96)).toBe(true);
  });

  for (const group of groups) {
    it(`key ${group.keySize} bits, nonce ${group.ivSize} bits: valid vectors seal and open, invalid ones are refused`, () => {
      for (const v of group.tests) {
        const key = hex(v.key);
        const iv = hex(v.iv);
        const sealed = hex(v.ct + v.tag);
        const opened = iv.length === 0 ? undefined : aesGcmOpen(key, iv, sealed, hex(v.aad));
        if (v.result === 'valid') {
          expect(opened && toHex(opened), `tcId ${v.tcId}`).toBe(v.msg);
          expect(toHex(aesGcmSeal(key, iv, hex(v.msg), hex(v.aad))), `tcId ${v.tcId}`).toBe(v.ct + v.tag);
        } else if (v.result === 'invalid') {
          expect(opened, `tcId ${v.tcId}`).toBeUndefined();
        }
      }
    });
  }
});
