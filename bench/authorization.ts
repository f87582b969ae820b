/**
 * The policy evaluator alone: µs per evaluatePolicy of a 10-statement key policy in the console's
 * default style (root, key administrators, key users, grants for AWS resources, conditions on the
 * encryption context, ViaService, CallerAccount, SourceIp, a Deny), and per authorizeKmsRequest with
 * that key policy and one identity policy. The policy is parsed once, as callers cache it.
 *
 *   npx tsx bench/authorization.ts
 *
 * Reports, never asserts.
 */
import { authorizeKmsRequest, evaluatePolicy, parsePolicy, type AuthorizationRequest, type ConditionValue } from '../src/engine/authorization/index.js';

const A = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const USE = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
export const TEN_STATEMENT_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Id: 'key-consolepolicy-3',
  Statement: [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'Allow access for Key Administrators', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${A}:role/KMSAdmin`, `arn:aws:iam::${A}:user/admin`] }, Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'], Resource: '*' },
    { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${A}:role/App`, `arn:aws:iam::${A}:user/alice`] }, Action: USE, Resource: '*' },
    { Sid: 'Allow attachment of persistent resources', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/App` }, Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    { Sid: 'Payroll context', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/Payroll` }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:department': 'payroll' } } },
    { Sid: 'Via EC2 and RDS', Effect: 'Allow', Principal: { AWS: '*' }, Action: USE, Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': A, 'kms:ViaService': ['ec2.us-east-1.amazonaws.com', 'rds.us-east-1.amazonaws.com'] } } },
    { Sid: 'External account', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
    { Sid: 'Office network', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/Analyst` }, Action: 'kms:Decrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } } },
    { Sid: 'Context keys allowed', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/Batch` }, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['job', 'stage'] } } },
    { Sid: 'Deny old algorithms', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringNotEqualsIfExists: { 'kms:EncryptionAlgorithm': ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256'] } } },
  ],
});

function keys(): Map<string, ConditionValue> {
  return new Map<string, ConditionValue>([
    ['kms:CallerAccount', A],
    ['kms:EncryptionAlgorithm', 'SYMMETRIC_DEFAULT'],
    ['kms:EncryptionContext:app', 'web'],
    ['kms:EncryptionContextKeys', ['app']],
    ['aws:SourceIp', '198.51.100.7'],
    ['aws:PrincipalArn', `arn:aws:sts::${A}:assumed-role/App/s`],
    ['aws:CurrentTime', '2026-12-06T16:00:00Z'],
  ]);
}

function usPerCall(fn: () => unknown, ms = 1500): number {
  const warm = performance.now() + 300;
  while (performance.now() < warm) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    now = performance.now();
  }
  return ((now - start) * 1000) / n;
}

export function benchAuthorization(): Record<string, number> {
  const parsed = parsePolicy(TEN_STATEMENT_POLICY);
  const identity = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: `arn:aws:kms:*:${A}:key/*` }] }));
  if (!parsed.ok || !identity.ok) throw new Error('policy rejected');
  const policy = parsed.policy;
  const principal = { arn: `arn:aws:sts::${A}:assumed-role/App/s`, account: A, names: [`arn:aws:iam::${A}:role/App`] };
  const shared = keys();
  const request: AuthorizationRequest = { action: 'kms:Encrypt', resource: KEY, principal, keys: shared };
  if (evaluatePolicy(policy, request, 'resource') !== 'allow') throw new Error('expected allow');
  const alice: AuthorizationRequest = { ...request, principal: { arn: `arn:aws:iam::${A}:user/bob`, account: A } };
  return {
    'evaluatePolicy, allowed principal, keys map reused': usPerCall(() => evaluatePolicy(policy, request, 'resource')),
    'evaluatePolicy, allowed principal, fresh keys map per call': usPerCall(() => evaluatePolicy(policy, { ...request, keys: keys() }, 'resource')),
    'evaluatePolicy, principal the policy does not name (all 10 statements read)': usPerCall(() => evaluatePolicy(policy, alice, 'resource')),
    'authorizeKmsRequest, key policy + 1 identity policy, fresh keys map per call': usPerCall(() =>
      authorizeKmsRequest({ request: { ...alice, keys: keys() }, keyAccount: A, keyPolicy: policy, identityPolicies: [identity.policy], grantAllows: false }),
    ),
    'parsePolicy of the 10-statement policy (once per policy text)': usPerCall(() => parsePolicy(TEN_STATEMENT_POLICY), 800),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, us] of Object.entries(benchAuthorization())) console.log(`${us.toFixed(2).padStart(8)} µs  ${name}`);
}
