/**
 * The jest entry without jest (not a dependency here): its matchers registered on a stand-in
 * `expect.extend` and called as jest calls them (`this` = { isNot, equals, utils }), and `useKms`
 * driven through stand-in hooks run in jest's order. The CommonJS path (`require('kms-emulator/jest')`
 * in a setup file) is tested from a packed project in test/cjs.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { kmsMatchers, registerKmsMatchers, useKms } from '../../src/testing/jest.js';
import { basicEquals } from '../../src/testing/match.js';

type Matcher = (this: unknown, received: unknown, ...args: unknown[]) => { pass: boolean; message: () => string };

/** A stand-in `expect.extend` that keeps what it is given. */
function fakeExpect() {
  const registered: Record<string, Matcher> = {};
  return { registered, extend: (m: Record<string, unknown>) => Object.assign(registered, m) };
}

/** Hooks kept in lists and run by hand, in jest's order. */
function fakeHooks() {
  const hooks = { beforeAll: [] as Array<() => unknown>, beforeEach: [] as Array<() => unknown>, afterEach: [] as Array<() => unknown> };
  return {
    hooks: { beforeAll: (f: () => unknown) => hooks.beforeAll.push(f), beforeEach: (f: () => unknown) => hooks.beforeEach.push(f), afterEach: (f: () => unknown) => hooks.afterEach.push(f) },
    async suite(...tests: Array<() => Promise<void>>) {
      for (const f of hooks.beforeAll) await f();
      for (const t of tests) {
        for (const f of hooks.beforeEach) await f();
        await t();
        for (const f of hooks.afterEach) await f();
      }
    },
  };
}

describe('kms-emulator/jest', () => {
  it('registers the six matchers with expect.extend; without an expect it registers nothing and says so', () => {
    const fake = fakeExpect();
    expect(registerKmsMatchers(fake)).toBe(true);
    expect(Object.keys(fake.registered).sort()).toEqual([
      'toHaveCloudAuditEvent',
      'toHaveCloudAuditEventTimes',
      'toHaveCloudTrailEvent',
      'toHaveCloudTrailEventTimes',
      'toHaveCtsTrace',
      'toHaveCtsTraceTimes',
    ]);
    expect(registerKmsMatchers({} as never)).toBe(false);
  });

  it('the matchers work with a context of jest’s shape, with and without its equals (asymmetric matchers honoured)', async () => {
    const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    await kms.aws.send('Encrypt', { KeyId: 'alias/missing', Plaintext: btoa('x') }).catch(() => undefined);
    for (const context of [{ isNot: false }, { isNot: false, equals: basicEquals }]) {
      expect(kmsMatchers.toHaveCloudTrailEvent.call(context, kms, { eventName: 'Encrypt', errorCode: 'NotFoundException' }).pass).toBe(true);
      expect(kmsMatchers.toHaveCloudTrailEvent.call(context, kms, { eventName: 'CreateKey', resources: [{ ARN: expect.stringContaining(KeyMetadata.KeyId) }] }).pass).toBe(false);
      expect(kmsMatchers.toHaveCloudTrailEvent.call(context, kms, { eventName: 'CreateKey', resources: [expect.objectContaining({ ARN: expect.stringContaining(KeyMetadata.KeyId) })] }).pass).toBe(true);
      expect(kmsMatchers.toHaveCloudTrailEventTimes.call(context, kms, 2, {}).pass).toBe(true);
    }
    const failed = kmsMatchers.toHaveCloudTrailEvent.call({ isNot: false }, kms, { eventName: 'Encrypt', errorCode: 'AccessDeniedException' });
    expect(failed.pass).toBe(false);
    expect(failed.message()).toBe(
      [
        'Expected the emulator to have a CloudTrail event matching {"eventName": "Encrypt", "errorCode": "AccessDeniedException"}',
        'It has 0 matching CloudTrail events among 2',
        '',
        'Closest CloudTrail events:',
        '  1. Encrypt at 2026-01-01T00:00:00Z [NotFoundException] (1/2 fields match): {"eventName": "Encrypt", "errorCode": "NotFoundException"}',
        '  2. CreateKey at 2026-01-01T00:00:00Z (0/2 fields match): {"eventName": "CreateKey", "errorCode": undefined}',
      ].join('\n'),
    );
    // expect(kms).not.toHaveCloudTrailEvent(…) failing: jest passes isNot and reads the message.
    expect(kmsMatchers.toHaveCloudTrailEvent.call({ isNot: true }, kms, { eventName: 'CreateKey' }).message().split('\n')[0]).toBe(
      'Expected the emulator not to have a CloudTrail event matching {"eventName": "CreateKey"}',
    );
  });

  it('useKms(): a fresh emulator per test by default', async () => {
    const { hooks, suite } = fakeHooks();
    const kms = useKms({}, hooks);
    expect(() => kms.aws).toThrow('useKms(): the emulator exists only while a test (or a hook after useKms) runs');
    const counts: number[] = [];
    const test = async () => {
      await kms.huawei.call('create-key', { key_alias: `k${counts.length}` });
      counts.push(kms.huawei.traces().length);
      expect(kmsMatchers.toHaveCtsTrace.call({}, kms, { trace_name: 'createKey', request: { key_alias: `k${counts.length - 1}` } }).pass).toBe(true);
    };
    await suite(test, test, test);
    expect(counts).toEqual([1, 1, 1]);
  });

  it("useKms({ mode: 'shared' }): one emulator, put back after each test to its state when the first began", async () => {
    const { hooks, suite } = fakeHooks();
    const kms = useKms({ mode: 'shared', start: '2027-01-01T00:00:00Z' }, hooks);
    let made: unknown;
    hooks.beforeAll(async () => {
      made = (await kms.tencent.call('CreateKey', { Alias: 'base' })).KeyId;
    });
    const seen: number[] = [];
    let instance: unknown;
    const test = async () => {
      instance ??= kms.engine;
      expect(kms.engine).toBe(instance);
      await kms.tencent.call('CreateKey', { Alias: `more-${seen.length}` });
      seen.push((await kms.tencent.call('ListKeys', {})).TotalCount);
      expect(kmsMatchers.toHaveCloudAuditEventTimes.call({}, kms, 2, { EventName: 'CreateKey' }).pass).toBe(true);
    };
    await suite(test, test);
    expect(made).toBeTypeOf('string');
    expect(seen).toEqual([2, 2]);
    expect(new Date(kms.clock.now()).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('useKms() outside a framework, with no global hooks and none given, says what it needs; a bad mode is refused', () => {
    expect(() => useKms()).toThrow('useKms(): no global beforeAll/beforeEach/afterEach (run it inside jest, or pass the hooks as the second argument)');
    expect(() => useKms({ mode: 'once' as never }, fakeHooks().hooks)).toThrow(`useKms: mode must be 'fresh' or 'shared', got "once"`);
  });
});
