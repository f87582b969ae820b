/**
 * Ed25519 (RFC 8032) on @noble/curves: pure Ed25519 and Ed25519ph (SHA-512 prehash, dom2 flag 1,
 * empty context). Keys as RFC 8410 writes them:
 *   PKCS#8  { id-Ed25519 } ‖ OCTET STRING { OCTET STRING seed(32) }   (48 bytes)
 *   SPKI    { id-Ed25519 } ‖ BIT STRING public key(32)                 (44 bytes)
 * Verification is strict RFC 8032 (canonical encodings, s < L), not ZIP-215.
 */
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import { octetString, readOctetString, readWhole } from './der.js';
import { KeyCache } from './key-cache.js';
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

const seeds = new KeyCache<Uint8Array>();
const publicKeys = new KeyCache<Uint8Array>();

function seedOf(pkcs8: Uint8Array): Uint8Array {
  const seed = seeds.get(pkcs8, parseEd25519PrivateKey);
  if (!seed) throw new RangeError('malformed Ed25519 private key');
  return seed;
}

export function generateEd25519Key(random: RandomSource): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const seed = random.fill(new Uint8Array(32));
  return { privateKey: encodeEd25519PrivateKey(seed), publicKey: encodeEd25519PublicKey(ed25519.getPublicKey(seed)) };
}

export function ed25519PublicKeyOf(pkcs8: Uint8Array): Uint8Array {
  return encodeEd25519PublicKey(ed25519.getPublicKey(seedOf(pkcs8)));
}

export type Ed25519Variant = 'pure' | 'ph';

/** Pure Ed25519 over the message, or Ed25519ph over the message (SHA-512 applied by the primitive). Deterministic. */
export function ed25519Sign(pkcs8: Uint8Array, variant: Ed25519Variant, message: Uint8Array): Uint8Array {
  return (variant === 'pure' ? ed25519 : ed25519ph).sign(message, seedOf(pkcs8));
}

export function ed25519Verify(spki: Uint8Array, variant: Ed25519Variant, message: Uint8Array, signature: Uint8Array): boolean {
  const publicKey = publicKeys.get(spki, parseEd25519PublicKey);
  if (!publicKey || signature.length !== 64) return false;
  try {
    return (variant === 'pure' ? ed25519 : ed25519ph).verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
