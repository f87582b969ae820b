/**
 * The Tencent dialect in process (`kms.tencent.call`): key lifecycle and its state rules, listing
 * filters, rotation and deletion as the clock moves, region flavours.
 */
import { describe, expect, it } from 'vitest';
import { b64, done, emulator, failure, FIPS_REGION, REGION, UIN } from './support.js';

const DAY = 86_400_000;

async function key(kms: ReturnType<typeof emulator>, alias: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await kms.tencent.call('CreateKey', { Alias: alias, ...extra })).KeyId;
}

const state = async (kms: ReturnType<typeof emulator>, id: string) => (await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata.KeyState;

describe('CreateKey', () => {
  it('checks the alias: 1-60 of [A-Za-z0-9_-], first a letter or digit, kms- reserved, unique', async () => {
    const kms = emulator();
    for (const bad of ['', '-x', '_x', 'a'.repeat(61), 'has space', 'kms-mine', 'KMS-mine', 'a/b']) {
      expect((await failure(kms.tencent.call('CreateKey', { Alias: bad }))).code, bad).toMatch(/^(InvalidParameterValue\.InvalidAlias)$/);
    }
    await key(kms, 'a'.repeat(60));
    await key(kms, '0_ok-Alias');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: '0_ok-Alias' }))).code).toBe('InvalidParameterValue.AliasAlreadyExists');
    expect((await failure(kms.tencent.call('CreateKey', {}))).message).toBe('The request is missing a required parameter `Alias`.');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', Bogus: 1 }))).code).toBe('UnknownParameter');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', Type: '1' }))).code).toBe('InvalidParameter');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', Type: 3 }))).code).toBe('InvalidParameterValue.InvalidType');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', KeyUsage: 'SIGN' }))).code).toBe('InvalidParameterValue.InvalidKeyUsage');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' }, { region: FIPS_REGION }))).code).toBe(
      'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion',
    );
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', Type: 2, KeyUsage: 'ASYMMETRIC_DECRYPT_SM2' }))).code).toBe('InvalidParameterValue.InvalidKeyUsage');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'x', Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] }))).code).toBe(
      'InvalidParameterValue.TagKeysDuplicated',
    );
    done(kms);
  });

  it('Type 2 makes an EXTERNAL key waiting for material', async () => {
    const kms = emulator();
    const created = await kms.tencent.call('CreateKey', { Alias: 'byok', Type: 2 });
    expect(created.KeyState).toBe('PendingImport');
    expect((await kms.tencent.call('DescribeKey', { KeyId: created.KeyId })).KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', ValidTo: 0 });
    done(kms);
  });

  it('region flavours: national-crypto regions make SM4 keys (Type 4), FIPS regions AES-256 (Type 2) and refuse SM2', async () => {
    const kms = emulator();
    const sm = await key(kms, 'sm');
    expect((await kms.tencent.call('DescribeKey', { KeyId: sm })).KeyMetadata.Type).toBe(4);
    expect(kms.engine.findKey({ realm: { account: UIN, region: REGION }, principal: { account: UIN, type: 'root', id: UIN }, requestId: 'x' }, { keyId: sm })?.spec).toBe('SM4');
    const meta = { region: FIPS_REGION };
    const fips = (await kms.tencent.call('CreateKey', { Alias: 'fips' }, meta)).KeyId;
    expect((await kms.tencent.call('DescribeKey', { KeyId: fips }, meta)).KeyMetadata.Type).toBe(2);
    expect(kms.engine.findKey({ realm: { account: UIN, region: FIPS_REGION }, principal: { account: UIN, type: 'root', id: UIN }, requestId: 'x' }, { keyId: fips })?.spec).toBe('AES_256');
    expect((await failure(kms.tencent.call('CreateKey', { Alias: 'sm2', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_SM2' }, meta))).code).toBe(
      'UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion',
    );
    expect((await kms.tencent.call('ListAlgorithms', {}, meta)).SymmetricAlgorithms).toEqual([{ KeyUsage: 'ENCRYPT_DECRYPT', Algorithm: 'AES_256' }]);
    // Keys are regional: the FIPS region's key is unknown in the default region.
    expect((await failure(kms.tencent.call('DescribeKey', { KeyId: fips }))).code).toBe('ResourceUnavailable.CmkNotFound');
    const ct = (await kms.tencent.call('Encrypt', { KeyId: fips, Plaintext: b64('x') }, meta)).CiphertextBlob;
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob: ct }, meta)).Plaintext).toBe(b64('x'));
    done(kms);
  });

  it('the flavour table can be overridden per emulator', async () => {
    const { createKms, ManualClock } = await import('../../src/index.js');
    const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), tencent: { region: 'ap-guangzhou', flavours: { 'ap-guangzhou': 'fips' } } });
    const id = (await kms.tencent.call('CreateKey', { Alias: 'x' })).KeyId;
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata.Type).toBe(2);
  });
});

describe('listing', () => {
  it('ListKeys shows Enabled, Disabled and PendingImport keys; ListKeyDetail filters, with an empty KeyUsage meaning ENCRYPT_DECRYPT', async () => {
    const kms = emulator();
    const a = await key(kms, 'alpha', { Tags: [{ TagKey: 'team', TagValue: 'red' }] });
    const b = await key(kms, 'beta');
    const ext = await key(kms, 'gamma', { Type: 2 });
    const sign = await key(kms, 'delta', { KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' });
    await kms.tencent.call('DisableKey', { KeyId: b });
    await kms.tencent.call('ScheduleKeyDeletion', { KeyId: b, PendingWindowInDays: 7 });
    await kms.tencent.call('ArchiveKey', { KeyId: a });
    const listed = await kms.tencent.call('ListKeys', {});
    expect(listed.Keys.map((k: { KeyId: string }) => k.KeyId).sort()).toEqual([ext, sign].sort());
    expect(listed.TotalCount).toBe(2);
    const detail = (q: Record<string, unknown>) => kms.tencent.call('ListKeyDetail', q).then((r) => r.KeyMetadatas.map((k: { Alias: string }) => k.Alias));
    expect(await detail({})).toEqual(['gamma', 'beta', 'alpha']);
    expect(await detail({ OrderType: 1 })).toEqual(['alpha', 'beta', 'gamma']);
    expect(await detail({ KeyUsage: 'ALL' })).toEqual(['delta', 'gamma', 'beta', 'alpha']);
    expect(await detail({ KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' })).toEqual(['delta']);
    expect(await detail({ KeyState: 3 })).toEqual(['beta']);
    expect(await detail({ KeyState: 5 })).toEqual(['alpha']);
    expect(await detail({ Origin: 'EXTERNAL' })).toEqual(['gamma']);
    expect(await detail({ SearchKeyAlias: 'ALP' })).toEqual(['alpha']);
    expect(await detail({ TagFilters: [{ TagKey: 'team', TagValue: ['red'] }] })).toEqual(['alpha']);
    expect(await detail({ Offset: 1, Limit: 1 })).toEqual(['beta']);
    expect((await failure(kms.tencent.call('ListKeyDetail', { Limit: 201 }))).code).toBe('InvalidParameter');
    expect((await failure(kms.tencent.call('ListKeyDetail', { KeyState: 6 }))).code).toBe('InvalidParameter');
    done(kms);
  });

  it('DescribeKeys: up to 100 ids, no duplicates, all must exist', async () => {
    const kms = emulator();
    const a = await key(kms, 'a');
    expect((await failure(kms.tencent.call('DescribeKeys', { KeyIds: [a, a] }))).code).toBe('InvalidParameterValue.DuplicatedKeyId');
    expect((await failure(kms.tencent.call('DescribeKeys', { KeyIds: [a, '00000000-0000-4000-8000-000000000000'] }))).code).toBe('ResourceUnavailable.CmkNotFound');
    expect((await failure(kms.tencent.call('DescribeKeys', { KeyIds: Array.from({ length: 101 }, () => a) }))).code).toBe('InvalidParameter');
    expect((await failure(kms.tencent.call('DescribeKeys', { KeyIds: ['nope'] }))).code).toBe('InvalidParameterValue.InvalidKeyId');
    done(kms);
  });
});

describe('state rules', () => {
  it('a disabled key refuses Encrypt with ResourceUnavailable.CmkDisabled; an archived key decrypts but does not encrypt', async () => {
    const kms = emulator();
    const id = await key(kms, 'k');
    const ct = (await kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64('data') })).CiphertextBlob;
    await kms.tencent.call('DisableKey', { KeyId: id });
    expect((await failure(kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64('x') }))).code).toBe('ResourceUnavailable.CmkDisabled');
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: ct }))).code).toBe('ResourceUnavailable.CmkDisabled');
    expect((await failure(kms.tencent.call('ArchiveKey', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    await kms.tencent.call('EnableKey', { KeyId: id });
    await kms.tencent.call('ArchiveKey', { KeyId: id });
    expect((await failure(kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64('x') }))).code).toBe('ResourceUnavailable.CmkArchived');
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob: ct })).Plaintext).toBe(b64('data'));
    // GenerateDataKey documents neither CmkArchived nor CmkStateNotSupport: the common ResourceUnavailable stands in.
    expect((await failure(kms.tencent.call('GenerateDataKey', { KeyId: id, NumberOfBytes: 16 }))).code).toBe('ResourceUnavailable');
    expect((await failure(kms.tencent.call('DisableKey', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    expect((await failure(kms.tencent.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    await kms.tencent.call('CancelKeyArchive', { KeyId: id });
    expect((await failure(kms.tencent.call('CancelKeyArchive', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    expect(await state(kms, id)).toBe('Enabled');
    done(kms);
  });

  it('bound keys refuse disable, archive and deletion until unbound; unbinding an unknown binding is refused', async () => {
    const kms = emulator();
    const id = await key(kms, 'k');
    await kms.tencent.call('BindCloudResource', { KeyId: id, ProductId: 'cos', ResourceId: 'bucket-1' });
    await kms.tencent.call('BindCloudResource', { KeyId: id, ProductId: 'cos', ResourceId: 'bucket-1' });
    for (const action of ['DisableKey', 'ArchiveKey']) {
      expect((await failure(kms.tencent.call(action, { KeyId: id }))).code, action).toBe('FailedOperation.CmkUsedByCloudProduct');
    }
    expect((await failure(kms.tencent.call('DisableKeys', { KeyIds: [id] }))).code).toBe('FailedOperation.CmkUsedByCloudProduct');
    expect(await state(kms, id)).toBe('Enabled');
    expect((await failure(kms.tencent.call('UnbindCloudResource', { KeyId: id, ProductId: 'cos', ResourceId: 'other' }))).code).toBe(
      'ResourceUnavailable.CloudResourceBindingNotFound',
    );
    await kms.tencent.call('UnbindCloudResource', { KeyId: id, ProductId: 'cos', ResourceId: 'bucket-1' });
    await kms.tencent.call('DisableKey', { KeyId: id });
    done(kms);
  });

  it('EnableKeys and DisableKeys change nothing when one key is refused', async () => {
    const kms = emulator();
    const a = await key(kms, 'a');
    const b = await key(kms, 'b', { Type: 2 });
    expect((await failure(kms.tencent.call('DisableKeys', { KeyIds: [a, b] }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    expect(await state(kms, a)).toBe('Enabled');
    done(kms);
  });

  it('UpdateAlias moves the key\'s alias; a taken alias and a key pending deletion are refused', async () => {
    const kms = emulator();
    const a = await key(kms, 'first');
    await key(kms, 'second');
    await kms.tencent.call('UpdateAlias', { KeyId: a, Alias: 'renamed' });
    expect((await kms.tencent.call('DescribeKey', { KeyId: a })).KeyMetadata.Alias).toBe('renamed');
    await key(kms, 'first');
    expect((await failure(kms.tencent.call('UpdateAlias', { KeyId: a, Alias: 'second' }))).code).toBe('InvalidParameterValue.AliasAlreadyExists');
    await kms.tencent.call('DisableKey', { KeyId: a });
    await kms.tencent.call('ScheduleKeyDeletion', { KeyId: a, PendingWindowInDays: 7 });
    const refused = await failure(kms.tencent.call('UpdateAlias', { KeyId: a, Alias: 'again' }));
    expect(['ResourceUnavailable', 'UnsupportedOperation']).toContain(refused.code);
    expect((await kms.tencent.call('DescribeKey', { KeyId: a })).KeyMetadata.Alias).toBe('renamed');
    done(kms);
  });
});

describe('deletion and rotation follow the clock', () => {
  it('ScheduleKeyDeletion: 7-30 days, disabled keys only; the key disappears on its date; CancelKeyDeletion leaves it Disabled', async () => {
    const kms = emulator();
    const id = await key(kms, 'k');
    await kms.tencent.call('DisableKey', { KeyId: id });
    for (const days of [6, 31]) {
      expect((await failure(kms.tencent.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: days }))).code).toBe('InvalidParameter.InvalidPendingWindowInDays');
    }
    const { DeletionDate } = await kms.tencent.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 7 });
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata).toMatchObject({ KeyState: 'PendingDelete', DeletionDate });
    expect((await failure(kms.tencent.call('EnableKey', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkStateNotSupport');
    await kms.tencent.call('CancelKeyDeletion', { KeyId: id });
    expect(await state(kms, id)).toBe('Disabled');
    expect((await failure(kms.tencent.call('CancelKeyDeletion', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkNotPendingDelete');
    await kms.tencent.call('ScheduleKeyDeletion', { KeyId: id, PendingWindowInDays: 30 });
    kms.clock.advance('29d');
    expect(await state(kms, id)).toBe('PendingDelete');
    kms.clock.advance('1d');
    expect((await failure(kms.tencent.call('DescribeKey', { KeyId: id }))).code).toBe('ResourceUnavailable.CmkNotFound');
    done(kms);
  });

  it('automatic rotation every RotateDays: NextRotateTime and LastRotateTime follow; old ciphertexts still decrypt; ReEncrypt refreshes them', async () => {
    const kms = emulator();
    const id = await key(kms, 'k');
    const ct = (await kms.tencent.call('Encrypt', { KeyId: id, Plaintext: b64('old') })).CiphertextBlob;
    const same = await kms.tencent.call('ReEncrypt', { CiphertextBlob: ct });
    expect(same).toMatchObject({ ReEncrypted: false, CiphertextBlob: ct, KeyId: id, SourceKeyId: id });
    for (const days of [6, 366]) expect((await failure(kms.tencent.call('EnableKeyRotation', { KeyId: id, RotateDays: days }))).code).toBe('InvalidParameterValue');
    await kms.tencent.call('EnableKeyRotation', { KeyId: id, RotateDays: 30 });
    const start = Date.parse('2026-01-01T00:00:00Z');
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata).toMatchObject({ KeyRotationEnabled: true, RotateDays: 30, NextRotateTime: (start + 30 * DAY) / 1000, LastRotateTime: 0 });
    kms.clock.advance('30d');
    expect((await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata).toMatchObject({ NextRotateTime: (start + 60 * DAY) / 1000, LastRotateTime: (start + 30 * DAY) / 1000 });
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob: ct })).Plaintext).toBe(b64('old'));
    const fresh = await kms.tencent.call('ReEncrypt', { CiphertextBlob: ct });
    expect(fresh.ReEncrypted).toBe(true);
    expect(fresh.CiphertextBlob).not.toBe(ct);
    expect((await kms.tencent.call('ReEncrypt', { CiphertextBlob: fresh.CiphertextBlob })).ReEncrypted).toBe(false);
    await kms.tencent.call('DisableKeyRotation', { KeyId: id });
    expect((await kms.tencent.call('GetKeyRotationStatus', { KeyId: id })).KeyRotationEnabled).toBe(false);
    done(kms);
  });

  it('RotateKey: only with rotation enabled, at most once in 24 hours', async () => {
    const kms = emulator();
    const id = await key(kms, 'k');
    expect((await failure(kms.tencent.call('RotateKey', { KeyId: id }))).code).toBe('UnsupportedOperation.RotateNotSupported');
    await kms.tencent.call('EnableKeyRotation', { KeyId: id });
    await kms.tencent.call('RotateKey', { KeyId: id });
    const rotatedAt = (await kms.tencent.call('DescribeKey', { KeyId: id })).KeyMetadata.LastRotateTime;
    expect(rotatedAt).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
    kms.clock.advance('23h');
    expect((await failure(kms.tencent.call('RotateKey', { KeyId: id }))).code).toBe('RequestLimitExceeded.RotateRateLimited');
    kms.clock.advance('1h');
    await kms.tencent.call('RotateKey', { KeyId: id });
    const ext = await key(kms, 'ext', { Type: 2 });
    expect((await failure(kms.tencent.call('EnableKeyRotation', { KeyId: ext }))).code).toBe('UnsupportedOperation.ExternalCmkCanNotRotate');
    done(kms);
  });
});

describe('service information', () => {
  it('GetServiceStatus counts the caller\'s keys; GetRegions lists the regions; ListAlgorithms the usages of the region', async () => {
    const kms = emulator();
    await key(kms, 'a');
    expect(await kms.tencent.call('GetServiceStatus', {})).toMatchObject({ ServiceEnabled: true, InvalidType: 1, UserLevel: 0, CmkUserCount: 1 });
    expect((await kms.tencent.call('GetRegions', {})).Regions).toEqual(expect.arrayContaining(['ap-guangzhou', 'ap-hongkong']));
    const algorithms = await kms.tencent.call('ListAlgorithms', {});
    expect(algorithms.AsymmetricAlgorithms).toEqual([
      { KeyUsage: 'ASYMMETRIC_DECRYPT_RSA_2048', Algorithm: 'RSA_2048' },
      { KeyUsage: 'ASYMMETRIC_DECRYPT_SM2', Algorithm: 'SM2' },
      { KeyUsage: 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES', Algorithm: 'Kyber_AES' },
    ]);
    expect(algorithms.AsymmetricSignVerifyAlgorithms.map((a: { KeyUsage: string }) => a.KeyUsage)).toContain('ASYMMETRIC_SIGN_VERIFY_SM2');
    expect((await failure(kms.tencent.call('NoSuchAction', {}))).code).toBe('InvalidAction');
    done(kms);
  });
});
