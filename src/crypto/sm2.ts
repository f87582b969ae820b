/**
 * SM2 (GM/T 0003-2012, GB/T 32918-2016) on the recommended curve sm2p256v1, with @noble/curves'
 * point arithmetic and our SM3:
 *   - SM2DSA signatures with Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) and e = SM3(Z_A ‖ M),
 *     default ID "1234567812345678"; DER SEQUENCE { r, s } output.
 *   - SM2 public-key encryption: C1 ‖ C3 ‖ C2 raw (C1 = 04 ‖ x ‖ y) or the GM/T 0009 ASN.1 form
 *     SEQUENCE { INTEGER x, INTEGER y, OCTET STRING C3, OCTET STRING C2 }.
 *   - ECDH on the curve (raw x-coordinate), as for the NIST curves.
 * Keys use the EC encodings of ecc.ts with the curve OID 1.2.156.10197.1.301.
 * The per-key values every signature needs ((1 + d)^-1, Z_A) are cached with the parsed key.
 */
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { equalBytes, utf8 } from './bytes.js';
import { bigInteger, bigIntToBytes, bytesToBigInt, octetString, readBigInt, readOctetString, readSequence, sequence } from './der.js';
import { cachedPrivateScalar, cachedPublicPoint, decodeDerSignature, decodePoint, ecdhSharedSecret, encodeDerSignature, encodeEcPublicKey, generateEcKey, publicCombination, randomScalar, secretTimesBase, secretTimesPublic, type WeierstrassCurve } from './ecc.js';
import { type CryptoCaches, defaultCryptoCaches, keySlot } from './caches.js';
import { OID } from './keys.js';
import type { RandomSource } from './random.js';
import { sm3 } from './sm3.js';

const CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};

const Point = weierstrass(CURVE);
// A wider window for the fixed base: signing and encryption are one k·G each.
Point.BASE.precompute(8);
const N = CURVE.n;
const modN = (x: bigint): bigint => {
  const r = x % N;
  return r < 0n ? r + N : r;
};

/** sm2p256v1; private scalars in [1, n − 2] so that 1 + d is invertible. */
export const SM2_CURVE: WeierstrassCurve = { name: 'SM2', oid: OID.sm2p256v1, Point, size: 32, maxScalar: N - 2n };

export const SM2_DEFAULT_USER_ID = utf8('1234567812345678');

const CURVE_BYTES = [CURVE.a, CURVE.b, CURVE.Gx, CURVE.Gy].map((v) => bigIntToBytes(v, 32));

/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) of a public point and a user id. */
export function sm2Za(publicPoint: Uint8Array, userId: Uint8Array = SM2_DEFAULT_USER_ID): Uint8Array {
  const bits = userId.length * 8;
  if (bits > 0xffff) throw new RangeError('SM2 user id too long');
  const h = sm3.create().update(Uint8Array.of(bits >> 8, bits & 0xff)).update(userId);
  for (const v of CURVE_BYTES) h.update(v);
  return h.update(publicPoint.subarray(1, 65)).digest();
}

/** e = SM3(Z_A ‖ M): the digest SM2DSA signs. */
export function sm2Digest(publicPoint: Uint8Array, message: Uint8Array, userId: Uint8Array = SM2_DEFAULT_USER_ID): Uint8Array {
  return sm3.create().update(sm2Za(publicPoint, userId)).update(message).digest();
}

// ------------------------------------------------------------------ keys

interface PrivateEntry {
  readonly d: bigint;
  /** (1 + d)^-1 mod n. */
  readonly inverse: bigint;
  /** 04 ‖ x ‖ y. */
  readonly publicPoint: Uint8Array;
  /** Z_A with the default user id. */
  readonly za: Uint8Array;
}

const PRIVATE_KEYS = keySlot<PrivateEntry>('SM2 private keys');
/** Z_A with the default user id, by public point. */
const DEFAULT_ZA = keySlot<Uint8Array>('SM2 Z_A');

function privateEntry(pkcs8: Uint8Array, caches: CryptoCaches): PrivateEntry | undefined {
  return caches.keys(PRIVATE_KEYS).get(pkcs8, (der) => {
    const key = cachedPrivateScalar(SM2_CURVE, der, caches);
    if (!key) return undefined;
    const publicPoint = Point.BASE.multiply(key.d).toBytes(false);
    return { d: key.d, inverse: Point.Fn.inv(key.d + 1n), publicPoint, za: sm2Za(publicPoint) };
  });
}

/** A new SM2 key pair (d in [1, n − 2]) from `random`. */
export function generateSm2Key(random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array } {
  return generateEcKey(SM2_CURVE, random);
}

export function sm2PublicKeyOf(pkcs8: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const entry = privateEntry(pkcs8, caches);
  if (!entry) throw new RangeError('malformed SM2 private key');
  return encodeEcPublicKey(SM2_CURVE, Point.fromBytes(entry.publicPoint));
}

// ------------------------------------------------------------------ signatures

/** The 32-byte e to sign: SM3(Z_A ‖ M) for a message (RAW), or the caller's e (DIGEST). */
function signedDigest(input: 'RAW' | 'DIGEST', message: Uint8Array, za: () => Uint8Array): Uint8Array {
  if (input === 'DIGEST') {
    if (message.length !== 32) throw new RangeError(`SM2 digest must be 32 bytes, got ${message.length}`);
    return message;
  }
  return sm3.create().update(za()).update(message).digest();
}

/**
 * SM2DSA: RAW signs e = SM3(Z_A ‖ M) with the default user id (or `userId`); DIGEST signs the
 * given 32-byte e as is. k comes from `random` (reproducible from a seeded source).
 */
export function sm2Sign(pkcs8: Uint8Array, input: 'RAW' | 'DIGEST', message: Uint8Array, random: RandomSource, userId?: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const key = privateEntry(pkcs8, caches);
  if (!key) throw new RangeError('malformed SM2 private key');
  const e = bytesToBigInt(signedDigest(input, message, () => (userId ? sm2Za(key.publicPoint, userId) : key.za)));
  for (;;) {
    const k = randomScalar(SM2_CURVE, random);
    const x1 = secretTimesBase(SM2_CURVE, k).toAffine().x;
    const r = modN(e + x1);
    if (r === 0n || r + k === N) continue;
    const s = modN(key.inverse * modN(k - r * key.d));
    if (s === 0n) continue;
    return encodeDerSignature(r, s);
  }
}

/** SM2DSA verification; false for a malformed key or signature. */
export function sm2Verify(spki: Uint8Array, input: 'RAW' | 'DIGEST', message: Uint8Array, signature: Uint8Array, userId?: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): boolean {
  const key = cachedPublicPoint(SM2_CURVE, spki, caches);
  if (!key || (input === 'DIGEST' && message.length !== 32)) return false;
  const sig = decodeDerSignature(SM2_CURVE, signature);
  if (!sig) return false;
  const za = (): Uint8Array => (userId ? sm2Za(key.bytes, userId) : caches.keys(DEFAULT_ZA).get(key.bytes, (point) => sm2Za(point))!);
  const e = bytesToBigInt(signedDigest(input, message, za));
  const t = modN(sig.r + sig.s);
  if (t === 0n) return false;
  const point = publicCombination(SM2_CURVE, sig.s, key, t);
  if (point.is0()) return false;
  return modN(e + point.toAffine().x) === sig.r;
}

// ------------------------------------------------------------------ encryption

export type Sm2CiphertextForm = 'C1C3C2' | 'C1C3C2_ASN1';

/** KDF(Z, klen) of GM/T 0003.4 §5.4.3: SM3(Z ‖ ct) for ct = 1, 2, … (32-bit big-endian). */
function kdf(z: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const input = new Uint8Array(z.length + 4);
  input.set(z);
  for (let ct = 1, offset = 0; offset < length; ct++, offset += 32) {
    input[z.length] = ct >>> 24;
    input[z.length + 1] = ct >>> 16;
    input[z.length + 2] = ct >>> 8;
    input[z.length + 3] = ct;
    const block = sm3(input);
    out.set(block.subarray(0, Math.min(32, length - offset)), offset);
  }
  return out;
}

const allZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0);

/** SM2 encryption to a public key: raw C1 ‖ C3 ‖ C2 (C1 = 04 ‖ x1 ‖ y1) or the ASN.1 form. */
export function sm2Encrypt(spki: Uint8Array, plaintext: Uint8Array, random: RandomSource, form: Sm2CiphertextForm, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const key = cachedPublicPoint(SM2_CURVE, spki, caches);
  if (!key) throw new RangeError('malformed SM2 public key');
  for (;;) {
    const k = randomScalar(SM2_CURVE, random);
    const c1 = secretTimesBase(SM2_CURVE, k).toAffine();
    const shared = secretTimesPublic(key, k).toAffine();
    const x2 = bigIntToBytes(shared.x, 32);
    const y2 = bigIntToBytes(shared.y, 32);
    const t = kdf(new Uint8Array([...x2, ...y2]), plaintext.length);
    if (plaintext.length > 0 && allZero(t)) continue;
    const c2 = plaintext.map((b, i) => b ^ t[i]!);
    const c3 = sm3.create().update(x2).update(plaintext).update(y2).digest();
    if (form === 'C1C3C2_ASN1') return sequence(bigInteger(c1.x), bigInteger(c1.y), octetString(c3), octetString(c2));
    const out = new Uint8Array(65 + 32 + c2.length);
    out[0] = 0x04;
    out.set(bigIntToBytes(c1.x, 32), 1);
    out.set(bigIntToBytes(c1.y, 32), 33);
    out.set(c3, 65);
    out.set(c2, 97);
    return out;
  }
}

function decryptParts(d: bigint, c1: Uint8Array, c3: Uint8Array, c2: Uint8Array): Uint8Array | undefined {
  if (c3.length !== 32) return undefined;
  const point = decodePoint(SM2_CURVE, c1);
  if (!point) return undefined;
  const shared = point.multiply(d).toAffine();
  const x2 = bigIntToBytes(shared.x, 32);
  const y2 = bigIntToBytes(shared.y, 32);
  const t = kdf(new Uint8Array([...x2, ...y2]), c2.length);
  if (c2.length > 0 && allZero(t)) return undefined;
  const plaintext = c2.map((b, i) => b ^ t[i]!);
  const u = sm3.create().update(x2).update(plaintext).update(y2).digest();
  return equalBytes(u, c3) ? plaintext : undefined;
}

/**
 * SM2 decryption; undefined on any failure. The raw form is accepted with C1 = 04 ‖ x ‖ y
 * (GM/T 0003) and without the 04 (as sm-crypto and Tencent's raw mode write it): the C3 check
 * decides which reading is right.
 */
export function sm2Decrypt(pkcs8: Uint8Array, ciphertext: Uint8Array, form: Sm2CiphertextForm, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  const key = privateEntry(pkcs8, caches);
  if (!key) return undefined;
  if (form === 'C1C3C2_ASN1') {
    const parts = readSequence(ciphertext);
    if (!parts || parts.length !== 4) return undefined;
    const x = readBigInt(parts[0]);
    const y = readBigInt(parts[1]);
    const c3 = readOctetString(parts[2]);
    const c2 = readOctetString(parts[3]);
    if (x === undefined || y === undefined || !c3 || !c2 || x >= CURVE.p || y >= CURVE.p) return undefined;
    const c1 = new Uint8Array([4, ...bigIntToBytes(x, 32), ...bigIntToBytes(y, 32)]);
    return decryptParts(key.d, c1, c3, c2);
  }
  if (ciphertext.length >= 97 && ciphertext[0] === 0x04) {
    const withPrefix = decryptParts(key.d, ciphertext.subarray(0, 65), ciphertext.subarray(65, 97), ciphertext.subarray(97));
    if (withPrefix) return withPrefix;
  }
  if (ciphertext.length < 96) return undefined;
  const c1 = new Uint8Array(65);
  c1[0] = 0x04;
  c1.set(ciphertext.subarray(0, 64), 1);
  return decryptParts(key.d, c1, ciphertext.subarray(64, 96), ciphertext.subarray(96));
}

// ------------------------------------------------------------------ key agreement

/** ECDH on sm2p256v1: the x-coordinate of d·Q; undefined for a bad peer key. */
export function sm2SharedSecret(pkcs8: Uint8Array, peerSpki: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  const key = privateEntry(pkcs8, caches);
  return key && ecdhSharedSecret(SM2_CURVE, pkcs8, peerSpki, key.d, caches);
}

/** The curve's point type, for tests and callers that need raw points. */
export const Sm2Point = Point;
