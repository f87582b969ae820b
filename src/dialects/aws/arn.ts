import type { KeyRef, Principal, Realm } from '../../engine/types.js';
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

/** The caller's ARN, as AWS names it in an access-denied message (a service is named by its name). */
export function principalArn(p: Principal, region: string): string {
  const partition = partitionOf(region);
  switch (p.type) {
    case 'root':
      return `arn:${partition}:iam::${p.account}:root`;
    case 'user':
      return `arn:${partition}:iam::${p.account}:user/${p.name ?? p.id}`;
    case 'role':
      return `arn:${partition}:sts::${p.account}:assumed-role/${p.name ?? p.id}`;
    case 'service':
      return p.name ?? p.id;
  }
}

/** Principals with their AWS names, made once per principal object (callers share them); and back. */
const named = new WeakMap<Principal, Map<string, Principal>>();
const originals = new WeakMap<Principal, Principal>();

/** The principal as the caller gave it (audit records carry no list of names). */
export function withoutAwsNames(p: Principal): Principal {
  return originals.get(p) ?? p;
}

/**
 * The principal with every name AWS knows it by, so that a grant to any of them serves it: its
 * account's id and root ARN (a grant to the account serves every principal of the account), a
 * user's ARN, an assumed-role session's ARN and its role's ARN (a grant to a role serves its sessions).
 */
export function withAwsNames(p: Principal, region: string): Principal {
  if (p.names !== undefined) return p;
  const partition = partitionOf(region);
  let byPartition = named.get(p);
  const known = byPartition?.get(partition);
  if (known) return known;
  const names = [`arn:${partition}:iam::${p.account}:root`];
  const name = p.name ?? p.id;
  if (p.type === 'user') names.push(`arn:${partition}:iam::${p.account}:user/${name}`);
  if (p.type === 'role') {
    names.push(`arn:${partition}:sts::${p.account}:assumed-role/${name}`);
    names.push(`arn:${partition}:iam::${p.account}:role/${name.split('/')[0]}`);
  }
  const result: Principal = { ...p, names };
  originals.set(result, p);
  if (!byPartition) {
    byPartition = new Map();
    named.set(p, byPartition);
  }
  byPartition.set(partition, result);
  return result;
}

const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-eusc|aws-iso|aws-iso-b):(iam|sts)::(\d{12}):(root|user\/[\w+=,.@/-]{1,512}|role\/[\w+=,.@-]{1,64}|assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{2,64})$/;

/** The session name a role's ARN gets when no session is named (arn:aws:sts::<account>:assumed-role/<role>/<session>). */
export const DEFAULT_ROLE_SESSION = 'kms-emulator';

/**
 * The principal an IAM ARN names: the account root, a user (`user/name`, with its path), a role
 * (a session of it, named `kms-emulator`) or an assumed-role session. Throws TypeError for anything else.
 */
export function principalFromArn(arn: string): Principal {
  const m = typeof arn === 'string' ? PRINCIPAL_ARN.exec(arn) : null;
  if (!m) throw new TypeError(`not an IAM principal ARN (root, user, role or assumed-role): ${String(arn)}`);
  const [, , service, account, resource] = m as unknown as [string, string, string, string, string];
  if (resource === 'root') {
    if (service !== 'iam') throw new TypeError(`not an IAM principal ARN: ${arn}`);
    return { account, type: 'root', id: account };
  }
  const slash = resource.indexOf('/');
  const kind = resource.slice(0, slash);
  const name = resource.slice(slash + 1);
  if ((kind === 'assumed-role') !== (service === 'sts')) throw new TypeError(`not an IAM principal ARN: ${arn}`);
  if (kind === 'user') return { account, type: 'user', id: name, name };
  const session = kind === 'role' ? `${name}/${DEFAULT_ROLE_SESSION}` : name;
  return { account, type: 'role', id: session, name: session };
}
