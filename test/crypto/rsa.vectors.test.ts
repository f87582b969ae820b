/**
 * RSA against Project Wycheproof: RSAES-OAEP decryption (SHA-1 and SHA-256, MGF1 with the same
 * hash), RSASSA-PSS verification (salt length = hash length, as KMS signs) and RSASSA-PKCS1-v1_5
 * verification. Signatures are checked on both paths: RAW (WebCrypto hashes and verifies) and
 * DIGEST (our EMSA encoding over the BigInt public operation).
 */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { type AsymmetricEncryption, type AsymmetricSpec, decryptAsymmetric, type SigningAlgorithm, verifySignature } from '../../src/crypto/asymmetric.js';
import { toHex } from '../../src/crypto/bytes.js';
import { hex, wycheproof } from './support.js';

const SPEC: Record<number, AsymmetricSpec> = { 2048: 'RSA_2048', 3072: 'RSA_3072', 4096: 'RSA_4096' };
const HASH: Record<string, (m: Uint8Array) => Uint8Array> = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 };

const OAEP: Array<[string, AsymmetricEncryption]> = [
  ['rsa_oaep_2048_sha1_mgf1sha1', 'RSA_OAEP_SHA_1'],
  ['rsa_oaep_2048_sha256_mgf1sha256', 'RSA_OAEP_SHA_256'],
  ['rsa_oaep_3072_sha256_mgf1sha256', 'RSA_OAEP_SHA_256'],
  ['rsa_oaep_4096_sha256_mgf1sha256', 'RSA_OAEP_SHA_256'],
];

describe('RSAES-OAEP decryption against Wycheproof', () => {
  for (const [file, algorithm] of OAEP) {
    it(`${file}: valid ciphertexts decrypt, invalid ones give undefined`, async () => {
      const suite = wycheproof(file);
      let count = 0;
      for (const group of suite.testGroups) {
        const spec = SPEC[group.keySize as number]!;
        const privateKey = hex(group.privateKeyPkcs8);
        for (const t of group.tests) {
          const plaintext = await decryptAsymmetric(spec, privateKey, algorithm, hex(t.ct));
          // KMS uses the empty label: a ciphertext made with a label must not decrypt.
          const expected = t.result === 'valid' && t.label === '' ? t.msg : undefined;
          expect(plaintext && toHex(plaintext), `tcId ${t.tcId} ${t.comment}`).toBe(expected);
          count++;
        }
      }
      expect(count).toBe(suite.numberOfTests);
    });
  }
});

const PSS = ['rsa_pss_2048_sha256_mgf1_32', 'rsa_pss_3072_sha256_mgf1_32', 'rsa_pss_4096_sha384_mgf1_48', 'rsa_pss_4096_sha512_mgf1_64'];

/** Every vector of a Wycheproof signature file, verified as a message (RAW) and as its digest (DIGEST). */
async function verifyAll(file: string, scheme: 'RSA_PSS' | 'RSA_PKCS1'): Promise<void> {
  const suite = wycheproof(file);
  let count = 0;
  for (const group of suite.testGroups) {
    const spec = SPEC[group.keySize as number]!;
    const sha = group.sha as string;
    const algorithm = `${scheme}_${sha.replace('-', '_')}` as SigningAlgorithm;
    const spki = hex(group.publicKeyDer);
    for (const t of group.tests) {
      const msg = hex(t.msg);
      const sig = hex(t.sig);
      const expected = t.result === 'valid';
      expect(await verifySignature(spec, spki, algorithm, 'RAW', msg, sig), `tcId ${t.tcId} ${t.comment}`).toBe(expected);
      expect(await verifySignature(spec, spki, algorithm, 'DIGEST', HASH[sha]!(msg), sig), `tcId ${t.tcId} DIGEST`).toBe(expected);
      count++;
    }
  }
  expect(count).toBe(suite.numberOfTests);
}

describe('RSASSA-PSS verification against Wycheproof (sLen = hLen)', () => {
  for (const file of PSS) {
    it(`${file}: valid accepted, invalid refused, RAW and DIGEST`, async () => {
      await verifyAll(file, 'RSA_PSS');
    });
  }
});

const PKCS1 = ['rsa_signature_2048_sha256', 'rsa_signature_3072_sha384', 'rsa_signature_4096_sha512'];

/**
 * The one "acceptable" case, a DigestInfo without the NULL parameters (MissingNull), is refused
 * on both paths: RFC 8017 §9.2 encodes the NULL, and we compare the whole encoded block.
 */
describe('RSASSA-PKCS1-v1_5 verification against Wycheproof', () => {
  for (const file of PKCS1) {
    it(`${file}: valid accepted, invalid and MissingNull refused, RAW and DIGEST`, async () => {
      await verifyAll(file, 'RSA_PKCS1');
    });
  }
});
