/** CreateKey makes the key and its alias in one step: two calls racing for one alias leave one key. */
import { describe, expect, it } from 'vitest';
import { done, emulator } from './support.js';

describe('CreateKey with an alias', () => {
  it('two concurrent calls for one alias (key pairs generated meanwhile) leave one key and one AliasAlreadyExists', async () => {
    const kms = emulator({ seed: 'alias-race' });
    const before = (await kms.tencent.call('ListKeys', {})).TotalCount as number;
    const create = () => kms.tencent.invoke('CreateKey', { Alias: 'orders', KeyUsage: 'ASYMMETRIC_SIGN_VERIFY_ECC' });
    const outcomes = await Promise.all([create(), create()]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    const refused = outcomes.find((o) => !o.ok)!;
    expect(refused.ok ? undefined : refused.error.code).toBe('InvalidParameterValue.AliasAlreadyExists');
    expect((await kms.tencent.call('ListKeys', {})).TotalCount).toBe(before + 1);
    done(kms);
  });
});
