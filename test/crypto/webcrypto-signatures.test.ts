/**
 * The WebCrypto fast paths for elliptic-curve signatures (ecc.ts, eddsa.ts): ECDSA RAW on
 * P-256/384/521 with every SHA-2 hash, pure Ed25519. They must give the answers the noble paths
 * give: WebCrypto ECDSA signatures verify on noble and in node:crypto, noble's verify here; a
 * seeded source stays reproducible (noble); out-of-range r or s and malformed DER are refused,
 * high-S accepted; Ed25519 signatures are byte-identical on both.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { type AsymmetricSpec, generateKeyPair, signMessage, type SigningAlgorithm, verifySignature } from '../../src/crypto/asymmetric.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { bigIntToBytes, readBigInt, readSequence } from '../../src/crypto/der.js';
import { decodeDerSignature, ECDSA_HASHES, type EcdsaCurve, ecdsaSignDigest, ecdsaVerifyDigest, encodeDerSignature, P256, P384, P521, SECP256K1 } from '../../src/crypto/ecc.js';
import { ed25519Sign, ed25519Verify, generateEd25519Key, webEd25519Supported } from '../../src/crypto/eddsa.js';
import { SeededRandom, systemRandom } from '../../src/crypto/random.js';

const CURVES: Array<[AsymmetricSpec, EcdsaCurve]> = [
  ['EC_P256', P256],
  ['EC_P384', P384],
  ['EC_P521', P521],
  ['EC_SECP256K1', SECP256K1],
];
const ALGORITHMS: Array<[SigningAlgorithm, keyof typeof ECDSA_HASHES, string]> = [
  ['ECDSA_SHA_256', 'SHA-256', 'sha256'],
  ['ECDSA_SHA_384', 'SHA-384', 'sha384'],
  ['ECDSA_SHA_512', 'SHA-512', 'sha512'],
];
const message = utf8('a message for the fast path');

describe('ECDSA RAW on WebCrypto (every curve × every hash)', () => {
  for (const [spec, curve] of CURVES) {
    it(`${spec}: system-source signatures verify on noble and in node:crypto; noble's verify here`, async () => {
      const pair = await generateKeyPair(spec, new SeededRandom(`web-${spec}`));
      const nodeKey = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
      for (const [algorithm, hash, nodeHash] of ALGORITHMS) {
        const digest = ECDSA_HASHES[hash](message);
        const web = await signMessage(spec, pair.privateKey, algorithm, 'RAW', message, systemRandom);
        expect(decodeDerSignature(curve, web), `${algorithm}: strict DER`).toBeDefined();
        expect(ecdsaVerifyDigest(curve, pair.publicKey, digest, web), `${algorithm}: noble verifies`).toBe(true);
        expect(nodeVerify(nodeHash, message, { key: nodeKey, dsaEncoding: 'der' }, web), `${algorithm}: node verifies`).toBe(true);
        const noble = ecdsaSignDigest(curve, pair.privateKey, digest, systemRandom);
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, noble), `${algorithm}: noble's signature`).toBe(true);
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', utf8('another message'), noble)).toBe(false);
      }
    });
  }

  it('takes WebCrypto on the NIST curves with the system source, noble on secp256k1 and from a seeded source', async () => {
    const sign = vi.spyOn(globalThis.crypto.subtle, 'sign');
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      for (const [spec] of CURVES) {
        const pair = await generateKeyPair(spec, new SeededRandom(`spy-${spec}`));
        sign.mockClear();
        verify.mockClear();
        const signature = await signMessage(spec, pair.privateKey, 'ECDSA_SHA_384', 'RAW', message, systemRandom);
        await signMessage(spec, pair.privateKey, 'ECDSA_SHA_384', 'RAW', message, new SeededRandom('s'));
        expect(await verifySignature(spec, pair.publicKey, 'ECDSA_SHA_384', 'RAW', message, signature)).toBe(true);
        const web = spec !== 'EC_SECP256K1';
        expect(sign.mock.calls.length, spec).toBe(web ? 1 : 0);
        expect(verify.mock.calls.length, spec).toBe(web ? 1 : 0);
      }
    } finally {
      sign.mockRestore();
      verify.mockRestore();
    }
  });

  it('a seeded source stays on noble: the same seed gives the same signature, equal to ecdsaSignDigest', async () => {
    for (const [spec, curve] of CURVES) {
      const pair = await generateKeyPair(spec, new SeededRandom(`seeded-${spec}`));
      const one = await signMessage(spec, pair.privateKey, 'ECDSA_SHA_256', 'RAW', message, new SeededRandom('sig'));
      const two = await signMessage(spec, pair.privateKey, 'ECDSA_SHA_256', 'RAW', message, new SeededRandom('sig'));
      const direct = ecdsaSignDigest(curve, pair.privateKey, ECDSA_HASHES['SHA-256'](message), new SeededRandom('sig'));
      expect(one).toEqual(two);
      expect(one).toEqual(direct);
    }
  });

  it('high-S accepted; r or s of 0 or ≥ n, and malformed DER, refused before WebCrypto', async () => {
    for (const [spec, curve] of CURVES.slice(0, 3)) {
      const pair = await generateKeyPair(spec, new SeededRandom(`edges-${spec}`));
      const signature = await signMessage(spec, pair.privateKey, 'ECDSA_SHA_256', 'RAW', message, systemRandom);
      const parts = readSequence(signature)!;
      const r = readBigInt(parts[0])!;
      const s = readBigInt(parts[1])!;
      const n = curve.Point.Fn.ORDER;
      const verify = (sig: Uint8Array): Promise<boolean> => verifySignature(spec, pair.publicKey, 'ECDSA_SHA_256', 'RAW', message, sig);
      expect(await verify(signature)).toBe(true);
      expect(await verify(encodeDerSignature(r, n - s)), 'the other S').toBe(true);
      expect(await verify(encodeDerSignature(r + n, s)), 'r + n').toBe(false);
      expect(await verify(encodeDerSignature(r, s + n)), 's + n').toBe(false);
      expect(await verify(encodeDerSignature(0n, s)), 'r = 0').toBe(false);
      expect(await verify(encodeDerSignature(r, 0n)), 's = 0').toBe(false);
      expect(await verify(encodeDerSignature(n, s)), 'r = n').toBe(false);
      expect(await verify(signature.subarray(0, signature.length - 1)), 'truncated DER').toBe(false);
      expect(await verify(Uint8Array.of(...signature, 0)), 'trailing byte').toBe(false);
      // r ‖ s (P1363) is not DER.
      expect(await verify(new Uint8Array([...bigIntToBytes(r, curve.size), ...bigIntToBytes(s, curve.size)])), 'P1363').toBe(false);
      // A long-form length where the short form fits is not DER.
      const longForm = Uint8Array.of(0x30, 0x81, signature[1]!, ...signature.subarray(2));
      if (signature[1]! < 0x80) expect(await verify(longForm), 'non-minimal length').toBe(false);
    }
  });
});

describe('Ed25519 on WebCrypto', () => {
  it('is available on Node 20', async () => {
    expect(await webEd25519Supported()).toBe(true);
  });

  it('gives the same bytes as noble (deterministic), and both verify each other', async () => {
    for (let i = 0; i < 8; i++) {
      const pair = generateEd25519Key(new SeededRandom(`ed-${i}`));
      const msg = utf8('m'.repeat(i * 37));
      const web = await signMessage('ED25519', pair.privateKey, 'ED25519', 'RAW', msg, systemRandom);
      expect(web).toEqual(ed25519Sign(pair.privateKey, 'pure', msg));
      expect(ed25519Verify(pair.publicKey, 'pure', msg, web)).toBe(true);
      expect(await verifySignature('ED25519', pair.publicKey, 'ED25519', 'RAW', msg, web)).toBe(true);
      expect(await verifySignature('ED25519', pair.publicKey, 'ED25519', 'RAW', utf8('other'), web)).toBe(false);
      // s + L: the same point equation, refused as non-canonical (s < L) before WebCrypto is asked.
      const L = (1n << 252n) + 27742317777372353535851937790883648493n;
      let s = 0n;
      for (let j = 63; j >= 32; j--) s = (s << 8n) | BigInt(web[j]!);
      const malleated = web.slice();
      malleated.set(bigIntToBytes(s + L, 32).reverse(), 32);
      expect(await verifySignature('ED25519', pair.publicKey, 'ED25519', 'RAW', msg, malleated)).toBe(false);
      expect(ed25519Verify(pair.publicKey, 'pure', msg, malleated)).toBe(false);
    }
  });

  it('Ed25519ph stays on noble and is not confused with pure Ed25519', async () => {
    const pair = generateEd25519Key(new SeededRandom('ph'));
    const ph = await signMessage('ED25519', pair.privateKey, 'ED25519_PH_SHA_512', 'RAW', message, systemRandom);
    expect(ph).toEqual(ed25519Sign(pair.privateKey, 'ph', message));
    expect(await verifySignature('ED25519', pair.publicKey, 'ED25519_PH_SHA_512', 'RAW', message, ph)).toBe(true);
    expect(await verifySignature('ED25519', pair.publicKey, 'ED25519', 'RAW', message, ph)).toBe(false);
  });
});
