/**
 * Key material: versions added at creation and rotation, imported material (import parameters,
 * import, deletion, expiry). The cryptography reads material only through `secretOf`.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, toHex, utf8 } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import { hmacImportLengths } from '../crypto/hmac.js';
import { generateKeyPair } from '../crypto/asymmetric.js';
import { admit, reach, recheck } from './access.js';
import { ServiceEvent } from './audit.js';
import { refuseDryRun, refuseIfBound } from './checks.js';
import { KmsError } from './errors.js';
import { DEFAULT_IMPORT_VALIDITY_MS, IMPORT_TOKEN_BYTES, MAX_IMPORT_PARAMETER_SETS, materialFits, unwrapKeyMaterial, wrappingFits } from './import.js';
import { localBackend } from './key-stores.js';
import { holdsAllMaterial, viewOf, type ImportParameterSet, type KeyRecord } from './records.js';
import { isReplica, refuseReplica, shareWithFamily } from './replicas.js';
import { isHmacSpec, isRotatableSpec } from './specs.js';
import type { EngineState } from './state.js';
import type { CallContext, ImportType, KeyInfo, KeyMaterialVersion, KeyRef, KeySpec, RotationKind, WrappingAlgorithm, WrappingKeySpec } from './types.js';

export const MAX_MATERIAL_VERSIONS = 1 + 25 + 2560;

/** The bytes of one material version of the key, if it holds them. */
export function secretOf(key: KeyRecord, materialId: string | undefined): Uint8Array | undefined {
  return materialId === undefined ? undefined : key.secrets.get(materialId);
}

/** Adds a material version and makes it current: `secret` when given, else fresh material from the key's backend. */
export function addMaterial(s: EngineState, key: KeyRecord, at: number, rotation: { kind: RotationKind; at: number } | undefined, secret?: Uint8Array, id?: string): KeyMaterialVersion {
  const version: KeyMaterialVersion = { id: id ?? toHex(randomBytes(s.random, 32)), createdAt: at, ...(rotation ? { rotation } : {}) };
  key.secrets.set(version.id, secret ?? localBackend.newSecret(s, key.spec, key.id));
  key.materials.push(version);
  key.currentMaterialId = version.id;
  s.touch(key);
  return version;
}

/**
 * Installs imported (or chosen) material: as the key's first version when it has none, else again
 * into its current version (the same material, checked by the caller).
 */
export function installMaterial(s: EngineState, key: KeyRecord, material: Uint8Array, digest: string, validTo: number | undefined, id?: string, description?: string): KeyMaterialVersion {
  let index = key.materials.findIndex((m) => m.id === key.currentMaterialId);
  if (index < 0) {
    key.materials.push({ id: id ?? toHex(randomBytes(s.random, 32)), createdAt: s.now() });
    index = key.materials.length - 1;
    key.currentMaterialId = key.materials[index]!.id;
  }
  key.materialDigest ??= digest;
  return reinstall(s, key, index, material, validTo, description);
}

/**
 * Puts imported bytes into material version `index`: the version's expiry is this import's, its
 * description this import's or the one it had. A key waiting for material becomes Enabled once it
 * holds every version it has used (a version pending rotation is not yet one of them).
 */
function reinstall(s: EngineState, key: KeyRecord, index: number, material: Uint8Array, validTo: number | undefined, description: string | undefined): KeyMaterialVersion {
  const now = s.now();
  const old = key.materials[index]!;
  const kept = description ?? old.description;
  const version: KeyMaterialVersion = {
    id: old.id,
    createdAt: old.createdAt,
    ...(old.rotation ? { rotation: old.rotation } : {}),
    importedAt: now,
    ...(validTo !== undefined ? { validTo } : {}),
    ...(kept !== undefined ? { description: kept } : {}),
    ...(old.pendingRotation ? { pendingRotation: true } : {}),
  };
  key.materials[index] = version;
  key.secrets.set(version.id, material);
  key.lastImportedAt = now;
  if (version.id === key.currentMaterialId) {
    if (validTo === undefined) delete key.materialValidTo;
    else key.materialValidTo = validTo;
  }
  if (key.state === 'PendingImport' && holdsAllMaterial(key)) key.state = 'Enabled';
  if (validTo !== undefined) s.due.push({ due: validTo, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'expire-material' });
  s.touch(key);
  return version;
}

/**
 * Drops the bytes of one imported version. Material pending rotation was never used: it goes
 * altogether. Otherwise the version stays, without its bytes and expiry, and the key waits for the
 * same material again (a key pending deletion keeps its state).
 */
function dropVersion(s: EngineState, key: KeyRecord, version: KeyMaterialVersion): void {
  const index = key.materials.indexOf(version);
  // Not zeroed: a signature or decryption still awaiting WebCrypto may hold the same bytes.
  key.secrets.delete(version.id);
  if (version.pendingRotation && isReplica(key)) {
    // A replica's copy of its primary's pending material: the version stays, waiting for the same material again.
    const { validTo: _expiry, importedAt: _imported, ...kept } = version;
    key.materials[index] = kept;
  } else if (version.pendingRotation) {
    key.materials.splice(index, 1);
    // A multi-Region primary's pending material goes from every replica too.
    shareWithFamily(s, key);
  } else {
    const { validTo: _expiry, ...kept } = version;
    key.materials[index] = kept;
    if (version.id === key.currentMaterialId) delete key.materialValidTo;
    if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion') key.state = 'PendingImport';
  }
  s.touch(key);
}

/** Whether some imported version of the key expires at `at` (due work checks that its task still stands). */
export function materialExpiresAt(key: KeyRecord, at: number): boolean {
  return key.materials.some((m) => m.validTo === at);
}

/** Imported material whose time has come (due work): each version due is dropped, with a service event. */
export function expireMaterial(s: EngineState, key: KeyRecord, at: number): void {
  for (const version of key.materials.filter((m) => m.validTo !== undefined && m.validTo <= at)) {
    dropVersion(s, key, version);
    s.serviceEvent(ServiceEvent.deleteExpiredKeyMaterial, key, at, { keyOrigin: key.origin, keyMaterialId: version.id });
  }
}

export function requireExternal(key: KeyRecord): void {
  if (key.origin !== 'EXTERNAL') {
    throw new KmsError('Unsupported', `Key ${key.id} origin is ${key.origin} which is not valid for this operation.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'origin',
      origin: key.origin,
    });
  }
}

/**
 * A fresh wrapping key pair and import token for `ref` (an EXTERNAL key). The token and the DER
 * public key go to the customer, who wraps the material to that key; the newest
 * MAX_IMPORT_PARAMETER_SETS sets stay usable until their `validTo`.
 */
export async function getImportParameters(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  input: { wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec; validForMs?: number },
): Promise<{ key: KeyInfo; importToken: Uint8Array; publicKey: Uint8Array; validTo: number }> {
  // The origin is checked before the state: only an imported key has import states at all.
  const key = reach(s, ctx, ref, 'getImportParameters');
  requireExternal(key);
  admit(s, ctx, key, 'getImportParameters');
  const { wrappingAlgorithm: algorithm, wrappingKeySpec: spec } = input;
  if (!wrappingFits(algorithm, spec)) {
    throw new KmsError('Validation', `Wrapping algorithm ${algorithm} is not compatible with wrapping key spec ${spec}.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'wrapping-key-spec',
      algorithm,
      spec,
    });
  }
  const validForMs = input.validForMs ?? DEFAULT_IMPORT_VALIDITY_MS;
  if (!Number.isFinite(validForMs) || validForMs <= 0) {
    throw new KmsError('Validation', 'The import parameters must be valid for a positive time.', { resource: 'key', keyId: key.id, reason: 'valid-for' });
  }
  refuseDryRun(ctx);
  const pair = await generateKeyPair(spec, s.random);
  // The key may have changed state (or been deleted) while the pair was being generated.
  recheck(s, ctx, key, 'getImportParameters');
  const now = s.now();
  const set: ImportParameterSet = { token: randomBytes(s.random, IMPORT_TOKEN_BYTES), algorithm, wrappingKeySpec: spec, privateKey: pair.privateKey, createdAt: now, validTo: now + validForMs };
  key.importParameters.push(set);
  if (key.importParameters.length > MAX_IMPORT_PARAMETER_SETS) key.importParameters.shift();
  return { key: viewOf(key), importToken: set.token.slice(), publicKey: pair.publicKey, validTo: set.validTo };
}

/** What an import asks for besides the wrapped material: expiry, and for symmetric keys the version it makes or fills. */
export interface ImportInput {
  importToken: Uint8Array;
  encryptedKeyMaterial: Uint8Array;
  /** Epoch ms at which the material expires; undefined means it never does. */
  validTo?: number;
  /** 'new': a new version (the first, or one pending rotation); 'existing': a version the key has. Default: 'new' for a key that never had material, else 'existing'. */
  importType?: ImportType;
  /** With 'existing': the version the material must be. */
  materialId?: string;
  /** The customer's description of the material (symmetric keys); a re-import without one keeps the old. */
  description?: string;
}

/**
 * Imports key material wrapped to the public key of one of the key's import parameter sets. A
 * version's id derives from the key id and the material, so re-importing the same material finds
 * its version again and older ciphertexts decrypt again. A symmetric key may hold one more version
 * imported as 'new', pending an on-demand rotation (rotation.ts); other keys keep their first
 * material for good.
 */
export async function importKeyMaterial(s: EngineState, ctx: CallContext, ref: KeyRef, input: ImportInput): Promise<{ key: KeyInfo; material: KeyMaterialVersion }> {
  // The origin is checked before the state: only an imported key has import states at all.
  const key = reach(s, ctx, ref, 'importKeyMaterial');
  requireExternal(key);
  admit(s, ctx, key, 'importKeyMaterial');
  if (input.validTo !== undefined && !(Number.isFinite(input.validTo) && input.validTo > s.now())) {
    throw new KmsError('Validation', 'The expiration time of the key material must be in the future.', { resource: 'key', keyId: key.id, reason: 'valid-to' });
  }
  const symmetric = isRotatableSpec(key.spec);
  if (!symmetric && (input.importType !== undefined || input.materialId !== undefined || input.description !== undefined)) {
    throw new KmsError('Validation', 'ImportType, KeyMaterialId and KeyMaterialDescription are valid for symmetric encryption keys only.', { resource: 'key', keyId: key.id, reason: 'import-options' });
  }
  if (input.importType === 'new' && input.materialId !== undefined) {
    throw new KmsError('Validation', 'A key material id cannot be given with a new key material.', { resource: 'key', keyId: key.id, reason: 'import-options' });
  }
  if (input.materialId !== undefined && !key.materials.some((m) => m.id === input.materialId)) {
    throw new KmsError('NotFound', `Key material ${input.materialId} does not exist for key ${key.id}.`, { resource: 'key-material', keyId: key.id, materialId: input.materialId });
  }
  const set = key.importParameters.find((p) => equalBytes(p.token, input.importToken));
  if (!set) throw new KmsError('InvalidImportToken', 'The import token is invalid or belongs to another key.', { resource: 'key', keyId: key.id });
  if (set.validTo <= s.now()) {
    throw new KmsError('ExpiredImportToken', 'The import token has expired.', { resource: 'key', keyId: key.id, validTo: set.validTo });
  }
  const material = await unwrapKeyMaterial(set.algorithm, set.wrappingKeySpec, set.privateKey, input.encryptedKeyMaterial);
  if (!material) {
    throw new KmsError('InvalidCiphertext', 'The wrapped key material could not be decrypted.', { resource: 'ciphertext', keyId: key.id, reason: 'wrapped-key-material' });
  }
  // Checked before the state is looked at again, so nothing is awaited between that and installing the material.
  const fits = await materialFits(key.spec, material);
  // The key may have changed state, or newer parameter sets displaced this one, while the material was unwrapped.
  recheck(s, ctx, key, 'importKeyMaterial');
  if (!key.importParameters.includes(set)) throw new KmsError('InvalidImportToken', 'The import token is invalid or belongs to another key.', { resource: 'key', keyId: key.id });
  if (!fits) {
    throw new KmsError('Validation', `The key material does not fit key spec ${key.spec}.`, { resource: 'key', keyId: key.id, reason: 'key-material-size', spec: key.spec });
  }
  const digest = toHex(sha256(material));
  const id = chosenMaterialId(key.id, material);
  // Versions made before ids derived from the material: the first is found by its digest.
  const known = key.materials.find((m) => m.id === id) ?? (key.materialDigest === digest ? key.materials[0] : undefined);
  const type = input.importType ?? (key.materials.length === 0 ? 'new' : 'existing');
  if (type === 'existing' || key.materials.length === 0) {
    if (type === 'existing' && (!known || (input.materialId !== undefined && input.materialId !== known.id))) {
      throw new KmsError('IncorrectKeyMaterial', `The key material is not the material previously imported into key ${key.id}.`, { resource: 'key', keyId: key.id });
    }
    refuseDryRun(ctx);
    if (!known) return { key: viewOf(key), material: installMaterial(s, key, material, digest, input.validTo, id, input.description) };
    return { key: viewOf(key), material: reinstall(s, key, key.materials.indexOf(known), material, input.validTo, input.description) };
  }
  // A new version for a key that has material: it waits for an on-demand rotation.
  if (!symmetric) {
    throw new KmsError('IncorrectKeyMaterial', `The key material of key ${key.id} cannot be changed after its first import.`, { resource: 'key', keyId: key.id });
  }
  // New material of a multi-Region family goes into its primary; each replica imports it as existing material.
  refuseReplica(key);
  if (known) {
    throw new KmsError('Validation', `Key material ${known.id} is already associated with key ${key.id}.`, { resource: 'key', keyId: key.id, reason: 'material-known', materialId: known.id });
  }
  const pending = key.materials.find((m) => m.pendingRotation);
  if (pending) {
    throw new KmsError('InvalidState', `New key material ${id} cannot be imported into key ${key.id}: material ${pending.id} is pending rotation.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'material-pending-rotation',
      materialId: id,
      pendingMaterialId: pending.id,
    });
  }
  if (key.materials.length >= MAX_MATERIAL_VERSIONS) {
    throw new KmsError('LimitExceeded', `Key ${key.id} has reached its limit of key material versions.`, { keyId: key.id, reason: 'material-versions' });
  }
  refuseDryRun(ctx);
  key.materials.push({ id, createdAt: s.now(), pendingRotation: true });
  const version = reinstall(s, key, key.materials.length - 1, material, input.validTo, input.description);
  shareWithFamily(s, key);
  return { key: viewOf(key), material: version };
}

/**
 * Deletes imported key material: version `materialId`, or the current one. Material pending rotation
 * goes altogether; other material leaves the key waiting for the same material again (a key pending
 * deletion keeps its state).
 */
export function deleteImportedKeyMaterial(s: EngineState, ctx: CallContext, ref: KeyRef, materialId?: string): KeyInfo {
  // The origin is checked before the state: only an imported key has import states at all.
  const key = reach(s, ctx, ref, 'deleteImportedKeyMaterial');
  requireExternal(key);
  admit(s, ctx, key, 'deleteImportedKeyMaterial');
  const version = key.materials.find((m) => m.id === (materialId ?? key.currentMaterialId));
  if (materialId !== undefined && !version) {
    throw new KmsError('NotFound', `Key material ${materialId} does not exist for key ${key.id}.`, { resource: 'key-material', keyId: key.id, materialId });
  }
  refuseIfBound(key, 'deleteImportedKeyMaterial');
  refuseDryRun(ctx);
  if (version) dropVersion(s, key, version);
  else if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion') {
    key.state = 'PendingImport';
    s.touch(key);
  }
  return viewOf(key);
}

/** Chosen symmetric or HMAC material fits its spec (asymmetric material is checked by materialFits). */
export function symmetricMaterialFits(spec: KeySpec, material: Uint8Array): boolean {
  if (spec === 'AES_256') return material.length === 32;
  if (spec === 'SM4') return material.length === 16;
  if (!isHmacSpec(spec)) return false;
  const { min, max } = hmacImportLengths(spec);
  return material.length >= min && material.length <= max;
}

export function materialMisfit(spec: KeySpec): KmsError {
  return new KmsError('Validation', `The key material does not fit key spec ${spec}.`, { resource: 'key', reason: 'key-material-size', spec });
}

/** The version id of chosen material: derived from the key id and the material, so the same choice gives the same id. */
export function chosenMaterialId(keyId: string, material: Uint8Array): string {
  const label = utf8(`kms-emulator/chosen-material\0${keyId}\0`);
  const data = new Uint8Array(label.length + material.length);
  data.set(label);
  data.set(material, label.length);
  return toHex(sha256(data));
}
