/**
 * What the authorization mode costs: AWS Encrypt of 32 bytes in process (`kms.aws.send`, the whole
 * dialect pipeline, no SDK), by a key user named in a 10-statement key policy, with enforcement on
 * against the same call with authorization off (goal: at least 0.7 of it). The key policy is parsed
 * once and kept; each call builds its condition keys and evaluates the policy.
 *
 *   npx tsx bench/authorization-mode.ts            (prints the row)
 *   BENCH_QUICK=1 npx tsx bench/authorization-mode.ts   (short rounds)
 *
 * `benchAuthorization()` returns the row for bench/run.ts to put beside the engine rows.
 * Reports, never asserts.
 */
import { fileURLToPath } from 'node:url';
import { createKms, type AuthorizationMode, principalFromArn } from '../src/index.js';
import { type BenchRow, compareAsync, fmt, IN_PROCESS_ROUNDS, log, table, verdict } from './support.js';

const ACCOUNT = '111122223333';
const KEY_USER = `arn:aws:iam::${ACCOUNT}:role/KeyUser`;
export const POLICY_STATEMENTS = 10;

/** A key policy of `POLICY_STATEMENTS` statements: the account, administrators, a deny, conditions, and the key user last. */
function keyPolicy(): string {
  const statements: object[] = [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'Key administrators', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` }, Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'], Resource: '*' },
    { Sid: 'No deletion by users', Effect: 'Deny', Principal: { AWS: KEY_USER }, Action: 'kms:ScheduleKeyDeletion', Resource: '*' },
    { Sid: 'Grants for AWS resources', Effect: 'Allow', Principal: { AWS: KEY_USER }, Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    { Sid: 'Via S3', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT } } },
    { Sid: 'Auditors', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Auditor` }, Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*' },
    { Sid: 'Partner account', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
    { Sid: 'Context for the partner', Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'kms:Decrypt', Resource: '*', Condition: { Null: { 'kms:EncryptionContext:partner': 'true' } } },
    { Sid: 'Tagged callers', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'payments', 'kms:CallerAccount': ACCOUNT } } },
    { Sid: 'Key user', Effect: 'Allow', Principal: { AWS: KEY_USER }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:app': 'orders' } } },
  ];
  if (statements.length !== POLICY_STATEMENTS) throw new Error('the policy must have 10 statements');
  return JSON.stringify({ Version: '2012-10-17', Id: 'bench', Statement: statements });
}

async function encrypter(authorization: AuthorizationMode): Promise<() => Promise<unknown>> {
  const kms = createKms({ authorization });
  const { KeyMetadata } = await kms.aws.send('CreateKey', { Policy: keyPolicy() });
  const meta = { principal: principalFromArn(KEY_USER) };
  const input = { KeyId: KeyMetadata.KeyId, Plaintext: 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=', EncryptionContext: { app: 'orders' } };
  const check = await kms.aws.invoke('Encrypt', input, meta);
  if (!check.ok) throw new Error(`bench self-check failed: ${check.error.message}`);
  if (authorization === 'enforce') {
    const refused = await kms.aws.invoke('Encrypt', { ...input, EncryptionContext: { app: 'other' } }, meta);
    if (refused.ok) throw new Error('bench self-check failed: the policy did not refuse another context');
  }
  // The audit stream is bounded: a long run keeps only the newest events, in both configurations alike.
  return () => kms.aws.invoke('Encrypt', input, meta);
}

export async function benchAuthorization(): Promise<BenchRow> {
  log(`a. AWS Encrypt in process, enforcement on with a ${POLICY_STATEMENTS}-statement key policy vs. off …`);
  const enforced = await encrypter('enforce');
  const off = await encrypter('off');
  const r = await compareAsync(enforced, off, IN_PROCESS_ROUNDS);
  return {
    measure: `AWS Encrypt in process (kms.aws.invoke), authorization enforced, ${POLICY_STATEMENTS}-statement key policy (ops/s)`,
    value: fmt(r.a),
    baseline: `${fmt(r.b)} (the same call, authorization off)`,
    ratio: fmt(r.ratio, 2),
    goal: verdict(r.ratio, 0.7),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${table([await benchAuthorization()])}\n`);
}
