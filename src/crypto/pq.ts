/**
 * Post-quantum schemes on @noble/post-quantum: ML-DSA-44/65/87 (FIPS 204) signatures and
 * ML-KEM-512/768/1024 (FIPS 203) key encapsulation. Key encodings follow RFC 9881 (ML-DSA) and
 * RFC 9935 (ML-KEM), as OpenSSL 3.5 writes them:
 *   SPKI    { id-ml-dsa-* | id-alg-ml-kem-* } (no parameters) ‖ BIT STRING raw public key
 *   PKCS#8  same algorithm ‖ OCTET STRING { [0] IMPLICIT OCTET STRING seed }  (the "seed" CHOICE:
 *           32-byte ξ for ML-DSA, 64-byte d ‖ z for ML-KEM). The "expandedKey" and "both"
 *           CHOICEs are read too.
 * The expanded keys a seed gives are kept (bounded), since expanding costs more than signing.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem1024, ml_kem512, ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { equalBytes } from './bytes.js';
import { implicitPrimitive, readChildren, readOctetString, readWhole, TAG } from './der.js';
import { type CryptoCaches, defaultCryptoCaches, type KeySlot, keySlot } from './caches.js';
import { algorithmIdentifier, encodePkcs8, encodeSpki, OID, parsePkcs8, parseSpki } from './keys.js';
import type { RandomSource } from './random.js';

export type MlDsaLevel = 44 | 65 | 87;
export type MlKemLevel = 512 | 768 | 1024;

interface Scheme {
  readonly oid: string;
  readonly seedLength: number;
  readonly publicKeyLength: number;
  readonly secretKeyLength: number;
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
}

const dsa = (oid: string, impl: typeof ml_dsa44): Scheme & { impl: typeof ml_dsa44; signatureLength: number } => ({
  oid,
  impl,
  seedLength: 32,
  publicKeyLength: impl.lengths.publicKey!,
  secretKeyLength: impl.lengths.secretKey!,
  signatureLength: impl.lengths.signature!,
  keygen: (seed) => impl.keygen(seed),
});

const kem = (oid: string, impl: typeof ml_kem512, k: number): Scheme & { impl: typeof ml_kem512; ciphertextLength: number; k: number } => ({
  oid,
  impl,
  k,
  seedLength: 64,
  publicKeyLength: impl.lengths.publicKey!,
  secretKeyLength: impl.lengths.secretKey!,
  ciphertextLength: impl.lengths.cipherText!,
  keygen: (seed) => impl.keygen(seed),
});

export const ML_DSA = { 44: dsa(OID.mlDsa44, ml_dsa44), 65: dsa(OID.mlDsa65, ml_dsa65), 87: dsa(OID.mlDsa87, ml_dsa87) } as const;
export const ML_KEM = { 512: kem(OID.mlKem512, ml_kem512, 2), 768: kem(OID.mlKem768, ml_kem768, 3), 1024: kem(OID.mlKem1024, ml_kem1024, 4) } as const;

// ------------------------------------------------------------------ encodings

export function encodePqPrivateKey(scheme: Scheme, seed: Uint8Array): Uint8Array {
  return encodePkcs8(algorithmIdentifier(scheme.oid), implicitPrimitive(0, seed));
}

export function encodePqPublicKey(scheme: Scheme, publicKey: Uint8Array): Uint8Array {
  return encodeSpki(algorithmIdentifier(scheme.oid), publicKey);
}

interface Expanded {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** Reads the seed, expandedKey or both CHOICE; with both, the expanded key must match the seed. */
export function parsePqPrivateKey(scheme: Scheme, pkcs8: Uint8Array): Expanded | undefined {
  const info = parsePkcs8(pkcs8);
  if (!info || info.algorithm !== scheme.oid || info.parameters) return undefined;
  const choice = readWhole(info.privateKey);
  if (!choice) return undefined;
  try {
    if (choice.tag === 0x80) return choice.content.length === scheme.seedLength ? scheme.keygen(choice.content) : undefined;
    if (choice.tag === TAG.OCTET_STRING) return expandedOnly(scheme, choice.content);
    if (choice.tag === TAG.SEQUENCE) {
      const parts = readChildren(choice.content);
      const seed = readOctetString(parts?.[0]);
      const expanded = readOctetString(parts?.[1]);
      if (parts?.length !== 2 || seed?.length !== scheme.seedLength || !expanded) return undefined;
      const keys = scheme.keygen(seed);
      return equalBytes(keys.secretKey, expanded) ? keys : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function expandedOnly(scheme: Scheme, secretKey: Uint8Array): Expanded | undefined {
  if (secretKey.length !== scheme.secretKeyLength) return undefined;
  if ('signatureLength' in scheme) return { secretKey, publicKey: (scheme as (typeof ML_DSA)[44]).impl.getPublicKey(secretKey) };
  // An ML-KEM decapsulation key holds its encapsulation key: dk = dk_PKE ‖ ek ‖ H(ek) ‖ z.
  const k = (scheme as (typeof ML_KEM)[512]).k;
  return { secretKey, publicKey: secretKey.slice(384 * k, 384 * k + scheme.publicKeyLength) };
}

/** The raw public key of a PQ SPKI; ML-KEM keys are also checked (FIPS 203 §7.2: coefficients < q). */
export function parsePqPublicKey(scheme: Scheme, spki: Uint8Array): Uint8Array | undefined {
  const info = parseSpki(spki);
  if (!info || info.algorithm !== scheme.oid || info.parameters || info.publicKey.length !== scheme.publicKeyLength) return undefined;
  if ('k' in scheme && !mlKemModulusCheck(info.publicKey, (scheme as (typeof ML_KEM)[512]).k)) return undefined;
  return info.publicKey;
}

/** ByteEncode12(ByteDecode12(ek)) = ek: every 12-bit coefficient of the k polynomials is below 3329. */
function mlKemModulusCheck(ek: Uint8Array, k: number): boolean {
  for (let i = 0; i < 384 * k; i += 3) {
    const a = ek[i]! | ((ek[i + 1]! & 0x0f) << 8);
    const b = (ek[i + 1]! >> 4) | (ek[i + 2]! << 4);
    if (a >= 3329 || b >= 3329) return false;
  }
  return true;
}

/** Expanded private keys, one cache per scheme. */
const expandedKeys = new Map<Scheme, KeySlot<Expanded>>();

function expand(scheme: Scheme, pkcs8: Uint8Array, caches: CryptoCaches): Expanded {
  let slot = expandedKeys.get(scheme);
  if (!slot) expandedKeys.set(scheme, (slot = keySlot<Expanded>(`${scheme.oid} private keys`)));
  const keys = caches.keys(slot).get(pkcs8, (der) => parsePqPrivateKey(scheme, der));
  if (!keys) throw new RangeError('malformed post-quantum private key');
  return keys;
}

export function generatePqKey(scheme: Scheme, random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const seed = random.fill(new Uint8Array(scheme.seedLength));
  return { privateKey: encodePqPrivateKey(scheme, seed), publicKey: encodePqPublicKey(scheme, scheme.keygen(seed).publicKey) };
}

export function pqPublicKeyOf(scheme: Scheme, pkcs8: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  return encodePqPublicKey(scheme, expand(scheme, pkcs8, caches).publicKey);
}

// ------------------------------------------------------------------ ML-DSA

/**
 * ML-DSA.Sign (hedged: rnd from `random`, so reproducible from a seeded source). RAW: the message
 * with an empty context (pure ML-DSA, M' = 0 ‖ 0 ‖ M); EXTERNAL_MU: the caller's 64-byte μ.
 */
export function mlDsaSign(level: MlDsaLevel, pkcs8: Uint8Array, input: 'RAW' | 'EXTERNAL_MU', message: Uint8Array, random: RandomSource, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const scheme = ML_DSA[level];
  const { secretKey } = expand(scheme, pkcs8, caches);
  const extraEntropy = random.fill(new Uint8Array(32));
  if (input === 'EXTERNAL_MU') {
    if (message.length !== 64) throw new RangeError(`ML-DSA mu must be 64 bytes, got ${message.length}`);
    return scheme.impl.internal.sign(message, secretKey, { extraEntropy, externalMu: true });
  }
  return scheme.impl.sign(message, secretKey, { extraEntropy });
}

export function mlDsaVerify(level: MlDsaLevel, spki: Uint8Array, input: 'RAW' | 'EXTERNAL_MU', message: Uint8Array, signature: Uint8Array): boolean {
  const scheme = ML_DSA[level];
  const publicKey = parsePqPublicKey(scheme, spki);
  if (!publicKey || signature.length !== scheme.signatureLength) return false;
  try {
    if (input === 'EXTERNAL_MU') return message.length === 64 && scheme.impl.internal.verify(signature, message, publicKey, { externalMu: true });
    return scheme.impl.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ ML-KEM

/** ML-KEM.Encaps with the 32-byte m from `random`: the ciphertext and the 32-byte shared secret. */
export function mlKemEncapsulate(level: MlKemLevel, spki: Uint8Array, random: RandomSource): { ciphertext: Uint8Array; sharedSecret: Uint8Array } {
  const scheme = ML_KEM[level];
  const publicKey = parsePqPublicKey(scheme, spki);
  if (!publicKey) throw new RangeError(`malformed ML-KEM-${level} public key`);
  const { cipherText, sharedSecret } = scheme.impl.encapsulate(publicKey, random.fill(new Uint8Array(32)));
  return { ciphertext: cipherText, sharedSecret };
}

/** ML-KEM.Decaps (implicit rejection: a tampered ciphertext gives a pseudo-random secret); undefined for a wrong length. */
export function mlKemDecapsulate(level: MlKemLevel, pkcs8: Uint8Array, ciphertext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  const scheme = ML_KEM[level];
  if (ciphertext.length !== scheme.ciphertextLength) return undefined;
  const { secretKey } = expand(scheme, pkcs8, caches);
  try {
    return scheme.impl.decapsulate(ciphertext, secretKey);
  } catch {
    return undefined;
  }
}
