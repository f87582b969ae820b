/** ECDH against Project Wycheproof: peer public keys as SPKI DER, shared secret = x-coordinate. */
import { describe, expect, it } from 'vitest';
import { type AsymmetricSpec, deriveSharedSecret } from '../../src/crypto/asymmetric.js';
import { toHex } from '../../src/crypto/bytes.js';
import { encodeEcPrivateKey, P256, P384, P521, type WeierstrassCurve } from '../../src/crypto/ecc.js';
import { hex, wycheproof } from './support.js';

const ECDH: Array<[string, AsymmetricSpec, WeierstrassCurve]> = [
  ['ecdh_secp256r1', 'EC_P256', P256],
  ['ecdh_secp384r1', 'EC_P384', P384],
  ['ecdh_secp521r1', 'EC_P521', P521],
];

/**
 * "Acceptable" ECDH cases: a compressed peer point is accepted (the point is valid); a peer key
 * with explicit curve parameters instead of a named curve (UnnamedCurve) and a non-DER ASN.1
 * encoding (InvalidAsn) are refused: KMS takes DER SPKI with a named curve.
 */
describe('ECDH against Wycheproof (peer keys as SPKI)', () => {
  for (const [file, spec, curve] of ECDH) {
    it(`${file}: valid shared secrets match, invalid peer keys give undefined`, async () => {
      const suite = wycheproof(file);
      const seen = { valid: 0, invalid: 0, acceptedAcceptable: 0, refusedAcceptable: 0 };
      for (const group of suite.testGroups) {
        for (const t of group.tests) {
          const d = BigInt('0x' + String(t.private));
          const privateKey = encodeEcPrivateKey(curve, d, false); // no public point: one multiplication less per vector
          const shared = await deriveSharedSecret(spec, privateKey, hex(t.public));
          if (t.result === 'valid') {
            expect(shared && toHex(shared), `tcId ${t.tcId} ${t.comment}`).toBe(t.shared);
            seen.valid++;
          } else if (t.result === 'invalid') {
            expect(shared, `tcId ${t.tcId} ${t.comment}`).toBeUndefined();
            seen.invalid++;
          } else if (shared) {
            expect(t.flags, `tcId ${t.tcId}`).toContain('CompressedPoint');
            expect(toHex(shared)).toBe(t.shared);
            seen.acceptedAcceptable++;
          } else {
            expect(t.flags.some((f) => f === 'InvalidAsn' || f === 'UnnamedCurve'), `tcId ${t.tcId} ${t.flags}`).toBe(true);
            seen.refusedAcceptable++;
          }
        }
      }
      expect(seen.valid + seen.invalid + seen.acceptedAcceptable + seen.refusedAcceptable).toBe(suite.numberOfTests);
    });
  }
});

