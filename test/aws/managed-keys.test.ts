import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListAliasesCommand,
  ListGrantsCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  UpdatePrimaryRegionCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { ACCOUNT, aliasArn, arnOf, createKey, DAY, DRY_RUN, PREDEFINED_ALIASES, refused, T0 } from '../support/aws.js';
import { setup, START, str, text } from '../support/kms.js';

/** Describes `alias`, which makes its AWS managed key on first use. */
async function managedKey(client: KMSClient, alias = 'alias/aws/s3') {
  return (await client.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!;
}

const denied = (operation: string, keyId: string, caller = `arn:aws:iam::${ACCOUNT}:root`) =>
  `User: ${caller} is not authorized to perform: kms:${operation} on resource: ${arnOf(keyId)} because no resource-based policy allows the kms:${operation} action`;

describe('AWS managed keys are made on first use of their predefined alias', () => {
  it('DescribeKey makes the key: KeyManager AWS, a symmetric key enabled, its alias pointing at it', async () => {
    const { client } = setup();
    const key = await managedKey(client, 'alias/aws/s3');
    expect(key).toMatchObject({
      AWSAccountId: ACCOUNT,
      KeyManager: 'AWS',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Enabled: true,
      Origin: 'AWS_KMS',
      MultiRegion: false,
      Description: 'Default key that protects my S3 objects when no other key is defined',
      CreationDate: new Date(T0),
    });
    expect(key.Arn).toBe(arnOf(key.KeyId!));
    // The second call finds the same key; nothing more is made.
    expect((await managedKey(client, 'alias/aws/s3')).KeyId).toBe(key.KeyId);
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([{ KeyId: key.KeyId, KeyArn: key.Arn }]);
    const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: key.KeyId }));
    expect(Aliases).toEqual([{ AliasName: 'alias/aws/s3', AliasArn: aliasArn('alias/aws/s3'), TargetKeyId: key.KeyId, CreationDate: new Date(T0), LastUpdatedDate: new Date(T0) }]);
  });

  it('the alias ARN names the predefined alias as well', async () => {
    const { client } = setup();
    const key = await managedKey(client, aliasArn('alias/aws/secretsmanager'));
    expect(key.KeyManager).toBe('AWS');
    expect((await managedKey(client, 'alias/aws/secretsmanager')).KeyId).toBe(key.KeyId);
  });

  it('Encrypt makes the key, and Decrypt opens what it sealed', async () => {
    const { client } = setup();
    const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/aws/ebs', Plaintext: text('volume key'), EncryptionContext: { volume: 'vol-1' } }));
    const key = await managedKey(client, 'alias/aws/ebs');
    expect(sealed.KeyId).toBe(key.Arn);
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { volume: 'vol-1' } }));
    expect(str(opened.Plaintext)).toBe('volume key');
    expect(opened.KeyId).toBe(key.Arn);
  });

  it('GenerateDataKey and GenerateDataKeyWithoutPlaintext make the key', async () => {
    const { client } = setup();
    const dk = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/aws/rds', KeySpec: 'AES_256' }));
    expect(dk.KeyId).toBe((await managedKey(client, 'alias/aws/rds')).Arn);
    const opened = await client.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(opened.Plaintext).toEqual(dk.Plaintext);
    const bare = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'alias/aws/dynamodb', NumberOfBytes: 16 }));
    expect(bare.KeyId).toBe((await managedKey(client, 'alias/aws/dynamodb')).Arn);
    expect((await client.send(new ListKeysCommand({}))).Keys).toHaveLength(2);
  });

  it('each account and Region has its own AWS managed key for a service', async () => {
    const { client, kms } = setup();
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    const other = new KMSClient({ ...kms.aws.clientConfig({ account: '444455556666' }) });
    const ids = [await managedKey(client), await managedKey(west), await managedKey(other)].map((k) => k.Arn);
    expect(new Set(ids).size).toBe(3);
    expect(ids[1]).toContain(':us-west-2:');
    expect(ids[2]).toContain(':444455556666:');
  });

  it('in the China Regions the key is SM4 (SYMMETRIC_DEFAULT there) and its policy names amazonaws.com.cn', async () => {
    const { client } = setup({ region: 'cn-north-1' });
    const key = await managedKey(client, 'alias/aws/s3');
    expect(key).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyManager: 'AWS' });
    const policy = JSON.parse((await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId!, PolicyName: 'default' }))).Policy!);
    expect(policy.Statement[0].Condition.StringEquals['kms:ViaService']).toBe('s3.cn-north-1.amazonaws.com.cn');
    expect(policy.Statement[1].Principal.AWS).toBe(`arn:aws-cn:iam::${ACCOUNT}:root`);
  });

  it('an alias/aws/ name that no service predefines names nothing, and makes nothing', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: 'alias/aws/nosuchservice' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Alias ${aliasArn('alias/aws/nosuchservice')} is not found.`);
    for (const name of ['alias/aws/__proto__', 'alias/aws/constructor', 'alias/aws/toString']) {
      expect((await refused(kms, () => client.send(new EncryptCommand({ KeyId: name, Plaintext: text('x') })))).name).toBe('NotFoundException');
    }
  });

  it('a dry run makes no key', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: 'alias/aws/sqs', Plaintext: text('x'), DryRun: true })));
    expect(err.name).toBe('DryRunOperationException');
    expect(err.message).toBe(DRY_RUN);
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });

  it('reading the alias list makes nothing', async () => {
    const { client } = setup();
    await client.send(new ListAliasesCommand({}));
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });
});

describe('ListAliases shows the predefined aliases', () => {
  it('lists each predefined alias with its name and ARN only (no key, no dates) until its key exists', async () => {
    const { client } = setup();
    const before = (await client.send(new ListAliasesCommand({}))).Aliases!;
    expect(before).toEqual(PREDEFINED_ALIASES.map((name) => ({ AliasName: name, AliasArn: aliasArn(name) })));
    const key = await managedKey(client, 'alias/aws/lambda');
    const after = (await client.send(new ListAliasesCommand({}))).Aliases!;
    // The made alias is listed with the account's aliases, with its key and dates; the others stay as they were.
    expect(after.map((a) => a.AliasName)).toEqual([...PREDEFINED_ALIASES.filter((n) => n !== 'alias/aws/lambda'), 'alias/aws/lambda']);
    expect(after.at(-1)).toEqual({ AliasName: 'alias/aws/lambda', AliasArn: aliasArn('alias/aws/lambda'), TargetKeyId: key.KeyId, CreationDate: new Date(T0), LastUpdatedDate: new Date(T0) });
  });

  it('pages through the predefined aliases and the account’s aliases with markers, each once', async () => {
    const { client } = setup();
    const mine = await createKey(client);
    for (const name of ['alias/one', 'alias/two']) await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: mine.KeyId }));
    await managedKey(client, 'alias/aws/ebs');
    const names: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await client.send(new ListAliasesCommand({ Limit: 5, ...(Marker ? { Marker } : {}) }));
      expect(page.Aliases!.length).toBeLessThanOrEqual(5);
      names.push(...page.Aliases!.map((a) => a.AliasName!));
      Marker = page.NextMarker;
      expect(page.Truncated).toBe(Marker !== undefined);
    } while (Marker);
    expect(names).toEqual([...PREDEFINED_ALIASES.filter((n) => n !== 'alias/aws/ebs'), 'alias/one', 'alias/two', 'alias/aws/ebs']);
  });

  it('a marker of another listing is refused', async () => {
    const { client, kms } = setup();
    const page = await client.send(new ListAliasesCommand({ Limit: 3 }));
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    const err = await refused(kms, () => west.send(new ListAliasesCommand({ Limit: 3, Marker: page.NextMarker })));
    expect(err.name).toBe('InvalidMarkerException');
  });
});

describe('AWS rotates AWS managed keys every year', () => {
  it('GetKeyRotationStatus answers true with a period of 365 days, and the rotation comes at its date', async () => {
    const { client, kms } = setup();
    const key = await managedKey(client);
    const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365, NextRotationDate: new Date(T0 + 365 * DAY), KeyId: key.Arn });
    const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: text('before') }));
    kms.clock.advance('365d');
    const rotations = (await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
    expect(rotations.map((r) => [r.RotationType, r.RotationDate])).toEqual([['AUTOMATIC', new Date(T0 + 365 * DAY)]]);
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext)).toBe('before');
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate).toEqual(new Date(T0 + 730 * DAY));
  });
});

describe('the key policy of an AWS managed key', () => {
  it('lets the service use the key for the account (kms:ViaService, kms:CallerAccount) and the account read it', async () => {
    const { client } = setup();
    const key = await managedKey(client, 'alias/aws/s3');
    const { Policy, PolicyName } = await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
    expect(PolicyName).toBe('default');
    expect(JSON.parse(Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'auto-s3-2',
      Statement: [
        {
          Sid: 'Allow access through S3 for all principals in the account that are authorized to use S3',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    });
  });

  it('services that make grants for their resources (EBS) may also create them', async () => {
    const { client } = setup();
    const key = await managedKey(client, 'alias/aws/ebs');
    const policy = JSON.parse((await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!);
    expect(policy.Statement[0].Action).toContain('kms:CreateGrant');
    expect(policy.Statement[0].Condition.StringEquals['kms:ViaService']).toBe('ec2.us-east-1.amazonaws.com');
    expect(policy.Statement[1].Action).toContain('kms:RevokeGrant');
  });
});

describe('what a customer may not do with an AWS managed key', () => {
  const refusals: Array<[string, (keyId: string) => any]> = [
    ['ScheduleKeyDeletion', (KeyId) => new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 })],
    ['CancelKeyDeletion', (KeyId) => new CancelKeyDeletionCommand({ KeyId })],
    ['DisableKey', (KeyId) => new DisableKeyCommand({ KeyId })],
    ['EnableKey', (KeyId) => new EnableKeyCommand({ KeyId })],
    ['EnableKeyRotation', (KeyId) => new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 })],
    ['DisableKeyRotation', (KeyId) => new DisableKeyRotationCommand({ KeyId })],
    ['RotateKeyOnDemand', (KeyId) => new RotateKeyOnDemandCommand({ KeyId })],
    ['PutKeyPolicy', (KeyId) => new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: '{"Version":"2012-10-17","Statement":[]}' })],
    ['TagResource', (KeyId) => new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'team', TagValue: 'x' }] })],
    ['UntagResource', (KeyId) => new UntagResourceCommand({ KeyId, TagKeys: ['team'] })],
    ['UpdateKeyDescription', (KeyId) => new UpdateKeyDescriptionCommand({ KeyId, Description: 'mine now' })],
    ['CreateAlias', (KeyId) => new CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: KeyId })],
    // The policy refuses these before the key is found to be a single-Region key.
    ['ReplicateKey', (KeyId) => new ReplicateKeyCommand({ KeyId, ReplicaRegion: 'us-west-2' })],
    ['UpdatePrimaryRegion', (KeyId) => new UpdatePrimaryRegionCommand({ KeyId, PrimaryRegion: 'us-west-2' })],
  ];

  it.each(refusals)('%s is refused with AccessDeniedException and changes nothing', async (operation, command) => {
    const { client, kms } = setup();
    const key = await managedKey(client);
    const err = await refused(kms, () => client.send(command(key.KeyId!)));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(denied(operation, key.KeyId!));
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('ImportKeyMaterial is refused with AccessDeniedException; GetParametersForImport (a read the policy allows) with the origin error', async () => {
    const { client, kms } = setup();
    const key = await managedKey(client);
    const importing = await refused(kms, () =>
      client.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: new Uint8Array(16), EncryptedKeyMaterial: new Uint8Array(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })),
    );
    expect(importing.name).toBe('AccessDeniedException');
    expect(importing.message).toBe(denied('ImportKeyMaterial', key.KeyId!));
    const params = await refused(kms, () => client.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })));
    expect(params.name).toBe('UnsupportedOperationException');
    expect(params.message).toBe(`${key.Arn} origin is AWS_KMS which is not valid for this operation.`);
  });

  it('the message names the calling user', async () => {
    const { client, kms } = setup();
    const key = await managedKey(client);
    const outcome = await kms.aws.invoke('DisableKey', { KeyId: key.KeyId }, { principal: { account: ACCOUNT, type: 'user', id: 'AIDAEXAMPLE', name: 'alice' } });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.message).toBe(denied('DisableKey', key.KeyId!, `arn:aws:iam::${ACCOUNT}:user/alice`));
  });

  it('UpdateAlias cannot point a customer alias at an AWS managed key', async () => {
    const { client, kms } = setup();
    const mine = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: mine.KeyId }));
    const key = await managedKey(client);
    const err = await refused(kms, () => client.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key.KeyId })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(denied('UpdateAlias', key.KeyId!));
  });

  it.each([
    ['CreateAlias', () => new CreateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: 'placeholder' })],
    ['UpdateAlias', () => new UpdateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: 'placeholder' })],
    ['DeleteAlias', () => new DeleteAliasCommand({ AliasName: 'alias/aws/s3' })],
  ] as const)('%s of an alias/aws/ name is refused with NotAuthorizedException and changes nothing', async (_operation, command) => {
    const { client, kms } = setup();
    const mine = await createKey(client);
    await managedKey(client, 'alias/aws/s3');
    const cmd = command();
    if ('TargetKeyId' in cmd.input) (cmd.input as { TargetKeyId: string }).TargetKeyId = mine.KeyId!;
    const err = await refused(kms, () => client.send(cmd as any));
    expect(err.name).toBe('NotAuthorizedException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('after every refusal the key is as it was: enabled, rotating, its policy, no tags, its alias', async () => {
    const { client } = setup();
    const key = await managedKey(client);
    const policy = (await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy;
    for (const [, command] of refusals) await client.send(command(key.KeyId!)).catch(() => undefined);
    expect(await managedKey(client)).toEqual(key);
    expect((await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(true);
    expect((await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(policy);
    expect((await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([]);
    expect((await client.send(new ListAliasesCommand({ KeyId: key.KeyId }))).Aliases!.map((a) => a.AliasName)).toEqual(['alias/aws/s3']);
  });

  it('CreateGrant is allowed, as services grant their resources the use of the key', async () => {
    const { client } = setup();
    const key = await managedKey(client, 'alias/aws/ebs');
    const grant = await client.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/ebs`, Operations: ['Decrypt', 'GenerateDataKeyWithoutPlaintext'] }),
    );
    const { Grants } = await client.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    expect(Grants!.map((g) => g.GrantId)).toEqual([grant.GrantId]);
  });

  it('CloudTrail records the refusal with its error code', async () => {
    const { client, kms } = setup();
    const key = await managedKey(client);
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId })).catch(() => undefined);
    const [record] = kms.aws.cloudTrail((r) => r.eventName === 'DisableKey');
    expect(record).toMatchObject({ errorCode: 'AccessDenied', errorMessage: denied('DisableKey', key.KeyId!) });
  });
});

describe('AWS managed keys are durable', () => {
  it('survive a snapshot and restore: same key, alias, policy, rotation schedule, and still refused', async () => {
    const { client, kms } = setup({ seed: 'managed' });
    const key = await managedKey(client, 'alias/aws/s3');
    const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: text('kept') }));
    const snap = JSON.parse(JSON.stringify(kms.snapshot()));
    const restored = createKms({ clock: new ManualClock(START), seed: 'managed' });
    restored.restore(snap);
    expect(restored.snapshot()).toEqual(kms.snapshot());
    const again = new KMSClient({ ...restored.aws.clientConfig() });
    expect(await managedKey(again, 'alias/aws/s3')).toEqual(key);
    expect(str((await again.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext)).toBe('kept');
    expect((await again.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate).toEqual(new Date(T0 + 365 * DAY));
    expect((await refused(restored, () => again.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })))).name).toBe('AccessDeniedException');
    restored.clock.advance('365d');
    expect((await again.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.map((r) => r.RotationType)).toEqual(['AUTOMATIC']);
  });

  it('travel in change records: a replica fed only them equals the live emulator', async () => {
    const { client, kms } = setup({ seed: 'journal' });
    const replica = createKms({ clock: new ManualClock(START), seed: 'journal' });
    const sync = () => {
      const changes = kms.engine.takeChanges();
      if (changes) replica.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
      expect({ ...replica.snapshot(), takenAt: 0 }).toEqual({ ...kms.snapshot(), takenAt: 0 });
    };
    sync();
    await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/aws/secretsmanager', NumberOfBytes: 32 }));
    sync();
    const key = await managedKey(client, 'alias/aws/secretsmanager');
    const mirrored = await managedKey(new KMSClient({ ...replica.aws.clientConfig() }), 'alias/aws/secretsmanager');
    expect(mirrored).toEqual(key);
    // The replica did not make a second key: the alias it read was the journal's.
    expect((await new KMSClient({ ...replica.aws.clientConfig() }).send(new ListKeysCommand({}))).Keys).toHaveLength(1);
  });
});
