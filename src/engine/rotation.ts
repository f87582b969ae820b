/** Rotation: automatic rotation on a period, on-demand rotation, and the list of rotations. */

import { admit, reach } from './access.js';
import { ServiceEvent } from './audit.js';
import { refuseDryRun } from './checks.js';
import { DAY_MS } from './clock.js';
import { KmsError } from './errors.js';
import { addMaterial, MAX_MATERIAL_VERSIONS } from './material.js';
import { pageArray } from './paging.js';
import { lastAutomaticRotation, viewOf, type KeyRecord } from './records.js';
import { familyOf, isReplica, refuseReplica, shareWithFamily } from './replicas.js';
import type { EngineState } from './state.js';
import { isRotatableSpec } from './specs.js';
import type { CallContext, KeyInfo, KeyMaterialVersion, KeyRef, MaterialEntry, Page, PageRequest, RotationKind } from './types.js';

/** An on-demand rotation counts as in progress for this long after it starts. */
const ROTATION_IN_PROGRESS_MS = 1000;

/** Rotation applies to symmetric keys; automatic rotation to generated ones only (`imported`: imported ones too). */
function requireRotatable(key: KeyRecord, imported = false): void {
  const originFits = key.origin === 'GENERATED' || imported;
  if (!isRotatableSpec(key.spec) || !originFits) {
    throw new KmsError('Unsupported', `Key ${key.id} does not support rotation.`, {
      resource: 'key',
      keyId: key.id,
      reason: originFits ? 'key-spec' : 'origin',
      origin: key.origin,
      spec: key.spec,
    });
  }
}

export function scheduleRotation(s: EngineState, key: KeyRecord, at: number): void {
  s.touch(key);
  key.rotation.nextRotation = at;
  s.due.push({ due: at, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'rotate' });
  shareWithFamily(s, key);
}

/** A new current material version (for an imported key, the version pending rotation), with its service event. */
export function rotate(s: EngineState, key: KeyRecord, kind: RotationKind, at: number): KeyMaterialVersion {
  const previous = key.currentMaterialId!;
  const pending = key.materials.findIndex((m) => m.pendingRotation);
  if (pending < 0 && key.materials.length >= MAX_MATERIAL_VERSIONS) {
    throw new KmsError('LimitExceeded', `Key ${key.id} has reached its limit of key material versions.`, { keyId: key.id, reason: 'material-versions' });
  }
  const version = pending < 0 ? addMaterial(s, key, at, { kind, at }) : promote(s, key, pending, { kind, at });
  // Every replica of a multi-Region primary gets the new material at once.
  shareWithFamily(s, key);
  s.serviceEvent(ServiceEvent.rotateKey, key, at, {
    rotationType: kind,
    keyOrigin: key.origin,
    previousKeyMaterialId: previous,
    currentKeyMaterialId: version.id,
  });
  return version;
}

/** Imported material pending rotation becomes the current version, with its expiry. */
function promote(s: EngineState, key: KeyRecord, index: number, rotation: { kind: RotationKind; at: number }): KeyMaterialVersion {
  const { pendingRotation: _pending, ...rest } = key.materials[index]!;
  const version: KeyMaterialVersion = { ...rest, rotation };
  key.materials.splice(index, 1);
  key.materials.push(version);
  key.currentMaterialId = version.id;
  if (version.validTo === undefined) delete key.materialValidTo;
  else key.materialValidTo = version.validTo;
  s.touch(key);
  return version;
}

/** Rotation came due while the key was not enabled: it happens when the key is enabled again. */
export function catchUpRotation(s: EngineState, key: KeyRecord): void {
  const next = key.rotation.nextRotation;
  const now = s.now();
  if (key.rotation.enabled && next !== undefined && next <= now && !isReplica(key)) {
    rotate(s, key, 'AUTOMATIC', now);
    scheduleRotation(s, key, now + key.rotation.periodDays * DAY_MS);
  }
}

/** Rotation applies to generated symmetric keys: the rotatable check comes before the state table. */
function useRotatable(s: EngineState, ctx: CallContext, ref: KeyRef, operation: 'enableRotation' | 'disableRotation' | 'getRotationStatus'): KeyRecord {
  const key = reach(s, ctx, ref, operation);
  requireRotatable(key);
  // A multi-Region family rotates as one: only its primary changes rotation or rotates on demand.
  if (operation !== 'getRotationStatus') refuseReplica(key);
  admit(s, ctx, key, operation);
  return key;
}

export function enableRotation(s: EngineState, ctx: CallContext, ref: KeyRef, periodDays: number): KeyInfo {
  const key = useRotatable(s, ctx, ref, 'enableRotation');
  refuseDryRun(ctx);
  const now = s.now();
  const base = key.rotation.enabled ? (lastAutomaticRotation(key) ?? key.rotation.enabledAt ?? now) : now;
  key.rotation.enabled = true;
  key.rotation.periodDays = periodDays;
  if (!key.rotation.enabledAt || base === now) key.rotation.enabledAt = now;
  scheduleRotation(s, key, Math.max(now, base + periodDays * DAY_MS));
  return viewOf(key);
}

export function disableRotation(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  const key = useRotatable(s, ctx, ref, 'disableRotation');
  refuseDryRun(ctx);
  key.rotation.enabled = false;
  delete key.rotation.nextRotation;
  delete key.rotation.enabledAt;
  shareWithFamily(s, key);
  return viewOf(key);
}

export function getRotationStatus(s: EngineState, ctx: CallContext, ref: KeyRef): KeyInfo {
  return viewOf(useRotatable(s, ctx, ref, 'getRotationStatus'));
}

/** Whether an on-demand rotation started within the last ROTATION_IN_PROGRESS_MS. */
export function rotationInProgress(s: EngineState, key: KeyInfo): boolean {
  const started = key.rotation.onDemandStartedAt;
  return started !== undefined && s.now() - started < ROTATION_IN_PROGRESS_MS;
}

/**
 * Rotates now. `limit` caps on-demand rotations per key; a rotation already in progress, or an
 * automatic rotation due within `automaticRotationGuardMs`, refuses the call with Conflict. With
 * `importedMaterial` (a provider that rotates imported material) the key state comes first (a
 * disabled asymmetric key is Disabled, not Unsupported), and a symmetric key with imported material
 * rotates to the material imported for it (pending rotation), and needs one; without it, only
 * generated symmetric keys rotate, and the key spec is checked before the state.
 */
export function rotateNow(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  options: { limit: number; automaticRotationGuardMs?: number; importedMaterial?: boolean },
): { key: KeyInfo; material: KeyMaterialVersion } {
  const key = reach(s, ctx, ref, 'rotateNow');
  if (options.importedMaterial) {
    admit(s, ctx, key, 'rotateNow');
    requireRotatable(key, true);
    refuseReplica(key);
  } else {
    requireRotatable(key);
    // A multi-Region family rotates as one: only its primary rotates on demand.
    refuseReplica(key);
    admit(s, ctx, key, 'rotateNow');
  }
  const now = s.now();
  const next = key.rotation.enabled ? key.rotation.nextRotation : undefined;
  if (rotationInProgress(s, viewOf(key)) || (next !== undefined && options.automaticRotationGuardMs !== undefined && next - now <= options.automaticRotationGuardMs)) {
    throw new KmsError('Conflict', `A rotation of key ${key.id} is in progress or about to begin.`, { resource: 'key', keyId: key.id, reason: 'rotation-in-progress' });
  }
  if (key.origin === 'EXTERNAL' && !key.materials.some((m) => m.pendingRotation)) {
    throw new KmsError('InvalidState', `Key ${key.id} has no key material pending rotation.`, { resource: 'key', keyId: key.id, reason: 'no-pending-material', state: key.state });
  }
  // A multi-Region family rotates as one: every replica must hold the pending material first.
  const lacking = key.origin === 'EXTERNAL' ? familyOf(s, key).filter((m) => !holdsPending(key, m)) : [];
  if (lacking.length > 0) {
    const pending = key.materials.find((m) => m.pendingRotation)!;
    throw new KmsError('InvalidState', `Key material ${pending.id} of key ${key.id} is not yet imported into every replica key.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'material-pending-replicas',
      materialId: pending.id,
      regions: lacking.map((m) => m.realm.region),
    });
  }
  if (key.rotation.onDemandCount >= options.limit) {
    throw new KmsError('LimitExceeded', `The on-demand rotations limit has been reached for key ${key.id}.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'rotation-limit',
    });
  }
  refuseDryRun(ctx);
  key.rotation.onDemandCount++;
  key.rotation.onDemandStartedAt = now;
  return { key: viewOf(key), material: rotate(s, key, 'ON_DEMAND', now) };
}

/** Whether `member` of `primary`'s family holds the bytes of the primary's material pending rotation. */
function holdsPending(primary: KeyRecord, member: KeyRecord): boolean {
  const pending = primary.materials.find((m) => m.pendingRotation);
  return pending === undefined || member.secrets.has(pending.id);
}

/** The key's rotations (versions made by a rotation), or with `includeAllMaterial` every version: the first and any pending rotation too. */
export function listRotations(s: EngineState, ctx: CallContext, ref: KeyRef, page: PageRequest, includeAllMaterial = false): Page<MaterialEntry> {
  const key = reach(s, ctx, ref, 'listRotations');
  requireRotatable(key, true);
  admit(s, ctx, key, 'listRotations');
  const family = familyOf(s, key);
  const versions = key.materials
    .filter((m) => includeAllMaterial || m.rotation)
    .map((m): MaterialEntry => ({
      ...m,
      current: m.id === key.currentMaterialId,
      present: key.secrets.has(m.id),
      ...(m.pendingRotation && key.origin === 'EXTERNAL' && family.some((member) => !member.secrets.has(m.id)) ? { awaitingReplicas: true } : {}),
    }));
  return pageArray(s, `rotations|${key.id}|${includeAllMaterial}`, versions, page);
}
