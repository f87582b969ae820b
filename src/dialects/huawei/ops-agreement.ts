/** Huawei key agreement: derive-shared-secret (ECDH with a KEY_AGREEMENT key pair and the peer's public key). */
import { toBase64 } from '../../crypto/bytes.js';
import { kmsError } from './errors.js';
import { familyOf } from './metadata.js';
import { base64Field, type Handler, keyRef, lookup } from './call.js';

export const deriveSharedSecret: Handler = async (call) => {
  const { engine, ctx, body } = call;
  // The peer's public key: base64 of its DER SubjectPublicKeyInfo, as get-publickey's PEM body carries it.
  const peer = base64Field(body, 'public_key', 'KMS.0308', 8192);
  const key = lookup(call);
  const family = familyOf(key.spec);
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (key.usage === 'ENCRYPT_DECRYPT') throw kmsError('KMS.0334');
  if (key.usage === 'SIGN_VERIFY') throw kmsError('KMS.0335');
  if (key.usage !== 'KEY_AGREEMENT' || body.key_agreement_algorithm !== 'ECDH') throw kmsError('KMS.0308');
  // A QingTian enclave's attestation document cannot be verified here: any recipient is refused as unparsable.
  if (body.recipient !== undefined && body.recipient !== null) throw kmsError('KMS.3804');
  const { sharedSecret } = await engine.deriveSharedSecret(ctx, keyRef(body), 'ECDH', peer);
  return { key_id: key.id, key_agreement_algorithm: 'ECDH', shared_secret: toBase64(sharedSecret), ciphertext_recipient: '' };
};
