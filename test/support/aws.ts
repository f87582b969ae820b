import {
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DescribeKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  type ListAliasesCommandInput,
} from '@aws-sdk/client-kms';
import { expect } from 'vitest';
import type { Kms } from '../../src/index.js';
import { rejection, START } from './kms.js';

export const ACCOUNT = '111122223333';
export const DAY = 86_400_000;
/** START in epoch milliseconds. */
export const T0 = Date.parse(START);

/** Any lowercase UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A random (version 4, RFC 4122 variant) lowercase UUID. */
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const arnOf = (id: string, region = 'us-east-1') => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;
export const aliasArn = (name: string, region = 'us-east-1') => `arn:aws:kms:${region}:${ACCOUNT}:${name}`;

/** AWS's words when DryRun is set on a call that would have succeeded. */
export const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
/** AWS's words when a ciphertext's key is missing, elsewhere, or not usable (AccessDeniedException). */
export const ACCESS_DENIED =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';
/** AWS's words when a KeyId on Decrypt/ReEncrypt does not match the ciphertext's key (IncorrectKeyException). */
export const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';

/** Everything a call could change: keys, aliases, tags, policies, dates (not the audit trail). */
export function state(kms: Kms) {
  const { realms, seq, markerSecret } = kms.snapshot();
  return { realms, seq, markerSecret };
}

/** The call must fail, and leave the emulator as it found it. */
export async function refused(kms: Kms, call: () => Promise<unknown>) {
  const before = state(kms);
  const error = await rejection(call);
  expect(state(kms)).toEqual(before);
  return error;
}

export async function createKey(client: KMSClient, input: CreateKeyCommandInput = {}) {
  return (await client.send(new CreateKeyCommand(input))).KeyMetadata!;
}

/** Creates `n` keys with default settings; returns their ids in creation order. */
export async function createKeys(client: KMSClient, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await createKey(client)).KeyId!);
  return ids;
}

export async function describeKey(client: KMSClient, keyId: string) {
  return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

/** The id of the key's current key material. */
export async function currentMaterial(client: KMSClient, keyId: string): Promise<string> {
  return (await describeKey(client, keyId)).CurrentKeyMaterialId!;
}

/** The predefined aliases of AWS managed keys, listed (without a TargetKeyId) before any alias of the account. */
export const PREDEFINED_ALIASES = [
  'alias/aws/acm',
  'alias/aws/dynamodb',
  'alias/aws/ebs',
  'alias/aws/elasticfilesystem',
  'alias/aws/es',
  'alias/aws/glue',
  'alias/aws/kinesisvideo',
  'alias/aws/lambda',
  'alias/aws/rds',
  'alias/aws/redshift',
  'alias/aws/s3',
  'alias/aws/secretsmanager',
  'alias/aws/sns',
  'alias/aws/sqs',
  'alias/aws/ssm',
  'alias/aws/xray',
];

/** The alias names on ListAliases' first page, leaving out predefined aliases whose AWS managed key does not exist yet. */
export async function aliasNames(client: KMSClient, input: ListAliasesCommandInput = {}): Promise<string[]> {
  return (await client.send(new ListAliasesCommand(input))).Aliases!.filter((a) => a.TargetKeyId !== undefined).map((a) => a.AliasName!);
}
