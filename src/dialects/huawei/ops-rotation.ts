/** Huawei key rotation: get-key-rotation-status, enable/disable-key-rotation, update-key-rotation-interval, rotate on demand. */
import type { KeyInfo } from '../../engine/types.js';
import { kmsError } from './errors.js';
import { ms } from './metadata.js';
import { aliasOf, type Handler, keyRef, LIMITS, lookup, requireRotatable } from './call.js';

function lastRotation(key: KeyInfo): number | undefined {
  for (let i = key.materials.length - 1; i >= 0; i--) {
    const r = key.materials[i]!.rotation;
    if (r) return r.at;
  }
  return undefined;
}

/** A material id in the uuid form Huawei gives it (the first 128 bits of the engine's id). */
function materialUuid(id: string): string {
  const h = id.slice(0, 32).padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The key's materials, oldest first: state 2 (enabled) for material in use, 0 for imported material
 * waiting for its rotation; `charge_id` (billing) is not modelled and answers "".
 */
function keyMaterials(key: KeyInfo): Array<Record<string, unknown>> {
  return key.materials.map((m) => ({
    material_id: materialUuid(m.id),
    charge_id: '',
    create_time: ms(m.createdAt),
    expiration_time: ms(m.validTo),
    state: m.pendingRotation ? 0 : 2,
  }));
}

export const getKeyRotationStatus: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  const status = call.engine.getRotationStatus(call.ctx, keyRef(call.body));
  return {
    key_rotation_enabled: status.rotation.enabled,
    rotation_interval: status.rotation.periodDays,
    last_rotation_time: ms(lastRotation(status)),
    number_of_rotations: status.materials.filter((m) => m.rotation).length,
    key_materials: keyMaterials(status),
  };
};

export const enableKeyRotation: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  if (key.rotation.enabled) throw kmsError('KMS.2901');
  call.engine.enableRotation(call.ctx, keyRef(call.body), key.rotation.periodDays || LIMITS.defaultRotationIntervalDays);
  call.trail.resourceName = aliasOf(call.engine, key);
  return {};
};

export const disableKeyRotation: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  if (!key.rotation.enabled) throw kmsError('KMS.0313');
  call.engine.disableRotation(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, key);
  return {};
};

export const updateKeyRotationInterval: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  if (!key.rotation.enabled) throw kmsError('KMS.0313');
  call.engine.enableRotation(call.ctx, keyRef(call.body), call.body.rotation_interval as number);
  call.trail.resourceName = aliasOf(call.engine, key);
  return {};
};

export const rotateOnDemand: Handler = (call) => {
  const key = lookup(call);
  requireRotatable(key);
  const { key: after } = call.engine.rotateNow(call.ctx, keyRef(call.body), { limit: Number.MAX_SAFE_INTEGER });
  return { key_id: after.id };
};
