/**
 * node:crypto as the engine's platform signer (src/server/platform-signing.ts): ECDSA RAW on
 * P-256/384/521 with the system source signs through it, not WebCrypto; its signatures are strict
 * DER and verify on noble, in node:crypto and through the engine; a seeded source and secp256k1
 * stay on noble; a key the platform refuses falls back to WebCrypto. The server signs with it.
 */
import { CreateKeyCommand, GetPublicKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { type AsymmetricSpec, generateKeyPair, signMessage, type SigningAlgorithm, verifySignature } from '../../src/crypto/asymmetric.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { createCryptoCaches, type PlatformSigning } from '../../src/crypto/caches.js';
import { decodeDerSignature, ECDSA_HASHES, type EcdsaCurve, ecdsaVerifyDigest, P256, P384, P521, SECP256K1 } from '../../src/crypto/ecc.js';
import { SeededRandom, systemRandom } from '../../src/crypto/random.js';
import { nodePlatformSigning } from '../../src/server/platform-signing.js';
import { httpClient, serve } from '../support/server.js';

const CURVES: Array<[AsymmetricSpec, EcdsaCurve]> = [
  ['EC_P256', P256],
  ['EC_P384', P384],
  ['EC_P521', P521],
];
const ALGORITHMS: Array<[SigningAlgorithm, keyof typeof ECDSA_HASHES, string]> = [
  ['ECDSA_SHA_256', 'SHA-256', 'sha256'],
  ['ECDSA_SHA_384', 'SHA-384', 'sha384'],
  ['ECDSA_SHA_512', 'SHA-512', 'sha512'],
];
const message = utf8('a message for the platform signer');

/** nodePlatformSigning, counting the signers it makes and the signatures they give. */
function counted(): { signing: PlatformSigning; signers: number; signatures: number } {
  const c = { signers: 0, signatures: 0, signing: undefined as unknown as PlatformSigning };
  c.signing = {
    ecdsaSigner(namedCurve, pkcs8) {
      const sign = nodePlatformSigning.ecdsaSigner(namedCurve, pkcs8);
      if (!sign) return undefined;
      c.signers++;
      return (hash, bytes) => {
        c.signatures++;
        return sign(hash, bytes);
      };
    },
  };
  return c;
}

describe('ECDSA with node:crypto as the platform signer', () => {
  for (const [spec, curve] of CURVES) {
    it(`${spec}: every hash, one signer per key, signatures verify on noble, node:crypto and the engine; WebCrypto not called`, async () => {
      const c = counted();
      const caches = createCryptoCaches({ platformSigning: c.signing });
      const pair = await generateKeyPair(spec, new SeededRandom(`platform-${spec}`));
      const nodeKey = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
      const subtleSign = vi.spyOn(globalThis.crypto.subtle, 'sign');
      try {
        for (const [algorithm, hash, nodeHash] of ALGORITHMS) {
          const signature = await signMessage(spec, pair.privateKey, algorithm, 'RAW', message, systemRandom, caches);
          expect(Object.getPrototypeOf(signature)).toBe(Uint8Array.prototype);
          expect(decodeDerSignature(curve, signature), `${algorithm}: strict DER`).toBeDefined();
          expect(ecdsaVerifyDigest(curve, pair.publicKey, ECDSA_HASHES[hash](message), signature), `${algorithm}: noble verifies`).toBe(true);
          expect(nodeVerify(nodeHash, message, { key: nodeKey, dsaEncoding: 'der' }, signature), `${algorithm}: node verifies`).toBe(true);
          expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, signature, caches)).toBe(true);
          expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', utf8('another message'), signature, caches)).toBe(false);
        }
        expect(subtleSign).not.toHaveBeenCalled();
      } finally {
        subtleSign.mockRestore();
      }
      expect(c.signers).toBe(1);
      expect(c.signatures).toBe(ALGORITHMS.length);
    });
  }

  it('a seeded source stays reproducible on noble; secp256k1 and DIGEST input never reach the platform', async () => {
    const c = counted();
    const caches = createCryptoCaches({ platformSigning: c.signing });
    const pair = await generateKeyPair('EC_P256', new SeededRandom('seeded'));
    const a = await signMessage('EC_P256', pair.privateKey, 'ECDSA_SHA_256', 'RAW', message, new SeededRandom('s'), caches);
    const b = await signMessage('EC_P256', pair.privateKey, 'ECDSA_SHA_256', 'RAW', message, new SeededRandom('s'), caches);
    expect(a).toEqual(b);
    await signMessage('EC_P256', pair.privateKey, 'ECDSA_SHA_256', 'DIGEST', ECDSA_HASHES['SHA-256'](message), systemRandom, caches);
    const k1 = await generateKeyPair('EC_SECP256K1', new SeededRandom('k1'));
    const k1Signature = await signMessage('EC_SECP256K1', k1.privateKey, 'ECDSA_SHA_256', 'RAW', message, systemRandom, caches);
    expect(ecdsaVerifyDigest(SECP256K1, k1.publicKey, ECDSA_HASHES['SHA-256'](message), k1Signature)).toBe(true);
    expect(c.signatures).toBe(0);
  });

  it('a key the platform refuses is signed by WebCrypto', async () => {
    const refusing: PlatformSigning = { ecdsaSigner: () => undefined };
    const caches = createCryptoCaches({ platformSigning: refusing });
    const pair = await generateKeyPair('EC_P384', new SeededRandom('refused'));
    const subtleSign = vi.spyOn(globalThis.crypto.subtle, 'sign');
    try {
      const signature = await signMessage('EC_P384', pair.privateKey, 'ECDSA_SHA_384', 'RAW', message, systemRandom, caches);
      expect(await verifySignature('EC_P384', pair.publicKey, 'ECDSA_SHA_384', 'RAW', message, signature, caches)).toBe(true);
      expect(subtleSign).toHaveBeenCalledTimes(1);
    } finally {
      subtleSign.mockRestore();
    }
    // node:crypto itself refuses what is not a key of the curve named.
    expect(nodePlatformSigning.ecdsaSigner('P-256', utf8('not a key'))).toBeUndefined();
    expect(nodePlatformSigning.ecdsaSigner('P-521', pair.privateKey)).toBeUndefined();
  });

  it('the server signs P-256 through node:crypto: Sign over HTTP verifies with Verify and with node:crypto', async () => {
    const server = await serve();
    const client = httpClient(server.url);
    const subtleSign = vi.spyOn(globalThis.crypto.subtle, 'sign');
    try {
      const keyId = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
      const { Signature } = await client.send(new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
      expect((await client.send(new VerifyCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256', Signature }))).SignatureValid).toBe(true);
      const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
      const nodeKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
      expect(nodeVerify('sha256', message, { key: nodeKey, dsaEncoding: 'der' }, Signature!)).toBe(true);
      expect(subtleSign).not.toHaveBeenCalled();
    } finally {
      subtleSign.mockRestore();
      client.destroy();
      await server.close();
    }
  });
});
