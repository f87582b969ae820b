/**
 * Imported key material (BYOK): unwrapping what the customer encrypted to a wrapping public key,
 * and checking that the material fits the key's spec. Pure functions; the engine keeps the state.
 */
import { aeskwp } from '@noble/ciphers/aes.js';
import { decryptAsymmetric, publicKeyOf, type AsymmetricEncryption } from '../crypto/asymmetric.js';
import { hmacImportLengths } from '../crypto/hmac.js';
import { isAsymmetricSpec, isHmacSpec } from './specs.js';
import type { KeySpec, WrappingAlgorithm, WrappingKeySpec } from './types.js';

/** Import tokens are this long: AWS issues 256-byte tokens, Huawei requires at least 150 bytes. */
export const IMPORT_TOKEN_BYTES = 256;
/** Live parameter sets kept per key (the newest): older tokens stop working. */
export const MAX_IMPORT_PARAMETER_SETS = 10;
/** How long import parameters are valid unless the caller says otherwise: 24 hours, as every provider. */
export const DEFAULT_IMPORT_VALIDITY_MS = 24 * 60 * 60 * 1000;

const RSA_BYTES: Record<Exclude<WrappingKeySpec, 'SM2'>, number> = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 };

/** Whether a wrapping algorithm works with a wrapping key spec: SM2PKE with SM2, all others with RSA. */
export function wrappingFits(algorithm: WrappingAlgorithm, spec: WrappingKeySpec): boolean {
  return (algorithm === 'SM2PKE') === (spec === 'SM2');
}

/** The public-key scheme that carries the material (or, for the key-wrap algorithms, the AES key). */
const SCHEME: Record<Exclude<WrappingAlgorithm, 'SM2PKE'>, AsymmetricEncryption> = {
  RSAES_PKCS1_V1_5: 'RSA_PKCS1_V1_5',
  RSAES_OAEP_SHA_1: 'RSA_OAEP_SHA_1',
  RSAES_OAEP_SHA_256: 'RSA_OAEP_SHA_256',
  RSA_AES_KEY_WRAP_SHA_1: 'RSA_OAEP_SHA_1',
  RSA_AES_KEY_WRAP_SHA_256: 'RSA_OAEP_SHA_256',
};

/**
 * The key material inside `wrapped`, or undefined when it does not unwrap. RSA_AES_KEY_WRAP_*:
 * an RSA-OAEP-encrypted ephemeral AES key (as long as the modulus) followed by the material
 * wrapped with AES-KWP (RFC 5649). SM2PKE: the ASN.1 ciphertext form, or raw C1C3C2.
 */
export async function unwrapKeyMaterial(
  algorithm: WrappingAlgorithm,
  spec: WrappingKeySpec,
  privateKey: Uint8Array,
  wrapped: Uint8Array,
): Promise<Uint8Array | undefined> {
  if (spec === 'SM2') {
    if (algorithm !== 'SM2PKE') return undefined;
    return (await decryptAsymmetric('SM2', privateKey, 'SM2_C1C3C2_ASN1', wrapped)) ?? (await decryptAsymmetric('SM2', privateKey, 'SM2_C1C3C2', wrapped));
  }
  if (algorithm === 'SM2PKE') return undefined;
  const scheme = SCHEME[algorithm];
  if (algorithm !== 'RSA_AES_KEY_WRAP_SHA_1' && algorithm !== 'RSA_AES_KEY_WRAP_SHA_256') return decryptAsymmetric(spec, privateKey, scheme, wrapped);
  const split = RSA_BYTES[spec];
  if (wrapped.length <= split) return undefined;
  const aesKey = await decryptAsymmetric(spec, privateKey, scheme, wrapped.subarray(0, split));
  if (!aesKey || (aesKey.length !== 16 && aesKey.length !== 24 && aesKey.length !== 32)) return undefined;
  try {
    return aeskwp(aesKey).decrypt(wrapped.subarray(split));
  } catch {
    return undefined;
  } finally {
    aesKey.fill(0);
  }
}

/**
 * Whether `material` is key material of `spec`: 32 bytes for AES-256, 16 for SM4, HMAC keys
 * within hmacImportLengths, and for asymmetric specs a PKCS#8 private key of that very spec.
 * Async: checking an SM2 or post-quantum key loads that code.
 */
export async function materialFits(spec: KeySpec, material: Uint8Array): Promise<boolean> {
  if (spec === 'AES_256') return material.length === 32;
  if (spec === 'SM4') return material.length === 16;
  if (isHmacSpec(spec)) {
    const { min, max } = hmacImportLengths(spec);
    return material.length >= min && material.length <= max;
  }
  if (!isAsymmetricSpec(spec)) return false;
  try {
    await publicKeyOf(spec, material);
    return true;
  } catch {
    return false;
  }
}
