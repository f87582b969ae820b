import { hmac } from '@noble/hashes/hmac.js';
import { sha224, sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { equalBytes } from './bytes.js';

/** HMAC key specs (the AWS names; Tencent and Huawei map onto the same four). */
export const HMAC_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const;
export type HmacSpec = (typeof HMAC_SPECS)[number];


const HASHES = { HMAC_224: sha224, HMAC_256: sha256, HMAC_384: sha384, HMAC_512: sha512 } as const;
const KEY_LENGTHS: Record<HmacSpec, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** Key bytes the service generates for a spec: the hash's output length. */
export function hmacKeyLength(spec: HmacSpec): number {
  return KEY_LENGTHS[spec];
}

/**
 * Imported HMAC key material: at least the hash's output and at most its block size (AWS's
 * limits; longer keys would be hashed first, so they add nothing).
 */
export function hmacImportLengths(spec: HmacSpec): { min: number; max: number } {
  return { min: KEY_LENGTHS[spec], max: HASHES[spec].blockLen };
}

/** HMAC-SHA-224/256/384/512 (RFC 2104 / FIPS 198-1) of `message` under `key` (any length). */
export function computeMac(spec: HmacSpec, key: Uint8Array, message: Uint8Array): Uint8Array {
  return hmac(HASHES[spec], key, message);
}

/** Recomputes the MAC and compares in constant time; a MAC of the wrong length is simply false. */
export function verifyMac(spec: HmacSpec, key: Uint8Array, message: Uint8Array, mac: Uint8Array): boolean {
  return equalBytes(computeMac(spec, key, message), mac);
}
