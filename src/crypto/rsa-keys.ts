/**
 * RSA keys (RFC 8017): the BigInt arithmetic (modular exponentiation, the CRT private operation),
 * key generation (seeded here, unseeded on WebCrypto), the PKCS#8 / SPKI encodings, and the
 * per-key caches of parsed keys and imported WebCrypto keys. The schemes built on these are in
 * rsa.ts, which re-exports the public API from here; `subtle`, `buf` and the cache entries
 * (`privateEntry`, `publicEntry`, `imported`) are exported for rsa.ts alone.
 */
import { bigInteger, bytesToBigInt, derNull, readBigInt, readSequence, readSmallInteger, sequence, smallInteger } from './der.js';
import { type CryptoCaches, defaultCryptoCaches, keySlot } from './caches.js';
import { algorithmIdentifier, encodePkcs8, encodeSpki, OID, parsePkcs8, parseSpki } from './keys.js';
import type { RandomSource } from './random.js';

export type RsaHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

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

export const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
/** WebCrypto wants ArrayBuffer-backed views; ours may be views into larger buffers. */
export const buf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes.slice();

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

export interface PrivateEntry {
  readonly key: RsaPrivateKey;
  readonly imported: Map<string, Promise<CryptoKey>>;
}
export interface PublicEntry {
  readonly key: RsaPublicKey;
  readonly imported: Map<string, Promise<CryptoKey>>;
}

const PRIVATE_KEYS = keySlot<PrivateEntry>('RSA private keys');
const PUBLIC_KEYS = keySlot<PublicEntry>('RSA public keys');

export function privateEntry(pkcs8: Uint8Array, caches: CryptoCaches): PrivateEntry | undefined {
  return caches.keys(PRIVATE_KEYS).get(pkcs8, (der) => {
    const key = parseRsaPrivateKey(der);
    return key && { key, imported: new Map() };
  });
}

export function publicEntry(spki: Uint8Array, caches: CryptoCaches): PublicEntry | undefined {
  return caches.keys(PUBLIC_KEYS).get(spki, (der) => {
    const key = parseRsaPublicKey(der);
    return key && { key, imported: new Map() };
  });
}

export type WebAlgorithm = 'RSA-PSS' | 'RSASSA-PKCS1-v1_5' | 'RSA-OAEP';

/** One imported CryptoKey per (key, algorithm, hash), imported once. */
export function imported(entry: { imported: Map<string, Promise<CryptoKey>> }, format: 'pkcs8' | 'spki', der: Uint8Array, name: WebAlgorithm, hash: RsaHash, usage: KeyUsage): Promise<CryptoKey> {
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

