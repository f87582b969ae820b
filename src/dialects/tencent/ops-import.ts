/** Tencent imported key material: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial. */
import { toBase64 } from '../../crypto/bytes.js';
import type { KeyInfo } from '../../engine/types.js';
import { fault } from './errors.js';
import { KEY_STATE, secs } from './metadata.js';
import { base64Bytes, type Call, existing, type Handler, keyRef, LIMITS, touch } from './call.js';

const WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;

/** Tencent imports into PendingImport keys, or re-imports into Enabled ones. */
function requireImportState(call: Call, key: KeyInfo): void {
  if (key.origin === 'EXTERNAL' && key.state !== 'Enabled' && key.state !== 'PendingImport') {
    throw fault(call.action, ['ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', `The CMK ${key.id} is ${KEY_STATE[key.state]}.`);
  }
}

export const getParametersForImport: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  if (!(WRAPPING_ALGORITHMS as readonly string[]).includes(input.WrappingAlgorithm)) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `WrappingAlgorithm ${input.WrappingAlgorithm} is invalid.`);
  }
  if (input.WrappingKeySpec !== 'RSA_2048') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `WrappingKeySpec ${input.WrappingKeySpec} is invalid.`);
  const key = existing(call, ref);
  touch(call, key);
  requireImportState(call, key);
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
  requireImportState(call, key);
  await engine.importKeyMaterial(ctx, ref, { importToken: token, encryptedKeyMaterial: material, ...(validTo !== 0 ? { validTo: validTo * 1000 } : {}) });
  return {};
};

export const deleteImportedKeyMaterial: Handler = (call) => {
  touch(call, call.engine.deleteImportedKeyMaterial(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};
