/**
 * Interoperability with the `openssl` command (OpenSSL 3.0): our DER keys load in it; its
 * signatures, ciphertexts and derived secrets agree with ours in both directions, for RSA
 * (PSS, PKCS#1 v1.5, OAEP, RSAES-PKCS1-v1_5), ECDSA on every curve, Ed25519, ECDH (not on SM2:
 * OpenSSL 3.0 does not derive with SM2 keys) and SM2
 * (SM2DSA with the id 1234567812345678, SM2 encryption in its ASN.1 form).
 * OpenSSL 3.0 has no ML-DSA or ML-KEM (3.5 has): those are checked against Wycheproof instead.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AsymmetricSpec,
  decryptAsymmetric,
  deriveSharedSecret,
  encryptAsymmetric,
  generateKeyPair,
  type KeyPair,
  signMessage,
  type SigningAlgorithm,
  verifySignature,
} from '../../src/crypto/asymmetric.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { fromPem, toPem } from '../../src/crypto/keys.js';
import { SeededRandom, systemRandom } from '../../src/crypto/random.js';
import { openssl, opensslAvailable } from './support.js';

const message = utf8('signed by one, verified by the other');
const keys = new Map<AsymmetricSpec, KeyPair>();
const SPECS: AsymmetricSpec[] = ['RSA_2048', 'EC_P256', 'EC_P384', 'EC_P521', 'EC_SECP256K1', 'ED25519', 'SM2'];

const pem = (pair: KeyPair) => ({ 'key.pem': toPem(pair.privateKey, 'PRIVATE KEY'), 'pub.pem': toPem(pair.publicKey, 'PUBLIC KEY') });

/** Runs openssl and fails the test with its stderr if it does not succeed. */
function run(args: string[], files: Record<string, Uint8Array | string>, read: string[] = []) {
  const result = openssl(args, files, read);
  expect(result.status, `openssl ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

beforeAll(async () => {
  for (const spec of SPECS) keys.set(spec, await generateKeyPair(spec, systemRandom));
  keys.set('RSA_3072', await generateKeyPair('RSA_3072', new SeededRandom('openssl'))); // our own prime search
});

describe.skipIf(!opensslAvailable)('openssl 3.0', () => {
  it('loads every PKCS#8 and SPKI we write (DER)', () => {
    for (const [spec, pair] of keys) {
      run(['pkey', '-inform', 'DER', '-in', 'key.der', '-noout'], { 'key.der': pair.privateKey });
      const pub = run(['pkey', '-pubin', '-inform', 'DER', '-in', 'pub.der', '-outform', 'DER', '-out', 'out.der'], { 'pub.der': pair.publicKey }, ['out.der']);
      expect(pub.out['out.der'], spec).toEqual(pair.publicKey);
      const derived = run(['pkey', '-inform', 'DER', '-in', 'key.der', '-pubout', '-outform', 'DER', '-out', 'out.der'], { 'key.der': pair.privateKey }, ['out.der']);
      expect(derived.out['out.der'], spec).toEqual(pair.publicKey);
    }
  });

  it('RSA PSS and PKCS#1 v1.5: ours verify with openssl dgst, openssl’s verify here', async () => {
    for (const spec of ['RSA_2048', 'RSA_3072'] as const) {
      const pair = keys.get(spec)!;
      for (const [algorithm, md, pss] of [
        ['RSA_PSS_SHA_256', 'sha256', true],
        ['RSA_PSS_SHA_384', 'sha384', true],
        ['RSA_PSS_SHA_512', 'sha512', true],
        ['RSA_PKCS1_SHA_256', 'sha256', false],
        ['RSA_PKCS1_SHA_512', 'sha512', false],
      ] as Array<[SigningAlgorithm, string, boolean]>) {
        const opts = pss ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] : [];
        const digest = new Uint8Array(createHash(md).update(message).digest());
        for (const [input, data] of [['RAW', message], ['DIGEST', digest]] as const) {
          const signature = await signMessage(spec, pair.privateKey, algorithm, input, data, systemRandom);
          run([`dgst`, `-${md}`, '-verify', 'pub.pem', ...opts, '-signature', 'sig.bin', 'msg.bin'], { ...pem(pair), 'sig.bin': signature, 'msg.bin': message });
        }
        const theirs = run(['dgst', `-${md}`, '-sign', 'key.pem', ...opts, '-out', 'sig.bin', 'msg.bin'], { ...pem(pair), 'msg.bin': message }, ['sig.bin']).out['sig.bin']!;
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, theirs), `${spec} ${algorithm}`).toBe(true);
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'DIGEST', digest, theirs), `${spec} ${algorithm} DIGEST`).toBe(true);
      }
    }
  });

  it('RSA encryption: openssl pkeyutl OAEP (SHA-1, SHA-256) and PKCS#1 v1.5 decrypt here; ours decrypt in openssl', async () => {
    const plaintext = utf8('wrapped key material');
    for (const spec of ['RSA_2048', 'RSA_3072'] as const) {
      const pair = keys.get(spec)!;
      for (const [algorithm, opts] of [
        ['RSA_OAEP_SHA_1', ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha1', '-pkeyopt', 'rsa_mgf1_md:sha1']],
        ['RSA_OAEP_SHA_256', ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256']],
        ['RSA_PKCS1_V1_5', ['-pkeyopt', 'rsa_padding_mode:pkcs1']],
      ] as const) {
        const theirs = run(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', ...opts, '-in', 'pt.bin', '-out', 'ct.bin'], { ...pem(pair), 'pt.bin': plaintext }, ['ct.bin']).out['ct.bin']!;
        expect(await decryptAsymmetric(spec, pair.privateKey, algorithm, theirs), `${spec} ${algorithm}`).toEqual(plaintext);
        const mine = await encryptAsymmetric(spec, pair.publicKey, algorithm, plaintext, systemRandom);
        const opened = run(['pkeyutl', '-decrypt', '-inkey', 'key.pem', ...opts, '-in', 'ct.bin', '-out', 'pt.bin'], { ...pem(pair), 'ct.bin': mine }, ['pt.bin']).out['pt.bin'];
        expect(opened, `${spec} ${algorithm} in openssl`).toEqual(plaintext);
      }
    }
  });

  it('ECDSA on P-256, P-384, P-521 and secp256k1: ours verify in openssl, openssl’s here', async () => {
    for (const [spec, algorithm, md] of [
      ['EC_P256', 'ECDSA_SHA_256', 'sha256'],
      ['EC_P384', 'ECDSA_SHA_384', 'sha384'],
      ['EC_P521', 'ECDSA_SHA_512', 'sha512'],
      ['EC_SECP256K1', 'ECDSA_SHA_256', 'sha256'],
    ] as Array<[AsymmetricSpec, SigningAlgorithm, string]>) {
      const pair = keys.get(spec)!;
      const digest = new Uint8Array(createHash(md).update(message).digest());
      for (const [input, data] of [['RAW', message], ['DIGEST', digest]] as const) {
        const signature = await signMessage(spec, pair.privateKey, algorithm, input, data, systemRandom);
        run(['dgst', `-${md}`, '-verify', 'pub.pem', '-signature', 'sig.bin', 'msg.bin'], { ...pem(pair), 'sig.bin': signature, 'msg.bin': message });
        run(['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-in', 'digest.bin', '-sigfile', 'sig.bin'], { ...pem(pair), 'sig.bin': signature, 'digest.bin': digest });
      }
      const theirs = run(['dgst', `-${md}`, '-sign', 'key.pem', '-out', 'sig.bin', 'msg.bin'], { ...pem(pair), 'msg.bin': message }, ['sig.bin']).out['sig.bin']!;
      expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, theirs), spec).toBe(true);
      expect(await verifySignature(spec, pair.publicKey, algorithm, 'DIGEST', digest, theirs), spec).toBe(true);
    }
  });

  it('Ed25519: ours verify in openssl (pkeyutl -rawin), openssl’s here', async () => {
    const pair = keys.get('ED25519')!;
    const signature = await signMessage('ED25519', pair.privateKey, 'ED25519', 'RAW', message, systemRandom);
    run(['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'msg.bin', '-sigfile', 'sig.bin'], { ...pem(pair), 'sig.bin': signature, 'msg.bin': message });
    const theirs = run(['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-in', 'msg.bin', '-out', 'sig.bin'], { ...pem(pair), 'msg.bin': message }, ['sig.bin']).out['sig.bin']!;
    expect(await verifySignature('ED25519', pair.publicKey, 'ED25519', 'RAW', message, theirs)).toBe(true);
  });

  // OpenSSL 3.0 refuses -derive with SM2 keys; SM2 ECDH is checked against node's createECDH('SM2').
  it('ECDH: openssl pkeyutl -derive gives our shared secret (NIST curves, secp256k1)', async () => {
    for (const spec of ['EC_P256', 'EC_P384', 'EC_P521', 'EC_SECP256K1'] as AsymmetricSpec[]) {
      const pair = keys.get(spec)!;
      const curve = { EC_P256: 'P-256', EC_P384: 'P-384', EC_P521: 'P-521', EC_SECP256K1: 'secp256k1' }[spec as string]!;
      const peer = run(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-out', 'peer.pem'], {}, ['peer.pem']).out['peer.pem']!;
      const peerPub = run(['pkey', '-in', 'peer.pem', '-pubout', '-outform', 'DER', '-out', 'peer.der'], { 'peer.pem': peer }, ['peer.der']).out['peer.der']!;
      const theirs = run(['pkeyutl', '-derive', '-inkey', 'peer.pem', '-peerkey', 'pub.pem', '-out', 'z.bin'], { ...pem(pair), 'peer.pem': peer }, ['z.bin']).out['z.bin'];
      expect(await deriveSharedSecret(spec, pair.privateKey, peerPub), spec).toEqual(theirs);
    }
  });

  it('SM2: SM2DSA with id 1234567812345678 both ways; openssl’s ASN.1 ciphertext decrypts here and ours there', async () => {
    const pair = keys.get('SM2')!;
    const id = ['-pkeyopt', 'distid:1234567812345678'];
    const signature = await signMessage('SM2', pair.privateKey, 'SM2DSA_SM3', 'RAW', message, systemRandom);
    run(['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-digest', 'sm3', ...id, '-in', 'msg.bin', '-sigfile', 'sig.bin'], { ...pem(pair), 'sig.bin': signature, 'msg.bin': message });
    const theirs = run(['pkeyutl', '-sign', '-inkey', 'key.pem', '-rawin', '-digest', 'sm3', ...id, '-in', 'msg.bin', '-out', 'sig.bin'], { ...pem(pair), 'msg.bin': message }, ['sig.bin']).out['sig.bin']!;
    expect(await verifySignature('SM2', pair.publicKey, 'SM2DSA_SM3', 'RAW', message, theirs)).toBe(true);

    const plaintext = utf8('SM2 public-key encryption');
    const ciphertext = run(['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'pt.bin', '-out', 'ct.bin'], { ...pem(pair), 'pt.bin': plaintext }, ['ct.bin']).out['ct.bin']!;
    expect(await decryptAsymmetric('SM2', pair.privateKey, 'SM2_C1C3C2_ASN1', ciphertext)).toEqual(plaintext);
    const mine = await encryptAsymmetric('SM2', pair.publicKey, 'SM2_C1C3C2_ASN1', plaintext, systemRandom);
    expect(run(['pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', 'ct.bin', '-out', 'pt.bin'], { ...pem(pair), 'ct.bin': mine }, ['pt.bin']).out['pt.bin']).toEqual(plaintext);
  });

  it('reads back the PEM it writes', () => {
    const pair = keys.get('EC_P256')!;
    const out = run(['pkey', '-in', 'key.pem', '-out', 'again.pem'], pem(pair), ['again.pem']).out['again.pem']!;
    expect(fromPem(new TextDecoder().decode(out), 'PRIVATE KEY')).toEqual(pair.privateKey);
  });
});
