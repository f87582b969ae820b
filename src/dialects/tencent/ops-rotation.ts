/** Tencent key rotation: Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKey. */
import { fault } from './errors.js';
import { existing, type Handler, inRange, keyRef, LIMITS, touch } from './call.js';

export const enableKeyRotation: Handler = (call) => {
  const days = inRange(call, call.input.RotateDays ?? LIMITS.defaultRotateDays, LIMITS.rotateDays, 'RotateDays', ['InvalidParameterValue']);
  touch(call, call.engine.enableRotation(call.ctx, keyRef(call, call.input.KeyId), days));
  return {};
};

export const disableKeyRotation: Handler = (call) => {
  touch(call, call.engine.disableRotation(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

export const getKeyRotationStatus: Handler = (call) => {
  const key = existing(call, keyRef(call, call.input.KeyId));
  touch(call, key);
  return { KeyRotationEnabled: key.rotation.enabled };
};

export const rotateKey: Handler = (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  if (key.origin === 'EXTERNAL' || !key.rotation.enabled) {
    throw fault(call.action, ['UnsupportedOperation.RotateNotSupported'], 'UnsupportedOperation', `Rotation is not enabled for the CMK ${key.id}.`);
  }
  const last = key.rotation.onDemandStartedAt;
  if (last !== undefined && call.engine.now() - last < LIMITS.rotateIntervalMs) {
    throw fault(call.action, ['RequestLimitExceeded.RotateRateLimited'], 'RequestLimitExceeded', 'A key can be rotated by hand at most once every 24 hours.');
  }
  call.engine.rotateNow(call.ctx, ref, { limit: Number.MAX_SAFE_INTEGER });
  return { TaskId: call.engine.newId() };
};
