/**
 * Elliptic curves in short Weierstrass form: P-256, P-384, P-521, secp256k1 (ECDSA, ECDH) on
 * @noble/curves, with a WebCrypto fast path for ECDSA over a message on the NIST curves
 * (`ecdsaSignMessage` / `ecdsaVerifyMessage`), and the key encodings they share with SM2 (sm2.ts):
 *   PKCS#8  { id-ecPublicKey, namedCurve } ‖ ECPrivateKey { 1, d (fixed length), [1] public point }
 *   SPKI    { id-ecPublicKey, namedCurve } ‖ BIT STRING uncompressed point 04‖x‖y
 * as OpenSSL and node:crypto write them.
 */
import type { ECDSA, WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bigInteger, bitString, bigIntToBytes, bytesToBigInt, explicit, octetString, oid, readBigInt, readOctetString, readOid, readSequence, readSmallInteger, readWhole, sequence, smallInteger, TAG, unsignedInteger } from './der.js';
import { type CryptoCaches, defaultCryptoCaches, type KeySlot, keySlot, type PlatformSigning } from './caches.js';
import { algorithmIdentifier, encodePkcs8, encodeSpki, OID, type ParsedAlgorithm, parsePkcs8, parseSpki } from './keys.js';
import type { RandomSource } from './random.js';

export const ECDSA_HASHES = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;
export type EcdsaHash = keyof typeof ECDSA_HASHES;

/** What the key encodings need to know of a curve. */
export interface WeierstrassCurve {
  readonly name: string;
  readonly oid: string;
  readonly Point: WeierstrassPointCons<bigint>;
  /** Bytes of a field element and of a scalar (equal for every curve here). */
  readonly size: number;
  /** Largest private scalar allowed (n − 1; SM2 wants n − 2 so that 1 + d is invertible). */
  readonly maxScalar: bigint;
}

export interface EcdsaCurve extends WeierstrassCurve {
  readonly ecdsa: ECDSA;
}

const ecdsaCurve = (name: string, curveOid: string, ecdsa: ECDSA): EcdsaCurve => ({
  name,
  oid: curveOid,
  Point: ecdsa.Point,
  ecdsa,
  size: ecdsa.lengths.secretKey!,
  maxScalar: ecdsa.Point.CURVE().n - 1n,
});

export const P256 = ecdsaCurve('P-256', OID.prime256v1, p256);
export const P384 = ecdsaCurve('P-384', OID.secp384r1, p384);
export const P521 = ecdsaCurve('P-521', OID.secp521r1, p521);
export const SECP256K1 = ecdsaCurve('secp256k1', OID.secp256k1, secp256k1);

// ------------------------------------------------------------------ keys

/** A uniformly random scalar in [1, maxScalar] drawn from `random` (64 extra bits: negligible bias). */
export function randomScalar(curve: WeierstrassCurve, random: RandomSource): bigint {
  const bytes = random.fill(new Uint8Array(curve.size + 8));
  return (bytesToBigInt(bytes) % curve.maxScalar) + 1n;
}

const ecAlgorithm = (curve: WeierstrassCurve): Uint8Array => algorithmIdentifier(OID.ecPublicKey, oid(curve.oid));

/** PKCS#8 of a private scalar; the optional [1] public key is included as OpenSSL does, unless `withPublicKey` is false. */
export function encodeEcPrivateKey(curve: WeierstrassCurve, d: bigint, withPublicKey = true): Uint8Array {
  const secret = octetString(bigIntToBytes(d, curve.size));
  const ecPrivateKey = withPublicKey
    ? sequence(smallInteger(1), secret, explicit(1, bitString(curve.Point.BASE.multiply(d).toBytes(false))))
    : sequence(smallInteger(1), secret);
  return encodePkcs8(ecAlgorithm(curve), ecPrivateKey);
}

export function encodeEcPublicKey(curve: WeierstrassCurve, point: WeierstrassPoint<bigint>): Uint8Array {
  return encodeSpki(ecAlgorithm(curve), point.toBytes(false));
}

/** The curve OID of an id-ecPublicKey AlgorithmIdentifier (named curves only). */
function namedCurve(info: ParsedAlgorithm | undefined): string | undefined {
  if (!info || info.algorithm !== OID.ecPublicKey || info.parameters?.tag !== TAG.OID) return undefined;
  return readOid(info.parameters);
}

/** The private scalar of an EC PKCS#8 for `curve`; undefined if malformed, of another curve or out of range. */
export function parseEcPrivateKey(curve: WeierstrassCurve, pkcs8: Uint8Array): bigint | undefined {
  const info = parsePkcs8(pkcs8);
  if (namedCurve(info) !== curve.oid) return undefined;
  const parts = readSequence(info!.privateKey);
  if (!parts || parts.length < 2 || readSmallInteger(parts[0]) !== 1) return undefined;
  const secret = readOctetString(parts[1]);
  if (!secret || secret.length === 0 || secret.length > curve.size) return undefined;
  for (const optional of parts.slice(2)) {
    if (optional.tag === 0xa0) {
      const params = readOid(readWhole(optional.content));
      if (params !== curve.oid) return undefined;
    } else if (optional.tag !== 0xa1) return undefined;
  }
  const d = bytesToBigInt(secret);
  return d >= 1n && d <= curve.maxScalar ? d : undefined;
}

/** The public point of an EC SPKI for `curve`, validated (on the curve, not infinity); compressed points are accepted. */
export function parseEcPublicKey(curve: WeierstrassCurve, spki: Uint8Array): WeierstrassPoint<bigint> | undefined {
  const info = parseSpki(spki);
  if (namedCurve(info) !== curve.oid) return undefined;
  return decodePoint(curve, info!.publicKey);
}

export function decodePoint(curve: WeierstrassCurve, bytes: Uint8Array): WeierstrassPoint<bigint> | undefined {
  try {
    const point = curve.Point.fromBytes(bytes);
    point.assertValidity();
    return point.is0() ? undefined : point;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ caches

/** A parsed public key; after a few uses its point gets wNAF tables, so verifying with a hot key costs far less. */
export interface PublicKeyEntry {
  readonly point: WeierstrassPoint<bigint>;
  /** 04 ‖ x ‖ y. */
  readonly bytes: Uint8Array;
  uses: number;
  /** Its WebCrypto import (NIST curves only), made on first use. */
  web?: Promise<CryptoKey | undefined>;
}

/** Uses before a key's point gets its precomputed tables: about where their cost (20–200 ms, ≈ 130 kB) pays back. */
const PRECOMPUTE_AFTER = 16;
const PRECOMPUTE_WINDOW = 5;

/** A parsed private key; `web` is its WebCrypto import (NIST curves only), made on first use. */
export interface PrivateKeyEntry {
  readonly d: bigint;
  /** d as fixed-length big-endian bytes. */
  readonly secret: Uint8Array;
  web?: Promise<CryptoKey | undefined>;
  /** Its platform signer (CryptoCaches.platformSigning), made on first use, with the signing it came from. */
  platform?: { readonly from: PlatformSigning; readonly sign: ReturnType<PlatformSigning['ecdsaSigner']> };
}

/** The cache slots of one curve (the caches themselves are in CryptoCaches). */
interface CurveSlots {
  readonly privateScalars: KeySlot<PrivateKeyEntry>;
  readonly publicPoints: KeySlot<PublicKeyEntry>;
}
const curveSlots = new WeakMap<WeierstrassCurve, CurveSlots>();

function slotsOf(curve: WeierstrassCurve): CurveSlots {
  let c = curveSlots.get(curve);
  if (!c) {
    c = { privateScalars: keySlot(`${curve.name} private keys`), publicPoints: keySlot(`${curve.name} public keys`, 'publicPoints') };
    curveSlots.set(curve, c);
  }
  return c;
}

/** The private scalar of a PKCS#8 (and its fixed-length bytes), parsed once per key. */
export function cachedPrivateScalar(curve: WeierstrassCurve, pkcs8: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): PrivateKeyEntry | undefined {
  return caches.keys(slotsOf(curve).privateScalars).get(pkcs8, (der) => {
    const d = parseEcPrivateKey(curve, der);
    return d === undefined ? undefined : { d, secret: bigIntToBytes(d, curve.size) };
  });
}

/** The validated public point of an SPKI (and its uncompressed bytes), parsed once per key. */
export function cachedPublicPoint(curve: WeierstrassCurve, spki: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): PublicKeyEntry | undefined {
  return caches.keys(slotsOf(curve).publicPoints).get(spki, (der) => {
    const point = parseEcPublicKey(curve, der);
    return point && { point, bytes: point.toBytes(false), uses: 0 };
  });
}

/** Counts a use of a public key; on the PRECOMPUTE_AFTER-th its point gets wNAF tables. True once it has them. */
function isHot(key: PublicKeyEntry): boolean {
  key.uses++;
  if (key.uses === PRECOMPUTE_AFTER) key.point.precompute(PRECOMPUTE_WINDOW, false);
  return key.uses >= PRECOMPUTE_AFTER;
}

/**
 * u1·G + u2·Q for public scalars. A key used often enough verifies with precomputed tables for
 * Q (two table look-up multiplications); a key seen once uses one joint Strauss–Shamir walk.
 */
export function publicCombination(curve: WeierstrassCurve, u1: bigint, key: PublicKeyEntry, u2: bigint): WeierstrassPoint<bigint> {
  if (isHot(key)) return curve.Point.BASE.multiplyUnsafe(u1).add(key.point.multiplyUnsafe(u2));
  return curve.Point.BASE.mulAddUnsafe(u1, key.point, u2);
}

/**
 * k·G for a secret k. On a point with tables (the base point always has them) noble's
 * `multiplyUnsafe` runs its fixed-window table kernel: one addition per window and a scan of the
 * whole window whatever the digits, so the operation sequence does not depend on k. `multiply`
 * runs the same kernel over k plus a random multiple of the order (scalar blinding, 128 more
 * bits), which costs 1.7 times as much; BigInt arithmetic is not constant-time in any case.
 */
export function secretTimesBase(curve: WeierstrassCurve, k: bigint): WeierstrassPoint<bigint> {
  return curve.Point.BASE.multiplyUnsafe(k);
}

/** k·Q for a secret k and a public key Q: the table kernel once Q is hot, else noble's constant-time multiply. */
export function secretTimesPublic(key: PublicKeyEntry, k: bigint): WeierstrassPoint<bigint> {
  return isHot(key) ? key.point.multiplyUnsafe(k) : key.point.multiply(k);
}

// ------------------------------------------------------------------ DER signatures

/** ECDSA-Sig-Value / SM2 signature: SEQUENCE { INTEGER r, INTEGER s }. */
export function encodeDerSignature(r: bigint, s: bigint): Uint8Array {
  return sequence(bigInteger(r), bigInteger(s));
}

/** Strict DER SEQUENCE { r, s } with 1 ≤ r, s < n; undefined for anything else. */
export function decodeDerSignature(curve: WeierstrassCurve, der: Uint8Array): { r: bigint; s: bigint } | undefined {
  const parts = readSequence(der);
  if (!parts || parts.length !== 2) return undefined;
  const r = readBigInt(parts[0]);
  const s = readBigInt(parts[1]);
  const n = curve.Point.Fn.ORDER;
  if (r === undefined || s === undefined || r < 1n || r >= n || s < 1n || s >= n) return undefined;
  return { r, s };
}

// ------------------------------------------------------------------ ECDSA and ECDH

export function generateEcKey(curve: WeierstrassCurve, random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const d = randomScalar(curve, random);
  return { privateKey: encodeEcPrivateKey(curve, d), publicKey: encodeEcPublicKey(curve, curve.Point.BASE.multiply(d)) };
}

export function ecPublicKeyOf(curve: WeierstrassCurve, pkcs8: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const key = cachedPrivateScalar(curve, pkcs8, caches);
  if (!key) throw new RangeError(`malformed ${curve.name} private key`);
  return encodeEcPublicKey(curve, curve.Point.BASE.multiply(key.d));
}

/**
 * ECDSA over a digest (never hashed again; a digest longer than the order is truncated to its
 * leftmost bits, as ECDSA specifies). RFC 6979 nonces with 32 bytes of extra entropy from
 * `random` (hedged signatures; reproducible from a seeded source). DER output.
 */
export function ecdsaSignDigest(curve: EcdsaCurve, pkcs8: Uint8Array, digest: Uint8Array, random: RandomSource, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  const key = cachedPrivateScalar(curve, pkcs8, caches);
  if (!key) throw new RangeError(`malformed ${curve.name} private key`);
  const extraEntropy = random.fill(new Uint8Array(32));
  return curve.ecdsa.sign(digest, key.secret, { prehash: false, lowS: false, format: 'der', extraEntropy });
}

/**
 * ECDSA verification (SEC 1 §4.1.4) of a DER signature over a digest (truncated to the order's
 * bit length, never hashed again). High-S signatures are accepted (OpenSSL makes them); malformed
 * DER, out-of-range r or s, or a bad key give false.
 */
export function ecdsaVerifyDigest(curve: EcdsaCurve, spki: Uint8Array, digest: Uint8Array, signature: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): boolean {
  const key = cachedPublicPoint(curve, spki, caches);
  const sig = key && decodeDerSignature(curve, signature);
  if (!key || !sig) return false;
  const { Fn } = curve.Point;
  const excess = digest.length * 8 - Fn.BITS;
  const h = Fn.create(excess > 0 ? bytesToBigInt(digest) >> BigInt(excess) : bytesToBigInt(digest));
  const sInverse = Fn.inv(sig.s);
  const point = publicCombination(curve, Fn.mul(h, sInverse), key, Fn.mul(sig.r, sInverse));
  return !point.is0() && Fn.create(point.toAffine().x) === sig.r;
}

// ------------------------------------------------------------------ ECDSA on WebCrypto

/** WebCrypto's names of the curves it signs with; secp256k1 (and SM2) are not among them. */
const WEB_CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521' };

const subtle = (): SubtleCrypto | undefined => globalThis.crypto?.subtle;
const buf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes.slice();

/**
 * One CryptoKey per key, imported once from a canonical re-encoding (uncompressed point; PKCS#8
 * with its public key), so WebCrypto sees exactly the key noble would use. Undefined when there is
 * no WebCrypto or it refuses the curve: the caller then stays on noble.
 */
function webKey(curve: WeierstrassCurve, entry: { web?: Promise<CryptoKey | undefined> }, format: 'pkcs8' | 'spki', der: () => Uint8Array): Promise<CryptoKey | undefined> {
  if (!entry.web) {
    const api = subtle();
    const namedCurve = WEB_CURVES[curve.name];
    entry.web =
      api && namedCurve
        ? api.importKey(format, buf(der()), { name: 'ECDSA', namedCurve }, false, [format === 'pkcs8' ? 'sign' : 'verify']).catch(() => undefined)
        : Promise.resolve(undefined);
  }
  return entry.web;
}

/**
 * ECDSA over a message hashed with `hash` (any SHA-2 with any curve; a digest longer than the
 * order is truncated, as ECDSA specifies). DER output. On P-256/384/521 with the system source
 * this is the platform's signer when the caches have one (CryptoCaches.platformSigning: node:crypto
 * in the server), else WebCrypto's (randomized) ECDSA; from a seeded source (`random.position` defined),
 * on secp256k1, or without WebCrypto it is `ecdsaSignDigest` on noble (hedged RFC 6979,
 * reproducible from a seed).
 */
export async function ecdsaSignMessage(curve: EcdsaCurve, pkcs8: Uint8Array, hash: EcdsaHash, message: Uint8Array, random: RandomSource, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array> {
  const key = cachedPrivateScalar(curve, pkcs8, caches);
  if (!key) throw new RangeError(`malformed ${curve.name} private key`);
  const platform = random.position === undefined ? caches.platformSigning : undefined;
  const namedCurve = WEB_CURVES[curve.name];
  if (platform && namedCurve) {
    if (key.platform?.from !== platform) key.platform = { from: platform, sign: platform.ecdsaSigner(namedCurve, encodeEcPrivateKey(curve, key.d)) };
    if (key.platform.sign) return key.platform.sign(hash, message);
  }
  const cryptoKey = random.position === undefined ? await webKey(curve, key, 'pkcs8', () => encodeEcPrivateKey(curve, key.d)) : undefined;
  if (!cryptoKey) return ecdsaSignDigest(curve, pkcs8, ECDSA_HASHES[hash](message), random, caches);
  const p1363 = new Uint8Array(await subtle()!.sign({ name: 'ECDSA', hash }, cryptoKey, buf(message)));
  const half = p1363.length / 2;
  return sequence(unsignedInteger(p1363.subarray(0, half)), unsignedInteger(p1363.subarray(half)));
}

/**
 * ECDSA verification of a DER signature over a message hashed with `hash`: the same answers as
 * `ecdsaVerifyDigest`. The key and the signature are checked here first (point on the curve,
 * strict DER, 1 ≤ r, s < n; high-S accepted), then r ‖ s goes to WebCrypto on the NIST curves.
 */
export async function ecdsaVerifyMessage(curve: EcdsaCurve, spki: Uint8Array, hash: EcdsaHash, message: Uint8Array, signature: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<boolean> {
  const key = cachedPublicPoint(curve, spki, caches);
  const sig = key && decodeDerSignature(curve, signature);
  if (!key || !sig) return false;
  const cryptoKey = await webKey(curve, key, 'spki', () => encodeEcPublicKey(curve, key.point));
  if (!cryptoKey) return ecdsaVerifyDigest(curve, spki, ECDSA_HASHES[hash](message), signature, caches);
  const p1363 = new Uint8Array(2 * curve.size);
  p1363.set(bigIntToBytes(sig.r, curve.size));
  p1363.set(bigIntToBytes(sig.s, curve.size), curve.size);
  try {
    return await subtle()!.verify({ name: 'ECDSA', hash }, cryptoKey, p1363, buf(message));
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ ECDH

/** ECDH: the x-coordinate of d·Q (fixed length). Undefined for a malformed, off-curve or other-curve peer key. */
export function ecdhSharedSecret(curve: WeierstrassCurve, pkcs8: Uint8Array, peerSpki: Uint8Array, privateScalar?: bigint, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  const d = privateScalar ?? cachedPrivateScalar(curve, pkcs8, caches)?.d;
  if (d === undefined) return undefined;
  const info = parseSpki(peerSpki);
  if (namedCurve(info) !== curve.oid) return undefined;
  const peer = decodePoint(curve, info!.publicKey);
  if (!peer) return undefined;
  const shared = peer.multiply(d);
  if (shared.is0()) return undefined;
  return bigIntToBytes(shared.toAffine().x, curve.size);
}
