/**
 * The facade's contract: key generation (seeded RSA reproducible, unseeded RSA from WebCrypto),
 * key encodings, parsePublicKey, the tables (digest lengths, plaintext bounds), and the failure
 * rule: a bad signature, ciphertext or peer key is false / undefined, never an exception.
 */
import { createPrivateKey } from 'node:crypto';
import { shake256 } from '@noble/hashes/sha3.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ASYMMETRIC_SPECS,
  type AsymmetricSpec,
  decapsulate,
  decryptAsymmetric,
  deriveSharedSecret,
  digestLength,
  encapsulate,
  encryptAsymmetric,
  encryptionAlgorithmsFor,
  generateKeyPair,
  type KeyPair,
  maxPlaintextLength,
  parsePublicKey,
  publicKeyOf,
  signInputsFor,
  signingAlgorithmsFor,
  signMessage,
  SIGNING_ALGORITHMS,
  supportsKeyAgreement,
  verifySignature,
} from '../../src/crypto/asymmetric.js';
import { concatBytes, toHex, utf8 } from '../../src/crypto/bytes.js';
import { readElement } from '../../src/crypto/der.js';
import { encodeEcPublicKey, P256 } from '../../src/crypto/ecc.js';
import { algorithmIdentifier, encodePkcs8 } from '../../src/crypto/keys.js';
import { encodePqPublicKey, ML_DSA, ML_KEM } from '../../src/crypto/pq.js';
import { type RandomSource, SeededRandom, systemRandom } from '../../src/crypto/random.js';
import { hex, wycheproof } from './support.js';

const NON_RSA = ASYMMETRIC_SPECS.filter((s) => !s.startsWith('RSA_'));
/** One key per spec (RSA: 2048 bits only; the larger sizes are exercised by the interop tests). */
const keys = new Map<AsymmetricSpec, KeyPair>();

beforeAll(async () => {
  keys.set('RSA_2048', await generateKeyPair('RSA_2048', systemRandom));
  for (const spec of NON_RSA) keys.set(spec, await generateKeyPair(spec, new SeededRandom(spec)));
});

/** A RandomSource with no `position` (like the system source) that counts what it hands out. */
function countingSystemRandom(): RandomSource & { used: number } {
  const source = {
    used: 0,
    fill(out: Uint8Array) {
      source.used += out.length;
      return systemRandom.fill(out);
    },
  };
  return source;
}

describe('key generation', () => {
  it('a seeded source gives the same RSA key for the same seed, another key for another seed', async () => {
    const a = await generateKeyPair('RSA_2048', new SeededRandom('same'));
    const b = await generateKeyPair('RSA_2048', new SeededRandom('same'));
    const c = await generateKeyPair('RSA_2048', new SeededRandom('other'));
    expect(a).toEqual(b);
    expect(c.publicKey).not.toEqual(a.publicKey);
    const details = createPrivateKey({ key: Buffer.from(a.privateKey), format: 'der', type: 'pkcs8' }).asymmetricKeyDetails;
    expect(details).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    expect(await publicKeyOf('RSA_2048', a.privateKey)).toEqual(a.publicKey);
  });

  it('the system source (no position) uses WebCrypto for RSA: no bytes drawn, a new key each time', async () => {
    const random = countingSystemRandom();
    const a = await generateKeyPair('RSA_2048', random);
    const b = await generateKeyPair('RSA_2048', random);
    expect(random.used).toBe(0);
    expect(a.publicKey).not.toEqual(b.publicKey);
    expect(await parsePublicKey(a.publicKey)).toEqual({ spec: 'RSA_2048' });
  });

  it('every other spec is reproducible from a seed, and publicKeyOf agrees with the generated SPKI', async () => {
    for (const spec of NON_RSA) {
      const again = await generateKeyPair(spec, new SeededRandom(spec));
      expect(again, spec).toEqual(keys.get(spec));
      expect(await publicKeyOf(spec, again.privateKey), spec).toEqual(again.publicKey);
      expect(await parsePublicKey(again.publicKey), spec).toEqual({ spec });
    }
  });

  it('seeded signatures and ciphertexts are reproducible too (RSA-PSS included)', async () => {
    const rsa = keys.get('RSA_2048')!;
    for (const [spec, algorithm, pair] of [
      ['RSA_2048', 'RSA_PSS_SHA_256', rsa],
      ['EC_P256', 'ECDSA_SHA_256', keys.get('EC_P256')!],
      ['SM2', 'SM2DSA_SM3', keys.get('SM2')!],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', keys.get('ML_DSA_44')!],
    ] as const) {
      const one = await signMessage(spec, pair.privateKey, algorithm, 'RAW', utf8('m'), new SeededRandom('sig'));
      const two = await signMessage(spec, pair.privateKey, algorithm, 'RAW', utf8('m'), new SeededRandom('sig'));
      expect(toHex(one), `${spec} ${algorithm}`).toBe(toHex(two));
    }
    const one = await encryptAsymmetric('RSA_2048', rsa.publicKey, 'RSA_OAEP_SHA_256', utf8('m'), new SeededRandom('ct'));
    const two = await encryptAsymmetric('RSA_2048', rsa.publicKey, 'RSA_OAEP_SHA_256', utf8('m'), new SeededRandom('ct'));
    expect(one).toEqual(two);
  });
});

describe('ML-DSA external mu', () => {
  it('a signature over mu = SHAKE256(SHAKE256(pk) ‖ 0 ‖ 0 ‖ M) is a signature over M (AWS: "same signature as RAW")', async () => {
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const) {
      const pair = keys.get(spec)!;
      const rawKey = pair.publicKey.subarray(pair.publicKey.length - ML_DSA[Number(spec.slice(-2)) as 44 | 65 | 87].publicKeyLength);
      const message = utf8('external mu');
      const tr = shake256(rawKey, { dkLen: 64 });
      const mu = shake256(concatBytes(tr, Uint8Array.of(0, 0), message), { dkLen: 64 });
      const signature = await signMessage(spec, pair.privateKey, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', mu, systemRandom);
      expect(await verifySignature(spec, pair.publicKey, 'ML_DSA_SHAKE_256', 'RAW', message, signature), spec).toBe(true);
      expect(await verifySignature(spec, pair.publicKey, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', mu, signature), spec).toBe(true);
      const raw = await signMessage(spec, pair.privateKey, 'ML_DSA_SHAKE_256', 'RAW', message, systemRandom);
      expect(await verifySignature(spec, pair.publicKey, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', mu, raw), spec).toBe(true);
      expect(await verifySignature(spec, pair.publicKey, 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', mu.subarray(1), raw), spec).toBe(false);
    }
  });
});

describe('key encodings', () => {
  it('ML-DSA and ML-KEM: SPKI with the NIST OID and the raw key; PKCS#8 holding the seed as [0]', () => {
    const dsa = keys.get('ML_DSA_44')!;
    // SEQUENCE { INTEGER 0, SEQUENCE { OID 2.16.840.1.101.3.4.3.17 }, OCTET STRING { [0] 32 bytes } }
    expect(toHex(dsa.privateKey.subarray(0, 22))).toBe('3034020100300b0609608648016503040311042280' + '20');
    expect(dsa.privateKey.length).toBe(54);
    expect(toHex(dsa.publicKey.subarray(0, 22))).toBe('30820532300b0609608648016503040311038205210' + '0');
    const kem = keys.get('ML_KEM_768')!;
    expect(toHex(kem.privateKey.subarray(0, 22))).toBe('3054020100300b0609608648016503040402044280' + '40');
    expect(kem.privateKey.length).toBe(86);
    // Our SPKI of Wycheproof's raw ML-DSA key is byte for byte its publicKeyDer.
    const group = wycheproof('mldsa_44_verify').testGroups[0]!;
    expect(toHex(encodePqPublicKey(ML_DSA[44], hex(group.publicKey)))).toBe(group.publicKeyDer);
  });

  it('ML-DSA / ML-KEM private keys in the expandedKey and both forms are read too', async () => {
    for (const [spec, scheme] of [['ML_DSA_65', ML_DSA[65]], ['ML_KEM_512', ML_KEM[512]]] as const) {
      const pair = keys.get(spec)!;
      const seed = pair.privateKey.subarray(pair.privateKey.length - scheme.seedLength);
      const { secretKey } = scheme.keygen(seed);
      const algorithm = algorithmIdentifier(scheme.oid);
      const octet = (b: Uint8Array) => concatBytes(Uint8Array.of(0x04, 0x82, b.length >> 8, b.length & 0xff), b);
      const expanded = encodePkcs8(algorithm, octet(secretKey));
      const bothBody = concatBytes(Uint8Array.of(0x04, seed.length), seed, octet(secretKey));
      const both = encodePkcs8(algorithm, concatBytes(Uint8Array.of(0x30, 0x82, bothBody.length >> 8, bothBody.length & 0xff), bothBody));
      expect(await publicKeyOf(spec, expanded), spec).toEqual(pair.publicKey);
      expect(await publicKeyOf(spec, both), spec).toEqual(pair.publicKey);
    }
  });

  it('EC PKCS#8 carries the public point, as OpenSSL writes it; Ed25519 is the 48-byte RFC 8410 form', () => {
    const ec = keys.get('EC_P256')!;
    expect(ec.privateKey.length).toBe(138);
    expect(toHex(ec.privateKey.subarray(ec.privateKey.length - 65))).toBe(toHex(ec.publicKey.subarray(ec.publicKey.length - 65)));
    expect(keys.get('ED25519')!.privateKey.length).toBe(48);
    expect(keys.get('ED25519')!.publicKey.length).toBe(44);
    expect(toHex(keys.get('SM2')!.publicKey.subarray(0, 27))).toBe('3059301306072a8648ce3d020106082a811ccf5501822d03420004');
  });
});

describe('parsePublicKey', () => {
  it('names the spec of every SPKI we write and refuses broken ones', async () => {
    for (const [spec, pair] of keys) {
      expect(await parsePublicKey(pair.publicKey), spec).toEqual({ spec });
      expect(await parsePublicKey(pair.publicKey.subarray(0, pair.publicKey.length - 1)), `${spec} truncated`).toBeUndefined();
      expect(await parsePublicKey(concatBytes(pair.publicKey, Uint8Array.of(0))), `${spec} trailing byte`).toBeUndefined();
      expect(await parsePublicKey(pair.privateKey), `${spec} private key`).toBeUndefined();
    }
    expect(await parsePublicKey(new Uint8Array(0))).toBeUndefined();
    expect(await parsePublicKey(utf8('-----BEGIN PUBLIC KEY-----'))).toBeUndefined();
  });

  it('refuses an EC point off the curve, a 1024-bit RSA key and an ML-KEM key with a coefficient ≥ q', async () => {
    const spki = keys.get('EC_P256')!.publicKey.slice();
    spki[spki.length - 1]! ^= 1;
    expect(await parsePublicKey(spki)).toBeUndefined();
    const rsa1024 = hex('30819f300d06092a864886f70d010101050003818d0030818902818100' + 'c3'.repeat(127) + '01' + '0203010001');
    expect(await parsePublicKey(rsa1024)).toBeUndefined();
    const kem = keys.get('ML_KEM_512')!.publicKey.slice();
    kem[kem.length - 800] = 0xff;
    kem[kem.length - 799]! |= 0x0f; // first coefficient = 0xfff
    expect(await parsePublicKey(kem)).toBeUndefined();
  });
});

describe('tables', () => {
  it('digest lengths: the hash length, 32 for SM2DSA_SM3, 64 for ED25519_PH_SHA_512, none for ED25519 and ML-DSA', () => {
    expect(Object.fromEntries(SIGNING_ALGORITHMS.map((a) => [a, digestLength(a)]))).toEqual({
      RSA_PSS_SHA_256: 32,
      RSA_PSS_SHA_384: 48,
      RSA_PSS_SHA_512: 64,
      RSA_PKCS1_SHA_256: 32,
      RSA_PKCS1_SHA_384: 48,
      RSA_PKCS1_SHA_512: 64,
      ECDSA_SHA_256: 32,
      ECDSA_SHA_384: 48,
      ECDSA_SHA_512: 64,
      ED25519: undefined,
      ED25519_PH_SHA_512: 64,
      ML_DSA_SHAKE_256: undefined,
      SM2DSA_SM3: 32,
    });
    expect(signInputsFor('ML_DSA_SHAKE_256')).toEqual(['RAW', 'EXTERNAL_MU']);
    expect(signInputsFor('ED25519')).toEqual(['RAW']);
  });

  it('plaintext bounds are the ones AWS documents (OAEP SHA-1 / SHA-256) and k − 11 for PKCS#1 v1.5', async () => {
    const bounds = (['RSA_2048', 'RSA_3072', 'RSA_4096'] as const).map((s) => encryptionAlgorithmsFor(s).map((a) => maxPlaintextLength(s, a)));
    expect(bounds).toEqual([
      [214, 190, 245],
      [342, 318, 373],
      [470, 446, 501],
    ]);
    expect(maxPlaintextLength('SM2', 'SM2_C1C3C2')).toBe(1024);
    const rsa = keys.get('RSA_2048')!;
    const full = new Uint8Array(190).fill(1);
    const ct = await encryptAsymmetric('RSA_2048', rsa.publicKey, 'RSA_OAEP_SHA_256', full, systemRandom);
    expect(await decryptAsymmetric('RSA_2048', rsa.privateKey, 'RSA_OAEP_SHA_256', ct)).toEqual(full);
    await expect(encryptAsymmetric('RSA_2048', rsa.publicKey, 'RSA_OAEP_SHA_256', new Uint8Array(191), systemRandom)).rejects.toThrow(RangeError);
  });

  it('algorithms per spec', () => {
    expect(signingAlgorithmsFor('EC_SECP256K1')).toEqual(['ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512']);
    expect(signingAlgorithmsFor('ML_KEM_512')).toEqual([]);
    expect(encryptionAlgorithmsFor('SM2')).toEqual(['SM2_C1C3C2', 'SM2_C1C3C2_ASN1']);
    expect(ASYMMETRIC_SPECS.filter(supportsKeyAgreement)).toEqual(['EC_P256', 'EC_P384', 'EC_P521', 'EC_SECP256K1', 'SM2']);
  });
});

describe('bad input is an answer, not an exception', () => {
  const junk = [new Uint8Array(0), new Uint8Array(1), new Uint8Array(64).fill(0xff), hex('3006020101020101'), hex('300602010002010100'), new Uint8Array(512).fill(1)];

  it('verifySignature: false for empty, short, long, garbage and tampered signatures, and for a wrong-length digest', async () => {
    for (const [spec, pair] of keys) {
      for (const algorithm of signingAlgorithmsFor(spec)) {
        for (const input of signInputsFor(algorithm)) {
          const data = input === 'RAW' ? utf8('message') : new Uint8Array(input === 'EXTERNAL_MU' ? 64 : digestLength(algorithm)!).fill(3);
          const good = await signMessage(spec, pair.privateKey, algorithm, input, data, systemRandom);
          expect(await verifySignature(spec, pair.publicKey, algorithm, input, data, good), `${spec} ${algorithm} ${input}`).toBe(true);
          for (const bad of [...junk, good.subarray(1), concatBytes(good, Uint8Array.of(0)), good.map((b, i) => (i === good.length >> 1 ? b ^ 0x10 : b))]) {
            expect(await verifySignature(spec, pair.publicKey, algorithm, input, data, bad), `${spec} ${algorithm} ${input} ${toHex(bad.subarray(0, 8))}`).toBe(false);
          }
          expect(await verifySignature(spec, utf8('not a key'), algorithm, input, data, good)).toBe(false);
          if (input === 'DIGEST') expect(await verifySignature(spec, pair.publicKey, algorithm, input, data.subarray(1), good)).toBe(false);
        }
      }
    }
  });

  it('decryptAsymmetric: undefined for tampered, truncated and garbage ciphertexts', async () => {
    for (const spec of ['RSA_2048', 'SM2'] as const) {
      const pair = keys.get(spec)!;
      for (const algorithm of encryptionAlgorithmsFor(spec)) {
        const good = await encryptAsymmetric(spec, pair.publicKey, algorithm, utf8('plaintext'), systemRandom);
        expect(await decryptAsymmetric(spec, pair.privateKey, algorithm, good)).toEqual(utf8('plaintext'));
        // The raw SM2 form without its 04 is accepted on purpose (sm-crypto and Tencent write it so).
        const unprefixed = algorithm === 'SM2_C1C3C2' ? [] : [good.subarray(1)];
        for (const bad of [...junk, ...unprefixed, good.subarray(0, good.length - 1), good.map((b, i) => (i === good.length - 2 ? b ^ 1 : b)), new Uint8Array(256).fill(0xff)]) {
          expect(await decryptAsymmetric(spec, pair.privateKey, algorithm, bad), `${spec} ${algorithm}`).toBeUndefined();
        }
        expect(await decryptAsymmetric(spec, keys.get('EC_P256')!.privateKey, algorithm, good)).toBeUndefined();
      }
    }
    // A PKCS#1 v1.5 block without the 00 02 header, made with raw RSA.
    const pair = keys.get('RSA_2048')!;
    const oaep = await encryptAsymmetric('RSA_2048', pair.publicKey, 'RSA_OAEP_SHA_1', utf8('x'), systemRandom);
    expect(await decryptAsymmetric('RSA_2048', pair.privateKey, 'RSA_PKCS1_V1_5', oaep)).toBeUndefined();
    expect(await decryptAsymmetric('RSA_2048', pair.privateKey, 'RSA_OAEP_SHA_256', oaep)).toBeUndefined();
  });

  it('deriveSharedSecret: undefined for a peer key of another curve, off the curve, or not a key', async () => {
    const pair = keys.get('EC_P256')!;
    expect(await deriveSharedSecret('EC_P256', pair.privateKey, keys.get('EC_P256')!.publicKey)).toHaveLength(32);
    for (const peer of [keys.get('EC_P384')!.publicKey, keys.get('SM2')!.publicKey, keys.get('EC_SECP256K1')!.publicKey, keys.get('RSA_2048')!.publicKey, ...junk]) {
      expect(await deriveSharedSecret('EC_P256', pair.privateKey, peer)).toBeUndefined();
    }
    const off = keys.get('EC_P256')!.publicKey.slice();
    off[off.length - 1]! ^= 1;
    expect(await deriveSharedSecret('EC_P256', pair.privateKey, off)).toBeUndefined();
    const notAPoint = encodeEcPublicKey(P256, P256.Point.BASE).map((b, i, all) => (i >= all.length - 64 ? 0 : b));
    expect(await deriveSharedSecret('EC_P256', pair.privateKey, notAPoint)).toBeUndefined();
    expect(await deriveSharedSecret('SM2', keys.get('SM2')!.privateKey, pair.publicKey)).toBeUndefined();
    await expect(deriveSharedSecret('ED25519', keys.get('ED25519')!.privateKey, pair.publicKey)).rejects.toThrow(RangeError);
  });

  it('decapsulate: undefined for a ciphertext of the wrong length; a tampered one gives another secret', async () => {
    const pair = keys.get('ML_KEM_768')!;
    const { ciphertext, sharedSecret } = await encapsulate('ML_KEM_768', pair.publicKey, systemRandom);
    expect(await decapsulate('ML_KEM_768', pair.privateKey, ciphertext)).toEqual(sharedSecret);
    expect(await decapsulate('ML_KEM_768', pair.privateKey, ciphertext.subarray(1))).toBeUndefined();
    const tampered = ciphertext.slice();
    tampered[0]! ^= 1;
    expect(await decapsulate('ML_KEM_768', pair.privateKey, tampered)).not.toEqual(sharedSecret);
    expect(sharedSecret).toHaveLength(32);
  });

  it('programming errors throw RangeError: an algorithm of another spec, a digest of the wrong length to sign', async () => {
    const rsa = keys.get('RSA_2048')!;
    await expect(signMessage('RSA_2048', rsa.privateKey, 'ECDSA_SHA_256', 'RAW', utf8('m'), systemRandom)).rejects.toThrow(RangeError);
    await expect(signMessage('RSA_2048', rsa.privateKey, 'RSA_PSS_SHA_256', 'DIGEST', new Uint8Array(31), systemRandom)).rejects.toThrow(RangeError);
    await expect(signMessage('ED25519', keys.get('ED25519')!.privateKey, 'ED25519', 'DIGEST', new Uint8Array(64), systemRandom)).rejects.toThrow(RangeError);
    await expect(signMessage('ML_DSA_44', keys.get('ML_DSA_44')!.privateKey, 'ML_DSA_SHAKE_256', 'DIGEST', new Uint8Array(64), systemRandom)).rejects.toThrow(RangeError);
    await expect(encapsulate('RSA_2048', rsa.publicKey, systemRandom)).rejects.toThrow(RangeError);
    expect(readElement(hex('3081050000000000'))).toBeUndefined(); // DER: a long form for a short length
  });
});
