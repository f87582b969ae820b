/**
 * The vitest helpers (src/testing/vitest.ts, the `kms-emulator/vitest` entry): the `kms` fixture,
 * `useKms()` in both modes, and the audit-trail matchers with their failure messages. The package
 * entry itself, as a user imports it: test/testing/entry.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { kmsTest, useKms, TEST_START, createKmsTest } from '../../src/testing/vitest.js';

/** The message of a failed assertion, without colours. */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (e) {
    // eslint-disable-next-line no-control-regex
    return (e as Error).message.replace(/\u001b\[[0-9;]*m/g, '');
  }
  throw new Error('the assertion passed');
}

const b64 = (text: string) => btoa(text);

describe('the kms fixture', () => {
  kmsTest('gives a test an emulator on a manual clock at 2026-01-01', async ({ kms }) => {
    expect(kms.clock.now()).toBe(Date.parse(TEST_START));
    await kms.aws.send('CreateKey', { Description: 'first test' });
    expect(kms.aws.cloudTrail()).toHaveLength(1);
  });

  kmsTest('and a new one to the next test: nothing from the test before', async ({ kms }) => {
    expect((await kms.aws.send('ListKeys', {})).Keys).toEqual([]);
    expect(kms).toHaveCloudTrailEventTimes(0, { eventName: 'CreateKey' });
  });

  const seeded = createKmsTest({ seed: 'fixture', start: '2030-05-01T00:00:00Z', setup: (kms) => kms.aws.send('CreateAlias', { AliasName: 'alias/none', TargetKeyId: 'x' }).catch(() => undefined) });
  seeded('createKmsTest takes createKms options, a start time and a setup step', async ({ kms }) => {
    expect(new Date(kms.clock.now()).toISOString()).toBe('2030-05-01T00:00:00.000Z');
    expect(kms).toHaveCloudTrailEvent({ eventName: 'CreateAlias', errorCode: 'NotFoundException' });
  });
});

describe('CloudTrail matchers', () => {
  kmsTest('toHaveCloudTrailEvent matches partially at every depth, with asymmetric matchers and .not', async ({ kms }) => {
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    await kms.aws.send('DisableKey', { KeyId: KeyMetadata.KeyId });
    await expect(kms.aws.send('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: b64('x') })).rejects.toMatchObject({ name: 'DisabledException' });
    expect(kms).toHaveCloudTrailEvent({ eventName: 'Encrypt', errorCode: 'DisabledException' });
    expect(kms).toHaveCloudTrailEvent({ eventName: 'CreateKey', userIdentity: { type: 'Root' }, responseElements: { keyMetadata: { keyState: 'Enabled' } } });
    expect(kms).toHaveCloudTrailEvent({ eventName: expect.stringMatching(/^Dis/), resources: [expect.objectContaining({ type: 'AWS::KMS::Key' })] });
    expect(kms).not.toHaveCloudTrailEvent({ eventName: 'Decrypt' });
    expect(kms.aws).toHaveCloudTrailEventTimes(3, {});
    expect(kms.aws.cloudTrail()).toHaveCloudTrailEventTimes(1, { eventName: 'DisableKey', readOnly: false });
  });

  kmsTest('the clock moves time: a scheduled deletion happens and is a DeleteKey service event', async ({ kms }) => {
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    await kms.aws.send('ScheduleKeyDeletion', { KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
    expect(kms).not.toHaveCloudTrailEvent({ eventName: 'DeleteKey' });
    kms.clock.advance('7d');
    expect(kms).toHaveCloudTrailEvent({ eventName: 'DeleteKey', eventType: 'AwsServiceEvent', eventTime: '2026-01-08T00:00:00Z' });
  });

  kmsTest('a failure says what was expected, how many matched, and lists the closest records with the fields asked for', async ({ kms }) => {
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    const { CiphertextBlob } = await kms.aws.send('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: b64('x') });
    await kms.aws.send('Decrypt', { CiphertextBlob });
    await kms.aws.send('DisableKey', { KeyId: KeyMetadata.KeyId });
    await kms.aws.send('Decrypt', { CiphertextBlob }).catch(() => undefined);
    const message = failure(() => expect(kms).toHaveCloudTrailEvent({ eventName: 'Decrypt', errorCode: 'AccessDeniedException' }));
    expect(message).toBe(
      [
        'Expected the emulator to have a CloudTrail event matching {"eventName": "Decrypt", "errorCode": "AccessDeniedException"}',
        'It has 0 matching CloudTrail events among 5',
        '',
        'Closest CloudTrail events:',
        '  1. Decrypt at 2026-01-01T00:00:00Z [DisabledException] (1/2 fields match): {"eventName": "Decrypt", "errorCode": "DisabledException"}',
        '  2. Decrypt at 2026-01-01T00:00:00Z (1/2 fields match): {"eventName": "Decrypt", "errorCode": undefined}',
        '  3. DisableKey at 2026-01-01T00:00:00Z (0/2 fields match): {"eventName": "DisableKey", "errorCode": undefined}',
        '  4. Encrypt at 2026-01-01T00:00:00Z (0/2 fields match): {"eventName": "Encrypt", "errorCode": undefined}',
        '  5. CreateKey at 2026-01-01T00:00:00Z (0/2 fields match): {"eventName": "CreateKey", "errorCode": undefined}',
      ].join('\n'),
    );
    const negated = failure(() => expect(kms).not.toHaveCloudTrailEvent({ eventName: 'Decrypt' }));
    expect(negated.split('\n').slice(0, 6)).toEqual([
      'Expected the emulator not to have a CloudTrail event matching {"eventName": "Decrypt"}',
      'It has 2 matching CloudTrail events among 5',
      '',
      'Matching and closest CloudTrail events:',
      '  1. Decrypt at 2026-01-01T00:00:00Z [DisabledException] (matches): {"eventName": "Decrypt"}',
      '  2. Decrypt at 2026-01-01T00:00:00Z (matches): {"eventName": "Decrypt"}',
    ]);
    expect(failure(() => expect(kms).toHaveCloudTrailEventTimes(1, { eventName: 'Decrypt' })).split('\n').slice(0, 2)).toEqual([
      'Expected the emulator to have 1 CloudTrail event matching {"eventName": "Decrypt"}',
      'It has 2 matching CloudTrail events among 5',
    ]);
  });

  kmsTest('an empty trail says so, without a list', ({ kms }) => {
    expect(failure(() => expect(kms).toHaveCloudTrailEvent({ eventName: 'Encrypt' }))).toBe(
      'Expected the emulator to have a CloudTrail event matching {"eventName": "Encrypt"}\nIt has 0 matching CloudTrail events among 0',
    );
  });

  kmsTest('bad use is an error naming the matcher: not an emulator, a pattern that is not an object, a bad count', ({ kms }) => {
    expect(() => expect(42).toHaveCloudTrailEvent({ eventName: 'Encrypt' })).toThrow(
      'toHaveCloudTrailEvent: expected an emulator with the aws dialect (createKms()), kms.aws, or an array of CloudTrail events; got number',
    );
    expect(() => expect(kms).toHaveCloudTrailEvent('Encrypt' as never)).toThrow('toHaveCloudTrailEvent: the expected CloudTrail event must be an object of the fields to match, got "Encrypt"');
    expect(() => expect(kms).toHaveCloudTrailEventTimes(-1, {})).toThrow('toHaveCloudTrailEventTimes: the number of times must be a whole number, got number');
  });
});

describe('CloudAudit and CTS matchers', () => {
  kmsTest('toHaveCloudAuditEvent: the CloudAuditEvent JSON string matches as an object (the API error code is inside)', async ({ kms }) => {
    const { KeyId } = await kms.tencent.call('CreateKey', { Alias: 'orders' });
    await kms.tencent.call('Decrypt', { CiphertextBlob: 'not-a-ciphertext' }).catch(() => undefined);
    expect(kms).toHaveCloudAuditEvent({ EventName: 'CreateKey', Resources: { ResourceName: expect.stringContaining(KeyId) } });
    expect(kms).toHaveCloudAuditEvent({ EventName: 'Decrypt', CloudAuditEvent: { apiErrorCode: 'InvalidParameterValue.InvalidCiphertext' } });
    expect(kms.tencent).toHaveCloudAuditEventTimes(2, {});
    const message = failure(() => expect(kms).toHaveCloudAuditEvent({ EventName: 'Encrypt' }));
    expect(message.split('\n')).toEqual([
      'Expected the emulator to have a CloudAudit event matching {"EventName": "Encrypt"}',
      'It has 0 matching CloudAudit events among 2',
      '',
      'Closest CloudAudit events:',
      '  1. Decrypt at 2026-01-01T00:00:00Z (0/1 fields match): {"EventName": "Decrypt"}',
      '  2. CreateKey at 2026-01-01T00:00:00Z (0/1 fields match): {"EventName": "CreateKey"}',
    ]);
  });

  kmsTest('toHaveCtsTrace: request and response JSON strings match as objects', async ({ kms }) => {
    const created = await kms.huawei.call('create-key', { key_alias: 'orders' });
    await kms.huawei.call('describe-key', { key_id: '00000000-0000-4000-8000-000000000000' }).catch(() => undefined);
    expect(kms).toHaveCtsTrace({ trace_name: 'createKey', request: { key_alias: 'orders' }, response: { key_info: { key_id: created.key_info.key_id } } });
    expect(kms).toHaveCtsTraceTimes(1, { trace_name: 'createKey', code: '200' });
    expect(failure(() => expect(kms).toHaveCtsTrace({ trace_name: 'createKey', code: '404' })).split('\n').slice(0, 5)).toEqual([
      'Expected the emulator to have a CTS trace matching {"trace_name": "createKey", "code": "404"}',
      `It has 0 matching CTS traces among ${kms.huawei.traces().length}`,
      '',
      'Closest CTS traces:',
      '  1. createKey at 2026-01-01T00:00:00Z [200] (1/2 fields match): {"trace_name": "createKey", "code": "200"}',
    ]);
  });
});

describe('useKms() (fresh, the default)', () => {
  const kms = useKms({ tencent: { region: 'ap-shanghai' } });
  let first: string | undefined;

  it('each test has its own emulator', async () => {
    first = (await kms.tencent.call('CreateKey', { Alias: 'one' })).KeyId;
    expect(kms).toHaveCloudAuditEvent({ EventName: 'CreateKey', EventRegion: 'ap-shanghai' });
  });

  it('so the key of the test before is not here', async () => {
    expect(first).toBeDefined();
    await expect(kms.tencent.call('DescribeKey', { KeyId: first })).rejects.toMatchObject({ code: 'ResourceUnavailable.CmkNotFound' });
    expect(kms).not.toHaveCloudAuditEvent({ EventName: 'CreateKey' });
  });
});

describe("useKms({ mode: 'shared' })", () => {
  const kms = useKms({ mode: 'shared' });
  let baseKey: string;

  // Runs after useKms's own beforeAll: what it makes is part of the state each test starts from.
  beforeAll(async () => {
    baseKey = (await kms.aws.send('CreateKey', { Description: 'made in beforeAll' })).KeyMetadata.KeyId;
  });

  it('a test changes the shared emulator', async () => {
    await kms.aws.send('CreateKey', { Description: 'made in a test' });
    await kms.aws.send('DisableKey', { KeyId: baseKey });
    expect((await kms.aws.send('ListKeys', {})).Keys).toHaveLength(2);
  });

  it('the next starts from the state after beforeAll: one key, enabled, the trail of beforeAll and this test', async () => {
    expect((await kms.aws.send('ListKeys', {})).Keys).toEqual([expect.objectContaining({ KeyId: baseKey })]);
    expect((await kms.aws.send('DescribeKey', { KeyId: baseKey })).KeyMetadata.KeyState).toBe('Enabled');
    expect(kms).toHaveCloudTrailEventTimes(3, {});
    expect(kms).toHaveCloudTrailEventTimes(0, { eventName: 'DisableKey' });
  });
});
