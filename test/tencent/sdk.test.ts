/**
 * The real tencentcloud-sdk-nodejs KMS and CloudAudit clients against the local endpoint, with
 * TC3-HMAC-SHA256 signatures checked: every implemented action at least once, the signature
 * refusals, the envelope (HTTP 200, X-TC-TraceId), and the CloudAudit trail through LookUpEvents.
 */
import { constants, createHash, createPublicKey, publicEncrypt, verify as nodeVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whiteBoxDecrypt } from '../../src/index.js';
import { TENCENT_ACTIONS } from '../../src/dialects/tencent/index.js';
import { raw } from '../support/server.js';
import { b64, failure, REGION, serveTencent, sm2Asn1, SUB_KEY, SUB_UIN, type TencentServer, UIN, unb64 } from './support.js';

let server: TencentServer;
const used = new Set<string>();

/** Calls one action through the SDK client and remembers that it was exercised over HTTP. */
async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
  used.add(action);
  return run();
}

beforeAll(async () => {
  server = await serveTencent();
});

afterAll(async () => {
  await server.close();
});

describe('Tencent KMS over HTTP with the real SDK (signatures on)', () => {
  it('key lifecycle: create, describe, list, alias, description, enable/disable, archive, bindings, deletion', async () => {
    const client = server.kmsClient();
    const key = await call('CreateKey', () => client.CreateKey({ Alias: 'http-orders', Description: 'orders', Tags: [{ TagKey: 'env', TagValue: 'test' }] }));
    expect(key).toMatchObject({ Alias: 'http-orders', KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', TagCode: 0, TagMsg: 'ok' });
    const keyId = key.KeyId!;
    const described = await call('DescribeKey', () => client.DescribeKey({ KeyId: keyId }));
    expect(described.KeyMetadata).toMatchObject({ KeyId: keyId, Alias: 'http-orders', Type: 4, Origin: 'TENCENT_KMS', Owner: 'user', CreatorUin: Number(UIN), ResourceId: `creatorUin/${UIN}/${keyId}` });
    expect((await call('DescribeKeys', () => client.DescribeKeys({ KeyIds: [keyId] }))).KeyMetadatas).toHaveLength(1);
    const listed = await call('ListKeys', () => client.ListKeys({ Limit: 200 }));
    expect(listed.Keys).toContainEqual({ KeyId: keyId });
    const detail = await call('ListKeyDetail', () => client.ListKeyDetail({ SearchKeyAlias: 'http-ord', TagFilters: [{ TagKey: 'env', TagValue: ['test'] }] }));
    expect(detail.KeyMetadatas?.map((k) => k.KeyId)).toEqual([keyId]);
    await call('UpdateAlias', () => client.UpdateAlias({ KeyId: keyId, Alias: 'http-orders-2' }));
    await call('UpdateKeyDescription', () => client.UpdateKeyDescription({ KeyId: keyId, Description: 'renamed' }));
    expect((await client.DescribeKey({ KeyId: keyId })).KeyMetadata).toMatchObject({ Alias: 'http-orders-2', Description: 'renamed' });
    await call('DisableKey', () => client.DisableKey({ KeyId: keyId }));
    await call('EnableKey', () => client.EnableKey({ KeyId: keyId }));
    await call('DisableKeys', () => client.DisableKeys({ KeyIds: [keyId] }));
    await call('EnableKeys', () => client.EnableKeys({ KeyIds: [keyId] }));
    await call('ArchiveKey', () => client.ArchiveKey({ KeyId: keyId }));
    expect((await client.DescribeKey({ KeyId: keyId })).KeyMetadata?.KeyState).toBe('Archived');
    await call('CancelKeyArchive', () => client.CancelKeyArchive({ KeyId: keyId }));
    await call('BindCloudResource', () => client.BindCloudResource({ KeyId: keyId, ProductId: 'cbs', ResourceId: 'disk-1' }));
    expect((await failure(client.DisableKey({ KeyId: keyId }))).code).toBe('FailedOperation.CmkUsedByCloudProduct');
    await call('UnbindCloudResource', () => client.UnbindCloudResource({ KeyId: keyId, ProductId: 'cbs', ResourceId: 'disk-1' }));
    expect((await failure(client.ScheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 }))).code).toBe('ResourceUnavailable.CmkShouldBeDisabled');
    await client.DisableKey({ KeyId: keyId });
    const scheduled = await call('ScheduleKeyDeletion', () => client.ScheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 }));
    expect(scheduled.DeletionDate).toBe(Date.parse('2026-01-08T00:00:00Z') / 1000);
    expect((await call('CancelKeyDeletion', () => client.CancelKeyDeletion({ KeyId: keyId }))).KeyId).toBe(keyId);
    expect((await client.DescribeKey({ KeyId: keyId })).KeyMetadata?.KeyState).toBe('Disabled');
  });

  it('rotation and symmetric cryptography', async () => {
    const client = server.kmsClient({ label: 'kms' });
    const { KeyId } = await client.CreateKey({ Alias: 'http-crypto' });
    await call('EnableKeyRotation', () => client.EnableKeyRotation({ KeyId: KeyId!, RotateDays: 30 }));
    expect((await call('GetKeyRotationStatus', () => client.GetKeyRotationStatus({ KeyId: KeyId! }))).KeyRotationEnabled).toBe(true);
    const enc = await call('Encrypt', () => client.Encrypt({ KeyId: KeyId!, Plaintext: b64('secret'), EncryptionContext: '{"app":"orders"}' }));
    expect(enc.CiphertextBlob!.split('-k-')).toHaveLength(3);
    const dec = await call('Decrypt', () => client.Decrypt({ CiphertextBlob: enc.CiphertextBlob!, EncryptionContext: '{"app":"orders"}' }));
    expect(unb64(dec.Plaintext!).toString()).toBe('secret');
    expect(await call('RotateKey', () => client.RotateKey({ KeyId: KeyId! }))).toHaveProperty('TaskId');
    const re = await call('ReEncrypt', () => client.ReEncrypt({ CiphertextBlob: enc.CiphertextBlob!, SourceEncryptionContext: '{"app":"orders"}', DestinationEncryptionContext: '{"app":"orders"}' }));
    expect(re).toMatchObject({ ReEncrypted: true, KeyId, SourceKeyId: KeyId });
    await call('DisableKeyRotation', () => client.DisableKeyRotation({ KeyId: KeyId! }));
    const dk = await call('GenerateDataKey', () => client.GenerateDataKey({ KeyId: KeyId!, KeySpec: 'AES_256' }));
    expect(unb64(dk.Plaintext!)).toHaveLength(32);
    expect(unb64((await client.Decrypt({ CiphertextBlob: dk.CiphertextBlob! })).Plaintext!)).toEqual(unb64(dk.Plaintext!));
    expect(unb64((await call('GenerateRandom', () => client.GenerateRandom({ NumberOfBytes: 48 }))).Plaintext!)).toHaveLength(48);
  });

  it('asymmetric keys: public keys, RSA and SM2 decryption, signatures', async () => {
    const client = server.kmsClient();
    const rsa = await client.CreateKey({ Alias: 'http-rsa', KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048' });
    const pub = await call('GetPublicKey', () => client.GetPublicKey({ KeyId: rsa.KeyId! }));
    const rsaKey = createPublicKey(pub.PublicKeyPem!);
    const ct = publicEncrypt({ key: rsaKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('rsa secret'));
    const rd = await call('AsymmetricRsaDecrypt', () => client.AsymmetricRsaDecrypt({ KeyId: rsa.KeyId!, Ciphertext: b64(ct), Algorithm: 'RSAES_OAEP_SHA_256' }));
    expect(unb64(rd.Plaintext!).toString()).toBe('rsa secret');

    const sm2 = await client.CreateKey({ Alias: 'http-sm2', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' });
    const sm2Pub = await client.GetPublicKey({ KeyId: sm2.KeyId! });
    const { sm2: smCrypto } = await import('sm-crypto');
    const point = unb64(sm2Pub.PublicKey!).subarray(-65).toString('hex');
    const rawCt = smCrypto.doEncrypt('sm2 secret', point, 1);
    const sd = await call('AsymmetricSm2Decrypt', () => client.AsymmetricSm2Decrypt({ KeyId: sm2.KeyId!, Ciphertext: b64(sm2Asn1(rawCt)) }));
    expect(unb64(sd.Plaintext!).toString()).toBe('sm2 secret');

    const ecc = await client.CreateKey({ Alias: 'http-ecc', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' });
    const signed = await call('SignByAsymmetricKey', () => client.SignByAsymmetricKey({ KeyId: ecc.KeyId!, Algorithm: 'ECC_P256_R1', Message: b64('hello') }));
    const eccPem = (await client.GetPublicKey({ KeyId: ecc.KeyId! })).PublicKeyPem!;
    expect(nodeVerify('sha256', Buffer.from('hello'), eccPem, unb64(signed.Signature!))).toBe(true);
    const ok = await call('VerifyByAsymmetricKey', () =>
      client.VerifyByAsymmetricKey({ KeyId: ecc.KeyId!, Algorithm: 'ECC_P256_R1', Message: b64('hello'), SignatureValue: signed.Signature! }),
    );
    expect(ok.SignatureValid).toBe(true);
    const digest = createHash('sha256').update('hello!').digest();
    const bad = await client.VerifyByAsymmetricKey({ KeyId: ecc.KeyId!, Algorithm: 'ECC_P256_R1', Message: b64(digest), MessageType: 'DIGEST', SignatureValue: signed.Signature! });
    expect(bad.SignatureValid).toBe(false);
  });

  it('post-quantum keys: Dilithium signatures and Kyber_AES encryption', async () => {
    const client = server.kmsClient();
    const { ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js');
    const dilithium = await client.CreateKey({ Alias: 'http-dilithium', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM' });
    const signed = await call('PostQuantumCryptoSign', () => client.PostQuantumCryptoSign({ KeyId: dilithium.KeyId!, Message: b64('pq hello') }));
    const spki = unb64((await client.GetPublicKey({ KeyId: dilithium.KeyId! })).PublicKey!);
    expect(ml_dsa65.verify(unb64(signed.Signature!), Buffer.from('pq hello'), spki.subarray(spki.length - 1952))).toBe(true);
    const verified = await call('PostQuantumCryptoVerify', () => client.PostQuantumCryptoVerify({ KeyId: dilithium.KeyId!, Message: b64('pq hello'), SignatureValue: signed.Signature! }));
    expect(verified.SignatureValid).toBe(true);
    const kyber = await client.CreateKey({ Alias: 'http-kyber', KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES' });
    const enc = await call('PostQuantumCryptoEncrypt', () => client.PostQuantumCryptoEncrypt({ KeyId: kyber.KeyId!, PlainText: b64('pq secret') }));
    const dec = await call('PostQuantumCryptoDecrypt', () => client.PostQuantumCryptoDecrypt({ CiphertextBlob: enc.CiphertextBlob! }));
    expect(unb64(dec.PlainText!).toString()).toBe('pq secret');
    expect((await failure(client.PostQuantumCryptoDecrypt({ CiphertextBlob: 'bad' }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
  });

  it('imported key material', async () => {
    const client = server.kmsClient();
    const key = await client.CreateKey({ Alias: 'http-byok', Type: 2 });
    expect(key.KeyState).toBe('PendingImport');
    const params = await call('GetParametersForImport', () => client.GetParametersForImport({ KeyId: key.KeyId!, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    expect(params.ParametersValidTo).toBe(Date.parse('2026-01-02T00:00:00Z') / 1000);
    const material = Buffer.alloc(16, 7);
    const wrapped = publicEncrypt({ key: createPublicKey({ key: unb64(params.PublicKey!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    await call('ImportKeyMaterial', () => client.ImportKeyMaterial({ KeyId: key.KeyId!, ImportToken: params.ImportToken!, EncryptedKeyMaterial: b64(wrapped) }));
    expect((await client.DescribeKey({ KeyId: key.KeyId! })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Origin: 'EXTERNAL' });
    await call('DeleteImportedKeyMaterial', () => client.DeleteImportedKeyMaterial({ KeyId: key.KeyId! }));
    expect((await client.DescribeKey({ KeyId: key.KeyId! })).KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('service information', async () => {
    const client = server.kmsClient();
    expect(await call('GetServiceStatus', () => client.GetServiceStatus())).toMatchObject({ ServiceEnabled: true, InvalidType: 1 });
    expect((await call('GetRegions', () => client.GetRegions())).Regions).toContain(REGION);
    const algorithms = await call('ListAlgorithms', () => client.ListAlgorithms());
    expect(algorithms.SymmetricAlgorithms).toEqual([{ KeyUsage: 'ENCRYPT_DECRYPT', Algorithm: 'SM4' }]);
  });

  it('white-box keys round-trip through whiteBoxDecrypt', async () => {
    const client = server.kmsClient();
    expect((await call('DescribeWhiteBoxServiceStatus', () => client.DescribeWhiteBoxServiceStatus())).ServiceEnabled).toBe(true);
    const created = await call('CreateWhiteBoxKey', () => client.CreateWhiteBoxKey({ Alias: 'http-wb', Algorithm: 'AES_256', Description: 'app' }));
    const id = created.KeyId!;
    const enc = await call('EncryptByWhiteBox', () => client.EncryptByWhiteBox({ KeyId: id, PlainText: b64('white-box data') }));
    const { DecryptKey } = await call('DescribeWhiteBoxDecryptKey', () => client.DescribeWhiteBoxDecryptKey({ KeyId: id }));
    expect(Buffer.from(whiteBoxDecrypt(DecryptKey!, enc.CipherText!, enc.InitializationVector!)).toString()).toBe('white-box data');
    expect((await call('DescribeWhiteBoxKey', () => client.DescribeWhiteBoxKey({ KeyId: id }))).KeyInfo).toMatchObject({ Alias: 'http-wb', Status: 'Enabled', OwnerUin: Number(UIN) });
    expect((await call('DescribeWhiteBoxKeyDetails', () => client.DescribeWhiteBoxKeyDetails({ KeyStatus: 1 }))).TotalCount).toBe(1);
    const identity = `${'a'.repeat(8)}-${'b'.repeat(14)}-${'c'.repeat(14)}-${'d'.repeat(14)}-${'e'.repeat(16)}`;
    await call('OverwriteWhiteBoxDeviceFingerprints', () => client.OverwriteWhiteBoxDeviceFingerprints({ KeyId: id, DeviceFingerprints: [{ Identity: identity, Description: 'laptop' }] }));
    expect((await call('DescribeWhiteBoxDeviceFingerprints', () => client.DescribeWhiteBoxDeviceFingerprints({ KeyId: id }))).DeviceFingerprints).toEqual([
      { Identity: identity, Description: 'laptop' },
    ]);
    await call('DisableWhiteBoxKeys', () => client.DisableWhiteBoxKeys({ KeyIds: [id] }));
    await call('EnableWhiteBoxKeys', () => client.EnableWhiteBoxKeys({ KeyIds: [id] }));
    await call('DisableWhiteBoxKey', () => client.DisableWhiteBoxKey({ KeyId: id }));
    expect((await failure(client.EncryptByWhiteBox({ KeyId: id, PlainText: b64('x') }))).code).toBe('ResourceUnavailable.KeyDisabled');
    await call('EnableWhiteBoxKey', () => client.EnableWhiteBoxKey({ KeyId: id }));
    expect((await failure(client.DeleteWhiteBoxKey({ KeyId: id }))).code).toBe('FailedOperation');
    await client.DisableWhiteBoxKey({ KeyId: id });
    await call('DeleteWhiteBoxKey', () => client.DeleteWhiteBoxKey({ KeyId: id }));
    expect((await failure(client.DescribeWhiteBoxKey({ KeyId: id }))).code).toBe('ResourceNotFound');
  });

  it('hosted data keys: generated and imported, read back, switched, renamed, listed, deleted with the clock', async () => {
    const client = server.kmsClient();
    const { KeyId } = await client.CreateKey({ Alias: 'http-data-keys' });
    const made = await call('GenerateDataKey', () => client.GenerateDataKey({ KeyId: KeyId!, NumberOfBytes: 32, IsHostedByKms: 1, DataKeyName: 'http-dek' }));
    const id = made.DataKeyId!;
    const imported = await call('ImportDataKey', () => client.ImportDataKey({ DataKeyName: 'http-imported', ImportKeyMaterial: b64('imported-data-key'), ImportType: 2, KeyId: KeyId! }));
    expect((await call('DescribeDataKey', () => client.DescribeDataKey({ DataKeyId: id }))).DataKeyMetadata).toMatchObject({ DataKeyName: 'http-dek', KeyId, KeyState: 'Enabled' });
    expect((await call('DescribeDataKeys', () => client.DescribeDataKeys({ DataKeyIds: [id, imported.DataKeyId!] }))).DataKeyMetadatas).toHaveLength(2);
    expect(unb64((await call('GetDataKeyPlaintext', () => client.GetDataKeyPlaintext({ DataKeyId: id }))).Plaintext!)).toEqual(unb64(made.Plaintext!));
    expect((await call('GetDataKeyCiphertextBlob', () => client.GetDataKeyCiphertextBlob({ DataKeyId: id }))).CiphertextBlob).toBe(made.CiphertextBlob);
    await call('UpdateDataKeyName', () => client.UpdateDataKeyName({ DataKeyId: id, DataKeyName: 'http-dek-2' }));
    await call('UpdateDataKeyDescription', () => client.UpdateDataKeyDescription({ DataKeyId: id, Description: 'renamed' }));
    expect((await call('ListDataKeys', () => client.ListDataKeys({}))).DataKeys?.map((k) => k.DataKeyId)).toEqual([imported.DataKeyId, id]);
    expect((await call('ListDataKeyDetail', () => client.ListDataKeyDetail({ SearchKeyAlias: 'dek-2' }))).DataKeyMetadatas?.map((k) => k.Description)).toEqual(['renamed']);
    await call('DisableDataKeys', () => client.DisableDataKeys({ DataKeyIds: [id, imported.DataKeyId!] }));
    await call('EnableDataKeys', () => client.EnableDataKeys({ DataKeyIds: [id] }));
    await call('DisableDataKey', () => client.DisableDataKey({ DataKeyId: id }));
    await call('EnableDataKey', () => client.EnableDataKey({ DataKeyId: imported.DataKeyId! }));
    await client.DisableDataKey({ DataKeyId: imported.DataKeyId! });
    await call('ScheduleDataKeyDeletion', () => client.ScheduleDataKeyDeletion({ DataKeyId: id, PendingWindowInDays: 7 }));
    await client.ScheduleDataKeyDeletion({ DataKeyId: imported.DataKeyId!, PendingWindowInDays: 8 });
    expect((await call('CancelDataKeyDeletion', () => client.CancelDataKeyDeletion({ DataKeyId: imported.DataKeyId! }))).DataKeyId).toBe(imported.DataKeyId);
    server.clock.advance('7d');
    expect((await failure(client.DescribeDataKey({ DataKeyId: id }))).code).toBe('ResourceUnavailable.DataKeyNotFound');
    expect((await client.DescribeDataKey({ DataKeyId: imported.DataKeyId! })).DataKeyMetadata?.KeyState).toBe('Disabled');
  });

  it('documented errors reach the SDK as TencentCloudSDKHttpException with code, message and requestId', async () => {
    const client = server.kmsClient();
    const missing = await failure(client.DescribeKey({ KeyId: '00000000-0000-4000-8000-000000000000' }));
    expect(missing).toMatchObject({ code: 'ResourceUnavailable.CmkNotFound' });
    expect(missing.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await failure(client.DescribeKey({ KeyId: 'not-a-key-id' }))).code).toBe('InvalidParameterValue.InvalidKeyId');
    expect((await failure(client.CreateKey({ Alias: 'kms-reserved' }))).code).toBe('InvalidParameterValue.InvalidAlias');
    expect((await failure(client.request('NoSuchAction', { KeyId: 'x' }))).code).toBe('InvalidAction');
  });

  it('a sub-account key signs as its CAM user: CreatorUin is the sub-account, CloudAudit names the user', async () => {
    const client = server.kmsClient({ credential: SUB_KEY });
    const key = await client.CreateKey({ Alias: 'http-by-alice' });
    const meta = (await client.DescribeKey({ KeyId: key.KeyId! })).KeyMetadata!;
    expect(meta).toMatchObject({ CreatorUin: Number(SUB_UIN), ResourceId: `creatorUin/${SUB_UIN}/${key.KeyId}` });
    const events = await server.auditClient({ credential: SUB_KEY }).LookUpEvents({
      StartTime: 0,
      EndTime: 2_000_000_000,
      LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: key.KeyId! }],
    });
    expect(events.Events?.map((e) => [e.EventName, e.Username, e.SecretId])).toEqual([
      ['DescribeKey', 'alice', SUB_KEY.secretId],
      ['CreateKey', 'alice', SUB_KEY.secretId],
    ]);
  });

  it('CloudAudit LookUpEvents pages through the trail; ListKeys is logged as ListKey', async () => {
    const audit = server.auditClient();
    const first = await audit.LookUpEvents({ StartTime: 0, EndTime: 2_000_000_000, MaxResults: 5 });
    expect(first.Events).toHaveLength(5);
    expect(first.ListOver).toBe(false);
    const next = await audit.LookUpEvents({ StartTime: 0, EndTime: 2_000_000_000, MaxResults: 5, NextToken: first.NextToken! });
    expect(next.Events?.[0]?.EventId).not.toBe(first.Events?.[0]?.EventId);
    const listKey = await audit.LookUpEvents({ StartTime: 0, EndTime: 2_000_000_000, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListKey' }] });
    expect(listKey.Events?.length).toBeGreaterThan(0);
    expect((await failure(audit.LookUpEvents({ StartTime: 10, EndTime: 5 }))).code).toBe('InvalidParameterValue.Time');
    expect((await failure(audit.LookUpEvents({ StartTime: 0, EndTime: 5, MaxResults: 51 }))).code).toBe('InvalidParameterValue.MaxResult');
  });

  it('every implemented action was exercised over HTTP', () => {
    expect([...used].sort()).toEqual(Object.keys(TENCENT_ACTIONS).sort());
  });
});

describe('TC3-HMAC-SHA256 on the endpoint', () => {
  it('refuses a wrong secret, an unknown SecretId, an old timestamp and a missing signature', async () => {
    expect((await failure(server.kmsClient({ credential: { secretId: ROOT_ID(), secretKey: 'wrong' } }).GetRegions())).code).toBe('AuthFailure.SignatureFailure');
    expect((await failure(server.kmsClient({ credential: { secretId: 'AKIDunknown', secretKey: 'x' } }).GetRegions())).code).toBe('AuthFailure.SecretIdNotFound');
    const headers = { 'content-type': 'application/json', 'x-tc-action': 'GetRegions', 'x-tc-version': '2019-01-18', 'x-tc-region': REGION, 'x-tc-traceid': 'trace-123' };
    const unsigned = await raw(server.url, { headers, body: '{}' });
    expect(unsigned.status).toBe(200);
    expect(unsigned.headers['x-tc-traceid']).toBe('trace-123');
    expect(unsigned.json().Response.Error.Code).toBe('AuthFailure.InvalidAuthorization');
    const old = Math.floor(Date.now() / 1000) - 3600;
    const date = new Date(old * 1000).toISOString().slice(0, 10);
    const stale = await raw(server.url, {
      headers: { ...headers, 'x-tc-timestamp': String(old), authorization: `TC3-HMAC-SHA256 Credential=${ROOT_ID()}/${date}/kms/tc3_request, SignedHeaders=content-type;host, Signature=${'0'.repeat(64)}` },
      body: '{}',
    });
    expect(stale.json().Response.Error.Code).toBe('AuthFailure.SignatureExpire');
  });
});

function ROOT_ID(): string {
  return 'AKIDtencentroot000000000000000001';
}

describe('durable state', () => {
  it('keys, white-box keys and hosted data keys made through the SDK survive a restart of a server with --data-dir', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'kms-tencent-'));
    try {
      const first = await serveTencent({ dataDir });
      const { KeyId } = await first.kmsClient().CreateKey({ Alias: 'durable' });
      const { CiphertextBlob } = await first.kmsClient().Encrypt({ KeyId: KeyId!, Plaintext: b64('kept') });
      const wb = await first.kmsClient().CreateWhiteBoxKey({ Alias: 'durable-wb', Algorithm: 'SM4' });
      const dek = await first.kmsClient().GenerateDataKey({ KeyId: KeyId!, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'durable-dek' });
      const going = await first.kmsClient().ImportDataKey({ DataKeyName: 'durable-going', ImportKeyMaterial: b64('going'), ImportType: 2, KeyId: KeyId! });
      await first.kmsClient().DisableDataKey({ DataKeyId: going.DataKeyId! });
      await first.kmsClient().ScheduleDataKeyDeletion({ DataKeyId: going.DataKeyId!, PendingWindowInDays: 7 });
      await first.close();
      const second = await serveTencent({ dataDir });
      try {
        expect((await second.kmsClient().DescribeKey({ KeyId: KeyId! })).KeyMetadata?.Alias).toBe('durable');
        expect(unb64((await second.kmsClient().Decrypt({ CiphertextBlob: CiphertextBlob! })).Plaintext!).toString()).toBe('kept');
        expect((await second.kmsClient().DescribeWhiteBoxDecryptKey({ KeyId: wb.KeyId! })).DecryptKey).toBe(wb.DecryptKey);
        expect((await second.kmsClient().GetDataKeyPlaintext({ DataKeyId: dek.DataKeyId! })).Plaintext).toBe(dek.Plaintext);
        expect((await second.kmsClient().DescribeDataKey({ DataKeyId: going.DataKeyId! })).DataKeyMetadata?.KeyState).toBe('PendingDelete');
        // The scheduled deletion came back with it and happens on the restarted server's clock.
        second.clock.advance('7d');
        expect((await failure(second.kmsClient().DescribeDataKey({ DataKeyId: going.DataKeyId! }))).code).toBe('ResourceUnavailable.DataKeyNotFound');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
