import type { KeyRef, Realm } from '../../engine/types.js';
import { AwsServiceError } from './service-error.js';

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

export function keyArn(realm: Realm, keyId: string): string {
  return `arn:${partitionOf(realm.region)}:kms:${realm.region}:${realm.account}:key/${keyId}`;
}

export function aliasArn(realm: Realm, aliasName: string): string {
  return `arn:${partitionOf(realm.region)}:kms:${realm.region}:${realm.account}:${aliasName}`;
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso|aws-iso-b):kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;

/**
 * Reads a KeyId as AWS accepts it: key id, key ARN, and where the operation allows, alias name
 * or alias ARN. ARNs of another region name nothing here (NotFoundException); a key ARN of another account
 * names a key that only grants to the caller make visible.
 */
export function parseKeyId(value: string, realm: Realm, acceptsAlias: boolean): KeyRef {
  if (value.startsWith('alias/')) {
    if (!acceptsAlias) throw invalidKeyId(value);
    return { alias: value };
  }
  if (value.startsWith('arn:')) {
    const m = ARN.exec(value);
    if (!m) throw new AwsServiceError('InvalidArnException', `Invalid arn ${value}`);
    const [, partition, region, account, kind, rest] = m;
    if (kind === 'alias' && !acceptsAlias) throw invalidKeyId(value);
    if (region !== realm.region || partition !== partitionOf(realm.region)) {
      throw new AwsServiceError('NotFoundException', `Invalid arn ${region}`);
    }
    // A key ARN of another account reaches its key only through a grant (the engine decides); aliases never cross accounts.
    if (account !== realm.account && kind === 'alias') throw new AwsServiceError('NotFoundException', `Alias ${value} is not found.`);
    if (kind === 'alias') return { alias: `alias/${rest}` };
    if (!KEY_ID.test(rest!)) throw invalidKeyId(value);
    return account === realm.account ? { keyId: rest! } : { keyId: rest!, account: account! };
  }
  if (!KEY_ID.test(value)) throw invalidKeyId(value);
  return { keyId: value };
}

function invalidKeyId(value: string): AwsServiceError {
  return new AwsServiceError('NotFoundException', `Invalid keyId '${value}'`);
}
