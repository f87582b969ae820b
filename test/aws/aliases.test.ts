import {
  CreateAliasCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, aliasArn, aliasNames, createKey, describeKey, PREDEFINED_ALIASES, refused, T0 } from '../support/aws.js';
import { setup } from '../support/kms.js';

async function targetOf(client: KMSClient, alias: string) {
  return (await describeKey(client, alias)).KeyId;
}

describe('CreateAlias', () => {
  it('creates an alias that DescribeKey resolves to its key', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const out = await client.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: key.KeyId }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(await targetOf(client, 'alias/orders')).toBe(key.KeyId);
  });

  it('accepts the key ARN as TargetKeyId', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/by-arn', TargetKeyId: key.Arn }));
    expect(await targetOf(client, 'alias/by-arn')).toBe(key.KeyId);
  });

  it('ListAliases shows the alias with its ARN, target key and dates', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/listed', TargetKeyId: key.KeyId }));
    const { Aliases, Truncated } = await client.send(new ListAliasesCommand({}));
    expect(Truncated).toBe(false);
    expect(Aliases!.slice(PREDEFINED_ALIASES.length)).toEqual([
      {
        AliasName: 'alias/listed',
        AliasArn: aliasArn('alias/listed'),
        TargetKeyId: key.KeyId,
        CreationDate: new Date(T0),
        LastUpdatedDate: new Date(T0),
      },
    ]);
  });

  it('lets one key have several aliases', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (const name of ['alias/one', 'alias/two', 'alias/three']) {
      await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId }));
    }
    for (const name of ['alias/one', 'alias/two', 'alias/three']) expect(await targetOf(client, name)).toBe(key.KeyId);
    expect(await aliasNames(client, { KeyId: key.KeyId })).toEqual(['alias/one', 'alias/two', 'alias/three']);
  });

  it('accepts names with letters, digits, slashes, underscores, dashes and colons, up to 256 characters', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const long = `alias/${'a'.repeat(250)}`;
    expect(long).toHaveLength(256);
    for (const name of ['alias/Team_1/app-prod', 'alias/with:colon', long]) {
      await client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId }));
      expect(await targetOf(client, name)).toBe(key.KeyId);
    }
  });

  it('creates aliases for a disabled key and for a key pending import', async () => {
    const { client } = setup();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const external = await createKey(client, { Origin: 'EXTERNAL' });
    await client.send(new CreateAliasCommand({ AliasName: 'alias/disabled', TargetKeyId: disabled.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/external', TargetKeyId: external.KeyId }));
    expect(await targetOf(client, 'alias/disabled')).toBe(disabled.KeyId);
    expect(await targetOf(client, 'alias/external')).toBe(external.KeyId);
  });

  it('allows the same alias name in two regions, each naming its own key', async () => {
    const { client, kms } = setup();
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    const east = await createKey(client);
    const other = await createKey(west);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/shared', TargetKeyId: east.KeyId }));
    await west.send(new CreateAliasCommand({ AliasName: 'alias/shared', TargetKeyId: other.KeyId }));
    expect(await targetOf(client, 'alias/shared')).toBe(east.KeyId);
    expect(await targetOf(west, 'alias/shared')).toBe(other.KeyId);
    const westList = (await west.send(new ListAliasesCommand({}))).Aliases!;
    expect(westList.slice(PREDEFINED_ALIASES.length).map((a) => a.AliasArn)).toEqual([aliasArn('alias/shared', 'us-west-2')]);
  });

  it('refuses a name without the alias/ prefix with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: 'orders', TargetKeyId: key.KeyId })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  });

  it('refuses the reserved alias/aws/ prefix with NotAuthorizedException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: key.KeyId })));
    expect(err.name).toBe('NotAuthorizedException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it.each([
    ['a space', 'alias/has space'],
    ['a dot', 'alias/has.dot'],
    ['a non-ASCII letter', 'alias/caf\u00e9'],
  ])('refuses a name with %s with ValidationException from the model pattern', async (_what, name) => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
    );
  });

  it('refuses a name longer than 256 characters with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const name = `alias/${'a'.repeat(251)}`;
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256$/);
  });

  it('refuses a name that is already taken with AlreadyExistsException, keeping the first target', async () => {
    const { client, kms } = setup();
    const first = await createKey(client);
    const second = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: first.KeyId }));
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: second.KeyId })));
    expect(err.name).toBe('AlreadyExistsException');
    expect(err.message).toBe(`An alias with the name ${aliasArn('alias/taken')} already exists`);
    expect(await targetOf(client, 'alias/taken')).toBe(first.KeyId);
  });

  it('refuses a target key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    await createKey(client);
    const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: 'alias/nowhere', TargetKeyId: id })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}' does not exist`);
  });

  it('refuses a target key that does not exist, in a region with no keys yet, without changing anything', async () => {
    const { kms } = setup();
    const fresh = new KMSClient({ ...kms.aws.clientConfig({ region: 'ap-southeast-2' }) });
    const err = await refused(kms, () =>
      fresh.send(new CreateAliasCommand({ AliasName: 'alias/nowhere', TargetKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' })),
    );
    expect(err.name).toBe('NotFoundException');
  });

  it('an alias cannot be created for a key pending deletion: KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const err = await refused(kms, () => client.send(new CreateAliasCommand({ AliasName: 'alias/late', TargetKeyId: key.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
  });
});

describe('UpdateAlias', () => {
  it('points an alias at another key, keeping its creation date and moving its last-updated date', async () => {
    const { client, kms } = setup();
    const first = await createKey(client);
    const second = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: first.KeyId }));
    kms.clock.advance('3h');
    await client.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: second.Arn }));
    expect(await targetOf(client, 'alias/moving')).toBe(second.KeyId);
    const [alias] = (await client.send(new ListAliasesCommand({ KeyId: second.KeyId }))).Aliases!;
    expect(alias!.TargetKeyId).toBe(second.KeyId);
    expect(alias!.CreationDate).toEqual(new Date(T0));
    expect(alias!.LastUpdatedDate).toEqual(new Date(T0 + 3 * 3_600_000));
  });

  it('moves the alias from the old key to the new one in ListAliases filtered by KeyId', async () => {
    const { client } = setup();
    const first = await createKey(client);
    const second = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: first.KeyId }));
    await client.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: second.KeyId }));
    expect(await aliasNames(client, { KeyId: first.KeyId })).toEqual([]);
    expect(await aliasNames(client, { KeyId: second.KeyId })).toEqual(['alias/moving']);
  });

  it('refuses an alias that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new UpdateAliasCommand({ AliasName: 'alias/ghost', TargetKeyId: key.KeyId })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Alias ${aliasArn('alias/ghost')} is not found.`);
  });

  it('refuses a new target key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/stays', TargetKeyId: key.KeyId }));
    const err = await refused(kms, () =>
      client.send(new UpdateAliasCommand({ AliasName: 'alias/stays', TargetKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' })),
    );
    expect(err.name).toBe('NotFoundException');
    expect(await targetOf(client, 'alias/stays')).toBe(key.KeyId);
  });

  it('refuses a new target key pending deletion with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const doomed = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/stays', TargetKeyId: key.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    const err = await refused(kms, () => client.send(new UpdateAliasCommand({ AliasName: 'alias/stays', TargetKeyId: doomed.KeyId })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${doomed.Arn} is pending deletion.`);
  });

  it('refuses a name without the alias/ prefix with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new UpdateAliasCommand({ AliasName: 'orders', TargetKeyId: key.KeyId })));
    expect(err.name).toBe('ValidationException');
  });
});

describe('DeleteAlias', () => {
  it('deletes the alias; the key stays and the alias name then names nothing', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/short-lived', TargetKeyId: key.KeyId }));
    await client.send(new DeleteAliasCommand({ AliasName: 'alias/short-lived' }));
    expect(await aliasNames(client)).toEqual([]);
    expect((await client.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: 'alias/short-lived' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Alias ${aliasArn('alias/short-lived')} is not found.`);
  });

  it('frees the name for a new alias', async () => {
    const { client } = setup();
    const first = await createKey(client);
    const second = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/reused', TargetKeyId: first.KeyId }));
    await client.send(new DeleteAliasCommand({ AliasName: 'alias/reused' }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/reused', TargetKeyId: second.KeyId }));
    expect(await targetOf(client, 'alias/reused')).toBe(second.KeyId);
  });

  it('deletes the alias of a key pending deletion', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await client.send(new DeleteAliasCommand({ AliasName: 'alias/doomed' }));
    expect(await aliasNames(client)).toEqual([]);
  });

  it('refuses an alias that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    await createKey(client);
    const err = await refused(kms, () => client.send(new DeleteAliasCommand({ AliasName: 'alias/ghost' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Alias ${aliasArn('alias/ghost')} is not found.`);
  });

  it('refuses a name without the alias/ prefix with ValidationException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new DeleteAliasCommand({ AliasName: 'ghost' })));
    expect(err.name).toBe('ValidationException');
  });
});

describe('ListAliases', () => {
  it('lists the aliases of the account and region in creation order', async () => {
    const { client } = setup();
    const a = await createKey(client);
    const b = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/zeta', TargetKeyId: a.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/alpha', TargetKeyId: b.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/mid', TargetKeyId: a.KeyId }));
    const { Aliases } = await client.send(new ListAliasesCommand({}));
    expect(Aliases!.map((x) => [x.AliasName, x.TargetKeyId])).toEqual([
      ...PREDEFINED_ALIASES.map((name) => [name, undefined]),
      ['alias/zeta', a.KeyId],
      ['alias/alpha', b.KeyId],
      ['alias/mid', a.KeyId],
    ]);
  });

  it('with KeyId lists only the aliases of that key, by key id or key ARN', async () => {
    const { client } = setup();
    const a = await createKey(client);
    const b = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/a1', TargetKeyId: a.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/b1', TargetKeyId: b.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/a2', TargetKeyId: a.KeyId }));
    expect(await aliasNames(client, { KeyId: a.KeyId })).toEqual(['alias/a1', 'alias/a2']);
    expect(await aliasNames(client, { KeyId: b.Arn })).toEqual(['alias/b1']);
  });

  it('with KeyId of a key without aliases lists nothing', async () => {
    const { client } = setup();
    const a = await createKey(client);
    const b = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/a1', TargetKeyId: a.KeyId }));
    const page = await client.send(new ListAliasesCommand({ KeyId: b.KeyId }));
    expect(page.Aliases).toEqual([]);
    expect(page.Truncated).toBe(false);
  });

  it('with KeyId of a key that does not exist refuses with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListAliasesCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' })));
    expect(err.name).toBe('NotFoundException');
  });

  it('still lists the aliases of a key pending deletion', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(await aliasNames(client)).toEqual(['alias/doomed']);
    expect(await aliasNames(client, { KeyId: key.KeyId })).toEqual(['alias/doomed']);
  });

  it('the aliases of a deleted key disappear when the key is deleted, and their names become free', async () => {
    const { client, kms } = setup();
    const keep = await createKey(client);
    const doomed = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/keep', TargetKeyId: keep.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/gone-1', TargetKeyId: doomed.KeyId }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/gone-2', TargetKeyId: doomed.KeyId }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    kms.clock.advance('7d');
    expect(await aliasNames(client)).toEqual(['alias/keep']);
    const err = await refused(kms, () => client.send(new DescribeKeyCommand({ KeyId: 'alias/gone-1' })));
    expect(err.name).toBe('NotFoundException');
    await client.send(new CreateAliasCommand({ AliasName: 'alias/gone-1', TargetKeyId: keep.KeyId }));
    expect(await aliasNames(client, { KeyId: keep.KeyId })).toEqual(['alias/keep', 'alias/gone-1']);
  });

  it('does not list aliases of another region', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/east-only', TargetKeyId: key.KeyId }));
    const west = new KMSClient({ ...kms.aws.clientConfig({ region: 'us-west-2' }) });
    expect(await aliasNames(west)).toEqual([]);
  });
});
