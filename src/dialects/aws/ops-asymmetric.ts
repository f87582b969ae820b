/** AWS asymmetric keys, HMAC and ML-KEM: data key pairs, GetPublicKey, Sign, Verify, DeriveSharedSecret, GenerateMac, VerifyMac, Encapsulate, Decapsulate. */
import type { AsymmetricKeySpec, MacAlgorithm, SignInput } from '../../engine/types.js';
import { AWS_KEY_SPEC, AWS_ORIGIN, awsAlgorithmLists, customerMasterKeySpec, KEY_SPEC_FROM_AWS, SIGNING_ALGORITHM_FROM_AWS } from './metadata.js';
import { externalCipher } from './xks-calls.js';
import { arnOf, b64, type Call, context, type Handler, keyRef, refuseRecipient, requireChinaRegion } from './call.js';

export function dataKeyPair(withPlaintext: boolean): Handler {
  return (call) => {
    const { engine, ctx, input, trail } = call;
    if (withPlaintext) refuseRecipient(input);
    if (input.KeyPairSpec === 'SM2') requireChinaRegion(call.realm.region, 'KeyPairSpec');
    const pairSpec = KEY_SPEC_FROM_AWS[input.KeyPairSpec] as AsymmetricKeySpec;
    return engine.generateDataKeyPair(ctx, keyRef(call, input.KeyId), pairSpec, context(input.EncryptionContext), call.operation, externalCipher(call)).then((result) => {
      trail.resources.push(result.key);
      trail.additional = { keyMaterialId: result.materialId };
      return {
        PrivateKeyCiphertextBlob: b64(result.ciphertext),
        ...(withPlaintext ? { PrivateKeyPlaintext: b64(result.privateKey) } : {}),
        PublicKey: b64(result.publicKey),
        KeyId: arnOf(result.key),
        KeyPairSpec: input.KeyPairSpec,
        KeyMaterialId: result.materialId,
      };
    });
  };
}

export const getPublicKey: Handler = async (call) => {
  const { key, publicKey } = await call.engine.getPublicKey(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  return {
    KeyId: arnOf(key),
    PublicKey: b64(publicKey),
    ...customerMasterKeySpec(key.spec),
    KeySpec: AWS_KEY_SPEC[key.spec],
    KeyUsage: key.usage,
    ...awsAlgorithmLists(key),
  };
};

/** Sign and Verify: the message form defaults to RAW, and CloudTrail records it. */
function signatureRequest(call: Call) {
  const messageType: SignInput = call.input.MessageType ?? 'RAW';
  call.trail.request = { messageType };
  return { algorithm: SIGNING_ALGORITHM_FROM_AWS[call.input.SigningAlgorithm]!, input: messageType, message: call.input.Message as Uint8Array };
}

export const sign: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  return engine.sign(ctx, keyRef(call, input.KeyId), signatureRequest(call)).then((result) => {
    trail.resources.push(result.key);
    return { KeyId: arnOf(result.key), Signature: b64(result.signature), SigningAlgorithm: input.SigningAlgorithm };
  });
};

export const verify: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  return engine.verify(ctx, keyRef(call, input.KeyId), { ...signatureRequest(call), signature: input.Signature }).then((result) => {
    trail.resources.push(result.key);
    return { KeyId: arnOf(result.key), SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
  });
};

export const deriveSharedSecret: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  refuseRecipient(input);
  const { key, sharedSecret } = await engine.deriveSharedSecret(ctx, keyRef(call, input.KeyId), input.KeyAgreementAlgorithm, input.PublicKey);
  trail.resources.push(key);
  return { KeyId: arnOf(key), SharedSecret: b64(sharedSecret), KeyAgreementAlgorithm: input.KeyAgreementAlgorithm, KeyOrigin: AWS_ORIGIN[key.origin] };
};

export const generateMac: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const { key, mac } = engine.generateMac(ctx, keyRef(call, input.KeyId), input.MacAlgorithm as MacAlgorithm, input.Message);
  trail.resources.push(key);
  return { Mac: b64(mac), MacAlgorithm: input.MacAlgorithm, KeyId: arnOf(key) };
};

export const verifyMac: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const { key } = engine.verifyMac(ctx, keyRef(call, input.KeyId), input.MacAlgorithm as MacAlgorithm, input.Message, input.Mac);
  trail.resources.push(key);
  return { KeyId: arnOf(key), MacValid: true, MacAlgorithm: input.MacAlgorithm };
};

export const encapsulate: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const result = await engine.encapsulate(ctx, keyRef(call, input.KeyId), input.EncapsulationAlgorithm);
  trail.resources.push(result.key);
  return {
    KeyId: arnOf(result.key),
    SharedSecret: b64(result.sharedSecret),
    SharedSecretCiphertextBlob: b64(result.ciphertext),
    EncapsulationAlgorithm: input.EncapsulationAlgorithm,
  };
};

export const decapsulate: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const result = await engine.decapsulate(ctx, keyRef(call, input.KeyId), input.EncapsulationAlgorithm, input.SharedSecretCiphertextBlob);
  trail.resources.push(result.key);
  return { KeyId: arnOf(result.key), SharedSecret: b64(result.sharedSecret), EncapsulationAlgorithm: input.EncapsulationAlgorithm };
};
