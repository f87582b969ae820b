/**
 * Keys of an external key store: double encryption. A ciphertext is first sealed under the key's own
 * material (an ordinary envelope, symmetric.ts), then the part after the header is encrypted again
 * by the store's external key manager under the key's external key, with the header as additional
 * data; opening reverses both. The external manager is reached through `ExternalKeyCipher`, which
 * the dialect implements (for AWS, the XKS proxy client): the engine never speaks the proxy's
 * protocol, and whatever the cipher throws reaches the dialect unchanged.
 *
 * The blob is the envelope's header followed by
 *   ivLength(1) iv tagLength(1) tag metadataLength(1) metadata ciphertext
 * where ciphertext is the external manager's encryption of the envelope's nonce, sealed text and tag.
 */

import { parseEnvelope, type ParsedEnvelope } from '../crypto/envelope.js';
import { concatBytes } from '../crypto/bytes.js';
import { allow, findKey, recheck, use } from './access.js';
import { refuseDryRun, requireSymmetric } from './checks.js';
import { KmsError } from './errors.js';
import { keyStoreView, type KeyStoreInfo } from './key-store-data.js';
import { storesOf } from './key-stores.js';
import { viewOf, type KeyRecord } from './records.js';
import { checkByteCount, checkExpected, decrypt, encrypt, envelopeOf, generateDataKey, open, openLocal, reEncrypt, reEncryptEnds, seal, sealLocal } from './symmetric.js';
import { randomBytes } from '../crypto/random.js';
import type { EngineState } from './state.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef } from './types.js';

/** What the external manager returns for an encryption, and is given back to decrypt. */
export interface ExternalCiphertext {
  readonly ciphertext: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  /** Opaque bytes the manager wants back at decryption (at most 255). */
  readonly metadata?: Uint8Array | undefined;
}

export interface ExternalKeyRequest {
  readonly store: KeyStoreInfo;
  readonly key: KeyInfo;
  readonly externalKeyId: string;
  /** Binds the outer layer to the key and its material (the envelope header). */
  readonly aad: Uint8Array;
  /** The neutral operation the call performs (encrypt, decrypt, generateDataKey, reEncryptFrom, reEncryptTo). */
  readonly operation: string;
}

/** The external key manager of a store, as the dialect reaches it. */
export interface ExternalKeyCipher {
  encrypt(request: ExternalKeyRequest & { readonly plaintext: Uint8Array }): Promise<ExternalCiphertext>;
  decrypt(request: ExternalKeyRequest & ExternalCiphertext): Promise<Uint8Array>;
}

/** Whether `key` lives in an external store (its ciphertexts take the store's external key too). */
export function isExternalKey(key: { keyStoreId?: string | undefined; externalKeyId?: string | undefined }): boolean {
  return key.keyStoreId !== undefined && key.externalKeyId !== undefined;
}

function storeOf(s: EngineState, key: KeyRecord): KeyStoreInfo {
  const store = storesOf(s, key.realm)?.get(key.keyStoreId!);
  if (!store) throw new KmsError('InvalidState', `Key ${key.id} is unavailable.`, { resource: 'key', keyId: key.id, state: 'Unavailable' });
  return keyStoreView(store);
}

const invalidCiphertext = (keyId: string): KmsError => new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId });

function badResponse(keyId: string, what: string): KmsError {
  return new KmsError('Internal', `The external key manager returned ${what}.`, { resource: 'key', keyId, reason: 'external-response' });
}

/** Seals under the key's own material, then has the external manager encrypt the result. */
async function sealExternal(s: EngineState, key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined, cipher: ExternalKeyCipher, operation: string): Promise<{ ciphertext: Uint8Array; materialId: string }> {
  const inner = sealLocal(s, key, plaintext, context);
  const parsed = parseEnvelope(inner.ciphertext, s.caches)!;
  const header = parsed.headerBytes;
  const out = await cipher.encrypt({ store: storeOf(s, key), key: viewOf(key), externalKeyId: key.externalKeyId!, aad: header, operation, plaintext: inner.ciphertext.subarray(header.length) });
  const metadata = out.metadata ?? new Uint8Array(0);
  for (const [name, part] of [['iv', out.iv], ['tag', out.tag], ['metadata', metadata]] as const) {
    if (!(part instanceof Uint8Array) || part.length > 255) throw badResponse(key.id, `an unusable ${name}`);
  }
  if (!(out.ciphertext instanceof Uint8Array) || out.ciphertext.length === 0) throw badResponse(key.id, 'no ciphertext');
  const frame = concatBytes(Uint8Array.of(out.iv.length), out.iv, Uint8Array.of(out.tag.length), out.tag, Uint8Array.of(metadata.length), metadata, out.ciphertext);
  return { ciphertext: concatBytes(header, frame), materialId: inner.materialId };
}

/** The external layer of a blob, read back: InvalidCiphertext when it is not well formed. */
function readFrame(blob: Uint8Array, parsed: ParsedEnvelope, keyId: string): ExternalCiphertext {
  const rest = blob.subarray(parsed.headerBytes.length);
  let o = 0;
  const take = (): Uint8Array => {
    const n = rest[o];
    if (n === undefined || o + 1 + n > rest.length) throw invalidCiphertext(keyId);
    const part = rest.subarray(o + 1, o + 1 + n);
    o += 1 + n;
    return part;
  };
  const iv = take();
  const tag = take();
  const metadata = take();
  if (o >= rest.length) throw invalidCiphertext(keyId);
  return { iv, tag, ...(metadata.length > 0 ? { metadata } : {}), ciphertext: rest.subarray(o) };
}

/** Has the external manager remove its layer, then opens the envelope under the key's own material. */
async function openExternal(s: EngineState, key: KeyRecord, blob: Uint8Array, parsed: ParsedEnvelope, context: EncryptionContext | undefined, cipher: ExternalKeyCipher, operation: string): Promise<Uint8Array> {
  const frame = readFrame(blob, parsed, key.id);
  const inner = await cipher.decrypt({ store: storeOf(s, key), key: viewOf(key), externalKeyId: key.externalKeyId!, aad: parsed.headerBytes, operation, ...frame });
  const reparsed = parseEnvelope(concatBytes(parsed.headerBytes, inner), s.caches);
  if (!reparsed) throw invalidCiphertext(key.id);
  return openLocal(s, reparsed, key, context);
}

/** Seals under any symmetric key: through `cipher` for a key of an external store (refused without one), else at once. */
export async function sealAny(s: EngineState, key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined, cipher: ExternalKeyCipher | undefined, operation: string): Promise<{ ciphertext: Uint8Array; materialId: string }> {
  return isExternalKey(key) && cipher ? sealExternal(s, key, plaintext, context, cipher, operation) : seal(s, key, plaintext, context);
}

/** Opens an envelope of any symmetric key: through `cipher` for a key of an external store (a dry run stops before it), else at once. */
export async function openAny(s: EngineState, ctx: CallContext, key: KeyRecord, blob: Uint8Array, parsed: ParsedEnvelope, context: EncryptionContext | undefined, cipher: ExternalKeyCipher | undefined, operation: string): Promise<Uint8Array> {
  if (!isExternalKey(key) || !cipher) return open(s, parsed, key, context);
  refuseDryRun(ctx);
  const plaintext = await openExternal(s, key, blob, parsed, context, cipher, operation);
  recheck(s, ctx, key, 'reEncryptFrom');
  return plaintext;
}

export async function encryptExternal(s: EngineState, ctx: CallContext, key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): Promise<{ key: KeyInfo; materialId: string; ciphertext: Uint8Array }> {
  const sealed = await sealExternal(s, key, plaintext, context, cipher, 'encrypt');
  recheck(s, ctx, key, 'encrypt');
  return { key: viewOf(key), ...sealed };
}

export async function generateDataKeyExternal(s: EngineState, ctx: CallContext, key: KeyRecord, numberOfBytes: number, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): Promise<{ key: KeyInfo; materialId: string; plaintext: Uint8Array; ciphertext: Uint8Array }> {
  const plaintext = randomBytes(s.random, numberOfBytes);
  const sealed = await sealExternal(s, key, plaintext, context, cipher, 'generateDataKey');
  recheck(s, ctx, key, 'generateDataKey');
  return { key: viewOf(key), plaintext, ...sealed };
}

/** Decrypts a blob of a key found by envelopeOf; the state checks and the dry-run stop have been made (see decryptVia). */
export async function decryptExternal(s: EngineState, ctx: CallContext, key: KeyRecord, blob: Uint8Array, parsed: ParsedEnvelope, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): Promise<{ key: KeyInfo; materialId: string; plaintext: Uint8Array }> {
  const plaintext = await openExternal(s, key, blob, parsed, context, cipher, 'decrypt');
  recheck(s, ctx, key, 'decrypt');
  return { key: viewOf(key), materialId: parsed.materialId, plaintext };
}

/** Re-encryption where the source, the destination or both are keys of external stores. */
export async function reEncryptExternal(
  s: EngineState,
  ctx: CallContext,
  input: { ciphertext: Uint8Array; sourceContext?: EncryptionContext; sourceKey?: KeyRef; destinationKey: KeyRef; destinationContext?: EncryptionContext },
  cipher: ExternalKeyCipher,
): Promise<{ source: KeyInfo; sourceMaterialId: string; destination: KeyInfo; destinationMaterialId: string; ciphertext: Uint8Array }> {
  const { parsed, source, destination } = reEncryptEnds(s, ctx, input);
  if (!isExternalKey(source)) {
    const plaintext = openLocal(s, parsed, source, input.sourceContext);
    if (ctx.dryRun === true) plaintext.fill(0);
    refuseDryRun(ctx);
    return finishReEncrypt(s, ctx, source, parsed.materialId, destination, plaintext, input.destinationContext, cipher);
  }
  refuseDryRun(ctx);
  const plaintext = await openExternal(s, source, input.ciphertext, parsed, input.sourceContext, cipher, 'reEncryptFrom');
  recheck(s, ctx, source, 'reEncryptFrom');
  return finishReEncrypt(s, ctx, source, parsed.materialId, destination, plaintext, input.destinationContext, cipher);
}

async function finishReEncrypt(
  s: EngineState,
  ctx: CallContext,
  source: KeyRecord,
  sourceMaterialId: string,
  destination: KeyRecord,
  plaintext: Uint8Array,
  destinationContext: EncryptionContext | undefined,
  cipher: ExternalKeyCipher,
): Promise<{ source: KeyInfo; sourceMaterialId: string; destination: KeyInfo; destinationMaterialId: string; ciphertext: Uint8Array }> {
  try {
    recheck(s, ctx, destination, 'reEncryptTo');
    const sealed = isExternalKey(destination) ? await sealExternal(s, destination, plaintext, destinationContext, cipher, 'reEncryptTo') : sealLocal(s, destination, plaintext, destinationContext);
    recheck(s, ctx, destination, 'reEncryptTo');
    return { source: viewOf(source), sourceMaterialId, destination: viewOf(destination), destinationMaterialId: sealed.materialId, ciphertext: sealed.ciphertext };
  } finally {
    plaintext.fill(0);
  }
}

// ------------------------------------------------------------------ the ways in: any symmetric key

type Maybe<T> = T | Promise<T>;

/** Encrypt with any symmetric key: at once for the service's own keys, through `cipher` for a key of an external store. */
export function encryptVia(s: EngineState, ctx: CallContext, ref: KeyRef, plaintext: Uint8Array, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): Maybe<{ key: KeyInfo; materialId: string; ciphertext: Uint8Array }> {
  const peek = findKey(s, ctx, ref);
  if (!peek || !isExternalKey(peek)) return encrypt(s, ctx, ref, plaintext, context);
  const key = use(s, ctx, ref, 'encrypt', { context });
  requireSymmetric(key, 'Encrypt', 'SYMMETRIC');
  refuseDryRun(ctx);
  return encryptExternal(s, ctx, key, plaintext, context, cipher);
}

export function generateDataKeyVia(s: EngineState, ctx: CallContext, ref: KeyRef, numberOfBytes: number, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): Maybe<{ key: KeyInfo; materialId: string; plaintext: Uint8Array; ciphertext: Uint8Array }> {
  const peek = findKey(s, ctx, ref);
  if (!peek || !isExternalKey(peek)) return generateDataKey(s, ctx, ref, numberOfBytes, context);
  checkByteCount(numberOfBytes);
  const key = use(s, ctx, ref, 'generateDataKey', { context });
  requireSymmetric(key, 'GenerateDataKey');
  refuseDryRun(ctx);
  return generateDataKeyExternal(s, ctx, key, numberOfBytes, context, cipher);
}

export function decryptVia(s: EngineState, ctx: CallContext, ciphertext: Uint8Array, context: EncryptionContext | undefined, expected: KeyRef | undefined, cipher: ExternalKeyCipher): Maybe<{ key: KeyInfo; materialId: string; plaintext: Uint8Array }> {
  const { parsed, key } = envelopeOf(s, ctx, ciphertext);
  if (!isExternalKey(key)) return decrypt(s, ctx, ciphertext, context, expected);
  checkExpected(s, ctx, key, expected, 'decrypt', context);
  allow(s, ctx, key, 'decrypt', { context });
  requireSymmetric(key, 'Decrypt');
  // A dry run stops before the external manager is asked (it cannot tell whether the ciphertext opens).
  refuseDryRun(ctx);
  return decryptExternal(s, ctx, key, ciphertext, parsed, context, cipher);
}

export function reEncryptVia(
  s: EngineState,
  ctx: CallContext,
  input: { ciphertext: Uint8Array; sourceContext?: EncryptionContext; sourceKey?: KeyRef; destinationKey: KeyRef; destinationContext?: EncryptionContext },
  cipher: ExternalKeyCipher,
): Maybe<{ source: KeyInfo; sourceMaterialId: string; destination: KeyInfo; destinationMaterialId: string; ciphertext: Uint8Array }> {
  const header = parseEnvelope(input.ciphertext, s.caches);
  const source = header ? findKey(s, ctx, { keyId: header.keyId, account: header.account }) : undefined;
  const destination = findKey(s, ctx, input.destinationKey);
  if (!(source && isExternalKey(source)) && !(destination && isExternalKey(destination))) return reEncrypt(s, ctx, input);
  return reEncryptExternal(s, ctx, input, cipher);
}
