/**
 * Interoperability with node:crypto (OpenSSL 3 underneath), both ways, for every classic spec:
 * our keys load in node and node's keys load here; our signatures verify in node and node's here
 * (RAW and DIGEST input); node's ciphertexts decrypt here and ours in node; ECDH agrees.
 */
import {
  constants,
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AsymmetricSpec,
  decryptAsymmetric,
  deriveSharedSecret,
  encryptAsymmetric,
  generateKeyPair,
  type KeyPair,
  publicKeyOf,
  signMessage,
  type SigningAlgorithm,
  verifySignature,
} from '../../src/crypto/asymmetric.js';
import { utf8 } from '../../src/crypto/bytes.js';
import { SeededRandom, systemRandom } from '../../src/crypto/random.js';

const message = utf8('interoperability check: the quick brown fox');
const der = (key: KeyObject, type: 'pkcs8' | 'spki'): Uint8Array => new Uint8Array(key.export({ format: 'der', type }));
const nodePrivate = (pkcs8: Uint8Array): KeyObject => createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
const nodePublic = (spki: Uint8Array): KeyObject => createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });

const RSA_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
const RSA_ALGORITHMS: Array<[SigningAlgorithm, string, 'pss' | 'pkcs1']> = [
  ['RSA_PSS_SHA_256', 'sha256', 'pss'],
  ['RSA_PSS_SHA_384', 'sha384', 'pss'],
  ['RSA_PSS_SHA_512', 'sha512', 'pss'],
  ['RSA_PKCS1_SHA_256', 'sha256', 'pkcs1'],
  ['RSA_PKCS1_SHA_384', 'sha384', 'pkcs1'],
  ['RSA_PKCS1_SHA_512', 'sha512', 'pkcs1'],
];
const EC_SPECS: Array<[AsymmetricSpec, string]> = [
  ['EC_P256', 'prime256v1'],
  ['EC_P384', 'secp384r1'],
  ['EC_P521', 'secp521r1'],
  ['EC_SECP256K1', 'secp256k1'],
];
const ECDSA_ALGORITHMS: Array<[SigningAlgorithm, string]> = [
  ['ECDSA_SHA_256', 'sha256'],
  ['ECDSA_SHA_384', 'sha384'],
  ['ECDSA_SHA_512', 'sha512'],
];

const ours = new Map<AsymmetricSpec, KeyPair>();
const seededRsa: { pair?: KeyPair } = {};

beforeAll(async () => {
  for (const spec of [...RSA_SPECS, ...EC_SPECS.map(([s]) => s), 'ED25519', 'SM2'] as AsymmetricSpec[]) ours.set(spec, await generateKeyPair(spec, systemRandom));
  seededRsa.pair = await generateKeyPair('RSA_2048', new SeededRandom('node-interop'));
});

const pssOptions = (hash: string) => ({ padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length });

describe('key encodings', () => {
  it('our PKCS#8 and SPKI load in node:crypto; node re-exports them byte for byte', () => {
    for (const [spec, pair] of [...ours, ['RSA_2048 (seeded)', seededRsa.pair!] as const]) {
      const privateKey = nodePrivate(pair.privateKey);
      const publicKey = nodePublic(pair.publicKey);
      expect(der(privateKey, 'pkcs8'), spec).toEqual(pair.privateKey);
      expect(der(publicKey, 'spki'), spec).toEqual(pair.publicKey);
      expect(der(createPublicKey(privateKey), 'spki'), spec).toEqual(pair.publicKey);
    }
    expect(nodePrivate(seededRsa.pair!.privateKey).asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
  });

  it("node's keys load here: publicKeyOf gives node's SPKI", async () => {
    const cases: Array<[AsymmetricSpec, KeyObject]> = [
      ['RSA_2048', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
      ...EC_SPECS.map(([spec, curve]) => [spec, generateKeyPairSync('ec', { namedCurve: curve }).privateKey] as [AsymmetricSpec, KeyObject]),
      ['ED25519', generateKeyPairSync('ed25519').privateKey],
      ['SM2', generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey],
    ];
    for (const [spec, key] of cases) expect(await publicKeyOf(spec, der(key, 'pkcs8')), spec).toEqual(der(createPublicKey(key), 'spki'));
  });
});

describe('RSA signatures', () => {
  it('ours (RAW and DIGEST, WebCrypto and seeded keys) verify in node; node’s verify here', async () => {
    const pairs: Array<[AsymmetricSpec, KeyPair]> = [...RSA_SPECS.map((s) => [s, ours.get(s)!] as [AsymmetricSpec, KeyPair]), ['RSA_2048', seededRsa.pair!]];
    for (const [spec, pair] of pairs) {
      const publicKey = nodePublic(pair.publicKey);
      const privateKey = nodePrivate(pair.privateKey);
      for (const [algorithm, hash, padding] of RSA_ALGORITHMS) {
        const options = padding === 'pss' ? pssOptions(hash) : {};
        const digest = new Uint8Array(createHash(hash).update(message).digest());
        for (const [input, data, random] of [
          ['RAW', message, systemRandom],
          ['DIGEST', digest, systemRandom],
          ['RAW', message, new SeededRandom('pss')], // a seeded source signs PSS here, not in WebCrypto
        ] as const) {
          const signature = await signMessage(spec, pair.privateKey, algorithm, input, data, random);
          expect(signature.length).toBe(Number(spec.slice(4)) / 8);
          expect(nodeVerify(hash, message, { key: publicKey, ...options }, signature), `${spec} ${algorithm} ${input}`).toBe(true);
        }
        const theirs = new Uint8Array(nodeSign(hash, message, { key: privateKey, ...options }));
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, theirs), `${spec} ${algorithm} node RAW`).toBe(true);
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'DIGEST', digest, theirs), `${spec} ${algorithm} node DIGEST`).toBe(true);
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', utf8('another message'), theirs)).toBe(false);
      }
    }
  });
});

describe('RSA encryption', () => {
  it('node’s OAEP (SHA-1, SHA-256) and PKCS#1 v1.5 ciphertexts decrypt here; our OAEP decrypts in node', async () => {
    const plaintext = utf8('a 32-byte data key, more or less');
    for (const spec of RSA_SPECS) {
      const pair = ours.get(spec)!;
      const publicKey = nodePublic(pair.publicKey);
      const privateKey = nodePrivate(pair.privateKey);
      for (const [algorithm, oaepHash] of [['RSA_OAEP_SHA_1', 'sha1'], ['RSA_OAEP_SHA_256', 'sha256']] as const) {
        const theirs = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, plaintext);
        expect(await decryptAsymmetric(spec, pair.privateKey, algorithm, new Uint8Array(theirs)), `${spec} ${algorithm}`).toEqual(plaintext);
        const mine = await encryptAsymmetric(spec, pair.publicKey, algorithm, plaintext, systemRandom);
        expect(new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, mine))).toEqual(plaintext);
      }
      const theirs = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, plaintext);
      expect(await decryptAsymmetric(spec, pair.privateKey, 'RSA_PKCS1_V1_5', new Uint8Array(theirs)), `${spec} PKCS1`).toEqual(plaintext);
      // node refuses PKCS#1 v1.5 decryption (CVE-2023-46809); raw RSA and unpadding by hand instead.
      const mine = await encryptAsymmetric(spec, pair.publicKey, 'RSA_PKCS1_V1_5', plaintext, systemRandom);
      const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, mine);
      expect(block[0]).toBe(0);
      expect(block[1]).toBe(2);
      expect(new Uint8Array(block.subarray(block.indexOf(0, 2) + 1))).toEqual(plaintext);
    }
  });
});

describe('ECDSA', () => {
  it('ours (RAW and DIGEST, every hash) verify in node as DER; node’s verify here', async () => {
    for (const [spec] of EC_SPECS) {
      const pair = ours.get(spec)!;
      const publicKey = nodePublic(pair.publicKey);
      const privateKey = nodePrivate(pair.privateKey);
      for (const [algorithm, hash] of ECDSA_ALGORITHMS) {
        const digest = new Uint8Array(createHash(hash).update(message).digest());
        for (const [input, data] of [['RAW', message], ['DIGEST', digest]] as const) {
          const signature = await signMessage(spec, pair.privateKey, algorithm, input, data, systemRandom);
          expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature), `${spec} ${algorithm} ${input}`).toBe(true);
        }
        const theirs = new Uint8Array(nodeSign(hash, message, { key: privateKey, dsaEncoding: 'der' }));
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'RAW', message, theirs), `${spec} ${algorithm} node`).toBe(true);
        expect(await verifySignature(spec, pair.publicKey, algorithm, 'DIGEST', digest, theirs), `${spec} ${algorithm} node DIGEST`).toBe(true);
      }
    }
  });
});

describe('Ed25519', () => {
  it('ours verify in node; node’s verify here', async () => {
    const pair = ours.get('ED25519')!;
    const signature = await signMessage('ED25519', pair.privateKey, 'ED25519', 'RAW', message, systemRandom);
    expect(nodeVerify(null, message, nodePublic(pair.publicKey), signature)).toBe(true);
    const theirs = new Uint8Array(nodeSign(null, message, nodePrivate(pair.privateKey)));
    expect(theirs).toEqual(signature); // Ed25519 is deterministic
    expect(await verifySignature('ED25519', pair.publicKey, 'ED25519', 'RAW', message, theirs)).toBe(true);
  });
});

describe('ECDH', () => {
  it('agrees with node’s diffieHellman on every curve, both directions', async () => {
    for (const [spec, curve] of EC_SPECS) {
      const pair = ours.get(spec)!;
      const peer = generateKeyPairSync('ec', { namedCurve: curve });
      const expected = new Uint8Array(diffieHellman({ privateKey: peer.privateKey, publicKey: nodePublic(pair.publicKey) }));
      expect(await deriveSharedSecret(spec, pair.privateKey, der(peer.publicKey, 'spki')), spec).toEqual(expected);
      expect(await deriveSharedSecret(spec, der(peer.privateKey, 'pkcs8'), pair.publicKey), spec).toEqual(expected);
    }
  });

  it('agrees with node’s createECDH("SM2") (diffieHellman does not take SM2 key objects)', async () => {
    const pair = ours.get('SM2')!;
    const node = createECDH('SM2');
    node.generateKeys();
    const peerSpki = new Uint8Array([...pair.publicKey.subarray(0, pair.publicKey.length - 65), ...node.getPublicKey()]);
    const expected = new Uint8Array(node.computeSecret(Buffer.from(pair.publicKey.subarray(pair.publicKey.length - 65))));
    expect(await deriveSharedSecret('SM2', pair.privateKey, peerSpki)).toEqual(expected);
  });
});
