/**
 * AWS managed keys: the predefined `alias/aws/<service>` aliases, and the key each makes on first
 * use (KeyManager AWS, yearly rotation that cannot be turned off, the service's key policy). The
 * engine's service-keys.ts makes and guards the key; this table says which names and what they say.
 */
import type { Realm, ServiceKeys, ServiceKeyTemplate } from '../../engine/types.js';
import { partitionOf } from './arn.js';

interface ManagedKeyService {
  /** The service's name in the key's description and policy. */
  readonly title: string;
  /** The service's endpoint prefix in kms:ViaService (`<prefix>.<region>.amazonaws.com`). */
  readonly via: string;
  /** What the key protects, in its description. */
  readonly protects: string;
  /** Whether the service creates grants for its resources (kms:CreateGrant in the policy). */
  readonly grants: boolean;
}

/** By service name (the alias is `alias/aws/<name>`), in listing order. */
const SERVICES: Readonly<Record<string, ManagedKeyService>> = {
  acm: { title: 'AWS Certificate Manager', via: 'acm', protects: 'ACM private keys', grants: true },
  dynamodb: { title: 'Amazon DynamoDB', via: 'dynamodb', protects: 'DynamoDB data', grants: true },
  ebs: { title: 'EBS', via: 'ec2', protects: 'EBS volumes', grants: true },
  elasticfilesystem: { title: 'Amazon Elastic File System', via: 'elasticfilesystem', protects: 'Amazon Elastic File System data', grants: true },
  es: { title: 'Amazon OpenSearch Service', via: 'es', protects: 'Amazon OpenSearch Service data', grants: true },
  glue: { title: 'AWS Glue', via: 'glue', protects: 'Glue data', grants: false },
  kinesisvideo: { title: 'Kinesis Video Streams', via: 'kinesisvideo', protects: 'Kinesis Video Streams data', grants: false },
  lambda: { title: 'AWS Lambda', via: 'lambda', protects: 'Lambda functions', grants: true },
  rds: { title: 'RDS', via: 'rds', protects: 'RDS database volumes', grants: true },
  redshift: { title: 'Redshift', via: 'redshift', protects: 'Redshift databases', grants: true },
  s3: { title: 'S3', via: 's3', protects: 'S3 objects', grants: false },
  secretsmanager: { title: 'AWS Secrets Manager', via: 'secretsmanager', protects: 'Secrets Manager secrets', grants: true },
  sns: { title: 'Amazon SNS', via: 'sns', protects: 'SNS data', grants: false },
  sqs: { title: 'Amazon SQS', via: 'sqs', protects: 'SQS messages', grants: false },
  ssm: { title: 'Amazon SSM', via: 'ssm', protects: 'SSM parameters', grants: false },
  xray: { title: 'AWS X-Ray', via: 'xray', protects: 'X-Ray data', grants: true },
};

const PREFIX = 'alias/aws/';

export const MANAGED_KEY_ALIASES: readonly string[] = Object.keys(SERVICES).map((name) => PREFIX + name);

/** AWS rotates the key material of AWS managed keys every year. */
export const MANAGED_KEY_ROTATION_DAYS = 365;

export function isReservedAliasName(name: string): boolean {
  return name.startsWith(PREFIX);
}

function serviceOf(alias: string): ManagedKeyService | undefined {
  if (!alias.startsWith(PREFIX)) return undefined;
  const name = alias.slice(PREFIX.length);
  return Object.hasOwn(SERVICES, name) ? SERVICES[name] : undefined;
}

/** The key policy AWS gives an AWS managed key: the service may use it for the account; the account may read it. */
export function managedKeyPolicy(alias: string, realm: Realm): string | undefined {
  const service = serviceOf(alias);
  if (!service) return undefined;
  const partition = partitionOf(realm.region);
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  const use = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', ...(service.grants ? ['kms:CreateGrant'] : []), 'kms:DescribeKey'];
  const read = ['kms:Describe*', 'kms:Get*', 'kms:List*', ...(service.grants ? ['kms:RevokeGrant'] : [])];
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: `auto-${alias.slice(PREFIX.length)}-2`,
      Statement: [
        {
          Sid: `Allow access through ${service.title} for all principals in the account that are authorized to use ${service.title}`,
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: use,
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': realm.account, 'kms:ViaService': `${service.via}.${realm.region}.${domain}` } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${realm.account}:root` },
          Action: read,
          Resource: '*',
        },
      ],
    },
    null,
    2,
  ).replace(/": /g, '" : ');
}

/** The engine's view of AWS managed keys: the predefined names, and the key each makes. */
export const AWS_MANAGED_KEYS: ServiceKeys = {
  names: MANAGED_KEY_ALIASES,
  template(alias: string, realm: Realm): ServiceKeyTemplate | undefined {
    const service = serviceOf(alias);
    const policy = managedKeyPolicy(alias, realm);
    if (!service || policy === undefined) return undefined;
    return {
      // SYMMETRIC_DEFAULT: AES-256, or SM4 in the China Regions.
      spec: partitionOf(realm.region) === 'aws-cn' ? 'SM4' : 'AES_256',
      description: `Default key that protects my ${service.protects} when no other key is defined`,
      policies: [['default', policy]],
      rotationPeriodDays: MANAGED_KEY_ROTATION_DAYS,
    };
  },
};
