/**
 * Tencent hosted data keys through the real tencentcloud-sdk-nodejs, in process (httpAgent, no
 * port): GenerateDataKey with IsHostedByKms, ImportDataKey, the data-key lifecycle beside its CMK's,
 * deletion on the clock, the documented errors (each changing nothing), and the CloudAudit trail.
 */
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { kms as tencentSdk } from 'tencentcloud-sdk-nodejs/tencentcloud/services/kms/index.js';
import { describe, expect, it } from 'vitest';
import { httpAgent } from '../../src/server/server.js';
import { b64, done, emulator, failure, UIN, unb64 } from './support.js';

const DAY = 86_400_000;
const CREDENTIAL = { secretId: 'AKIDdatakeys000000000000000000001', secretKey: 'data-keys' };

function setup() {
  const kms = emulator({ seed: 'tencent-data-keys' });
  const client = new tencentSdk.v20190118.Client({ credential: CREDENTIAL, region: 'ap-guangzhou', profile: { httpProfile: { agent: httpAgent(kms, 'tencent') } } });
  /** The stored data keys, to show that a refused call changed nothing. */
  const state = () => JSON.stringify(kms.engine.snapshot().dataKeys ?? []);
  return { kms, client, state };
}

async function cmk(client: ReturnType<typeof setup>['client'], alias: string): Promise<string> {
  return (await client.CreateKey({ Alias: alias })).KeyId!;
}

describe('hosted data keys through the SDK', () => {
  it('GenerateDataKey with IsHostedByKms 1 keeps the data key: DataKeyId, TagCode, metadata, plaintext and ciphertext read back', async () => {
    const { kms, client } = setup();
    const keyId = await cmk(client, 'dk-orders');
    const made = await client.GenerateDataKey({
      KeyId: keyId,
      NumberOfBytes: 32,
      IsHostedByKms: 1,
      DataKeyName: 'orders-dek',
      Description: 'for orders',
      Tags: [{ TagKey: 'env', TagValue: 'test' }],
    });
    expect(made).toMatchObject({ KeyId: keyId, TagCode: 0, TagMsg: 'ok' });
    expect(made.DataKeyId).toMatch(/^[0-9a-f-]{36}$/);
    const plaintext = unb64(made.Plaintext!);
    expect(plaintext).toHaveLength(32);

    const { DataKeyMetadata } = await client.DescribeDataKey({ DataKeyId: made.DataKeyId! });
    expect(DataKeyMetadata).toMatchObject({
      DataKeyId: made.DataKeyId,
      KeyId: keyId,
      KeyName: 'dk-orders',
      DataKeyName: 'orders-dek',
      NumberOfBytes: 32,
      Description: 'for orders',
      KeyState: 'Enabled',
      CreatorUin: Number(UIN),
      Owner: 'user',
      DeletionDate: 0,
      Origin: 'TENCENT_KMS',
      ResourceId: `creatorUin/${UIN}/${made.DataKeyId}`,
      CreateTime: Math.floor(kms.clock.now() / 1000),
    });
    expect(unb64((await client.GetDataKeyPlaintext({ DataKeyId: made.DataKeyId! })).Plaintext!).equals(plaintext)).toBe(true);
    const { CiphertextBlob } = await client.GetDataKeyCiphertextBlob({ DataKeyId: made.DataKeyId! });
    expect(CiphertextBlob).toBe(made.CiphertextBlob);
    expect(unb64((await client.Decrypt({ CiphertextBlob: CiphertextBlob! })).Plaintext!).equals(plaintext)).toBe(true);

    // Without IsHostedByKms nothing is kept and no DataKeyId is answered.
    const plain = await client.GenerateDataKey({ KeyId: keyId, KeySpec: 'AES_128' });
    expect(plain.DataKeyId).toBeUndefined();
    expect((await client.ListDataKeys({})).TotalCount).toBe(1);
    expect(await client.GetServiceStatus()).toMatchObject({ IsAllowedDataKeyHosted: true, DataKeyUsedCount: 1 });
    done(kms);
  });

  it('GetDataKeyPlaintext encrypts the plaintext to an EncryptionPublicKey', async () => {
    const { kms, client } = setup();
    const keyId = await cmk(client, 'dk-rsa');
    const made = await client.GenerateDataKey({ KeyId: keyId, KeySpec: 'AES_256', IsHostedByKms: 1, DataKeyName: 'rsa-dek' });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // A data key longer than RSA-OAEP can carry is refused, and not kept.
    const tooLong = await failure(client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 512, IsHostedByKms: 1, DataKeyName: 'too-long', EncryptionPublicKey: pem, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(tooLong.code).toBe('FailedOperation.EncryptionError');
    expect((await client.ListDataKeys({})).TotalCount).toBe(1);
    const out = await client.GetDataKeyPlaintext({ DataKeyId: made.DataKeyId!, EncryptionPublicKey: pem, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    const opened = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, unb64(out.Plaintext!));
    expect(opened.equals(unb64(made.Plaintext!))).toBe(true);
    done(kms);
  });

  it('ImportDataKey takes a plaintext (ImportType 2) or a ciphertext of the CMK (ImportType 1)', async () => {
    const { kms, client } = setup();
    const keyId = await cmk(client, 'dk-import');
    const secret = Buffer.alloc(24, 7);
    const imported = await client.ImportDataKey({ DataKeyName: 'plain', ImportKeyMaterial: secret.toString('base64'), ImportType: 2, KeyId: keyId });
    expect(imported).toMatchObject({ KeyId: keyId, TagCode: 0 });
    expect((await client.DescribeDataKey({ DataKeyId: imported.DataKeyId! })).DataKeyMetadata).toMatchObject({ Origin: 'EXTERNAL', NumberOfBytes: 24 });
    expect(unb64((await client.GetDataKeyPlaintext({ DataKeyId: imported.DataKeyId! })).Plaintext!).equals(secret)).toBe(true);

    const { CiphertextBlob } = await client.Encrypt({ KeyId: keyId, Plaintext: b64('0123456789abcdef') });
    const wrapped = await client.ImportDataKey({ DataKeyName: 'wrapped', ImportKeyMaterial: CiphertextBlob!, ImportType: 1 });
    expect(wrapped.KeyId).toBe(keyId);
    expect(unb64((await client.GetDataKeyPlaintext({ DataKeyId: wrapped.DataKeyId! })).Plaintext!).toString()).toBe('0123456789abcdef');
    expect((await client.GetDataKeyCiphertextBlob({ DataKeyId: wrapped.DataKeyId! })).CiphertextBlob).toBe(CiphertextBlob);
    done(kms);
  });

  it('a data key beside its CMK: disabling, enabling, renaming, listing, deletion and its cancellation', async () => {
    const { kms, client } = setup();
    const keyId = await cmk(client, 'dk-life');
    const a = (await client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'a' })).DataKeyId!;
    kms.clock.advance(1000);
    const b = (await client.ImportDataKey({ DataKeyName: 'b', ImportKeyMaterial: b64('bbbbbbbbbbbbbbbb'), ImportType: 2, KeyId: keyId })).DataKeyId!;

    // The CMK disabled: its data keys stay Enabled, but cannot be read out or enabled.
    await client.DisableKey({ KeyId: keyId });
    expect((await failure(client.GetDataKeyPlaintext({ DataKeyId: a }))).code).toBe('ResourceUnavailable.CmkDisabled');
    await client.DisableDataKey({ DataKeyId: a });
    expect((await failure(client.EnableDataKey({ DataKeyId: a }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    await client.EnableKey({ KeyId: keyId });
    expect((await failure(client.GetDataKeyPlaintext({ DataKeyId: a }))).code).toBe('ResourceUnavailable.DataKeyDisabled');
    expect((await failure(client.GetDataKeyCiphertextBlob({ DataKeyId: a }))).code).toBe('ResourceUnavailable.DataKeyStateNotSupport');
    await client.EnableDataKeys({ DataKeyIds: [a, b] });
    await client.DisableDataKeys({ DataKeyIds: [a, b] });
    expect((await client.DescribeDataKeys({ DataKeyIds: [a, b] })).DataKeyMetadatas?.map((m) => m.KeyState)).toEqual(['Disabled', 'Disabled']);
    await client.EnableDataKey({ DataKeyId: b });

    await client.UpdateDataKeyName({ DataKeyId: a, DataKeyName: 'a-renamed' });
    await client.UpdateDataKeyDescription({ DataKeyId: a, Description: '说明' });
    expect((await client.DescribeDataKey({ DataKeyId: a })).DataKeyMetadata).toMatchObject({ DataKeyName: 'a-renamed', Description: '说明' });

    // Listing: newest first by default, filters by state, origin, CMK, length and name.
    expect((await client.ListDataKeys({})).DataKeys).toEqual([{ DataKeyId: b }, { DataKeyId: a }]);
    expect((await client.ListDataKeys({ Offset: 1, Limit: 1 })).DataKeys).toEqual([{ DataKeyId: a }]);
    const detail = async (q: Record<string, unknown>) => (await client.ListDataKeyDetail(q)).DataKeyMetadatas?.map((m) => m.DataKeyId);
    expect(await detail({ OrderType: 1 })).toEqual([a, b]);
    expect(await detail({ KeyState: 2 })).toEqual([a]);
    expect(await detail({ Origin: 'EXTERNAL' })).toEqual([b]);
    expect(await detail({ SearchKeyAlias: 'renamed' })).toEqual([a]);
    expect(await detail({ KeyId: keyId, DataKeyLen: 16 })).toEqual([b, a]);

    // Deletion: disabled first; PendingDelete refuses use; cancelling leaves it Disabled.
    expect((await failure(client.ScheduleDataKeyDeletion({ DataKeyId: b, PendingWindowInDays: 7 }))).code).toBe('ResourceUnavailable.DataKeyStateNotSupport');
    const scheduled = await client.ScheduleDataKeyDeletion({ DataKeyId: a, PendingWindowInDays: 7 });
    expect(scheduled).toMatchObject({ DataKeyId: a, DeletionDate: Math.floor((kms.clock.now() + 7 * DAY) / 1000) });
    expect((await client.DescribeDataKey({ DataKeyId: a })).DataKeyMetadata).toMatchObject({ KeyState: 'PendingDelete', DeletionDate: scheduled.DeletionDate });
    expect((await failure(client.GetDataKeyPlaintext({ DataKeyId: a }))).code).toBe('ResourceUnavailable.DataKeyPendingDelete');
    expect((await failure(client.EnableDataKeys({ DataKeyIds: [b, a] }))).code).toBe('ResourceUnavailable.DataKeyStateNotSupport');
    expect((await failure(client.CancelDataKeyDeletion({ DataKeyId: b }))).code).toBe('ResourceUnavailable.DataKeyNotPendingDelete');
    expect(await client.CancelDataKeyDeletion({ DataKeyId: a })).toMatchObject({ DataKeyId: a });
    expect((await client.DescribeDataKey({ DataKeyId: a })).DataKeyMetadata?.KeyState).toBe('Disabled');

    // Scheduled again, and the clock passes the window: the data key is gone.
    await client.ScheduleDataKeyDeletion({ DataKeyId: a, PendingWindowInDays: 7 });
    kms.clock.advance(7 * DAY);
    expect((await failure(client.DescribeDataKey({ DataKeyId: a }))).code).toBe('ResourceUnavailable.DataKeyNotFound');
    expect((await client.ListDataKeys({})).TotalCount).toBe(1);

    // The CMK deleted: its data key outlives it, but cannot be read out or enabled.
    await client.DisableKey({ KeyId: keyId });
    await client.ScheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 });
    expect((await failure(client.GetDataKeyPlaintext({ DataKeyId: b }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    kms.clock.advance(7 * DAY);
    expect((await client.DescribeDataKey({ DataKeyId: b })).DataKeyMetadata).toMatchObject({ KeyId: keyId, KeyName: '' });
    expect((await failure(client.GetDataKeyPlaintext({ DataKeyId: b }))).code).toBe('ResourceUnavailable.CmkNotFound');
    await client.DisableDataKey({ DataKeyId: b });
    expect((await failure(client.EnableDataKey({ DataKeyId: b }))).code).toBe('ResourceUnavailable.CmkNotFound');
    done(kms);
  });

  it('documented errors, each changing nothing', async () => {
    const { kms, client, state } = setup();
    const keyId = await cmk(client, 'dk-errors');
    const sm2 = (await client.CreateKey({ Alias: 'dk-sm2', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' })).KeyId!;
    const other = await cmk(client, 'dk-other');
    const id = (await client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'taken' })).DataKeyId!;
    const missing = '00000000-0000-0000-0000-000000000000';
    const foreign = (await client.Encrypt({ KeyId: other, Plaintext: b64('x') })).CiphertextBlob!;
    const cases: Array<[string, () => Promise<unknown>, string]> = [
      ['name taken', () => client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'taken' }), 'InvalidParameterValue.DataKeyNameAlreadyExists'],
      ['no name', () => client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1 }), 'InvalidParameterValue.InvalidDataKeyName'],
      ['bad name', () => client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'a b' }), 'InvalidParameterValue.InvalidDataKeyName'],
      ['IsHostedByKms 2', () => client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 2, DataKeyName: 'x' }), 'InvalidParameter'],
      ['description over 100 bytes', () => client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'x', Description: 'd'.repeat(101) }), 'InvalidParameter'],
      ['asymmetric CMK', () => client.GenerateDataKey({ KeyId: sm2, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'x' }), 'InvalidParameterValue.InvalidKeyUsage'],
      ['import: name taken', () => client.ImportDataKey({ DataKeyName: 'taken', ImportKeyMaterial: b64('k'), ImportType: 2, KeyId: keyId }), 'InvalidParameterValue.InvalidDataKeyName'],
      ['import: bad type', () => client.ImportDataKey({ DataKeyName: 'x', ImportKeyMaterial: b64('k'), ImportType: 3, KeyId: keyId }), 'InvalidParameterValue.InvalidType'],
      ['import: plaintext without KeyId', () => client.ImportDataKey({ DataKeyName: 'x', ImportKeyMaterial: b64('k'), ImportType: 2 }), 'InvalidParameterValue.InvalidKeyId'],
      ['import: empty plaintext', () => client.ImportDataKey({ DataKeyName: 'x', ImportKeyMaterial: '', ImportType: 2, KeyId: keyId }), 'InvalidParameterValue.InvalidImportKeyMaterial'],
      ['import: not a blob', () => client.ImportDataKey({ DataKeyName: 'x', ImportKeyMaterial: 'abc', ImportType: 1 }), 'InvalidParameterValue.InvalidImportKeyMaterial'],
      ['import: blob of another CMK', () => client.ImportDataKey({ DataKeyName: 'x', ImportKeyMaterial: foreign, ImportType: 1, KeyId: keyId }), 'InvalidParameterValue.InvalidImportKeyMaterial'],
      ['import: unknown CMK', () => client.ImportDataKey({ DataKeyName: 'x', ImportKeyMaterial: b64('k'), ImportType: 2, KeyId: missing }), 'ResourceUnavailable.CmkNotFound'],
      ['describe: bad id', () => client.DescribeDataKey({ DataKeyId: 'nope' }), 'InvalidParameterValue.InvalidDataKeyId'],
      ['describe: unknown', () => client.DescribeDataKey({ DataKeyId: missing }), 'ResourceUnavailable.DataKeyNotFound'],
      ['describe many: repeated', () => client.DescribeDataKeys({ DataKeyIds: [id, id] }), 'InvalidParameterValue.DuplicatedDataKeyId'],
      ['describe many: none', () => client.DescribeDataKeys({ DataKeyIds: [] }), 'InvalidParameterValue'],
      ['disable many: one unknown', () => client.DisableDataKeys({ DataKeyIds: [id, missing] }), 'ResourceUnavailable.DataKeyNotFound'],
      ['schedule: window', () => client.ScheduleDataKeyDeletion({ DataKeyId: id, PendingWindowInDays: 6 }), 'InvalidParameter.InvalidPendingWindowInDays'],
      ['schedule: enabled', () => client.ScheduleDataKeyDeletion({ DataKeyId: id, PendingWindowInDays: 7 }), 'ResourceUnavailable.DataKeyStateNotSupport'],
      ['cancel: not pending', () => client.CancelDataKeyDeletion({ DataKeyId: id }), 'ResourceUnavailable.DataKeyNotPendingDelete'],
      // UpdateDataKeyName documents no InvalidDataKeyName: the common code stands in.
      ['rename: bad', () => client.UpdateDataKeyName({ DataKeyId: id, DataKeyName: 'a b' }), 'InvalidParameterValue'],
      ['describe text: over 100 bytes', () => client.UpdateDataKeyDescription({ DataKeyId: id, Description: '说'.repeat(34) }), 'InvalidParameter'],
      ['rename: unknown', () => client.UpdateDataKeyName({ DataKeyId: missing, DataKeyName: 'y' }), 'ResourceUnavailable.DataKeyNotFound'],
      ['list: Limit', () => client.ListDataKeys({ Limit: 201 }), 'InvalidParameterValue'],
      ['detail: KeyState', () => client.ListDataKeyDetail({ KeyState: 4 }), 'InvalidParameter'],
      ['detail: unknown CMK', () => client.ListDataKeyDetail({ KeyId: missing }), 'ResourceUnavailable.CmkNotFound'],
      ['plaintext: bad public key', () => client.GetDataKeyPlaintext({ DataKeyId: id, EncryptionPublicKey: 'junk' }), 'FailedOperation.EncryptionError'],
    ];
    for (const [what, run, code] of cases) {
      const before = state();
      const e = await failure(run());
      expect(e.code, what).toBe(code);
      expect(state(), what).toBe(before);
    }
    // A name is free again once its data key is renamed.
    await client.UpdateDataKeyName({ DataKeyId: id, DataKeyName: 'moved' });
    await client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'taken' });
    expect((await failure(client.UpdateDataKeyName({ DataKeyId: id, DataKeyName: 'taken' }))).code).toBe('InvalidParameterValue');
    done(kms);
  });

  it('CloudAudit logs each data-key action under its name, with the data key as its resource and no key bytes', async () => {
    const { kms, client } = setup();
    const keyId = await cmk(client, 'dk-audit');
    const made = await client.GenerateDataKey({ KeyId: keyId, NumberOfBytes: 16, IsHostedByKms: 1, DataKeyName: 'audited' });
    await client.GetDataKeyPlaintext({ DataKeyId: made.DataKeyId! });
    await client.ImportDataKey({ DataKeyName: 'imp', ImportKeyMaterial: b64('0123456789abcdef'), ImportType: 2, KeyId: keyId });
    await failure(client.DescribeDataKey({ DataKeyId: '00000000-0000-0000-0000-000000000000' }));
    const events = kms.tencent.auditEvents();
    const names = events.map((e) => e.EventName);
    expect(names).toEqual(['CreateKey', 'GenerateDataKey', 'GetDataKeyPlaintext', 'ImportDataKey', 'DescribeDataKey']);
    const get = events[2]!;
    expect(get.Resources.ResourceName).toBe(made.DataKeyId);
    expect(events[1]!.Resources.ResourceName).toBe(`${keyId},${made.DataKeyId}`);
    const text = JSON.stringify(events);
    expect(text).not.toContain(made.Plaintext!);
    expect(text).not.toContain(b64('0123456789abcdef'));
    const failed = JSON.parse(events[4]!.CloudAuditEvent);
    expect(failed.apiErrorCode).toBe('ResourceUnavailable.DataKeyNotFound');
    done(kms);
  });
});
