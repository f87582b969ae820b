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

export const getKeyRotationStatus: Handler = (call) => {
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
