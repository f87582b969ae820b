/** Tencent symmetric cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateRandom. */
import { toBase64 } from '../../crypto/bytes.js';
import { encryptAsymmetric, parsePublicKey } from '../../crypto/asymmetric.js';
import { fromPem } from '../../crypto/keys.js';
import type { EncryptionContext } from '../../engine/types.js';
import { fromCiphertextBlob, toCiphertextBlob } from './ciphertext.js';
import { fault } from './errors.js';
import { ENCRYPTION_ALGORITHMS, tencentKeyUsage } from './metadata.js';
import { base64Bytes, type Call, checkDescription, encryptionContext, existing, type Handler, inRange, keyRef, LIMITS, randomOf, touch } from './call.js';

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

/**
 * EncryptionPublicKey + EncryptionAlgorithm: the plaintext leaves encrypted to the caller's RSA-2048
 * or SM2 public key (SM2: raw C1‖C3‖C2 with C1 = x‖y, as Tencent's examples show it).
 */
interface Recipient {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
}

export async function recipientOf(call: Call, pem: string | undefined, algorithmName: string | undefined): Promise<Recipient | undefined> {
  if (pem === undefined || pem === '') {
    if (algorithmName !== undefined && algorithmName !== '' && !ENCRYPTION_ALGORITHMS[algorithmName]) {
      throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `EncryptionAlgorithm ${algorithmName} is invalid.`);
    }
    return undefined;
  }
  const name = algorithmName === undefined || algorithmName === '' ? 'SM2' : algorithmName;
  const algorithm = ENCRYPTION_ALGORITHMS[name];
  if (!algorithm) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `EncryptionAlgorithm ${name} is invalid.`);
  const spki = fromPem(pem, 'PUBLIC KEY');
  const parsed = spki ? await parsePublicKey(spki) : undefined;
  const fits = parsed !== undefined && (algorithm.startsWith('SM2') ? parsed.spec === 'SM2' : parsed.spec === 'RSA_2048');
  if (!spki || !fits) {
    throw fault(call.action, ['InvalidParameter', 'FailedOperation.EncryptionError'], 'InvalidParameterValue', `EncryptionPublicKey is not an ${name.startsWith('SM2') ? 'SM2' : 'RSA-2048'} public key in PEM.`);
  }
  const random = randomOf(call.engine);
  return {
    async encrypt(plaintext) {
      try {
        const out = await encryptAsymmetric(parsed!.spec, spki, algorithm, plaintext, random);
        return algorithm === 'SM2_C1C3C2' ? out.subarray(1) : out;
      } catch {
        throw fault(call.action, ['FailedOperation.EncryptionError'], 'FailedOperation', 'The plaintext could not be encrypted to EncryptionPublicKey.');
      }
    },
  };
}

export async function deliver(recipient: Recipient | undefined, plaintext: Uint8Array): Promise<string> {
  return toBase64(recipient ? await recipient.encrypt(plaintext) : plaintext);
}

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
  if (input.IsHostedByKms !== undefined && input.IsHostedByKms !== 0) {
    throw fault(call.action, ['UnsupportedOperation'], 'UnsupportedOperation', 'Data keys hosted by KMS are not supported by this emulator.');
  }
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
  const result = engine.generateDataKey(ctx, ref, length, context);
  const plaintext = await deliver(recipient, result.plaintext);
  result.plaintext.fill(0);
  return { KeyId: result.key.id, Plaintext: plaintext, CiphertextBlob: toCiphertextBlob(engine, result.ciphertext) };
};

export const generateRandom: Handler = (call) => {
  const n = inRange(call, call.input.NumberOfBytes, LIMITS.randomBytes, 'NumberOfBytes');
  return { Plaintext: toBase64(call.engine.generateRandom(n)) };
};
