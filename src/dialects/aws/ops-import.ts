/**
 * AWS KMS imported key material: GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial. A symmetric key may hold several imported materials: ImportType
 * NEW_KEY_MATERIAL into a key that has material imports the material for the next RotateKeyOnDemand
 * (PENDING_ROTATION); EXISTING_KEY_MATERIAL re-imports one the key has (see docs/aws.md).
 */

import { toBase64 } from '../../crypto/bytes.js';
import type { ImportType, WrappingAlgorithm, WrappingKeySpec } from '../../engine/types.js';
import { parseKeyId, partitionOf } from './arn.js';
import { secs, showsMaterialIds, trailDate } from './metadata.js';
import { arnOf, validation, type Call, type Handler } from './call.js';

/** ImportKeyMaterial: ValidTo at most 365 days ahead. */
const MAX_VALID_TO_DAYS = 365;
const DAY_MS = 86_400_000;

function keyRef(call: Call) {
  return parseKeyId(call.input.KeyId, call.realm, false);
}

export const getParametersForImport: Handler = async (call) => {
  const { engine, ctx, input, trail, realm } = call;
  const algorithm = input.WrappingAlgorithm as WrappingAlgorithm;
  const spec = input.WrappingKeySpec as WrappingKeySpec;
  // SM2 wrapping exists in the China Regions only.
  if ((algorithm === 'SM2PKE' || spec === 'SM2') && partitionOf(realm.region) !== 'aws-cn') {
    throw validation(`${algorithm === 'SM2PKE' ? 'WrappingAlgorithm SM2PKE' : 'WrappingKeySpec SM2'} is not supported in this region.`);
  }
  const ref = keyRef(call);
  const found = engine.findKey(ctx, ref);
  if (found) trail.resources.push(found);
  const result = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: algorithm, wrappingKeySpec: spec });
  return { KeyId: arnOf(result.key), ImportToken: toBase64(result.importToken), PublicKey: toBase64(result.publicKey), ParametersValidTo: secs(result.validTo) };
};

/**
 * The expiry the request asks for: ExpirationModel (default KEY_MATERIAL_EXPIRES) and ValidTo must
 * agree, so a request with neither is refused, as AWS refuses it.
 */
function expiryOf(call: Call): number | undefined {
  const { ExpirationModel: model = 'KEY_MATERIAL_EXPIRES', ValidTo: validTo } = call.input as { ExpirationModel?: string; ValidTo?: number };
  if (model === 'KEY_MATERIAL_EXPIRES' && validTo === undefined) throw validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && validTo !== undefined) throw validation('A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE');
  if (validTo !== undefined && validTo > call.engine.now() + MAX_VALID_TO_DAYS * DAY_MS) {
    throw validation(`ValidTo must be within ${MAX_VALID_TO_DAYS} days from now.`);
  }
  return validTo;
}

const IMPORT_TYPE: Record<string, ImportType> = { NEW_KEY_MATERIAL: 'new', EXISTING_KEY_MATERIAL: 'existing' };

export const importKeyMaterial: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call);
  const found = engine.findKey(ctx, ref);
  if (found) trail.resources.push(found);
  const validTo = expiryOf(call);
  trail.request = {
    expirationModel: validTo === undefined ? 'KEY_MATERIAL_DOES_NOT_EXPIRE' : 'KEY_MATERIAL_EXPIRES',
    ...(validTo !== undefined ? { validTo: trailDate(validTo) } : {}),
    ...(input.ImportType !== undefined ? { importType: input.ImportType } : {}),
    ...(input.KeyMaterialId !== undefined ? { keyMaterialId: input.KeyMaterialId } : {}),
    ...(input.KeyMaterialDescription !== undefined ? { keyMaterialDescription: input.KeyMaterialDescription } : {}),
  };
  const { key, material } = await engine.importKeyMaterialVersion(ctx, ref, {
    importToken: input.ImportToken,
    encryptedKeyMaterial: input.EncryptedKeyMaterial,
    ...(validTo !== undefined ? { validTo } : {}),
    ...(input.ImportType !== undefined ? { importType: IMPORT_TYPE[input.ImportType]! } : {}),
    ...(input.KeyMaterialId !== undefined ? { materialId: input.KeyMaterialId } : {}),
    ...(input.KeyMaterialDescription !== undefined ? { description: input.KeyMaterialDescription } : {}),
  });
  // Key material ids are shown for symmetric keys only (as CurrentKeyMaterialId is). CloudTrail's
  // 2025 example records the key ARN and the material id in responseElements.
  if (!showsMaterialIds(key)) {
    trail.response = { keyId: arnOf(key) };
    return { KeyId: arnOf(key) };
  }
  trail.response = { keyId: arnOf(key), keyMaterialId: material.id };
  return { KeyId: arnOf(key), KeyMaterialId: material.id };
};

export const deleteImportedKeyMaterial: Handler = (call) => {
  const ref = keyRef(call);
  const materialId: string | undefined = call.input.KeyMaterialId;
  const key = call.engine.deleteImportedKeyMaterial(call.ctx, ref, materialId);
  call.trail.resources.push(key);
  const deleted = materialId ?? key.currentMaterialId;
  return { KeyId: arnOf(key), ...(deleted !== undefined && showsMaterialIds(key) ? { KeyMaterialId: deleted } : {}) };
};
