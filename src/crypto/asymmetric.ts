/**
 * The asymmetric primitives every dialect uses, by neutral spec and algorithm names. Keys travel
 * as DER: PKCS#8 private keys and SubjectPublicKeyInfo public keys, in the forms OpenSSL and
 * node:crypto read and write (docs/cryptography.md lists them). The algorithms live in rsa.ts,
 * ecc.ts, eddsa.ts, sm2.ts and pq.ts; this file maps names onto them. All but rsa.ts are imported
 * dynamically, on the first use of a key of theirs (ecc.ts and eddsa.ts with @noble/curves, sm2.ts,
 * pq.ts with @noble/post-quantum): importing the library does not pay for curves it may never use,
 * and a bundle with code splitting keeps them out of its entry chunk. Every function that may reach
 * them is async.
 *
 * Failure rules: a bad signature, ciphertext or peer key is an answer (false / undefined), never
 * an exception. What a caller must have checked before calling (an algorithm the spec does not
 * have, a digest of the wrong length to sign, a plaintext over `maxPlaintextLength`) throws a
 * RangeError: it is a programming error, not a data error (an async function rejects with it).
 *
 * Parsed keys are cached: every function that reads a key takes `caches?: CryptoCaches` last
 * (caches.ts; one per engine), and without it uses the shared default.
 */
import { type CryptoCaches, defaultCryptoCaches } from './caches.js';
import { readOid } from './der.js';
import type * as EccModule from './ecc.js';
import type { EcdsaCurve, EcdsaHash } from './ecc.js';
import type * as EddsaModule from './eddsa.js';
import { OID, parseSpki } from './keys.js';
import type * as PqModule from './pq.js';
import type { MlDsaLevel, MlKemLevel } from './pq.js';
import type { RandomSource } from './random.js';
import {
  encodeRsaPrivateKey,
  encodeRsaPublicKey,
  generateRsaKeySeeded,
  generateRsaKeyWebCrypto,
  parseCachedRsaPrivateKey,
  parseCachedRsaPublicKey,
  parseRsaPublicKey,
  rsaMaxPlaintext,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  type RsaHash,
  type RsaPadding,
  rsaPkcs1Decrypt,
  rsaPkcs1Encrypt,
  rsaPublicKeyOf,
  rsaSignDigest,
  rsaSignMessage,
  rsaVerifyDigest,
  rsaVerifyMessage,
} from './rsa.js';
import type * as Sm2Module from './sm2.js';

let eccModule: Promise<typeof EccModule> | undefined;
let eddsaModule: Promise<typeof EddsaModule> | undefined;
let pqModule: Promise<typeof PqModule> | undefined;
let sm2Module: Promise<typeof Sm2Module> | undefined;
/** Loaded on first use (ECDSA, ECDH; SM2 shares its encodings). */
const loadEcc = () => (eccModule ??= import('./ecc.js'));
/** Loaded on first use of an Ed25519 key. */
const loadEddsa = () => (eddsaModule ??= import('./eddsa.js'));
/** Loaded on first use: a bundle with code splitting keeps it in its own chunk. */
const loadPq = () => (pqModule ??= import('./pq.js'));
/** Loaded on first use: a bundle with code splitting keeps it in its own chunk. */
const loadSm2 = () => (sm2Module ??= import('./sm2.js'));

export const ASYMMETRIC_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_P256',
  'EC_P384',
  'EC_P521',
  'EC_SECP256K1',
  'ED25519',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
] as const;
export type AsymmetricSpec = (typeof ASYMMETRIC_SPECS)[number];

export type SigningAlgorithm =
  | 'RSA_PSS_SHA_256'
  | 'RSA_PSS_SHA_384'
  | 'RSA_PSS_SHA_512'
  | 'RSA_PKCS1_SHA_256'
  | 'RSA_PKCS1_SHA_384'
  | 'RSA_PKCS1_SHA_512'
  | 'ECDSA_SHA_256'
  | 'ECDSA_SHA_384'
  | 'ECDSA_SHA_512'
  | 'ED25519'
  | 'ED25519_PH_SHA_512'
  | 'ML_DSA_SHAKE_256'
  | 'SM2DSA_SM3';

export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = [
  'RSA_PSS_SHA_256',
  'RSA_PSS_SHA_384',
  'RSA_PSS_SHA_512',
  'RSA_PKCS1_SHA_256',
  'RSA_PKCS1_SHA_384',
  'RSA_PKCS1_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'ED25519',
  'ED25519_PH_SHA_512',
  'ML_DSA_SHAKE_256',
  'SM2DSA_SM3',
];

/** RAW: the message itself; DIGEST: the caller's hash of it (signed as is, never hashed again); EXTERNAL_MU: ML-DSA's 64-byte mu. */
export type SignInput = 'RAW' | 'DIGEST' | 'EXTERNAL_MU';

export type AsymmetricEncryption = 'RSA_OAEP_SHA_1' | 'RSA_OAEP_SHA_256' | 'RSA_PKCS1_V1_5' | 'SM2_C1C3C2' | 'SM2_C1C3C2_ASN1';

export const ASYMMETRIC_ENCRYPTIONS: readonly AsymmetricEncryption[] = ['RSA_OAEP_SHA_1', 'RSA_OAEP_SHA_256', 'RSA_PKCS1_V1_5', 'SM2_C1C3C2', 'SM2_C1C3C2_ASN1'];

export interface KeyPair {
  /** PKCS#8 DER. */
  readonly privateKey: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  readonly publicKey: Uint8Array;
}

// ------------------------------------------------------------------ tables

const RSA_BITS: Partial<Record<AsymmetricSpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
type EcdsaCurveName = 'P256' | 'P384' | 'P521' | 'SECP256K1';
/** ecc.ts's curve of each EC spec, by export name (the module is loaded on first use). */
const EC_CURVES: Partial<Record<AsymmetricSpec, EcdsaCurveName>> = { EC_P256: 'P256', EC_P384: 'P384', EC_P521: 'P521', EC_SECP256K1: 'SECP256K1' };
/** The ecc.ts module and the curve of an EC spec. */
async function ecCurve(spec: AsymmetricSpec): Promise<{ ecc: typeof EccModule; curve: EcdsaCurve }> {
  const ecc = await loadEcc();
  return { ecc, curve: ecc[EC_CURVES[spec]!] };
}
const ML_DSA_LEVELS: Partial<Record<AsymmetricSpec, MlDsaLevel>> = { ML_DSA_44: 44, ML_DSA_65: 65, ML_DSA_87: 87 };
const ML_KEM_LEVELS: Partial<Record<AsymmetricSpec, MlKemLevel>> = { ML_KEM_512: 512, ML_KEM_768: 768, ML_KEM_1024: 1024 };
/** The SPKI algorithm OIDs of the post-quantum specs (keys.ts has them, so recognising one loads nothing). */
const PQ_SPECS_BY_OID: ReadonlyMap<string, AsymmetricSpec> = new Map<string, AsymmetricSpec>([
  [OID.mlDsa44, 'ML_DSA_44'],
  [OID.mlDsa65, 'ML_DSA_65'],
  [OID.mlDsa87, 'ML_DSA_87'],
  [OID.mlKem512, 'ML_KEM_512'],
  [OID.mlKem768, 'ML_KEM_768'],
  [OID.mlKem1024, 'ML_KEM_1024'],
]);

type PqScheme = (typeof PqModule.ML_DSA)[MlDsaLevel] | (typeof PqModule.ML_KEM)[MlKemLevel];

/** The pq.ts scheme of an ML-DSA or ML-KEM spec. */
function pqScheme(pq: typeof PqModule, spec: AsymmetricSpec): PqScheme {
  const dsa = ML_DSA_LEVELS[spec];
  if (dsa) return pq.ML_DSA[dsa];
  const kem = ML_KEM_LEVELS[spec];
  if (kem) return pq.ML_KEM[kem];
  throw new RangeError(`key spec ${spec} is not post-quantum`);
}

type Family = 'RSA' | 'EC' | 'ED25519' | 'SM2' | 'ML_DSA' | 'ML_KEM';

function familyOf(spec: AsymmetricSpec): Family {
  if (RSA_BITS[spec]) return 'RSA';
  if (EC_CURVES[spec]) return 'EC';
  if (ML_DSA_LEVELS[spec]) return 'ML_DSA';
  if (ML_KEM_LEVELS[spec]) return 'ML_KEM';
  if (spec === 'ED25519' || spec === 'SM2') return spec;
  throw new RangeError(`unknown asymmetric key spec ${String(spec)}`);
}

interface SigningScheme {
  readonly family: Family;
  /** Inputs the algorithm accepts. */
  readonly inputs: readonly SignInput[];
  /** Bytes of a DIGEST input. */
  readonly digestLength?: number;
  readonly hash?: RsaHash;
  readonly padding?: RsaPadding;
}

const SIGNING: Record<SigningAlgorithm, SigningScheme> = {
  RSA_PSS_SHA_256: { family: 'RSA', inputs: ['RAW', 'DIGEST'], digestLength: 32, hash: 'SHA-256', padding: 'PSS' },
  RSA_PSS_SHA_384: { family: 'RSA', inputs: ['RAW', 'DIGEST'], digestLength: 48, hash: 'SHA-384', padding: 'PSS' },
  RSA_PSS_SHA_512: { family: 'RSA', inputs: ['RAW', 'DIGEST'], digestLength: 64, hash: 'SHA-512', padding: 'PSS' },
  RSA_PKCS1_SHA_256: { family: 'RSA', inputs: ['RAW', 'DIGEST'], digestLength: 32, hash: 'SHA-256', padding: 'PKCS1' },
  RSA_PKCS1_SHA_384: { family: 'RSA', inputs: ['RAW', 'DIGEST'], digestLength: 48, hash: 'SHA-384', padding: 'PKCS1' },
  RSA_PKCS1_SHA_512: { family: 'RSA', inputs: ['RAW', 'DIGEST'], digestLength: 64, hash: 'SHA-512', padding: 'PKCS1' },
  ECDSA_SHA_256: { family: 'EC', inputs: ['RAW', 'DIGEST'], digestLength: 32, hash: 'SHA-256' },
  ECDSA_SHA_384: { family: 'EC', inputs: ['RAW', 'DIGEST'], digestLength: 48, hash: 'SHA-384' },
  ECDSA_SHA_512: { family: 'EC', inputs: ['RAW', 'DIGEST'], digestLength: 64, hash: 'SHA-512' },
  ED25519: { family: 'ED25519', inputs: ['RAW'] },
  // AWS: with DIGEST, KMS still applies the Ed25519ph SHA-512 prehash (the input is hashed twice).
  ED25519_PH_SHA_512: { family: 'ED25519', inputs: ['RAW', 'DIGEST'], digestLength: 64 },
  ML_DSA_SHAKE_256: { family: 'ML_DSA', inputs: ['RAW', 'EXTERNAL_MU'] },
  SM2DSA_SM3: { family: 'SM2', inputs: ['RAW', 'DIGEST'], digestLength: 32 },
};

const ENCRYPTION: Record<AsymmetricEncryption, { family: Family; hash?: RsaHash }> = {
  RSA_OAEP_SHA_1: { family: 'RSA', hash: 'SHA-1' },
  RSA_OAEP_SHA_256: { family: 'RSA', hash: 'SHA-256' },
  RSA_PKCS1_V1_5: { family: 'RSA' },
  SM2_C1C3C2: { family: 'SM2' },
  SM2_C1C3C2_ASN1: { family: 'SM2' },
};

/** Plaintext bound for SM2 encryption: AWS documents 1024 bytes for SM2PKE. */
export const SM2_MAX_PLAINTEXT = 1024;

/** Signing algorithms a spec can use (all hashes for every ECDSA curve; a provider may allow fewer). */
export function signingAlgorithmsFor(spec: AsymmetricSpec): readonly SigningAlgorithm[] {
  const family = familyOf(spec);
  return SIGNING_ALGORITHMS.filter((a) => SIGNING[a].family === family);
}

/** Encryption algorithms a spec can use. */
export function encryptionAlgorithmsFor(spec: AsymmetricSpec): readonly AsymmetricEncryption[] {
  const family = familyOf(spec);
  return ASYMMETRIC_ENCRYPTIONS.filter((a) => ENCRYPTION[a].family === family);
}

/** Message inputs an algorithm accepts (ED25519: RAW only; ML-DSA: RAW or EXTERNAL_MU; the others RAW or DIGEST). */
export function signInputsFor(algorithm: SigningAlgorithm): readonly SignInput[] {
  return SIGNING[algorithm].inputs;
}

/** Whether the spec can derive a shared secret (ECDH): EC_* and SM2. */
export function supportsKeyAgreement(spec: AsymmetricSpec): boolean {
  const family = familyOf(spec);
  return family === 'EC' || family === 'SM2';
}

/** Bytes a DIGEST input must have (32 for *_SHA_256 and SM2DSA_SM3, 64 for ED25519_PH_SHA_512); undefined if DIGEST is not allowed. */
export function digestLength(algorithm: SigningAlgorithm): number | undefined {
  return SIGNING[algorithm].digestLength;
}

/** The largest plaintext `encryptAsymmetric` takes: OAEP k − 2·hLen − 2, PKCS#1 v1.5 k − 11, SM2 1024. */
export function maxPlaintextLength(spec: AsymmetricSpec, algorithm: AsymmetricEncryption): number {
  checkEncryption(spec, algorithm);
  const bits = RSA_BITS[spec];
  if (bits) return algorithm === 'RSA_PKCS1_V1_5' ? rsaMaxPlaintext(bits / 8, 'PKCS1') : rsaMaxPlaintext(bits / 8, 'OAEP', ENCRYPTION[algorithm].hash);
  return SM2_MAX_PLAINTEXT;
}

function checkSigning(spec: AsymmetricSpec, algorithm: SigningAlgorithm, input: SignInput): SigningScheme {
  const scheme = SIGNING[algorithm];
  if (!scheme || scheme.family !== familyOf(spec)) throw new RangeError(`signing algorithm ${algorithm} does not apply to key spec ${spec}`);
  if (!scheme.inputs.includes(input)) throw new RangeError(`signing algorithm ${algorithm} does not take ${input} input`);
  return scheme;
}

function checkEncryption(spec: AsymmetricSpec, algorithm: AsymmetricEncryption): void {
  const scheme = ENCRYPTION[algorithm];
  if (!scheme || scheme.family !== familyOf(spec)) throw new RangeError(`encryption algorithm ${algorithm} does not apply to key spec ${spec}`);
}

// ------------------------------------------------------------------ keys

/**
 * A new key pair drawn from `random`. RSA: from a seeded source (`random.position` defined) the
 * primes are searched here from `random`, so the same seed gives the same key (seconds for 4096
 * bits); from the system source WebCrypto generates it (e = 65537 either way).
 */
export async function generateKeyPair(spec: AsymmetricSpec, random: RandomSource): Promise<KeyPair> {
  switch (familyOf(spec)) {
    case 'RSA': {
      const bits = RSA_BITS[spec]!;
      if (random.position === undefined) return generateRsaKeyWebCrypto(bits);
      const key = generateRsaKeySeeded(bits, random);
      return { privateKey: encodeRsaPrivateKey(key), publicKey: encodeRsaPublicKey(key) };
    }
    case 'EC': {
      const { ecc, curve } = await ecCurve(spec);
      return ecc.generateEcKey(curve, random);
    }
    case 'ED25519':
      return (await loadEddsa()).generateEd25519Key(random);
    case 'SM2':
      return (await loadSm2()).generateSm2Key(random);
    case 'ML_DSA':
    case 'ML_KEM': {
      const pq = await loadPq();
      return pq.generatePqKey(pqScheme(pq, spec), random);
    }
  }
}

/** The SPKI of a PKCS#8 private key; rejects with RangeError if the key is malformed or of another spec. */
export async function publicKeyOf(spec: AsymmetricSpec, privateKey: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array> {
  switch (familyOf(spec)) {
    case 'RSA': {
      const key = parseCachedRsaPrivateKey(privateKey, caches);
      if (!key || key.bits !== RSA_BITS[spec]) throw new RangeError(`malformed ${spec} private key`);
      return encodeRsaPublicKey(rsaPublicKeyOf(key));
    }
    case 'EC': {
      const { ecc, curve } = await ecCurve(spec);
      return ecc.ecPublicKeyOf(curve, privateKey, caches);
    }
    case 'ED25519':
      return (await loadEddsa()).ed25519PublicKeyOf(privateKey, caches);
    case 'SM2':
      return (await loadSm2()).sm2PublicKeyOf(privateKey, caches);
    case 'ML_DSA':
    case 'ML_KEM': {
      const pq = await loadPq();
      return pq.pqPublicKeyOf(pqScheme(pq, spec), privateKey, caches);
    }
  }
}

/**
 * The spec of a SubjectPublicKeyInfo, after checking its encoding: RSA moduli of exactly 2048,
 * 3072 or 4096 bits; EC points on the named curve (compressed accepted); Ed25519 points that
 * decode; ML-KEM keys that pass the FIPS 203 modulus check. Undefined for anything else. sm2.ts
 * and pq.ts are loaded only for a key whose SPKI names the SM2 curve or a post-quantum algorithm.
 */
export async function parsePublicKey(spki: Uint8Array): Promise<{ spec: AsymmetricSpec } | undefined> {
  const info = parseSpki(spki);
  if (!info) return undefined;
  const found = (spec: AsymmetricSpec, ok: unknown): { spec: AsymmetricSpec } | undefined => (ok ? { spec } : undefined);
  switch (info.algorithm) {
    case OID.rsaEncryption: {
      const key = parseRsaPublicKey(spki);
      const spec = (Object.keys(RSA_BITS) as AsymmetricSpec[]).find((s) => RSA_BITS[s] === key?.bits);
      return spec && found(spec, key);
    }
    case OID.ecPublicKey: {
      const ecc = await loadEcc();
      const spec = (Object.keys(EC_CURVES) as AsymmetricSpec[]).find((s) => ecc.parseEcPublicKey(ecc[EC_CURVES[s]!], spki));
      if (spec) return { spec };
      // None of the NIST curves nor secp256k1: SM2 is the one other curve, and only a key naming it loads sm2.ts.
      if (readOid(info.parameters) !== OID.sm2p256v1) return undefined;
      return found('SM2', ecc.parseEcPublicKey((await loadSm2()).SM2_CURVE, spki));
    }
    case OID.ed25519:
      return found('ED25519', (await loadEddsa()).parseEd25519PublicKey(spki));
  }
  const pqSpec = PQ_SPECS_BY_OID.get(info.algorithm);
  if (!pqSpec) return undefined;
  const pq = await loadPq();
  return found(pqSpec, pq.parsePqPublicKey(pqScheme(pq, pqSpec), spki));
}

// ------------------------------------------------------------------ signatures

function checkedDigest(scheme: SigningScheme, algorithm: SigningAlgorithm, digest: Uint8Array): Uint8Array {
  if (digest.length !== scheme.digestLength) throw new RangeError(`a DIGEST for ${algorithm} must be ${scheme.digestLength} bytes, got ${digest.length}`);
  return digest;
}

/**
 * Signs. RAW hashes the message with the algorithm's hash; DIGEST signs the given digest without
 * hashing it again (its length must be `digestLength(algorithm)`), except ED25519_PH_SHA_512,
 * where AWS still applies the Ed25519ph prehash to it; EXTERNAL_MU signs ML-DSA's 64-byte μ.
 * Output: RSA I2OSP (k bytes), ECDSA and SM2 DER, Ed25519 64 bytes, ML-DSA FIPS 204 encoding.
 */
export async function signMessage(spec: AsymmetricSpec, privateKey: Uint8Array, algorithm: SigningAlgorithm, input: SignInput, message: Uint8Array, random: RandomSource, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array> {
  const scheme = checkSigning(spec, algorithm, input);
  switch (scheme.family) {
    case 'RSA': {
      if (input === 'RAW') return rsaSignMessage(privateKey, scheme.padding!, scheme.hash!, message, random, caches);
      const key = parseCachedRsaPrivateKey(privateKey, caches);
      if (!key) throw new RangeError(`malformed ${spec} private key`);
      return rsaSignDigest(key, scheme.padding!, scheme.hash!, checkedDigest(scheme, algorithm, message), random);
    }
    case 'EC': {
      const { ecc, curve } = await ecCurve(spec);
      if (input === 'RAW') return ecc.ecdsaSignMessage(curve, privateKey, scheme.hash as EcdsaHash, message, random, caches);
      return ecc.ecdsaSignDigest(curve, privateKey, checkedDigest(scheme, algorithm, message), random, caches);
    }
    case 'ED25519':
      if (input === 'DIGEST') checkedDigest(scheme, algorithm, message);
      return (await loadEddsa()).ed25519SignAsync(privateKey, algorithm === 'ED25519' ? 'pure' : 'ph', message, caches);
    case 'SM2':
      return (await loadSm2()).sm2Sign(privateKey, input === 'DIGEST' ? 'DIGEST' : 'RAW', message, random, undefined, caches);
    case 'ML_DSA':
      return (await loadPq()).mlDsaSign(ML_DSA_LEVELS[spec]!, privateKey, input === 'EXTERNAL_MU' ? 'EXTERNAL_MU' : 'RAW', message, random, caches);
    default:
      throw new RangeError(`key spec ${spec} cannot sign`);
  }
}

/** Verifies; false, never an exception, for a malformed signature, key or digest length. */
export async function verifySignature(spec: AsymmetricSpec, publicKey: Uint8Array, algorithm: SigningAlgorithm, input: SignInput, message: Uint8Array, signature: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<boolean> {
  const scheme = checkSigning(spec, algorithm, input);
  if (input === 'DIGEST' && message.length !== scheme.digestLength) return false;
  // Loaded outside the try: a module that fails to load is an error, not a signature that does not verify.
  const sm2 = scheme.family === 'SM2' ? await loadSm2() : undefined;
  const pq = scheme.family === 'ML_DSA' ? await loadPq() : undefined;
  const ec = scheme.family === 'EC' ? await ecCurve(spec) : undefined;
  const eddsa = scheme.family === 'ED25519' ? await loadEddsa() : undefined;
  try {
    switch (scheme.family) {
      case 'RSA': {
        if (input === 'RAW') return await rsaVerifyMessage(publicKey, scheme.padding!, scheme.hash!, message, signature, caches);
        const key = parseCachedRsaPublicKey(publicKey, caches);
        return key !== undefined && rsaVerifyDigest(key, scheme.padding!, scheme.hash!, message, signature);
      }
      case 'EC':
        if (input === 'RAW') return await ec!.ecc.ecdsaVerifyMessage(ec!.curve, publicKey, scheme.hash as EcdsaHash, message, signature, caches);
        return ec!.ecc.ecdsaVerifyDigest(ec!.curve, publicKey, message, signature, caches);
      case 'ED25519':
        return await eddsa!.ed25519VerifyAsync(publicKey, algorithm === 'ED25519' ? 'pure' : 'ph', message, signature, caches);
      case 'SM2':
        return sm2!.sm2Verify(publicKey, input === 'DIGEST' ? 'DIGEST' : 'RAW', message, signature, undefined, caches);
      case 'ML_DSA':
        return pq!.mlDsaVerify(ML_DSA_LEVELS[spec]!, publicKey, input === 'EXTERNAL_MU' ? 'EXTERNAL_MU' : 'RAW', message, signature);
      default:
        return false;
    }
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ encryption

/**
 * Encrypts to a public key: RSAES-OAEP (empty label, MGF1 with the same hash), RSAES-PKCS1-v1_5,
 * SM2 C1‖C3‖C2 (C1 = 04‖x‖y) or its ASN.1 form. All randomness from `random`. Throws RangeError
 * for a plaintext over `maxPlaintextLength` or a malformed key.
 */
export async function encryptAsymmetric(spec: AsymmetricSpec, publicKey: Uint8Array, algorithm: AsymmetricEncryption, plaintext: Uint8Array, random: RandomSource, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array> {
  checkEncryption(spec, algorithm);
  if (plaintext.length > maxPlaintextLength(spec, algorithm)) throw new RangeError(`${algorithm} with key spec ${spec} cannot encrypt more than ${maxPlaintextLength(spec, algorithm)} bytes`);
  if (familyOf(spec) === 'SM2') return (await loadSm2()).sm2Encrypt(publicKey, plaintext, random, algorithm === 'SM2_C1C3C2_ASN1' ? 'C1C3C2_ASN1' : 'C1C3C2', caches);
  const key = parseCachedRsaPublicKey(publicKey, caches);
  if (!key || key.bits !== RSA_BITS[spec]) throw new RangeError(`malformed ${spec} public key`);
  if (algorithm === 'RSA_PKCS1_V1_5') return rsaPkcs1Encrypt(key, plaintext, random);
  return rsaOaepEncrypt(key, ENCRYPTION[algorithm].hash!, plaintext, random);
}

/** Decrypts; undefined on any failure (wrong key, tampered or malformed ciphertext, algorithm not of this spec). */
export async function decryptAsymmetric(spec: AsymmetricSpec, privateKey: Uint8Array, algorithm: AsymmetricEncryption, ciphertext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array | undefined> {
  try {
    checkEncryption(spec, algorithm);
  } catch {
    return undefined;
  }
  // Loaded outside the try: a module that fails to load is an error, not a ciphertext that does not decrypt.
  const sm2 = familyOf(spec) === 'SM2' ? await loadSm2() : undefined;
  try {
    if (sm2) return sm2.sm2Decrypt(privateKey, ciphertext, algorithm === 'SM2_C1C3C2_ASN1' ? 'C1C3C2_ASN1' : 'C1C3C2', caches);
    if (algorithm === 'RSA_PKCS1_V1_5') return rsaPkcs1Decrypt(privateKey, ciphertext, caches);
    return await rsaOaepDecrypt(privateKey, ENCRYPTION[algorithm].hash!, ciphertext, caches);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ key agreement and encapsulation

/**
 * ECDH (EC_* and SM2): the raw x-coordinate of d·Q. Undefined for a malformed, off-curve or
 * other-curve peer SPKI; rejects with RangeError for a spec without key agreement.
 */
export async function deriveSharedSecret(spec: AsymmetricSpec, privateKey: Uint8Array, peerPublicKey: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array | undefined> {
  const family = familyOf(spec);
  if (family === 'EC') {
    const { ecc, curve } = await ecCurve(spec);
    return ecc.ecdhSharedSecret(curve, privateKey, peerPublicKey, undefined, caches);
  }
  if (family === 'SM2') return (await loadSm2()).sm2SharedSecret(privateKey, peerPublicKey, caches);
  throw new RangeError(`key spec ${spec} cannot derive shared secrets`);
}

/** ML-KEM encapsulation to a public key: the ciphertext and the 32-byte shared secret. Rejects with RangeError for a malformed key or a spec other than ML-KEM. */
export async function encapsulate(spec: AsymmetricSpec, publicKey: Uint8Array, random: RandomSource): Promise<{ ciphertext: Uint8Array; sharedSecret: Uint8Array }> {
  const level = ML_KEM_LEVELS[spec];
  if (!level) throw new RangeError(`key spec ${spec} cannot encapsulate`);
  return (await loadPq()).mlKemEncapsulate(level, publicKey, random);
}

/** ML-KEM decapsulation; undefined for a ciphertext of the wrong length (a tampered one gives the implicit-rejection secret). */
export async function decapsulate(spec: AsymmetricSpec, privateKey: Uint8Array, ciphertext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array | undefined> {
  const level = ML_KEM_LEVELS[spec];
  if (!level) throw new RangeError(`key spec ${spec} cannot decapsulate`);
  return (await loadPq()).mlKemDecapsulate(level, privateKey, ciphertext, caches);
}
