/**
 * White-box key containers. Tencent's real EncryptKey and DecryptKey are obfuscated lookup tables
 * for a native library; the emulator's are a small documented container holding the raw key:
 *
 *   magic "TKMSEMU-WB" (10) ‖ version 1 (1) ‖ algorithm (1: 0 AES_256, 1 SM4, Tencent's SDK numbering)
 *   ‖ direction (1: 1 encrypt, 2 decrypt) ‖ key length (1) ‖ key ‖ check (8: SHA-256 of all before)
 *
 * THIS IS NOT WHITE-BOX CRYPTOGRAPHY: anyone holding a container holds the key. It exists so that
 * application code can round-trip EncryptByWhiteBox output with `whiteBoxDecrypt`, as Tencent's client
 * library does with the real tables.
 */
import { cbc } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, fromBase64, toBase64, utf8 } from '../../crypto/bytes.js';
import { sm4CbcDecrypt } from '../../crypto/sm4.js';

export type WhiteBoxAlgorithmName = 'AES_256' | 'SM4';

const MAGIC = utf8('TKMSEMU-WB');
const VERSION = 1;
const CHECK_BYTES = 8;
const ALGORITHM_BYTE: Record<WhiteBoxAlgorithmName, number> = { AES_256: 0, SM4: 1 };
const KEY_BYTES: Record<WhiteBoxAlgorithmName, number> = { AES_256: 32, SM4: 16 };

export type ContainerDirection = 'encrypt' | 'decrypt';

/** The base64 container for one direction of a white-box key. */
export function whiteBoxContainer(algorithm: WhiteBoxAlgorithmName, direction: ContainerDirection, secret: Uint8Array): string {
  const body = concatBytes(MAGIC, Uint8Array.of(VERSION, ALGORITHM_BYTE[algorithm], direction === 'encrypt' ? 1 : 2, secret.length), secret);
  return toBase64(concatBytes(body, sha256(body).subarray(0, CHECK_BYTES)));
}

/** Opens a container; undefined when the bytes are not one. */
export function openWhiteBoxContainer(container: Uint8Array): { algorithm: WhiteBoxAlgorithmName; direction: ContainerDirection; key: Uint8Array } | undefined {
  const head = MAGIC.length + 4;
  if (container.length < head + CHECK_BYTES || !equalBytes(container.subarray(0, MAGIC.length), MAGIC) || container[MAGIC.length] !== VERSION) return undefined;
  const algorithm = container[MAGIC.length + 1] === 0 ? 'AES_256' : container[MAGIC.length + 1] === 1 ? 'SM4' : undefined;
  const direction = container[MAGIC.length + 2] === 1 ? 'encrypt' : container[MAGIC.length + 2] === 2 ? 'decrypt' : undefined;
  const length = container[MAGIC.length + 3]!;
  if (!algorithm || !direction || length !== KEY_BYTES[algorithm] || container.length !== head + length + CHECK_BYTES) return undefined;
  const body = container.subarray(0, head + length);
  if (!equalBytes(container.subarray(head + length), sha256(body).subarray(0, CHECK_BYTES))) return undefined;
  return { algorithm, direction, key: container.slice(head, head + length) };
}

function bytesOf(value: string | Uint8Array, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const bytes = typeof value === 'string' ? fromBase64(value) : undefined;
  if (!bytes) throw new TypeError(`${what} must be base64 text or bytes`);
  return bytes;
}

/**
 * Decrypts EncryptByWhiteBox output with the DecryptKey of CreateWhiteBoxKey or
 * DescribeWhiteBoxDecryptKey (base64 text as the API returns it, or bytes): AES-256-CBC or SM4-CBC
 * with PKCS#7 padding and the InitializationVector the API returned. Pure JavaScript, no emulator
 * needed. Throws an Error for a container, IV or ciphertext it cannot use.
 */
export function whiteBoxDecrypt(decryptKey: string | Uint8Array, ciphertext: string | Uint8Array, iv: string | Uint8Array): Uint8Array {
  const opened = openWhiteBoxContainer(bytesOf(decryptKey, 'decryptKey'));
  if (!opened || opened.direction !== 'decrypt') throw new Error('decryptKey is not a kms-emulator white-box DecryptKey');
  const data = bytesOf(ciphertext, 'ciphertext');
  const vector = bytesOf(iv, 'iv');
  if (vector.length !== 16) throw new Error('iv must be 16 bytes');
  if (data.length === 0 || data.length % 16 !== 0) throw new Error('ciphertext must be a non-empty multiple of 16 bytes');
  if (opened.algorithm === 'SM4') {
    const plaintext = sm4CbcDecrypt(opened.key, vector, data);
    if (!plaintext) throw new Error('ciphertext does not decrypt (bad padding)');
    return plaintext;
  }
  try {
    return cbc(opened.key, vector).decrypt(data);
  } catch {
    throw new Error('ciphertext does not decrypt (bad padding)');
  }
}
