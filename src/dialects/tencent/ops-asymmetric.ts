/** Tencent asymmetric keys: GetPublicKey, AsymmetricRsaDecrypt, AsymmetricSm2Decrypt, Sign/VerifyByAsymmetricKey. */
import { toBase64 } from '../../crypto/bytes.js';
import { toPem } from '../../crypto/keys.js';
import { isKmsError } from '../../engine/errors.js';
import { fault } from './errors.js';
import { ENCRYPTION_ALGORITHMS, SIGNING_ALGORITHMS, tencentKeyUsage } from './metadata.js';
import { base64Bytes, type Call, existing, type Handler, keyRef, LIMITS, touch } from './call.js';

export const getPublicKey: Handler = async (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  if (key.spec === 'AES_256' || key.spec === 'SM4') {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage', 'UnsupportedOperation'], 'UnsupportedOperation', `The CMK ${key.id} is not an asymmetric key.`);
  }
  const { publicKey } = await call.engine.getPublicKey(call.ctx, ref);
  return { KeyId: key.id, PublicKey: toBase64(publicKey), PublicKeyPem: toPem(publicKey, 'PUBLIC KEY') };
};

/** The asymmetric decryption actions: the key must have exactly this usage. */
export function asymmetricDecrypt(usage: 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'): Handler {
  return async (call) => {
    const { engine, ctx, input } = call;
    const ref = keyRef(call, input.KeyId);
    let algorithm: string;
    if (usage === 'ASYMMETRIC_DECRYPT_RSA_2048') {
      algorithm = input.Algorithm;
      if (!algorithm.startsWith('RSAES_') || !ENCRYPTION_ALGORITHMS[algorithm]) {
        throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Algorithm ${algorithm} is invalid.`);
      }
    } else {
      algorithm = 'SM2_C1C3C2_ASN1';
    }
    const range = usage === 'ASYMMETRIC_DECRYPT_SM2' ? ([1, LIMITS.sm2CiphertextBytes] as const) : ([1, 4096] as const);
    const ciphertext = base64Bytes(call, input.Ciphertext, 'Ciphertext', ['InvalidParameter'], range);
    const key = existing(call, ref);
    touch(call, key);
    if (tencentKeyUsage(key) !== usage) {
      throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', `The KeyUsage of CMK ${key.id} is not ${usage}.`);
    }
    const result = await engine.decryptAsymmetric(ctx, ref, ciphertext, ENCRYPTION_ALGORITHMS[algorithm]);
    return { KeyId: result.key.id, Plaintext: toBase64(result.plaintext) };
  };
}

/** Algorithm and message of SignByAsymmetricKey / VerifyByAsymmetricKey. */
function signatureRequest(call: Call) {
  const { input } = call;
  const algorithm = SIGNING_ALGORITHMS[input.Algorithm];
  if (!algorithm) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Algorithm ${input.Algorithm} is invalid.`);
  const type: string = input.MessageType ?? 'RAW';
  if (type !== 'RAW' && type !== 'DIGEST') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `MessageType ${type} is invalid.`);
  const message = base64Bytes(call, input.Message, 'Message', ['InvalidParameter'], type === 'RAW' ? [0, LIMITS.signRawBytes] : [1, 64]);
  return { algorithm: algorithm.algorithm, input: type as 'RAW' | 'DIGEST', message };
}

export const signByAsymmetricKey: Handler = async (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const request = signatureRequest(call);
  const key = existing(call, ref);
  touch(call, key);
  const { signature } = await call.engine.sign(call.ctx, ref, request);
  return { Signature: toBase64(signature) };
};

export const verifyByAsymmetricKey: Handler = async (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const request = signatureRequest(call);
  const signature = base64Bytes(call, call.input.SignatureValue, 'SignatureValue', ['InvalidParameter'], [0, 1024]);
  const key = existing(call, ref);
  touch(call, key);
  try {
    await call.engine.verify(call.ctx, ref, { ...request, signature });
    return { SignatureValid: true };
  } catch (e) {
    // A signature that does not verify is an answer, not an error.
    if (isKmsError(e) && e.code === 'InvalidSignature') return { SignatureValid: false };
    throw e;
  }
};
