/**
 * ML-KEM (FIPS 203) and ML-DSA (FIPS 204) against Project Wycheproof:
 *   mlkem_*_test: key pair from the 64-byte seed (our PKCS#8 seed form), ek compared, c decapsulated
 *     to K (implicit rejection included); ciphertexts of the wrong length give undefined.
 *   mlkem_*_encaps_test: encapsulation with the vector's m; keys failing the modulus check are refused.
 *   mldsa_*_verify_test: pure ML-DSA verification with the empty context KMS uses; a vector signed
 *     under a non-empty context must not verify with the empty one.
 */
import { describe, expect, it } from 'vitest';
import { type AsymmetricSpec, decapsulate, encapsulate, parsePublicKey, publicKeyOf, verifySignature } from '../../src/crypto/asymmetric.js';
import { toHex } from '../../src/crypto/bytes.js';
import { encodePqPrivateKey, encodePqPublicKey, ML_KEM } from '../../src/crypto/pq.js';
import { hex, scriptedRandom, wycheproof } from './support.js';

const KEM: Array<[512 | 768 | 1024, AsymmetricSpec]> = [
  [512, 'ML_KEM_512'],
  [768, 'ML_KEM_768'],
  [1024, 'ML_KEM_1024'],
];

describe('ML-KEM against Wycheproof', () => {
  for (const [level, spec] of KEM) {
    it(`mlkem_${level}_test: keys from seed, decapsulation`, async () => {
      const suite = wycheproof(`mlkem_${level}`);
      let count = 0;
      for (const group of suite.testGroups) {
        for (const t of group.tests) {
          count++;
          const seed = hex(t.seed);
          if (seed.length !== 64) {
            expect(t.result, `tcId ${t.tcId}`).toBe('invalid');
            continue;
          }
          const privateKey = encodePqPrivateKey(ML_KEM[level], seed);
          const spki = await publicKeyOf(spec, privateKey);
          if (t.ek !== undefined) expect(toHex(spki.subarray(spki.length - ML_KEM[level].publicKeyLength)), `tcId ${t.tcId} ek`).toBe(t.ek);
          const shared = await decapsulate(spec, privateKey, hex(t.c));
          expect(shared && toHex(shared), `tcId ${t.tcId} ${t.comment ?? ''}`).toBe(t.result === 'valid' ? t.K : undefined);
        }
      }
      expect(count).toBe(suite.numberOfTests);
    });

    it(`mlkem_${level}_encaps_test: encapsulation with fixed m; modulus overflow refused`, async () => {
      const suite = wycheproof(`mlkem_${level}_encaps`);
      let count = 0;
      for (const group of suite.testGroups) {
        for (const t of group.tests) {
          count++;
          const spki = encodePqPublicKey(ML_KEM[level], hex(t.ek));
          if (t.result !== 'valid') {
            expect(await parsePublicKey(spki), `tcId ${t.tcId}`).toBeUndefined();
            await expect(encapsulate(spec, spki, scriptedRandom(hex(t.m))), `tcId ${t.tcId}`).rejects.toThrow(RangeError);
            continue;
          }
          expect(await parsePublicKey(spki)).toEqual({ spec });
          const { ciphertext, sharedSecret } = await encapsulate(spec, spki, scriptedRandom(hex(t.m)));
          expect(toHex(ciphertext), `tcId ${t.tcId}`).toBe(t.c);
          expect(toHex(sharedSecret), `tcId ${t.tcId}`).toBe(t.K);
        }
      }
      expect(count).toBe(suite.numberOfTests);
    });
  }
});

const DSA: Array<[44 | 65 | 87, AsymmetricSpec]> = [
  [44, 'ML_DSA_44'],
  [65, 'ML_DSA_65'],
  [87, 'ML_DSA_87'],
];

describe('ML-DSA verification against Wycheproof', () => {
  for (const [level, spec] of DSA) {
    it(`mldsa_${level}_verify_test: valid accepted (empty context), invalid refused`, async () => {
      const suite = wycheproof(`mldsa_${level}_verify`);
      let count = 0;
      for (const group of suite.testGroups) {
        const spki = hex(group.publicKeyDer);
        for (const t of group.tests) {
          count++;
          const ok = await verifySignature(spec, spki, 'ML_DSA_SHAKE_256', 'RAW', hex(t.msg), hex(t.sig));
          const withContext = typeof t.ctx === 'string' && t.ctx.length > 0;
          expect(ok, `tcId ${t.tcId} ${t.comment}`).toBe(t.result === 'valid' && !withContext);
        }
      }
      expect(count).toBe(suite.numberOfTests);
    });
  }
});
