// KMS's way of combining the key policy, IAM identity policies and grants: the examples of AWS's
// "Key policies in AWS KMS", "Default key policy", "Using IAM policies with AWS KMS" and "Allowing
// users in other accounts to use a KMS key".
import { describe, expect, it } from 'vitest';
import { authorizeKmsRequest, parsePolicyDocument, type AuthorizationRequest, type ConditionValue, type KmsDecision, type ParsedPolicy } from '../../src/engine/authorization/index.js';

const ACCOUNT = '111122223333';
const EXTERNAL = '444455556666';
const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROOT = { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT };
const ALICE = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT };
const ADMIN = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/KMSAdminRole/s`, account: ACCOUNT, names: [`arn:aws:iam::${ACCOUNT}:role/KMSAdminRole`] };
const USER_ROLE = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleUserRole/s`, account: ACCOUNT, names: [`arn:aws:iam::${ACCOUNT}:role/ExampleUserRole`] };
const CAROL = { arn: `arn:aws:iam::${EXTERNAL}:user/carol`, account: EXTERNAL };
const EXTERNAL_ROOT = { arn: `arn:aws:iam::${EXTERNAL}:root`, account: EXTERNAL };

function compile(document: object): ParsedPolicy {
  const parsed = parsePolicyDocument(document);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.policy;
}

const ROOT_STATEMENT = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
const DEFAULT = compile({ Version: '2012-10-17', Id: 'key-default-1', Statement: [ROOT_STATEMENT] });

/** The console's default key policy with key administrators, key users, grants for AWS resources and an external account. */
const CONSOLE = compile({
  Version: '2012-10-17',
  Statement: [
    ROOT_STATEMENT,
    {
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KMSAdminRole` },
      Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand'],
      Resource: '*',
    },
    {
      Sid: 'Allow use of the key',
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/ExampleUserRole`, `arn:aws:iam::${EXTERNAL}:root`] },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '*',
    },
    {
      Sid: 'Allow attachment of persistent resources',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ExampleUserRole` },
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Resource: '*',
      Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ],
});

const IDENTITY_ENCRYPT = compile({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` } });
const IDENTITY_DENY_DECRYPT = compile({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' } });

function decide(
  principal: AuthorizationRequest['principal'],
  action: string,
  options: { keyPolicy?: ParsedPolicy | null; identity?: ParsedPolicy[]; grant?: boolean; keys?: Record<string, ConditionValue>; resource?: string } = {},
): KmsDecision {
  return authorizeKmsRequest({
    request: { action, resource: options.resource ?? KEY, principal, keys: new Map(Object.entries(options.keys ?? {})) },
    keyAccount: ACCOUNT,
    keyPolicy: options.keyPolicy === null ? undefined : (options.keyPolicy ?? DEFAULT),
    identityPolicies: options.identity ?? [],
    grantAllows: options.grant ?? false,
  });
}

describe('the default key policy', () => {
  it('lets the account root do everything', () => {
    expect(decide(ROOT, 'kms:Encrypt')).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(ROOT, 'kms:PutKeyPolicy')).toEqual({ allowed: true, by: 'key-policy' });
  });
  it('delegates to IAM: a user of the account needs an identity policy', () => {
    expect(decide(ALICE, 'kms:Encrypt')).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
    expect(decide(ALICE, 'kms:Encrypt', { identity: [IDENTITY_ENCRYPT] })).toEqual({ allowed: true, by: 'identity-policy' });
    expect(decide(ALICE, 'kms:ScheduleKeyDeletion', { identity: [IDENTITY_ENCRYPT] })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
  });
  it('gives nothing to another account', () => {
    expect(decide(CAROL, 'kms:Encrypt', { identity: [IDENTITY_ENCRYPT] })).toEqual({ allowed: false, reason: 'no-resource-policy-allows' });
    expect(decide(EXTERNAL_ROOT, 'kms:Encrypt')).toEqual({ allowed: false, reason: 'no-resource-policy-allows' });
  });
});

describe('a key policy without the root statement', () => {
  const noRoot = compile({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE.arn }, Action: 'kms:Encrypt', Resource: '*' }] });
  it('ignores identity policies and refuses even the account root', () => {
    expect(decide(ALICE, 'kms:Encrypt', { keyPolicy: noRoot })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: noRoot, identity: [IDENTITY_ENCRYPT] })).toEqual({ allowed: false, reason: 'no-resource-policy-allows' });
    expect(decide(ROOT, 'kms:Encrypt', { keyPolicy: noRoot })).toEqual({ allowed: false, reason: 'no-resource-policy-allows' });
  });
});

describe('key administrators and key users', () => {
  it('the administrators role manages the key but cannot use it', () => {
    expect(decide(ADMIN, 'kms:DescribeKey', { keyPolicy: CONSOLE })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(ADMIN, 'kms:ScheduleKeyDeletion', { keyPolicy: CONSOLE })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(ADMIN, 'kms:Encrypt', { keyPolicy: CONSOLE })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
  });
  it('the users role uses the key, and creates grants only for AWS resources', () => {
    expect(decide(USER_ROLE, 'kms:GenerateDataKeyWithoutPlaintext', { keyPolicy: CONSOLE })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(USER_ROLE, 'kms:CreateGrant', { keyPolicy: CONSOLE, keys: { 'kms:GrantIsForAWSResource': true } })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(USER_ROLE, 'kms:CreateGrant', { keyPolicy: CONSOLE })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
    expect(decide(USER_ROLE, 'kms:DisableKey', { keyPolicy: CONSOLE })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
  });
});

describe('another account', () => {
  it('needs the key policy and its own identity policy', () => {
    expect(decide(CAROL, 'kms:Decrypt', { keyPolicy: CONSOLE })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
    expect(decide(CAROL, 'kms:Decrypt', { keyPolicy: CONSOLE, identity: [compile({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY } })] })).toEqual({ allowed: true, by: 'identity-policy' });
    expect(decide(CAROL, 'kms:DisableKey', { keyPolicy: CONSOLE, identity: [compile({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } })] })).toEqual({ allowed: false, reason: 'no-resource-policy-allows' });
  });
  it('its root needs no identity policy', () => {
    expect(decide(EXTERNAL_ROOT, 'kms:Decrypt', { keyPolicy: CONSOLE })).toEqual({ allowed: true, by: 'key-policy' });
  });
  it('a key policy naming the external user directly still needs that user’s identity policy', () => {
    const direct = compile({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: CAROL.arn }, Action: 'kms:Decrypt', Resource: '*' } });
    expect(decide(CAROL, 'kms:Decrypt', { keyPolicy: direct })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
  });
});

describe('explicit denies', () => {
  it('a Deny in the key policy wins over everything, grants included', () => {
    const denyAlice = compile({ Version: '2012-10-17', Statement: [ROOT_STATEMENT, { Effect: 'Deny', Principal: { AWS: ALICE.arn }, Action: 'kms:Decrypt', Resource: '*' }] });
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: denyAlice, identity: [IDENTITY_ENCRYPT], grant: true })).toEqual({ allowed: false, reason: 'explicit-deny-resource' });
    expect(decide(ALICE, 'kms:Encrypt', { keyPolicy: denyAlice, identity: [IDENTITY_ENCRYPT] })).toEqual({ allowed: true, by: 'identity-policy' });
  });
  it('a Deny in an identity policy wins over the key policy and grants', () => {
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: CONSOLE, identity: [IDENTITY_ENCRYPT, IDENTITY_DENY_DECRYPT], grant: true })).toEqual({ allowed: false, reason: 'explicit-deny-identity' });
    expect(decide(USER_ROLE, 'kms:Decrypt', { keyPolicy: CONSOLE, identity: [IDENTITY_DENY_DECRYPT] })).toEqual({ allowed: false, reason: 'explicit-deny-identity' });
  });
  it('an encryption-context condition on a Deny', () => {
    const policy = compile({
      Version: '2012-10-17',
      Statement: [
        ROOT_STATEMENT,
        { Effect: 'Allow', Principal: { AWS: ALICE.arn }, Action: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:Department': 'IT' } } },
      ],
    });
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: policy, keys: { 'kms:EncryptionContext:Department': 'IT' } })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: policy, keys: { 'kms:EncryptionContext:Department': 'HR' } })).toEqual({ allowed: false, reason: 'explicit-deny-resource' });
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: policy })).toEqual({ allowed: false, reason: 'explicit-deny-resource' });
  });
});

describe('kms:ViaService', () => {
  const via = compile({
    Version: '2012-10-17',
    Statement: { Effect: 'Allow', Principal: { AWS: ALICE.arn }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': ['ec2.us-west-2.amazonaws.com', 'rds.us-west-2.amazonaws.com'] } } },
  });
  it('allows calls through the named services only', () => {
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: via, keys: { 'kms:ViaService': 'ec2.us-west-2.amazonaws.com' } })).toEqual({ allowed: true, by: 'key-policy' });
    expect(decide(ALICE, 'kms:Decrypt', { keyPolicy: via })).toEqual({ allowed: false, reason: 'no-resource-policy-allows' });
  });
});

describe('grants', () => {
  it('allow what the policies alone refuse, in the account and across accounts', () => {
    expect(decide(ALICE, 'kms:Decrypt', { grant: true })).toEqual({ allowed: true, by: 'grant' });
    expect(decide(CAROL, 'kms:Decrypt', { grant: true })).toEqual({ allowed: true, by: 'grant' });
  });
  it('are not needed where a policy already allows', () => {
    expect(decide(ROOT, 'kms:Decrypt', { grant: true })).toEqual({ allowed: true, by: 'key-policy' });
  });
});

describe('calls with no key policy (CreateKey and other account-level operations)', () => {
  it('the account root is allowed; anyone else needs an identity policy', () => {
    const create = compile({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' } });
    expect(decide(ROOT, 'kms:CreateKey', { keyPolicy: null, resource: '*' })).toEqual({ allowed: true, by: 'root' });
    expect(decide(ALICE, 'kms:CreateKey', { keyPolicy: null, resource: '*' })).toEqual({ allowed: false, reason: 'no-identity-policy-allows' });
    expect(decide(ALICE, 'kms:CreateKey', { keyPolicy: null, resource: '*', identity: [create] })).toEqual({ allowed: true, by: 'identity-policy' });
    expect(decide(ALICE, 'kms:CreateKey', { keyPolicy: null, resource: '*', identity: [create, compile({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'kms:Create*', Resource: '*' } })] })).toEqual({ allowed: false, reason: 'explicit-deny-identity' });
  });
});
