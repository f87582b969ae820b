// A seeded generator of IAM policies and KMS requests, for the differential and property tests of
// the policy evaluator. Small pools of values make matches and misses both common.
import type { AuthorizationRequest, ConditionValue } from '../../src/engine/authorization/index.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const some = <T>(r: Random, list: readonly T[], max = 3): T[] => {
  const n = 1 + Math.floor(r() * max);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(pick(r, list));
  return out;
};
const oneOrMany = <T>(r: Random, list: readonly T[]): T | T[] => (r() < 0.5 ? pick(r, list) : some(r, list));

export interface Principal {
  readonly arn: string;
  readonly account: string;
  readonly names?: readonly string[];
}

export const PRINCIPALS: readonly Principal[] = [
  { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT },
  { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, account: ACCOUNT },
  { arn: `arn:aws:iam::${ACCOUNT}:root`, account: ACCOUNT },
  { arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, account: ACCOUNT },
  { arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`, account: OTHER_ACCOUNT },
  { arn: `arn:aws:iam::${OTHER_ACCOUNT}:root`, account: OTHER_ACCOUNT },
];

const ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ReEncryptFrom'];
const ACTION_PATTERNS = ['kms:*', 'kms:Encrypt', 'kms:Decrypt', 'kms:*crypt', 'kms:Gen?rateDataKey', 'KMS:ENCRYPT', 'kms:Describe*', 'kms:ReEncrypt*', '*', 's3:GetObject', 'kms:*Key'];
const RESOURCE_PATTERNS = ['*', KEY_ARN, OTHER_KEY_ARN, `arn:aws:kms:*:${ACCOUNT}:key/*`, `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234*`, `arn:aws:kms:us-east-1:${ACCOUNT}:key/????abcd-*`, KEY_ARN.toUpperCase(), `arn:aws:kms:*:${OTHER_ACCOUNT}:key/*`, `arn:aws:kms:*:${ACCOUNT}:key/` + "${aws:PrincipalTag/dept, '1234abcd'}*"];
const PRINCIPAL_VALUES = ['*', ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:role/Admin`, OTHER_ACCOUNT, `arn:aws:iam::${OTHER_ACCOUNT}:user/carol`, `arn:aws:iam::${OTHER_ACCOUNT}:root`];

interface KeyKind {
  readonly name: string;
  readonly operators: readonly string[];
  readonly policyValues: readonly (string | number | boolean)[];
  readonly requestValues: readonly ConditionValue[];
}

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const NUMERIC_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'];
const DATE_OPS = NUMERIC_OPS.map((o) => o.replace('Numeric', 'Date'));
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];

export const KEYS: readonly KeyKind[] = [
  { name: 'aws:RequestTag/app', operators: STRING_OPS, policyValues: ['payroll', 'Payroll', 'pay*', 'p?yroll', 'billing', '*', '${aws:PrincipalTag/dept}', "${aws:PrincipalTag/dept, 'payroll'}"], requestValues: ['payroll', 'PAYROLL', 'billing', 'pay', '', 'eng', 'p*'] },
  { name: 'kms:CallerAccount', operators: STRING_OPS, policyValues: [ACCOUNT, OTHER_ACCOUNT, '1111*'], requestValues: [ACCOUNT, OTHER_ACCOUNT] },
  { name: 'kms:ViaService', operators: STRING_OPS, policyValues: ['ec2.us-east-1.amazonaws.com', 's3.*.amazonaws.com', 'rds.us-east-1.amazonaws.com'], requestValues: ['ec2.us-east-1.amazonaws.com', 's3.us-west-2.amazonaws.com'] },
  { name: 'kms:EncryptionContextKeys', operators: STRING_OPS, policyValues: ['app', 'team', 'a*', 'stage'], requestValues: [['app'], ['app', 'team'], ['team', 'stage'], ['other']] },
  { name: 'aws:PrincipalTag/dept', operators: STRING_OPS, policyValues: ['eng', 'Eng', 'ops', 'e*'], requestValues: ['eng', 'ops', 'ENG'] },
  { name: 'aws:SourceIp', operators: ['IpAddress', 'NotIpAddress'], policyValues: ['10.0.0.0/8', '192.168.1.0/24', '203.0.113.7/32', '2001:db8::/32', '10.1.2.3/32'], requestValues: ['10.1.2.3', '192.168.1.77', '203.0.113.7', '2001:db8::1', '172.16.0.1'] },
  { name: 'aws:MultiFactorAuthAge', operators: NUMERIC_OPS, policyValues: [300, '3600', 0, '86400'], requestValues: ['0', '300', '1200', '90000'] },
  { name: 'aws:CurrentTime', operators: DATE_OPS, policyValues: ['2026-01-01T00:00:00Z', '2027-06-30T12:00:00Z', '2026-12-06T00:00:00Z'], requestValues: ['2026-12-06T16:00:00Z', '2025-05-01T00:00:00Z', '2027-06-30T12:00:00Z'] },
  { name: 'aws:SecureTransport', operators: ['Bool'], policyValues: ['true', 'false', true, false], requestValues: ['true', 'false'] },
  { name: 'aws:PrincipalArn', operators: ARN_OPS, policyValues: [`arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:iam::*:root`, `arn:aws:iam::${ACCOUNT}:role/Admin`, 'arn:aws:iam::*:user/a?ice'], requestValues: [] },
];

function condition(r: Random): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const n = 1 + Math.floor(r() * 2);
  for (let i = 0; i < n; i++) {
    const key = pick(r, KEYS);
    let operator = pick(r, key.operators);
    const roll = r();
    if (roll < 0.15) operator += 'IfExists';
    if (roll > 0.7 && (key.name === 'kms:EncryptionContextKeys' || r() < 0.2)) operator = `${pick(r, ['ForAnyValue:', 'ForAllValues:'])}${operator}`;
    if (r() < 0.08) {
      out.Null = { ...(out.Null ?? {}), [key.name]: pick(r, ['true', 'false']) };
      continue;
    }
    out[operator] = { ...(out[operator] ?? {}), [key.name]: oneOrMany(r, key.policyValues) };
  }
  return out;
}

export type PolicyKind = 'resource' | 'identity';

export function statement(r: Random, kind: PolicyKind): Record<string, unknown> {
  const deny = r() < 0.35;
  const s: Record<string, unknown> = { Effect: deny ? 'Deny' : 'Allow' };
  if (r() < 0.3) s.Sid = `S${Math.floor(r() * 100)}`;
  if (kind === 'resource') {
    if (deny && r() < 0.15) s.NotPrincipal = { AWS: oneOrMany(r, PRINCIPAL_VALUES.filter((p) => p !== '*')) };
    else if (r() < 0.15) s.Principal = '*';
    else s.Principal = { AWS: oneOrMany(r, PRINCIPAL_VALUES) };
  }
  if (r() < 0.15) s.NotAction = oneOrMany(r, ACTION_PATTERNS);
  else s.Action = oneOrMany(r, ACTION_PATTERNS);
  if (r() < 0.1) s.NotResource = oneOrMany(r, RESOURCE_PATTERNS);
  else s.Resource = oneOrMany(r, RESOURCE_PATTERNS);
  if (r() < 0.6) s.Condition = condition(r);
  return s;
}

export function policy(r: Random, kind: PolicyKind, statements = 1 + Math.floor(r() * 3)): { Version: string; Statement: Record<string, unknown>[] } {
  const list: Record<string, unknown>[] = [];
  for (let i = 0; i < statements; i++) list.push(statement(r, kind));
  return { Version: '2012-10-17', Statement: list };
}

/** A request; its context holds a random subset of KEYS (aws:PrincipalArn always follows the principal). */
export function request(r: Random): AuthorizationRequest & { context: Record<string, string | string[]> } {
  const principal = pick(r, PRINCIPALS);
  const context: Record<string, string | string[]> = {};
  for (const key of KEYS) {
    if (key.requestValues.length === 0 || r() < 0.4) continue;
    const value = pick(r, key.requestValues);
    context[key.name] = typeof value === 'object' ? [...value] : String(value);
  }
  context['aws:PrincipalArn'] = principal.arn;
  context['aws:PrincipalAccount'] = principal.account;
  const keys = new Map<string, ConditionValue>(Object.entries(context));
  return { action: pick(r, ACTIONS), resource: r() < 0.85 ? KEY_ARN : OTHER_KEY_ARN, principal, keys, context };
}
