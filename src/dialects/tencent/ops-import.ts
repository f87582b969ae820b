/** Tencent imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial. */
import { toBase64 } from '../../crypto/bytes.js';
import { fault } from './errors.js';
import { secs } from './metadata.js';
import { base64Bytes, existing, type Handler, keyRef, LIMITS, touch } from './call.js';

const WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;

export const getParametersForImport: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  if (!(WRAPPING_ALGORITHMS as readonly string[]).includes(input.WrappingAlgorithm)) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `WrappingAlgorithm ${input.WrappingAlgorithm} is invalid.`);
  }
  if (input.WrappingKeySpec !== 'RSA_2048') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `WrappingKeySpec ${input.WrappingKeySpec} is invalid.`);
  const key = existing(call, ref);
  touch(call, key);
  const result = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: input.WrappingAlgorithm, wrappingKeySpec: 'RSA_2048' });
  return { KeyId: result.key.id, ImportToken: toBase64(result.importToken), PublicKey: toBase64(result.publicKey), ParametersValidTo: secs(result.validTo) };
};

export const importKeyMaterial: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const material = base64Bytes(call, input.EncryptedKeyMaterial, 'EncryptedKeyMaterial', ['InvalidParameter'], [1, 4096]);
  const token = base64Bytes(call, input.ImportToken, 'ImportToken', ['InvalidParameter'], [1, 4096]);
  const validTo: number = input.ValidTo ?? 0;
  if (validTo !== 0 && (validTo > LIMITS.maxValidTo || validTo * 1000 <= engine.now())) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `ValidTo must be 0 or a unix time after now and at most ${LIMITS.maxValidTo}.`);
  }
  const key = existing(call, ref);
  touch(call, key);
  await engine.importKeyMaterial(ctx, ref, { importToken: token, encryptedKeyMaterial: material, ...(validTo !== 0 ? { validTo: validTo * 1000 } : {}) });
  return {};
};

export const deleteImportedKeyMaterial: Handler = (call) => {
  touch(call, call.engine.deleteImportedKeyMaterial(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};
