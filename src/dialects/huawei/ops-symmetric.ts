/** Huawei data keys and data: create-datakey(-without-plaintext), encrypt/decrypt-datakey, encrypt/decrypt-data, re-encrypt, gen-random. */
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toBase64, toHex, utf8 } from '../../crypto/bytes.js';
import type { KeyInfo } from '../../engine/types.js';
import { frameCiphertext, openFrame } from './ciphertext.js';
import { kmsError } from './errors.js';
import { ENCRYPTION_ALGORITHM_FROM_HUAWEI, familyOf } from './metadata.js';
import { numberOf } from './validate.js';
import { aliasOf, base64Field, contextOf, dekDigest, type Handler, HEX, keyRef, lenient, lookup, requireSymmetric } from './call.js';

const DATAKEY_SPEC_BITS: Readonly<Record<string, number>> = {
  AES_256: 256,
  AES_128: 128,
  SM4: 128,
  HMAC_256: 256,
  HMAC_384: 384,
  HMAC_512: 512,
  HMAC_SM3: 256,
};

export function createDatakeyWith(withPlaintext: boolean): Handler {
  return (call) => {
    const { engine, ctx, body } = call;
    // datakey_length wins over key_spec; neither means 256 bits.
    let bits = 256;
    if (body.datakey_length !== undefined) {
      bits = numberOf(body.datakey_length, 256);
      if (bits % 8 !== 0) throw kmsError('KMS.1903');
    } else if (body.key_spec !== undefined) {
      bits = DATAKEY_SPEC_BITS[body.key_spec as string] ?? 256;
    }
    const key = lookup(call);
    requireSymmetric(key);
    const context = contextOf(body);
    const result = engine.generateDataKey(ctx, keyRef(body), bits / 8, context);
    call.trail.resourceName = aliasOf(engine, key);
    const cipherText = HEX(frameCiphertext(result.ciphertext, result.key.id));
    const out = withPlaintext ? { key_id: result.key.id, plain_text: HEX(result.plaintext), cipher_text: cipherText } : { key_id: result.key.id, cipher_text: cipherText };
    result.plaintext.fill(0);
    return out;
  };
}

export const encryptDatakey: Handler = (call) => {
  const { engine, ctx, body } = call;
  const length = numberOf(body.datakey_plain_length, 0);
  const bytes = fromHex(body.plain_text as string);
  if (!bytes) throw kmsError('KMS.2101');
  if (bytes.length !== length + 32) throw kmsError('KMS.2104');
  const key = lookup(call);
  requireSymmetric(key);
  const dek = bytes.subarray(0, length);
  // The DEK is followed by its digest: SHA-256 for AES keys, SM3 for SM4 keys.
  const digest = dekDigest(key, dek);
  if (toHex(digest) !== toHex(bytes.subarray(length))) throw kmsError('KMS.2103');
  const result = engine.encrypt(ctx, keyRef(body), dek, contextOf(body));
  bytes.fill(0);
  call.trail.resourceName = aliasOf(engine, key);
  return { key_id: result.key.id, cipher_text: HEX(frameCiphertext(result.ciphertext, result.key.id)), datakey_length: String(length) };
};

/** The engine envelope in a data-key ciphertext (hex) that names key `keyId`. */
function datakeyEnvelope(text: string, keyId: string | undefined): { envelope: Uint8Array; keyId: string } {
  const bytes = fromHex(text);
  const frame = bytes ? openFrame(bytes) : undefined;
  if (!frame || (keyId !== undefined && frame.keyId !== keyId)) throw kmsError('KMS.2201');
  return frame;
}

export const decryptDatakey: Handler = (call) => {
  const { engine, ctx, body } = call;
  const frame = datakeyEnvelope(body.cipher_text as string, body.key_id as string);
  const key = lookup(call);
  requireSymmetric(key);
  const result = engine.decrypt(ctx, frame.envelope, contextOf(body), keyRef(body));
  call.trail.resourceName = aliasOf(engine, key);
  if (result.plaintext.length !== numberOf(body.datakey_cipher_length, 0)) {
    result.plaintext.fill(0);
    throw kmsError('KMS.2204');
  }
  const out = { data_key: HEX(result.plaintext), datakey_length: String(result.plaintext.length), datakey_dgst: HEX(sha256(result.plaintext)) };
  result.plaintext.fill(0);
  return out;
};

/** The encryption_algorithm a key family takes: symmetric keys SYMMETRIC_DEFAULT only. */
function checkEncryptionKey(key: KeyInfo, algorithm: string): void {
  const family = familyOf(key.spec);
  if (family === 'hmac') throw kmsError('KMS.0341');
  if (family === 'ec') throw kmsError('KMS.1114');
  if (family === 'symmetric') {
    if (algorithm !== 'SYMMETRIC_DEFAULT') throw kmsError('KMS.2105');
    return;
  }
  if (key.usage !== 'ENCRYPT_DECRYPT') throw kmsError('KMS.0335');
  if (family === 'rsa' && !algorithm.startsWith('RSAES_')) throw kmsError('KMS.2106');
  if (family === 'sm2' && algorithm !== 'SM2_ENCRYPT') throw kmsError('KMS.0308');
}

export const encryptData: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const plaintext = utf8(body.plain_text as string);
  if (plaintext.length < 1 || plaintext.length > 4096) throw kmsError('KMS.2101');
  const algorithm = (body.encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  const key = lookup(call);
  checkEncryptionKey(key, algorithm);
  call.trail.resourceName = aliasOf(engine, key);
  const context = contextOf(body);
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const result = engine.encrypt(ctx, keyRef(body), plaintext, context);
    return { key_id: result.key.id, cipher_text: toBase64(frameCiphertext(result.ciphertext, result.key.id)) };
  }
  const result = await engine.encryptAsymmetric(ctx, keyRef(body), ENCRYPTION_ALGORITHM_FROM_HUAWEI[algorithm]!, plaintext, context);
  return { key_id: result.key.id, cipher_text: toBase64(result.ciphertext) };
};

export const decryptData: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const bytes = base64Field(body, 'cipher_text', 'KMS.2201', 8192);
  const algorithm = (body.encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  const context = contextOf(body);
  let keyId: string;
  let plaintext: Uint8Array;
  if (algorithm === 'SYMMETRIC_DEFAULT') {
    const frame = openFrame(bytes);
    if (!frame || (body.key_id !== undefined && body.key_id !== frame.keyId)) throw kmsError('KMS.2201');
    const result = engine.decrypt(ctx, frame.envelope, context, { keyId: frame.keyId });
    call.trail.key = result.key;
    keyId = result.key.id;
    plaintext = result.plaintext;
  } else {
    if (body.key_id === undefined) throw kmsError('KMS.0204');
    const key = lookup(call);
    checkEncryptionKey(key, algorithm);
    const result = await engine.decryptAsymmetric(ctx, keyRef(body), bytes, ENCRYPTION_ALGORITHM_FROM_HUAWEI[algorithm]!, context);
    keyId = result.key.id;
    plaintext = result.plaintext;
  }
  call.trail.resourceName = call.trail.key ? aliasOf(engine, call.trail.key) : '';
  const out = { key_id: keyId, plain_text: lenient.decode(plaintext), plain_text_base64: toBase64(plaintext) };
  plaintext.fill(0);
  return out;
};

export const reEncrypt: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const text = body.cipher_text as string;
  const sourceAlgorithm = (body.source_encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  const destinationAlgorithm = (body.destination_encryption_algorithm as string | undefined) ?? 'SYMMETRIC_DEFAULT';
  for (const a of [sourceAlgorithm, destinationAlgorithm]) if (a !== 'SYMMETRIC_DEFAULT' && !ENCRYPTION_ALGORITHM_FROM_HUAWEI[a]) throw kmsError('KMS.0308');
  // A data-key ciphertext (hex) comes back as hex; encrypt-data's (base64) as base64.
  const hex = /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 && fromHex(text) !== undefined && openFrame(fromHex(text)!) !== undefined;
  const bytes = hex ? fromHex(text)! : base64Field(body, 'cipher_text', 'KMS.2201', 8192);
  let ciphertext = bytes;
  if (sourceAlgorithm === 'SYMMETRIC_DEFAULT') {
    const frame = openFrame(bytes);
    if (!frame || (body.source_key_id !== undefined && body.source_key_id !== frame.keyId)) throw kmsError('KMS.2201');
    ciphertext = frame.envelope;
  } else if (body.source_key_id === undefined) {
    throw kmsError('KMS.0204');
  }
  const destination = lookup(call, 'destination_key_id');
  checkEncryptionKey(destination, destinationAlgorithm);
  const result = await engine.reEncryptAny(ctx, {
    ciphertext,
    ...(body.source_key_id !== undefined ? { sourceKey: keyRef(body, 'source_key_id') } : {}),
    ...(sourceAlgorithm !== 'SYMMETRIC_DEFAULT' ? { sourceAlgorithm: ENCRYPTION_ALGORITHM_FROM_HUAWEI[sourceAlgorithm]! } : {}),
    ...(contextOf(body, 'source_') ? { sourceContext: contextOf(body, 'source_')! } : {}),
    destinationKey: keyRef(body, 'destination_key_id'),
    ...(destinationAlgorithm !== 'SYMMETRIC_DEFAULT' ? { destinationAlgorithm: ENCRYPTION_ALGORITHM_FROM_HUAWEI[destinationAlgorithm]! } : {}),
    ...(contextOf(body, 'destination_') ? { destinationContext: contextOf(body, 'destination_')! } : {}),
  });
  let out: string;
  if (destinationAlgorithm === 'SYMMETRIC_DEFAULT') {
    const framed = frameCiphertext(result.ciphertext, result.destination.id);
    out = hex ? HEX(framed) : toBase64(framed);
  } else {
    out = toBase64(result.ciphertext);
  }
  return {
    key_id: result.destination.id,
    source_key_id: result.source.id,
    source_encryption_algorithm: sourceAlgorithm,
    destination_encryption_algorithm: destinationAlgorithm,
    cipher_text: out,
  };
};

export const genRandom: Handler = (call) => {
  const bits = numberOf(call.body.random_data_length, 0);
  if (bits % 8 !== 0) throw kmsError('KMS.1802');
  return { random_data: HEX(call.engine.generateRandom(bits / 8)) };
};
