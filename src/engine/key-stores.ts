/**
 * Where key material is made, and the key stores that hold keys apart from the service's own
 * (records in key-store-data.ts). Keys of the local backend keep their material in their own record
 * (material.ts reads it only through `secretOf`); CloudHSM and external key stores are further
 * backends of this interface.
 */

import { resourceChanges, resourceSnapshots, type RemovedResource } from './realm-resources.js';
import { randomBytes } from '../crypto/random.js';
import { toHex } from '../crypto/bytes.js';
import { generateKeyPair } from '../crypto/asymmetric.js';
import { hmacKeyLength } from '../crypto/hmac.js';
import { KmsError } from './errors.js';
import { isAsymmetricSpec, isHmacSpec } from './specs.js';
import { refuseDryRun } from './checks.js';
import { authorizeWithoutKey } from './access.js';
import { KEY_STORE_LIMITS, keyStoreFromSnapshot, keyStoreSnapshot, keyStoreView, type KeyStoreInfo, type KeyStoreRecord, type KeyStoreSnapshot, type KeyStoreState } from './key-store-data.js';
import { realmKey } from './records.js';
import type { EngineState } from './state.js';
import type { AsymmetricKeySpec, CallContext, KeySpec, KeyState, Realm } from './types.js';

export interface KeyMaterialBackend {
  /** Fresh symmetric material: 32 bytes for AES-256, 16 for SM4, the hash's output length for HMAC. */
  newSecret(s: EngineState, spec: KeySpec, keyId: string): Uint8Array;
  /** A fresh key pair (PKCS#8 private key, SPKI public key). */
  newKeyPair(s: EngineState, spec: AsymmetricKeySpec): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }>;
}

export const localBackend: KeyMaterialBackend = {
  newSecret(s, spec, keyId) {
    if (isHmacSpec(spec)) return randomBytes(s.random, hmacKeyLength(spec));
    if (spec === 'AES_256') return randomBytes(s.random, 32);
    if (spec === 'SM4') return randomBytes(s.random, 16);
    throw new KmsError('Internal', `Key spec ${spec} takes a generated key pair.`, { keyId, spec, reason: 'key-spec' });
  },
  async newKeyPair(s, spec) {
    if (!isAsymmetricSpec(spec)) throw new KmsError('Validation', `Key spec ${spec} is not a key pair spec.`, { reason: 'key-spec', spec });
    const pair = await generateKeyPair(spec, s.random);
    s.publicKeys.set(pair.privateKey, pair.publicKey);
    return pair;
  },
};

// ------------------------------------------------------------------ the stores themselves

/** What a new store is: its kind, a name unique in the realm, the provider's attributes. */
export interface CreateKeyStoreInput {
  kind: string;
  name: string;
  properties?: ReadonlyArray<readonly [string, string]>;
  /** A store that connects to its backing starts Disconnected (key-store-connections.ts). */
  connects?: boolean;
  /** A fresh id is this prefix and 17 hex digits (AWS's cks-…) rather than a UUID. */
  idPrefix?: string;
}

export function storesOf(s: EngineState, realm: Realm, create: true): Map<string, KeyStoreRecord>;
export function storesOf(s: EngineState, realm: Realm, create?: false): Map<string, KeyStoreRecord> | undefined;
export function storesOf(s: EngineState, realm: Realm, create = false): Map<string, KeyStoreRecord> | undefined {
  const k = realmKey(realm.account, realm.region);
  let stores = s.keyStores.get(k);
  if (!stores && create) s.keyStores.set(k, (stores = new Map()));
  return stores;
}

function storeNotFound(id: string): KmsError {
  return new KmsError('NotFound', `Key store ${id} does not exist.`, { resource: 'key-store', keyStoreId: id });
}

/** The store `id` of the caller's realm (its own record), or NotFound. */
export function storeRecord(s: EngineState, ctx: CallContext, id: string): KeyStoreRecord {
  const store = typeof id === 'string' ? storesOf(s, ctx.realm)?.get(id) : undefined;
  if (!store) throw storeNotFound(String(id));
  return store;
}

export function createKeyStore(s: EngineState, ctx: CallContext, input: CreateKeyStoreInput): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'manageKeyStore');
  const name = input.name;
  if (typeof name !== 'string' || name.length < 1 || name.length > KEY_STORE_LIMITS.nameLength) {
    throw new KmsError('Validation', 'A key store name must be 1 to 255 characters long.', { reason: 'key-store-name' });
  }
  if (typeof input.kind !== 'string' || input.kind.length < 1 || input.kind.length > 64) {
    throw new KmsError('Validation', 'A key store kind must be 1 to 64 characters long.', { reason: 'key-store-kind' });
  }
  const properties = checkProperties(input.properties ?? []);
  assertNameFree(s, ctx.realm, name);
  refuseDryRun(ctx);
  const realm = s.realmFor(ctx.realm).realm;
  const store: KeyStoreRecord = {
    id: input.idPrefix !== undefined ? input.idPrefix + toHex(randomBytes(s.random, 9)).slice(0, 17) : s.newId(),
    realm,
    kind: input.kind,
    name,
    state: 'Enabled',
    createdAt: s.now(),
    properties,
    ...(input.connects === true ? { connection: { state: 'Disconnected' as const } } : {}),
  };
  storesOf(s, realm, true).set(store.id, store);
  s.changes.keyStores.add(store);
  return keyStoreView(store);
}

/** Checked store attributes, as a map. */
export function checkProperties(entries: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const properties = new Map<string, string>();
  for (const [k, v] of entries) {
    if (typeof k !== 'string' || typeof v !== 'string' || k.length > 64 || v.length > KEY_STORE_LIMITS.propertyBytes) {
      throw new KmsError('Validation', 'A key store attribute is a name of at most 64 characters and a string value.', { reason: 'key-store-property' });
    }
    properties.set(k, v);
  }
  if (properties.size > KEY_STORE_LIMITS.properties) throw new KmsError('Validation', 'Too many key store attributes.', { reason: 'key-store-property' });
  return properties;
}

/** A store name is unique in its realm: AlreadyExists when another store (not `self`) has it. */
export function assertNameFree(s: EngineState, realm: Realm, name: string, self?: string): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > KEY_STORE_LIMITS.nameLength) {
    throw new KmsError('Validation', 'A key store name must be 1 to 255 characters long.', { reason: 'key-store-name' });
  }
  for (const other of storesOf(s, realm)?.values() ?? []) {
    if (other.name === name && other.id !== self) throw new KmsError('AlreadyExists', `A key store named ${name} already exists.`, { resource: 'key-store', reason: 'key-store-name', keyStoreId: other.id });
  }
}

export function describeKeyStore(s: EngineState, ctx: CallContext, id: string): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'describeKeyStores');
  return keyStoreView(storeRecord(s, ctx, id));
}

/** The realm's stores, in creation order. */
export function listKeyStores(s: EngineState, ctx: CallContext): KeyStoreInfo[] {
  authorizeWithoutKey(ctx, 'describeKeyStores');
  return [...(storesOf(s, ctx.realm)?.values() ?? [])].map(keyStoreView);
}

/** Enables or disables a store: the keys of a disabled store refuse every use the key-state table's Unavailable column refuses. */
export function setKeyStoreState(s: EngineState, ctx: CallContext, id: string, state: KeyStoreState): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'manageKeyStore');
  const store = storeRecord(s, ctx, id);
  refuseDryRun(ctx);
  if (store.state !== state) {
    store.state = state;
    s.changes.keyStores.add(store);
  }
  return keyStoreView(store);
}

/** The ids of the keys a store still holds (keys pending deletion included), in creation order. */
export function keysInStore(s: EngineState, realm: Realm, id: string): string[] {
  const index = s.realm(realm.account, realm.region)?.keys;
  if (!index) return [];
  const out: string[] = [];
  for (const key of index.values()) if (key.keyStoreId === id) out.push(key.id);
  return out;
}

/** Deletes a store that holds no keys (every key in it deleted first: there is nothing to keep its material). */
export function deleteKeyStore(s: EngineState, ctx: CallContext, id: string): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'manageKeyStore');
  const store = storeRecord(s, ctx, id);
  const held = keysInStore(s, store.realm, id);
  if (held.length > 0) {
    throw new KmsError('InvalidState', `Key store ${id} still holds ${held.length} key(s).`, { resource: 'key-store', reason: 'key-store-has-keys', keyStoreId: id, keys: held.length });
  }
  refuseDryRun(ctx);
  storesOf(s, store.realm)!.delete(id);
  s.changes.keyStores.add(store);
  return keyStoreView(store);
}

/**
 * A new key's store: it must exist in the caller's realm, be enabled and, if it connects, be
 * connected. A key of an external store names an external key no other key of the store uses.
 */
export function assertStoreTakesKeys(s: EngineState, ctx: CallContext, id: string, externalKeyId?: string): void {
  const store = storeRecord(s, ctx, id);
  if (store.state !== 'Enabled') throw storeDisabled(store);
  if (store.connection !== undefined && store.connection.state !== 'Connected') {
    throw new KmsError('InvalidState', `Key store ${store.id} is not connected.`, { resource: 'key-store', reason: 'key-store-not-connected', keyStoreId: store.id, connection: store.connection.state });
  }
  if (externalKeyId === undefined) return;
  for (const key of s.realm(store.realm.account, store.realm.region)?.keys.values() ?? []) {
    if (key.keyStoreId === id && key.externalKeyId === externalKeyId) {
      throw new KmsError('AlreadyExists', `External key ${externalKeyId} is already used by key ${key.id}.`, { resource: 'key-store', reason: 'external-key-in-use', keyStoreId: id, keyId: key.id });
    }
  }
}

function storeDisabled(store: KeyStoreRecord): KmsError {
  return new KmsError('InvalidState', `Key store ${store.id} is disabled.`, { resource: 'key-store', reason: 'key-store-disabled', keyStoreId: store.id });
}

/**
 * Whether `key` lives in a store that is not enabled: the access path then reads its state as
 * Unavailable. A key pending deletion stays pending deletion (its deletion can still be cancelled).
 */
export function storeUnavailable(s: EngineState, key: { realm: Realm; state: KeyState; keyStoreId?: string | undefined }): boolean {
  if (key.keyStoreId === undefined || key.state === 'PendingDeletion' || key.state === 'PendingReplicaDeletion') return false;
  const store = storesOf(s, key.realm)?.get(key.keyStoreId);
  return store === undefined || store.state !== 'Enabled' || (store.connection !== undefined && store.connection.state !== 'Connected');
}

// ------------------------------------------------------------------ persistence

export function keyStoreSnapshots(s: EngineState): KeyStoreSnapshot[] {
  return resourceSnapshots(s.keyStores, keyStoreSnapshot);
}

/** The key-store part of a change record: changed stores in full, removed ones by id (everything after a reset). */
export function keyStoreChanges(s: EngineState, reset: boolean): { keyStores?: KeyStoreSnapshot[]; removedKeyStores?: RemovedResource[] } {
  const { changed, removed } = resourceChanges(s.keyStores, s.changes.keyStores, keyStoreSnapshot, reset);
  return { ...(changed ? { keyStores: changed } : {}), ...(removed ? { removedKeyStores: removed } : {}) };
}

export function putKeyStore(s: EngineState, d: KeyStoreSnapshot): void {
  const realm = s.realmFor({ account: d.account, region: d.region }).realm;
  const store = keyStoreFromSnapshot(d, realm);
  storesOf(s, realm, true).set(d.id, store);
  if (store.connection?.until !== undefined) queueStoreSettle(s, store);
}

/** Queues the end of a store's Connecting or Disconnecting state. */
export function queueStoreSettle(s: EngineState, store: KeyStoreRecord): void {
  s.due.push({ due: store.connection!.until!, keyId: store.id, account: store.realm.account, region: store.realm.region, kind: 'settle-store' });
}

export function removeKeyStore(s: EngineState, r: { account: string; region: string; id: string }): void {
  storesOf(s, r)?.delete(r.id);
}
