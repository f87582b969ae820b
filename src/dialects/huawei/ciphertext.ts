/**
 * Huawei KMS's outward ciphertext framing (docs/ciphertext-format.md), around the engine's envelope:
 *
 *   02 00 | u16 LE offset (= 4 + body + 36) | body = engine envelope | key id (36 ASCII) | 00 00 00 00 | SHA-256 (32)
 *
 * Every published Huawei sample has this layout (version 2, the offset of the byte after the
 * 36-character key id, four zero bytes, 32 trailing bytes). Here the body is the engine's
 * authenticated envelope and the trailer a SHA-256 checksum of everything before it, so a
 * corrupted frame is told apart before any key is looked up. Every byte is checked or bound: the
 * version, the zero byte after it, the offset and the four reserved bytes must be as written (the
 * reserved bytes zero, as in every sample); the checksum must match; the key id must be the key the
 * envelope names (`openFrame`), and the envelope itself is authenticated. Data-key ciphertexts travel as hex
 * (create-datakey, encrypt-datakey, decrypt-datakey), encrypt-data ciphertexts as base64.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, fromUtf8, utf8 } from '../../crypto/bytes.js';
import { parseEnvelope } from '../../crypto/envelope.js';

const VERSION = 2;
const KEY_ID_BYTES = 36;
const RESERVED_BYTES = 4;
const CHECKSUM_BYTES = 32;
const OVERHEAD = 4 + KEY_ID_BYTES + RESERVED_BYTES + CHECKSUM_BYTES;
const KEY_ID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;

/** Frames an engine envelope of key `keyId` (a 36-character UUID). */
export function frameCiphertext(envelope: Uint8Array, keyId: string): Uint8Array {
  const id = utf8(keyId);
  if (id.length !== KEY_ID_BYTES) throw new RangeError('a Huawei key id has 36 characters');
  const offset = 4 + envelope.length + KEY_ID_BYTES;
  if (offset > 0xffff) throw new RangeError('envelope too large for the Huawei frame');
  const out = new Uint8Array(envelope.length + OVERHEAD);
  out[0] = VERSION;
  out[1] = 0;
  out[2] = offset & 0xff;
  out[3] = offset >> 8;
  out.set(envelope, 4);
  out.set(id, 4 + envelope.length);
  // Bytes offset..offset+3 stay zero, as in every published sample.
  out.set(sha256(out.subarray(0, offset + RESERVED_BYTES)), offset + RESERVED_BYTES);
  return out;
}

/** The envelope and key id inside a frame; undefined when `bytes` is not a well-formed, intact frame. */
export function unframeCiphertext(bytes: Uint8Array): { envelope: Uint8Array; keyId: string } | undefined {
  if (bytes.length <= OVERHEAD || bytes[0] !== VERSION || bytes[1] !== 0) return undefined;
  const offset = bytes[2]! | (bytes[3]! << 8);
  if (offset !== bytes.length - RESERVED_BYTES - CHECKSUM_BYTES) return undefined;
  for (let i = offset; i < offset + RESERVED_BYTES; i++) if (bytes[i] !== 0) return undefined;
  const checksum = bytes.subarray(offset + RESERVED_BYTES);
  if (!equalBytes(checksum, sha256(bytes.subarray(0, offset + RESERVED_BYTES)))) return undefined;
  let keyId: string;
  try {
    keyId = fromUtf8(bytes.subarray(offset - KEY_ID_BYTES, offset));
  } catch {
    return undefined;
  }
  if (!KEY_ID.test(keyId)) return undefined;
  return { envelope: bytes.subarray(4, offset - KEY_ID_BYTES), keyId };
}

/**
 * The envelope and key id of a ciphertext the emulator framed: an intact frame (`unframeCiphertext`)
 * whose key id is the key its engine envelope names. Undefined otherwise (Huawei's KMS.2201).
 */
export function openFrame(bytes: Uint8Array): { envelope: Uint8Array; keyId: string } | undefined {
  const frame = unframeCiphertext(bytes);
  if (!frame || parseEnvelope(frame.envelope)?.keyId !== frame.keyId) return undefined;
  return frame;
}

/** The key id a frame names, read without checking anything else (for parsing published samples). */
export function frameKeyId(bytes: Uint8Array): string | undefined {
  if (bytes.length <= OVERHEAD || bytes[0] !== VERSION || bytes[1] !== 0) return undefined;
  const offset = bytes[2]! | (bytes[3]! << 8);
  if (offset < 4 + KEY_ID_BYTES || offset > bytes.length) return undefined;
  try {
    const keyId = fromUtf8(bytes.subarray(offset - KEY_ID_BYTES, offset));
    return KEY_ID.test(keyId) ? keyId : undefined;
  } catch {
    return undefined;
  }
}
