/**
 * The authorization mode through @aws-sdk/client-kms, in process, with named callers: the examples of
 * AWS's "Key policies in AWS KMS" and "Using IAM policies with AWS KMS" guides, each asserting who is
 * allowed and who is refused, with AWS's exact message.
 */
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock, principalFromArn, type AuthorizationMode, type AwsIdentity, type Kms } from '../../src/index.js';
import { rejection, START, text } from '../support/kms.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const KEY_ADMIN = `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`;
const KEY_USER = `arn:aws:iam::${ACCOUNT}:role/KeyUser`;
/** How AWS names a session of a role in its messages (the emulator's default session name). */
const session = (roleArn: string) => roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/kms-emulator';

function emulator(authorization: AuthorizationMode = 'enforce'): Kms<ManualClock> {
  return createKms({ clock: new ManualClock(START), seed: 'authorization', authorization });
}

/** A client calling as `principal`, with its identity policies (documents) and tags. */
function as(kms: Kms, principal: string, identity?: AwsIdentity, extra: { viaService?: string } = {}): KMSClient {
  return new KMSClient({ ...kms.aws.clientConfig({ principal, ...(identity ? { identity } : {}), ...extra }) });
}

const allow = (action: string | string[], resource: string | string[] = '*', condition?: object) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }],
});

function denied(principal: string, action: string, resource: string | undefined, why: string): string {
  const on = resource === undefined ? '' : ` on resource: ${resource}`;
  return `User: ${principal} is not authorized to perform: kms:${action}${on} ${why}`;
}
const noResourcePolicy = (p: string, action: string, resource: string) => denied(p, action, resource, `because no resource-based policy allows the kms:${action} action`);
const noIdentityPolicy = (p: string, action: string, resource?: string) => denied(p, action, resource, `because no identity-based policy allows the kms:${action} action`);
const resourceDeny = (p: string, action: string, resource: string) => denied(p, action, resource, 'with an explicit deny in a resource-based policy');
const identityDeny = (p: string, action: string, resource?: string) => denied(p, action, resource, 'with an explicit deny in an identity-based policy');

async function refusal(fn: () => Promise<unknown>): Promise<string> {
  const e = await rejection(fn);
  expect(e.name).toBe('AccessDeniedException');
  return e.message;
}

/** The key users / key administrators policy of the AWS console, without the account statement. */
function consolePolicy(extra: object[] = []) {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-consolepolicy-3',
    Statement: [
      {
        Sid: 'Allow access for Key Administrators',
        Effect: 'Allow',
        Principal: { AWS: KEY_ADMIN },
        Action: [
          'kms:Create*',
          'kms:Describe*',
          'kms:Enable*',
          'kms:List*',
          'kms:Put*',
          'kms:Update*',
          'kms:Revoke*',
          'kms:Disable*',
          'kms:Get*',
          'kms:Delete*',
          'kms:TagResource',
          'kms:UntagResource',
          'kms:ScheduleKeyDeletion',
          'kms:CancelKeyDeletion',
          'kms:RotateKeyOnDemand',
        ],
        Resource: '*',
      },
      {
        Sid: 'Allow use of the key',
        Effect: 'Allow',
        Principal: { AWS: KEY_USER },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
      },
      {
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: { AWS: KEY_USER },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      },
      ...extra,
    ],
  });
}

/** A key made by the key administrator (allowed kms:CreateKey by its identity policy) with `policy`. */
async function adminKey(kms: Kms, policy: string): Promise<string> {
  const admin = as(kms, KEY_ADMIN, { policies: [allow('kms:CreateKey')] });
  return (await admin.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!.Arn!;
}

describe('authorization mode (AWS, in process)', () => {
  it('is off by default: every caller may do everything, as before', async () => {
    const kms = createKms({ clock: new ManualClock(START) });
    expect(kms.aws.authorization).toBe('off');
    const bob = as(kms, BOB);
    const arn = (await bob.send(new CreateKeyCommand({ Policy: consolePolicy() }))).KeyMetadata!.Arn!;
    await bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    await bob.send(new DisableKeyCommand({ KeyId: arn }));
    expect(kms.aws.cloudTrail().every((r) => r.additionalEventData?.authorization === undefined)).toBe(true);
  });

  it('the default key policy gives the account root everything and lets IAM policies decide for users', async () => {
    const kms = emulator();
    const root = as(kms, ROOT);
    const arn = (await root.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await root.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    const alice = as(kms, ALICE, { policies: [allow(['kms:Encrypt', 'kms:DescribeKey'], arn)] });
    const { CiphertextBlob } = await alice.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    expect(await refusal(() => alice.send(new DecryptCommand({ CiphertextBlob })))).toBe(noIdentityPolicy(ALICE, 'Decrypt', arn));
    const bob = as(kms, BOB);
    expect(await refusal(() => bob.send(new DescribeKeyCommand({ KeyId: arn })))).toBe(noIdentityPolicy(BOB, 'DescribeKey', arn));
    // Operations that reach no key are authorized by identity policies alone: no "on resource".
    expect(await refusal(() => bob.send(new CreateKeyCommand({})))).toBe(noIdentityPolicy(BOB, 'CreateKey'));
    expect(await refusal(() => bob.send(new ListKeysCommand({})))).toBe(noIdentityPolicy(BOB, 'ListKeys'));
    expect(await refusal(() => bob.send(new GenerateRandomCommand({ NumberOfBytes: 8 })))).toBe(noIdentityPolicy(BOB, 'GenerateRandom'));
    const lister = as(kms, BOB, { policies: [allow(['kms:ListKeys', 'kms:ListAliases'])] });
    expect((await lister.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    await lister.send(new ListAliasesCommand({}));
  });

  it('key administrators manage the key and cannot use it; key users use it and cannot manage it (key policy alone)', async () => {
    const kms = emulator();
    const arn = await adminKey(kms, consolePolicy());
    const admin = as(kms, KEY_ADMIN);
    const user = as(kms, KEY_USER);
    // Named in the key policy, neither needs an identity policy.
    await admin.send(new DescribeKeyCommand({ KeyId: arn }));
    await admin.send(new TagResourceCommand({ KeyId: arn, Tags: [{ TagKey: 'team', TagValue: 'payments' }] }));
    expect(await refusal(() => admin.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noResourcePolicy(session(KEY_ADMIN), 'Encrypt', arn));
    const { CiphertextBlob } = await user.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    await user.send(new DecryptCommand({ CiphertextBlob }));
    await user.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: arn }));
    await user.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_256' }));
    expect(await refusal(() => user.send(new DisableKeyCommand({ KeyId: arn })))).toBe(noResourcePolicy(session(KEY_USER), 'DisableKey', arn));
    // Without the account statement, IAM policies cannot open the key, not even the root's.
    const bob = as(kms, BOB, { policies: [allow('kms:*')] });
    expect(await refusal(() => bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noResourcePolicy(BOB, 'Encrypt', arn));
    expect(await refusal(() => as(kms, ROOT).send(new DescribeKeyCommand({ KeyId: arn })))).toBe(noResourcePolicy(ROOT, 'DescribeKey', arn));
  });

  it('kms:GrantIsForAWSResource: key users create grants only when an AWS service asks for them (kms:ViaService)', async () => {
    const kms = emulator();
    const arn = await adminKey(kms, consolePolicy());
    const grant = { KeyId: arn, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/ebs`, Operations: ['Decrypt' as const] };
    expect(await refusal(() => as(kms, KEY_USER).send(new CreateGrantCommand(grant)))).toBe(noResourcePolicy(session(KEY_USER), 'CreateGrant', arn));
    const viaEc2 = as(kms, KEY_USER, undefined, { viaService: 'ec2.us-east-1.amazonaws.com' });
    expect((await viaEc2.send(new CreateGrantCommand(grant))).GrantId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('kms:ViaService limits a key to the calls an AWS service makes for the principal', async () => {
    const kms = emulator();
    const arn = await adminKey(
      kms,
      consolePolicy([
        {
          Sid: 'Allow use through Secrets Manager only',
          Effect: 'Allow',
          Principal: { AWS: ALICE },
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT } },
        },
      ]),
    );
    expect(await refusal(() => as(kms, ALICE).send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noResourcePolicy(ALICE, 'Encrypt', arn));
    const viaSecrets = as(kms, ALICE, undefined, { viaService: 'secretsmanager.us-east-1.amazonaws.com' });
    await viaSecrets.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    const viaS3 = as(kms, ALICE, undefined, { viaService: 's3.us-east-1.amazonaws.com' });
    expect(await refusal(() => viaS3.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noResourcePolicy(ALICE, 'Encrypt', arn));
  });

  it('encryption-context conditions: kms:EncryptionContext:<key> and kms:EncryptionContextKeys', async () => {
    const kms = emulator();
    const arn = await adminKey(
      kms,
      consolePolicy([
        {
          Sid: 'Decrypt for ExampleApp only',
          Effect: 'Allow',
          Principal: { AWS: ALICE },
          Action: ['kms:Encrypt', 'kms:Decrypt'],
          Resource: '*',
          Condition: {
            StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp' },
            'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['AppName', 'FilePath'] },
          },
        },
      ]),
    );
    const alice = as(kms, ALICE);
    const { CiphertextBlob } = await alice.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { AppName: 'ExampleApp', FilePath: '/a' } }));
    await alice.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { AppName: 'ExampleApp', FilePath: '/a' } }));
    expect(await refusal(() => alice.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { AppName: 'Other' } })))).toBe(
      noResourcePolicy(ALICE, 'Encrypt', arn),
    );
    // A context key outside the list fails ForAllValues.
    expect(
      await refusal(() => alice.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { AppName: 'ExampleApp', Department: 'IT' } }))),
    ).toBe(noResourcePolicy(ALICE, 'Encrypt', arn));
    expect(await refusal(() => alice.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noResourcePolicy(ALICE, 'Encrypt', arn));
  });

  it('an explicit deny wins: in the key policy, and in an identity policy', async () => {
    const kms = emulator();
    const root = as(kms, ROOT);
    const policy = JSON.parse((await root.send(new GetKeyPolicyCommand({ KeyId: (await root.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!, PolicyName: 'default' }))).Policy!);
    policy.Statement.push({ Sid: 'Nobody deletes', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ScheduleKeyDeletion', Resource: '*' });
    const arn = (await root.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!.Arn!;
    expect(await refusal(() => root.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 })))).toBe(resourceDeny(ROOT, 'ScheduleKeyDeletion', arn));
    const alice = as(kms, ALICE, {
      policies: [allow('kms:*'), { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }] }],
    });
    const { CiphertextBlob } = await alice.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    expect(await refusal(() => alice.send(new DecryptCommand({ CiphertextBlob })))).toBe(identityDeny(ALICE, 'Decrypt', arn));
    const noCreate = as(kms, ALICE, { policies: [allow('kms:*'), { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:CreateKey', Resource: '*' }] }] });
    expect(await refusal(() => noCreate.send(new CreateKeyCommand({})))).toBe(identityDeny(ALICE, 'CreateKey'));
  });

  it('kms:RequestAlias and kms:ResourceAliases, aws:ResourceTag and aws:PrincipalTag (attribute-based access)', async () => {
    const kms = emulator();
    const root = as(kms, ROOT);
    const { KeyMetadata } = await root.send(new CreateKeyCommand({ Tags: [{ TagKey: 'Project', TagValue: 'Alpha' }] }));
    const arn = KeyMetadata!.Arn!;
    await root.send(new CreateAliasCommand({ AliasName: 'alias/finance-key', TargetKeyId: arn }));
    const byAlias = as(kms, ALICE, { policies: [allow('kms:Encrypt', '*', { StringEquals: { 'kms:RequestAlias': 'alias/finance-key' } })] });
    await byAlias.send(new EncryptCommand({ KeyId: 'alias/finance-key', Plaintext: text('x') }));
    expect(await refusal(() => byAlias.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noIdentityPolicy(ALICE, 'Encrypt', arn));
    const aliased = as(kms, BOB, { policies: [allow('kms:Encrypt', '*', { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/finance-key' } })] });
    await aliased.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    const abac = allow('kms:Encrypt', '*', { StringEquals: { 'aws:ResourceTag/Project': 'Alpha', 'aws:PrincipalTag/Project': 'Alpha' } });
    await as(kms, ALICE, { policies: [abac], tags: { Project: 'Alpha' } }).send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    expect(
      await refusal(() => as(kms, ALICE, { policies: [abac], tags: { Project: 'Beta' } }).send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }))),
    ).toBe(noIdentityPolicy(ALICE, 'Encrypt', arn));
  });

  it('conditions on the request: kms:KeySpec and aws:RequestTag on CreateKey, aws:SourceIp, aws:CurrentTime on the emulator clock; ReEncrypt judged on both keys', async () => {
    const kms = emulator();
    const createOnly = allow('kms:CreateKey', '*', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'aws:RequestTag/team': 'payments' } });
    const tags = [{ TagKey: 'team', TagValue: 'payments' }];
    // Tags on a new key also take kms:TagResource.
    expect(await refusal(() => as(kms, ALICE, { policies: [createOnly] }).send(new CreateKeyCommand({ Tags: tags })))).toBe(noIdentityPolicy(ALICE, 'TagResource'));
    const creator = as(kms, ALICE, { policies: [createOnly, allow('kms:TagResource')] });
    await creator.send(new CreateKeyCommand({ Tags: tags }));
    expect(await refusal(() => creator.send(new CreateKeyCommand({})))).toBe(noIdentityPolicy(ALICE, 'CreateKey'));
    expect(await refusal(() => creator.send(new CreateKeyCommand({ Tags: tags, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })))).toBe(noIdentityPolicy(ALICE, 'CreateKey'));
    const root = as(kms, ROOT);
    const a = (await root.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const b = (await root.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const until = allow(['kms:Encrypt', 'kms:ReEncryptFrom'], a, { DateLessThan: { 'aws:CurrentTime': '2026-01-02T00:00:00Z' }, IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } });
    const bob = as(kms, BOB, { policies: [until, allow('kms:ReEncryptTo', b)] });
    const { CiphertextBlob } = await bob.send(new EncryptCommand({ KeyId: a, Plaintext: text('x') }));
    await bob.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: b }));
    expect(await refusal(() => bob.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: a })))).toBe(noIdentityPolicy(BOB, 'ReEncryptTo', a));
    const elsewhere = new KMSClient({ ...kms.aws.clientConfig({ principal: BOB, identity: { policies: [until] }, sourceIp: '192.0.2.7' }) });
    expect(await refusal(() => elsewhere.send(new EncryptCommand({ KeyId: a, Plaintext: text('x') })))).toBe(noIdentityPolicy(BOB, 'Encrypt', a));
    kms.clock.advance('1d');
    expect(await refusal(() => bob.send(new EncryptCommand({ KeyId: a, Plaintext: text('x') })))).toBe(noIdentityPolicy(BOB, 'Encrypt', a));
  });

  it('ReplicateKey: kms:ReplicateKey on the key, kms:CreateKey (and kms:TagResource for tags) by identity policy, and the lockout check on the replica policy', async () => {
    const kms = emulator();
    const arn = (await as(kms, ROOT).send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.Arn!;
    const replicateOnly = as(kms, ALICE, { policies: [allow('kms:ReplicateKey', '*', { StringEquals: { 'kms:ReplicaRegion': 'eu-west-1' } })] });
    expect(await refusal(() => replicateOnly.send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'eu-west-1' })))).toBe(noIdentityPolicy(ALICE, 'CreateKey'));
    const replicator = as(kms, ALICE, { policies: [allow(['kms:ReplicateKey', 'kms:CreateKey'], '*', { StringEquals: { 'kms:ReplicaRegion': 'eu-west-1' } }), allow('kms:CreateKey')] });
    expect(await refusal(() => replicator.send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'ap-south-1' })))).toBe(noIdentityPolicy(ALICE, 'ReplicateKey', arn));
    const onlyUsers = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: KEY_USER }, Action: 'kms:Encrypt', Resource: '*' }] });
    expect(await rejection(() => replicator.send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'eu-west-1', Policy: onlyUsers })))).toMatchObject({
      name: 'MalformedPolicyDocumentException',
    });
    expect((await replicator.send(new ReplicateKeyCommand({ KeyId: arn, ReplicaRegion: 'eu-west-1' }))).ReplicaKeyMetadata!.KeyId).toBe(arn.split('/')[1]);
  });

  it('aliases: CreateAlias needs the action on the key (its key policy) and on the alias (an identity policy)', async () => {
    const kms = emulator();
    const arn = await adminKey(kms, consolePolicy());
    const aliasArn = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/orders`;
    // The key administrators' statement allows kms:Create* on the key; the alias needs an identity policy.
    expect(await refusal(() => as(kms, KEY_ADMIN).send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: arn })))).toBe(
      noIdentityPolicy(session(KEY_ADMIN), 'CreateAlias', aliasArn),
    );
    const admin = as(kms, KEY_ADMIN, { policies: [allow('kms:CreateAlias', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/*`)] });
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: arn }));
    // The alias alone is not enough: the key policy must allow the key.
    const bob = as(kms, BOB, { policies: [allow('kms:CreateAlias')] });
    expect(await refusal(() => bob.send(new CreateAliasCommand({ AliasName: 'alias/billing', TargetKeyId: arn })))).toBe(noResourcePolicy(BOB, 'CreateAlias', arn));
    expect((await as(kms, KEY_ADMIN, { policies: [allow('kms:ListAliases')] }).send(new ListAliasesCommand({ KeyId: arn }))).Aliases!.map((a) => a.AliasName)).toEqual(['alias/orders']);
  });

  it('another account uses a key when the key policy allows that account and its own IAM policy allows the user', async () => {
    const kms = emulator();
    const root = as(kms, ROOT);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'Allow an external account to use this KMS key',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
        },
      ],
    };
    const shared = (await root.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!.Arn!;
    const own = (await root.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const external = `arn:aws:iam::${OTHER}:user/carol`;
    const carol = as(kms, external, { policies: [allow(['kms:Encrypt', 'kms:DescribeKey'], shared)] });
    await carol.send(new EncryptCommand({ KeyId: shared, Plaintext: text('x') }));
    expect((await carol.send(new DescribeKeyCommand({ KeyId: shared }))).KeyMetadata!.Arn).toBe(shared);
    expect(await refusal(() => carol.send(new GenerateDataKeyCommand({ KeyId: shared, KeySpec: 'AES_256' })))).toBe(noIdentityPolicy(external, 'GenerateDataKey', shared));
    const everything = as(kms, external, { policies: [allow('kms:*')] });
    expect(await refusal(() => everything.send(new EncryptCommand({ KeyId: own, Plaintext: text('x') })))).toBe(noResourcePolicy(external, 'Encrypt', own));
  });

  it('grants allow what the key policy alone refuses, in the account and across accounts', async () => {
    const kms = emulator();
    const arn = await adminKey(kms, consolePolicy());
    const admin = as(kms, KEY_ADMIN);
    const bob = as(kms, BOB);
    expect(await refusal(() => bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { app: 'orders' } })))).toBe(
      noResourcePolicy(BOB, 'Encrypt', arn),
    );
    await admin.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: BOB, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { app: 'orders' } } }));
    await bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { app: 'orders' } }));
    // The grant's constraints still bind.
    expect(await refusal(() => bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { app: 'billing' } })))).toBe(
      noResourcePolicy(BOB, 'Encrypt', arn),
    );
    const carol = `arn:aws:iam::${OTHER}:role/Importer`;
    const external = as(kms, carol);
    expect(await refusal(() => external.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).toBe(noResourcePolicy(session(carol), 'Encrypt', arn));
    await admin.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: carol, Operations: ['Encrypt', 'Decrypt'] }));
    const { CiphertextBlob } = await external.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    await external.send(new DecryptCommand({ CiphertextBlob }));
    // Enforcing, the records carry no decisions: a refusal is the record's error.
    expect(kms.aws.cloudTrail((r) => r.eventName === 'Decrypt').at(-1)!.additionalEventData?.authorization).toBeUndefined();
  });

  it('a refused call changes nothing and is recorded in CloudTrail with errorCode AccessDenied', async () => {
    const kms = emulator();
    const arn = await adminKey(kms, consolePolicy());
    const user = as(kms, KEY_USER);
    const message = await refusal(() => user.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 })));
    expect(message).toBe(noResourcePolicy(session(KEY_USER), 'ScheduleKeyDeletion', arn));
    await refusal(() => user.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: JSON.stringify(allow('kms:*')) })));
    const key = await as(kms, KEY_ADMIN).send(new DescribeKeyCommand({ KeyId: arn }));
    expect(key.KeyMetadata!.KeyState).toBe('Enabled');
    expect((await as(kms, KEY_ADMIN).send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }))).Policy).toBe(consolePolicy());
    const record = kms.aws.cloudTrail((r) => r.eventName === 'ScheduleKeyDeletion').at(-1)!;
    expect(record).toMatchObject({
      errorCode: 'AccessDenied',
      errorMessage: message,
      userIdentity: { type: 'AssumedRole', arn: session(KEY_USER) },
      resources: [{ ARN: arn }],
    });
  });

  it('the policy lockout safety check: a new policy must let the caller put a policy again, unless bypassed', async () => {
    const kms = emulator();
    const root = as(kms, ROOT);
    const lockout = { name: 'MalformedPolicyDocumentException', message: 'The new key policy will not allow you to update the key policy in the future.' };
    // The root creating a key only the key users may use.
    const onlyUsers = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: KEY_USER }, Action: 'kms:Encrypt', Resource: '*' }] });
    expect(await rejection(() => root.send(new CreateKeyCommand({ Policy: onlyUsers })))).toMatchObject(lockout);
    const keys = await root.send(new ListKeysCommand({}));
    expect(keys.Keys).toEqual([]);
    const bypassed = (await root.send(new CreateKeyCommand({ Policy: onlyUsers, BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!.Arn!;
    expect(await refusal(() => root.send(new DescribeKeyCommand({ KeyId: bypassed })))).toBe(noResourcePolicy(ROOT, 'DescribeKey', bypassed));
    // The key administrator putting a policy that drops itself.
    const arn = await adminKey(kms, consolePolicy());
    const admin = as(kms, KEY_ADMIN);
    expect(await rejection(() => admin.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: onlyUsers })))).toMatchObject(lockout);
    expect((await admin.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }))).Policy).toBe(consolePolicy());
    await admin.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: onlyUsers, BypassPolicyLockoutSafetyCheck: true }));
    expect(await refusal(() => admin.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' })))).toBe(noResourcePolicy(session(KEY_ADMIN), 'GetKeyPolicy', arn));
  });

  it("audit mode judges every call, records the decision in CloudTrail's additionalEventData and refuses nothing", async () => {
    const kms = emulator('audit');
    const arn = (await as(kms, KEY_ADMIN, { policies: [allow('kms:CreateKey')] }).send(new CreateKeyCommand({ Policy: consolePolicy() }))).KeyMetadata!.Arn!;
    const bob = as(kms, BOB);
    await bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    await bob.send(new DisableKeyCommand({ KeyId: arn }));
    expect((await bob.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe('Disabled');
    const encrypt = kms.aws.cloudTrail((r) => r.eventName === 'Encrypt')[0]!;
    expect(encrypt.errorCode).toBeUndefined();
    expect(encrypt.additionalEventData!.authorization).toEqual({
      mode: 'audit',
      decisions: [{ action: 'kms:Encrypt', resource: arn, allowed: false, reason: 'no-resource-policy-allows', message: noResourcePolicy(BOB, 'Encrypt', arn) }],
    });
    // What a grant allows shows as such.
    await as(kms, KEY_ADMIN).send(new EnableKeyCommand({ KeyId: arn }));
    await as(kms, KEY_ADMIN).send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: BOB, Operations: ['Encrypt'] }));
    await bob.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    expect(kms.aws.cloudTrail((r) => r.eventName === 'Encrypt').at(-1)!.additionalEventData!.authorization).toEqual({
      mode: 'audit',
      decisions: [{ action: 'kms:Encrypt', resource: arn, allowed: true, by: 'grant' }],
    });
    const create = kms.aws.cloudTrail((r) => r.eventName === 'CreateKey')[0]!;
    expect(create.additionalEventData!.authorization).toEqual({ mode: 'audit', decisions: [{ action: 'kms:CreateKey', resource: '*', allowed: true, by: 'identity-policy' }] });
    // Audit mode does not run the lockout check (it refuses nothing).
    const onlyUsers = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: KEY_USER }, Action: 'kms:Encrypt', Resource: '*' }] };
    await bob.send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: 'default', Policy: JSON.stringify(onlyUsers) }));
  });

  it('an AWS managed key is used through its service only (its policy names kms:ViaService), and still refuses management', async () => {
    const kms = emulator();
    const alice = as(kms, ALICE, { policies: [allow('kms:*')] });
    const viaS3 = as(kms, ALICE, { policies: [allow('kms:*')] }, { viaService: 's3.us-east-1.amazonaws.com' });
    const { KeyId } = await viaS3.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: text('x') }));
    expect(await refusal(() => alice.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: text('x') })))).toBe(noResourcePolicy(ALICE, 'Encrypt', KeyId!));
    // Reading its metadata is open to the account (and so to IAM policies).
    expect((await alice.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.KeyManager).toBe('AWS');
    expect(await refusal(() => viaS3.send(new DisableKeyCommand({ KeyId: KeyId! })))).toBe(noResourcePolicy(ALICE, 'DisableKey', KeyId!));
  });

  it('kms.aws.invoke takes the same principal, identity and viaService in its meta', async () => {
    const kms = emulator();
    const { KeyMetadata } = await kms.aws.send('CreateKey', {});
    const meta = { principal: principalFromArn(BOB), identity: { policies: [JSON.stringify(allow('kms:Encrypt'))] } };
    expect((await kms.aws.invoke('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: 'eA==' }, meta)).ok).toBe(true);
    const refused = await kms.aws.invoke('DescribeKey', { KeyId: KeyMetadata.KeyId }, meta);
    expect(refused.ok ? undefined : [refused.error.code, refused.error.message]).toEqual(['AccessDeniedException', noIdentityPolicy(BOB, 'DescribeKey', KeyMetadata.Arn)]);
    await expect(kms.aws.invoke('DescribeKey', {}, { identity: { policies: 'kms:*' } } as never)).rejects.toThrow(TypeError);
  });

  it('policies the evaluator cannot read: refused when put, allowing nothing when stored before; a key made elsewhere has the default policy', async () => {
    const kms = emulator();
    const root = as(kms, ROOT);
    const notIam = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Permit', Principal: '*', Action: 'kms:*', Resource: '*' }] });
    const malformed = await rejection(() => root.send(new CreateKeyCommand({ Policy: notIam })));
    expect(malformed.name).toBe('MalformedPolicyDocumentException');
    expect((await root.send(new ListKeysCommand({}))).Keys).toEqual([]);
    // A policy put while authorization was off, then read by an emulator that enforces it.
    const off = createKms({ clock: new ManualClock(START), seed: 'authorization' });
    const arn = (await as(off, ROOT).send(new CreateKeyCommand({ Policy: notIam }))).KeyMetadata!.Arn!;
    const enforcing = emulator();
    enforcing.restore(off.snapshot());
    expect(await refusal(() => as(enforcing, ROOT).send(new DescribeKeyCommand({ KeyId: arn })))).toBe(noResourcePolicy(ROOT, 'DescribeKey', arn));
    // A key made through the engine (or another provider) carries no AWS policy: AWS's default one applies.
    const ctx = { realm: { account: ACCOUNT, region: 'us-east-1' }, principal: { account: ACCOUNT, type: 'root' as const, id: ACCOUNT }, requestId: 'test' };
    const bare = enforcing.engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
    const bareArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${bare.id}`;
    await as(enforcing, ROOT).send(new EncryptCommand({ KeyId: bare.id, Plaintext: text('x') }));
    await as(enforcing, ALICE, { policies: [allow('kms:Encrypt')] }).send(new EncryptCommand({ KeyId: bare.id, Plaintext: text('x') }));
    expect(await refusal(() => as(enforcing, BOB).send(new EncryptCommand({ KeyId: bare.id, Plaintext: text('x') })))).toBe(noIdentityPolicy(BOB, 'Encrypt', bareArn));
  });

  it('a principal given as an assumed-role session ARN, and a bad one', async () => {
    const kms = emulator();
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/KeyUser/build-42`;
    const arn = await adminKey(kms, consolePolicy());
    await as(kms, sessionArn).send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') }));
    expect(await refusal(() => as(kms, sessionArn).send(new DisableKeyCommand({ KeyId: arn })))).toBe(noResourcePolicy(sessionArn, 'DisableKey', arn));
    expect(() => kms.aws.clientConfig({ principal: 'arn:aws:iam::1:user/x' })).toThrow(TypeError);
    expect(() => createKms({ authorization: 'on' as AuthorizationMode })).toThrow(TypeError);
  });
});
