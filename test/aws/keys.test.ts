import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, arnOf, createKey, DAY, describeKey, refused, T0, UUID } from '../support/aws.js';
import { setup, text } from '../support/kms.js';

describe('CreateKey', () => {
  it('creates an enabled symmetric encryption key owned by the caller account by default', async () => {
    const { client } = setup();
    const key = await createKey(client);
    expect(key.KeyId).toMatch(UUID);
    expect(key).toMatchObject({
      AWSAccountId: ACCOUNT,
      Arn: arnOf(key.KeyId!),
      Enabled: true,
      Description: '',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
    });
    expect(key.CreationDate?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(key.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(key.DeletionDate).toBeUndefined();
  });

  it('gives every key a distinct key id', async () => {
    const { client } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 10; i++) ids.add((await createKey(client)).KeyId!);
    expect(ids.size).toBe(10);
  });

  it('accepts KeySpec SYMMETRIC_DEFAULT, or the deprecated CustomerMasterKeySpec alone', async () => {
    const { client } = setup();
    expect((await createKey(client, { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' })).KeySpec).toBe('SYMMETRIC_DEFAULT');
    expect((await createKey(client, { CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })).CustomerMasterKeySpec).toBe('SYMMETRIC_DEFAULT');
  });

  it('stores the Description, which DescribeKey returns', async () => {
    const { client } = setup();
    const key = await createKey(client, { Description: 'orders database key' });
    expect(key.Description).toBe('orders database key');
    expect((await describeKey(client, key.KeyId!)).Description).toBe('orders database key');
  });

  it('attaches the Tags given at creation, which ListResourceTags returns', async () => {
    const { client } = setup();
    const key = await createKey(client, {
      Tags: [
        { TagKey: 'team', TagValue: 'payments' },
        { TagKey: 'env', TagValue: '' },
      ],
    });
    const { Tags } = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    expect(Tags).toEqual(
      expect.arrayContaining([
        { TagKey: 'team', TagValue: 'payments' },
        { TagKey: 'env', TagValue: '' },
      ]),
    );
    expect(Tags).toHaveLength(2);
  });

  it('stores the Policy given at creation verbatim, which GetKeyPolicy returns', async () => {
    const { client } = setup();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
    });
    const key = await createKey(client, { Policy: policy });
    expect((await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy).toBe(policy);
  });

  it('gives a key created without a Policy the default key policy, which lets the account root do everything', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const { Policy, PolicyName } = await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
    expect(PolicyName).toBe('default');
    expect(JSON.parse(Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
  });

  it('names the root principal of the region partition in the default key policy (aws-cn in China)', async () => {
    const { client } = setup({ region: 'cn-north-1' });
    const key = await createKey(client);
    expect(key.Arn).toBe(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${key.KeyId}`);
    const { Policy } = await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
    expect(JSON.parse(Policy!).Statement[0].Principal).toEqual({ AWS: `arn:aws-cn:iam::${ACCOUNT}:root` });
  });

  it('creates a key with Origin AWS_KMS as an enabled key with key material', async () => {
    const { client } = setup();
    const key = await createKey(client, { Origin: 'AWS_KMS' });
    expect(key).toMatchObject({ Origin: 'AWS_KMS', KeyState: 'Enabled', Enabled: true });
  });

  it('creates a key with Origin EXTERNAL in PendingImport, disabled and without key material', async () => {
    const { client } = setup();
    const key = await createKey(client, { Origin: 'EXTERNAL' });
    expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false, KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(key.CurrentKeyMaterialId).toBeUndefined();
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('PendingImport');
  });

  it('refuses KeySpec and CustomerMasterKeySpec together with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/KeySpec and CustomerMasterKeySpec/);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses KeyUsage SIGN_VERIFY for a SYMMETRIC_DEFAULT key with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe('KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT');
  });

  it('refuses KeyUsage GENERATE_VERIFY_MAC with an explicit SYMMETRIC_DEFAULT KeySpec with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'GENERATE_VERIFY_MAC' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe('KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SYMMETRIC_DEFAULT');
  });

  it('refuses Origin AWS_CLOUDHSM in a custom key store that does not exist with CustomKeyStoreNotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0' })));
    expect(err.name).toBe('CustomKeyStoreNotFoundException');
  });

  it('refuses an Origin outside the model enum with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Origin: 'SOMEWHERE' as never })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/^1 validation error detected: Value 'SOMEWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set/);
  });

  it('refuses a Description longer than 8192 characters with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Description: 'd'.repeat(8193) })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192/);
    expect((await createKey(client, { Description: 'd'.repeat(8192) })).Description).toHaveLength(8192);
  });

  it('refuses tags with the reserved aws: prefix with TagException and creates no key', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] })));
    expect(err.name).toBe('TagException');
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });

  it('refuses duplicate tag keys with TagException and creates no key', async () => {
    const { client, kms } = setup();
    const tags = [
      { TagKey: 'team', TagValue: 'a' },
      { TagKey: 'team', TagValue: 'b' },
    ];
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Tags: tags })));
    expect(err.name).toBe('TagException');
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });

  it('refuses more than 50 tags with TagException', async () => {
    const { client, kms } = setup();
    const tags = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Tags: tags })));
    expect(err.name).toBe('TagException');
    expect((await createKey(client, { Tags: tags.slice(0, 50) })).KeyState).toBe('Enabled');
  });

  it('refuses a Policy that is not JSON with MalformedPolicyDocumentException and creates no key', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new CreateKeyCommand({ Policy: '{"Version": "2012-10-17", "Statement": [' })));
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });
});

describe('DescribeKey', () => {
  it('finds a key by key id, key ARN, alias name and alias ARN', async () => {
    const { client } = setup();
    const key = await createKey(client, { Description: 'four ways' });
    await client.send(new CreateAliasCommand({ AliasName: 'alias/four-ways', TargetKeyId: key.KeyId }));
    for (const ref of [key.KeyId!, key.Arn!, 'alias/four-ways', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/four-ways`]) {
      const found = await describeKey(client, ref);
      expect(found.KeyId).toBe(key.KeyId);
      expect(found.Description).toBe('four ways');
    }
  });

  it('returns the same metadata CreateKey returned', async () => {
    const { client } = setup();
    const key = await createKey(client, { Description: 'same' });
    expect(await describeKey(client, key.KeyId!)).toEqual(key);
  });

  it('refuses a well-formed key id that names no key with NotFoundException naming its ARN', async () => {
    const { client, kms } = setup();
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: id })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key '${arnOf(id)}' does not exist`);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it.each(['fake-key-id', '134f2428cec14b25a1ae9048164dba47', 'mrk-fake-key-id'])(
    "refuses the malformed key id '%s' with NotFoundException \"Invalid keyId\"",
    async (keyId) => {
      const { client, kms } = setup();
      await createKey(client);
      const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: keyId })));
      expect(err.name).toBe('NotFoundException');
      expect(err.message).toBe(`Invalid keyId '${keyId}'`);
    },
  );

  it('refuses the ARN of a key in another region with NotFoundException "Invalid arn <region>"', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: arnOf(key.KeyId!, 'us-west-2') })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe('Invalid arn us-west-2');
  });

  it('refuses the ARN of a key in another account with NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const foreign = `arn:aws:kms:us-east-1:444455556666:key/${key.KeyId}`;
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: foreign })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toContain('444455556666');
  });

  it('does not find a key from a client in another region by its bare key id', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'eu-west-1' }) });
    const err = await refused(kms, () => west.send(new DescribeKeyCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key '${arnOf(key.KeyId!, 'eu-west-1')}' does not exist`);
    const own = await createKey(west);
    expect(own.Arn).toBe(arnOf(own.KeyId!, 'eu-west-1'));
    expect((await describeKey(west, own.KeyId!)).KeyId).toBe(own.KeyId);
  });

  it('refuses an alias name that names no alias with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: 'alias/nothing-here' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/nothing-here is not found.`);
  });

  it('refuses an empty KeyId with ValidationException from the model', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: '' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1/);
  });
});

describe('ListKeys', () => {
  it('lists no keys in a fresh account', async () => {
    const { client } = setup();
    const page = await client.send(new ListKeysCommand({}));
    expect(page.Keys).toEqual([]);
    expect(page.Truncated).toBe(false);
    expect(page.NextMarker).toBeUndefined();
  });

  it('lists every key of the account and region with its id and ARN, in creation order', async () => {
    const { client } = setup();
    const a = await createKey(client);
    const b = await createKey(client, { Origin: 'EXTERNAL' });
    const c = await createKey(client);
    const page = await client.send(new ListKeysCommand({}));
    expect(page.Keys).toEqual([a, b, c].map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })));
    expect(page.Truncated).toBe(false);
  });

  it('still lists disabled keys and keys pending deletion or import', async () => {
    const { client } = setup();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const doomed = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const external = await createKey(client, { Origin: 'EXTERNAL' });
    const ids = (await client.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
    expect(ids).toEqual([disabled.KeyId, doomed.KeyId, external.KeyId]);
  });

  it('does not list keys of another region', async () => {
    const { client, kms } = setup();
    const east = await createKey(client);
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    const other = await createKey(west);
    expect((await client.send(new ListKeysCommand({}))).Keys).toEqual([{ KeyId: east.KeyId, KeyArn: east.Arn }]);
    expect((await west.send(new ListKeysCommand({}))).Keys).toEqual([{ KeyId: other.KeyId, KeyArn: other.Arn }]);
  });

  it('stops listing a key once its deletion waiting period has passed', async () => {
    const { client, kms } = setup();
    const keep = await createKey(client);
    const doomed = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('7d');
    expect((await client.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toEqual([keep.KeyId]);
  });
});

describe('UpdateKeyDescription', () => {
  it('replaces the description, by key id or key ARN', async () => {
    const { client } = setup();
    const key = await createKey(client, { Description: 'old' });
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'new' }));
    expect((await describeKey(client, key.KeyId!)).Description).toBe('new');
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: 'newer' }));
    expect((await describeKey(client, key.KeyId!)).Description).toBe('newer');
  });

  it('accepts an empty description', async () => {
    const { client } = setup();
    const key = await createKey(client, { Description: 'something' });
    await client.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: '' }));
    expect((await describeKey(client, key.KeyId!)).Description).toBe('');
  });

  it('updates the description of a disabled key and of a key pending import', async () => {
    const { client } = setup();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const external = await createKey(client, { Origin: 'EXTERNAL' });
    for (const key of [disabled, external]) {
      await client.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'changed' }));
      expect((await describeKey(client, key.KeyId!)).Description).toBe('changed');
    }
  });

  it('refuses a description longer than 8192 characters with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Description: 'kept' });
    const err = await refused(kms, () => client.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'x'.repeat(8193) })));
    expect(err.name).toBe('ValidationException');
    expect((await describeKey(client, key.KeyId!)).Description).toBe('kept');
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () =>
      client.send(new UpdateKeyDescriptionCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Description: 'x' })),
    );
    expect(err.name).toBe('NotFoundException');
  });
});

describe('EnableKey and DisableKey', () => {
  it('DisableKey makes a key Disabled and EnableKey makes it Enabled again', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect(await describeKey(client, key.KeyId!)).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await client.send(new EnableKeyCommand({ KeyId: key.Arn }));
    expect(await describeKey(client, key.KeyId!)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
  });

  it('EnableKey on an enabled key and DisableKey on a disabled key succeed and change nothing', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('Enabled');
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('Disabled');
  });

  it('a disabled key refuses Encrypt with DisabledException, and encrypts again once enabled', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('secret') })));
    expect(err.name).toBe('DisabledException');
    expect(err.message).toBe(`${key.Arn} is disabled.`);
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect((await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('secret') }))).KeyId).toBe(key.Arn);
  });

  it('a key pending import refuses EnableKey and DisableKey with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Origin: 'EXTERNAL' });
    for (const command of [new EnableKeyCommand({ KeyId: key.KeyId }), new DisableKeyCommand({ KeyId: key.KeyId })]) {
      const err = await refused(kms, () => client.send(command as never));
      expect(err.name).toBe('KMSInvalidStateException');
      expect(err.message).toBe(`${key.Arn} is pending import.`);
    }
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('PendingImport');
  });

  it('a key pending import refuses Encrypt with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Origin: 'EXTERNAL' });
    const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending import.`);
  });

  it('EnableKey refuses an alias name, which names no key for it, with NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/no-enable', TargetKeyId: key.KeyId }));
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const err = await refused(kms, () => client.send(new EnableKeyCommand({ KeyId: 'alias/no-enable' })));
    expect(err.name).toBe('NotFoundException');
  });
});

describe('ScheduleKeyDeletion', () => {
  it('schedules deletion in 30 days by default and answers with the key ARN, state and window', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(out.KeyId).toBe(key.Arn);
    expect(out.KeyState).toBe('PendingDeletion');
    expect(out.PendingWindowInDays).toBe(30);
    expect(out.DeletionDate?.getTime()).toBe(T0 + 30 * DAY);
  });

  it.each([7, 15, 30])('accepts a waiting period of %i days', async (days) => {
    const { client } = setup();
    const key = await createKey(client);
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: days }));
    expect(out.PendingWindowInDays).toBe(days);
    expect(out.DeletionDate?.getTime()).toBe(T0 + days * DAY);
  });

  it('puts the key in PendingDeletion with a DeletionDate that DescribeKey shows', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    kms.clock.advance('2h');
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));
    const described = await describeKey(client, key.KeyId!);
    expect(described).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
    expect(described.DeletionDate?.getTime()).toBe(T0 + 2 * 3_600_000 + 10 * DAY);
  });

  it('refuses a waiting period of 6 days with ValidationException in AWS words', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7",
    );
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('Enabled');
  });

  it('refuses a waiting period of 31 days with ValidationException in AWS words', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 31 })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
    );
  });

  it('schedules deletion of a disabled key and of a key pending import', async () => {
    const { client } = setup();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const external = await createKey(client, { Origin: 'EXTERNAL' });
    for (const key of [disabled, external]) {
      const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      expect(out.KeyState).toBe('PendingDeletion');
    }
  });

  it('a key pending deletion refuses another ScheduleKeyDeletion with KMSInvalidStateException and keeps its date', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const err = await refused(kms, () => client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    expect((await describeKey(client, key.KeyId!)).DeletionDate?.getTime()).toBe(T0 + 7 * DAY);
  });

  it('deletes the key when the waiting period ends: DescribeKey then answers NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('6d23h');
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('PendingDeletion');
    kms.clock.advance('1h');
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key '${key.Arn}' does not exist`);
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ScheduleKeyDeletionCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' })));
    expect(err.name).toBe('NotFoundException');
  });
});

describe('CancelKeyDeletion', () => {
  it('cancels a scheduled deletion, answers with the key ARN and leaves the key Disabled', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const out = await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(out.KeyId).toBe(key.Arn);
    const described = await describeKey(client, key.KeyId!);
    expect(described).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(described.DeletionDate).toBeUndefined();
    expect(described.PendingDeletionWindowInDays).toBeUndefined();
  });

  it('a key whose deletion was canceled survives its old deletion date and can be enabled again', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await client.send(new CancelKeyDeletionCommand({ KeyId: key.Arn }));
    kms.clock.advance('8d');
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('Disabled');
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('Enabled');
  });

  it('a key can be scheduled for deletion again after a cancellation, with a new date', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    kms.clock.advance('1d');
    const out = await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 20 }));
    expect(out.DeletionDate?.getTime()).toBe(T0 + 21 * DAY);
    kms.clock.advance('7d');
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('PendingDeletion');
  });

  it('refuses an enabled key, which is not pending deletion, with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toContain(key.Arn!);
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('Enabled');
  });

  it('refuses a disabled key and a key pending import with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const external = await createKey(client, { Origin: 'EXTERNAL' });
    for (const key of [disabled, external]) {
      const err = await refused(kms, () => client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })));
      expect(err.name).toBe('KMSInvalidStateException');
    }
  });

  it('returns a key without key material to PendingImport, where it still refuses EnableKey and Encrypt', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Origin: 'EXTERNAL' });
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await client.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(await describeKey(client, key.KeyId!)).toMatchObject({ KeyState: 'PendingImport', Enabled: false });
    expect((await refused(kms, () => client.send(new EnableKeyCommand({ KeyId: key.KeyId })))).name).toBe('KMSInvalidStateException');
    const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })));
    expect(err.name).toBe('KMSInvalidStateException');
  });
});

describe('key states: a key pending deletion', () => {
  async function pendingDeletion() {
    const e = setup();
    const key = await createKey(e.client, { Description: 'doomed', Tags: [{ TagKey: 'team', TagValue: 'a' }] });
    await e.client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    await e.client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    return { ...e, key };
  }

  it('refuses EnableKey with KMSInvalidStateException', async () => {
    const { client, kms, key } = await pendingDeletion();
    const err = await refused(kms, () => client.send(new EnableKeyCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
  });

  it('refuses DisableKey with KMSInvalidStateException', async () => {
    const { client, kms, key } = await pendingDeletion();
    const err = await refused(kms, () => client.send(new DisableKeyCommand({ KeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
  });

  it('refuses UpdateKeyDescription with KMSInvalidStateException', async () => {
    const { client, kms, key } = await pendingDeletion();
    const err = await refused(kms, () => client.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'saved?' })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect((await describeKey(client, key.KeyId!)).Description).toBe('doomed');
  });

  it('refuses Encrypt with KMSInvalidStateException, by key id and by alias', async () => {
    const { client, kms, key } = await pendingDeletion();
    for (const ref of [key.KeyId!, 'alias/doomed']) {
      const err = await refused(kms, () => client.send(new EncryptCommand({ KeyId: ref, Plaintext: text('x') })));
      expect(err.name).toBe('KMSInvalidStateException');
      expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    }
  });

  it('is still described, by key id and by its alias', async () => {
    const { client, key } = await pendingDeletion();
    expect((await describeKey(client, key.KeyId!)).KeyState).toBe('PendingDeletion');
    expect((await describeKey(client, 'alias/doomed')).KeyId).toBe(key.KeyId);
  });

  it('still shows its tags and its key policy', async () => {
    const { client, key } = await pendingDeletion();
    expect((await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([{ TagKey: 'team', TagValue: 'a' }]);
    expect((await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy).toContain('kms:*');
  });
});
