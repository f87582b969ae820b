/**
 * RSA schemes (RFC 8017): RSASSA-PSS and RSASSA-PKCS1-v1_5 signatures, RSAES-OAEP and
 * RSAES-PKCS1-v1_5 encryption. Keys (arithmetic, generation, PKCS#8 / SPKI encodings, caches) live
 * in rsa-keys.ts and are re-exported here, so all of RSA is imported from this module.
 *
 * WebCrypto does the heavy private-key work where it can (signing a message, OAEP decryption,
 * unseeded key generation): it is native and fast. What WebCrypto cannot do runs here on BigInt:
 * signing a caller's digest (WebCrypto always hashes), PKCS#1 v1.5 decryption (not offered, and
 * refused by modern Node), and everything that must be reproducible from a seeded RandomSource
 * (key generation, PSS salts, OAEP seeds, PKCS#1 padding). Public-key operations (e = 65537) cost
 * microseconds in BigInt, so encryption always runs here, which keeps its randomness ours.
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash } from '@noble/hashes/utils.js';
import { equalBytes } from './bytes.js';
import { bigIntToBytes, bytesToBigInt, derNull, octetString, oid, sequence } from './der.js';
import { type CryptoCaches, defaultCryptoCaches } from './caches.js';
import { OID } from './keys.js';
import type { RandomSource } from './random.js';
import { buf, imported, privateEntry, publicEntry, type RsaHash, rsaPrivateOp, type RsaPrivateKey, rsaPublicOp, type RsaPublicKey, subtle } from './rsa-keys.js';

export {
  encodeRsaPrivateKey,
  encodeRsaPublicKey,
  generateRsaKeySeeded,
  generateRsaKeyWebCrypto,
  modInverse,
  modPow,
  parseCachedRsaPrivateKey,
  parseCachedRsaPublicKey,
  parseRsaPrivateKey,
  parseRsaPublicKey,
  RSA_PUBLIC_EXPONENT,
  type RsaHash,
  rsaPrivateOp,
  type RsaPrivateKey,
  rsaPublicKeyOf,
  rsaPublicOp,
  type RsaPublicKey,
} from './rsa-keys.js';

const HASHES: Record<RsaHash, { fn: CHash; oid: string }> = {
  'SHA-1': { fn: sha1, oid: OID.sha1 },
  'SHA-256': { fn: sha256, oid: OID.sha256 },
  'SHA-384': { fn: sha384, oid: OID.sha384 },
  'SHA-512': { fn: sha512, oid: OID.sha512 },
};

export const rsaHashLength = (hash: RsaHash): number => HASHES[hash].fn.outputLen;
export const rsaDigest = (hash: RsaHash, message: Uint8Array): Uint8Array => HASHES[hash].fn(message);

// ------------------------------------------------------------------ encoding methods (RFC 8017 §9)

function mgf1(hash: CHash, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let counter = 0, offset = 0; offset < length; counter++, offset += hash.outputLen) {
    input[seed.length] = counter >>> 24;
    input[seed.length + 1] = counter >>> 16;
    input[seed.length + 2] = counter >>> 8;
    input[seed.length + 3] = counter;
    const block = hash(input);
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
  }
  return out;
}

/** EMSA-PSS-ENCODE with sLen = hLen and MGF1 over the same hash. */
function emsaPssEncode(hash: RsaHash, mHash: Uint8Array, emBits: number, random: RandomSource): Uint8Array {
  const h = HASHES[hash].fn;
  const hLen = h.outputLen;
  const emLen = Math.ceil(emBits / 8);
  const salt = random.fill(new Uint8Array(hLen));
  const mPrime = new Uint8Array(8 + hLen + hLen);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  const H = h(mPrime);
  const db = new Uint8Array(emLen - hLen - 1);
  db[db.length - hLen - 1] = 0x01;
  db.set(salt, db.length - hLen);
  const mask = mgf1(h, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const em = new Uint8Array(emLen);
  em.set(db);
  em.set(H, db.length);
  em[emLen - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY with sLen = hLen exactly. */
function emsaPssVerify(hash: RsaHash, mHash: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const h = HASHES[hash].fn;
  const hLen = h.outputLen;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const topMask = 0xff >> (8 * emLen - emBits);
  if (em[0]! & ~topMask) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = mgf1(h, H, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topMask;
  const psLength = emLen - 2 * hLen - 2;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false;
  if (db[psLength] !== 0x01) return false;
  const mPrime = new Uint8Array(8 + 2 * hLen);
  mPrime.set(mHash, 8);
  mPrime.set(db.subarray(db.length - hLen), 8 + hLen);
  return equalBytes(h(mPrime), H);
}

/** EMSA-PKCS1-v1_5: 0x00 0x01 FF…FF 0x00 DigestInfo. */
function emsaPkcs1Encode(hash: RsaHash, digest: Uint8Array, emLen: number): Uint8Array | undefined {
  const digestInfo = sequence(sequence(oid(HASHES[hash].oid), derNull()), octetString(digest));
  if (emLen < digestInfo.length + 11) return undefined;
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0;
  em[1] = 1;
  em[emLen - digestInfo.length - 1] = 0;
  em.set(digestInfo, emLen - digestInfo.length);
  return em;
}

// ------------------------------------------------------------------ signatures

export type RsaPadding = 'PSS' | 'PKCS1';

/** Signs a digest (length = the hash's) with the BigInt private operation. */
export function rsaSignDigest(key: RsaPrivateKey, padding: RsaPadding, hash: RsaHash, digest: Uint8Array, random: RandomSource): Uint8Array {
  if (digest.length !== rsaHashLength(hash)) throw new RangeError(`${hash} digest must be ${rsaHashLength(hash)} bytes, got ${digest.length}`);
  const em = padding === 'PSS' ? emsaPssEncode(hash, digest, key.bits - 1, random) : emsaPkcs1Encode(hash, digest, key.size);
  if (!em) throw new RangeError('RSA key too small for this hash');
  return bigIntToBytes(rsaPrivateOp(key, bytesToBigInt(em)), key.size);
}

/** Verifies a signature over a digest with the public operation. */
export function rsaVerifyDigest(key: RsaPublicKey, padding: RsaPadding, hash: RsaHash, digest: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== key.size || digest.length !== rsaHashLength(hash)) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const m = rsaPublicOp(key, s);
  if (padding === 'PSS') {
    const emLen = Math.ceil((key.bits - 1) / 8);
    if (m >> BigInt(emLen * 8) !== 0n) return false;
    return emsaPssVerify(hash, digest, bigIntToBytes(m, emLen), key.bits - 1);
  }
  const expected = emsaPkcs1Encode(hash, digest, key.size);
  return expected !== undefined && equalBytes(bigIntToBytes(m, key.size), expected);
}

/**
 * Signs a message (the hash is part of the algorithm). PKCS#1 v1.5 is deterministic and runs on
 * WebCrypto. PSS draws a salt: WebCrypto's own when `random` is the system source, else (a seeded
 * source, `position` defined) the salt comes from `random` and the signature is computed here,
 * so that a seeded engine signs reproducibly.
 */
export async function rsaSignMessage(pkcs8: Uint8Array, padding: RsaPadding, hash: RsaHash, message: Uint8Array, random: RandomSource, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array> {
  const entry = privateEntry(pkcs8, caches);
  if (!entry) throw new RangeError('malformed RSA private key');
  if (padding === 'PSS' && random.position !== undefined) return rsaSignDigest(entry.key, padding, hash, rsaDigest(hash, message), random);
  const name = padding === 'PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
  const cryptoKey = await imported(entry, 'pkcs8', pkcs8, name, hash, 'sign');
  const params = padding === 'PSS' ? { name, saltLength: rsaHashLength(hash) } : { name };
  return new Uint8Array(await subtle().sign(params, cryptoKey, buf(message)));
}

/** Verifies a signature over a message on WebCrypto; false for any malformed input. */
export async function rsaVerifyMessage(spki: Uint8Array, padding: RsaPadding, hash: RsaHash, message: Uint8Array, signature: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<boolean> {
  const entry = publicEntry(spki, caches);
  if (!entry || signature.length !== entry.key.size) return false;
  try {
    const name = padding === 'PSS' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
    const cryptoKey = await imported(entry, 'spki', spki, name, hash, 'verify');
    const params = padding === 'PSS' ? { name, saltLength: rsaHashLength(hash) } : { name };
    return await subtle().verify(params, cryptoKey, buf(signature), buf(message));
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ encryption

/** Largest plaintext: OAEP k − 2·hLen − 2, PKCS#1 v1.5 k − 11. */
export function rsaMaxPlaintext(size: number, padding: 'OAEP' | 'PKCS1', hash: RsaHash = 'SHA-256'): number {
  return padding === 'OAEP' ? size - 2 * rsaHashLength(hash) - 2 : size - 11;
}

/** RSAES-OAEP-ENCRYPT (empty label, MGF1 over the same hash), seed from `random`. */
export function rsaOaepEncrypt(key: RsaPublicKey, hash: RsaHash, plaintext: Uint8Array, random: RandomSource): Uint8Array {
  const h = HASHES[hash].fn;
  const hLen = h.outputLen;
  const k = key.size;
  if (plaintext.length > rsaMaxPlaintext(k, 'OAEP', hash)) throw new RangeError(`plaintext too long for RSA-OAEP ${hash} with a ${key.bits}-bit key`);
  const db = new Uint8Array(k - hLen - 1);
  db.set(h(new Uint8Array(0)));
  db[db.length - plaintext.length - 1] = 0x01;
  db.set(plaintext, db.length - plaintext.length);
  const seed = random.fill(new Uint8Array(hLen));
  const dbMask = mgf1(h, seed, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= dbMask[i]!;
  const seedMask = mgf1(h, db, hLen);
  for (let i = 0; i < hLen; i++) seed[i]! ^= seedMask[i]!;
  const em = new Uint8Array(k);
  em.set(seed, 1);
  em.set(db, 1 + hLen);
  return bigIntToBytes(rsaPublicOp(key, bytesToBigInt(em)), k);
}

/** RSAES-OAEP-DECRYPT on WebCrypto; undefined on any failure. */
export async function rsaOaepDecrypt(pkcs8: Uint8Array, hash: RsaHash, ciphertext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array | undefined> {
  const entry = privateEntry(pkcs8, caches);
  if (!entry || ciphertext.length !== entry.key.size) return undefined;
  try {
    const cryptoKey = await imported(entry, 'pkcs8', pkcs8, 'RSA-OAEP', hash, 'decrypt');
    return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, cryptoKey, buf(ciphertext)));
  } catch {
    return undefined;
  }
}

/** RSAES-PKCS1-v1_5-ENCRYPT: 0x00 0x02 PS (non-zero random, ≥ 8 bytes) 0x00 M. */
export function rsaPkcs1Encrypt(key: RsaPublicKey, plaintext: Uint8Array, random: RandomSource): Uint8Array {
  const k = key.size;
  if (plaintext.length > rsaMaxPlaintext(k, 'PKCS1')) throw new RangeError(`plaintext too long for RSAES-PKCS1-v1_5 with a ${key.bits}-bit key`);
  const em = new Uint8Array(k);
  em[1] = 0x02;
  const ps = em.subarray(2, k - plaintext.length - 1);
  random.fill(ps);
  for (let i = 0; i < ps.length; i++) {
    while (ps[i] === 0) ps[i] = random.fill(new Uint8Array(1))[0]!;
  }
  em.set(plaintext, k - plaintext.length);
  return bigIntToBytes(rsaPublicOp(key, bytesToBigInt(em)), k);
}

/**
 * RSAES-PKCS1-v1_5-DECRYPT with the BigInt private operation. Every check is folded into one flag
 * over a scan of the whole block, so a bad padding takes the same path as a good one; any failure
 * is undefined.
 */
export function rsaPkcs1Decrypt(pkcs8: Uint8Array, ciphertext: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  const entry = privateEntry(pkcs8, caches);
  if (!entry || ciphertext.length !== entry.key.size) return undefined;
  const key = entry.key;
  const c = bytesToBigInt(ciphertext);
  if (c >= key.n) return undefined;
  let em: Uint8Array;
  try {
    em = bigIntToBytes(rsaPrivateOp(key, c), key.size);
  } catch {
    return undefined;
  }
  let bad = (em[0]! | (em[1]! ^ 0x02)) !== 0 ? 1 : 0;
  let separator = 0; // index of the first zero after the padding string, 0 while not found
  for (let i = 2; i < em.length; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const first = isZero & (separator === 0 ? 1 : 0);
    separator = first ? i : separator;
  }
  bad |= separator === 0 ? 1 : 0;
  bad |= separator < 10 ? 1 : 0; // at least 8 bytes of padding
  return bad ? undefined : em.slice(separator + 1);
}
