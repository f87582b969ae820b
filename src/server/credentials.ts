/**
 * The `--credentials FILE` document: which access keys the local endpoint accepts, their secrets,
 * and the principal (and account) each one stands for. One file holds the keys of every provider:
 * AWS access keys now; Tencent Cloud SecretId/SecretKey and Huawei Cloud AK/SK when their dialects
 * land (entries for them are read and checked already). Format: docs/server.md.
 *
 * ```json
 * {
 *   "version": 1,
 *   "credentials": [
 *     { "provider": "aws", "accessKeyId": "AKIAALICE00000000001", "secretAccessKey": "alice-secret",
 *       "account": "111122223333", "principal": { "type": "user", "name": "alice" } },
 *     { "provider": "aws", "accessKeyId": "AKIAKEYUSER000000001", "secretAccessKey": "key-user-secret",
 *       "principal": { "arn": "arn:aws:iam::111122223333:role/KeyUser",
 *                      "policies": [{ "Version": "2012-10-17", "Statement": [ … ] }], "tags": { "team": "payments" } } },
 *     { "provider": "tencent", "secretId": "AKIDexample", "secretKey": "…", "account": "100000000001" },
 *     { "provider": "huawei", "accessKey": "HPUAexample", "secretKey": "…", "account": "0a1b2c…" }
 *   ]
 * }
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { Principal } from '../engine/types.js';
import type { AwsIdentity } from '../dialects/aws/authorization.js';
import { principalFromArn } from '../dialects/aws/arn.js';

export type Provider = 'aws' | 'tencent' | 'huawei';

/** Who a credential stands for; rendered into each provider's audit records. */
export interface PrincipalSpec {
  /** root (the account itself; the default), an IAM/CAM user, or an assumed role. */
  type?: 'root' | 'user' | 'role';
  /** User or role name (required for user and role). */
  name?: string;
  /** Stable principal id (AWS principalId, Tencent sub-account uin, Huawei user id). Default: the account for root, else the name. */
  id?: string;
  /** AWS only: the principal as an IAM ARN (root, user/…, role/…, an assumed-role session), instead of type and name; its account is the entry's. */
  arn?: string;
  /** AWS only: identity-based policies (JSON documents, objects or texts), judged in the authorization mode (docs/authorization.md). */
  policies?: Array<object | string>;
  /** AWS only: principal tags (aws:PrincipalTag/<key>). */
  tags?: Record<string, string>;
}

export interface AwsCredentialEntry {
  provider: 'aws';
  accessKeyId: string;
  secretAccessKey: string;
  /** The caller's account (12 digits). Default: the server's --account. */
  account?: string;
  principal?: PrincipalSpec;
  /** May call the control API (/_kms/…). */
  admin?: boolean;
}

export interface TencentCredentialEntry {
  provider: 'tencent';
  secretId: string;
  secretKey: string;
  /** The owner account (uin). Default: the server's --account. */
  account?: string;
  principal?: PrincipalSpec;
  /** May call the control API (/_kms/…). */
  admin?: boolean;
}

export interface HuaweiCredentialEntry {
  provider: 'huawei';
  /** AK */
  accessKey: string;
  /** SK */
  secretKey: string;
  /** The account (domain id). Default: the server's --account. */
  account?: string;
  /** The project id the key is bound to (optional; any project if absent). */
  projectId?: string;
  principal?: PrincipalSpec;
  /** May call the control API (/_kms/…). */
  admin?: boolean;
}

export type CredentialEntry = AwsCredentialEntry | TencentCredentialEntry | HuaweiCredentialEntry;

/** The whole `--credentials` document. */
export interface CredentialsFile {
  version?: 1;
  credentials: CredentialEntry[];
}

/** One accepted key, resolved: its secret and the principal it signs as. */
export interface ResolvedCredential {
  provider: Provider;
  /** Access key id / SecretId / AK. */
  id: string;
  /** Secret access key / SecretKey / SK. */
  secret: string;
  account: string;
  principal: Principal;
  /** Huawei only: the project the key is limited to. */
  projectId?: string;
  /** The key may also call the control API (/_kms/…), with HTTP Basic authentication (docs/ci.md). */
  admin?: boolean;
  /** AWS only: the principal's identity policies and tags. */
  identity?: AwsIdentity;
}

export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const ID_FIELD: Record<Provider, string> = { aws: 'accessKeyId', tencent: 'secretId', huawei: 'accessKey' };
const SECRET_FIELD: Record<Provider, string> = { aws: 'secretAccessKey', tencent: 'secretKey', huawei: 'secretKey' };
const OPTIONAL_FIELDS: Record<Provider, string[]> = {
  aws: ['account', 'principal', 'comment', 'admin'],
  tencent: ['account', 'principal', 'comment', 'admin'],
  huawei: ['account', 'principal', 'projectId', 'comment', 'admin'],
};

/** Every accepted key of every provider, looked up in O(1). */
export class CredentialStore {
  readonly #byProvider = new Map<Provider, Map<string, ResolvedCredential>>();

  constructor(entries: Iterable<ResolvedCredential>) {
    for (const entry of entries) {
      let map = this.#byProvider.get(entry.provider);
      if (!map) this.#byProvider.set(entry.provider, (map = new Map()));
      map.set(entry.id, entry);
    }
  }

  /** The credential with this key id, or undefined. */
  find(provider: Provider, id: string): ResolvedCredential | undefined {
    return this.#byProvider.get(provider)?.get(id);
  }

  /** How many keys a provider has. */
  count(provider: Provider): number {
    return this.#byProvider.get(provider)?.size ?? 0;
  }

  /** The admin credential with this key id (of any provider), or undefined. */
  findAdmin(id: string): ResolvedCredential | undefined {
    for (const map of this.#byProvider.values()) {
      const entry = map.get(id);
      if (entry?.admin) return entry;
    }
    return undefined;
  }
}

/**
 * Checks a credentials document (already parsed) and resolves defaults. Throws CredentialsError
 * naming the offending entry and field.
 */
export function parseCredentials(document: unknown, defaults: { account: string }): CredentialStore {
  if (!isObject(document)) throw new CredentialsError('the credentials document must be a JSON object with a "credentials" array');
  for (const key of Object.keys(document)) {
    if (key !== 'version' && key !== 'credentials' && key !== 'comment') throw new CredentialsError(`unknown top-level field "${key}"`);
  }
  if (document.version !== undefined && document.version !== 1) throw new CredentialsError(`unsupported version ${JSON.stringify(document.version)} (expected 1)`);
  const list = document.credentials;
  if (!Array.isArray(list)) throw new CredentialsError('"credentials" must be an array');
  const seen = new Set<string>();
  const resolved: ResolvedCredential[] = [];
  list.forEach((raw, index) => {
    const where = `credentials[${index}]`;
    if (!isObject(raw)) throw new CredentialsError(`${where} must be an object`);
    const provider = raw.provider;
    if (provider !== 'aws' && provider !== 'tencent' && provider !== 'huawei') {
      throw new CredentialsError(`${where}.provider must be "aws", "tencent" or "huawei"`);
    }
    const idField = ID_FIELD[provider];
    const secretField = SECRET_FIELD[provider];
    const allowed = new Set(['provider', idField, secretField, ...OPTIONAL_FIELDS[provider]]);
    for (const key of Object.keys(raw)) {
      if (!allowed.has(key)) throw new CredentialsError(`${where}: unknown field "${key}" for provider "${provider}"`);
    }
    const id = nonEmptyString(raw[idField], `${where}.${idField}`);
    const secret = nonEmptyString(raw[secretField], `${where}.${secretField}`);
    if (/[\s/,=]/.test(id)) throw new CredentialsError(`${where}.${idField} must not contain spaces, '/', ',' or '='`);
    const arnAccount = provider === 'aws' ? principalArnAccount(raw.principal, `${where}.principal`) : undefined;
    const account = raw.account === undefined ? (arnAccount ?? defaults.account) : nonEmptyString(raw.account, `${where}.account`);
    if (arnAccount !== undefined && arnAccount !== account) throw new CredentialsError(`${where}.account ${account} is not the account of ${where}.principal.arn`);
    if (provider === 'aws' && !/^\d{12}$/.test(account)) throw new CredentialsError(`${where}.account must be 12 digits (an AWS account id)`);
    const key = `${provider}\u0000${id}`;
    if (seen.has(key)) throw new CredentialsError(`${where}: ${provider} key "${id}" is listed twice`);
    seen.add(key);
    const principal = resolvePrincipal(raw.principal, account, id, `${where}.principal`, provider);
    const entry: ResolvedCredential = { provider, id, secret, account, principal };
    if (provider === 'aws') {
      const identity = resolveIdentity(raw.principal, `${where}.principal`);
      if (identity) entry.identity = identity;
    }
    if (provider === 'huawei' && raw.projectId !== undefined) entry.projectId = nonEmptyString(raw.projectId, `${where}.projectId`);
    if (raw.admin !== undefined) {
      if (typeof raw.admin !== 'boolean') throw new CredentialsError(`${where}.admin must be true or false`);
      if (raw.admin) entry.admin = true;
    }
    resolved.push(entry);
  });
  return new CredentialStore(resolved);
}

/** Reads and checks a credentials file (JSON). */
export async function loadCredentials(source: CredentialsFile | string, defaults: { account: string }): Promise<CredentialStore> {
  if (typeof source !== 'string') return parseCredentials(source, defaults);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (e) {
    throw new CredentialsError(`cannot read ${source}: ${(e as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new CredentialsError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseCredentials(document, defaults);
  } catch (e) {
    if (e instanceof CredentialsError) throw new CredentialsError(`${source}: ${e.message}`);
    throw e;
  }
}

function resolvePrincipal(raw: unknown, account: string, accessKeyId: string, where: string, provider: Provider): Principal {
  if (raw === undefined) return { account, type: 'root', id: account, accessKeyId };
  if (!isObject(raw)) throw new CredentialsError(`${where} must be an object`);
  const fields = provider === 'aws' ? AWS_PRINCIPAL_FIELDS : PRINCIPAL_FIELDS;
  for (const key of Object.keys(raw)) {
    if (!fields.has(key)) throw new CredentialsError(`${where}: unknown field "${key}"`);
  }
  if (raw.arn !== undefined) {
    if (raw.type !== undefined || raw.name !== undefined) throw new CredentialsError(`${where}: give either arn or type and name`);
    const principal = principalFromArn(raw.arn as string);
    return { ...principal, ...(raw.id !== undefined ? { id: nonEmptyString(raw.id, `${where}.id`) } : {}), accessKeyId };
  }
  const type = raw.type ?? 'root';
  if (type !== 'root' && type !== 'user' && type !== 'role') throw new CredentialsError(`${where}.type must be "root", "user" or "role"`);
  const name = raw.name === undefined ? undefined : nonEmptyString(raw.name, `${where}.name`);
  const id = raw.id === undefined ? undefined : nonEmptyString(raw.id, `${where}.id`);
  if (type === 'root') {
    return { account, type, id: id ?? account, ...(name ? { name } : {}), accessKeyId };
  }
  if (!name) throw new CredentialsError(`${where}.name is required for a ${type}`);
  if (provider === 'aws' && !/^[\w+=,.@/-]{1,512}$/.test(name)) throw new CredentialsError(`${where}.name is not a valid IAM ${type} name`);
  return { account, type, id: id ?? name, name, accessKeyId };
}

const PRINCIPAL_FIELDS = new Set(['type', 'name', 'id']);
const AWS_PRINCIPAL_FIELDS = new Set(['type', 'name', 'id', 'arn', 'policies', 'tags']);

/** The account of an AWS principal given by ARN (checked), or undefined without one. */
function principalArnAccount(raw: unknown, where: string): string | undefined {
  if (!isObject(raw) || raw.arn === undefined) return undefined;
  if (typeof raw.arn !== 'string') throw new CredentialsError(`${where}.arn must be a string`);
  try {
    return principalFromArn(raw.arn).account;
  } catch {
    throw new CredentialsError(`${where}.arn is not an IAM principal ARN (arn:aws:iam::<account>:root, :user/<name>, :role/<name>, or arn:aws:sts::<account>:assumed-role/<role>/<session>)`);
  }
}

/** An AWS principal's identity policies and tags, checked. */
function resolveIdentity(raw: unknown, where: string): AwsIdentity | undefined {
  if (!isObject(raw) || (raw.policies === undefined && raw.tags === undefined)) return undefined;
  const identity: { policies?: Array<string | object>; tags?: Record<string, string> } = {};
  if (raw.policies !== undefined) {
    if (!Array.isArray(raw.policies)) throw new CredentialsError(`${where}.policies must be an array of policy documents`);
    raw.policies.forEach((p, i) => {
      if (typeof p !== 'string' && !isObject(p)) throw new CredentialsError(`${where}.policies[${i}] must be a policy document (an object or its JSON text)`);
    });
    identity.policies = raw.policies as Array<string | object>;
  }
  if (raw.tags !== undefined) {
    if (!isObject(raw.tags) || !Object.values(raw.tags).every((v) => typeof v === 'string')) throw new CredentialsError(`${where}.tags must be an object of strings`);
    identity.tags = raw.tags as Record<string, string>;
  }
  return identity;
}

function nonEmptyString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new CredentialsError(`${where} must be a non-empty string`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
