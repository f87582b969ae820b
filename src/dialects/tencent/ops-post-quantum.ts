/**
 * Tencent post-quantum actions: PostQuantumCryptoEncrypt / Decrypt (Kyber_AES keys) and
 * PostQuantumCryptoSign / Verify (Dilithium keys), on the engine's ML-KEM-768 and ML-DSA-65.
 *
 * Tencent documents its encryption as a KEM-DEM ("Kyber-KEM with AES-256") without a wire format,
 * so the CiphertextBlob is the emulator's own, in Tencent's outward `-k-` form:
 *
 *   base64(header) -k- base64(ML-KEM-768 ciphertext, 1088 bytes) -k- base64(AES-256-GCM ciphertext ‖ tag)
 *
 * header = "TKMSPQ" ‖ 0x01 ‖ KeyId (36 ASCII bytes). The AES-256-GCM key is the 32-byte ML-KEM shared
 * secret, the nonce 12 zero bytes (each shared secret is fresh and seals one message) and the
 * additional data the header. Anyone holding the key's public key (GetPublicKey) can write a blob
 * that PostQuantumCryptoDecrypt opens.
 */
import { aesGcmOpen, aesGcmSeal } from '../../crypto/aes-gcm.js';
import { concatBytes, equalBytes, fromBase64, fromUtf8, toBase64, utf8 } from '../../crypto/bytes.js';
import { createCryptoCaches } from '../../crypto/caches.js';
import { isKmsError } from '../../engine/errors.js';
import type { KeyRef } from '../../engine/types.js';
import { SEPARATOR } from './ciphertext.js';
import { fault } from './errors.js';
import { tencentKeyUsage } from './metadata.js';
import { deliver, recipientOf } from './recipient.js';
import { base64Bytes, type Call, existing, type Handler, KEY_ID, keyRef, LIMITS, touch } from './call.js';

export const KYBER_USAGE = 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES';
export const DILITHIUM_USAGE = 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM';

const MAGIC = utf8('TKMSPQ');
const VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 36;
const NONCE = new Uint8Array(12);
/** Longest signature accepted for checking (an ML-DSA-65 signature is 3309 bytes). */
const MAX_SIGNATURE_BYTES = 8192;

/**
 * Caches for one AES-256-GCM operation under a one-time key: the engine's caches keep expanded keys
 * that are used again, and a shared secret used once would only evict them (and linger in them).
 */
const oneTime = () => createCryptoCaches({ cipherStates: 1 });

function header(keyId: string): Uint8Array {
  return concatBytes(MAGIC, Uint8Array.of(VERSION), utf8(keyId));
}

function invalidCiphertext(call: Call) {
  return fault(call.action, ['InvalidParameterValue.InvalidCiphertext'], 'InvalidParameterValue', 'The ciphertext is invalid.');
}

/** The three parts of a post-quantum blob and the key its header names; InvalidCiphertext otherwise. */
function parseBlob(call: Call, blob: string): { header: Uint8Array; ref: KeyRef; keyId: string; encapsulation: Uint8Array; sealed: Uint8Array } {
  const segments = blob.split(SEPARATOR);
  if (segments.length !== 3) throw invalidCiphertext(call);
  const [head, encapsulation, sealed] = segments.map((s) => (s.length > 0 ? fromBase64(s) : undefined));
  if (!head || !encapsulation || !sealed || head.length !== HEADER_BYTES || !equalBytes(head.subarray(0, MAGIC.length), MAGIC) || head[MAGIC.length] !== VERSION) {
    throw invalidCiphertext(call);
  }
  const keyId = fromUtf8(head.subarray(MAGIC.length + 1));
  if (!KEY_ID.test(keyId) || keyId !== keyId.toLowerCase()) throw invalidCiphertext(call);
  return { header: head, ref: { keyId }, keyId, encapsulation, sealed };
}

/** The key must have `usage`; another key is refused with `codes` (the first the action documents). */
function requireUsage(call: Call, ref: KeyRef, usage: string, codes: string[]): void {
  const key = existing(call, ref);
  touch(call, key);
  if (tencentKeyUsage(key) !== usage) throw fault(call.action, codes, 'InvalidParameterValue', `The KeyUsage of CMK ${key.id} is not ${usage}.`);
}

export const postQuantumEncrypt: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const plaintext = base64Bytes(call, input.PlainText, 'PlainText', ['InvalidParameterValue.InvalidPlaintext', 'InvalidParameter'], [0, LIMITS.plaintextBytes]);
  requireUsage(call, ref, KYBER_USAGE, ['InvalidParameterValue.InvalidKeyUsage', 'InvalidParameter']);
  const { key, ciphertext, sharedSecret } = await engine.encapsulate(ctx, ref, 'ML_KEM');
  const aad = header(key.id);
  const sealed = aesGcmSeal(sharedSecret, NONCE, plaintext, aad, oneTime());
  sharedSecret.fill(0);
  return { CiphertextBlob: [aad, ciphertext, sealed].map(toBase64).join(SEPARATOR), KeyId: key.id };
};

export const postQuantumDecrypt: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const recipient = await recipientOf(call, input.EncryptionPublicKey, input.EncryptionAlgorithm);
  const blob = parseBlob(call, input.CiphertextBlob);
  // A blob naming a key of another usage is not a post-quantum ciphertext of that key.
  requireUsage(call, blob.ref, KYBER_USAGE, ['InvalidParameterValue.InvalidCiphertext']);
  const { key, sharedSecret } = await engine.decapsulate(ctx, blob.ref, 'ML_KEM', blob.encapsulation);
  const plaintext = aesGcmOpen(sharedSecret, NONCE, blob.sealed, blob.header, oneTime());
  sharedSecret.fill(0);
  if (!plaintext) throw invalidCiphertext(call);
  const text = await deliver(recipient, plaintext);
  plaintext.fill(0);
  return { KeyId: key.id, PlainText: text };
};

function message(call: Call): Uint8Array {
  return base64Bytes(call, call.input.Message, 'Message', ['InvalidParameter'], [0, LIMITS.signRawBytes]);
}

export const postQuantumSign: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const msg = message(call);
  requireUsage(call, ref, DILITHIUM_USAGE, ['InvalidParameterValue.InvalidKeyUsage', 'InvalidParameter']);
  const { signature } = await engine.sign(ctx, ref, { algorithm: 'ML_DSA_SHAKE_256', input: 'RAW', message: msg });
  return { Signature: toBase64(signature) };
};

export const postQuantumVerify: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const msg = message(call);
  const signature = base64Bytes(call, input.SignatureValue, 'SignatureValue', ['InvalidParameter'], [0, MAX_SIGNATURE_BYTES]);
  requireUsage(call, ref, DILITHIUM_USAGE, ['InvalidParameterValue.InvalidKeyUsage', 'InvalidParameter']);
  try {
    await engine.verify(ctx, ref, { algorithm: 'ML_DSA_SHAKE_256', input: 'RAW', message: msg, signature });
    return { SignatureValid: true };
  } catch (e) {
    // A signature that does not verify is an answer, not an error.
    if (isKmsError(e) && e.code === 'InvalidSignature') return { SignatureValid: false };
    throw e;
  }
};
