import { sha256 } from '@noble/hashes/sha2.js';
import { aesGcmOpen, aesGcmSeal, GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aes-gcm.js';
import { equalBytes, fromHex, fromUtf8, toHex, utf8 } from './bytes.js';
import { type CryptoCaches, defaultCryptoCaches } from './caches.js';
import { EnvelopeAlgorithm, type EnvelopeAlgorithmId, type EnvelopeHeader } from './cache-entries.js';

export { EnvelopeAlgorithm, type EnvelopeAlgorithmId } from './cache-entries.js';
import { sm4GcmOpen, sm4GcmSeal } from './sm4.js';

/**
 * The symmetric ciphertext envelope (format version 1), documented in docs/ciphertext-format.md.
 *
 *   version(1) algorithm(1) len(1) account len(1) region len(1) keyId materialId(32) check(4)
 *   nonce(12) ciphertext tag(16)
 *
 * Everything before the nonce is the header; `check` is the first four bytes of SHA-256 over the
 * header fields, so a corrupted header is caught before any key is looked up. The AEAD named by the
 * algorithm byte (AES-256-GCM, or SM4-GCM for 128-bit SM4 keys; 12-byte nonce and 16-byte tag
 * either way) authenticates header || canonical(encryption context) as additional data.
 */
export const ENVELOPE_VERSION = 1;


const MATERIAL_ID_BYTES = 32;
const CHECK_BYTES = 4;

export type { EnvelopeHeader } from './cache-entries.js';

export interface ParsedEnvelope extends EnvelopeHeader {
  headerBytes: Uint8Array;
  nonce: Uint8Array;
  sealed: Uint8Array;
}

export type EncryptionContext = Record<string, string>;

/** Canonical bytes of an encryption context: entries sorted by key, each length-prefixed. */
export function canonicalContext(context: EncryptionContext | undefined): Uint8Array {
  const entries = context ? Object.entries(context) : [];
  if (entries.length === 0) return new Uint8Array(0);
  const encoded = entries
    .map(([k, v]) => [utf8(k), utf8(v)] as const)
    .sort((a, b) => compareBytes(a[0], b[0]));
  let size = 4;
  for (const [k, v] of encoded) size += 8 + k.length + v.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, encoded.length);
  let o = 4;
  for (const [k, v] of encoded) {
    view.setUint32(o, k.length);
    out.set(k, o + 4);
    o += 4 + k.length;
    view.setUint32(o, v.length);
    out.set(v, o + 4);
    o += 4 + v.length;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The same key and key material always give the same header, so encoded headers are kept by their
 * fields and parsed headers by their bytes: Encrypt skips re-encoding (UTF-8, hex, SHA-256) and
 * Decrypt skips re-decoding and re-checking a header it has seen. Both caches are in CryptoCaches
 * (bounded, least recently used out).
 */
function encodeHeader(h: EnvelopeHeader, caches: CryptoCaches): Uint8Array {
  // Length-prefixed, so no two different headers share a cache key.
  const cacheKey = `${h.algorithm}|${h.account.length}|${h.account}|${h.region.length}|${h.region}|${h.keyId.length}|${h.keyId}|${h.materialId}`;
  const cached = caches.encodedHeaders.get(cacheKey);
  if (cached) return cached;
  const account = utf8(h.account);
  const region = utf8(h.region);
  const keyId = utf8(h.keyId);
  const material = fromHex(h.materialId);
  if (!material || material.length !== MATERIAL_ID_BYTES) throw new Error('materialId must be 64 hex characters');
  if (account.length > 255 || region.length > 255 || keyId.length > 255) throw new Error('header field too long');
  const body = new Uint8Array(5 + account.length + region.length + keyId.length + MATERIAL_ID_BYTES);
  let o = 0;
  body[o++] = ENVELOPE_VERSION;
  body[o++] = h.algorithm;
  for (const field of [account, region, keyId]) {
    body[o++] = field.length;
    body.set(field, o);
    o += field.length;
  }
  body.set(material, o);
  const out = new Uint8Array(body.length + CHECK_BYTES);
  out.set(body);
  out.set(sha256(body).subarray(0, CHECK_BYTES), body.length);
  caches.encodedHeaders.set(cacheKey, out);
  return out;
}

function aad(headerBytes: Uint8Array, context: EncryptionContext | undefined): Uint8Array {
  const ctx = canonicalContext(context);
  if (ctx.length === 0) return headerBytes;
  const out = new Uint8Array(headerBytes.length + ctx.length);
  out.set(headerBytes);
  out.set(ctx, headerBytes.length);
  return out;
}

export function sealEnvelope(
  header: EnvelopeHeader,
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  context: EncryptionContext | undefined,
  caches: CryptoCaches = defaultCryptoCaches,
): Uint8Array {
  const headerBytes = encodeHeader(header, caches);
  const additional = aad(headerBytes, context);
  const sealed = header.algorithm === EnvelopeAlgorithm.AES_256_GCM ? aesGcmSeal(key, nonce, plaintext, additional, caches) : sm4GcmSeal(key, nonce, plaintext, additional, caches);
  const out = new Uint8Array(headerBytes.length + GCM_NONCE_BYTES + sealed.length);
  out.set(headerBytes);
  out.set(nonce, headerBytes.length);
  out.set(sealed, headerBytes.length + GCM_NONCE_BYTES);
  return out;
}

/** Reads the header; undefined when the blob is not a well-formed envelope. */
export function parseEnvelope(blob: Uint8Array, caches: CryptoCaches = defaultCryptoCaches): ParsedEnvelope | undefined {
  if (blob.length < 2 || blob[0] !== ENVELOPE_VERSION) return undefined;
  const algorithm = blob[1];
  if (algorithm !== EnvelopeAlgorithm.AES_256_GCM && algorithm !== EnvelopeAlgorithm.SM4_GCM) return undefined;
  // Where the header ends, from its three length bytes; a header seen before needs no re-check.
  let end = 2;
  for (let i = 0; i < 3 && end < blob.length; i++) end += 1 + blob[end]!;
  end += MATERIAL_ID_BYTES + CHECK_BYTES;
  const cacheKey = end + GCM_NONCE_BYTES + GCM_TAG_BYTES <= blob.length ? String.fromCharCode.apply(null, blob.subarray(0, end) as unknown as number[]) : undefined;
  const known = cacheKey === undefined ? undefined : caches.parsedHeaders.get(cacheKey);
  if (known) {
    return { ...known, headerBytes: blob.subarray(0, end), nonce: blob.subarray(end, end + GCM_NONCE_BYTES), sealed: blob.subarray(end + GCM_NONCE_BYTES) };
  }
  let o = 2;
  const fields: string[] = [];
  for (let i = 0; i < 3; i++) {
    const len = blob[o];
    if (len === undefined || o + 1 + len > blob.length) return undefined;
    try {
      fields.push(fromUtf8(blob.subarray(o + 1, o + 1 + len)));
    } catch {
      return undefined;
    }
    o += 1 + len;
  }
  if (o + MATERIAL_ID_BYTES + CHECK_BYTES + GCM_NONCE_BYTES + GCM_TAG_BYTES > blob.length) return undefined;
  const materialId = toHex(blob.subarray(o, o + MATERIAL_ID_BYTES));
  o += MATERIAL_ID_BYTES;
  const check = blob.subarray(o, o + CHECK_BYTES);
  if (!equalBytes(check, sha256(blob.subarray(0, o)).subarray(0, CHECK_BYTES))) return undefined;
  o += CHECK_BYTES;
  const header: EnvelopeHeader = { algorithm, account: fields[0]!, region: fields[1]!, keyId: fields[2]!, materialId };
  if (cacheKey !== undefined) caches.parsedHeaders.set(cacheKey, header);
  return {
    ...header,
    headerBytes: blob.subarray(0, o),
    nonce: blob.subarray(o, o + GCM_NONCE_BYTES),
    sealed: blob.subarray(o + GCM_NONCE_BYTES),
  };
}

/** Opens a parsed envelope; undefined when the key, the blob or the context does not authenticate. */
export function openEnvelope(parsed: ParsedEnvelope, key: Uint8Array, context: EncryptionContext | undefined, caches: CryptoCaches = defaultCryptoCaches): Uint8Array | undefined {
  if (parsed.algorithm === EnvelopeAlgorithm.SM4_GCM) return sm4GcmOpen(key, parsed.nonce, parsed.sealed, aad(parsed.headerBytes, context), caches);
  return aesGcmOpen(key, parsed.nonce, parsed.sealed, aad(parsed.headerBytes, context), caches);
}
