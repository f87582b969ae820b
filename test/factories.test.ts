/** createAwsKms, createTencentKms, createHuaweiKms: one dialect each on an engine of its own, the same options as createKms. */
import { describe, expect, it } from 'vitest';
import { createAwsKms, createHuaweiKms, createKms, createTencentKms, ManualClock } from '../src/index.js';

const clock = () => new ManualClock('2026-01-01T00:00:00Z');

describe('one-dialect factories', () => {
  it('each gives its dialect only, with the options createKms takes, and snapshots that createKms restores', async () => {
    const aws = createAwsKms({ clock: clock(), seed: 'f', account: '444455556666', region: 'eu-west-1' });
    expect(Object.keys(aws).sort()).toEqual(['aws', 'clock', 'engine', 'faults', 'restore', 'snapshot']);
    const key = await aws.aws.send('CreateKey', {});
    expect(key.KeyMetadata.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);

    const tencent = createTencentKms({ clock: clock(), tencent: { uin: '100000000009', region: 'ap-singapore' } });
    expect(Object.keys(tencent).sort()).toEqual(['clock', 'engine', 'faults', 'restore', 'snapshot', 'tencent']);
    const tk = await tencent.tencent.call('CreateKey', { Alias: 'one' });
    // ap-singapore is a FIPS region: AES-256, KeyMetadata.Type 2.
    expect((await tencent.tencent.call('DescribeKey', { KeyId: tk.KeyId })).KeyMetadata).toMatchObject({ Type: 2, CreatorUin: 100000000009 });

    const huawei = createHuaweiKms({ clock: clock(), huawei: { region: 'cn-east-3' } });
    expect(Object.keys(huawei).sort()).toEqual(['clock', 'engine', 'faults', 'huawei', 'restore', 'snapshot']);
    const hk = await huawei.huawei.call('create-key', { key_alias: 'one' });
    expect(hk.key_info.region_id).toBe('cn-east-3');

    // The state is the engine's: any emulator restores it and serves it in every dialect.
    const all = createKms({ clock: clock(), tencent: { uin: '100000000009', region: 'ap-singapore' } });
    all.restore(tencent.snapshot());
    expect((await all.tencent.call('DescribeKey', { KeyId: tk.KeyId })).KeyMetadata.Alias).toBe('one');
  });
});
