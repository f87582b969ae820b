/** Tencent symmetric cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateRandom. */
import { toBase64 } from '../../crypto/bytes.js';
import type { EncryptionContext } from '../../engine/types.js';
import { fromCiphertextBlob, toCiphertextBlob } from './ciphertext.js';
import { deliver, recipientOf } from './recipient.js';
import { fault } from './errors.js';
import { tencentKeyUsage } from './metadata.js';
import { base64Bytes, type Call, checkDescription, checkTags, encryptionContext, existing, type Handler, inRange, keyRef, LIMITS, tagResult, touch } from './call.js';
import { hostingOf } from './ops-data-keys.js';

function plaintextOf(call: Call, value: string, member = 'Plaintext'): Uint8Array {
  return base64Bytes(call, value, member, ['InvalidParameterValue.InvalidPlaintext', 'InvalidParameter'], [0, LIMITS.plaintextBytes]);
}

function ciphertextOf(call: Call, blob: string): Uint8Array {
  const bytes = fromCiphertextBlob(blob);
  if (!bytes) throw fault(call.action, ['InvalidParameterValue.InvalidCiphertext'], 'InvalidParameterValue', 'The ciphertext is invalid.');
  return bytes;
}

export const encrypt: Handler = (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const plaintext = plaintextOf(call, input.Plaintext);
  const result = engine.encrypt(ctx, ref, plaintext, encryptionContext(call, input.EncryptionContext));
  touch(call, result.key);
  return { CiphertextBlob: toCiphertextBlob(engine, result.ciphertext), KeyId: result.key.id };
};

export const decrypt: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const recipient = await recipientOf(call, input.EncryptionPublicKey, input.EncryptionAlgorithm);
  const ciphertext = ciphertextOf(call, input.CiphertextBlob);
  const named = engine.ciphertextKey(ctx, ciphertext);
  if (named) touch(call, named);
  const result = engine.decrypt(ctx, ciphertext, encryptionContext(call, input.EncryptionContext));
  return { KeyId: result.key.id, Plaintext: await deliver(recipient, result.plaintext) };
};

function sameContext(a: EncryptionContext | undefined, b: EncryptionContext | undefined): boolean {
  const ea = Object.entries(a ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const eb = Object.entries(b ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify(ea) === JSON.stringify(eb);
}

export const reEncrypt: Handler = (call) => {
  const { engine, ctx, input } = call;
  const ciphertext = ciphertextOf(call, input.CiphertextBlob);
  const sourceContext = encryptionContext(call, input.SourceEncryptionContext, 'SourceEncryptionContext');
  const destinationContext = encryptionContext(call, input.DestinationEncryptionContext, 'DestinationEncryptionContext');
  const destinationRef = input.DestinationKeyId !== undefined && input.DestinationKeyId !== '' ? keyRef(call, input.DestinationKeyId) : undefined;
  const source = engine.ciphertextKey(ctx, ciphertext);
  if (source) touch(call, source);
  const destination = destinationRef ?? (source ? { keyId: source.id } : undefined);
  // Same key, no rotation since, same context: the blob is already current (it must still open).
  const materialId = engine.envelopeParts(ciphertext)?.materialId;
  if (source && destination && 'keyId' in destination && destination.keyId === source.id && materialId === source.currentMaterialId && sameContext(sourceContext, destinationContext)) {
    const opened = engine.decrypt(ctx, ciphertext, sourceContext);
    opened.plaintext.fill(0);
    engine.assertUsable(ctx, destination, 'reEncryptTo');
    return { CiphertextBlob: input.CiphertextBlob, KeyId: source.id, SourceKeyId: source.id, ReEncrypted: false };
  }
  const result = engine.reEncrypt(ctx, {
    ciphertext,
    ...(sourceContext ? { sourceContext } : {}),
    // Without a source key in the realm the engine refuses the blob before it needs a destination.
    destinationKey: destination ?? { keyId: '00000000-0000-0000-0000-000000000000' },
    ...(destinationContext ? { destinationContext } : {}),
  });
  touch(call, result.destination);
  return { CiphertextBlob: toCiphertextBlob(engine, result.ciphertext), KeyId: result.destination.id, SourceKeyId: result.source.id, ReEncrypted: true };
};

export const generateDataKey: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const hosting = hostingOf(call);
  let length: number;
  if (input.NumberOfBytes !== undefined) length = inRange(call, input.NumberOfBytes, LIMITS.dataKeyBytes, 'NumberOfBytes');
  else if (input.KeySpec === 'AES_128' || input.KeySpec === 'AES_256') length = input.KeySpec === 'AES_128' ? 16 : 32;
  else throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', input.KeySpec === undefined ? 'KeySpec or NumberOfBytes is required.' : `KeySpec ${input.KeySpec} is invalid.`);
  checkDescription(call, input.Description);
  const recipient = await recipientOf(call, input.EncryptionPublicKey, input.EncryptionAlgorithm);
  const context = encryptionContext(call, input.EncryptionContext);
  const key = existing(call, ref);
  touch(call, key);
  if (tencentKeyUsage(key) !== 'ENCRYPT_DECRYPT') {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', `The KeyUsage of CMK ${key.id} is not ENCRYPT_DECRYPT.`);
  }
  if (hosting) {
    // IsHostedByKms 1: the service keeps the data key too (ops-data-keys.ts).
    const tags = checkTags(call, input.Tags);
    // A data key too long for the recipient's key must be refused before it is kept.
    if (recipient) await recipient.encrypt(new Uint8Array(length));
    const made = engine.hostDataKey(ctx, ref, { ...hosting, source: { kind: 'generate', numberOfBytes: length, ...(context ? { context } : {}) }, tags });
    const plaintext = await deliver(recipient, made.plaintext);
    made.plaintext.fill(0);
    touch(call, { id: made.dataKey.id, realm: made.dataKey.realm });
    return { KeyId: made.key.id, Plaintext: plaintext, CiphertextBlob: toCiphertextBlob(engine, made.ciphertext), DataKeyId: made.dataKey.id, ...tagResult(input.Tags) };
  }
  const result = engine.generateDataKey(ctx, ref, length, context);
  const plaintext = await deliver(recipient, result.plaintext);
  result.plaintext.fill(0);
  return { KeyId: result.key.id, Plaintext: plaintext, CiphertextBlob: toCiphertextBlob(engine, result.ciphertext) };
};

export const generateRandom: Handler = (call) => {
  const n = inRange(call, call.input.NumberOfBytes, LIMITS.randomBytes, 'NumberOfBytes');
  return { Plaintext: toBase64(call.engine.generateRandom(n)) };
};
