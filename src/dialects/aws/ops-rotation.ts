/** AWS key rotation: Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations. */
import type { MaterialEntry } from '../../engine/types.js';
import { secs } from './metadata.js';
import { arnOf, type Call, type Handler, keyRef, LIMITS, listed, page } from './call.js';
import { storeType } from './custom-key-stores.js';
import { AwsServiceError } from './errors.js';

/** Keys in custom key stores are not rotated (AWS: UnsupportedOperationException), automatically or on demand. */
function refuseCustomKeyStoreKey(call: Call): void {
  const key = call.engine.findKey(call.ctx, keyRef(call, call.input.KeyId));
  const type = key ? storeType(call.engine.keyStoreOf(key) ?? { kind: '' }) : undefined;
  if (key && type) throw new AwsServiceError('UnsupportedOperationException', `${arnOf(key)} origin is ${type} which is not valid for this operation.`);
}

export const enableKeyRotation: Handler = (call) => {
  refuseCustomKeyStoreKey(call);
  const days: number = call.input.RotationPeriodInDays ?? LIMITS.defaultRotationPeriodDays;
  const key = call.engine.enableRotation(call.ctx, keyRef(call, call.input.KeyId), days);
  call.trail.resources.push(key);
  call.trail.request = { rotationPeriodInDays: days };
  call.trail.response = { keyId: arnOf(key) };
  return {};
};

export const disableKeyRotation: Handler = (call) => {
  const key = call.engine.disableRotation(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  call.trail.response = { keyId: arnOf(key) };
  return {};
};

export const getKeyRotationStatus: Handler = (call) => {
  const key = call.engine.getRotationStatus(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  const r = key.rotation;
  const inProgress = r.onDemandStartedAt !== undefined && call.engine.rotationInProgress(key);
  // While a key is pending deletion AWS reports rotation off; cancelling the deletion restores it.
  const enabled = r.enabled && key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion';
  return {
    KeyRotationEnabled: enabled,
    KeyId: arnOf(key),
    ...(enabled ? { RotationPeriodInDays: r.periodDays } : {}),
    ...(enabled && r.nextRotation !== undefined ? { NextRotationDate: secs(r.nextRotation) } : {}),
    ...(inProgress ? { OnDemandRotationStartDate: secs(r.onDemandStartedAt!) } : {}),
  };
};

export const rotateKeyOnDemand: Handler = (call) => {
  refuseCustomKeyStoreKey(call);
  const { key } = call.engine.rotateNow(call.ctx, keyRef(call, call.input.KeyId), {
    limit: LIMITS.onDemandRotations,
    automaticRotationGuardMs: LIMITS.automaticRotationGuardMinutes * 60_000,
    importedMaterial: true,
  });
  call.trail.resources.push(key);
  // CloudTrail's example records the key id here; the API answers the key ARN.
  call.trail.response = { keyId: key.id };
  return { KeyId: arnOf(key) };
};

export const listKeyRotations: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const result = engine.listRotations(ctx, ref, page(input.Limit, input.Marker, LIMITS.listDefault), all);
  const key = engine.findKey(ctx, ref)!;
  trail.resources.push(key);
  trail.request = { includeKeyMaterial: input.IncludeKeyMaterial ?? 'ROTATIONS_ONLY' };
  const imported = key.origin === 'EXTERNAL';
  return listed(
    result.items.map((m) => ({
      KeyId: key.id,
      KeyMaterialId: m.id,
      ...(imported ? importedFields(m) : {}),
      KeyMaterialState: m.awaitingReplicas ? 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' : m.pendingRotation ? 'PENDING_ROTATION' : m.current ? 'CURRENT' : 'NON_CURRENT',
      ...(m.rotation ? { RotationDate: secs(m.rotation.at), RotationType: m.rotation.kind } : {}),
    })),
    result.nextMarker,
    'Rotations',
  );
};

/** What a rotations entry of a key with imported material adds: description, import state, expiry (while the material is there). */
function importedFields(m: MaterialEntry): Record<string, unknown> {
  return {
    ...(m.description !== undefined ? { KeyMaterialDescription: m.description } : {}),
    ImportState: m.present ? 'IMPORTED' : 'PENDING_IMPORT',
    ...(m.present && m.importedAt !== undefined ? { ExpirationModel: m.validTo !== undefined ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE' } : {}),
    ...(m.present && m.validTo !== undefined ? { ValidTo: secs(m.validTo) } : {}),
  };
}
