/**
 * RSA: key generation, PKCS#1 / PKCS#8 / SPKI encodings, RSASSA-PSS and RSASSA-PKCS1-v1_5
 * signatures, RSAES-OAEP and RSAES-PKCS1-v1_5 encryption (RFC 8017).
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
import { bigInteger, bigIntToBytes, bytesToBigInt, derNull, octetString, oid, readBigInt, readSequence, readSmallInteger, sequence, smallInteger } from './der.js';
import { type CryptoCaches, defaultCryptoCaches, keySlot } from './caches.js';
import { algorithmIdentifier, encodePkcs8, encodeSpki, OID, parsePkcs8, parseSpki } from './keys.js';
import type { RandomSource } from './random.js';

export type RsaHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: Record<RsaHash, { fn: CHash; oid: string }> = {
  'SHA-1': { fn: sha1, oid: OID.sha1 },
  'SHA-256': { fn: sha256, oid: OID.sha256 },
  'SHA-384': { fn: sha384, oid: OID.sha384 },
  'SHA-512': { fn: sha512, oid: OID.sha512 },
};

export const rsaHashLength = (hash: RsaHash): number => HASHES[hash].fn.outputLen;
export const rsaDigest = (hash: RsaHash, message: Uint8Array): Uint8Array => HASHES[hash].fn(message);

export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bytes (k in RFC 8017). */
  readonly size: number;
  readonly bits: number;
}

export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qinv: bigint;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
/** WebCrypto wants ArrayBuffer-backed views; ours may be views into larger buffers. */
const buf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes.slice();

// ------------------------------------------------------------------ arithmetic

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/** base^exp mod m, sliding window over the exponent's bits. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  base %= m;
  if (base < 0n) base += m;
  const bits = exp.toString(2);
  const w = bits.length > 1500 ? 6 : bits.length > 600 ? 5 : bits.length > 64 ? 4 : 1;
  const table: bigint[] = [base];
  if (w > 1) {
    const b2 = (base * base) % m;
    for (let i = 1; i < 1 << (w - 1); i++) table.push((table[i - 1]! * b2) % m);
  }
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      result = (result * result) % m;
      i++;
      continue;
    }
    let j = Math.min(i + w, bits.length);
    while (bits[j - 1] === '0') j--;
    const window = parseInt(bits.slice(i, j), 2);
    for (let k = i; k < j; k++) result = (result * result) % m;
    result = (result * table[(window - 1) >> 1]!) % m;
    i = j;
  }
  return result;
}

/** a^-1 mod m (extended Euclid); undefined when not invertible. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** RSAEP / RSAVP1: m^e mod n. */
export const rsaPublicOp = (key: RsaPublicKey, m: bigint): bigint => modPow(m, key.e, key.n);

/** RSADP / RSASP1 with the CRT, checked against the public operation (a fault must not leak). */
export function rsaPrivateOp(key: RsaPrivateKey, c: bigint): bigint {
  const m1 = modPow(c % key.p, key.dp, key.p);
  const m2 = modPow(c % key.q, key.dq, key.q);
  let h = ((m1 - m2) * key.qinv) % key.p;
  if (h < 0n) h += key.p;
  const m = m2 + h * key.q;
  if (rsaPublicOp(key, m) !== c) throw new Error('RSA private operation failed its check');
  return m;
}

// ------------------------------------------------------------------ key generation

/** Odd primes below 2^13, for sieving candidates before Miller–Rabin. */
const SMALL_PRIMES: readonly number[] = (() => {
  const limit = 8192;
  const composite = new Uint8Array(limit);
  const out: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return out;
})();

function randomBelow(random: RandomSource, limit: bigint): bigint {
  const bytes = Math.ceil(bitLength(limit) / 8) + 8; // 64 extra bits: negligible bias
  return bytesToBigInt(random.fill(new Uint8Array(bytes))) % limit;
}

/** Miller–Rabin with `rounds` random bases drawn from `random` (so a seeded source reproduces). */
function isProbablePrime(n: bigint, rounds: number, random: RandomSource): boolean {
  const nMinus1 = n - 1n;
  let d = nMinus1;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (let round = 0; round < rounds; round++) {
    const a = round === 0 ? 2n : 2n + randomBelow(random, n - 3n);
    let x = modPow(a, d, n);
    if (x === 1n || x === nMinus1) continue;
    let witness = true;
    for (let i = 1; i < s && witness; i++) {
      x = (x * x) % n;
      if (x === nMinus1) witness = false;
    }
    if (witness) return false;
  }
  return true;
}

/**
 * A random prime of exactly `bits` bits with the two top bits set (so p·q has exactly twice the
 * bits) and gcd(p − 1, e) = 1: a random odd start, then an incremental search over start + 2i
 * with a sieve of small primes, then Miller–Rabin (FIPS 186-5 Table B.1 round counts).
 */
function generatePrime(bits: number, e: bigint, random: RandomSource): bigint {
  const bytes = bits / 8;
  const rounds = bits >= 1536 ? 4 : 5;
  const eSmall = Number(e);
  for (;;) {
    const start = random.fill(new Uint8Array(bytes));
    start[0]! |= 0xc0;
    start[bytes - 1]! |= 1;
    const base = bytesToBigInt(start);
    const residues = SMALL_PRIMES.map((p) => {
      let r = 0;
      for (const b of start) r = (r * 256 + b) % p;
      return r;
    });
    let eResidue = 0;
    for (const b of start) eResidue = (eResidue * 256 + b) % eSmall;
    for (let delta = 0; delta < 1 << 16; delta += 2) {
      let divisible = false;
      for (let i = 0; i < SMALL_PRIMES.length; i++) {
        if ((residues[i]! + delta) % SMALL_PRIMES[i]! === 0) {
          divisible = true;
          break;
        }
      }
      if (divisible || (eResidue + delta) % eSmall === 1) continue; // p ≡ 1 (mod e): gcd(p−1, e) ≠ 1
      const candidate = base + BigInt(delta);
      if (bitLength(candidate) !== bits) break;
      if (isProbablePrime(candidate, rounds, random)) return candidate;
    }
  }
}

export const RSA_PUBLIC_EXPONENT = 65537n;

/**
 * Deterministic RSA key generation from `random` (FIPS 186-5 A.1.3 in spirit: probable primes,
 * |p − q| > 2^(bits/2 − 100), d > 2^(bits/2), d = e^-1 mod lcm(p − 1, q − 1)). Used when the
 * random source is seeded, so that the same seed gives the same key; WebCrypto otherwise.
 */
export function generateRsaKeySeeded(bits: number, random: RandomSource): RsaPrivateKey {
  const e = RSA_PUBLIC_EXPONENT;
  for (;;) {
    const p = generatePrime(bits / 2, e, random);
    const q = generatePrime(bits / 2, e, random);
    const diff = p > q ? p - q : q - p;
    if (diff >> BigInt(bits / 2 - 100) === 0n) continue;
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    if (d === undefined || d >> BigInt(bits / 2) === 0n) continue;
    const [big, small] = p > q ? [p, q] : [q, p];
    return {
      n,
      e,
      d,
      p: big,
      q: small,
      dp: d % (big - 1n),
      dq: d % (small - 1n),
      qinv: modInverse(small, big)!,
      size: bits / 8,
      bits,
    };
  }
}

/** Key generation by WebCrypto (e = 65537): native, fast, not reproducible. Returns PKCS#8 and SPKI. */
export async function generateRsaKeyWebCrypto(bits: number): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }> {
  const pair = await subtle().generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const [privateKey, publicKey] = await Promise.all([subtle().exportKey('pkcs8', pair.privateKey), subtle().exportKey('spki', pair.publicKey)]);
  return { privateKey: new Uint8Array(privateKey), publicKey: new Uint8Array(publicKey) };
}

// ------------------------------------------------------------------ encodings

const RSA_ALGORITHM = (): Uint8Array => algorithmIdentifier(OID.rsaEncryption, derNull());

function isNullOrAbsent(parameters: { tag: number; content: Uint8Array } | undefined): boolean {
  return parameters === undefined || (parameters.tag === 0x05 && parameters.content.length === 0);
}

/** PKCS#8 PrivateKeyInfo { rsaEncryption, RSAPrivateKey } (what OpenSSL and WebCrypto write). */
export function encodeRsaPrivateKey(key: RsaPrivateKey): Uint8Array {
  const rsaPrivateKey = sequence(
    smallInteger(0),
    bigInteger(key.n),
    bigInteger(key.e),
    bigInteger(key.d),
    bigInteger(key.p),
    bigInteger(key.q),
    bigInteger(key.dp),
    bigInteger(key.dq),
    bigInteger(key.qinv),
  );
  return encodePkcs8(RSA_ALGORITHM(), rsaPrivateKey);
}

/** SubjectPublicKeyInfo { rsaEncryption, RSAPublicKey { n, e } }. */
export function encodeRsaPublicKey(key: RsaPublicKey): Uint8Array {
  return encodeSpki(RSA_ALGORITHM(), sequence(bigInteger(key.n), bigInteger(key.e)));
}

function publicFields(n: bigint, e: bigint): RsaPublicKey | undefined {
  const bits = bitLength(n);
  if (bits < 512 || (n & 1n) === 0n || e < 3n || (e & 1n) === 0n || e >= n) return undefined;
  return { n, e, bits, size: Math.ceil(bits / 8) };
}

export function parseRsaPrivateKey(pkcs8: Uint8Array): RsaPrivateKey | undefined {
  const info = parsePkcs8(pkcs8);
  if (!info || info.algorithm !== OID.rsaEncryption || !isNullOrAbsent(info.parameters)) return undefined;
  const parts = readSequence(info.privateKey);
  if (!parts || parts.length < 9 || readSmallInteger(parts[0]) !== 0) return undefined;
  const [n, e, d, p, q, dp, dq, qinv] = parts.slice(1, 9).map((part) => readBigInt(part));
  if (n === undefined || e === undefined || d === undefined || p === undefined || q === undefined) return undefined;
  if (dp === undefined || dq === undefined || qinv === undefined) return undefined;
  const pub = publicFields(n, e);
  if (!pub || p * q !== n) return undefined;
  return { ...pub, d, p, q, dp, dq, qinv };
}

export function rsaPublicKeyOf(key: RsaPublicKey): RsaPublicKey {
  return { n: key.n, e: key.e, bits: key.bits, size: key.size };
}

export function parseRsaPublicKey(spki: Uint8Array): RsaPublicKey | undefined {
  const info = parseSpki(spki);
  if (!info || info.algorithm !== OID.rsaEncryption || !isNullOrAbsent(info.parameters)) return undefined;
  const parts = readSequence(info.publicKey);
  if (!parts || parts.length !== 2) return undefined;
  const n = readBigInt(parts[0]);
  const e = readBigInt(parts[1]);
  return n === undefined || e === undefined ? undefined : publicFields(n, e);
}

// ------------------------------------------------------------------ caches

interface PrivateEntry {
  readonly key: RsaPrivateKey;
  readonly imported: Map<string, Promise<CryptoKey>>;
}
interface PublicEntry {
  readonly key: RsaPublicKey;
  readonly imported: Map<string, Promise<CryptoKey>>;
}

const PRIVATE_KEYS = keySlot<PrivateEntry>('RSA private keys');
const PUBLIC_KEYS = keySlot<PublicEntry>('RSA public keys');

function privateEntry(pkcs8: Uint8Array, caches: CryptoCaches): PrivateEntry | undefined {
  return caches.keys(PRIVATE_KEYS).get(pkcs8, (der) => {
    const key = parseRsaPrivateKey(der);
    return key && { key, imported: new Map() };
  });
}

function publicEntry(spki: Uint8Array, caches: CryptoCaches): PublicEntry | undefined {
  return caches.keys(PUBLIC_KEYS).get(spki, (der) => {
    const key = parseRsaPublicKey(der);
    return key && { key, imported: new Map() };
  });
}

type WebAlgorithm = 'RSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'RSA-OAEP';

/** One imported CryptoKey per (key, algorithm, hash), imported once. */
function imported(entry: { imported: Map<string, Promise<CryptoKey>> }, format: 'pkcs8' | 'spki', der: Uint8Array, name: WebAlgorithm, hash: RsaHash, usage: KeyUsage): Promise<CryptoKey> {
  const id = `${name}/${hash}/${usage}`;
  let key = entry.imported.get(id);
  if (!key) {
    key = subtle().importKey(format, buf(der), { name, hash }, false, [usage]);
    key.catch(() => entry.imported.delete(id));
    entry.imported.set(id, key);
  }
  return key;
}

export const parseCachedRsaPrivateKey = (pkcs8: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): RsaPrivateKey | undefined => privateEntry(pkcs8, caches)?.key;
export const parseCachedRsaPublicKey = (spki: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): RsaPublicKey | undefined => publicEntry(spki, caches)?.key;

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
