import { CloudTrailClient, DescribeTrailsCommand, LookupEventsCommand, type LookupEventsCommandInput, type Event } from '@aws-sdk/client-cloudtrail';
import { CreateAliasCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/dialects/aws/errors.js';
import { createKms } from '../../src/index.js';
import { ACCOUNT, arnOf, createKey, T0 } from '../support/aws.js';
import { rejection, setup, text } from '../support/kms.js';

function trail(kms: ReturnType<typeof setup>['kms'], options: { account?: string; region?: string } = {}) {
  return new CloudTrailClient({ ...kms.aws.clientConfig(options) });
}

async function all(client: CloudTrailClient, input: LookupEventsCommandInput = {}): Promise<Event[]> {
  const out: Event[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new LookupEventsCommand({ ...input, ...(NextToken ? { NextToken } : {}) }));
    out.push(...page.Events!);
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** A key, an alias, an Encrypt and a Decrypt a minute apart each. */
async function history() {
  const { kms, client } = setup({ seed: 'lookup-events' });
  const key = await createKey(client);
  kms.clock.advance('1m');
  await client.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key.KeyId }));
  kms.clock.advance('1m');
  const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: text('x') }));
  kms.clock.advance('1m');
  await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
  return { kms, client, key, ct: trail(kms) };
}

/** The call must fail with `name` and leave the trail and the state as they were. */
async function refusedLookup(kms: ReturnType<typeof setup>['kms'], ct: CloudTrailClient, input: LookupEventsCommandInput, name: string) {
  const before = JSON.stringify(kms.snapshot().realms);
  const events = kms.engine.audit.appended;
  const e = await rejection(() => ct.send(new LookupEventsCommand(input)));
  expect(e.name, JSON.stringify(input)).toBe(name);
  expect(e.$metadata?.httpStatusCode).toBe(400);
  expect(kms.engine.audit.appended).toBe(events);
  expect(JSON.stringify(kms.snapshot().realms)).toBe(before);
  return e;
}

describe('CloudTrail LookupEvents (in process, @aws-sdk/client-cloudtrail)', () => {
  it('returns the KMS events newest first, as CloudTrail returns them', async () => {
    const { kms, key, ct } = await history();
    const { Events, NextToken } = await ct.send(new LookupEventsCommand({}));
    expect(NextToken).toBeUndefined();
    expect(Events!.map((e) => e.EventName)).toEqual(['Decrypt', 'Encrypt', 'CreateAlias', 'CreateKey']);
    const records = kms.aws.cloudTrail().reverse();
    const decrypt = Events![0]!;
    expect(decrypt).toEqual({
      EventId: records[0]!.eventID,
      EventName: 'Decrypt',
      ReadOnly: 'true',
      AccessKeyId: 'AKIAEMULATOR00000000',
      EventTime: new Date(T0 + 3 * 60_000),
      EventSource: 'kms.amazonaws.com',
      Username: 'root',
      Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: arnOf(key.KeyId!) }],
      CloudTrailEvent: expect.any(String),
    });
    // CloudTrailEvent is the record itself, as a JSON string.
    expect(Events!.map((e) => JSON.parse(e.CloudTrailEvent!))).toEqual(JSON.parse(JSON.stringify(records)));
    expect(Events![2]!.ReadOnly).toBe('false');
  });

  it('filters by each lookup attribute', async () => {
    const { kms, key, ct } = await history();
    const records = kms.aws.cloudTrail();
    const names = async (AttributeKey: string, AttributeValue: string) =>
      (await all(ct, { LookupAttributes: [{ AttributeKey: AttributeKey as 'EventName', AttributeValue }] })).map((e) => e.EventName);
    expect(await names('EventName', 'Encrypt')).toEqual(['Encrypt']);
    expect(await names('ReadOnly', 'false')).toEqual(['CreateAlias', 'CreateKey']);
    expect(await names('ReadOnly', 'true')).toEqual(['Decrypt', 'Encrypt']);
    expect(await names('EventId', records[1]!.eventID)).toEqual(['CreateAlias']);
    expect(await names('ResourceName', arnOf(key.KeyId!))).toEqual(['Decrypt', 'Encrypt', 'CreateAlias', 'CreateKey']);
    expect(await names('ResourceName', key.KeyId!)).toEqual([]);
    expect(await names('ResourceType', 'AWS::KMS::Key')).toHaveLength(4);
    expect(await names('ResourceType', 'AWS::S3::Bucket')).toEqual([]);
    expect(await names('EventSource', 'kms.amazonaws.com')).toHaveLength(4);
    expect(await names('EventSource', 's3.amazonaws.com')).toEqual([]);
    expect(await names('Username', 'root')).toHaveLength(4);
    expect(await names('Username', 'alice')).toEqual([]);
    expect(await names('AccessKeyId', 'AKIAEMULATOR00000000')).toHaveLength(4);
    expect(await names('AccessKeyId', 'AKIAOTHER')).toEqual([]);
  });

  it('keeps events in the time range, both ends included, to the second', async () => {
    const { ct } = await history();
    const at = (minutes: number) => new Date(T0 + minutes * 60_000);
    expect((await all(ct, { StartTime: at(1), EndTime: at(2) })).map((e) => e.EventName)).toEqual(['Encrypt', 'CreateAlias']);
    expect((await all(ct, { StartTime: at(3) })).map((e) => e.EventName)).toEqual(['Decrypt']);
    expect((await all(ct, { EndTime: new Date(T0 + 999) })).map((e) => e.EventName)).toEqual(['CreateKey']);
    expect(await all(ct, { StartTime: at(4) })).toEqual([]);
  });

  it('pages with MaxResults and NextToken; later events do not shift a page', async () => {
    const { kms, client, key, ct } = await history();
    const first = await ct.send(new LookupEventsCommand({ MaxResults: 3 }));
    expect(first.Events!.map((e) => e.EventName)).toEqual(['Decrypt', 'Encrypt', 'CreateAlias']);
    expect(first.NextToken).toBeDefined();
    await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('later') }));
    const second = await ct.send(new LookupEventsCommand({ MaxResults: 3, NextToken: first.NextToken }));
    expect(second.Events!.map((e) => e.EventName)).toEqual(['CreateKey']);
    expect(second.NextToken).toBeUndefined();
    // The same token with another MaxResults is fine: it is bound to the other parameters.
    expect((await ct.send(new LookupEventsCommand({ MaxResults: 1, NextToken: first.NextToken }))).Events!.map((e) => e.EventName)).toEqual(['CreateKey']);
    // MaxResults defaults to 50.
    for (let i = 0; i < 60; i++) await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('more') }));
    const page = await ct.send(new LookupEventsCommand({}));
    expect(page.Events).toHaveLength(50);
    expect(await all(ct)).toHaveLength(65);
    expect(kms.aws.internalErrors.count).toBe(0);
  });

  it('refuses a NextToken made for other parameters, another account, or forged (InvalidNextTokenException), changing nothing', async () => {
    const { kms, ct } = await history();
    const filter = { LookupAttributes: [{ AttributeKey: 'ReadOnly' as const, AttributeValue: 'true' }] };
    const { NextToken } = await ct.send(new LookupEventsCommand({ ...filter, MaxResults: 1 }));
    expect(NextToken).toBeDefined();
    await refusedLookup(kms, ct, { MaxResults: 1, NextToken }, 'InvalidNextTokenException');
    await refusedLookup(kms, ct, { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }], NextToken }, 'InvalidNextTokenException');
    await refusedLookup(kms, ct, { ...filter, StartTime: new Date(T0), NextToken }, 'InvalidNextTokenException');
    await refusedLookup(kms, trail(kms, { account: '444455556666' }), { ...filter, NextToken }, 'InvalidNextTokenException');
    for (const forged of ['x', '1.000000000000000000000000', NextToken!.replace(/^\d+/, '1'), `${NextToken}0`, '__proto__']) {
      await refusedLookup(kms, ct, { ...filter, NextToken: forged }, 'InvalidNextTokenException');
    }
    // The genuine token still works.
    expect((await ct.send(new LookupEventsCommand({ ...filter, MaxResults: 1, NextToken }))).Events).toHaveLength(1);
  });

  it("refuses what CloudTrail refuses, with CloudTrail's errors, changing nothing", async () => {
    const { kms, ct } = await history();
    const attr = (AttributeKey: string, AttributeValue?: string) => ({ LookupAttributes: [{ AttributeKey: AttributeKey as 'EventName', AttributeValue: AttributeValue as string }] });
    await refusedLookup(kms, ct, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }, { AttributeKey: 'ReadOnly', AttributeValue: 'true' }] }, 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, attr('Region', 'us-east-1'), 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, attr('__proto__', 'x'), 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, attr('EventName', ''), 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, attr('EventName'), 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, attr('EventName', 'x'.repeat(2001)), 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, attr('ReadOnly', 'yes'), 'InvalidLookupAttributesException');
    await refusedLookup(kms, ct, { StartTime: new Date(T0 + 60_000), EndTime: new Date(T0) }, 'InvalidTimeRangeException');
    await refusedLookup(kms, ct, { MaxResults: 0 }, 'InvalidMaxResultsException');
    await refusedLookup(kms, ct, { MaxResults: 51 }, 'InvalidMaxResultsException');
    await refusedLookup(kms, ct, { EventCategory: 'management' as 'insight' }, 'InvalidEventCategoryException');
    // Insights events are not emulated: an insight lookup finds none.
    expect((await ct.send(new LookupEventsCommand({ EventCategory: 'insight' }))).Events).toEqual([]);
    expect((await rejection(() => ct.send(new DescribeTrailsCommand({})))).name).toBe('UnknownOperationException');
  });

  it("shows the caller's account and region only", async () => {
    const { kms, ct } = await history();
    const other = new KMSClient({ ...kms.aws.clientConfig({ account: '444455556666' }) });
    await createKey(other);
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    await createKey(west);
    expect(await all(ct)).toHaveLength(4);
    const theirs = await all(trail(kms, { account: '444455556666' }));
    expect(theirs.map((e) => [e.EventName, JSON.parse(e.CloudTrailEvent!).recipientAccountId])).toEqual([['CreateKey', '444455556666']]);
    expect((await all(trail(kms, { region: 'us-west-2' }))).map((e) => JSON.parse(e.CloudTrailEvent!).awsRegion)).toEqual(['us-west-2']);
  });

  it('kms.aws.lookupEvents answers in process, with Dates or epoch seconds', async () => {
    const { kms } = await history();
    const out = kms.aws.lookupEvents({ StartTime: new Date(T0 + 120_000), LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] });
    expect(out.Events.map((e) => [e.EventName, e.EventTime])).toEqual([
      ['Decrypt', (T0 + 180_000) / 1000],
      ['Encrypt', (T0 + 120_000) / 1000],
    ]);
    expect(kms.aws.lookupEvents({ StartTime: (T0 + 180_000) / 1000 }).Events).toHaveLength(1);
    expect(kms.aws.lookupEvents({}, { account: ACCOUNT, region: 'eu-west-1' }).Events).toEqual([]);
    expect(() => kms.aws.lookupEvents({ MaxResults: 'ten' })).toThrow(AwsServiceError);
    expect(() => kms.aws.lookupEvents({ MaxResults: 100 })).toThrow(expect.objectContaining({ name: 'InvalidMaxResultsException' }));
  });

  it('an unexpected failure is answered as CloudTrail answers one (HTTP 500 InternalFailure) and logged', async () => {
    const kms = createKms();
    (kms.engine as { auditPage: unknown }).auditPage = () => {
      throw new Error('boom');
    };
    const e = await rejection(() => new CloudTrailClient({ ...kms.aws.clientConfig(), maxAttempts: 1 }).send(new LookupEventsCommand({})));
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['InternalFailure', 500]);
    expect(kms.aws.internalErrors.count).toBe(1);
  });

  it('service events (rotations, deletions) are in the trail', async () => {
    const { kms, client } = setup();
    const key = await createKey(client);
    await client.send(new (await import('@aws-sdk/client-kms')).ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('8d');
    const [deleted] = await all(trail(kms), { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteKey' }] });
    expect(deleted).toMatchObject({ EventName: 'DeleteKey', ReadOnly: 'false', Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: arnOf(key.KeyId!) }] });
    expect(deleted!.Username).toBeUndefined();
    expect(JSON.parse(deleted!.CloudTrailEvent!).eventType).toBe('AwsServiceEvent');
  });
});
