/** Huawei imported key material: get-parameters-for-import, import-key-material, delete-imported-key-material. */
import { toBase64 } from '../../crypto/bytes.js';
import { kmsError } from './errors.js';
import { aliasOf, base64Field, type Handler, keyRef, lookup, requireExternal } from './call.js';

const WRAPPING: Readonly<Record<string, { wrappingAlgorithm: 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'SM2PKE'; wrappingKeySpec: 'RSA_2048' | 'SM2' }>> = {
  RSAES_OAEP_SHA_256: { wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' },
  RSAES_OAEP_SHA_1: { wrappingAlgorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_2048' },
  SM2_ENCRYPT: { wrappingAlgorithm: 'SM2PKE', wrappingKeySpec: 'SM2' },
};

export const getParametersForImport: Handler = async (call) => {
  const key = lookup(call);
  requireExternal(key);
  const wrapping = WRAPPING[call.body.wrapping_algorithm as string];
  if (!wrapping) throw kmsError('KMS.0308');
  const result = await call.engine.getImportParameters(call.ctx, keyRef(call.body), wrapping);
  call.trail.resourceName = aliasOf(call.engine, key);
  return {
    key_id: result.key.id,
    import_token: toBase64(result.importToken),
    expiration_time: Math.floor(result.validTo / 1000),
    public_key: toBase64(result.publicKey),
  };
};

export const importKeyMaterial: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  requireExternal(key);
  const importToken = base64Field(body, 'import_token', 'KMS.2605', 8192);
  const encryptedKeyMaterial = base64Field(body, 'encrypted_key_material', 'KMS.0308', 8192);
  let validTo: number | undefined;
  if (body.expiration_time !== undefined) {
    validTo = (body.expiration_time as number) * 1000;
    if (validTo <= engine.now()) throw kmsError('KMS.2602');
  }
  await engine.importKeyMaterial(ctx, keyRef(body), { importToken, encryptedKeyMaterial, ...(validTo !== undefined ? { validTo } : {}) });
  call.trail.resourceName = aliasOf(engine, key);
  return {};
};

export const deleteImportedKeyMaterial: Handler = (call) => {
  const key = lookup(call);
  requireExternal(key);
  call.engine.deleteImportedKeyMaterial(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, key);
  return {};
};
