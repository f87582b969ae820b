/** AWS envelope encryption: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(WithoutPlaintext), GenerateRandom. */
import { isAsymmetricSpec } from '../../engine/specs.js';
import type { AsymmetricEncryption } from '../../engine/types.js';
import { ENCRYPTION_ALGORITHM_FROM_AWS } from './metadata.js';
import { randomSourceStore } from './ops-key-stores.js';
import { externalCipher } from './xks-calls.js';
import { arnOf, b64, type Call, context, dataKeyLength, dryRun, type Handler, keyRef, refuseRecipient, requireSymmetricAlgorithm, validation, beyondDryRun } from './call.js';

/** The engine's public-key scheme for an AWS EncryptionAlgorithm; undefined for SYMMETRIC_DEFAULT (or none). */
function asymmetricAlgorithm(name: string | undefined): AsymmetricEncryption | undefined {
  return name === undefined || name === 'SYMMETRIC_DEFAULT' ? undefined : ENCRYPTION_ALGORITHM_FROM_AWS[name];
}

export const encrypt: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const algorithm = asymmetricAlgorithm(input.EncryptionAlgorithm);
  if (algorithm) {
    trail.request = { encryptionAlgorithm: input.EncryptionAlgorithm };
    return engine.encryptAsymmetric(ctx, keyRef(call, input.KeyId), algorithm, input.Plaintext, context(input.EncryptionContext)).then((result) => {
      trail.resources.push(result.key);
      return { CiphertextBlob: b64(result.ciphertext), KeyId: arnOf(result.key), EncryptionAlgorithm: input.EncryptionAlgorithm };
    });
  }
  const result = beyondDryRun(
    () => engine.encryptVia(ctx, keyRef(call, input.KeyId), input.Plaintext, context(input.EncryptionContext), externalCipher(call)),
    () => requireSymmetricAlgorithm(input.EncryptionAlgorithm),
  );
  return then(result, (result) => {
    trail.resources.push(result.key);
    requireSymmetricAlgorithm(input.EncryptionAlgorithm);
    trail.request = { encryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
    trail.additional = { keyMaterialId: result.materialId, ...trail.additional };
    return { CiphertextBlob: b64(result.ciphertext), KeyId: arnOf(result.key), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
  });
};

/** `f` of a result that may still be on its way (keys of external key stores answer asynchronously). */
function then<T, U>(value: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

function checkDryRunModifiers(call: Call): boolean {
  const modifiers: string[] = call.input.DryRunModifiers ?? [];
  const ignoreCiphertext = modifiers.includes('IGNORE_CIPHERTEXT');
  if (ignoreCiphertext && call.input.DryRun !== true) throw validation('DryRunModifiers can only be used when DryRun is true.');
  return ignoreCiphertext;
}

/** CiphertextBlob is optional in the model (IGNORE_CIPHERTEXT dry runs) but required otherwise. */
function requireCiphertext(input: Record<string, any>): void {
  if (input.CiphertextBlob === undefined) {
    throw validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  }
}

export const decrypt: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  refuseRecipient(input);
  const expected = input.KeyId !== undefined ? keyRef(call, input.KeyId) : undefined;
  if (checkDryRunModifiers(call)) {
    if (!expected) throw validation('KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    const key = engine.describeKey(ctx, expected);
    trail.resources.push(key);
    engine.assertUsable(ctx, expected, 'decrypt');
    throw dryRun();
  }
  requireCiphertext(input);
  // CloudTrail logs the algorithm and the ciphertext's key even when Decrypt fails.
  trail.request = { encryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
  // A ciphertext of an asymmetric key carries no key: it is read with the key the request names.
  const keyNamed = expected ? engine.findKey(ctx, expected) : undefined;
  if (expected && keyNamed && isAsymmetricSpec(keyNamed.spec) && !engine.isEnvelope(input.CiphertextBlob)) {
    trail.resources.push(keyNamed);
    trail.request.keyId = arnOf(keyNamed);
    const algorithm = asymmetricAlgorithm(input.EncryptionAlgorithm);
    return engine.decryptAsymmetric(ctx, expected, input.CiphertextBlob, algorithm, context(input.EncryptionContext)).then((result) => {
      return { KeyId: arnOf(result.key), Plaintext: b64(result.plaintext), EncryptionAlgorithm: input.EncryptionAlgorithm };
    });
  }
  const named = engine.ciphertextKey(ctx, input.CiphertextBlob);
  if (named) {
    trail.resources.push(named);
    trail.request.keyId = arnOf(named);
  }
  return then(engine.decryptVia(ctx, input.CiphertextBlob, context(input.EncryptionContext), expected, externalCipher(call)), (result) => {
    requireSymmetricAlgorithm(input.EncryptionAlgorithm);
    trail.additional = { keyMaterialId: result.materialId, ...trail.additional };
    return {
      KeyId: arnOf(result.key),
      Plaintext: b64(result.plaintext),
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      KeyMaterialId: result.materialId,
    };
  });
};

export const reEncrypt: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const sourceKey = input.SourceKeyId !== undefined ? keyRef(call, input.SourceKeyId, 'SourceKeyId') : undefined;
  const destinationKey = keyRef(call, input.DestinationKeyId, 'DestinationKeyId');
  if (checkDryRunModifiers(call)) {
    if (!sourceKey) throw validation('SourceKeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    engine.assertUsable(ctx, sourceKey, 'reEncryptFrom');
    engine.assertUsable(ctx, destinationKey, 'reEncryptTo');
    throw dryRun();
  }
  requireCiphertext(input);
  trail.request = {
    sourceEncryptionAlgorithm: input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
    destinationEncryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
  };
  const named = engine.ciphertextKey(ctx, input.CiphertextBlob);
  if (named) trail.resources.push(named);
  const sourceAlgorithm = asymmetricAlgorithm(input.SourceEncryptionAlgorithm);
  const destinationAlgorithm = asymmetricAlgorithm(input.DestinationEncryptionAlgorithm);
  if ((sourceAlgorithm && sourceKey) || destinationAlgorithm) {
    const dryRunRest = () => {
      const destination = engine.findKey(ctx, destinationKey);
      if (destination) trail.resources.push(destination);
      if (!(sourceAlgorithm && sourceKey)) requireSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
    };
    return beyondDryRun(() => engine
      .reEncryptAny(ctx, {
        ciphertext: input.CiphertextBlob,
        sourceContext: context(input.SourceEncryptionContext),
        ...(sourceKey ? { sourceKey } : {}),
        ...(sourceAlgorithm && sourceKey ? { sourceAlgorithm } : {}),
        destinationKey,
        destinationContext: context(input.DestinationEncryptionContext),
        ...(destinationAlgorithm ? { destinationAlgorithm } : {}),
      }, externalCipher(call))
      .then((result) => {
        if (!named) trail.resources.push(result.source);
        trail.resources.push(result.destination);
        if (!(sourceAlgorithm && sourceKey)) requireSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
        const materials = {
          ...(result.sourceMaterialId ? { sourceKeyMaterialId: result.sourceMaterialId } : {}),
          ...(result.destinationMaterialId ? { destinationKeyMaterialId: result.destinationMaterialId } : {}),
        };
        if (Object.keys(materials).length > 0) trail.additional = materials;
        return {
          CiphertextBlob: b64(result.ciphertext),
          SourceKeyId: arnOf(result.source),
          KeyId: arnOf(result.destination),
          SourceEncryptionAlgorithm: input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
          ...(result.sourceMaterialId ? { SourceKeyMaterialId: result.sourceMaterialId } : {}),
          ...(result.destinationMaterialId ? { DestinationKeyMaterialId: result.destinationMaterialId } : {}),
        };
      }), dryRunRest);
  }
  const result = beyondDryRun(
    () =>
      engine.reEncryptVia(ctx, {
        ciphertext: input.CiphertextBlob,
        sourceContext: context(input.SourceEncryptionContext),
        ...(sourceKey ? { sourceKey } : {}),
        destinationKey,
        destinationContext: context(input.DestinationEncryptionContext),
      }, externalCipher(call)),
    () => {
      const destination = engine.findKey(ctx, destinationKey);
      if (destination) trail.resources.push(destination);
      requireSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
      requireSymmetricAlgorithm(input.DestinationEncryptionAlgorithm);
    },
  );
  return then(result, (result) => {
    if (!named) trail.resources.push(result.source);
    trail.resources.push(result.destination);
    requireSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
    requireSymmetricAlgorithm(input.DestinationEncryptionAlgorithm);
    trail.additional = { sourceKeyMaterialId: result.sourceMaterialId, destinationKeyMaterialId: result.destinationMaterialId, ...trail.additional };
    return {
      CiphertextBlob: b64(result.ciphertext),
      SourceKeyId: arnOf(result.source),
      KeyId: arnOf(result.destination),
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: result.sourceMaterialId,
      DestinationKeyMaterialId: result.destinationMaterialId,
    };
  });
};

export function dataKey(withPlaintext: boolean): Handler {
  return (call) => {
    const { engine, ctx, input, trail } = call;
    if (withPlaintext) refuseRecipient(input);
    const length = dataKeyLength(input);
    return then(engine.generateDataKeyVia(ctx, keyRef(call, input.KeyId), length, context(input.EncryptionContext), externalCipher(call)), (result) => {
      trail.resources.push(result.key);
      trail.additional = { keyMaterialId: result.materialId, ...trail.additional };
      return {
        CiphertextBlob: b64(result.ciphertext),
        ...(withPlaintext ? { Plaintext: b64(result.plaintext) } : {}),
        KeyId: arnOf(result.key),
        KeyMaterialId: result.materialId,
      };
    });
  };
}

export const generateRandom: Handler = (call) => {
  const { engine, ctx, input } = call;
  refuseRecipient(input);
  if (input.CustomKeyStoreId !== undefined) randomSourceStore(call, input.CustomKeyStoreId);
  if (input.NumberOfBytes === undefined) throw validation('NumberOfBytes is required.');
  return { Plaintext: b64(engine.generateRandom(input.NumberOfBytes, ctx)) };
};
