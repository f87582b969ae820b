/**
 * AWS KMS imported key material: GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial. The engine holds one material version per key (re-imports must bring
 * the same material); multiple imported materials (ImportType NEW_KEY_MATERIAL into a key that
 * has material, for on-demand rotation) are not modelled.
 */

import { toBase64 } from '../../crypto/bytes.js';
import type { WrappingAlgorithm, WrappingKeySpec } from '../../engine/types.js';
import { parseKeyId, partitionOf } from './arn.js';
import { AwsServiceError } from './errors.js';
import { secs, trailDate } from './metadata.js';
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

/** The expiry the request asks for: ExpirationModel and ValidTo must agree. */
function expiryOf(call: Call): number | undefined {
  const { ExpirationModel: model, ValidTo: validTo } = call.input as { ExpirationModel?: string; ValidTo?: number };
  if (model === 'KEY_MATERIAL_EXPIRES' && validTo === undefined) throw validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && validTo !== undefined) throw validation('A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE');
  if (validTo !== undefined && validTo > call.engine.now() + MAX_VALID_TO_DAYS * DAY_MS) {
    throw validation(`ValidTo must be within ${MAX_VALID_TO_DAYS} days from now.`);
  }
  return validTo;
}

export const importKeyMaterial: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call);
  const found = engine.findKey(ctx, ref);
  if (found) trail.resources.push(found);
  const validTo = expiryOf(call);
  trail.request = {
    expirationModel: validTo === undefined ? 'KEY_MATERIAL_DOES_NOT_EXPIRE' : 'KEY_MATERIAL_EXPIRES',
    ...(validTo !== undefined ? { validTo: trailDate(validTo) } : {}),
  };
  const key = await engine.importKeyMaterial(ctx, ref, {
    importToken: input.ImportToken,
    encryptedKeyMaterial: input.EncryptedKeyMaterial,
    ...(validTo !== undefined ? { validTo } : {}),
  });
  trail.additional = { keyMaterialId: key.currentMaterialId! };
  return { KeyId: arnOf(key), KeyMaterialId: key.currentMaterialId };
};

export const deleteImportedKeyMaterial: Handler = (call) => {
  const ref = keyRef(call);
  const found = call.engine.findKey(call.ctx, ref);
  // The engine keeps one material version: any other id names nothing.
  const materialId: string | undefined = call.input.KeyMaterialId;
  if (found && materialId !== undefined && materialId !== found.currentMaterialId) {
    throw new AwsServiceError('NotFoundException', `Key material ${materialId} does not exist for key ${arnOf(found)}.`);
  }
  const key = call.engine.deleteImportedKeyMaterial(call.ctx, ref);
  call.trail.resources.push(key);
  return { KeyId: arnOf(key), ...(key.currentMaterialId !== undefined ? { KeyMaterialId: key.currentMaterialId } : {}) };
};

