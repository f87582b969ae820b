/**
 * Tencent post-quantum actions through the real tencentcloud-sdk-nodejs in process (httpAgent):
 * Kyber_AES and Dilithium keys, PostQuantumCryptoEncrypt/Decrypt/Sign/Verify, the round trips
 * checked outside the emulator with @noble/post-quantum and node:crypto, and the documented errors,
 * each of which changes nothing.
 */
import { constants, createCipheriv, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { kms as kmsSdk } from 'tencentcloud-sdk-nodejs/tencentcloud/services/kms/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kms, ManualClock } from '../../src/index.js';
import { httpAgent } from '../../src/server/server.js';
import { b64, done, emulator, failure, FIPS_REGION, REGION, unb64 } from './support.js';

let kms: Kms<ManualClock>;
let client: InstanceType<typeof kmsSdk.v20190118.Client>;
let kyber: string;
let dilithium: string;
let symmetric: string;

const state = () => JSON.stringify({ realms: kms.snapshot().realms });

/** The raw public key inside a SubjectPublicKeyInfo (the BIT STRING's last `length` bytes). */
const rawPublicKey = (spki: Buffer, length: number) => spki.subarray(spki.length - length);

beforeAll(async () => {
  kms = emulator();
  const agent = httpAgent(kms, 'tencent');
  client = new kmsSdk.v20190118.Client({ credential: { secretId: 'AKIDexample', secretKey: 'tencent-secret' }, region: REGION, profile: { httpProfile: { agent } } });
  kyber = (await client.CreateKey({ Alias: 'pq-kyber', KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' })).KeyId!;
  dilithium = (await client.CreateKey({ Alias: 'pq-dilithium', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' })).KeyId!;
  symmetric = (await client.CreateKey({ Alias: 'pq-sym' })).KeyId!;
});

afterAll(() => done(kms));

describe('post-quantum keys', () => {
  it('CreateKey takes the PQ usages in both region flavours; DescribeKey and ListAlgorithms name them', async () => {
    expect((await client.DescribeKey({ KeyId: kyber })).KeyMetadata).toMatchObject({ KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES', KeyState: 'Enabled' });
    expect((await client.DescribeKey({ KeyId: dilithium })).KeyMetadata?.KeyUsage).toBe('ASYMMETRIC_SIGN_VERIFY_DILITHIUM');
    const algorithms = await client.ListAlgorithms();
    expect(algorithms.AsymmetricAlgorithms).toContainEqual({ KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES', Algorithm: 'Kyber_AES' });
    expect(algorithms.AsymmetricSignVerifyAlgorithms).toContainEqual({ KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM', Algorithm: 'Dilithium' });
    const fips = await kms.tencent.call('CreateKey', { Alias: 'pq-fips', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' }, { region: FIPS_REGION });
    expect(fips.KeyUsage).toBe('ASYMMETRIC_SIGN_VERIFY_DILITHIUM');
    // Listed under their usage, not among the symmetric keys.
    const listed = await client.ListKeyDetail({ KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' });
    expect(listed.KeyMetadatas?.map((k) => k.KeyId)).toEqual([kyber]);
    expect((await client.CreateKey({ Alias: 'pq-ext', KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES', Type: 2 }).catch((e) => e)).code).toBe('InvalidParameterValue.InvalidKeyUsage');
  });

  it('PostQuantumCryptoSign signs with ML-DSA-65; @noble/post-quantum verifies; PostQuantumCryptoVerify checks', async () => {
    const message = Buffer.from('a message to sign');
    const { Signature } = await client.PostQuantumCryptoSign({ KeyId: dilithium, Message: b64(message) });
    const signature = unb64(Signature!);
    expect(signature.length).toBe(3309);
    const spki = unb64((await client.GetPublicKey({ KeyId: dilithium })).PublicKey!);
    const publicKey = rawPublicKey(spki, 1952);
    expect(ml_dsa65.verify(signature, message, publicKey)).toBe(true);
    expect(ml_dsa65.verify(signature, Buffer.from('another message'), publicKey)).toBe(false);

    expect((await client.PostQuantumCryptoVerify({ KeyId: dilithium, Message: b64(message), SignatureValue: Signature! })).SignatureValid).toBe(true);
    const other = await client.PostQuantumCryptoVerify({ KeyId: dilithium, Message: b64('another message'), SignatureValue: Signature! });
    expect(other.SignatureValid).toBe(false);
    // A signature by a key the emulator never held: an answer, not an error.
    const foreign = ml_dsa65.keygen(new Uint8Array(32).fill(9));
    const forged = ml_dsa65.sign(message, foreign.secretKey);
    expect((await client.PostQuantumCryptoVerify({ KeyId: dilithium, Message: b64(message), SignatureValue: b64(forged) })).SignatureValid).toBe(false);
    expect((await client.PostQuantumCryptoVerify({ KeyId: dilithium, Message: b64(message), SignatureValue: b64('short') })).SignatureValid).toBe(false);
    // Empty and 4096-byte messages sign; 4097 bytes do not.
    await client.PostQuantumCryptoSign({ KeyId: dilithium, Message: b64(Buffer.alloc(4096, 1)) });
    expect((await failure(client.PostQuantumCryptoSign({ KeyId: dilithium, Message: b64(Buffer.alloc(4097, 1)) }))).code).toBe('InvalidParameter');
  });

  it('PostQuantumCryptoEncrypt / Decrypt round-trip; a blob written outside with ML-KEM-768 and AES-256-GCM decrypts', async () => {
    const enc = await client.PostQuantumCryptoEncrypt({ KeyId: kyber, PlainText: b64('quantum secret') });
    expect(enc.KeyId).toBe(kyber);
    const [header, encapsulation, sealed] = enc.CiphertextBlob!.split('-k-').map(unb64);
    expect(header!.toString('latin1')).toBe(`TKMSPQ\x01${kyber}`);
    expect(encapsulation!.length).toBe(1088);
    expect(sealed!.length).toBe('quantum secret'.length + 16);
    const dec = await client.PostQuantumCryptoDecrypt({ CiphertextBlob: enc.CiphertextBlob! });
    expect(dec).toMatchObject({ KeyId: kyber });
    expect(unb64(dec.PlainText!).toString()).toBe('quantum secret');
    // Two encryptions of one plaintext differ (fresh encapsulation each time).
    expect((await client.PostQuantumCryptoEncrypt({ KeyId: kyber, PlainText: b64('quantum secret') })).CiphertextBlob).not.toBe(enc.CiphertextBlob);

    // Outside the emulator: encapsulate to the public key, seal with the shared secret.
    const spki = unb64((await client.GetPublicKey({ KeyId: kyber })).PublicKey!);
    const { cipherText, sharedSecret } = ml_kem768.encapsulate(rawPublicKey(spki, 1184));
    const head = Buffer.concat([Buffer.from('TKMSPQ'), Buffer.of(1), Buffer.from(kyber)]);
    const cipher = createCipheriv('aes-256-gcm', sharedSecret, Buffer.alloc(12)).setAAD(head);
    const body = Buffer.concat([cipher.update('written outside'), cipher.final(), cipher.getAuthTag()]);
    const blob = [head, Buffer.from(cipherText), body].map((b) => b.toString('base64')).join('-k-');
    expect(unb64((await client.PostQuantumCryptoDecrypt({ CiphertextBlob: blob })).PlainText!).toString()).toBe('written outside');

    // The plaintext delivered encrypted to the caller's RSA key.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const wrapped = await client.PostQuantumCryptoDecrypt({ CiphertextBlob: enc.CiphertextBlob!, EncryptionPublicKey: pem, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    const opened = privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, unb64(wrapped.PlainText!));
    expect(opened.toString()).toBe('quantum secret');
  });

  it('PQ keys survive a snapshot: a restored emulator decrypts and verifies what the first one made', async () => {
    const enc = await client.PostQuantumCryptoEncrypt({ KeyId: kyber, PlainText: b64('kept') });
    const sig = await client.PostQuantumCryptoSign({ KeyId: dilithium, Message: b64('kept') });
    const copy = emulator();
    copy.restore(JSON.stringify(kms.snapshot()));
    expect(unb64((await copy.tencent.call('PostQuantumCryptoDecrypt', { CiphertextBlob: enc.CiphertextBlob })).PlainText).toString()).toBe('kept');
    expect((await copy.tencent.call('PostQuantumCryptoVerify', { KeyId: dilithium, Message: b64('kept'), SignatureValue: sig.Signature })).SignatureValid).toBe(true);
    done(copy);
  });

  it('documented errors, each changing nothing', async () => {
    const enc = await client.PostQuantumCryptoEncrypt({ KeyId: kyber, PlainText: b64('x') });
    const blob = enc.CiphertextBlob!;
    const [h, e, s] = blob.split('-k-');
    const flip = (text: string) => b64(unb64(text).map((b, i) => (i === 0 ? b ^ 1 : b)));
    const missing = '00000000-0000-4000-8000-000000000000';
    const foreignHead = b64(Buffer.concat([Buffer.from('TKMSPQ'), Buffer.of(1), Buffer.from(missing)]));
    const symHead = b64(Buffer.concat([Buffer.from('TKMSPQ'), Buffer.of(1), Buffer.from(symmetric)]));
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['PostQuantumCryptoEncrypt', { KeyId: 'nope', PlainText: b64('x') }, 'InvalidParameterValue.InvalidKeyId'],
      ['PostQuantumCryptoEncrypt', { KeyId: missing, PlainText: b64('x') }, 'ResourceUnavailable.CmkNotFound'],
      ['PostQuantumCryptoEncrypt', { KeyId: kyber, PlainText: 'not base64!' }, 'InvalidParameterValue.InvalidPlaintext'],
      ['PostQuantumCryptoEncrypt', { KeyId: kyber, PlainText: b64(Buffer.alloc(4097)) }, 'InvalidParameterValue.InvalidPlaintext'],
      ['PostQuantumCryptoEncrypt', { KeyId: symmetric, PlainText: b64('x') }, 'InvalidParameter'],
      ['PostQuantumCryptoEncrypt', { KeyId: dilithium, PlainText: b64('x') }, 'InvalidParameter'],
      ['PostQuantumCryptoEncrypt', { KeyId: kyber }, 'MissingParameter'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: 'garbage' }, 'InvalidParameterValue.InvalidCiphertext'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: [h, e, flip(s!)].join('-k-') }, 'InvalidParameterValue.InvalidCiphertext'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: [h, flip(e!), s].join('-k-') }, 'InvalidParameterValue.InvalidCiphertext'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: [h, b64('short'), s].join('-k-') }, 'InvalidParameterValue.InvalidCiphertext'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: [flip(h!), e, s].join('-k-') }, 'InvalidParameterValue.InvalidCiphertext'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: [foreignHead, e, s].join('-k-') }, 'ResourceUnavailable.CmkNotFound'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: [symHead, e, s].join('-k-') }, 'InvalidParameterValue.InvalidCiphertext'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: blob, EncryptionPublicKey: 'not a key', EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }, 'InvalidParameter'],
      ['PostQuantumCryptoDecrypt', { CiphertextBlob: blob, EncryptionAlgorithm: 'BOGUS' }, 'InvalidParameter'],
      ['PostQuantumCryptoSign', { KeyId: 'nope', Message: b64('x') }, 'InvalidParameterValue.InvalidKeyId'],
      ['PostQuantumCryptoSign', { KeyId: missing, Message: b64('x') }, 'ResourceUnavailable.CmkNotFound'],
      ['PostQuantumCryptoSign', { KeyId: kyber, Message: b64('x') }, 'InvalidParameter'],
      ['PostQuantumCryptoSign', { KeyId: dilithium }, 'MissingParameter'],
      ['PostQuantumCryptoVerify', { KeyId: missing, Message: b64('x'), SignatureValue: b64('y') }, 'ResourceUnavailable.CmkNotFound'],
      ['PostQuantumCryptoVerify', { KeyId: symmetric, Message: b64('x'), SignatureValue: b64('y') }, 'InvalidParameter'],
      ['PostQuantumCryptoVerify', { KeyId: dilithium, Message: b64('x'), SignatureValue: '***' }, 'InvalidParameter'],
    ];
    for (const [action, params, code] of cases) {
      const before = state();
      const error = await failure(kms.tencent.call(action, params));
      expect(error.code, `${action} ${JSON.stringify(params).slice(0, 80)}: ${error.message}`).toBe(code);
      expect(state()).toBe(before);
    }
  });

  it('key states: disabled, archived and pending-deletion keys are refused with the codes the actions document', async () => {
    const k = (await kms.tencent.call('CreateKey', { Alias: 'pq-states', KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' })).KeyId;
    const d = (await kms.tencent.call('CreateKey', { Alias: 'pq-states-sign', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' })).KeyId;
    const blob = (await kms.tencent.call('PostQuantumCryptoEncrypt', { KeyId: k, PlainText: b64('x') })).CiphertextBlob;
    const sig = (await kms.tencent.call('PostQuantumCryptoSign', { KeyId: d, Message: b64('x') })).Signature;
    const expectCodes = async (codes: Record<string, string>) => {
      const before = state();
      expect((await failure(kms.tencent.call('PostQuantumCryptoEncrypt', { KeyId: k, PlainText: b64('x') }))).code).toBe(codes.encrypt);
      expect((await failure(kms.tencent.call('PostQuantumCryptoDecrypt', { CiphertextBlob: blob }))).code).toBe(codes.decrypt);
      expect((await failure(kms.tencent.call('PostQuantumCryptoSign', { KeyId: d, Message: b64('x') }))).code).toBe(codes.sign);
      expect((await failure(kms.tencent.call('PostQuantumCryptoVerify', { KeyId: d, Message: b64('x'), SignatureValue: sig }))).code).toBe(codes.sign);
      expect(state()).toBe(before);
    };
    for (const id of [k, d]) await kms.tencent.call('DisableKey', { KeyId: id });
    await expectCodes({ encrypt: 'ResourceUnavailable.CmkDisabled', decrypt: 'ResourceUnavailable.CmkDisabled', sign: 'ResourceUnavailable.CmkStateNotSupport' });
    for (const id of [k, d]) await kms.tencent.call('EnableKey', { KeyId: id });
    for (const id of [k, d]) await kms.tencent.call('ArchiveKey', { KeyId: id });
    // Archived: Encrypt documents CmkArchived; Decrypt documents neither CmkArchived nor
    // CmkStateNotSupport, so the common ResourceUnavailable stands in (docs/tencent.md).
    await expectCodes({ encrypt: 'ResourceUnavailable.CmkArchived', decrypt: 'ResourceUnavailable', sign: 'ResourceUnavailable.CmkStateNotSupport' });
    for (const id of [k, d]) await kms.tencent.call('CancelKeyArchive', { KeyId: id });
    expect(unb64((await kms.tencent.call('PostQuantumCryptoDecrypt', { CiphertextBlob: blob })).PlainText).toString()).toBe('x');
    for (const id of [k, d]) {
      await kms.tencent.call('DisableKey', { KeyId: id });
      await kms.tencent.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 });
    }
    await expectCodes({ encrypt: 'ResourceUnavailable.CmkDisabled', decrypt: 'ResourceUnavailable.CmkDisabled', sign: 'ResourceUnavailable.CmkStateNotSupport' });
  });
});
