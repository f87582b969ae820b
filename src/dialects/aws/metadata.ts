import type { KeyInfo, KeyOrigin, KeySpec, KeyState } from '../../engine/types.js';
import { keyArn } from './arn.js';

/** Engine key specs as AWS names them. */
export const AWS_KEY_SPEC: Record<KeySpec, string> = { AES_256: 'SYMMETRIC_DEFAULT' };
export const KEY_SPEC_FROM_AWS: Record<string, KeySpec> = { SYMMETRIC_DEFAULT: 'AES_256' };

export const AWS_ORIGIN: Record<KeyOrigin, string> = { GENERATED: 'AWS_KMS', EXTERNAL: 'EXTERNAL' };

/** AWS has no archived state; the others keep their names. */
export function awsKeyState(state: KeyState): string {
  return state === 'Archived' ? 'Disabled' : state;
}

export const secs = (ms: number): number => ms / 1000;

/** KeyMetadata as DescribeKey and CreateKey return it. */
export function keyMetadata(key: KeyInfo): Record<string, unknown> {
  const spec = AWS_KEY_SPEC[key.spec];
  return {
    AWSAccountId: key.realm.account,
    KeyId: key.id,
    Arn: keyArn(key.realm, key.id),
    CreationDate: secs(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.usage,
    KeyState: awsKeyState(key.state),
    ...(key.deletionDate !== undefined ? { DeletionDate: secs(key.deletionDate) } : {}),
    Origin: AWS_ORIGIN[key.origin],
    KeyManager: key.manager,
    CustomerMasterKeySpec: spec,
    KeySpec: spec,
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: key.multiRegion,
    // AWS shows the waiting period only while a multi-Region primary waits for its replicas.
    ...(key.state === 'PendingReplicaDeletion' && key.pendingWindowDays !== undefined ? { PendingDeletionWindowInDays: key.pendingWindowDays } : {}),
    ...(key.currentMaterialId !== undefined ? { CurrentKeyMaterialId: key.currentMaterialId } : {}),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CloudTrail's human date in responseElements: "Aug 10, 2022, 10:38:27 PM". */
export function trailDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${hour12}:${mm}:${ss} ${h < 12 ? 'AM' : 'PM'}`;
}

/** KeyMetadata as CloudTrail's responseElements shows it: lowerCamelCase, human dates. */
export function trailKeyMetadata(key: KeyInfo): Record<string, unknown> {
  const m = keyMetadata(key);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (k === 'CurrentKeyMaterialId') continue;
    const name = k === 'AWSAccountId' ? 'AWSAccountId' : k.charAt(0).toLowerCase() + k.slice(1);
    out[name] = k === 'CreationDate' || k === 'DeletionDate' ? trailDate((v as number) * 1000) : v;
  }
  return out;
}

/** Default policies by partition and account: every key of an account shares one (immutable) string. */
const defaultPolicies = new Map<string, string>();

export function defaultKeyPolicy(account: string, partition: string): string {
  const cacheKey = `${partition}:${account}`;
  let policy = defaultPolicies.get(cacheKey);
  if (policy === undefined) {
    if (defaultPolicies.size >= 256) defaultPolicies.clear();
    policy = renderDefaultKeyPolicy(account, partition);
    defaultPolicies.set(cacheKey, policy);
  }
  return policy;
}

function renderDefaultKeyPolicy(account: string, partition: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:${partition}:iam::${account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  ).replace(/": /g, '" : ');
}
