/** What a Huawei KMS verb handler is given and returns, the service's limits, and the checks the handlers share. */
import type { Action } from '../../engine/actions.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, toHex, utf8 } from '../../crypto/bytes.js';
import { sm3 } from '../../crypto/sm3.js';
import type { Engine } from '../../engine/engine.js';
import type { GrantInfo } from '../../engine/grants.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef } from '../../engine/types.js';
import { kmsError } from './errors.js';
import { familyOf, keyDetails, ms } from './metadata.js';
import { numberOf, type Body } from './validate.js';
import { isPlainObject } from '../shared.js';

/** The service's limits as Huawei documents them (quota example: grants per key 100). */
export const LIMITS = {
  /** Customer master keys per project (region). */
  keys: 100,
  grantsPerKey: 100,
  tagsPerKey: 10,
  pendingDays: [7, 1096] as const,
  rotationIntervalDays: [30, 365] as const,
  defaultRotationIntervalDays: 365,
  /** list-keys / list-grants without a limit. */
  listDefault: 1000,
  /** How far back deleteKeyRiskTips looks for the key's use. */
  recentUseDays: 30,
};

/** Grant operations Huawei documents (create-grant may not be the only one). */
export const GRANT_OPERATIONS = [
  'create-datakey',
  'create-datakey-without-plaintext',
  'encrypt-datakey',
  'decrypt-datakey',
  'describe-key',
  'create-grant',
  'retire-grant',
  'encrypt-data',
  'decrypt-data',
] as const;

/** The neutral action of each grant operation (grants hold actions; the engine's actions.ts). */
export const GRANT_ACTIONS: Readonly<Record<(typeof GRANT_OPERATIONS)[number], Action>> = {
  'create-datakey': 'generateDataKey',
  'create-datakey-without-plaintext': 'generateDataKeyWithoutPlaintext',
  'encrypt-datakey': 'encryptDataKey',
  'decrypt-datakey': 'decryptDataKey',
  'describe-key': 'describeKey',
  'create-grant': 'createGrant',
  'retire-grant': 'retireGrant',
  'encrypt-data': 'encrypt',
  'decrypt-data': 'decrypt',
};

/** The neutral action of each verb that has one (grant operations, and the key operations they share with other providers). */
export const VERB_ACTIONS: Readonly<Record<string, Action>> = {
  ...GRANT_ACTIONS,
  'create-key': 'createKey',
  'list-keys': 'listKeys',
  'enable-key': 'enableKey',
  'disable-key': 'disableKey',
  'schedule-key-deletion': 'scheduleDeletion',
  'cancel-key-deletion': 'cancelDeletion',
  'update-key-description': 'updateDescription',
  'get-publickey': 'getPublicKey',
  'rotate-on-demand': 'rotateNow',
  'create-rsa-datakey-pair': 'generateDataKeyPair',
  'create-ec-datakey-pair': 'generateDataKeyPair',
  'derive-shared-secret': 'deriveSharedSecret',
  'replicate-key': 'replicateKey',
  'update-primary-region': 'updatePrimaryRegion',
  'generate-mac': 'generateMac',
  'verify-mac': 'verifyMac',
  'gen-random': 'generateRandom',
  'get-parameters-for-import': 'getImportParameters',
  'import-key-material': 'importKeyMaterial',
  'delete-imported-key-material': 'deleteImportedKeyMaterial',
  'enable-key-rotation': 'enableRotation',
  'disable-key-rotation': 'disableRotation',
  'get-key-rotation-status': 'getRotationStatus',
  'list-grants': 'listGrants',
  'list-retirable-grants': 'listRetirableGrants',
  'revoke-grant': 'revokeGrant',
};

/** The Huawei name of a grant's action (an action Huawei has no name for keeps its own). */
function grantOperation(action: string): string {
  for (const [name, a] of Object.entries(GRANT_ACTIONS)) if (a === action) return name;
  return action;
}

/** What a handler tells CTS beyond the request. */
export interface Trail {
  /** The key the call concerned (resource_id / resource_name). */
  key?: KeyInfo;
  resourceName?: string;
}

export interface Call {
  readonly engine: Engine;
  readonly ctx: CallContext;
  readonly verb: string;
  readonly body: Body;
  readonly trail: Trail;
  /** The region of a project of the caller's domain (replicate-key's replica_project_id). */
  readonly regionOf?: (projectId: string) => string;
}

export type Handler = (call: Call) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface OperationSpec {
  readonly handler: Handler;
  /** CTS read_only. */
  readonly readOnly: boolean;
  /** The HTTP status of a success, when Huawei documents another than 200 (201 Created). */
  readonly status?: number;
}

export const HEX = (bytes: Uint8Array) => toHex(bytes).toUpperCase();
export const lenient = new TextDecoder();

export function keyRef(body: Body, field = 'key_id'): KeyRef {
  return { keyId: body[field] as string };
}

/** The key, through the grant rules of the call's operation; remembered for the trace. */
export function lookup(call: Call, field = 'key_id'): KeyInfo {
  const key = call.engine.describeKey(call.ctx, keyRef(call.body, field));
  call.trail.key = key;
  return key;
}

/** The key's first alias (a granted key's alias lives in the owner's realm); a read, nothing runs. */
export function aliasOf(engine: Engine, key: KeyInfo): string {
  // Aliases of the alias API (ops-aliases.ts) carry a '|' no key_alias has.
  return engine.aliasesOf(key).find((a) => !a.name.includes('|'))?.name ?? '';
}

export function details(call: Call, key: KeyInfo): Record<string, string> {
  const alias = aliasOf(call.engine, key);
  call.trail.resourceName = alias;
  return keyDetails(key, alias);
}

/** Huawei pages by a numeric marker: the index of the next item. */
export function pageOf<T>(items: readonly T[], body: Body): { items: T[]; next_marker: string; truncated: 'true' | 'false'; total: number } {
  const from = numberOf(body.marker, 0);
  const limit = numberOf(body.limit, LIMITS.listDefault);
  if (limit < 1) throw kmsError('KMS.1601');
  const page = items.slice(from, from + limit);
  const more = from + limit < items.length;
  return { items: page, next_marker: more ? String(from + limit) : '', truncated: more ? 'true' : 'false', total: items.length };
}

/**
 * The authenticated data: `additional_authenticated_data` (a string) and the older
 * `encryption_context` (an object of strings), both bound to the ciphertext.
 */
export const AAD_CONTEXT_KEY = 'additional_authenticated_data';
export function contextOf(body: Body, prefix = ''): EncryptionContext | undefined {
  const out: EncryptionContext = Object.create(null);
  const legacy = body[`${prefix}encryption_context`];
  if (legacy !== undefined && legacy !== null) {
    if (!isPlainObject(legacy) || JSON.stringify(legacy).length > 8192) throw kmsError('KMS.0208');
    for (const [k, v] of Object.entries(legacy)) {
      if (typeof v !== 'string') throw kmsError('KMS.0208');
      out[k] = v;
    }
  }
  const aad = body[`${prefix}additional_authenticated_data`];
  if (aad !== undefined && aad !== null) {
    if (typeof aad !== 'string' || utf8(aad).length > 128) throw kmsError('KMS.0308');
    if (aad !== '') out[AAD_CONTEXT_KEY] = aad;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function base64Field(body: Body, field: string, code = 'KMS.0308', max = 4096): Uint8Array {
  const text = body[field];
  const bytes = typeof text === 'string' && /^[0-9a-zA-Z+/]*={0,2}$/.test(text) ? fromBase64(text) : undefined;
  if (!bytes || bytes.length === 0 || bytes.length > max) throw kmsError(code);
  return bytes;
}

/** Refusals by key family for operations that need a symmetric key (data keys, encrypt-data). */
export function requireSymmetric(key: KeyInfo): void {
  const family = familyOf(key.spec);
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (family !== 'symmetric') throw kmsError('KMS.0325');
}

export function requireExternal(key: KeyInfo): void {
  if (key.origin !== 'EXTERNAL') throw kmsError('KMS.0309');
}

/** Only generated AES/SM4 keys of the service's own keystore rotate (a dedicated keystore's KMS.0338): RSA keys KMS.0324, other asymmetric KMS.0325, HMAC KMS.0341, imported KMS.0312. */
export function requireRotatable(key: KeyInfo): void {
  if (key.keyStoreId !== undefined) throw kmsError('KMS.0338');
  const family = familyOf(key.spec);
  if (family === 'rsa') throw kmsError('KMS.0324');
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (family !== 'symmetric') throw kmsError('KMS.0325');
  if (key.origin === 'EXTERNAL') throw kmsError('KMS.0312');
}

/** The SHA-256 digest of a DEK, or SM3 when the CMK is SM4 (encrypt-datakey's plain_text suffix). */
export function dekDigest(key: KeyInfo, dek: Uint8Array): Uint8Array {
  return key.spec === 'SM4' ? sm3(dek) : sha256(dek);
}

export function grantRecord(g: GrantInfo): Record<string, unknown> {
  return {
    key_id: g.keyId,
    grant_id: g.id,
    grantee_principal: g.granteePrincipal,
    grantee_principal_type: g.granteeType ?? 'user',
    operations: g.operations.map(grantOperation),
    issuing_principal: g.issuingPrincipal,
    creation_date: ms(g.createdAt),
    name: g.name ?? '',
    retiring_principal: g.retiringPrincipal ?? '',
  };
}

export function checkAlias(alias: string): void {
  // Aliases ending in /default belong to the default keys cloud services create.
  if (alias.endsWith('/default')) throw kmsError('KMS.1101');
}

/** The emulator's verb for the console-only deleteKeyRiskTips (it has no REST API at Huawei). */
export const RISK_TIPS_VERB = 'delete-key-risk-tips';
