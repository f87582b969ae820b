/**
 * The members Tencent sends that the emulator models as constants or options: the CMK limit
 * (GetServiceStatus CmkLimit, enforced by CreateKey), HsmClusterId, the member-account fields of
 * KeyMetadata, and the status members of features the emulator does not model.
 */
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { startServer } from '../../src/server/server.js';
import { done, emulator, failure, START } from './support.js';

describe('GetServiceStatus and the CMK limit', () => {
  it('CmkLimit defaults to 200; CreateKey beyond the limit is LimitExceeded.CmkLimitExceeded and changes nothing; keys pending deletion do not count', async () => {
    expect(await emulator().tencent.call('GetServiceStatus', {})).toMatchObject({ CmkLimit: 200, CmkUserCount: 0 });
    const kms = createKms({ clock: new ManualClock(START), tencent: { cmkLimit: 2 } });
    const a = (await kms.tencent.call('CreateKey', { Alias: 'a' })).KeyId;
    await kms.tencent.call('CreateKey', { Alias: 'b', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' });
    expect(await kms.tencent.call('GetServiceStatus', {})).toMatchObject({ CmkLimit: 2, CmkUserCount: 2 });
    const before = JSON.stringify(kms.snapshot().realms);
    const error = await failure(kms.tencent.call('CreateKey', { Alias: 'c' }));
    expect(error.code).toBe('LimitExceeded.CmkLimitExceeded');
    expect(JSON.stringify(kms.snapshot().realms)).toBe(before);
    // Another region has its own count.
    await kms.tencent.call('CreateKey', { Alias: 'c' }, { region: 'ap-singapore' });
    await kms.tencent.call('DisableKey', { KeyId: a });
    await kms.tencent.call('ScheduleKeyDeletion', { KeyId: a, PendingWindowInDays: 7 });
    expect((await kms.tencent.call('GetServiceStatus', {})).CmkUserCount).toBe(1);
    await kms.tencent.call('CreateKey', { Alias: 'c' });
    done(kms);
  });

  it('the endpoint takes the limit from --tencent-cmk-limit (ServerOptions.tencentCmkLimit)', async () => {
    const server = await startServer({ port: 0, tencentCmkLimit: 1 });
    try {
      expect(await server.kms.tencent.call('GetServiceStatus', {})).toMatchObject({ CmkLimit: 1 });
      await server.kms.tencent.call('CreateKey', { Alias: 'only' });
      expect((await failure(server.kms.tencent.call('CreateKey', { Alias: 'second' }))).code).toBe('LimitExceeded.CmkLimitExceeded');
    } finally {
      await server.close();
    }
  });

  it('the members of unmodelled features: empty lists, false, and 0; data-key hosting offered', async () => {
    const kms = emulator();
    expect(await kms.tencent.call('GetServiceStatus', {})).toMatchObject({
      ExclusiveHSMList: [],
      SyncTaskList: [],
      RegionsQps: [],
      IsAllowedSync: false,
      IsAllowedDataKeyHosted: true,
      DataKeyUsedCount: 0,
      QpsLimit: 0,
      QpsTotalLimit: 0,
      ResourceZone: 0,
      ResourceRegion: 0,
    });
    done(kms);
  });
});

describe('HsmClusterId and member-account fields', () => {
  it('CreateKey echoes HsmClusterId or answers an empty one; KeyMetadata carries the public cluster and no member account', async () => {
    const kms = emulator();
    expect((await kms.tencent.call('CreateKey', { Alias: 'plain' })).HsmClusterId).toBe('');
    const { KeyId, HsmClusterId } = await kms.tencent.call('CreateKey', { Alias: 'clustered', HsmClusterId: 'cls-hsm-12345678' });
    expect(HsmClusterId).toBe('cls-hsm-12345678');
    expect((await kms.tencent.call('DescribeKey', { KeyId })).KeyMetadata).toMatchObject({ HsmClusterId: '', AccountAppId: 0, AccountUin: 0, AccountName: '', SourceHsmClusterId: '' });
    done(kms);
  });
});
