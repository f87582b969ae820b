/**
 * Ed25519 (RFC 8032) on @noble/curves: pure Ed25519 and Ed25519ph (SHA-512 prehash, dom2 flag 1,
 * empty context). Keys as RFC 8410 writes them:
 *   PKCS#8  { id-Ed25519 } ‖ OCTET STRING { OCTET STRING seed(32) }   (48 bytes)
 *   SPKI    { id-Ed25519 } ‖ BIT STRING public key(32)                 (44 bytes)
 * Verification is strict RFC 8032 (canonical encodings, s < L), not ZIP-215, and refuses
 * small-order public keys, as noble's strict mode does.
 *
 * Pure Ed25519 also runs on WebCrypto ('Ed25519') where the platform has it (Node 20 does, some
 * browsers do not): support is probed once, else noble. Signatures are deterministic, so both
 * give the same bytes. WebCrypto verifies with the cofactorless equation, noble with the
 * cofactored one; a WebCrypto "valid" is final (after the s < L and small-order checks here), a
 * "invalid" is confirmed by noble, so the answers are noble's in every case.
 */
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import { octetString, readOctetString, readWhole } from './der.js';
import { type CryptoCaches, defaultCryptoCaches, keySlot } from './caches.js';
import { algorithmIdentifier, encodePkcs8, encodeSpki, OID, parsePkcs8, parseSpki } from './keys.js';
import type { RandomSource } from './random.js';

const ALGORITHM = (): Uint8Array => algorithmIdentifier(OID.ed25519);

export function encodeEd25519PrivateKey(seed: Uint8Array): Uint8Array {
  return encodePkcs8(ALGORITHM(), octetString(seed));
}

export function encodeEd25519PublicKey(publicKey: Uint8Array): Uint8Array {
  return encodeSpki(ALGORITHM(), publicKey);
}

export function parseEd25519PrivateKey(pkcs8: Uint8Array): Uint8Array | undefined {
  const info = parsePkcs8(pkcs8);
  if (!info || info.algorithm !== OID.ed25519 || info.parameters) return undefined;
  const seed = readOctetString(readWhole(info.privateKey));
  return seed?.length === 32 ? seed : undefined;
}

/** The 32-byte public key of an Ed25519 SPKI, checked to decode to a curve point. */
export function parseEd25519PublicKey(spki: Uint8Array): Uint8Array | undefined {
  const info = parseSpki(spki);
  if (!info || info.algorithm !== OID.ed25519 || info.parameters || info.publicKey.length !== 32) return undefined;
  return ed25519.utils.isValidPublicKey(info.publicKey, false) ? info.publicKey : undefined;
}

interface PrivateEntry {
  readonly seed: Uint8Array;
  web?: Promise<CryptoKey | undefined>;
}
interface PublicEntry {
  readonly publicKey: Uint8Array;
  /** Small-order keys are refused (noble's strict mode); known before WebCrypto is asked. */
  readonly smallOrder: boolean;
  web?: Promise<CryptoKey | undefined>;
}

const PRIVATE_KEYS = keySlot<PrivateEntry>('Ed25519 private keys');
const PUBLIC_KEYS = keySlot<PublicEntry>('Ed25519 public keys');

function privateEntry(pkcs8: Uint8Array, caches: CryptoCaches): PrivateEntry {
  const entry = caches.keys(PRIVATE_KEYS).get(pkcs8, (der) => {
    const seed = parseEd25519PrivateKey(der);
    return seed && { seed };
  });
  if (!entry) throw new RangeError('malformed Ed25519 private key');
  return entry;
}

function publicEntry(spki: Uint8Array, caches: CryptoCaches): PublicEntry | undefined {
  return caches.keys(PUBLIC_KEYS).get(spki, (der) => {
    const publicKey = parseEd25519PublicKey(der);
    return publicKey && { publicKey, smallOrder: ed25519.Point.fromBytes(publicKey).isSmallOrder() };
  });
}

const seedOf = (pkcs8: Uint8Array, caches: CryptoCaches): Uint8Array => privateEntry(pkcs8, caches).seed;

// ------------------------------------------------------------------ WebCrypto

const subtle = (): SubtleCrypto | undefined => globalThis.crypto?.subtle;
const buf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes.slice();
const ED25519 = { name: 'Ed25519' } as const;

let webSupport: Promise<boolean> | undefined;

/**
 * Whether crypto.subtle signs and verifies Ed25519 as RFC 8032 does: probed once with a fixed
 * key (import, sign, compare with noble, verify), the answer kept.
 */
export function webEd25519Supported(): Promise<boolean> {
  webSupport ??= (async () => {
    const api = subtle();
    if (!api) return false;
    try {
      const seed = new Uint8Array(32).fill(7);
      const message = Uint8Array.of(1, 2, 3);
      const expected = ed25519.sign(message, seed);
      const key = await api.importKey('pkcs8', buf(encodeEd25519PrivateKey(seed)), ED25519, false, ['sign']);
      const signature = new Uint8Array(await api.sign(ED25519, key, message));
      if (signature.length !== 64 || !signature.every((b, i) => b === expected[i])) return false;
      const publicKey = await api.importKey('spki', buf(encodeEd25519PublicKey(ed25519.getPublicKey(seed))), ED25519, false, ['verify']);
      return await api.verify(ED25519, publicKey, signature, message);
    } catch {
      return false;
    }
  })();
  return webSupport;
}

/** The entry's CryptoKey, imported once from a canonical re-encoding; undefined without WebCrypto Ed25519. */
async function webKey(entry: { web?: Promise<CryptoKey | undefined> }, format: 'pkcs8' | 'spki', der: () => Uint8Array): Promise<CryptoKey | undefined> {
  if (!entry.web) {
    entry.web = webEd25519Supported().then((ok) => (ok ? subtle()!.importKey(format, buf(der()), ED25519, false, [format === 'pkcs8' ? 'sign' : 'verify']) : undefined)).catch(() => undefined);
  }
  return entry.web;
}

/** L, the order of the base point: s must be below it. */
const L = ed25519.Point.Fn.ORDER;

function scalarBelowL(signature: Uint8Array): boolean {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  return s < L;
}

export function generateEd25519Key(random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const seed = random.fill(new Uint8Array(32));
  return { privateKey: encodeEd25519PrivateKey(seed), publicKey: encodeEd25519PublicKey(ed25519.getPublicKey(seed)) };
}

export function ed25519PublicKeyOf(pkcs8: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  return encodeEd25519PublicKey(ed25519.getPublicKey(seedOf(pkcs8, caches)));
}

export type Ed25519Variant = 'pure' | 'ph';

/** Pure Ed25519 over the message, or Ed25519ph over the message (SHA-512 applied by the primitive). Deterministic. On noble. */
export function ed25519Sign(pkcs8: Uint8Array, variant: Ed25519Variant, message: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Uint8Array {
  return (variant === 'pure' ? ed25519 : ed25519ph).sign(message, seedOf(pkcs8, caches));
}

export function ed25519Verify(spki: Uint8Array, variant: Ed25519Variant, message: Uint8Array, signature: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): boolean {
  const entry = publicEntry(spki, caches);
  if (!entry || signature.length !== 64) return false;
  try {
    return (variant === 'pure' ? ed25519 : ed25519ph).verify(signature, message, entry.publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** As `ed25519Sign`; pure Ed25519 on WebCrypto where available (same bytes), Ed25519ph on noble. */
export async function ed25519SignAsync(pkcs8: Uint8Array, variant: Ed25519Variant, message: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<Uint8Array> {
  const entry = privateEntry(pkcs8, caches);
  const cryptoKey = variant === 'pure' ? await webKey(entry, 'pkcs8', () => encodeEd25519PrivateKey(entry.seed)) : undefined;
  if (!cryptoKey) return ed25519Sign(pkcs8, variant, message, caches);
  return new Uint8Array(await subtle()!.sign(ED25519, cryptoKey, buf(message)));
}

/** As `ed25519Verify` (the same answers); pure Ed25519 asks WebCrypto first where available. */
export async function ed25519VerifyAsync(spki: Uint8Array, variant: Ed25519Variant, message: Uint8Array, signature: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): Promise<boolean> {
  const entry = publicEntry(spki, caches);
  if (!entry || entry.smallOrder || signature.length !== 64 || !scalarBelowL(signature)) return false;
  const cryptoKey = variant === 'pure' ? await webKey(entry, 'spki', () => encodeEd25519PublicKey(entry.publicKey)) : undefined;
  if (cryptoKey) {
    try {
      if (await subtle()!.verify(ED25519, cryptoKey, buf(signature), buf(message))) return true;
    } catch {
      // fall through to noble
    }
  }
  return ed25519Verify(spki, variant, message, signature, caches);
}
