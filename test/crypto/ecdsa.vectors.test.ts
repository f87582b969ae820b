/**
 * ECDSA verification against Project Wycheproof: every valid vector accepted, every invalid one
 * refused. Each vector runs with RAW input (we hash); valid ones also with DIGEST (the vector's hash).
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { type AsymmetricSpec, type SigningAlgorithm, verifySignature } from '../../src/crypto/asymmetric.js';
import { hex, wycheproof } from './support.js';

const ECDSA: Array<[string, AsymmetricSpec, SigningAlgorithm, (m: Uint8Array) => Uint8Array]> = [
  ['ecdsa_secp256r1_sha256', 'EC_P256', 'ECDSA_SHA_256', sha256],
  ['ecdsa_secp384r1_sha384', 'EC_P384', 'ECDSA_SHA_384', sha384],
  ['ecdsa_secp521r1_sha512', 'EC_P521', 'ECDSA_SHA_512', sha512],
  ['ecdsa_secp256k1_sha256', 'EC_SECP256K1', 'ECDSA_SHA_256', sha256],
];

describe('ECDSA verification against Wycheproof (DER signatures, high-S accepted)', () => {
  for (const [file, spec, algorithm, hash] of ECDSA) {
    it(`${file}: valid accepted, invalid refused, for RAW and DIGEST input`, async () => {
      const suite = wycheproof(file);
      let count = 0;
      for (const group of suite.testGroups) {
        const spki = hex(group.publicKeyDer);
        for (const t of group.tests) {
          const msg = hex(t.msg);
          const sig = hex(t.sig);
          const raw = await verifySignature(spec, spki, algorithm, 'RAW', msg, sig);
          expect(raw, `tcId ${t.tcId} ${t.comment}`).toBe(t.result === 'valid');
          if (t.result === 'valid') expect(await verifySignature(spec, spki, algorithm, 'DIGEST', hash(msg), sig), `tcId ${t.tcId} (DIGEST)`).toBe(true);
          count++;
        }
      }
      expect(count).toBe(suite.numberOfTests);
    });
  }
});

