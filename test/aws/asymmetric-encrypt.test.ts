import { constants, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  DecryptCommand,
  DisableKeyCommand,
  type EncryptionAlgorithmSpec,
  EncryptCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GetPublicKeyCommand,
  type KeyMetadata,
  type KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { sm2 } from 'sm-crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kms, ManualClock } from '../../src/index.js';
import { ecPoint, hex, openssl, pem, privateKeyOf, sm2DerToRaw, sm2RawToDer, spki, unhex } from '../support/asymmetric.js';
import { createKey, DRY_RUN, refused } from '../support/aws.js';
import { setup, str, text } from '../support/kms.js';

/** AWS's plaintext limits for RSA-OAEP (and SM2PKE). */
const LIMITS: Array<[string, EncryptionAlgorithmSpec, number]> = [
  ['RSA_2048', 'RSAES_OAEP_SHA_1', 214],
  ['RSA_2048', 'RSAES_OAEP_SHA_256', 190],
  ['RSA_3072', 'RSAES_OAEP_SHA_1', 342],
  ['RSA_3072', 'RSAES_OAEP_SHA_256', 318],
  ['RSA_4096', 'RSAES_OAEP_SHA_1', 470],
  ['RSA_4096', 'RSAES_OAEP_SHA_256', 446],
  ['SM2', 'SM2PKE', 1024],
];

const oaepHash = (algorithm: string) => (algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256');

/** The private scalar d of an EC PKCS#8 key (the 32-byte OCTET STRING of its ECPrivateKey). */
function ecPrivateScalar(pkcs8: Uint8Array): string {
  const at = Buffer.from(pkcs8).indexOf(Buffer.from([0x02, 0x01, 0x01, 0x04, 0x20]));
  return hex(pkcs8.subarray(at + 5, at + 37));
}

describe('Encrypt and Decrypt with asymmetric keys', () => {
  let kms: Kms<ManualClock>;
  let client: KMSClient;
  const keys = new Map<string, { key: KeyMetadata; publicKey: Uint8Array }>();

  beforeAll(async () => {
    // SM2 is a China Regions key spec.
    ({ kms, client } = setup({ region: 'cn-north-1' }));
    await Promise.all(
      ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'].map(async (spec) => {
        const key = await createKey(client, { KeySpec: spec as never, KeyUsage: 'ENCRYPT_DECRYPT' });
        expect(key).toMatchObject({ KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: spec === 'SM2' ? ['SM2PKE'] : ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] });
        expect(key.SigningAlgorithms).toBeUndefined();
        keys.set(spec, { key, publicKey: (await client.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey! });
      }),
    );
  }, 60_000);

  it('RSA-OAEP round trips, and the ciphertext is plain RSA-OAEP that node:crypto decrypts with the private key', async () => {
    for (const [spec, algorithm] of LIMITS.filter(([s]) => s.startsWith('RSA'))) {
      const { key } = keys.get(spec)!;
      const plaintext = text(`secret for ${spec} ${algorithm}`);
      const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionAlgorithm: algorithm }));
      expect(enc.KeyId).toBe(key.Arn);
      expect(enc.EncryptionAlgorithm).toBe(algorithm);
      expect(enc.CiphertextBlob!.length).toBe(Number(spec.slice(4)) / 8);
      const dec = await client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: algorithm }));
      expect(str(dec.Plaintext)).toBe(`secret for ${spec} ${algorithm}`);
      expect(dec).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: algorithm });
      expect(dec.KeyMaterialId).toBeUndefined();
      const outside = privateDecrypt(
        { key: createPrivateKey({ key: privateKeyOf(kms, key.KeyId!), format: 'der', type: 'pkcs8' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
        enc.CiphertextBlob!,
      );
      expect(outside.toString()).toBe(`secret for ${spec} ${algorithm}`);
    }
  });

  it('decrypts what node:crypto and openssl encrypt to the exported public key (OAEP SHA-1 and SHA-256)', async () => {
    for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096']) {
      const { key, publicKey } = keys.get(spec)!;
      for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
        const ciphertext = publicEncrypt({ key: spki(publicKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) }, text(`from node ${algorithm}`));
        const dec = await client.send(new DecryptCommand({ KeyId: key.Arn, CiphertextBlob: ciphertext, EncryptionAlgorithm: algorithm }));
        expect(str(dec.Plaintext)).toBe(`from node ${algorithm}`);
      }
    }
    const { key, publicKey } = keys.get('RSA_2048')!;
    const out = openssl(
      () => ['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'msg.bin', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'],
      { 'pub.pem': pem('PUBLIC KEY', publicKey), 'msg.bin': text('from openssl') },
    );
    expect(out.status, out.stderr).toBe(0);
    const dec = await client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: out.stdout, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(str(dec.Plaintext)).toBe('from openssl');
  });

  it('encrypts exactly up to AWS plaintext limits; one byte more is ValidationException in AWS words, changing nothing', async () => {
    for (const [spec, algorithm, max] of LIMITS) {
      const { key } = keys.get(spec)!;
      const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(max).fill(7), EncryptionAlgorithm: algorithm }));
      const dec = await client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: enc.CiphertextBlob, EncryptionAlgorithm: algorithm }));
      expect(dec.Plaintext!.length).toBe(max);
      const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(max + 1), EncryptionAlgorithm: algorithm })));
      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe(`Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${max} bytes.`);
    }
  });

  it('SM2PKE writes the GM/T 0009 DER ciphertext that sm-crypto and openssl read, and reads theirs', async () => {
    const { key, publicKey } = keys.get('SM2')!;
    const d = ecPrivateScalar(privateKeyOf(kms, key.KeyId!));
    const pub = hex(ecPoint(publicKey));
    // Emulator → sm-crypto (C1C3C2).
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('国密 SM2 plaintext'), EncryptionAlgorithm: 'SM2PKE' }));
    expect(enc.EncryptionAlgorithm).toBe('SM2PKE');
    expect(enc.CiphertextBlob![0]).toBe(0x30);
    expect(sm2.doDecrypt(hex(sm2DerToRaw(enc.CiphertextBlob!)), d, 1)).toBe('国密 SM2 plaintext');
    // sm-crypto (C1C3C2) → emulator.
    const theirs = unhex(sm2.doEncrypt('from sm-crypto', pub, 1));
    const dec = await client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: sm2RawToDer(theirs), EncryptionAlgorithm: 'SM2PKE' }));
    expect(str(dec.Plaintext)).toBe('from sm-crypto');
    // openssl → emulator, emulator → openssl.
    const fromOpenssl = openssl(() => ['pkeyutl', '-encrypt', '-pubin', '-inkey', 'pub.pem', '-in', 'msg.bin'], { 'pub.pem': pem('PUBLIC KEY', publicKey), 'msg.bin': text('from openssl') });
    expect(fromOpenssl.status, fromOpenssl.stderr).toBe(0);
    const dec2 = await client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: fromOpenssl.stdout, EncryptionAlgorithm: 'SM2PKE' }));
    expect(str(dec2.Plaintext)).toBe('from openssl');
    const toOpenssl = openssl(() => ['pkeyutl', '-decrypt', '-inkey', 'key.pem', '-in', 'ct.bin'], { 'key.pem': pem('PRIVATE KEY', privateKeyOf(kms, key.KeyId!)), 'ct.bin': enc.CiphertextBlob! });
    expect(toOpenssl.status, toOpenssl.stderr).toBe(0);
    expect(toOpenssl.stdout.toString()).toBe('国密 SM2 plaintext');
  });

  it('Decrypt of an asymmetric ciphertext needs the KeyId and the algorithm: InvalidCiphertextException otherwise', async () => {
    const { key } = keys.get('RSA_2048')!;
    const other = keys.get('RSA_3072')!.key;
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const flipped = Uint8Array.from(CiphertextBlob!);
    flipped[10]! ^= 1;
    const symmetric = await createKey(client);
    const cases = [
      { CiphertextBlob },
      { CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const },
      { CiphertextBlob, KeyId: key.KeyId },
      { CiphertextBlob, KeyId: key.KeyId, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const },
      { CiphertextBlob, KeyId: key.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' as const },
      { CiphertextBlob, KeyId: other.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const },
      { CiphertextBlob: flipped, KeyId: key.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const },
      { CiphertextBlob, KeyId: symmetric.KeyId },
    ];
    for (const input of cases) {
      const err = await refused(kms, () => client.send(new DecryptCommand(input)));
      expect(err.name, JSON.stringify({ ...input, CiphertextBlob: undefined })).toBe('InvalidCiphertextException');
    }
  });

  it('refuses algorithms of another key spec with InvalidKeyUsageException in AWS words', async () => {
    const rsa = keys.get('RSA_2048')!.key;
    const smKey = keys.get('SM2')!.key;
    const symmetric = await createKey(client);
    const cases: Array<[KeyMetadata, EncryptionAlgorithmSpec | undefined, string]> = [
      [rsa, undefined, 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.'],
      [rsa, 'SYMMETRIC_DEFAULT', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.'],
      [rsa, 'SM2PKE', 'Algorithm SM2PKE is incompatible with key spec RSA_2048.'],
      [smKey, 'RSAES_OAEP_SHA_256', 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SM2.'],
      [symmetric, 'RSAES_OAEP_SHA_1', 'Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.'],
    ];
    for (const [key, EncryptionAlgorithm, message] of cases) {
      const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), ...(EncryptionAlgorithm ? { EncryptionAlgorithm } : {}) })));
      expect(err.name).toBe('InvalidKeyUsageException');
      expect(err.message).toBe(message);
    }
    const signing = await createKey(client, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const usage = await refused(kms, () => client.send(new EncryptCommand({ KeyId: signing.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })));
    expect(usage.name).toBe('InvalidKeyUsageException');
    expect(usage.message).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
  });

  it('an encryption context is not supported with asymmetric keys: ValidationException', async () => {
    const { key } = keys.get('RSA_2048')!;
    const enc = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } })));
    expect(enc.name).toBe('ValidationException');
    expect(enc.message).toBe('EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const dec = await refused(kms, () => client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } })));
    expect(dec.message).toBe('EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
  });

  it('ReEncrypt moves data between symmetric and asymmetric keys in both directions', async () => {
    const rsa = keys.get('RSA_2048')!.key;
    const rsa2 = keys.get('RSA_4096')!.key;
    const symmetric = await createKey(client);
    const sym = await client.send(new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: text('moving data') }));
    // symmetric → RSA
    const toRsa = await client.send(new ReEncryptCommand({ CiphertextBlob: sym.CiphertextBlob, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(toRsa).toMatchObject({ SourceKeyId: symmetric.Arn, KeyId: rsa.Arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', SourceKeyMaterialId: symmetric.CurrentKeyMaterialId });
    expect(toRsa.DestinationKeyMaterialId).toBeUndefined();
    expect(toRsa.CiphertextBlob!.length).toBe(256);
    // RSA → RSA
    const rsaToRsa = await client.send(
      new ReEncryptCommand({ CiphertextBlob: toRsa.CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: rsa2.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
    );
    expect(rsaToRsa.SourceKeyMaterialId).toBeUndefined();
    const dec = await client.send(new DecryptCommand({ KeyId: rsa2.KeyId, CiphertextBlob: rsaToRsa.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
    expect(str(dec.Plaintext)).toBe('moving data');
    // RSA → symmetric, with a context
    const back = await client.send(
      new ReEncryptCommand({ CiphertextBlob: rsaToRsa.CiphertextBlob, SourceKeyId: rsa2.Arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: symmetric.KeyId, DestinationEncryptionContext: { k: 'v' } }),
    );
    expect(back).toMatchObject({ SourceKeyId: rsa2.Arn, KeyId: symmetric.Arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationKeyMaterialId: symmetric.CurrentKeyMaterialId });
    const plain = await client.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob, EncryptionContext: { k: 'v' } }));
    expect(str(plain.Plaintext)).toBe('moving data');
    const [record] = kms.aws.cloudTrail((r) => r.eventName === 'ReEncrypt').slice(-1);
    expect(record!.additionalEventData).toEqual({ destinationKeyMaterialId: symmetric.CurrentKeyMaterialId });
    expect(record!.resources.map((r) => r.ARN)).toEqual([rsa2.Arn, symmetric.Arn]);
  });

  it('ReEncrypt refusals: no SourceKeyId or algorithm for an asymmetric source, no algorithm for an asymmetric destination', async () => {
    const rsa = keys.get('RSA_2048')!.key;
    const symmetric = await createKey(client);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const noKey = await refused(kms, () => client.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: symmetric.KeyId })));
    expect(noKey.name).toBe('InvalidCiphertextException');
    const noAlgorithm = await refused(kms, () => client.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: rsa.KeyId, DestinationKeyId: symmetric.KeyId })));
    expect(noAlgorithm.name).toBe('InvalidCiphertextException');
    const sym = await client.send(new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: text('x') }));
    const dest = await refused(kms, () => client.send(new ReEncryptCommand({ CiphertextBlob: sym.CiphertextBlob, DestinationKeyId: rsa.KeyId })));
    expect(dest.name).toBe('InvalidKeyUsageException');
    expect(dest.message).toBe('Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
    const tooBig = await client.send(new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: new Uint8Array(300) }));
    const size = await refused(kms, () => client.send(new ReEncryptCommand({ CiphertextBlob: tooBig.CiphertextBlob, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })));
    expect(size.message).toBe('Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.');
  });

  it('disabled keys refuse Encrypt and Decrypt with DisabledException; CloudTrail records algorithms, not data', async () => {
    const { kms: k2, client: c2 } = setup({ region: 'cn-north-1' });
    const key = await createKey(c2, { KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' });
    const { CiphertextBlob } = await c2.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('logged? never'), EncryptionAlgorithm: 'SM2PKE' }));
    await c2.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' }));
    const [enc, dec] = k2.aws.cloudTrail().slice(-2);
    expect(enc).toMatchObject({ eventName: 'Encrypt', requestParameters: { keyId: key.KeyId, encryptionAlgorithm: 'SM2PKE' }, responseElements: null });
    expect(enc!.additionalEventData).toBeUndefined();
    expect(dec).toMatchObject({ eventName: 'Decrypt', requestParameters: { keyId: key.Arn, encryptionAlgorithm: 'SM2PKE' }, resources: [{ ARN: key.Arn }] });
    expect(JSON.stringify(k2.aws.cloudTrail())).not.toContain(Buffer.from('logged? never').toString('base64'));
    await c2.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const a = await refused(k2, () => c2.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'SM2PKE' })));
    expect([a.name, a.message]).toEqual(['DisabledException', `${key.Arn} is disabled.`]);
    const b = await refused(k2, () => c2.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob, EncryptionAlgorithm: 'SM2PKE' })));
    expect(b.name).toBe('DisabledException');
  });

  it('DryRun on asymmetric Encrypt and Decrypt', async () => {
    const { key } = keys.get('RSA_2048')!;
    const enc = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DryRun: true })));
    expect([enc.name, enc.message]).toEqual(['DryRunOperationException', DRY_RUN]);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
    const dec = await refused(kms, () => client.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DryRun: true })));
    expect(dec.name).toBe('DryRunOperationException');
  });
});

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', () => {
  const NODE_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519'] as const;

  it('every RSA and ECC pair spec: a PKCS#8 private key node:crypto loads, matching the SPKI public key, sealed under the KMS key', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await Promise.all(
      NODE_SPECS.map(async (KeyPairSpec) => {
        const out = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec, EncryptionContext: { pair: KeyPairSpec } }));
        expect(out).toMatchObject({ KeyId: key.Arn, KeyPairSpec, KeyMaterialId: key.CurrentKeyMaterialId });
        const privateKey = createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' });
        const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
        expect(derived.equals(Buffer.from(out.PublicKey!)), KeyPairSpec).toBe(true);
        const opened = await client.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { pair: KeyPairSpec } }));
        expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(out.PrivateKeyPlaintext!))).toBe(true);
        // The pair works: what the private key signs, the public key verifies.
        const hash = KeyPairSpec === 'ECC_NIST_EDWARDS25519' ? null : 'sha256';
        const signature = nodeSign(hash, text('data key pair'), privateKey);
        expect(nodeVerify(hash, text('data key pair'), spki(out.PublicKey!), signature)).toBe(true);
      }),
    );
  }, 60_000);

  it('SM2 and ML-KEM pairs: the SM2 private key signs for sm-crypto; each pair is fresh', async () => {
    const { client } = setup({ region: 'cn-north-1' });
    const key = await createKey(client);
    const smPair = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' }));
    const d = ecPrivateScalar(smPair.PrivateKeyPlaintext!);
    const pub = hex(ecPoint(smPair.PublicKey!));
    expect((sm2 as unknown as { getPublicKeyFromPrivateKey(d: string): string }).getPublicKeyFromPrivateKey(d)).toBe(pub);
    const signature = sm2.doSignature('with a data key', d, { der: true, hash: true, publicKey: pub });
    expect(sm2.doVerifySignature('with a data key', signature, pub, { der: true, hash: true })).toBe(true);
    for (const [KeyPairSpec, size] of [['ML_KEM_512', 800], ['ML_KEM_768', 1184], ['ML_KEM_1024', 1568]] as const) {
      const a = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: KeyPairSpec as never }));
      const b = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: KeyPairSpec as never }));
      expect(a.KeyPairSpec).toBe(KeyPairSpec);
      expect(a.PublicKey!.length).toBeGreaterThan(size);
      expect(Buffer.from(a.PublicKey!).equals(Buffer.from(b.PublicKey!))).toBe(false);
      const opened = await client.send(new DecryptCommand({ CiphertextBlob: a.PrivateKeyCiphertextBlob }));
      expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(a.PrivateKeyPlaintext!))).toBe(true);
    }
  });

  it('WithoutPlaintext returns the public key and the sealed private key only', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const out = await client.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect((out as unknown as Record<string, unknown>).PrivateKeyPlaintext).toBeUndefined();
    expect(out).toMatchObject({ KeyId: key.Arn, KeyPairSpec: 'ECC_NIST_P256', KeyMaterialId: key.CurrentKeyMaterialId });
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    const derived = createPublicKey(createPrivateKey({ key: Buffer.from(opened.Plaintext!), format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' });
    expect(derived.equals(Buffer.from(out.PublicKey!))).toBe(true);
  });

  it('refusals: an asymmetric or HMAC wrapping key, a bad pair spec, a context mismatch, a Recipient, DryRun', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    const signing = await createKey(client, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const hmacKey = await createKey(client, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const a = await refused(kms, () => client.send(new GenerateDataKeyPairCommand({ KeyId: signing.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    expect([a.name, a.message]).toEqual(['InvalidKeyUsageException', `${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPair.`]);
    const b = await refused(kms, () => client.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: hmacKey.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    expect([b.name, b.message]).toEqual(['InvalidKeyUsageException', `${hmacKey.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKeyPairWithoutPlaintext.`]);
    const c = await refused(kms, () => client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ML_DSA_44' as never })));
    expect(c.name).toBe('ValidationException');
    expect(c.message).toMatch(/^1 validation error detected: Value 'ML_DSA_44' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    const d = await refused(kms, () => client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: { AttestationDocument: new Uint8Array(8), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } })));
    expect(d.name).toBe('UnsupportedOperationException');
    const e = await refused(kms, () => client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256', DryRun: true })));
    expect([e.name, e.message]).toEqual(['DryRunOperationException', DRY_RUN]);
    const out = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_SECG_P256K1', EncryptionContext: { a: '1' } }));
    const f = await refused(kms, () => client.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })));
    expect(f.name).toBe('InvalidCiphertextException');
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const g = await refused(kms, () => client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    expect(g.name).toBe('DisabledException');
  });

  it('CloudTrail records the pair spec and key material, never a private or public key', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    const out = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P384', EncryptionContext: { dept: 'hr' } }));
    const record = kms.aws.cloudTrail().at(-1)!;
    expect(record).toMatchObject({
      eventName: 'GenerateDataKeyPair',
      readOnly: true,
      requestParameters: { keyId: key.KeyId, keyPairSpec: 'ECC_NIST_P384', encryptionContext: { dept: 'hr' } },
      responseElements: null,
      additionalEventData: { keyMaterialId: key.CurrentKeyMaterialId },
    });
    const log = JSON.stringify(kms.aws.cloudTrail());
    for (const blob of [out.PrivateKeyPlaintext!, out.PublicKey!, out.PrivateKeyCiphertextBlob!]) expect(log).not.toContain(Buffer.from(blob).toString('base64'));
  });
});
