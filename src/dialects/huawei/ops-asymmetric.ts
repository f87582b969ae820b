/** Huawei signatures, MACs and public keys: sign, verify, get-publickey, generate-mac, verify-mac, create-*-datakey-pair. */
import { toBase64 } from '../../crypto/bytes.js';
import { toPem } from '../../crypto/keys.js';
import { SPEC_PROFILES } from '../../engine/specs.js';
import type { KeyInfo } from '../../engine/types.js';
import { frameCiphertext } from './ciphertext.js';
import { kmsError } from './errors.js';
import { familyOf, MAC_ALGORITHM_FROM_HUAWEI, PAIR_SPEC_FROM_HUAWEI, SIGNING_ALGORITHM_FROM_HUAWEI } from './metadata.js';
import { aliasOf, base64Field, type Call, contextOf, type Handler, keyRef, lookup, requireSymmetric } from './call.js';

function signingRequest(call: Call): { key: KeyInfo; algorithm: NonNullable<(typeof SIGNING_ALGORITHM_FROM_HUAWEI)[string]>; input: 'RAW' | 'DIGEST'; message: Uint8Array } {
  const { body } = call;
  const message = base64Field(body, 'message', 'KMS.0308', 4095);
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'symmetric') throw kmsError('KMS.1115');
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (key.usage !== 'SIGN_VERIFY') throw kmsError('KMS.0334');
  const algorithm = SIGNING_ALGORITHM_FROM_HUAWEI[body.signing_algorithm as string];
  if (!algorithm || !SPEC_PROFILES[key.spec].signing.includes(algorithm)) throw kmsError('KMS.0332');
  return { key, algorithm, input: body.message_type === 'RAW' ? 'RAW' : 'DIGEST', message };
}

export const sign: Handler = async (call) => {
  const request = signingRequest(call);
  const { signature } = await call.engine.sign(call.ctx, keyRef(call.body), request);
  return { key_id: request.key.id, signature: toBase64(signature) };
};

export const verify: Handler = async (call) => {
  const request = signingRequest(call);
  const signature = base64Field(call.body, 'signature', 'KMS.0308', 8192);
  try {
    await call.engine.verify(call.ctx, keyRef(call.body), { ...request, signature });
    return { key_id: request.key.id, signature_valid: 'true' };
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'InvalidSignature') return { key_id: request.key.id, signature_valid: 'false' };
    throw e;
  }
};

export const getPublickey: Handler = async (call) => {
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'symmetric') throw kmsError('KMS.0331');
  if (family === 'hmac') throw kmsError('KMS.0341');
  const { publicKey } = await call.engine.getPublicKey(call.ctx, keyRef(call.body));
  return { key_id: key.id, public_key: toPem(publicKey, 'PUBLIC KEY').replace(/\n/g, '\r\n') };
};

function macRequest(call: Call): { key: KeyInfo; algorithm: NonNullable<(typeof MAC_ALGORITHM_FROM_HUAWEI)[string]>; message: Uint8Array } {
  const message = base64Field(call.body, 'message', 'KMS.0308', 4096);
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'symmetric') throw kmsError('KMS.0331');
  if (family !== 'hmac') throw kmsError('KMS.0325');
  const algorithm = MAC_ALGORITHM_FROM_HUAWEI[call.body.mac_algorithm as string];
  if (!algorithm || !SPEC_PROFILES[key.spec].mac.includes(algorithm)) throw kmsError('KMS.0308');
  return { key, algorithm, message };
}

export const generateMac: Handler = (call) => {
  const { key, algorithm, message } = macRequest(call);
  const { mac } = call.engine.generateMac(call.ctx, keyRef(call.body), algorithm, message);
  return { key_id: key.id, mac_algorithm: call.body.mac_algorithm, mac: toBase64(mac) };
};

export const verifyMac: Handler = (call) => {
  const { key, algorithm, message } = macRequest(call);
  const mac = base64Field(call.body, 'mac', 'KMS.0308', 1024);
  try {
    call.engine.verifyMac(call.ctx, keyRef(call.body), algorithm, message, mac);
    return { key_id: key.id, mac_algorithm: call.body.mac_algorithm, mac_valid: true };
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'InvalidMac') return { key_id: key.id, mac_algorithm: call.body.mac_algorithm, mac_valid: false };
    throw e;
  }
}

export const createDatakeyPair: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const pairSpec = PAIR_SPEC_FROM_HUAWEI[body.key_spec as string];
  if (!pairSpec) throw kmsError('KMS.0308');
  const key = lookup(call);
  requireSymmetric(key);
  const result = await engine.generateDataKeyPair(ctx, keyRef(body), pairSpec, contextOf(body), call.verb);
  call.trail.resourceName = aliasOf(engine, key);
  const out: Record<string, unknown> = {
    key_id: result.key.id,
    key_spec: body.key_spec,
    public_key: toBase64(result.publicKey),
    private_key_cipher_text: toBase64(frameCiphertext(result.ciphertext, result.key.id)),
  };
  if (body.with_plain_text !== false) out.private_key_plain_text = toBase64(result.privateKey);
  // For a confidential-computing recipient, which the request model cannot name: always empty.
  out.wrapped_private_key = '';
  out.ciphertext_recipient = '';
  return out;
};
