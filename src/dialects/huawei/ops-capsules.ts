/**
 * Huawei data-key capsules: datakey-capsule/create and datakey-capsule/decrypt. Huawei documents the
 * members, not the capsule's format nor how the attestation document is checked; the emulator's
 * capsule is its own (docs/huawei.md, "Data-key capsules"): the base64 of a data-key ciphertext
 * whose authenticated data marks it as a capsule, so neither a capsule nor a plain data-key
 * ciphertext passes for the other.
 */
import { fromBase64, toBase64 } from '../../crypto/bytes.js';
import type { EncryptionContext } from '../../engine/types.js';
import { frameCiphertext, openFrame } from './ciphertext.js';
import { kmsError } from './errors.js';
import { numberOf } from './validate.js';
import { aliasOf, type Handler, HEX, keyRef, lookup, requireSymmetric } from './call.js';

const CAPSULE_BYTES: Readonly<Record<string, number>> = { AES_256: 32, SM4: 16 };

/** The authenticated data every capsule is sealed with (the capsule's marker). */
const CAPSULE_CONTEXT: EncryptionContext = Object.freeze({ datakey_capsule: 'v1' }) as EncryptionContext;

export const createDatakeyCapsule: Handler = (call) => {
  const { engine, ctx, body } = call;
  const bytes = CAPSULE_BYTES[body.datakey_length as string];
  if (bytes === undefined) throw kmsError('KMS.0308');
  // How a data key would be wrapped for `public_key` is not documented: refused rather than guessed.
  if (body.public_key !== undefined) throw kmsError('KMS.0308');
  const key = lookup(call);
  requireSymmetric(key);
  const result = engine.generateDataKey(ctx, keyRef(body), bytes, undefined);
  const capsule = engine.encrypt(ctx, keyRef(body), result.plaintext, { ...CAPSULE_CONTEXT });
  call.trail.resourceName = aliasOf(engine, key);
  const out = {
    key_id: result.key.id,
    datakey: HEX(result.plaintext),
    datakey_cipher: HEX(frameCiphertext(result.ciphertext, result.key.id)),
    datakey_capsule: toBase64(frameCiphertext(capsule.ciphertext, result.key.id)),
  };
  result.plaintext.fill(0);
  return out;
};

export const decryptDatakeyCapsule: Handler = (call) => {
  const { engine, ctx, body } = call;
  const text = body.datakey_capsule as string;
  const bytes = /^[0-9a-zA-Z+/]*={0,2}$/.test(text) ? fromBase64(text) : undefined;
  const frame = bytes ? openFrame(bytes) : undefined;
  if (!frame || frame.keyId !== body.key_id) throw kmsError('KMS.2201');
  if (body.public_key !== undefined) throw kmsError('KMS.0308');
  // The attestation's signatures cannot be verified here; an expire_time (epoch milliseconds) must lie ahead.
  const attestation = body.attestation_document as Record<string, unknown>;
  if (attestation.expire_time !== undefined) {
    const expires = numberOf(attestation.expire_time, -1);
    if (!(expires > engine.now())) throw kmsError('KMS.3804');
  }
  const key = lookup(call);
  requireSymmetric(key);
  const opened = engine.decrypt(ctx, frame.envelope, { ...CAPSULE_CONTEXT }, keyRef(body));
  const sealed = engine.encrypt(ctx, keyRef(body), opened.plaintext, undefined);
  call.trail.resourceName = aliasOf(engine, key);
  const out = { key_id: opened.key.id, instance_id: '', datakey: HEX(opened.plaintext), datakey_cipher: HEX(frameCiphertext(sealed.ciphertext, opened.key.id)) };
  opened.plaintext.fill(0);
  return out;
};
