/** create-key makes the key and its alias in one step: two calls racing for one alias leave one key. */
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';

describe('create-key with an alias', () => {
  it('two concurrent calls for one alias (key pairs generated meanwhile) leave one key and one KMS.1104', async () => {
    const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'alias-race' });
    const count = async () => (await kms.huawei.call('list-keys', { key_spec: 'ALL' })).total as number;
    const before = await count();
    const create = () => kms.huawei.invoke('create-key', { key_alias: 'orders', key_spec: 'EC_P256' });
    const outcomes = await Promise.all([create(), create()]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    const refused = outcomes.find((o) => !o.ok)!;
    expect(refused.ok ? undefined : refused.error.code).toBe('KMS.1104');
    expect(await count()).toBe(before + 1);
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });
});
