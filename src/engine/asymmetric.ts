/** Asymmetric cryptography: signing, public-key encryption, data key pairs, key agreement, ML-KEM. */

import {
  decapsulate as decapsulateSecret,
  decryptAsymmetric as decryptWithScheme,
  deriveSharedSecret as deriveEcdhSecret,
  digestLength,
  encapsulate as encapsulateSecret,
  encryptAsymmetric as encryptWithScheme,
  maxPlaintextLength,
  parsePublicKey,
  publicKeyOf,
  signMessage,
  verifySignature,
} from '../crypto/asymmetric.js';
import { allow, recheck, use } from './access.js';
import { refuseDryRun, requireAlgorithm, requireSymmetric, requireUsage } from './checks.js';
import { KmsError } from './errors.js';
import { localBackend } from './key-stores.js';
import { secretOf } from './material.js';
import { viewOf, type KeyRecord } from './records.js';
import { isAsymmetricSpec, SPEC_PROFILES } from './specs.js';
import type { EngineState } from './state.js';
import { checkExpected, envelopeOf } from './symmetric.js';
import { openAny, sealAny, type ExternalKeyCipher } from './external-keys.js';
import type {
  AsymmetricEncryption,
  AsymmetricKeySpec,
  CallContext,
  EncapsulationAlgorithm,
  EncryptionContext,
  KeyAgreementAlgorithm,
  KeyInfo,
  KeyRef,
  SigningAlgorithm,
  SignInput,
} from './types.js';
import type { ParsedEnvelope } from '../crypto/envelope.js';

/**
 * The key's private key (PKCS#8) and public key (SPKI); the state table has already let the call
 * through. Async: deriving a public key not in the cache may load the SM2 or post-quantum code.
 */
async function keyPair(s: EngineState, key: KeyRecord): Promise<{ spec: AsymmetricKeySpec; privateKey: Uint8Array; publicKey: Uint8Array }> {
  const privateKey = secretOf(key, key.currentMaterialId);
  if (!privateKey || !isAsymmetricSpec(key.spec)) {
    throw new KmsError('Unsupported', `Key ${key.id} holds no key pair.`, { resource: 'key', keyId: key.id, reason: 'not-asymmetric', spec: key.spec });
  }
  let publicKey = s.publicKeys.get(privateKey);
  if (!publicKey) {
    publicKey = await publicKeyOf(key.spec, privateKey, s.caches);
    s.publicKeys.set(privateKey, publicKey);
  }
  return { spec: key.spec, privateKey, publicKey };
}

/** The public key (DER SubjectPublicKeyInfo) of an asymmetric key. */
export async function getPublicKey(s: EngineState, ctx: CallContext, ref: KeyRef): Promise<{ key: KeyInfo; publicKey: Uint8Array }> {
  const key = use(s, ctx, ref, 'getPublicKey');
  const pair = await keyPair(s, key);
  refuseDryRun(ctx);
  return { key: viewOf(key), publicKey: pair.publicKey.slice() };
}

type SignatureRequest = { algorithm: SigningAlgorithm; input: SignInput; message: Uint8Array };

/** Refuses an algorithm, message form or digest length the key cannot sign or verify with. */
function checkSignature(key: KeyRecord, request: SignatureRequest, operation: string): void {
  const { algorithm, input, message } = request;
  requireUsage(key, 'SIGN_VERIFY', operation);
  requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].signing);
  const details = { resource: 'key' as const, keyId: key.id, messageType: input, algorithm, spec: key.spec };
  // Ed25519 signs the message itself; its pre-hash variant takes the SHA-512 digest.
  if ((algorithm === 'ED25519' && input !== 'RAW') || (algorithm === 'ED25519_PH_SHA_512' && input !== 'DIGEST')) {
    throw new KmsError('Validation', `Message type ${input} is incompatible with algorithm ${algorithm}.`, { ...details, reason: 'message-type-algorithm' });
  }
  // ML-DSA signs a message or its external mu, never a digest; only ML-DSA has a mu.
  const mlDsa = algorithm === 'ML_DSA_SHAKE_256';
  if ((input === 'DIGEST' && mlDsa) || (input === 'EXTERNAL_MU' && !mlDsa)) {
    throw new KmsError('Validation', `Message type ${input} is incompatible with key spec ${key.spec}.`, { ...details, reason: 'message-type-spec' });
  }
  const expected = input === 'EXTERNAL_MU' ? 64 : input === 'DIGEST' ? digestLength(algorithm) : undefined;
  if (expected !== undefined && message.length !== expected) {
    throw new KmsError('Validation', `Digest is invalid length for algorithm ${algorithm}.`, { ...details, reason: 'digest-length', expected });
  }
}

/** Signs a message (RAW), a digest of it (DIGEST: signed as given) or ML-DSA's mu (EXTERNAL_MU). */
export async function sign(s: EngineState, ctx: CallContext, ref: KeyRef, request: SignatureRequest): Promise<{ key: KeyInfo; signature: Uint8Array }> {
  const key = use(s, ctx, ref, 'sign');
  checkSignature(key, request, 'Sign');
  const pair = await keyPair(s, key);
  refuseDryRun(ctx);
  const signature = await signMessage(pair.spec, pair.privateKey, request.algorithm, request.input, request.message, s.random, s.caches);
  return { key: viewOf(key), signature };
}

/** Verifies a signature; a signature that does not verify is an InvalidSignature error. */
export async function verify(s: EngineState, ctx: CallContext, ref: KeyRef, request: SignatureRequest & { signature: Uint8Array }): Promise<{ key: KeyInfo }> {
  const key = use(s, ctx, ref, 'verify');
  checkSignature(key, request, 'Verify');
  const pair = await keyPair(s, key);
  refuseDryRun(ctx);
  const valid = await verifySignature(pair.spec, pair.publicKey, request.algorithm, request.input, request.message, request.signature, s.caches);
  if (!valid) throw new KmsError('InvalidSignature', 'The signature is not valid.', { resource: 'key', keyId: key.id });
  return { key: viewOf(key) };
}

/** Checks an asymmetric encryption key and algorithm (public-key schemes carry no encryption context). */
function checkAsymmetricEncryption(key: KeyRecord, algorithm: AsymmetricEncryption | undefined, context: EncryptionContext | undefined, operation: string): AsymmetricEncryption {
  requireUsage(key, 'ENCRYPT_DECRYPT', operation);
  requireAlgorithm(key, algorithm ?? 'SYMMETRIC', SPEC_PROFILES[key.spec].encryption);
  if (context && Object.keys(context).length > 0) {
    throw new KmsError('Validation', 'An encryption context is not supported with asymmetric keys.', { resource: 'key', keyId: key.id, reason: 'asymmetric-context' });
  }
  return algorithm!;
}

/** Refuses a plaintext too long for the key and scheme, before anything is encrypted. */
async function checkPlaintextSize(s: EngineState, key: KeyRecord, algorithm: AsymmetricEncryption, size: number): Promise<void> {
  const pair = await keyPair(s, key);
  const max = maxPlaintextLength(pair.spec, algorithm);
  if (size > max) {
    throw new KmsError('Validation', `Algorithm ${algorithm} and key spec ${key.spec} cannot encrypt data larger than ${max} bytes.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'plaintext-size',
      algorithm,
      spec: key.spec,
      max,
    });
  }
}

async function encryptWith(s: EngineState, key: KeyRecord, algorithm: AsymmetricEncryption, plaintext: Uint8Array): Promise<Uint8Array> {
  await checkPlaintextSize(s, key, algorithm, plaintext.length);
  const pair = await keyPair(s, key);
  return encryptWithScheme(pair.spec, pair.publicKey, algorithm, plaintext, s.random, s.caches);
}

async function decryptWith(s: EngineState, key: KeyRecord, algorithm: AsymmetricEncryption, ciphertext: Uint8Array): Promise<Uint8Array> {
  const pair = await keyPair(s, key);
  const plaintext = await decryptWithScheme(pair.spec, pair.privateKey, algorithm, ciphertext, s.caches);
  if (!plaintext) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
  return plaintext;
}

/** Encrypts under an asymmetric key's public key: the raw scheme output, no envelope. */
export async function encryptAsymmetric(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  algorithm: AsymmetricEncryption,
  plaintext: Uint8Array,
  context?: EncryptionContext,
): Promise<{ key: KeyInfo; ciphertext: Uint8Array }> {
  const key = use(s, ctx, ref, 'encrypt', { context });
  checkAsymmetricEncryption(key, algorithm, context, 'Encrypt');
  await checkPlaintextSize(s, key, algorithm, plaintext.length);
  refuseDryRun(ctx);
  return { key: viewOf(key), ciphertext: await encryptWith(s, key, algorithm, plaintext) };
}

/**
 * Decrypts a public-key ciphertext with the named key. Without an algorithm the ciphertext is
 * read as an envelope, which it is not: InvalidCiphertext.
 */
export async function decryptAsymmetric(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  ciphertext: Uint8Array,
  algorithm: AsymmetricEncryption | undefined,
  context?: EncryptionContext,
): Promise<{ key: KeyInfo; plaintext: Uint8Array }> {
  const key = use(s, ctx, ref, 'decryptAsymmetric', { context });
  requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
  if (algorithm === undefined) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
  checkAsymmetricEncryption(key, algorithm, context, 'Decrypt');
  const plaintext = await decryptWith(s, key, algorithm, ciphertext);
  if (ctx.dryRun === true) plaintext.fill(0);
  refuseDryRun(ctx);
  return { key: viewOf(key), plaintext };
}

/**
 * Re-encrypts between any two encryption keys. A source algorithm (with its key named) reads a
 * public-key ciphertext, else an envelope; a destination algorithm writes one, else an envelope.
 * Material ids are given for envelopes only.
 */
export async function reEncryptAny(
  s: EngineState,
  ctx: CallContext,
  input: {
    ciphertext: Uint8Array;
    sourceContext?: EncryptionContext;
    sourceKey?: KeyRef;
    sourceAlgorithm?: AsymmetricEncryption;
    destinationKey: KeyRef;
    destinationContext?: EncryptionContext;
    destinationAlgorithm?: AsymmetricEncryption;
  },
  cipher?: ExternalKeyCipher,
): Promise<{ source: KeyInfo; sourceMaterialId?: string; destination: KeyInfo; destinationMaterialId?: string; ciphertext: Uint8Array }> {
  let source: KeyRecord;
  let parsed: ParsedEnvelope | undefined;
  if (input.sourceAlgorithm !== undefined && input.sourceKey !== undefined) {
    source = use(s, ctx, input.sourceKey, 'reEncryptFrom', { action: 'reEncryptFrom', context: input.sourceContext });
    checkAsymmetricEncryption(source, input.sourceAlgorithm, input.sourceContext, 'ReEncryptFrom');
  } else {
    ({ parsed, key: source } = envelopeOf(s, ctx, input.ciphertext));
    checkExpected(s, ctx, source, input.sourceKey, 'reEncryptFrom', input.sourceContext);
    allow(s, ctx, source, 'reEncryptFrom', { action: 'reEncryptFrom', context: input.sourceContext });
    requireSymmetric(source, 'ReEncryptFrom');
  }
  const destination = use(s, ctx, input.destinationKey, 'reEncryptTo', { action: 'reEncryptTo', context: input.destinationContext });
  if (input.destinationAlgorithm !== undefined) {
    checkAsymmetricEncryption(destination, input.destinationAlgorithm, input.destinationContext, 'ReEncryptTo');
  } else {
    requireSymmetric(destination, 'ReEncryptTo', 'SYMMETRIC');
  }
  // Opening the source is the last check (a dry run reports a ciphertext that does not open).
  const plaintext = parsed ? await openAny(s, ctx, source, input.ciphertext, parsed, input.sourceContext, cipher, 'reEncryptFrom') : await decryptWith(s, source, input.sourceAlgorithm!, input.ciphertext);
  try {
    refuseDryRun(ctx);
    const sourceMaterial = parsed ? { sourceMaterialId: parsed.materialId } : {};
    if (input.destinationAlgorithm !== undefined) {
      const ciphertext = await encryptWith(s, destination, input.destinationAlgorithm, plaintext);
      return { source: viewOf(source), ...sourceMaterial, destination: viewOf(destination), ciphertext };
    }
    const sealed = await sealAny(s, destination, plaintext, input.destinationContext, cipher, 'reEncryptTo');
    recheck(s, ctx, destination, 'reEncryptTo');
    return { source: viewOf(source), ...sourceMaterial, destination: viewOf(destination), destinationMaterialId: sealed.materialId, ciphertext: sealed.ciphertext };
  } finally {
    plaintext.fill(0);
  }
}

/**
 * A fresh key pair of `pairSpec` for use outside the service: its private key (PKCS#8), its public
 * key (SPKI) and the private key sealed in an envelope under the symmetric key `ref`.
 */
export async function generateDataKeyPair(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  pairSpec: AsymmetricKeySpec,
  context?: EncryptionContext,
  operation = 'GenerateDataKeyPair',
  cipher?: ExternalKeyCipher,
): Promise<{ key: KeyInfo; materialId: string; privateKey: Uint8Array; publicKey: Uint8Array; ciphertext: Uint8Array }> {
  if (!isAsymmetricSpec(pairSpec)) throw new KmsError('Validation', `Key pair spec ${String(pairSpec)} is not a key pair spec.`, { reason: 'key-spec', spec: pairSpec });
  const key = use(s, ctx, ref, 'generateDataKeyPair', { context });
  requireSymmetric(key, operation);
  refuseDryRun(ctx);
  const pair = await localBackend.newKeyPair(s, pairSpec);
  // The key may have changed state while the pair was being generated.
  allow(s, ctx, key, 'generateDataKeyPair', { context });
  const sealed = await sealAny(s, key, pair.privateKey, context, cipher, 'generateDataKeyPair');
  allow(s, ctx, key, 'generateDataKeyPair', { context });
  return { key: viewOf(key), materialId: sealed.materialId, privateKey: pair.privateKey, publicKey: pair.publicKey, ciphertext: sealed.ciphertext };
}

/** ECDH between the key's private key and a peer's public key (DER SPKI) on the same curve: the raw shared secret. */
export async function deriveSharedSecret(s: EngineState, ctx: CallContext, ref: KeyRef, algorithm: KeyAgreementAlgorithm, peerPublicKey: Uint8Array): Promise<{ key: KeyInfo; sharedSecret: Uint8Array }> {
  const key = use(s, ctx, ref, 'deriveSharedSecret');
  requireUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret');
  requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].keyAgreement);
  const pair = await keyPair(s, key);
  const peer = await parsePublicKey(peerPublicKey);
  const invalidPeer = () =>
    new KmsError('Validation', `The public key is not a valid public key on the curve of key spec ${key.spec}.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'peer-public-key',
      spec: key.spec,
    });
  if (peer?.spec !== pair.spec) throw invalidPeer();
  refuseDryRun(ctx);
  const sharedSecret = await deriveEcdhSecret(pair.spec, pair.privateKey, peerPublicKey, s.caches);
  if (!sharedSecret) throw invalidPeer();
  return { key: viewOf(key), sharedSecret };
}

/** A fresh shared secret and its encapsulation under the key's ML-KEM public key. */
export async function encapsulate(s: EngineState, ctx: CallContext, ref: KeyRef, algorithm: EncapsulationAlgorithm): Promise<{ key: KeyInfo; ciphertext: Uint8Array; sharedSecret: Uint8Array }> {
  const key = use(s, ctx, ref, 'encapsulate');
  requireUsage(key, 'ENCAPSULATE_DECAPSULATE', 'Encapsulate');
  requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].encapsulation);
  const pair = await keyPair(s, key);
  refuseDryRun(ctx);
  return { key: viewOf(key), ...(await encapsulateSecret(pair.spec, pair.publicKey, s.random)) };
}

/**
 * Recovers the shared secret of an encapsulation. A ciphertext of the wrong length is an
 * InvalidCiphertext error; any other wrong ciphertext gives a pseudo-random secret (implicit rejection).
 */
export async function decapsulate(s: EngineState, ctx: CallContext, ref: KeyRef, algorithm: EncapsulationAlgorithm, ciphertext: Uint8Array): Promise<{ key: KeyInfo; sharedSecret: Uint8Array }> {
  const key = use(s, ctx, ref, 'decapsulate');
  requireUsage(key, 'ENCAPSULATE_DECAPSULATE', 'Decapsulate');
  requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].encapsulation);
  const pair = await keyPair(s, key);
  refuseDryRun(ctx);
  const sharedSecret = await decapsulateSecret(pair.spec, pair.privateKey, ciphertext, s.caches);
  if (!sharedSecret) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
  return { key: viewOf(key), sharedSecret };
}
