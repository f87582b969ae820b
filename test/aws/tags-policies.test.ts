import {
  CreateKeyCommand,
  DisableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListKeyPoliciesCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, createKey, refused } from '../support/aws.js';
import { setup } from '../support/kms.js';

const MISSING = '1234abcd-12ab-34cd-56ef-1234567890ab';

async function tagsOf(client: KMSClient, keyId: string) {
  return (await client.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags!;
}

async function policyOf(client: KMSClient, keyId: string) {
  return (await client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!;
}

const tag = (TagKey: string, TagValue = '') => ({ TagKey, TagValue });
const manyTags = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => tag(`${prefix}${i}`, `v${i}`));

const POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Id: 'custom',
    Statement: [
      { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'app', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
    ],
  },
  null,
  4,
);

describe('TagResource', () => {
  it('adds tags that ListResourceTags returns', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('team', 'payments'), tag('env', 'prod')] }));
    expect(await tagsOf(client, key.KeyId!)).toEqual([tag('team', 'payments'), tag('env', 'prod')]);
  });

  it('accepts the key ARN', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [tag('team', 'a')] }));
    expect(await tagsOf(client, key.Arn!)).toEqual([tag('team', 'a')]);
  });

  it('edits a tag: a new value for an existing tag key replaces the old one', async () => {
    const { client } = setup();
    const key = await createKey(client, { Tags: [tag('team', 'old'), tag('env', 'prod')] });
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('team', 'new')] }));
    const tags = await tagsOf(client, key.KeyId!);
    expect(tags).toHaveLength(2);
    expect(tags).toEqual(expect.arrayContaining([tag('team', 'new'), tag('env', 'prod')]));
  });

  it('accepts an empty tag value, a 128-character tag key and a 256-character tag value', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const tags = [tag('empty', ''), tag('k'.repeat(128), 'v'), tag('long', 'v'.repeat(256))];
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags }));
    expect(await tagsOf(client, key.KeyId!)).toEqual(tags);
  });

  it('tags only the key it names', async () => {
    const { client } = setup();
    const a = await createKey(client);
    const b = await createKey(client);
    await client.send(new TagResourceCommand({ KeyId: a.KeyId, Tags: [tag('only', 'a')] }));
    expect(await tagsOf(client, b.KeyId!)).toEqual([]);
  });

  it('tags a disabled key and a key pending import', async () => {
    const { client } = setup();
    const disabled = await createKey(client);
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const external = await createKey(client, { Origin: 'EXTERNAL' });
    for (const key of [disabled, external]) {
      await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('state', 'any')] }));
      expect(await tagsOf(client, key.KeyId!)).toEqual([tag('state', 'any')]);
    }
  });

  it('refuses a tag key with the reserved aws: prefix with TagException and adds none of the tags', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('fine', 'x'), tag('aws:createdBy', 'me')] })));
    expect(err.name).toBe('TagException');
    expect(err.message).toContain('aws:');
    expect(await tagsOf(client, key.KeyId!)).toEqual([]);
  });

  it('the aws: prefix is reserved in any case, at CreateKey as at TagResource and UntagResource', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    for (const name of ['aws:key1', 'AWS:key1', 'Aws:key1']) {
      const atCreate = await refused(kms, () => client.send(new CreateKeyCommand({ Tags: [tag('fine', 'x'), tag(name, 'value1')] })));
      expect(atCreate).toMatchObject({ name: 'TagException', message: 'Tags beginning with aws: are reserved' });
      const atTag = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag(name, 'value1')] })));
      expect(atTag).toMatchObject({ name: 'TagException', message: 'Tags beginning with aws: are reserved' });
      const atUntag = await refused(kms, () => client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: [name] })));
      expect(atUntag.name).toBe('TagException');
    }
    // Only the prefix is reserved: "aws" elsewhere in a key is an ordinary tag.
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('awsx:k', 'v'), tag('my-aws:k', 'v')] }));
    expect(await tagsOf(client, key.KeyId!)).toHaveLength(2);
  });

  it('refuses duplicate tag keys in one request with TagException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('team', 'a'), tag('team', 'b')] })));
    expect(err.name).toBe('TagException');
    expect(err.message).toBe('Duplicate tag keys');
  });

  it('refuses more than 50 tags in one request with TagException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: manyTags(51) })));
    expect(err.name).toBe('TagException');
    expect(err.message).toBe('Too many tags');
  });

  it('a key with 50 tags refuses a 51st with TagException, but still lets existing tags be edited', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Tags: manyTags(50) });
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('one-more', 'x')] })));
    expect(err.name).toBe('TagException');
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('k0', 'edited'), tag('k49', 'edited')] }));
    const tags = (await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags!;
    expect(tags).toHaveLength(50);
    expect(tags.filter((t) => t.TagValue === 'edited').map((t) => t.TagKey)).toEqual(['k0', 'k49']);
  });

  it('refuses a tag key longer than 128 characters with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('k'.repeat(129), 'v')] })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/^1 validation error detected: Value 'k{129}' at 'tags\.1\.member\.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128$/);
  });

  it('refuses an empty tag key with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('ok', 'v'), tag('', 'v')] })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'tags\.2\.member\.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
  });

  it('refuses a tag value longer than 256 characters with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('k', 'v'.repeat(257))] })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'tags\.1\.member\.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256$/);
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: MISSING, Tags: [tag('a', 'b')] })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${MISSING}' does not exist`);
  });

  it('a key pending deletion refuses TagResource with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Tags: [tag('team', 'a')] });
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const err = await refused(kms, () => client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('team', 'b')] })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    expect(await tagsOf(client, key.KeyId!)).toEqual([tag('team', 'a')]);
  });
});

describe('UntagResource', () => {
  it('removes the named tags and keeps the others', async () => {
    const { client } = setup();
    const key = await createKey(client, { Tags: [tag('a', '1'), tag('b', '2'), tag('c', '3')] });
    await client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a', 'c'] }));
    expect(await tagsOf(client, key.KeyId!)).toEqual([tag('b', '2')]);
  });

  it('succeeds for a tag key the key does not have, changing nothing', async () => {
    const { client } = setup();
    const key = await createKey(client, { Tags: [tag('a', '1')] });
    await client.send(new UntagResourceCommand({ KeyId: key.Arn, TagKeys: ['never-set'] }));
    expect(await tagsOf(client, key.KeyId!)).toEqual([tag('a', '1')]);
  });

  it('frees room under the 50-tag limit', async () => {
    const { client } = setup();
    const key = await createKey(client, { Tags: manyTags(50) });
    await client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['k7'] }));
    await client.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [tag('new', 'x')] }));
    const tags = (await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags!;
    expect(tags).toHaveLength(50);
    expect(tags.map((t) => t.TagKey)).toContain('new');
    expect(tags.map((t) => t.TagKey)).not.toContain('k7');
  });

  it('refuses a tag key longer than 128 characters with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Tags: [tag('a', '1')] });
    const err = await refused(kms, () => client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['k'.repeat(129)] })));
    expect(err.name).toBe('ValidationException');
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new UntagResourceCommand({ KeyId: MISSING, TagKeys: ['a'] })));
    expect(err.name).toBe('NotFoundException');
  });

  it('a key pending deletion refuses UntagResource with KMSInvalidStateException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Tags: [tag('team', 'a')] });
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const err = await refused(kms, () => client.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['team'] })));
    expect(err.name).toBe('KMSInvalidStateException');
    expect(await tagsOf(client, key.KeyId!)).toEqual([tag('team', 'a')]);
  });
});

describe('ListResourceTags', () => {
  it('lists no tags for an untagged key, not truncated', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const page = await client.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    expect(page.Tags).toEqual([]);
    expect(page.Truncated).toBe(false);
    expect(page.NextMarker).toBeUndefined();
  });

  it('still lists the tags of a key pending deletion', async () => {
    const { client } = setup();
    const key = await createKey(client, { Tags: [tag('team', 'a')] });
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(await tagsOf(client, key.KeyId!)).toEqual([tag('team', 'a')]);
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListResourceTagsCommand({ KeyId: MISSING })));
    expect(err.name).toBe('NotFoundException');
  });

  it('refuses an alias name, which names no key for it, with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListResourceTagsCommand({ KeyId: 'alias/some-alias' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe("Invalid keyId 'alias/some-alias'");
  });
});

describe('GetKeyPolicy', () => {
  it('returns the policy named default, with or without PolicyName', async () => {
    const { client } = setup();
    const key = await createKey(client, { Policy: POLICY });
    const named = await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
    const unnamed = await client.send(new GetKeyPolicyCommand({ KeyId: key.Arn }));
    expect(named.Policy).toBe(POLICY);
    expect(named.PolicyName).toBe('default');
    expect(unnamed.Policy).toBe(POLICY);
    expect(unnamed.PolicyName).toBe('default');
  });

  it('refuses a PolicyName other than default with NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe('No such policy exists');
  });

  it('refuses a PolicyName outside the model pattern with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'not-a-word' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new GetKeyPolicyCommand({ KeyId: MISSING, PolicyName: 'default' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${MISSING}' does not exist`);
  });

  it('returns the policy of a disabled key and of a key pending deletion', async () => {
    const { client } = setup();
    const disabled = await createKey(client, { Policy: POLICY });
    await client.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const doomed = await createKey(client, { Policy: POLICY });
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    expect(await policyOf(client, disabled.KeyId!)).toBe(POLICY);
    expect(await policyOf(client, doomed.KeyId!)).toBe(POLICY);
  });
});

describe('PutKeyPolicy', () => {
  it('replaces the key policy; GetKeyPolicy returns the new text exactly', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: POLICY }));
    expect(await policyOf(client, key.KeyId!)).toBe(POLICY);
  });

  it('writes the default policy when PolicyName is omitted, by key ARN', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new PutKeyPolicyCommand({ KeyId: key.Arn, Policy: POLICY }));
    expect(await policyOf(client, key.KeyId!)).toBe(POLICY);
  });

  it('changes the policy of one key only', async () => {
    const { client } = setup();
    const a = await createKey(client);
    const b = await createKey(client);
    const before = await policyOf(client, b.KeyId!);
    await client.send(new PutKeyPolicyCommand({ KeyId: a.KeyId, Policy: POLICY }));
    expect(await policyOf(client, b.KeyId!)).toBe(before);
  });

  it('refuses a policy that is not JSON with MalformedPolicyDocumentException and keeps the old policy', async () => {
    const { client, kms } = setup();
    const key = await createKey(client, { Policy: POLICY });
    const err = await refused(kms, () => client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: '{"Version": "2012-10-17",' })));
    expect(err.name).toBe('MalformedPolicyDocumentException');
    expect(await policyOf(client, key.KeyId!)).toBe(POLICY);
  });

  it.each([
    ['a JSON array', '[]'],
    ['a JSON string', '"kms:*"'],
    ['an object without Statement', '{"Version": "2012-10-17"}'],
  ])('refuses %s as a policy with MalformedPolicyDocumentException', async (_what, policy) => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy })));
    expect(err.name).toBe('MalformedPolicyDocumentException');
  });

  it('refuses a policy with characters outside the model pattern with ValidationException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const policy = POLICY.replace('"custom"', '"snow\u2603man"');
    const err = await refused(kms, () => client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });

  it('refuses a PolicyName other than default with NotFoundException', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const err = await refused(kms, () => client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other', Policy: POLICY })));
    expect(err.name).toBe('NotFoundException');
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new PutKeyPolicyCommand({ KeyId: MISSING, Policy: POLICY })));
    expect(err.name).toBe('NotFoundException');
  });
});

describe('ListKeyPolicies', () => {
  it('lists the one policy name, default', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const page = await client.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }));
    expect(page.PolicyNames).toEqual(['default']);
    expect(page.Truncated).toBe(false);
    expect(page.NextMarker).toBeUndefined();
  });

  it('still lists only default after PutKeyPolicy, and for a key pending deletion', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: POLICY }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect((await client.send(new ListKeyPoliciesCommand({ KeyId: key.Arn }))).PolicyNames).toEqual(['default']);
  });

  it('refuses a key that does not exist with NotFoundException', async () => {
    const { client, kms } = setup();
    const err = await refused(kms, () => client.send(new ListKeyPoliciesCommand({ KeyId: MISSING })));
    expect(err.name).toBe('NotFoundException');
  });
});
