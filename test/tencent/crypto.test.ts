/**
 * Cryptography through the Tencent dialect, checked against other implementations: SM2 with
 * sm-crypto (signatures verify there; ciphertexts made there decrypt here and the reverse), RSA and
 * ECDSA with node:crypto; imported key material; white-box keys and `whiteBoxDecrypt`.
 */
import { constants, createHash, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, verify as nodeVerify } from 'node:crypto';
import { sm2 as smCrypto } from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { whiteBoxDecrypt } from '../../src/index.js';
import { b64, done, emulator, failure, sm2Asn1, unb64 } from './support.js';

type Kms = ReturnType<typeof emulator>;

async function create(kms: Kms, alias: string, usage: string): Promise<{ id: string; spki: Buffer; pem: string }> {
  const id = (await kms.tencent.call('CreateKey', { Alias: alias, KeyUsage: usage })).KeyId;
  const pub = await kms.tencent.call('GetPublicKey', { KeyId: id });
  return { id, spki: unb64(pub.PublicKey), pem: pub.PublicKeyPem };
}

/** sm-crypto's public key: the uncompressed point in hex. */
const pointHex = (spki: Buffer) => spki.subarray(-65).toString('hex');

describe('SM2 interoperates with sm-crypto', () => {
  it('SM2DSA signatures (user id 1234567812345678, RAW and DIGEST) verify in sm-crypto; VerifyByAsymmetricKey answers SignatureValid', async () => {
    const kms = emulator();
    const { id, spki } = await create(kms, 'sm2-sign', 'ASYMMETRIC_SIGN_VERIFY_SM2');
    expect(spki.toString('base64')).toMatch(/^MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE/);
    const message = 'message to sign';
    const { Signature } = await kms.tencent.call('SignByAsymmetricKey', { KeyId: id, Algorithm: 'SM2DSA', Message: b64(message) });
    expect(smCrypto.doVerifySignature(message, unb64(Signature).toString('hex'), pointHex(spki), { der: true, hash: true, userId: '1234567812345678' })).toBe(true);
    // DIGEST: the caller computes e = SM3(Z_A ‖ M) itself.
    const { sm2Digest } = await import('../../src/crypto/sm2.js');
    const e = sm2Digest(spki.subarray(-65), new TextEncoder().encode(message));
    const digestSig = await kms.tencent.call('SignByAsymmetricKey', { KeyId: id, Algorithm: 'SM2DSA', Message: b64(e), MessageType: 'DIGEST' });
    expect(smCrypto.doVerifySignature(message, unb64(digestSig.Signature).toString('hex'), pointHex(spki), { der: true, hash: true })).toBe(true);
    expect((await kms.tencent.call('VerifyByAsymmetricKey', { KeyId: id, Algorithm: 'SM2DSA', Message: b64(message), SignatureValue: digestSig.Signature })).SignatureValid).toBe(true);
    expect((await kms.tencent.call('VerifyByAsymmetricKey', { KeyId: id, Algorithm: 'SM2DSA', Message: b64('other'), SignatureValue: Signature })).SignatureValid).toBe(false);
    expect((await failure(kms.tencent.call('SignByAsymmetricKey', { KeyId: id, Algorithm: 'ECC_P256_R1', Message: b64(message) }))).code).toBe('InvalidParameter');
    expect((await failure(kms.tencent.call('SignByAsymmetricKey', { KeyId: id, Algorithm: 'SM2DSA', Message: b64('short'), MessageType: 'DIGEST' }))).code).toBe('InvalidParameter');
    expect((await failure(kms.tencent.call('SignByAsymmetricKey', { KeyId: id, Algorithm: 'SM2DSA', Message: b64(Buffer.alloc(4097)) }))).code).toBe('InvalidParameter');
    done(kms);
  });

  it('AsymmetricSm2Decrypt opens sm-crypto ciphertexts (C1C3C2 as ASN.1 DER); a tampered one is FailedOperation.DecryptError', async () => {
    const kms = emulator();
    const { id, spki } = await create(kms, 'sm2-enc', 'ASYMMETRIC_DECRYPT_SM2');
    const ct = sm2Asn1(smCrypto.doEncrypt('国密 SM2 plaintext', pointHex(spki), 1));
    const { Plaintext } = await kms.tencent.call('AsymmetricSm2Decrypt', { KeyId: id, Ciphertext: b64(ct) });
    expect(unb64(Plaintext).toString()).toBe('国密 SM2 plaintext');
    ct[ct.length - 1]! ^= 1;
    expect((await failure(kms.tencent.call('AsymmetricSm2Decrypt', { KeyId: id, Ciphertext: b64(ct) }))).code).toBe('FailedOperation.DecryptError');
    expect((await failure(kms.tencent.call('AsymmetricSm2Decrypt', { KeyId: id, Ciphertext: b64(Buffer.alloc(257)) }))).code).toBe('InvalidParameter');
    const rsa = await create(kms, 'rsa', 'ASYMMETRIC_DECRYPT_RSA_2048');
    expect((await failure(kms.tencent.call('AsymmetricSm2Decrypt', { KeyId: rsa.id, Ciphertext: b64(ct) }))).code).toBe('InvalidParameterValue.InvalidKeyUsage');
    done(kms);
  });

  it('Decrypt and GenerateDataKey with an SM2 EncryptionPublicKey: raw C1C3C2 (no 04) that sm-crypto decrypts, and the ASN.1 form', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'sym' })).KeyId;
    const pair = smCrypto.generateKeyPairHex();
    const spki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), Buffer.from(pair.publicKey, 'hex')]);
    const pem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----`;
    const dk = await kms.tencent.call('GenerateDataKey', { KeyId: id, NumberOfBytes: 32, EncryptionPublicKey: pem, EncryptionAlgorithm: 'SM2' });
    const sealed = unb64(dk.Plaintext);
    expect(sealed).toHaveLength(64 + 32 + 32);
    const dataKey = Buffer.from(smCrypto.doDecrypt(sealed.toString('hex'), pair.privateKey, 1, { output: 'array' }) as unknown as number[]);
    const plain = await kms.tencent.call('Decrypt', { CiphertextBlob: dk.CiphertextBlob });
    expect(unb64(plain.Plaintext)).toEqual(dataKey);
    const asn1 = await kms.tencent.call('Decrypt', { CiphertextBlob: dk.CiphertextBlob, EncryptionPublicKey: pem, EncryptionAlgorithm: 'SM2_C1C3C2_ASN1' });
    expect(unb64(asn1.Plaintext)[0]).toBe(0x30);
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: dk.CiphertextBlob, EncryptionPublicKey: 'not a pem' }))).code).toBe('InvalidParameter');
    done(kms);
  });
});

describe('RSA and ECDSA interoperate with node:crypto', () => {
  it('AsymmetricRsaDecrypt reads PKCS#1 v1.5, OAEP SHA-1 and OAEP SHA-256 ciphertexts made by node:crypto', async () => {
    const kms = emulator();
    const { id, pem } = await create(kms, 'rsa-dec', 'ASYMMETRIC_DECRYPT_RSA_2048');
    const key = createPublicKey(pem);
    const cases = [
      ['RSAES_PKCS1_V1_5', { padding: constants.RSA_PKCS1_PADDING }],
      ['RSAES_OAEP_SHA_1', { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }],
      ['RSAES_OAEP_SHA_256', { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }],
    ] as const;
    for (const [algorithm, options] of cases) {
      const ct = publicEncrypt({ key, ...options }, Buffer.from(`via ${algorithm}`));
      const { Plaintext } = await kms.tencent.call('AsymmetricRsaDecrypt', { KeyId: id, Ciphertext: b64(ct), Algorithm: algorithm });
      expect(unb64(Plaintext).toString()).toBe(`via ${algorithm}`);
    }
    const oaep = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('x'));
    expect((await failure(kms.tencent.call('AsymmetricRsaDecrypt', { KeyId: id, Ciphertext: b64(oaep), Algorithm: 'RSAES_OAEP_SHA_1' }))).code).toBe('FailedOperation.DecryptError');
    expect((await failure(kms.tencent.call('AsymmetricRsaDecrypt', { KeyId: id, Ciphertext: b64(oaep), Algorithm: 'SM2' }))).code).toBe('InvalidParameter');
    await kms.tencent.call('DisableKey', { KeyId: id });
    expect((await failure(kms.tencent.call('AsymmetricRsaDecrypt', { KeyId: id, Ciphertext: b64(oaep), Algorithm: 'RSAES_OAEP_SHA_256' }))).code).toBe(
      'ResourceUnavailable.CmkStateNotSupport',
    );
    expect((await failure(kms.tencent.call('GetPublicKey', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    done(kms);
  });

  it('RSA_PSS_SHA_256, RSA_PKCS1_SHA_256 and ECC_P256_R1 signatures verify in node:crypto, RAW and DIGEST', async () => {
    const kms = emulator();
    const rsa = await create(kms, 'rsa-sign', 'ASYMMETRIC_SIGN_VERIFY_RSA_2048');
    const ecc = await create(kms, 'ecc-sign', 'ASYMMETRIC_SIGN_VERIFY_ECC');
    const message = Buffer.from('signed by KMS');
    const digest = createHash('sha256').update(message).digest();
    for (const [k, algorithm, options] of [
      [rsa, 'RSA_PSS_SHA_256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }],
      [rsa, 'RSA_PKCS1_SHA_256', { padding: constants.RSA_PKCS1_PADDING }],
      [ecc, 'ECC_P256_R1', {}],
    ] as const) {
      for (const [type, body] of [['RAW', message], ['DIGEST', digest]] as const) {
        const { Signature } = await kms.tencent.call('SignByAsymmetricKey', { KeyId: k.id, Algorithm: algorithm, Message: b64(body), MessageType: type });
        expect(nodeVerify('sha256', message, { key: k.pem, ...options }, unb64(Signature)), `${algorithm} ${type}`).toBe(true);
      }
    }
    done(kms);
  });

  it('GenerateDataKey with an RSA EncryptionPublicKey: node:crypto decrypts the data key', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'sym' })).KeyId;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const dk = await kms.tencent.call('GenerateDataKey', { KeyId: id, KeySpec: 'AES_128', EncryptionPublicKey: pem, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    const dataKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, unb64(dk.Plaintext));
    expect(dataKey).toHaveLength(16);
    expect(unb64((await kms.tencent.call('Decrypt', { CiphertextBlob: dk.CiphertextBlob })).Plaintext)).toEqual(dataKey);
    expect((await failure(kms.tencent.call('GenerateDataKey', { KeyId: id, KeySpec: 'AES_128', EncryptionPublicKey: pem, EncryptionAlgorithm: 'SM2' }))).code).toBe('InvalidParameter');
    done(kms);
  });
});

describe('symmetric ciphertexts', () => {
  it('the -k- blob needs no KeyId; the encryption context must match; a damaged blob is InvalidParameterValue.InvalidCiphertext', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'sym' })).KeyId;
    const { CiphertextBlob } = await kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64('payload'), EncryptionContext: '{"b":"2","a":"1"}' });
    // The context is compared as a JSON object: key order does not matter.
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob, EncryptionContext: '{"a":"1","b":"2"}' })).Plaintext).toBe(b64('payload'));
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob, EncryptionContext: 'not json' }))).code).toBe('InvalidParameter');
    const parts = CiphertextBlob.split('-k-');
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: parts.slice(0, 2).join('-k-') }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
    const tampered = [parts[0], parts[1], b64(unb64(parts[2]).map((x, i) => (i === 0 ? x ^ 1 : x)))].join('-k-');
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: tampered, EncryptionContext: '{"a":"1","b":"2"}' }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
    expect((await failure(kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64(Buffer.alloc(4097)) }))).code).toBe('InvalidParameterValue.InvalidPlaintext');
    expect((await failure(kms.tencent.call('Encrypt', { KeyId: id, Plaintext: '***' }))).code).toBe('InvalidParameterValue.InvalidPlaintext');
    const other = (await kms.tencent.call('CreateKey', { Alias: 'other' })).KeyId;
    const moved = await kms.tencent.call('ReEncrypt', { CiphertextBlob, SourceEncryptionContext: '{"a":"1","b":"2"}', DestinationKeyId: other });
    expect(moved).toMatchObject({ ReEncrypted: true, KeyId: other, SourceKeyId: id });
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob: moved.CiphertextBlob })).KeyId).toBe(other);
    for (const bad of [{ NumberOfBytes: 0 }, { NumberOfBytes: 1025 }, { KeySpec: 'AES_512' }, {}]) {
      expect((await failure(kms.tencent.call('GenerateDataKey', { KeyId: id, ...bad }))).code).toBe('InvalidParameter');
    }
    expect((await failure(kms.tencent.call('GenerateRandom', { NumberOfBytes: 1025 }))).code).toBe('InvalidParameter');
    done(kms);
  });
});

describe('imported key material', () => {
  async function importParameters(kms: Kms, id: string, algorithm = 'RSAES_OAEP_SHA_1') {
    const p = await kms.tencent.call('GetParametersForImport', { KeyId: id, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' });
    const key = createPublicKey({ key: unb64(p.PublicKey), format: 'der', type: 'spki' });
    const wrap = (material: Buffer) =>
      b64(
        algorithm === 'RSAES_PKCS1_V1_5'
          ? publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, material)
          : publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' }, material),
      );
    return { token: p.ImportToken as string, wrap, validTo: p.ParametersValidTo as number };
  }

  it('imports 128-bit material (national-crypto region), refuses other material on re-import, and expires tokens after 24 h', async () => {
    const kms = emulator();
    const id = (await kms.tencent.call('CreateKey', { Alias: 'byok', Type: 2 })).KeyId;
    const material = Buffer.alloc(16, 3);
    const p = await importParameters(kms, id, 'RSAES_PKCS1_V1_5');
    await kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: p.token, EncryptedKeyMaterial: p.wrap(material) });
    const ct = (await kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64('byok') })).CiphertextBlob;
    const again = await importParameters(kms, id);
    expect((await failure(kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: again.token, EncryptedKeyMaterial: again.wrap(Buffer.alloc(16, 4)) }))).code).toBe(
      'InvalidParameterValue.MaterialNotMatch',
    );
    await kms.tencent.call('DeleteImportedKeyMaterial', { KeyId: id });
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: ct }))).code).toMatch(/^ResourceUnavailable/);
    kms.clock.advance('25h');
    expect((await failure(kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: again.token, EncryptedKeyMaterial: again.wrap(material) }))).code).toBe(
      'ResourceUnavailable.TokenExpired',
    );
    const fresh = await importParameters(kms, id, 'RSAES_OAEP_SHA_256');
    const validTo = Math.floor(kms.clock.now() / 1000) + 3600;
    await kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: fresh.token, EncryptedKeyMaterial: fresh.wrap(material), ValidTo: validTo });
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob: ct })).Plaintext).toBe(b64('byok'));
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ValidTo: validTo });
    kms.clock.advance('1h');
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata.KeyState).toBe('PendingImport');
    done(kms);
  });

  it('refuses non-EXTERNAL keys, bad wrapping parameters, garbage material and a past ValidTo', async () => {
    const kms = emulator();
    const plain = (await kms.tencent.call('CreateKey', { Alias: 'plain' })).KeyId;
    expect((await failure(kms.tencent.call('GetParametersForImport', { KeyId: plain, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }))).code).toBe(
      'UnsupportedOperation.NotExternalCmk',
    );
    expect((await failure(kms.tencent.call('DeleteImportedKeyMaterial', { KeyId: plain }))).code).toBe('UnsupportedOperation.NotExternalCmk');
    const id = (await kms.tencent.call('CreateKey', { Alias: 'byok', Type: 2 })).KeyId;
    expect((await failure(kms.tencent.call('GetParametersForImport', { KeyId: id, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'SM2' }))).code).toBe('InvalidParameter');
    const p = await importParameters(kms, id);
    expect((await failure(kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: p.token, EncryptedKeyMaterial: b64(Buffer.alloc(256, 1)) }))).code).toBe(
      'InvalidParameter.DecryptMaterialError',
    );
    expect((await failure(kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: p.token, EncryptedKeyMaterial: p.wrap(Buffer.alloc(32, 1)) }))).code).toBe(
      'InvalidParameter.DecryptMaterialError',
    );
    expect((await failure(kms.tencent.call('ImportKeyMaterial', { KeyId: id, ImportToken: p.token, EncryptedKeyMaterial: p.wrap(Buffer.alloc(16)), ValidTo: 1000 }))).code).toBe(
      'InvalidParameter',
    );
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata.KeyState).toBe('PendingImport');
    done(kms);
  });
});

describe('white-box keys', () => {
  it('EncryptByWhiteBox output opens with whiteBoxDecrypt for AES_256 and SM4, with a given or a generated IV', async () => {
    const kms = emulator();
    for (const algorithm of ['AES_256', 'SM4']) {
      const created = await kms.tencent.call('CreateWhiteBoxKey', { Alias: `wb-${algorithm}`, Algorithm: algorithm });
      const iv = Buffer.alloc(16, 9);
      const given = await kms.tencent.call('EncryptByWhiteBox', { KeyId: created.KeyId, PlainText: b64('12345'), InitializationVector: b64(iv) });
      expect(given.InitializationVector).toBe(b64(iv));
      expect(unb64(given.CipherText)).toHaveLength(16);
      expect(Buffer.from(whiteBoxDecrypt(created.DecryptKey, given.CipherText, given.InitializationVector)).toString()).toBe('12345');
      const generated = await kms.tencent.call('EncryptByWhiteBox', { KeyId: created.KeyId, PlainText: b64('x'.repeat(40)) });
      expect(Buffer.from(whiteBoxDecrypt(unb64(created.DecryptKey), unb64(generated.CipherText), unb64(generated.InitializationVector))).toString()).toBe('x'.repeat(40));
      expect(() => whiteBoxDecrypt(created.EncryptKey, generated.CipherText, generated.InitializationVector)).toThrow(/DecryptKey/);
    }
    done(kms);
  });

  it('white-box errors: ResourceNotFound, InvalidKeyId, duplicates, the 50-key limit, fingerprint rules, unsupported regions', async () => {
    const kms = emulator();
    expect((await failure(kms.tencent.call('DescribeWhiteBoxKey', { KeyId: '00000000-0000-4000-8000-000000000000' }))).code).toBe('ResourceNotFound');
    expect((await failure(kms.tencent.call('DescribeWhiteBoxKey', { KeyId: 'nope' }))).code).toBe('InvalidParameterValue.InvalidKeyId');
    expect((await failure(kms.tencent.call('CreateWhiteBoxKey', { Alias: 'w', Algorithm: 'AES_128' }))).code).toBe('InvalidParameterValue');
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await kms.tencent.call('CreateWhiteBoxKey', { Alias: `w${i}`, Algorithm: 'SM4' })).KeyId);
    expect((await failure(kms.tencent.call('CreateWhiteBoxKey', { Alias: 'w50', Algorithm: 'SM4' }))).code).toBe('LimitExceeded.KeyLimitExceeded');
    expect((await failure(kms.tencent.call('CreateWhiteBoxKey', { Alias: 'w1', Algorithm: 'SM4' }))).code).toBe('InvalidParameterValue.AliasAlreadyExists');
    expect((await failure(kms.tencent.call('DisableWhiteBoxKeys', { KeyIds: [ids[0], ids[0]] }))).code).toBe('InvalidParameterValue.DuplicatedKeyId');
    expect((await failure(kms.tencent.call('DisableWhiteBoxKeys', { KeyIds: [ids[0], '00000000-0000-4000-8000-000000000000'] }))).code).toBe('ResourceNotFound');
    expect((await kms.tencent.call('DescribeWhiteBoxKeyDetails', { KeyStatus: 0 })).TotalCount).toBe(0);
    const fp = (i: number) => `${i.toString(16).padStart(8, '0')}-${'b'.repeat(14)}-${'c'.repeat(14)}-${'d'.repeat(14)}-${'e'.repeat(16)}`;
    expect((await failure(kms.tencent.call('OverwriteWhiteBoxDeviceFingerprints', { KeyId: ids[0], DeviceFingerprints: Array.from({ length: 201 }, (_, i) => ({ Identity: fp(i) })) }))).code).toBe(
      'LimitExceeded.FingerprintsLimitExceeded',
    );
    expect((await failure(kms.tencent.call('OverwriteWhiteBoxDeviceFingerprints', { KeyId: ids[0], DeviceFingerprints: [{ Identity: 'short' }] }))).code).toBe('InvalidParameterValue');
    await kms.tencent.call('OverwriteWhiteBoxDeviceFingerprints', { KeyId: ids[0], DeviceFingerprints: [{ Identity: fp(1) }] });
    expect((await kms.tencent.call('DescribeWhiteBoxKey', { KeyId: ids[0] })).KeyInfo.DeviceFingerprintBind).toBe(true);
    await kms.tencent.call('OverwriteWhiteBoxDeviceFingerprints', { KeyId: ids[0] });
    expect((await kms.tencent.call('DescribeWhiteBoxDeviceFingerprints', { KeyId: ids[0] })).DeviceFingerprints).toEqual([]);
    expect((await failure(kms.tencent.call('CreateWhiteBoxKey', { Alias: 'w', Algorithm: 'SM4' }, { region: 'ap-singapore' }))).code).toBe('UnsupportedRegion');
    done(kms);
  });
});
