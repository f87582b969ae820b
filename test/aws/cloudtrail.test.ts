import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  KMSClient,
  ListKeysCommand,
  ReEncryptCommand,
  RetireGrantCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord, Kms, ManualClock } from '../../src/index.js';
import { ACCOUNT, UUID_V4 as UUID } from '../support/aws.js';
import { b64, rejection, setup, START, text } from '../support/kms.js';

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const HEX64 = /^[0-9a-f]{64}$/;

const resource = (arn: string) => ({ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arn });
const last = (kms: Kms<ManualClock>): CloudTrailRecord => kms.aws.cloudTrail().at(-1)!;

/** The fields every API-call record has, whatever the operation. */
function expectApiCallShape(r: CloudTrailRecord, region = 'us-east-1') {
  expect(r.eventVersion).toBe('1.11');
  expect(r.userIdentity).toEqual({
    type: 'Root',
    principalId: ACCOUNT,
    arn: `arn:aws:iam::${ACCOUNT}:root`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAEMULATOR00000000',
  });
  expect(r.eventTime).toMatch(ISO_SECONDS);
  expect(r.eventSource).toBe('kms.amazonaws.com');
  expect(r.awsRegion).toBe(region);
  expect(r.sourceIPAddress).toBe('127.0.0.1');
  expect(r.userAgent).toMatch(/aws-sdk-js/);
  expect(r.requestID).toMatch(UUID);
  expect(r.eventID).toMatch(UUID);
  expect(r.eventType).toBe('AwsApiCall');
  expect(r.managementEvent).toBe(true);
  expect(r.recipientAccountId).toBe(ACCOUNT);
  expect(r.eventCategory).toBe('Management');
  expect(r.serviceEventDetails).toBeUndefined();
}

/** The fields every service event (RotateKey, DeleteKey) has. */
function expectServiceEventShape(r: CloudTrailRecord, name: string, arn: string) {
  expect(r).toMatchObject({
    eventVersion: '1.11',
    userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
    eventSource: 'kms.amazonaws.com',
    eventName: name,
    awsRegion: 'us-east-1',
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    readOnly: false,
    resources: [resource(arn)],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
  expect(Object.keys(r.userIdentity).sort()).toEqual(['accountId', 'invokedBy']);
  expect(r.requestID).toBeUndefined();
  expect(r.eventID).toMatch(UUID);
  expect(r.eventTime).toMatch(ISO_SECONDS);
  expect(r.errorCode).toBeUndefined();
  expect(r.additionalEventData).toBeUndefined();
}

describe('one record per call', () => {
  it('records every call, successful or not, in order, with the request id the SDK saw', async () => {
    const { client, kms } = setup();
    const expected: Array<{ name: string; requestId: string | undefined; error?: string }> = [];
    const call = async <T extends { $metadata: { requestId?: string } }>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        const out = await fn();
        expected.push({ name, requestId: out.$metadata.requestId });
        return out;
      } catch (e) {
        const err = e as { name: string; $metadata: { requestId?: string } };
        expected.push({ name, requestId: err.$metadata.requestId, error: err.name });
        return undefined;
      }
    };
    const created = await call('CreateKey', () => client.send(new CreateKeyCommand({})));
    const keyId = created!.KeyMetadata!.KeyId!;
    const enc = (await call('Encrypt', () => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('p') }))))!;
    await call('Decrypt', () => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
    await call('Decrypt', () => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { wrong: 'ctx' } })));
    await call('Encrypt', () => client.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: text('p') })));
    await call('Encrypt', () => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(0) })));
    await call('Encrypt', () => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('p'), DryRun: true })));
    await call('GenerateDataKey', () => client.send(new GenerateDataKeyCommand({ KeyId: keyId })));
    await call('GenerateRandom', () => client.send(new GenerateRandomCommand({ NumberOfBytes: 16 })));
    await call('ListKeys', () => client.send(new ListKeysCommand({})));
    await call('DisableKey', () => client.send(new DisableKeyCommand({ KeyId: keyId })));
    await call('Encrypt', () => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('p') })));
    await call('DescribeKey', () => client.send(new DescribeKeyCommand({ KeyId: keyId })));

    const records = kms.aws.cloudTrail();
    expect(records).toHaveLength(expected.length);
    expect(records.map((r) => r.eventName)).toEqual(expected.map((e) => e.name));
    expect(records.map((r) => r.requestID)).toEqual(expected.map((e) => e.requestId));
    expect(records.map((r) => r.errorCode)).toEqual(expected.map((e) => e.error));
    expect(expected.map((e) => e.error)).toEqual([
      undefined,
      undefined,
      undefined,
      'InvalidCiphertextException',
      'NotFoundException',
      'ValidationException',
      'DryRunOperationException',
      'ValidationException',
      undefined,
      undefined,
      undefined,
      'DisabledException',
      undefined,
    ]);
    for (const r of records) expectApiCallShape(r);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(records.length);
    expect(new Set(records.map((r) => r.requestID)).size).toBe(records.length);
  });

  it('eventTime follows the clock, at second precision', async () => {
    const { client, kms } = setup();
    await client.send(new ListKeysCommand({}));
    kms.clock.advance('1d2h3m4s');
    kms.clock.advance(999);
    await client.send(new ListKeysCommand({}));
    const [a, b] = kms.aws.cloudTrail();
    expect(a!.eventTime).toBe('2026-01-01T00:00:00Z');
    expect(b!.eventTime).toBe('2026-01-02T02:03:04Z');
    expect(Date.parse(START)).toBe(Date.parse(a!.eventTime));
  });

  it('records the region and the access key of the calling client', async () => {
    const { kms } = setup();
    const eu = new KMSClient({ ...kms.aws.clientConfig({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } }) });
    const { KeyMetadata } = await eu.send(new CreateKeyCommand({}));
    const r = last(kms);
    expect(r.awsRegion).toBe('eu-west-1');
    expect(r.userIdentity.accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
    expect(r.resources).toEqual([resource(KeyMetadata!.Arn!)]);
    expect(r.resources[0]!.ARN).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
  });
});

describe('record shapes', () => {
  it('CreateKey: requestParameters and keyMetadata in responseElements, as in the CloudTrail examples', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({ Description: 'orders' }));
    const r = last(kms);
    expectApiCallShape(r);
    expect(r.eventName).toBe('CreateKey');
    expect(r.readOnly).toBe(false);
    expect(r.requestParameters).toEqual({
      description: 'orders',
      origin: 'AWS_KMS',
      bypassPolicyLockoutSafetyCheck: false,
      customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      multiRegion: false,
    });
    expect(r.responseElements).toEqual({
      keyMetadata: {
        AWSAccountId: ACCOUNT,
        keyId: key!.KeyId,
        arn: key!.Arn,
        creationDate: 'Jan 1, 2026, 12:00:00 AM',
        enabled: true,
        description: 'orders',
        keyUsage: 'ENCRYPT_DECRYPT',
        keyState: 'Enabled',
        origin: 'AWS_KMS',
        keyManager: 'CUSTOMER',
        customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        keySpec: 'SYMMETRIC_DEFAULT',
        encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        multiRegion: false,
      },
    });
    expect(r.resources).toEqual([resource(key!.Arn!)]);
    expect(r.additionalEventData).toBeUndefined();
    expect(r.errorCode).toBeUndefined();
  });

  it('CreateKey with Origin EXTERNAL records a disabled PendingImport key, as in the seed example', async () => {
    const { client, kms } = setup();
    kms.clock.advance('22h38m27s');
    await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    const r = last(kms);
    expect(r.requestParameters).toMatchObject({ origin: 'EXTERNAL', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' });
    expect(r.responseElements).toMatchObject({
      keyMetadata: { enabled: false, keyState: 'PendingImport', origin: 'EXTERNAL', creationDate: 'Jan 1, 2026, 10:38:27 PM' },
    });
  });

  it('Encrypt, Decrypt, GenerateDataKey*, ReEncrypt: null responseElements and key material ids in additionalEventData', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    const { KeyMetadata: dest } = await client.send(new CreateKeyCommand({}));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key!.KeyId }));
    const m = key!.CurrentKeyMaterialId!;
    const md = dest!.CurrentKeyMaterialId!;
    expect(m).toMatch(HEX64);
    const { GrantToken } = await client.send(
      new CreateGrantCommand({ KeyId: key!.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/app`, Operations: ['Encrypt'] }),
    );

    const enc = await client.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: text('p'), EncryptionContext: { dept: 'hr' }, GrantTokens: [GrantToken!] }));
    let r = last(kms);
    expectApiCallShape(r);
    expect(r).toMatchObject({ eventName: 'Encrypt', readOnly: true, responseElements: null, resources: [resource(key!.Arn!)] });
    expect(r.requestParameters).toEqual({ keyId: 'alias/app', encryptionContext: { dept: 'hr' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(r.additionalEventData).toEqual({ keyMaterialId: m });

    await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { dept: 'hr' } }));
    r = last(kms);
    expect(r).toMatchObject({ eventName: 'Decrypt', readOnly: true, responseElements: null, resources: [resource(key!.Arn!)] });
    // Decrypt always logs the key ARN and the algorithm, even when the request named neither.
    expect(r.requestParameters).toEqual({ keyId: key!.Arn, encryptionContext: { dept: 'hr' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(r.additionalEventData).toEqual({ keyMaterialId: m });

    await client.send(new GenerateDataKeyCommand({ KeyId: key!.KeyId, KeySpec: 'AES_256', EncryptionContext: { dept: 'hr' } }));
    r = last(kms);
    expect(r).toMatchObject({ eventName: 'GenerateDataKey', readOnly: true, responseElements: null, resources: [resource(key!.Arn!)] });
    expect(r.requestParameters).toEqual({ keyId: key!.KeyId, keySpec: 'AES_256', encryptionContext: { dept: 'hr' } });
    expect(r.additionalEventData).toEqual({ keyMaterialId: m });

    await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key!.Arn, NumberOfBytes: 24 }));
    r = last(kms);
    expect(r).toMatchObject({ eventName: 'GenerateDataKeyWithoutPlaintext', readOnly: true, responseElements: null, resources: [resource(key!.Arn!)] });
    expect(r.requestParameters).toEqual({ keyId: key!.Arn, numberOfBytes: 24 });
    expect(r.additionalEventData).toEqual({ keyMaterialId: m });

    await client.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { dept: 'hr' },
        DestinationKeyId: dest!.KeyId,
        DestinationEncryptionContext: { dept: 'ops' },
      }),
    );
    r = last(kms);
    expect(r).toMatchObject({ eventName: 'ReEncrypt', readOnly: true, responseElements: null });
    // Source first, then destination.
    expect(r.resources).toEqual([resource(key!.Arn!), resource(dest!.Arn!)]);
    expect(r.requestParameters).toEqual({
      sourceEncryptionContext: { dept: 'hr' },
      destinationKeyId: dest!.KeyId,
      destinationEncryptionContext: { dept: 'ops' },
      sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(r.additionalEventData).toEqual({ sourceKeyMaterialId: m, destinationKeyMaterialId: md });

    await client.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    r = last(kms);
    expect(r).toMatchObject({ eventName: 'GenerateRandom', readOnly: true, responseElements: null, resources: [], requestParameters: { numberOfBytes: 32 } });
  });

  it('requestParameters are lowerCamelCase and never hold Plaintext, CiphertextBlob or grant tokens', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    const grantee = `arn:aws:iam::${ACCOUNT}:role/app`;
    const tokens: string[] = [];
    for (const op of ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'GenerateDataKey', 'RetireGrant'] as const) {
      const { GrantToken } = await client.send(new CreateGrantCommand({ KeyId: key!.KeyId, GranteePrincipal: grantee, Operations: [op] }));
      tokens.push(GrantToken!);
    }
    const enc = await client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: text('p'), GrantTokens: [tokens[0]!, tokens[1]!] }));
    await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, GrantTokens: [tokens[1]!] }));
    await client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: key!.KeyId, GrantTokens: [tokens[2]!] }));
    await client.send(new GenerateDataKeyCommand({ KeyId: key!.KeyId, NumberOfBytes: 16, GrantTokens: [tokens[3]!] }));
    await client.send(new RetireGrantCommand({ GrantToken: tokens[4]! }));
    for (const r of kms.aws.cloudTrail()) {
      const params = (r.requestParameters ?? {}) as Record<string, unknown>;
      for (const name of Object.keys(params)) expect(name, `${r.eventName}.${name}`).toMatch(/^[a-z][A-Za-z]*$/);
      expect(params).not.toHaveProperty('plaintext');
      expect(params).not.toHaveProperty('ciphertextBlob');
      expect(params).not.toHaveProperty('grantTokens');
    }
    const trail = JSON.stringify(kms.aws.cloudTrail());
    for (const token of tokens) expect(trail).not.toContain(token);
  });

  it('failures carry errorCode and errorMessage, no responseElements and no key material ids', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    await client.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
    await rejection(() => client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: text('p') })));
    let r = last(kms);
    expectApiCallShape(r);
    expect(r).toMatchObject({
      eventName: 'Encrypt',
      errorCode: 'DisabledException',
      errorMessage: `${key!.Arn} is disabled.`,
      responseElements: null,
      resources: [resource(key!.Arn!)],
      requestParameters: { keyId: key!.KeyId },
    });
    expect(r.additionalEventData).toBeUndefined();

    await rejection(() => client.send(new GenerateDataKeyCommand({ KeyId: key!.KeyId, NumberOfBytes: 2000 })));
    r = last(kms);
    expect(r.errorCode).toBe('ValidationException');
    expect(r.errorMessage).toBe(
      "1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    expect(r.requestParameters).toEqual({ keyId: key!.KeyId, numberOfBytes: 2000 });

    await rejection(() => client.send(new DescribeKeyCommand({ KeyId: 'alias/nothing' })));
    r = last(kms);
    expect(r).toMatchObject({
      eventName: 'DescribeKey',
      readOnly: true,
      errorCode: 'NotFoundException',
      errorMessage: `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nothing is not found.`,
      resources: [],
    });
  });

  it('EnableKeyRotation, RotateKeyOnDemand and ScheduleKeyDeletion record their parameters and responses', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    await client.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId, RotationPeriodInDays: 180 }));
    let r = last(kms);
    expect(r).toMatchObject({
      eventName: 'EnableKeyRotation',
      readOnly: false,
      requestParameters: { keyId: key!.KeyId, rotationPeriodInDays: 180 },
      responseElements: { keyId: key!.Arn },
      resources: [resource(key!.Arn!)],
    });
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key!.KeyId }));
    // Both records carry the same time; the order between the two is not asserted.
    const recent = kms.aws.cloudTrail().slice(-2);
    expect(recent.map((x) => x.eventName).sort()).toEqual(['RotateKey', 'RotateKeyOnDemand']);
    const onDemand = recent.find((x) => x.eventName === 'RotateKeyOnDemand');
    const rotated = recent.find((x) => x.eventName === 'RotateKey');
    expect(onDemand).toMatchObject({ eventName: 'RotateKeyOnDemand', eventType: 'AwsApiCall', requestParameters: { keyId: key!.KeyId }, responseElements: { keyId: key!.KeyId } });
    // The rotation itself is a RotateKey service event of type ON_DEMAND.
    const now = (await client.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    expectServiceEventShape(rotated!, 'RotateKey', key!.Arn!);
    expect(rotated!.serviceEventDetails).toEqual({
      rotationType: 'ON_DEMAND',
      keyOrigin: 'AWS_KMS',
      previousKeyMaterialId: key!.CurrentKeyMaterialId,
      currentKeyMaterialId: now,
    });

    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
    r = last(kms);
    expect(r).toMatchObject({
      eventName: 'ScheduleKeyDeletion',
      readOnly: false,
      requestParameters: { keyId: key!.KeyId, pendingWindowInDays: 7 },
      responseElements: { keyId: key!.Arn, keyState: 'PendingDeletion', deletionDate: 'Jan 8, 2026, 12:00:00 AM' },
    });
  });
});

describe('failed decryption', () => {
  it('a Decrypt refused for its encryption context still names the ciphertext key and the algorithm', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: text('p'), EncryptionContext: { a: '1' } }));
    const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '2' } })));
    expect(err.name).toBe('InvalidCiphertextException');
    const r = last(kms);
    expect(r).toMatchObject({
      eventName: 'Decrypt',
      errorCode: 'InvalidCiphertextException',
      resources: [resource(key!.Arn!)],
      requestParameters: { keyId: key!.Arn, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { a: '2' } },
    });
    expect(r.additionalEventData).toBeUndefined();
  });

  it('a Decrypt of bytes that are no ciphertext records no resource', async () => {
    const { client, kms } = setup();
    await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: text('not a ciphertext at all') })));
    expect(last(kms)).toMatchObject({ eventName: 'Decrypt', errorCode: 'InvalidCiphertextException', resources: [] });
  });
});

describe('service events', () => {
  it('automatic rotation appears as a RotateKey AwsServiceEvent at the rotation time', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    await client.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId, RotationPeriodInDays: 90 }));
    const before = kms.aws.cloudTrail().length;
    kms.clock.advance('100d');
    const records = kms.aws.cloudTrail();
    expect(records).toHaveLength(before + 1);
    const r = records.at(-1)!;
    expectServiceEventShape(r, 'RotateKey', key!.Arn!);
    expect(r.eventTime).toBe('2026-04-01T00:00:00Z');
    const now = (await client.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    expect(r.serviceEventDetails).toEqual({
      rotationType: 'AUTOMATIC',
      keyOrigin: 'AWS_KMS',
      previousKeyMaterialId: key!.CurrentKeyMaterialId,
      currentKeyMaterialId: now,
    });
    expect(now).not.toBe(key!.CurrentKeyMaterialId);
  });

  it('deletion appears as a DeleteKey AwsServiceEvent at the deletion date', async () => {
    const { client, kms } = setup();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('3d');
    await client.send(new ListKeysCommand({}));
    kms.clock.advance('30d');
    const records = kms.aws.cloudTrail();
    expect(records.map((r) => r.eventName)).toEqual(['CreateKey', 'ScheduleKeyDeletion', 'ListKeys', 'DeleteKey']);
    const r = records.at(-1)!;
    expectServiceEventShape(r, 'DeleteKey', key!.Arn!);
    expect(r.eventTime).toBe('2026-01-08T00:00:00Z');
    expect(r.serviceEventDetails).toBeUndefined();
  });
});

describe('no secrets in records', () => {
  it('no record holds the base64 (or hex) of any plaintext, data key or ciphertext of the test', async () => {
    const { client, kms } = setup({ seed: 'secrets' });
    const secrets: Uint8Array[] = [];
    const keep = (...items: Array<Uint8Array | undefined>) => {
      for (const i of items) if (i) secrets.push(i);
    };
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    const { KeyMetadata: other } = await client.send(new CreateKeyCommand({}));
    const plaintext = text('Top secret: the launch code is 0000-1111-2222.');
    keep(plaintext);
    const enc = await client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: plaintext, EncryptionContext: { ctx: 'v' } }));
    keep(enc.CiphertextBlob);
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { ctx: 'v' } }));
    keep(dec.Plaintext);
    const dk = await client.send(new GenerateDataKeyCommand({ KeyId: key!.KeyId, KeySpec: 'AES_256' }));
    keep(dk.Plaintext, dk.CiphertextBlob);
    const dk16 = await client.send(new GenerateDataKeyCommand({ KeyId: key!.KeyId, NumberOfBytes: 16 }));
    keep(dk16.Plaintext, dk16.CiphertextBlob);
    const dkw = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key!.KeyId, KeySpec: 'AES_128' }));
    keep(dkw.CiphertextBlob);
    keep((await client.send(new DecryptCommand({ CiphertextBlob: dkw.CiphertextBlob }))).Plaintext);
    const re = await client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { ctx: 'v' }, DestinationKeyId: other!.KeyId }));
    keep(re.CiphertextBlob);
    keep((await client.send(new GenerateRandomCommand({ NumberOfBytes: 48 }))).Plaintext);
    // Failed and dry-run calls carry secrets too.
    const tooLong = new Uint8Array(4097).fill(0x41);
    keep(tooLong);
    await rejection(() => client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: tooLong })));
    const dryPlain = text('dry run plaintext that must not be logged');
    keep(dryPlain);
    await rejection(() => client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: dryPlain, DryRun: true })));
    const tampered = enc.CiphertextBlob!.slice();
    tampered[tampered.length - 1]! ^= 1;
    keep(tampered);
    await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { ctx: 'v' } })));
    await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key!.KeyId }));

    const all = JSON.stringify(kms.aws.cloudTrail());
    expect(kms.aws.cloudTrail().length).toBeGreaterThan(15);
    for (const s of secrets) {
      expect(all).not.toContain(b64(s));
      expect(all).not.toContain(Buffer.from(s).toString('hex'));
      // Also no long run of the base64 (an excerpt of a blob).
      const encoded = b64(s);
      if (encoded.length >= 24) expect(all).not.toContain(encoded.slice(4, 24));
    }
    expect(all).not.toContain('launch code');
    expect(all).not.toContain('dry run plaintext');
    expect(all).not.toContain('AAAAAAAAAAAAAAAA'); // base64 of the 4097 'A' bytes would be QUFB…, raw would be AAAA…
    expect(all).not.toContain('QUFBQUFBQUFB');
  });
});
