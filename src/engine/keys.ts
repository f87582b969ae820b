/** Keys and their lifecycle: create, describe, list, enable and disable, deletion, archive, bindings. */

import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import { materialFits } from './import.js';
import { admit, authorizeWithoutKey, reach, use } from './access.js';
import { refuseDryRun, refuseIfBound } from './checks.js';
import { DAY_MS } from './clock.js';
import { KmsError } from './errors.js';
import { assertStoreTakesKeys, localBackend } from './key-stores.js';
import { addMaterial, chosenMaterialId, installMaterial, materialMisfit, symmetricMaterialFits } from './material.js';
import { markerSeq, pageOf } from './paging.js';
import { hasMaterial, holdsAllMaterial, newKeyRecord, viewOf, type AliasRecord, type KeyRecord } from './records.js';
import { deferDeletion, newRelation } from './replicas.js';
import { catchUpRotation } from './rotation.js';
import { isAsymmetricSpec, SPEC_PROFILES, usageFits } from './specs.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyInfo, KeyManager, KeyOrigin, KeyRef, KeySpec, KeyUsage, Page, PageRequest } from './types.js';

export interface CreateKeyInput {
  spec: KeySpec;
  usage: KeyUsage;
  origin: KeyOrigin;
  manager?: KeyManager;
  description?: string;
  tags?: ReadonlyArray<readonly [string, string]>;
  policies?: ReadonlyArray<readonly [string, string]>;
  multiRegion?: boolean;
  /** A fresh id is this prefix and 32 hex digits rather than a UUID (a dialect's form for multi-Region keys). */
  idPrefix?: string;
  /** A chosen key id (declared keys, fixtures); refused when the realm has it. Default: a fresh id. */
  id?: string;
  /**
   * Chosen key material, so ciphertexts made elsewhere with it decrypt: symmetric or HMAC key bytes,
   * or an asymmetric spec's PKCS#8 private key (createKeyAsync only). An EXTERNAL key takes it as
   * imported material. Its material version id is derived from the key id and the material.
   */
  material?: Uint8Array;
  /** An alias made with the key in the same step: refused, with no key made, when the realm has it. */
  alias?: string;
  /** The key store (key-stores.ts) to hold the key: it must exist in the caller's realm and be enabled. */
  keyStoreId?: string;
  /** For a key of an external store: the external key that wraps its ciphertexts, unique in the store. */
  externalKeyId?: string;
}

/**
 * Creates a key whose material is made at once: symmetric and HMAC keys, and keys of any spec that
 * wait for imported material. Generating an asymmetric key pair takes `createKeyAsync`.
 */
export function createKey(s: EngineState, ctx: CallContext, input: CreateKeyInput): KeyInfo {
  checkCreate(s, ctx, input);
  if (isAsymmetricSpec(input.spec) && (input.origin === 'GENERATED' || input.material !== undefined)) {
    throw new KmsError('Unsupported', `Key spec ${input.spec} generates its key pair asynchronously: use createKeyAsync.`, {
      reason: 'asynchronous-key-spec',
      spec: input.spec,
    });
  }
  if (input.material !== undefined && !symmetricMaterialFits(input.spec, input.material)) throw materialMisfit(input.spec);
  refuseDryRun(ctx);
  return viewOf(insertKey(s, ctx, input, undefined));
}

/** Creates a key of any spec; an asymmetric key pair is generated before the key appears. */
export async function createKeyAsync(s: EngineState, ctx: CallContext, input: CreateKeyInput): Promise<KeyInfo> {
  if (!isAsymmetricSpec(input.spec) || (input.origin !== 'GENERATED' && input.material === undefined)) return createKey(s, ctx, input);
  checkCreate(s, ctx, input);
  refuseDryRun(ctx);
  let secret: Uint8Array | undefined;
  if (input.material !== undefined) {
    if (!(await materialFits(input.spec, input.material))) throw materialMisfit(input.spec);
  } else {
    secret = (await localBackend.newKeyPair(s, input.spec)).privateKey;
  }
  // Checked again: another key may have taken the id or the alias while the material was made.
  checkCreate(s, ctx, input);
  return viewOf(insertKey(s, ctx, input, secret));
}

/** Refuses a key the spec table does not allow, a taken id or alias, before anything is made. */
function checkCreate(s: EngineState, ctx: CallContext, input: CreateKeyInput): void {
  authorizeWithoutKey(ctx, 'createKey');
  if (!Object.hasOwn(SPEC_PROFILES, input.spec)) {
    throw new KmsError('Unsupported', `Key spec ${input.spec} is not supported.`, { reason: 'key-spec', spec: input.spec });
  }
  if (!usageFits(input.spec, input.usage)) {
    throw new KmsError('Validation', `Key usage ${input.usage} is not compatible with key spec ${input.spec}.`, {
      reason: 'usage-spec',
      spec: input.spec,
      usage: input.usage,
    });
  }
  const realm = s.realm(ctx.realm.account, ctx.realm.region);
  if (input.id !== undefined) {
    if (input.id.length < 1 || utf8(input.id).length > 255) throw new KmsError('Validation', 'A key id must be 1 to 255 bytes long.', { reason: 'key-id' });
    if (realm?.keys.get(input.id)) {
      throw new KmsError('AlreadyExists', `A key with the id ${input.id} already exists.`, { resource: 'key', keyId: input.id });
    }
  }
  if (input.alias !== undefined && realm?.aliases.has(input.alias)) {
    throw new KmsError('AlreadyExists', `An alias with the name ${input.alias} already exists.`, { resource: 'alias', alias: input.alias });
  }
  // Checked again after a key pair is generated: the store may have been disabled or deleted meanwhile.
  if (input.keyStoreId !== undefined) assertStoreTakesKeys(s, ctx, input.keyStoreId, input.externalKeyId);
  // Ciphertext headers carry the account and region in at most 255 bytes each.
  for (const [field, value] of [['account', ctx.realm.account], ['region', ctx.realm.region]] as const) {
    const size = utf8(value).length;
    if (size < 1 || size > 255) {
      throw new KmsError('Validation', `The ${field} name must be 1 to 255 bytes long.`, { reason: 'realm-name', field });
    }
  }
}

/** Adds a checked key (and its alias) to its realm; `secret` is its generated key pair's private key, if any. */
function insertKey(s: EngineState, ctx: CallContext, input: CreateKeyInput, secret: Uint8Array | undefined): KeyRecord {
  const realm = s.realmFor(ctx.realm);
  const now = s.now();
  const key = newKeyRecord({
    seq: ++s.seq,
    id: input.id ?? (input.idPrefix !== undefined ? input.idPrefix + toHex(randomBytes(s.random, 16)) : s.newId()),
    realm: realm.realm,
    spec: input.spec,
    usage: input.usage,
    origin: input.origin,
    manager: input.manager ?? 'CUSTOMER',
    description: input.description ?? '',
    state: input.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    createdAt: now,
    ...(ctx.principal.type !== 'root' ? { creator: ctx.principal.id } : {}),
    multiRegion: input.multiRegion ?? false,
    ...(input.keyStoreId !== undefined ? { keyStoreId: input.keyStoreId } : {}),
    ...(input.externalKeyId !== undefined && input.keyStoreId !== undefined ? { externalKeyId: input.externalKeyId } : {}),
    tags: input.tags,
    policies: input.policies,
  });
  if (key.multiRegion) key.replication = newRelation(realm.realm.region);
  if (input.material !== undefined) {
    const material = input.material.slice();
    const id = chosenMaterialId(key.id, material);
    if (input.origin === 'GENERATED') addMaterial(s, key, now, undefined, material, id);
    else installMaterial(s, key, material, toHex(sha256(material)), undefined, id);
  } else if (input.origin === 'GENERATED') addMaterial(s, key, now, undefined, secret);
  realm.keys.add(key.id, key.seq, key);
  s.touch(key);
  if (input.alias !== undefined) {
    const alias: AliasRecord = { name: input.alias, realm: realm.realm, keyId: key.id, createdAt: now, updatedAt: now };
    realm.aliases.add(input.alias, ++s.seq, alias);
    key.aliases.add(input.alias);
    s.changes.aliases.add(alias);
  }
  return key;
}

export function describeKey(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  return viewOf(use(s, ctx, ref, 'describeKey'));
}

export function listKeys(s: EngineState, ctx: CallContext, page: PageRequest): Page<KeyInfo> {
  authorizeWithoutKey(ctx, 'listKeys');
  const realm = s.realm(ctx.realm.account, ctx.realm.region);
  const scope = `keys|${ctx.realm.account}|${ctx.realm.region}`;
  const from = markerSeq(s, scope, page.marker);
  if (!realm) return { items: [] };
  const result = realm.keys.page(from, page.limit);
  return pageOf(s, scope, result.items.map(viewOf), result.nextSeq);
}

export function updateDescription(s: EngineState, ctx: CallContext, ref: KeyRef, description: string): KeyInfo {
  const key = use(s, ctx, ref, 'updateDescription');
  refuseDryRun(ctx);
  key.description = description;
  return viewOf(key);
}

export function enableKey(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  const key = use(s, ctx, ref, 'enableKey');
  refuseDryRun(ctx);
  key.state = 'Enabled';
  catchUpRotation(s, key);
  return viewOf(key);
}

/** The state changes that refuse a bound key check the binding after the state table. */
function useUnbound(s: EngineState, ctx: CallContext, ref: KeyRef, operation: 'disableKey' | 'scheduleDeletion' | 'archiveKey'): KeyRecord {
  const key = reach(s, ctx, ref, operation);
  admit(s, ctx, key, operation);
  refuseIfBound(key, operation);
  refuseDryRun(ctx);
  return key;
}

export function disableKey(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  const key = useUnbound(s, ctx, ref, 'disableKey');
  key.state = 'Disabled';
  return viewOf(key);
}

export function scheduleDeletion(s: EngineState, ctx: CallContext, ref: KeyRef, pendingWindowDays: number): KeyInfo {
  const key = useUnbound(s, ctx, ref, 'scheduleDeletion');
  if (deferDeletion(s, key, pendingWindowDays)) return viewOf(key);
  const deletionDate = s.now() + pendingWindowDays * DAY_MS;
  key.state = 'PendingDeletion';
  key.deletionDate = deletionDate;
  key.pendingWindowDays = pendingWindowDays;
  s.due.push({ due: deletionDate, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'delete' });
  return viewOf(key);
}

export function cancelDeletion(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  const key = use(s, ctx, ref, 'cancelDeletion');
  refuseDryRun(ctx);
  // A key without key material (never imported, deleted or expired) goes back to waiting for it.
  key.state = hasMaterial(key) && holdsAllMaterial(key) ? 'Disabled' : 'PendingImport';
  delete key.deletionDate;
  delete key.pendingWindowDays;
  return viewOf(key);
}

/** Archives an enabled key: it still decrypts, but no longer encrypts. Archiving an archived key changes nothing. */
export function archiveKey(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  const key = useUnbound(s, ctx, ref, 'archiveKey');
  key.state = 'Archived';
  return viewOf(key);
}

/** Brings an archived key back to Enabled. */
export function cancelArchive(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  const key = use(s, ctx, ref, 'cancelArchive');
  refuseDryRun(ctx);
  key.state = 'Enabled';
  return viewOf(key);
}

/** Records that a cloud resource uses the key; binding the same resource again changes nothing. */
export function bindResource(s: EngineState, ctx: CallContext, ref: KeyRef, product: string, resource: string): KeyInfo {
  const key = use(s, ctx, ref, 'bindResource');
  refuseDryRun(ctx);
  if (!key.bindings.some((b) => b.product === product && b.resource === resource)) {
    key.bindings.push({ product, resource, boundAt: s.now() });
  }
  return viewOf(key);
}

export function unbindResource(s: EngineState, ctx: CallContext, ref: KeyRef, product: string, resource: string): KeyInfo {
  const key = use(s, ctx, ref, 'unbindResource');
  const i = key.bindings.findIndex((b) => b.product === product && b.resource === resource);
  if (i < 0) {
    throw new KmsError('NotFound', `Key ${key.id} is not bound to resource ${resource} of ${product}.`, {
      resource: 'binding',
      keyId: key.id,
      product,
      resourceId: resource,
    });
  }
  refuseDryRun(ctx);
  key.bindings.splice(i, 1);
  return viewOf(key);
}
