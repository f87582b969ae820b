/**
 * What each key spec is for: the usages a key of that spec may have and, per usage, the algorithms
 * it supports. One table, in the engine's neutral words; dialects rename specs and algorithms.
 */
import {
  ASYMMETRIC_KEY_SPECS,
  HMAC_KEY_SPECS,
  type AsymmetricEncryption,
  type AsymmetricKeySpec,
  type EncapsulationAlgorithm,
  type HmacKeySpec,
  type KeyAgreementAlgorithm,
  type KeySpec,
  type KeyUsage,
  type MacAlgorithm,
  type SigningAlgorithm,
} from './types.js';

export type KeyFamily = 'symmetric' | 'asymmetric' | 'hmac';

export interface SpecProfile {
  readonly family: KeyFamily;
  /** The usages a key of this spec may be created with; the first is the default. */
  readonly usages: readonly KeyUsage[];
  /** Public-key encryption schemes (ENCRYPT_DECRYPT keys of an asymmetric spec). */
  readonly encryption: readonly AsymmetricEncryption[];
  /** Signature algorithms (SIGN_VERIFY keys). */
  readonly signing: readonly SigningAlgorithm[];
  /** Key agreement algorithms (KEY_AGREEMENT keys). */
  readonly keyAgreement: readonly KeyAgreementAlgorithm[];
  /** MAC algorithms (GENERATE_VERIFY_MAC keys). */
  readonly mac: readonly MacAlgorithm[];
  /** Key encapsulation mechanisms (ENCAPSULATE_DECAPSULATE keys). */
  readonly encapsulation: readonly EncapsulationAlgorithm[];
}

const NONE = [] as const;

const RSA_SIGNING: readonly SigningAlgorithm[] = [
  'RSA_PKCS1_SHA_256',
  'RSA_PKCS1_SHA_384',
  'RSA_PKCS1_SHA_512',
  'RSA_PSS_SHA_256',
  'RSA_PSS_SHA_384',
  'RSA_PSS_SHA_512',
];
/** RSAES-PKCS1-v1_5 has no AWS name (AWS never offers it); Tencent's AsymmetricRsaDecrypt does. */
const RSA_ENCRYPTION: readonly AsymmetricEncryption[] = ['RSA_OAEP_SHA_1', 'RSA_OAEP_SHA_256', 'RSA_PKCS1_V1_5'];
/** SM2 public-key encryption in both of its ciphertext forms: raw C1‖C3‖C2 and the GM/T 0009 DER structure. */
const SM2_ENCRYPTION: readonly AsymmetricEncryption[] = ['SM2_C1C3C2_ASN1', 'SM2_C1C3C2'];

function profile(family: KeyFamily, usages: readonly KeyUsage[], algorithms: Partial<Omit<SpecProfile, 'family' | 'usages'>> = {}): SpecProfile {
  return {
    family,
    usages,
    encryption: algorithms.encryption ?? NONE,
    signing: algorithms.signing ?? NONE,
    keyAgreement: algorithms.keyAgreement ?? NONE,
    mac: algorithms.mac ?? NONE,
    encapsulation: algorithms.encapsulation ?? NONE,
  };
}

const rsa = profile('asymmetric', ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], { encryption: RSA_ENCRYPTION, signing: RSA_SIGNING });
const nist = (signing: SigningAlgorithm) => profile('asymmetric', ['SIGN_VERIFY', 'KEY_AGREEMENT'], { signing: [signing], keyAgreement: ['ECDH'] });
const mlDsa = profile('asymmetric', ['SIGN_VERIFY'], { signing: ['ML_DSA_SHAKE_256'] });
const mlKem = profile('asymmetric', ['ENCAPSULATE_DECAPSULATE'], { encapsulation: ['ML_KEM'] });
const hmac = (mac: MacAlgorithm) => profile('hmac', ['GENERATE_VERIFY_MAC'], { mac: [mac] });

export const SPEC_PROFILES: Readonly<Record<KeySpec, SpecProfile>> = {
  AES_256: profile('symmetric', ['ENCRYPT_DECRYPT']),
  SM4: profile('symmetric', ['ENCRYPT_DECRYPT']),
  RSA_2048: rsa,
  RSA_3072: rsa,
  RSA_4096: rsa,
  EC_P256: nist('ECDSA_SHA_256'),
  EC_P384: nist('ECDSA_SHA_384'),
  EC_P521: nist('ECDSA_SHA_512'),
  EC_SECP256K1: profile('asymmetric', ['SIGN_VERIFY'], { signing: ['ECDSA_SHA_256'] }),
  ED25519: profile('asymmetric', ['SIGN_VERIFY'], { signing: ['ED25519', 'ED25519_PH_SHA_512'] }),
  SM2: profile('asymmetric', ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'], {
    encryption: SM2_ENCRYPTION,
    signing: ['SM2DSA_SM3'],
    keyAgreement: ['ECDH'],
  }),
  ML_DSA_44: mlDsa,
  ML_DSA_65: mlDsa,
  ML_DSA_87: mlDsa,
  ML_KEM_512: mlKem,
  ML_KEM_768: mlKem,
  ML_KEM_1024: mlKem,
  HMAC_224: hmac('HMAC_SHA_224'),
  HMAC_256: hmac('HMAC_SHA_256'),
  HMAC_384: hmac('HMAC_SHA_384'),
  HMAC_512: hmac('HMAC_SHA_512'),
};

const ASYMMETRIC = new Set<string>(ASYMMETRIC_KEY_SPECS);
const HMAC = new Set<string>(HMAC_KEY_SPECS);

export function isAsymmetricSpec(spec: string): spec is AsymmetricKeySpec {
  return ASYMMETRIC.has(spec);
}

export function isHmacSpec(spec: string): spec is HmacKeySpec {
  return HMAC.has(spec);
}

/** The algorithms a key supports: those of its spec that serve its usage (empty lists for the others). */
export interface KeyAlgorithms {
  readonly encryption: readonly AsymmetricEncryption[];
  readonly signing: readonly SigningAlgorithm[];
  readonly keyAgreement: readonly KeyAgreementAlgorithm[];
  readonly mac: readonly MacAlgorithm[];
  readonly encapsulation: readonly EncapsulationAlgorithm[];
}

export function keyAlgorithms(key: { readonly spec: KeySpec; readonly usage: KeyUsage }): KeyAlgorithms {
  const p = SPEC_PROFILES[key.spec];
  return {
    encryption: key.usage === 'ENCRYPT_DECRYPT' ? p.encryption : NONE,
    signing: key.usage === 'SIGN_VERIFY' ? p.signing : NONE,
    keyAgreement: key.usage === 'KEY_AGREEMENT' ? p.keyAgreement : NONE,
    mac: key.usage === 'GENERATE_VERIFY_MAC' ? p.mac : NONE,
    encapsulation: key.usage === 'ENCAPSULATE_DECAPSULATE' ? p.encapsulation : NONE,
  };
}

/** Whether `usage` is one a key of `spec` may have. */
export function usageFits(spec: KeySpec, usage: KeyUsage): boolean {
  return SPEC_PROFILES[spec].usages.includes(usage);
}

/** Symmetric encryption keys (AES-256, SM4): the keys that rotate and may hold several key materials. */
export function isRotatableSpec(spec: KeySpec): boolean {
  return spec === 'AES_256' || spec === 'SM4';
}
