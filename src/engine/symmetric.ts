/** Symmetric cryptography: envelopes sealed and opened under AES-256 or SM4 keys; data keys; random bytes. */

import { EnvelopeAlgorithm, openEnvelope, parseEnvelope, sealEnvelope, type ParsedEnvelope } from '../crypto/envelope.js';
import { GCM_NONCE_BYTES } from '../crypto/aes-gcm.js';
import { randomBytes } from '../crypto/random.js';
import { allow, envelopeKey, reach, use } from './access.js';
import { refuseDryRun, requireSymmetric } from './checks.js';
import { KmsError } from './errors.js';
import { secretOf } from './material.js';
import { viewOf, type KeyRecord } from './records.js';
import type { EngineState } from './state.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef } from './types.js';

/** A key of an external store seals and opens through its store's manager (external-keys.ts) only. */
function refuseExternal(key: KeyRecord): void {
  if (key.externalKeyId !== undefined && key.keyStoreId !== undefined) {
    throw new KmsError('Unsupported', `Key ${key.id} is a key of an external key store: this operation does not reach its external key manager.`, { resource: 'key', keyId: key.id, reason: 'external-key' });
  }
}

/** Seals `plaintext` under the key's current material (never a key of an external store: see external-keys.ts). */
export function seal(s: EngineState, key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined): { ciphertext: Uint8Array; materialId: string } {
  refuseExternal(key);
  return sealLocal(s, key, plaintext, context);
}

/** Opens an envelope of `key` (never a key of an external store); InvalidCiphertext when it does not authenticate. */
export function open(s: EngineState, parsed: ParsedEnvelope, key: KeyRecord, context: EncryptionContext | undefined): Uint8Array {
  refuseExternal(key);
  return openLocal(s, parsed, key, context);
}

/** Seals `plaintext` under the key's own current material: the whole of it for a key of the service, the inner layer for a key of an external store. */
export function sealLocal(s: EngineState, key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined): { ciphertext: Uint8Array; materialId: string } {
  const materialId = key.currentMaterialId!;
  const ciphertext = sealEnvelope(
    { algorithm: key.spec === 'AES_256' ? EnvelopeAlgorithm.AES_256_GCM : EnvelopeAlgorithm.SM4_GCM, account: key.realm.account, region: key.realm.region, keyId: key.id, materialId },
    secretOf(key, materialId)!,
    randomBytes(s.random, GCM_NONCE_BYTES),
    plaintext,
    context,
    s.caches,
  );
  return { ciphertext, materialId };
}

/** Opens an envelope under the key's own material; InvalidCiphertext when it does not authenticate. */
export function openLocal(s: EngineState, parsed: ParsedEnvelope, key: KeyRecord, context: EncryptionContext | undefined): Uint8Array {
  const secret = secretOf(key, parsed.materialId);
  // The algorithm byte must be the key's own: an SM4 key opens SM4-GCM envelopes only, an AES key AES-GCM ones.
  const fits = parsed.algorithm === (key.spec === 'AES_256' ? EnvelopeAlgorithm.AES_256_GCM : EnvelopeAlgorithm.SM4_GCM);
  const plaintext = secret && fits ? openEnvelope(parsed, secret, context, s.caches) : undefined;
  if (!plaintext) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
  return plaintext;
}

/** Reads an envelope and finds its key, without opening it. */
export function envelopeOf(s: EngineState, ctx: CallContext, ciphertext: Uint8Array): { parsed: ParsedEnvelope; key: KeyRecord } {
  const parsed = parseEnvelope(ciphertext, s.caches);
  if (!parsed) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext' });
  return { parsed, key: envelopeKey(s, ctx, parsed) };
}

/** `expected`, when given, must name the key that made the ciphertext. */
export function checkExpected(
  s: EngineState,
  ctx: CallContext,
  key: KeyRecord,
  expected: KeyRef | undefined,
  operation: 'decrypt' | 'reEncryptFrom',
  context: EncryptionContext | undefined,
): void {
  if (!expected) return;
  const named = reach(s, ctx, expected, operation, operation === 'reEncryptFrom' ? { action: 'reEncryptFrom', context } : { context });
  if (named.id !== key.id || named.realm.account !== key.realm.account) {
    throw new KmsError('IncorrectKey', 'The key ID in the request does not identify a key that can perform this operation.', {
      resource: 'key',
      keyId: named.id,
    });
  }
}

export function encrypt(s: EngineState, ctx: CallContext, ref: KeyRef, plaintext: Uint8Array, context?: EncryptionContext): { key: KeyInfo; materialId: string; ciphertext: Uint8Array } {
  const key = use(s, ctx, ref, 'encrypt', { context });
  requireSymmetric(key, 'Encrypt', 'SYMMETRIC');
  refuseDryRun(ctx);
  return { key: viewOf(key), ...seal(s, key, plaintext, context) };
}

export function generateDataKey(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  numberOfBytes: number,
  context?: EncryptionContext,
): { key: KeyInfo; materialId: string; plaintext: Uint8Array; ciphertext: Uint8Array } {
  checkByteCount(numberOfBytes);
  const key = use(s, ctx, ref, 'generateDataKey', { context });
  requireSymmetric(key, 'GenerateDataKey');
  refuseDryRun(ctx);
  const plaintext = randomBytes(s.random, numberOfBytes);
  return { key: viewOf(key), plaintext, ...seal(s, key, plaintext, context) };
}

/** Decrypts an envelope; `expected`, when given, must name the key that encrypted it. */
export function decrypt(
  s: EngineState,
  ctx: CallContext,
  ciphertext: Uint8Array,
  context?: EncryptionContext,
  expected?: KeyRef,
): { key: KeyInfo; materialId: string; plaintext: Uint8Array } {
  const { parsed, key } = envelopeOf(s, ctx, ciphertext);
  checkExpected(s, ctx, key, expected, 'decrypt', context);
  allow(s, ctx, key, 'decrypt', { context });
  requireSymmetric(key, 'Decrypt');
  // Opening is the last check (a dry run reports a ciphertext that does not authenticate); it draws nothing.
  const plaintext = open(s, parsed, key, context);
  if (ctx.dryRun === true) plaintext.fill(0);
  refuseDryRun(ctx);
  return { key: viewOf(key), materialId: parsed.materialId, plaintext };
}

/** What re-encryption checks before it opens anything: the source key the ciphertext names, and the destination key, each allowed and symmetric. */
export function reEncryptEnds(
  s: EngineState,
  ctx: CallContext,
  input: { ciphertext: Uint8Array; sourceContext?: EncryptionContext; sourceKey?: KeyRef; destinationKey: KeyRef; destinationContext?: EncryptionContext },
): { parsed: ParsedEnvelope; source: KeyRecord; destination: KeyRecord } {
  const { parsed, key: source } = envelopeOf(s, ctx, input.ciphertext);
  checkExpected(s, ctx, source, input.sourceKey, 'reEncryptFrom', input.sourceContext);
  allow(s, ctx, source, 'reEncryptFrom', { action: 'reEncryptFrom', context: input.sourceContext });
  requireSymmetric(source, 'ReEncryptFrom');
  const destination = use(s, ctx, input.destinationKey, 'reEncryptTo', { action: 'reEncryptTo', context: input.destinationContext });
  requireSymmetric(destination, 'ReEncryptTo', 'SYMMETRIC');
  return { parsed, source, destination };
}

export function reEncrypt(
  s: EngineState,
  ctx: CallContext,
  input: {
    ciphertext: Uint8Array;
    sourceContext?: EncryptionContext;
    sourceKey?: KeyRef;
    destinationKey: KeyRef;
    destinationContext?: EncryptionContext;
  },
): { source: KeyInfo; sourceMaterialId: string; destination: KeyInfo; destinationMaterialId: string; ciphertext: Uint8Array } {
  const { parsed, source, destination } = reEncryptEnds(s, ctx, input);
  const plaintext = open(s, parsed, source, input.sourceContext);
  if (ctx.dryRun === true) plaintext.fill(0);
  refuseDryRun(ctx);
  const sealed = seal(s, destination, plaintext, input.destinationContext);
  plaintext.fill(0);
  return { source: viewOf(source), sourceMaterialId: parsed.materialId, destination: viewOf(destination), destinationMaterialId: sealed.materialId, ciphertext: sealed.ciphertext };
}

/**
 * The key a ciphertext names, if it is a well-formed envelope of a key in the caller's realm, or of
 * a multi-Region key whose member in the caller's realm opens it (for records).
 */
export function ciphertextKey(s: EngineState, ctx: CallContext, ciphertext: Uint8Array): KeyInfo | undefined {
  const p = parseEnvelope(ciphertext, s.caches);
  if (!p || p.account !== ctx.realm.account) return undefined;
  const key = s.realm(ctx.realm.account, ctx.realm.region)?.keys.get(p.keyId);
  return key && (p.region === ctx.realm.region || key.multiRegion) ? viewOf(key) : undefined;
}

/** Random bytes from the engine's source (1 to 1,048,576 of them). */
export function generateRandom(s: EngineState, numberOfBytes: number): Uint8Array {
  checkByteCount(numberOfBytes);
  return randomBytes(s.random, numberOfBytes);
}

/** A byte count the engine is asked to draw: a whole number from 1 to 1 MiB (dialects narrow it further). */
export function checkByteCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1_048_576) {
    throw new KmsError('Validation', `The number of bytes must be a whole number from 1 to 1048576; ${n} is not.`, { reason: 'byte-count' });
  }
}
