import { describe, expect, it } from 'vitest';
import { createKms, InternalErrorLog } from '../../src/index.js';

describe('the internal-error log', () => {
  it('keeps the last errors, counts them all and hands each to its hooks', () => {
    const log = new InternalErrorLog(3);
    const seen: unknown[] = [];
    const stop = log.onError((e) => seen.push(e));
    log.onError(() => {
      throw new Error('a failing hook is ignored');
    });
    for (let i = 1; i <= 5; i++) log.record(i);
    expect(log.count).toBe(5);
    expect(log.last).toBe(5);
    expect(log.recent()).toEqual([3, 4, 5]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    stop();
    log.record(6);
    expect(seen).toHaveLength(5);
    expect(log.count).toBe(6);
  });

  it('an unexpected exception in a handler is KMSInternalException, logged once and reported to the hook', async () => {
    const kms = createKms({ seed: 'internal-errors' });
    const boom = new TypeError('boom');
    kms.engine.describeKey = () => {
      throw boom;
    };
    const hooked: unknown[] = [];
    kms.aws.internalErrors.onError((e) => hooked.push(e));
    const outcome = await kms.aws.invoke('DescribeKey', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('KMSInternalException');
    expect(kms.aws.internalErrors.count).toBe(1);
    expect(kms.aws.internalErrors.last).toBe(boom);
    expect(hooked).toEqual([boom]);
  });
});
