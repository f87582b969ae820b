/**
 * Huawei KMS operations by URL verb: validate, translate names and encodings, call the engine,
 * translate back. State rules that differ from the engine's (enable of a non-disabled key,
 * schedule of a key already pending deletion, rotation of RSA or imported keys) are checked
 * here, before the engine is called, so a refused call changes nothing.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, fromHex, toBase64, toHex, utf8 } from '../../crypto/bytes.js';
import { toPem } from '../../crypto/keys.js';
import { sm3 } from '../../crypto/sm3.js';
import type { JsonValue } from '../../engine/audit.js';
import { DAY_MS } from '../../engine/clock.js';
import type { Engine } from '../../engine/engine.js';
import type { GrantInfo } from '../../engine/grants.js';
import { SPEC_PROFILES } from '../../engine/specs.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef, KeyUsage } from '../../engine/types.js';
import { frameCiphertext, openFrame } from './ciphertext.js';
import { HuaweiError, kmsError } from './errors.js';
import {
  ENCRYPTION_ALGORITHM_FROM_HUAWEI,
  familyOf,
  HUAWEI_KEY_SPEC,
  KEY_SPEC_FROM_HUAWEI,
  KEY_STATE,
  keyDetails,
  MAC_ALGORITHM_FROM_HUAWEI,
  ms,
  PAIR_SPEC_FROM_HUAWEI,
  SIGNING_ALGORITHM_FROM_HUAWEI,
} from './metadata.js';
import { numberOf, type Body } from './validate.js';
import { aliasOf as sharedAliasOf, allKeys, isPlainObject, tagCountAfter } from '../shared.js';

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
}

export type Handler = (call: Call) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface OperationSpec {
  readonly handler: Handler;
  /** CTS read_only. */
  readonly readOnly: boolean;
}

// ------------------------------------------------------------------ helpers

const HEX = (bytes: Uint8Array) => toHex(bytes).toUpperCase();
const lenient = new TextDecoder();

function keyRef(body: Body, field = 'key_id'): KeyRef {
  return { keyId: body[field] as string };
}

/** The key, through the grant rules of the call's operation; remembered for the trace. */
function lookup(call: Call, field = 'key_id'): KeyInfo {
  const key = call.engine.describeKey(call.ctx, keyRef(call.body, field));
  call.trail.key = key;
  return key;
}

/** A context in the key's own realm, for reads the owner would make (aliases of a granted key). */
function ownerContext(ctx: CallContext, key: KeyInfo): CallContext {
  return key.realm.account === ctx.realm.account && key.realm.region === ctx.realm.region ? ctx : { ...ctx, realm: key.realm, operation: undefined };
}

/** The key's alias, read as its owner would (a granted key's alias lives in the owner's realm). */
export function aliasOf(engine: Engine, ctx: CallContext, key: KeyInfo): string {
  return sharedAliasOf(engine, ownerContext(ctx, key), key);
}

function details(call: Call, key: KeyInfo): Record<string, string> {
  const alias = aliasOf(call.engine, call.ctx, key);
  call.trail.resourceName = alias;
  return keyDetails(key, alias);
}

/** Huawei pages by a numeric marker: the index of the next item. */
function pageOf<T>(items: readonly T[], body: Body): { items: T[]; next_marker: string; truncated: 'true' | 'false'; total: number } {
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
function contextOf(body: Body, prefix = ''): EncryptionContext | undefined {
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

function base64Field(body: Body, field: string, code = 'KMS.0308', max = 4096): Uint8Array {
  const text = body[field];
  const bytes = typeof text === 'string' && /^[0-9a-zA-Z+/]*={0,2}$/.test(text) ? fromBase64(text) : undefined;
  if (!bytes || bytes.length === 0 || bytes.length > max) throw kmsError(code);
  return bytes;
}

/** Refusals by key family for operations that need a symmetric key (data keys, encrypt-data). */
function requireSymmetric(key: KeyInfo): void {
  const family = familyOf(key.spec);
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (family !== 'symmetric') throw kmsError('KMS.0325');
}

function requireExternal(key: KeyInfo): void {
  if (key.origin !== 'EXTERNAL') throw kmsError('KMS.0309');
}

/** Only generated AES/SM4 keys rotate: RSA keys KMS.0324, other asymmetric KMS.0325, HMAC KMS.0341, imported KMS.0312. */
function requireRotatable(key: KeyInfo): void {
  const family = familyOf(key.spec);
  if (family === 'rsa') throw kmsError('KMS.0324');
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (family !== 'symmetric') throw kmsError('KMS.0325');
  if (key.origin === 'EXTERNAL') throw kmsError('KMS.0312');
}

/** The SHA-256 digest of a DEK, or SM3 when the CMK is SM4 (encrypt-datakey's plain_text suffix). */
function dekDigest(key: KeyInfo, dek: Uint8Array): Uint8Array {
  return key.spec === 'SM4' ? sm3(dek) : sha256(dek);
}

function grantRecord(g: GrantInfo): Record<string, unknown> {
  return {
    key_id: g.keyId,
    grant_id: g.id,
    grantee_principal: g.granteePrincipal,
    grantee_principal_type: g.granteeType ?? 'user',
    operations: [...g.operations],
    issuing_principal: g.issuingPrincipal,
    creation_date: ms(g.createdAt),
    name: g.name ?? '',
    retiring_principal: g.retiringPrincipal ?? '',
  };
}

function checkAlias(alias: string): void {
  // Aliases ending in /default belong to the default keys cloud services create.
  if (alias.endsWith('/default')) throw kmsError('KMS.1101');
}

// ------------------------------------------------------------------ key lifecycle

const createKey: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const alias = body.key_alias as string;
  checkAlias(alias);
  const spec = KEY_SPEC_FROM_HUAWEI[(body.key_spec as string | undefined) ?? 'AES_256'];
  if (!spec) throw kmsError('KMS.0308');
  const family = familyOf(spec);
  const defaultUsage: KeyUsage = family === 'symmetric' ? 'ENCRYPT_DECRYPT' : family === 'hmac' ? 'GENERATE_VERIFY_MAC' : 'SIGN_VERIFY';
  const usage = ((body.key_usage as string | undefined) ?? defaultUsage) as KeyUsage;
  if (family === 'hmac' && usage !== 'GENERATE_VERIFY_MAC') throw kmsError('KMS.0341');
  if (family === 'symmetric' && usage === 'SIGN_VERIFY') throw kmsError('KMS.1115');
  if (family === 'ec' && usage === 'ENCRYPT_DECRYPT') throw kmsError('KMS.1114');
  if (!SPEC_PROFILES[spec].usages.includes(usage)) throw kmsError('KMS.0308');
  if (engine.getAlias(ctx, alias)) throw kmsError('KMS.1104');
  if (allKeys(engine, ctx).length >= LIMITS.keys) throw kmsError('KMS.1105');
  const origin = body.origin === 'external' ? 'EXTERNAL' : 'GENERATED';
  const key = await engine.createKeyAsync(ctx, { spec, usage, origin, description: (body.key_description as string | undefined) ?? '' });
  engine.createAlias(ctx, alias, { keyId: key.id });
  call.trail.key = key;
  call.trail.resourceName = alias;
  return { key_info: { key_id: key.id, domain_id: key.realm.account, region_id: key.realm.region } };
};

const describeKey: Handler = (call) => ({ key_info: details(call, lookup(call)) });

const listKeys: Handler = (call) => {
  const { engine, ctx, body } = call;
  // Without key_spec only AES_256 keys are listed; "ALL" lists every spec (as documented).
  const spec = (body.key_spec as string | undefined) ?? 'AES_256';
  const state = body.key_state as string | undefined;
  const keys = allKeys(engine, ctx).filter(
    (k) => (spec === 'ALL' || HUAWEI_KEY_SPEC[k.spec] === spec) && (state === undefined || KEY_STATE[k.state] === state),
  );
  const page = pageOf(keys, body);
  return {
    keys: page.items.map((k) => k.id),
    key_details: page.items.map((k) => keyDetails(k, aliasOf(engine, ctx, k))),
    next_marker: page.next_marker,
    truncated: page.truncated,
    total: page.total,
  };
};

const enableKey: Handler = (call) => {
  const key = lookup(call);
  if (key.state === 'PendingDeletion') throw kmsError('KMS.0210');
  if (key.state !== 'Disabled') throw kmsError('KMS.1201');
  const after = call.engine.enableKey(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, call.ctx, after);
  return { key_info: { key_id: after.id, key_state: KEY_STATE[after.state] } };
};

const disableKey: Handler = (call) => {
  const key = lookup(call);
  if (key.state === 'PendingDeletion') throw kmsError('KMS.0210');
  if (key.state !== 'Enabled') throw kmsError('KMS.1301');
  const after = call.engine.disableKey(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, call.ctx, after);
  return { key_info: { key_id: after.id, key_state: KEY_STATE[after.state] } };
};

const scheduleKeyDeletion: Handler = (call) => {
  const key = lookup(call);
  if (key.state === 'PendingDeletion') throw kmsError('KMS.1402');
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  const after = call.engine.scheduleDeletion(call.ctx, keyRef(call.body), numberOf(call.body.pending_days, 0));
  return { key_id: after.id, key_state: KEY_STATE[after.state] };
};

const cancelKeyDeletion: Handler = (call) => {
  lookup(call);
  const after = call.engine.cancelDeletion(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, call.ctx, after);
  return { key_id: after.id, key_state: KEY_STATE[after.state] };
};

const updateKeyAlias: Handler = (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  const alias = body.key_alias as string;
  checkAlias(alias);
  const current = aliasOf(engine, ctx, key);
  if (alias !== current) {
    if (engine.getAlias(ctx, alias)) throw kmsError('KMS.1104');
    engine.createAlias(ctx, alias, { keyId: key.id });
    if (current) engine.deleteAlias(ctx, current);
  }
  call.trail.resourceName = alias;
  return { key_info: { key_id: key.id, key_alias: alias } };
};

const updateKeyDescription: Handler = (call) => {
  lookup(call);
  const key = call.engine.updateDescription(call.ctx, keyRef(call.body), call.body.key_description as string);
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return { key_info: { key_id: key.id, key_description: key.description } };
};

// ------------------------------------------------------------------ data keys

const DATAKEY_SPEC_BITS: Readonly<Record<string, number>> = {
  AES_256: 256,
  AES_128: 128,
  SM4: 128,
  HMAC_256: 256,
  HMAC_384: 384,
  HMAC_512: 512,
  HMAC_SM3: 256,
};

function createDatakeyWith(withPlaintext: boolean): Handler {
  return (call) => {
    const { engine, ctx, body } = call;
    // datakey_length wins over key_spec; neither means 256 bits.
    let bits = 256;
    if (body.datakey_length !== undefined) {
      bits = numberOf(body.datakey_length, 256);
      if (bits % 8 !== 0) throw kmsError('KMS.1903');
    } else if (body.key_spec !== undefined) {
      bits = DATAKEY_SPEC_BITS[body.key_spec as string] ?? 256;
    }
    const key = lookup(call);
    requireSymmetric(key);
    const context = contextOf(body);
    const result = engine.generateDataKey(ctx, keyRef(body), bits / 8, context);
    call.trail.resourceName = aliasOf(engine, ctx, key);
    const cipherText = HEX(frameCiphertext(result.ciphertext, result.key.id));
    const out = withPlaintext ? { key_id: result.key.id, plain_text: HEX(result.plaintext), cipher_text: cipherText } : { key_id: result.key.id, cipher_text: cipherText };
    result.plaintext.fill(0);
    return out;
  };
}

const encryptDatakey: Handler = (call) => {
  const { engine, ctx, body } = call;
  const length = numberOf(body.datakey_plain_length, 0);
  const bytes = fromHex(body.plain_text as string);
  if (!bytes) throw kmsError('KMS.2101');
  if (bytes.length !== length + 32) throw kmsError('KMS.2104');
  const key = lookup(call);
  requireSymmetric(key);
  const dek = bytes.subarray(0, length);
  // The DEK is followed by its digest: SHA-256 for AES keys, SM3 for SM4 keys.
  const digest = dekDigest(key, dek);
  if (toHex(digest) !== toHex(bytes.subarray(length))) throw kmsError('KMS.2103');
  const result = engine.encrypt(ctx, keyRef(body), dek, contextOf(body));
  bytes.fill(0);
  call.trail.resourceName = aliasOf(engine, ctx, key);
  return { key_id: result.key.id, cipher_text: HEX(frameCiphertext(result.ciphertext, result.key.id)), datakey_length: String(length) };
};

/** The engine envelope in a data-key ciphertext (hex) that names key `keyId`. */
function datakeyEnvelope(text: string, keyId: string | undefined): { envelope: Uint8Array; keyId: string } {
  const bytes = fromHex(text);
  const frame = bytes ? openFrame(bytes) : undefined;
  if (!frame || (keyId !== undefined && frame.keyId !== keyId)) throw kmsError('KMS.2201');
  return frame;
}

const decryptDatakey: Handler = (call) => {
  const { engine, ctx, body } = call;
  const frame = datakeyEnvelope(body.cipher_text as string, body.key_id as string);
  const key = lookup(call);
  requireSymmetric(key);
  const result = engine.decrypt(ctx, frame.envelope, contextOf(body), keyRef(body));
  call.trail.resourceName = aliasOf(engine, ctx, key);
  if (result.plaintext.length !== numberOf(body.datakey_cipher_length, 0)) {
    result.plaintext.fill(0);
    throw kmsError('KMS.2204');
  }
  const out = { data_key: HEX(result.plaintext), datakey_length: String(result.plaintext.length), datakey_dgst: HEX(sha256(result.plaintext)) };
  result.plaintext.fill(0);
  return out;
};

// ------------------------------------------------------------------ data

/** The encryption_algorithm a key family takes: symmetric keys SYMMETRIC_DEFAULT only. */
function checkEncryptionKey(key: KeyInfo, algorithm: string): void {
  const family = familyOf(key.spec);
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (family === 'ec') throw kmsError('KMS.1114');
  if (family === 'symmetric') {
    if (algorithm !== 'SYMMETRIC_DEFAULT') throw kmsError('KMS.2105');
    return;
  }
  if (key.usage !== 'ENCRYPT_DECRYPT') throw kmsError('KMS.0335');
  if (family === 'rsa' && !algorithm.startsWith('RSAES_')) throw kmsError('KMS.2106');
  if (family === 'sm2' && algorithm !== 'SM2_ENCRYPT') throw kmsError('KMS.0308');
}

const encryptData: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const plaintext = utf8(body.plain_text as string);
  if (plaintext.length < 1 || plaintext.length > 4096) throw kmsError('KMS.2101');
  const algorithm = (body.encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  const key = lookup(call);
  checkEncryptionKey(key, algorithm);
  call.trail.resourceName = aliasOf(engine, ctx, key);
  const context = contextOf(body);
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const result = engine.encrypt(ctx, keyRef(body), plaintext, context);
    return { key_id: result.key.id, cipher_text: toBase64(frameCiphertext(result.ciphertext, result.key.id)) };
  }
  const result = await engine.encryptAsymmetric(ctx, keyRef(body), ENCRYPTION_ALGORITHM_FROM_HUAWEI[algorithm]!, plaintext, context);
  return { key_id: result.key.id, cipher_text: toBase64(result.ciphertext) };
};

const decryptData: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const bytes = base64Field(body, 'cipher_text', 'KMS.2201', 8192);
  const algorithm = (body.encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  const context = contextOf(body);
  let keyId: string;
  let plaintext: Uint8Array;
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const frame = openFrame(bytes);
    if (!frame || (body.key_id !== undefined && body.key_id !== frame.keyId)) throw kmsError('KMS.2201');
    const result = engine.decrypt(ctx, frame.envelope, context, { keyId: frame.keyId });
    call.trail.key = result.key;
    keyId = result.key.id;
    plaintext = result.plaintext;
  } else {
    if (body.key_id === undefined) throw kmsError('KMS.0204');
    const key = lookup(call);
    checkEncryptionKey(key, algorithm);
    const result = await engine.decryptAsymmetric(ctx, keyRef(body), bytes, ENCRYPTION_ALGORITHM_FROM_HUAWEI[algorithm]!, context);
    keyId = result.key.id;
    plaintext = result.plaintext;
  }
  call.trail.resourceName = call.trail.key ? aliasOf(engine, ctx, call.trail.key) : '';
  const out = { key_id: keyId, plain_text: lenient.decode(plaintext), plain_text_base64: toBase64(plaintext) };
  plaintext.fill(0);
  return out;
};

const reEncrypt: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const text = body.cipher_text as string;
  const sourceAlgorithm = (body.source_encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  const destinationAlgorithm = (body.destination_encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  for (const a of [sourceAlgorithm, destinationAlgorithm]) if (a !== 'SYMMETRIC_DEFAULT' && !ENCRYPTION_ALGORITHM_FROM_HUAWEI[a]) throw kmsError('KMS.0308');
  // A data-key ciphertext (hex) comes back as hex; encrypt-data's (base64) as base64.
  const hex = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 && fromHex(text) !== undefined && openFrame(fromHex(text)!) !== undefined;
  const bytes = hex ? fromHex(text)! : base64Field(body, 'cipher_text', 'KMS.2201', 8192);
  let ciphertext = bytes;
  if (sourceAlgorithm === 'SYMMETRIC_DEFAULT') {
    const frame = openFrame(bytes);
    if (!frame || (body.source_key_id !== undefined && body.source_key_id !== frame.keyId)) throw kmsError('KMS.2201');
    ciphertext = frame.envelope;
  } else if (body.source_key_id === undefined) {
    throw kmsError('KMS.0204');
  }
  const destination = lookup(call, 'destination_key_id');
  checkEncryptionKey(destination, destinationAlgorithm);
  const result = await engine.reEncryptAny(ctx, {
    ciphertext,
    ...(body.source_key_id !== undefined ? { sourceKey: keyRef(body, 'source_key_id') } : {}),
    ...(sourceAlgorithm !== 'SYMMETRIC_DEFAULT' ? { sourceAlgorithm: ENCRYPTION_ALGORITHM_FROM_HUAWEI[sourceAlgorithm]! } : {}),
    ...(contextOf(body, 'source_') ? { sourceContext: contextOf(body, 'source_')! } : {}),
    destinationKey: keyRef(body, 'destination_key_id'),
    ...(destinationAlgorithm !== 'SYMMETRIC_DEFAULT' ? { destinationAlgorithm: ENCRYPTION_ALGORITHM_FROM_HUAWEI[destinationAlgorithm]! } : {}),
    ...(contextOf(body, 'destination_') ? { destinationContext: contextOf(body, 'destination_')! } : {}),
  });
  let out: string;
  if (destinationAlgorithm === 'SYMMETRIC_DEFAULT') {
    const framed = frameCiphertext(result.ciphertext, result.destination.id);
    out = hex ? HEX(framed) : toBase64(framed);
  } else {
    out = toBase64(result.ciphertext);
  }
  return {
    key_id: result.destination.id,
    source_key_id: result.source.id,
    source_encryption_algorithm: sourceAlgorithm,
    destination_encryption_algorithm: destinationAlgorithm,
    cipher_text: out,
  };
};

const genRandom: Handler = (call) => {
  const bits = numberOf(call.body.random_data_length, 0);
  if (bits % 8 !== 0) throw kmsError('KMS.1802');
  return { random_data: HEX(call.engine.generateRandom(bits / 8)) };
};

// ------------------------------------------------------------------ grants

const createGrant: Handler = (call) => {
  const { engine, ctx, body } = call;
  const operations = [...new Set(body.operations as string[])];
  if (operations.length === 0 || operations.some((o) => !(GRANT_OPERATIONS as readonly string[]).includes(o))) throw kmsError('KMS.0308');
  if (operations.length === 1 && operations[0] === 'create-grant') throw kmsError('KMS.2401');
  const key = lookup(call);
  const { grant } = engine.createGrant(ctx, keyRef(body), {
    granteePrincipal: body.grantee_principal as string,
    granteeType: (body.grantee_principal_type as string | undefined) ?? 'user',
    operations,
    ...(body.retiring_principal !== undefined ? { retiringPrincipal: body.retiring_principal as string } : {}),
    ...(body.name !== undefined ? { name: body.name as string } : {}),
    limit: LIMITS.grantsPerKey,
  });
  call.trail.resourceName = aliasOf(engine, ctx, key);
  return { grant_id: grant.id };
};

function allGrants(engine: Engine, ctx: CallContext, ref: KeyRef): GrantInfo[] {
  const out: GrantInfo[] = [];
  let marker: string | undefined;
  do {
    const { page } = engine.listGrants(ctx, ref, { limit: 1000, ...(marker ? { marker } : {}) });
    out.push(...page.items);
    marker = page.nextMarker;
  } while (marker);
  return out;
}

const listGrants: Handler = (call) => {
  lookup(call);
  const page = pageOf(allGrants(call.engine, call.ctx, keyRef(call.body)), call.body);
  return { grants: page.items.map(grantRecord), next_marker: page.next_marker, truncated: page.truncated, total: page.total };
};

const listRetirableGrants: Handler = (call) => {
  const { engine, ctx } = call;
  const all: GrantInfo[] = [];
  let marker: string | undefined;
  do {
    const page = engine.listRetirableGrants(ctx, ctx.principal.id, { limit: 1000, ...(marker ? { marker } : {}) });
    all.push(...page.items);
    marker = page.nextMarker;
  } while (marker);
  const page = pageOf(all, call.body);
  return { grants: page.items.map(grantRecord), next_marker: page.next_marker, truncated: page.truncated, total: page.total };
};

const retireGrant: Handler = (call) => {
  const { engine, ctx, body } = call;
  const grant = engine.retireGrant(ctx, { keyRef: keyRef(body), grantId: (body.grant_id as string).toLowerCase() });
  const key = engine.findKey({ ...ctx, realm: grant.realm, operation: undefined }, { keyId: grant.keyId });
  if (key) {
    call.trail.key = key;
    call.trail.resourceName = aliasOf(engine, ctx, key);
  }
  return {};
};

const revokeGrant: Handler = (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  engine.revokeGrant(ctx, keyRef(body), (body.grant_id as string).toLowerCase());
  call.trail.resourceName = aliasOf(engine, ctx, key);
  return {};
};

// ------------------------------------------------------------------ rotation

function lastRotation(key: KeyInfo): number | undefined {
  for (let i = key.materials.length - 1; i >= 0; i--) {
    const r = key.materials[i]!.rotation;
    if (r) return r.at;
  }
  return undefined;
}

const getKeyRotationStatus: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  const status = call.engine.getRotationStatus(call.ctx, keyRef(call.body));
  return {
    key_rotation_enabled: status.rotation.enabled,
    rotation_interval: status.rotation.periodDays,
    last_rotation_time: ms(lastRotation(status)),
    number_of_rotations: status.materials.filter((m) => m.rotation).length,
  };
};

const enableKeyRotation: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  if (key.rotation.enabled) throw kmsError('KMS.2901');
  call.engine.enableRotation(call.ctx, keyRef(call.body), key.rotation.periodDays || LIMITS.defaultRotationIntervalDays);
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return {};
};

const disableKeyRotation: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  if (!key.rotation.enabled) throw kmsError('KMS.0313');
  call.engine.disableRotation(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return {};
};

const updateKeyRotationInterval: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  if (!key.rotation.enabled) throw kmsError('KMS.0313');
  call.engine.enableRotation(call.ctx, keyRef(call.body), call.body.rotation_interval as number);
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return {};
};

const rotateOnDemand: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  const { key: after } = call.engine.rotateNow(call.ctx, keyRef(call.body), { limit: Number.MAX_SAFE_INTEGER });
  return { key_id: after.id };
};

// ------------------------------------------------------------------ import

const WRAPPING: Readonly<Record<string, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'SM2PKE'; wrappingKeySpec: 'RSA_2048' | 'SM2' }>> = {
  RSAES_OAEP_SHA_256: { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' },
  RSAES_OAEP_SHA_1: { wrappingAlgorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_2048' },
  SM2_ENCRYPT: { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2' },
};

const getParametersForImport: Handler = async (call) => {
  const key = lookup(call);
  requireExternal(key);
  const wrapping = WRAPPING[call.body.wrapping_algorithm as string];
  if (!wrapping) throw kmsError('KMS.0308');
  const result = await call.engine.getImportParameters(call.ctx, keyRef(call.body), wrapping);
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return {
    key_id: result.key.id,
    import_token: toBase64(result.importToken),
    expiration_time: Math.floor(result.validTo / 1000),
    public_key: toBase64(result.publicKey),
  };
};

const importKeyMaterial: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  requireExternal(key);
  if (key.state !== 'PendingImport') throw kmsError('KMS.0310');
  const importToken = base64Field(body, 'import_token', 'KMS.2605', 8192);
  const encryptedKeyMaterial = base64Field(body, 'encrypted_key_material', 'KMS.0308', 8192);
  let validTo: number | undefined;
  if (body.expiration_time !== undefined) {
    validTo = (body.expiration_time as number) * 1000;
    if (validTo <= engine.now()) throw kmsError('KMS.2602');
  }
  await engine.importKeyMaterial(ctx, keyRef(body), { importToken, encryptedKeyMaterial, ...(validTo !== undefined ? { validTo } : {}) });
  call.trail.resourceName = aliasOf(engine, ctx, key);
  return {};
};

const deleteImportedKeyMaterial: Handler = (call) => {
  const key = lookup(call);
  requireExternal(key);
  if (key.state !== 'Enabled' && key.state !== 'Disabled') throw kmsError('KMS.2701');
  call.engine.deleteImportedKeyMaterial(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return {};
};

// ------------------------------------------------------------------ signatures, MACs, public keys

function signingRequest(call: Call): { key: KeyInfo; algorithm: NonNullable<(typeof SIGNING_ALGORITHM_FROM_HUAWEI)[string]>; input: 'RAW' | 'DIGEST'; message: Uint8Array } {
  const { body } = call;
  const message = base64Field(body, 'message', 'KMS.0308', 4095);
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'symmetric') throw kmsError('KMS.1115');
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (key.usage !== 'SIGN_VERIFY') throw kmsError('KMS.0334');
  const algorithm = SIGNING_ALGORITHM_FROM_HUAWEI[body.signing_algorithm as string];
  if (!algorithm || !SPEC_PROFILES[key.spec].signing.includes(algorithm)) throw kmsError('KMS.0332');
  return { key, algorithm, input: body.message_type === 'RAW' ? 'RAW' : 'DIGEST', message };
}

const sign: Handler = async (call) => {
  const request = signingRequest(call);
  const { signature } = await call.engine.sign(call.ctx, keyRef(call.body), request);
  return { key_id: request.key.id, signature: toBase64(signature) };
};

const verify: Handler = async (call) => {
  const request = signingRequest(call);
  const signature = base64Field(call.body, 'signature', 'KMS.0308', 8192);
  try {
    await call.engine.verify(call.ctx, keyRef(call.body), { ...request, signature });
    return { key_id: request.key.id, signature_valid: 'true' };
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'InvalidSignature') return { key_id: request.key.id, signature_valid: 'false' };
    throw e;
  }
};

const getPublickey: Handler = async (call) => {
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'symmetric') throw kmsError('KMS.0331');
  if (family === 'hmac') throw kmsError('KMS.0341');
  const { publicKey } = await call.engine.getPublicKey(call.ctx, keyRef(call.body));
  return { key_id: key.id, public_key: toPem(publicKey, 'PUBLIC KEY').replace(/\n/g, '\r\n') };
};

function macRequest(call: Call): { key: KeyInfo; algorithm: NonNullable<(typeof MAC_ALGORITHM_FROM_HUAWEI)[string]>; message: Uint8Array } {
  const message = base64Field(call.body, 'message', 'KMS.0308', 4096);
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'symmetric') throw kmsError('KMS.0331');
  if (family !== 'hmac') throw kmsError('KMS.0325');
  const algorithm = MAC_ALGORITHM_FROM_HUAWEI[call.body.mac_algorithm as string];
  if (!algorithm || !SPEC_PROFILES[key.spec].mac.includes(algorithm)) throw kmsError('KMS.0308');
  return { key, algorithm, message };
}

const generateMac: Handler = (call) => {
  const { key, algorithm, message } = macRequest(call);
  const { mac } = call.engine.generateMac(call.ctx, keyRef(call.body), algorithm, message);
  return { key_id: key.id, mac_algorithm: call.body.mac_algorithm, mac: toBase64(mac) };
};

const verifyMac: Handler = (call) => {
  const { key, algorithm, message } = macRequest(call);
  const mac = base64Field(call.body, 'mac', 'KMS.0308', 1024);
  try {
    call.engine.verifyMac(call.ctx, keyRef(call.body), algorithm, message, mac);
    return { key_id: key.id, mac_algorithm: call.body.mac_algorithm, mac_valid: true };
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'InvalidMac') return { key_id: key.id, mac_algorithm: call.body.mac_algorithm, mac_valid: false };
    throw e;
  }
}

const createDatakeyPair: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const pairSpec = PAIR_SPEC_FROM_HUAWEI[body.key_spec as string];
  if (!pairSpec) throw kmsError('KMS.0308');
  const key = lookup(call);
  requireSymmetric(key);
  const result = await engine.generateDataKeyPair(ctx, keyRef(body), pairSpec, contextOf(body), call.verb);
  call.trail.resourceName = aliasOf(engine, ctx, key);
  const out: Record<string, unknown> = {
    key_id: result.key.id,
    key_spec: body.key_spec,
    public_key: toBase64(result.publicKey),
    private_key_cipher_text: toBase64(frameCiphertext(result.ciphertext, result.key.id)),
  };
  if (body.with_plain_text !== false) out.private_key_plain_text = toBase64(result.privateKey);
  return out;
};

// ------------------------------------------------------------------ instances and quotas

const userInstances: Handler = (call) => ({ instance_num: allKeys(call.engine, call.ctx).filter((k) => k.manager === 'CUSTOMER').length });

const userQuotas: Handler = (call) => {
  const keys = allKeys(call.engine, call.ctx);
  const grants = keys.reduce((n, k) => Math.max(n, k.grants.size), 0);
  return {
    quotas: {
      resources: [
        { type: 'CMK', used: keys.filter((k) => k.manager === 'CUSTOMER').length, quota: LIMITS.keys },
        { type: 'grant_per_CMK', used: grants, quota: LIMITS.grantsPerKey },
      ],
    },
  };
};

// ------------------------------------------------------------------ tags

const TAG_FORBIDDEN = /[\u0000-\u001f*<>\\=]/;

function checkTag(tag: unknown): [string, string] {
  if (!isPlainObject(tag)) throw kmsError('KMS.0412');
  const { key, value } = tag as { key?: unknown; value?: unknown };
  if (typeof key !== 'string' || key.trim() === '' || TAG_FORBIDDEN.test(key)) throw kmsError('KMS.0406');
  if ([...key].length > 36) throw kmsError('KMS.0411');
  const v = value ?? '';
  if (typeof v !== 'string' || TAG_FORBIDDEN.test(v)) throw kmsError('KMS.0405');
  if ([...v].length > 43) throw kmsError('KMS.0410');
  return [key, v];
}

function addTags(call: Call, tags: Array<[string, string]>): void {
  const key = lookup(call);
  if (tagCountAfter(key.tags.keys(), tags.map(([k]) => k)) > LIMITS.tagsPerKey) throw kmsError('KMS.0409');
  call.engine.tagKey(call.ctx, keyRef(call.body), tags);
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
}

const createKmsTag: Handler = (call) => {
  if (call.body.tag === undefined) throw kmsError('KMS.0204');
  addTags(call, [checkTag(call.body.tag)]);
  return {};
};

const deleteTag: Handler = (call) => {
  const key = lookup(call);
  const name = call.body.key;
  if (typeof name !== 'string' || !key.tags.has(name)) throw kmsError('KMS.0416');
  call.engine.untagKey(call.ctx, keyRef(call.body), [name]);
  call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  return {};
};

const batchCreateKmsTags: Handler = (call) => {
  const { body } = call;
  if (body.action !== 'create' && body.action !== 'delete') throw kmsError('KMS.0404');
  const tags = (body.tags as unknown[]).map(checkTag);
  if (tags.length === 0) throw kmsError('KMS.0401');
  if (body.action === 'create') {
    addTags(call, tags);
  } else {
    const key = lookup(call);
    call.engine.untagKey(call.ctx, keyRef(body), tags.map(([k]) => k));
    call.trail.resourceName = aliasOf(call.engine, call.ctx, key);
  }
  return {};
};

const showKmsTags: Handler = (call) => {
  const key = lookup(call);
  return { tags: [...key.tags].map(([k, v]) => ({ key: k, value: v })), existTagsNum: key.tags.size };
};

const listKmsTags: Handler = (call) => {
  const values = new Map<string, Set<string>>();
  for (const key of allKeys(call.engine, call.ctx)) {
    for (const [k, v] of key.tags) {
      let set = values.get(k);
      if (!set) values.set(k, (set = new Set()));
      set.add(v);
    }
  }
  return { tags: [...values].map(([key, vs]) => ({ key, values: [...vs] })) };
};

const listKmsByTags: Handler = (call) => {
  const { engine, ctx, body } = call;
  const action = body.action ?? 'filter';
  if (action !== 'filter' && action !== 'count') throw kmsError('KMS.0404');
  const filters = ((body.tags as unknown[] | undefined) ?? []).map((t) => {
    if (!isPlainObject(t) || typeof t.key !== 'string' || t.key === '') throw kmsError('KMS.0414');
    const values = t.values ?? [];
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw kmsError('KMS.0414');
    return { key: t.key, values: values as string[] };
  });
  const matches = ((body.matches as unknown[] | undefined) ?? []).map((m) => {
    if (!isPlainObject(m) || m.key !== 'resource_name' || typeof m.value !== 'string' || m.value === '' || m.value.length > 255) throw kmsError('KMS.0415');
    return m.value;
  });
  const found = allKeys(engine, ctx)
    .map((k) => ({ key: k, name: aliasOf(engine, ctx, k) }))
    .filter(({ key, name }) => filters.every((f) => key.tags.has(f.key) && (f.values.length === 0 || f.values.includes(key.tags.get(f.key)!))) && matches.every((m) => name.includes(m)));
  if (action === 'count') return { total_count: found.length };
  const offset = numberOf(body.offset, 0);
  const limit = numberOf(body.limit, 10);
  if (limit < 1 || limit > 1000) throw kmsError('KMS.1601');
  return {
    resources: found.slice(offset, offset + limit).map(({ key, name }) => ({
      resource_id: key.id,
      resource_detail: keyDetails(key, name),
      resource_name: name,
      tags: [...key.tags].map(([k, v]) => ({ key: k, value: v })),
    })),
    total_count: found.length,
  };
};

// ------------------------------------------------------------------ version discovery

const VERSIONS = [
  { id: 'v1.0', version: '', status: 'CURRENT', updated: '2016-10-29T00:00:00Z', min_version: '' },
  { id: 'v2', version: '', status: 'SUPPORTED', updated: '2024-06-30T00:00:00Z', min_version: '' },
];

/** The API versions, their links relative to the endpoint the caller used. */
export function versionRecord(v: (typeof VERSIONS)[number], endpoint: string): Record<string, unknown> {
  return { ...v, links: [{ href: `${endpoint.replace(/\/$/, '')}/${v.id}/`, rel: 'self' }] };
}

const showVersions: Handler = (call) => ({ versions: VERSIONS.map((v) => versionRecord(v, (call.body.endpoint as string | undefined) ?? '')) });

const showVersion: Handler = (call) => {
  const v = VERSIONS.find((x) => x.id === call.body.version_id);
  if (!v) throw kmsError('KMS.0201');
  return { version: versionRecord(v, (call.body.endpoint as string | undefined) ?? '') };
};

// ------------------------------------------------------------------ deleteKeyRiskTips

/** Operations whose success counts as a use of the key in the precaution report. */
const USES = new Set(['create-datakey', 'create-datakey-without-plaintext', 'encrypt-datakey', 'decrypt-datakey', 'encrypt-data', 'decrypt-data', 're-encrypt', 'sign', 'verify', 'generate-mac', 'verify-mac', 'create-rsa-datakey-pair', 'create-ec-datakey-pair']);

/**
 * The console's precaution before a key is deleted: what would break. A read: the grants that
 * still let others use the key, its alias, the cloud resources bound to it, and its successful
 * cryptographic use in the last LIMITS.recentUseDays days (from the audit stream).
 */
const deleteKeyRiskTips: Handler = (call) => {
  const { engine, ctx } = call;
  const key = lookup(call);
  const alias = aliasOf(engine, ctx, key);
  call.trail.resourceName = alias;
  const since = engine.now() - LIMITS.recentUseDays * DAY_MS;
  const uses = engine.audit.list(
    (e) => e.kind === 'api_call' && e.dialect === 'huawei' && !e.error && e.time >= since && USES.has(e.action) && e.resources.some((r) => r.keyId === key.id),
  );
  const grants = [...key.grants.values()];
  const bindings = key.bindings ?? [];
  const tips: string[] = [];
  if (grants.length > 0) tips.push('grants');
  if (bindings.length > 0) tips.push('bound_resources');
  if (uses.length > 0) tips.push('recently_used');
  if (key.origin === 'EXTERNAL') tips.push('imported_key_material');
  return {
    key_id: key.id,
    key_alias: alias,
    key_state: KEY_STATE[key.state],
    grants: grants.map(grantRecord),
    grant_count: grants.length,
    bound_resources: bindings.map((b) => ({ product: b.product, resource_id: b.resource, bound_time: ms(b.boundAt) })),
    recent_use: { days: LIMITS.recentUseDays, count: uses.length, last_use_time: ms(uses.at(-1)?.time) },
    risk_tips: tips,
  };
};

// ------------------------------------------------------------------ the table

export const HANDLERS: Readonly<Record<string, OperationSpec>> = {
  'create-key': { handler: createKey, readOnly: false },
  'describe-key': { handler: describeKey, readOnly: true },
  'list-keys': { handler: listKeys, readOnly: true },
  'enable-key': { handler: enableKey, readOnly: false },
  'disable-key': { handler: disableKey, readOnly: false },
  'schedule-key-deletion': { handler: scheduleKeyDeletion, readOnly: false },
  'cancel-key-deletion': { handler: cancelKeyDeletion, readOnly: false },
  'update-key-alias': { handler: updateKeyAlias, readOnly: false },
  'update-key-description': { handler: updateKeyDescription, readOnly: false },
  'create-datakey': { handler: createDatakeyWith(true), readOnly: false },
  'create-datakey-without-plaintext': { handler: createDatakeyWith(false), readOnly: false },
  'encrypt-datakey': { handler: encryptDatakey, readOnly: false },
  'decrypt-datakey': { handler: decryptDatakey, readOnly: false },
  'encrypt-data': { handler: encryptData, readOnly: false },
  'decrypt-data': { handler: decryptData, readOnly: false },
  're-encrypt': { handler: reEncrypt, readOnly: false },
  'gen-random': { handler: genRandom, readOnly: false },
  'create-grant': { handler: createGrant, readOnly: false },
  'list-grants': { handler: listGrants, readOnly: true },
  'list-retirable-grants': { handler: listRetirableGrants, readOnly: true },
  'retire-grant': { handler: retireGrant, readOnly: false },
  'revoke-grant': { handler: revokeGrant, readOnly: false },
  'get-key-rotation-status': { handler: getKeyRotationStatus, readOnly: true },
  'enable-key-rotation': { handler: enableKeyRotation, readOnly: false },
  'disable-key-rotation': { handler: disableKeyRotation, readOnly: false },
  'update-key-rotation-interval': { handler: updateKeyRotationInterval, readOnly: false },
  'rotate-on-demand': { handler: rotateOnDemand, readOnly: false },
  'get-parameters-for-import': { handler: getParametersForImport, readOnly: false },
  'import-key-material': { handler: importKeyMaterial, readOnly: false },
  'delete-imported-key-material': { handler: deleteImportedKeyMaterial, readOnly: false },
  sign: { handler: sign, readOnly: false },
  verify: { handler: verify, readOnly: true },
  'get-publickey': { handler: getPublickey, readOnly: true },
  'generate-mac': { handler: generateMac, readOnly: false },
  'verify-mac': { handler: verifyMac, readOnly: true },
  'create-rsa-datakey-pair': { handler: createDatakeyPair, readOnly: false },
  'create-ec-datakey-pair': { handler: createDatakeyPair, readOnly: false },
  'user-instances': { handler: userInstances, readOnly: true },
  'user-quotas': { handler: userQuotas, readOnly: true },
  'create-kms-tag': { handler: createKmsTag, readOnly: false },
  'delete-tag': { handler: deleteTag, readOnly: false },
  'batch-create-kms-tags': { handler: batchCreateKmsTags, readOnly: false },
  'show-kms-tags': { handler: showKmsTags, readOnly: true },
  'list-kms-tags': { handler: listKmsTags, readOnly: true },
  'list-kms-by-tags': { handler: listKmsByTags, readOnly: true },
  'show-versions': { handler: showVersions, readOnly: true },
  'show-version': { handler: showVersion, readOnly: true },
  'delete-key-risk-tips': { handler: deleteKeyRiskTips, readOnly: true },
};

/** The emulator's verb for the console-only deleteKeyRiskTips (it has no REST API at Huawei). */
export const RISK_TIPS_VERB = 'delete-key-risk-tips';

export type { JsonValue, HuaweiError };
