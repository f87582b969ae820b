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
import { viewOf, type ImportParameterSet, type KeyRecord } from './records.js';
import { isHmacSpec } from './specs.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyInfo, KeyMaterialVersion, KeyRef, KeySpec, RotationKind, WrappingAlgorithm, WrappingKeySpec } from './types.js';

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

/** Installs imported (or chosen) material as the key's one version; a key waiting for it becomes Enabled. */
export function installMaterial(s: EngineState, key: KeyRecord, material: Uint8Array, digest: string, validTo: number | undefined, id?: string): void {
  const now = s.now();
  if (key.currentMaterialId === undefined) {
    const version: KeyMaterialVersion = { id: id ?? toHex(randomBytes(s.random, 32)), createdAt: now };
    key.materials.push(version);
    key.currentMaterialId = version.id;
  }
  key.secrets.set(key.currentMaterialId, material);
  key.materialDigest = digest;
  key.lastImportedAt = now;
  if (key.state === 'PendingImport') key.state = 'Enabled';
  if (validTo === undefined) {
    delete key.materialValidTo;
  } else {
    key.materialValidTo = validTo;
    s.due.push({ due: validTo, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'expire-material' });
  }
  s.touch(key);
}

function dropMaterial(s: EngineState, key: KeyRecord): void {
  // Not zeroed: a signature or decryption still awaiting WebCrypto may hold the same bytes.
  key.secrets.clear();
  delete key.materialValidTo;
  if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion') key.state = 'PendingImport';
  s.touch(key);
}

/** Imported material whose time has come (due work): dropped, with a service event. */
export function expireMaterial(s: EngineState, key: KeyRecord, at: number): void {
  dropMaterial(s, key);
  s.serviceEvent(ServiceEvent.deleteExpiredKeyMaterial, key, at, {
    keyOrigin: key.origin,
    ...(key.currentMaterialId !== undefined ? { keyMaterialId: key.currentMaterialId } : {}),
  });
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

/**
 * Imports key material wrapped to the public key of one of the key's import parameter sets.
 * The key keeps one material version for good: re-importing the same material (after deletion or
 * expiry) brings back the same version, so older ciphertexts decrypt again; other material is refused.
 * `validTo` (epoch ms) makes the material expire; undefined means it never does.
 */
export async function importKeyMaterial(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  input: { importToken: Uint8Array; encryptedKeyMaterial: Uint8Array; validTo?: number },
): Promise<KeyInfo> {
  // The origin is checked before the state: only an imported key has import states at all.
  const key = reach(s, ctx, ref, 'importKeyMaterial');
  requireExternal(key);
  admit(s, ctx, key, 'importKeyMaterial');
  if (input.validTo !== undefined && !(Number.isFinite(input.validTo) && input.validTo > s.now())) {
    throw new KmsError('Validation', 'The expiration time of the key material must be in the future.', { resource: 'key', keyId: key.id, reason: 'valid-to' });
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
  if (key.materialDigest !== undefined && key.materialDigest !== digest) {
    throw new KmsError('IncorrectKeyMaterial', `The key material is not the material previously imported into key ${key.id}.`, { resource: 'key', keyId: key.id });
  }
  refuseDryRun(ctx);
  installMaterial(s, key, material, digest, input.validTo);
  return viewOf(key);
}

/** Deletes imported key material: the key waits for the same material again (a key pending deletion keeps its state). */
export function deleteImportedKeyMaterial(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  // The origin is checked before the state: only an imported key has import states at all.
  const key = reach(s, ctx, ref, 'deleteImportedKeyMaterial');
  requireExternal(key);
  admit(s, ctx, key, 'deleteImportedKeyMaterial');
  refuseIfBound(key, 'deleteImportedKeyMaterial');
  refuseDryRun(ctx);
  dropMaterial(s, key);
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
