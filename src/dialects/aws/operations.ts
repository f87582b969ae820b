import { toBase64 } from '../../crypto/bytes.js';
import { parseBoundedJson } from '../input.js';
import type { JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import { isAsymmetricSpec, usageFits } from '../../engine/specs.js';
import type {
  AsymmetricEncryption,
  AsymmetricKeySpec,
  CallContext,
  EncryptionContext,
  KeyInfo,
  KeyRef,
  KeyUsage,
  MacAlgorithm,
  PageRequest,
  Realm,
  SignInput,
} from '../../engine/types.js';
import { aliasArn, keyArn, parseKeyId, partitionOf } from './arn.js';
import { takeLocalStackTags } from './localstack-tags.js';
import { checkTags as checkSharedTags, tagCountAfter, type TagRules } from '../shared.js';
import { AwsServiceError, DRY_RUN_MESSAGE } from './errors.js';
import {
  AWS_KEY_SPEC,
  AWS_ORIGIN,
  awsAlgorithmLists,
  awsKeyState,
  customerMasterKeySpec,
  defaultKeyPolicy,
  ENCRYPTION_ALGORITHM_FROM_AWS,
  KEY_SPEC_FROM_AWS,
  keyMetadata,
  secs,
  SIGNING_ALGORITHM_FROM_AWS,
  trailDate,
  trailKeyMetadata,
} from './metadata.js';
import { OPERATIONS } from './model.generated.js';
import { GRANT_OPERATIONS } from './grants.js';
import { IMPORT_OPERATIONS } from './import.js';

/** What a handler tells CloudTrail beyond the request itself. */
export interface Trail {
  resources: KeyInfo[];
  /** Merged over the request parameters derived from the input. */
  request?: Record<string, JsonValue>;
  response?: JsonValue;
  additional?: Record<string, JsonValue>;
}

export interface Call {
  readonly engine: Engine;
  readonly ctx: CallContext;
  readonly realm: Realm;
  readonly operation: string;
  /** Decoded input: blobs are Uint8Array, timestamps epoch ms. */
  readonly input: Record<string, any>;
  readonly trail: Trail;
}

export type Handler = (call: Call) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface OperationSpec {
  readonly handler: Handler;
  /** CloudTrail's readOnly flag. */
  readonly readOnly: boolean;
}

/** The service's limits, as AWS documents them. */
export const LIMITS = {
  tagsPerKey: 50,
  onDemandRotations: 25,
  pendingWindowDays: [7, 30] as const,
  defaultPendingWindowDays: 30,
  defaultRotationPeriodDays: 365,
  listKeysDefault: 100,
  listAliasesDefault: 50,
  listAliasesMax: 100,
  listTagsDefault: 50,
  listTagsMax: 50,
  listDefault: 100,
  /** RotateKeyOnDemand is refused while an automatic rotation is due this soon. */
  automaticRotationGuardMinutes: 20,
};

const b64 = toBase64;

function keyRef(call: Call, value: string, member = 'KeyId'): KeyRef {
  const acceptsAlias = member === 'KeyId' ? (OPERATIONS[call.operation]?.keyIdAcceptsAlias ?? false) : member !== 'TargetKeyId';
  return parseKeyId(value, call.realm, acceptsAlias);
}

function arnOf(key: KeyInfo): string {
  return keyArn(key.realm, key.id);
}

function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

function dryRun(): AwsServiceError {
  return new AwsServiceError('DryRunOperationException', DRY_RUN_MESSAGE);
}

function page(limit: number | undefined, marker: string | undefined, fallback: number, max = 1000): PageRequest {
  return { limit: Math.min(limit ?? fallback, max), ...(marker !== undefined ? { marker } : {}) };
}

function listed<T>(items: readonly T[], nextMarker: string | undefined, name: string): Record<string, unknown> {
  return { [name]: items, ...(nextMarker ? { NextMarker: nextMarker } : {}), Truncated: nextMarker !== undefined };
}

function context(value: unknown): EncryptionContext | undefined {
  return value as EncryptionContext | undefined;
}

/** Symmetric keys know one algorithm; it is checked after the key, as the service checks it. */
function requireSymmetricAlgorithm(algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsServiceError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.`);
  }
}

function refuseRecipient(input: Record<string, any>): void {
  if (input.Recipient !== undefined) {
    throw new AwsServiceError('UnsupportedOperationException', 'Recipient (attested enclave) requests are not supported by this emulator.');
  }
}

function refuseCustomKeyStore(id: string | undefined): void {
  if (id !== undefined) {
    throw new AwsServiceError('CustomKeyStoreNotFoundException', `Custom key store ID ${id} does not exist in this account and region.`);
  }
}

const TAG_RULES: TagRules = {
  reserved: (key) => (key.startsWith('aws:') ? new AwsServiceError('TagException', 'Tags beginning with aws: are reserved') : undefined),
  repeated: () => new AwsServiceError('TagException', 'Duplicate tag keys'),
};

function checkTags(tags: ReadonlyArray<{ TagKey: string; TagValue: string }>, existing?: ReadonlyMap<string, string>): Array<[string, string]> {
  const pairs = checkSharedTags(tags, TAG_RULES);
  if (tagCountAfter(existing?.keys(), pairs.map(([k]) => k)) > LIMITS.tagsPerKey) throw new AwsServiceError('TagException', 'Too many tags');
  return pairs;
}

function checkPolicy(policy: string): void {
  let doc: unknown;
  try {
    doc = parseBoundedJson(policy);
  } catch {
    throw new AwsServiceError('MalformedPolicyDocumentException', 'The policy is not valid JSON.');
  }
  const statement = (doc as { Statement?: unknown } | null)?.Statement;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || (typeof statement !== 'object' || statement === null)) {
    throw new AwsServiceError('MalformedPolicyDocumentException', 'The policy must contain a Statement.');
  }
}

function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) {
    throw validation('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (name.startsWith('alias/aws/')) throw new AwsServiceError('NotAuthorizedException', undefined);
  if (name === 'alias/') throw new AwsServiceError('InvalidAliasNameException', `Alias name ${name} is not valid.`);
}

function dataKeyLength(input: Record<string, any>): number {
  const { KeySpec: spec, NumberOfBytes: n } = input;
  if ((spec === undefined) === (n === undefined)) throw validation('Please specify either number of bytes or key spec.');
  if (n !== undefined) return n as number;
  return spec === 'AES_128' ? 16 : 32;
}

// ------------------------------------------------------------------ key lifecycle

const createKey: Handler = ({ engine, ctx, realm, input, trail }) => {
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw validation('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const awsSpec: string = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const origin: string = input.Origin ?? 'AWS_KMS';
  if (awsSpec !== 'SYMMETRIC_DEFAULT' && input.KeyUsage === undefined) {
    throw validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const usage: string = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  // SYMMETRIC_DEFAULT is a 256-bit AES key, except in the China Regions, where it is a 128-bit SM4 key.
  const spec = awsSpec === 'SYMMETRIC_DEFAULT' && partitionOf(realm.region) === 'aws-cn' ? 'SM4' : KEY_SPEC_FROM_AWS[awsSpec];
  if (!spec) throw new AwsServiceError('UnsupportedOperationException', `KeySpec ${awsSpec} is not supported by this emulator yet.`);
  if (spec === 'SM2') requireChinaRegion(realm.region, 'KeySpec');
  if (!usageFits(spec, usage as KeyUsage)) throw validation(`KeyUsage ${usage} is not compatible with KeySpec ${awsSpec}`);
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || input.CustomKeyStoreId !== undefined) {
    if (input.CustomKeyStoreId === undefined) throw validation(`CustomKeyStoreId is required for Origin ${origin}`);
    refuseCustomKeyStore(input.CustomKeyStoreId);
  }
  if (input.XksKeyId !== undefined) throw validation('XksKeyId is only valid for keys in an external key store.');
  if (input.MultiRegion === true) throw new AwsServiceError('UnsupportedOperationException', 'Multi-Region keys are not supported by this emulator yet.');
  // LocalStack's key-choosing tags stay out of CloudTrail, whatever happens next (one holds key material).
  const chosen = takeLocalStackTags(input.Tags ?? [], (kept) => (trail.request = { tags: kept }));
  const tags = checkTags(chosen.tags);
  const policy: string = input.Policy ?? defaultKeyPolicy(realm.account, partitionOf(realm.region));
  if (input.Policy !== undefined) checkPolicy(policy);
  const request = {
    spec,
    usage: usage as KeyUsage,
    origin: origin === 'EXTERNAL' ? ('EXTERNAL' as const) : ('GENERATED' as const),
    description: input.Description ?? '',
    tags,
    policies: [['default', policy] as const],
    ...(chosen.id !== undefined ? { id: chosen.id, multiRegion: chosen.id.startsWith('mrk-') } : {}),
    ...(chosen.material !== undefined ? { material: chosen.material } : {}),
  };
  const created = (key: KeyInfo): Record<string, unknown> => {
    trail.resources.push(key);
    trail.request = {
      ...trail.request,
      description: input.Description ?? '',
      origin,
      bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck ?? false,
      customerMasterKeySpec: awsSpec,
      keySpec: awsSpec,
      keyUsage: usage,
      multiRegion: input.MultiRegion ?? false,
    };
    trail.response = { keyMetadata: trailKeyMetadata(key) as JsonValue };
    return { KeyMetadata: keyMetadata(key) };
  };
  // Only a key pair waits (generated, or parsed from chosen material); every other key is made at once.
  if (isAsymmetricSpec(spec)) return engine.createKeyAsync(ctx, request).then(created);
  return created(engine.createKey(ctx, request));
};

const describeKey: Handler = (call) => {
  const key = call.engine.describeKey(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  return { KeyMetadata: keyMetadata(key) };
};

const listKeys: Handler = ({ engine, ctx, input }) => {
  const result = engine.listKeys(ctx, page(input.Limit, input.Marker, LIMITS.listKeysDefault));
  return listed(
    result.items.map((k) => ({ KeyId: k.id, KeyArn: arnOf(k) })),
    result.nextMarker,
    'Keys',
  );
};

const updateKeyDescription: Handler = (call) => {
  call.trail.resources.push(call.engine.updateDescription(call.ctx, keyRef(call, call.input.KeyId), call.input.Description));
  return {};
};

const enableKey: Handler = (call) => {
  call.trail.resources.push(call.engine.enableKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

const disableKey: Handler = (call) => {
  call.trail.resources.push(call.engine.disableKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

const scheduleKeyDeletion: Handler = (call) => {
  const days: number = call.input.PendingWindowInDays ?? LIMITS.defaultPendingWindowDays;
  const [min, max] = LIMITS.pendingWindowDays;
  if (days < min || days > max) {
    const bound = days < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
    throw validation(`1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${bound}`);
  }
  const key = call.engine.scheduleDeletion(call.ctx, keyRef(call, call.input.KeyId), days);
  call.trail.resources.push(key);
  call.trail.response = { keyId: arnOf(key), keyState: 'PendingDeletion', deletionDate: trailDate(key.deletionDate!) };
  return { KeyId: arnOf(key), DeletionDate: secs(key.deletionDate!), KeyState: awsKeyState(key.state), PendingWindowInDays: days };
};

const cancelKeyDeletion: Handler = (call) => {
  const key = call.engine.cancelDeletion(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  call.trail.response = { keyId: arnOf(key) };
  return { KeyId: arnOf(key) };
};

// ------------------------------------------------------------------ cryptography

/** The engine's public-key scheme for an AWS EncryptionAlgorithm; undefined for SYMMETRIC_DEFAULT (or none). */
function asymmetricAlgorithm(name: string | undefined): AsymmetricEncryption | undefined {
  return name === undefined || name === 'SYMMETRIC_DEFAULT' ? undefined : ENCRYPTION_ALGORITHM_FROM_AWS[name];
}

const encrypt: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const algorithm = asymmetricAlgorithm(input.EncryptionAlgorithm);
  if (algorithm) {
    trail.request = { encryptionAlgorithm: input.EncryptionAlgorithm };
    return engine.encryptAsymmetric(ctx, keyRef(call, input.KeyId), algorithm, input.Plaintext, context(input.EncryptionContext)).then((result) => {
      trail.resources.push(result.key);
      if (input.DryRun === true) throw dryRun();
      return { CiphertextBlob: b64(result.ciphertext), KeyId: arnOf(result.key), EncryptionAlgorithm: input.EncryptionAlgorithm };
    });
  }
  const result = engine.encrypt(ctx, keyRef(call, input.KeyId), input.Plaintext, context(input.EncryptionContext));
  trail.resources.push(result.key);
  requireSymmetricAlgorithm(input.EncryptionAlgorithm);
  if (input.DryRun === true) throw dryRun();
  trail.request = { encryptionAlgorithm: input.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
  trail.additional = { keyMaterialId: result.materialId };
  return { CiphertextBlob: b64(result.ciphertext), KeyId: arnOf(result.key), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
};

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

const decrypt: Handler = (call) => {
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
      if (input.DryRun === true) throw dryRun();
      return { KeyId: arnOf(result.key), Plaintext: b64(result.plaintext), EncryptionAlgorithm: input.EncryptionAlgorithm };
    });
  }
  const named = engine.ciphertextKey(ctx, input.CiphertextBlob);
  if (named) {
    trail.resources.push(named);
    trail.request.keyId = arnOf(named);
  }
  const result = engine.decrypt(ctx, input.CiphertextBlob, context(input.EncryptionContext), expected);
  requireSymmetricAlgorithm(input.EncryptionAlgorithm);
  if (input.DryRun === true) throw dryRun();
  trail.additional = { keyMaterialId: result.materialId };
  return {
    KeyId: arnOf(result.key),
    Plaintext: b64(result.plaintext),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    KeyMaterialId: result.materialId,
  };
};

const reEncrypt: Handler = (call) => {
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
    return engine
      .reEncryptAny(ctx, {
        ciphertext: input.CiphertextBlob,
        sourceContext: context(input.SourceEncryptionContext),
        ...(sourceKey ? { sourceKey } : {}),
        ...(sourceAlgorithm && sourceKey ? { sourceAlgorithm } : {}),
        destinationKey,
        destinationContext: context(input.DestinationEncryptionContext),
        ...(destinationAlgorithm ? { destinationAlgorithm } : {}),
      })
      .then((result) => {
        if (!named) trail.resources.push(result.source);
        trail.resources.push(result.destination);
        if (!(sourceAlgorithm && sourceKey)) requireSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
        if (input.DryRun === true) throw dryRun();
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
      });
  }
  const result = engine.reEncrypt(ctx, {
    ciphertext: input.CiphertextBlob,
    sourceContext: context(input.SourceEncryptionContext),
    ...(sourceKey ? { sourceKey } : {}),
    destinationKey,
    destinationContext: context(input.DestinationEncryptionContext),
  });
  if (!named) trail.resources.push(result.source);
  trail.resources.push(result.destination);
  requireSymmetricAlgorithm(input.SourceEncryptionAlgorithm);
  requireSymmetricAlgorithm(input.DestinationEncryptionAlgorithm);
  if (input.DryRun === true) throw dryRun();
  trail.additional = { sourceKeyMaterialId: result.sourceMaterialId, destinationKeyMaterialId: result.destinationMaterialId };
  return {
    CiphertextBlob: b64(result.ciphertext),
    SourceKeyId: arnOf(result.source),
    KeyId: arnOf(result.destination),
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    SourceKeyMaterialId: result.sourceMaterialId,
    DestinationKeyMaterialId: result.destinationMaterialId,
  };
};

function dataKey(withPlaintext: boolean): Handler {
  return (call) => {
    const { engine, ctx, input, trail } = call;
    if (withPlaintext) refuseRecipient(input);
    const length = dataKeyLength(input);
    const result = engine.generateDataKey(ctx, keyRef(call, input.KeyId), length, context(input.EncryptionContext));
    trail.resources.push(result.key);
    if (input.DryRun === true) throw dryRun();
    trail.additional = { keyMaterialId: result.materialId };
    return {
      CiphertextBlob: b64(result.ciphertext),
      ...(withPlaintext ? { Plaintext: b64(result.plaintext) } : {}),
      KeyId: arnOf(result.key),
      KeyMaterialId: result.materialId,
    };
  };
}

/** "The SM2 key spec is only available in China Regions" (AWS): elsewhere it is refused. */
function requireChinaRegion(region: string, member: 'KeySpec' | 'KeyPairSpec'): void {
  if (partitionOf(region) !== 'aws-cn') throw new AwsServiceError('UnsupportedOperationException', `${member} SM2 is not supported in this Region`);
}

function dataKeyPair(withPlaintext: boolean): Handler {
  return (call) => {
    const { engine, ctx, input, trail } = call;
    if (withPlaintext) refuseRecipient(input);
    if (input.KeyPairSpec === 'SM2') requireChinaRegion(call.realm.region, 'KeyPairSpec');
    const pairSpec = KEY_SPEC_FROM_AWS[input.KeyPairSpec] as AsymmetricKeySpec;
    return engine.generateDataKeyPair(ctx, keyRef(call, input.KeyId), pairSpec, context(input.EncryptionContext), call.operation).then((result) => {
      trail.resources.push(result.key);
      if (input.DryRun === true) throw dryRun();
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

// ------------------------------------------------------------------ asymmetric keys, HMAC, ML-KEM

const getPublicKey: Handler = async (call) => {
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

const sign: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  return engine.sign(ctx, keyRef(call, input.KeyId), signatureRequest(call)).then((result) => {
    trail.resources.push(result.key);
    if (input.DryRun === true) throw dryRun();
    return { KeyId: arnOf(result.key), Signature: b64(result.signature), SigningAlgorithm: input.SigningAlgorithm };
  });
};

const verify: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  return engine.verify(ctx, keyRef(call, input.KeyId), { ...signatureRequest(call), signature: input.Signature }).then((result) => {
    trail.resources.push(result.key);
    if (input.DryRun === true) throw dryRun();
    return { KeyId: arnOf(result.key), SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
  });
};

const deriveSharedSecret: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  refuseRecipient(input);
  const { key, sharedSecret } = await engine.deriveSharedSecret(ctx, keyRef(call, input.KeyId), input.KeyAgreementAlgorithm, input.PublicKey);
  trail.resources.push(key);
  if (input.DryRun === true) throw dryRun();
  return { KeyId: arnOf(key), SharedSecret: b64(sharedSecret), KeyAgreementAlgorithm: input.KeyAgreementAlgorithm, KeyOrigin: AWS_ORIGIN[key.origin] };
};

const generateMac: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const { key, mac } = engine.generateMac(ctx, keyRef(call, input.KeyId), input.MacAlgorithm as MacAlgorithm, input.Message);
  trail.resources.push(key);
  if (input.DryRun === true) throw dryRun();
  return { Mac: b64(mac), MacAlgorithm: input.MacAlgorithm, KeyId: arnOf(key) };
};

const verifyMac: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const { key } = engine.verifyMac(ctx, keyRef(call, input.KeyId), input.MacAlgorithm as MacAlgorithm, input.Message, input.Mac);
  trail.resources.push(key);
  if (input.DryRun === true) throw dryRun();
  return { KeyId: arnOf(key), MacValid: true, MacAlgorithm: input.MacAlgorithm };
};

const encapsulate: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const result = await engine.encapsulate(ctx, keyRef(call, input.KeyId), input.EncapsulationAlgorithm);
  trail.resources.push(result.key);
  if (input.DryRun === true) throw dryRun();
  return {
    KeyId: arnOf(result.key),
    SharedSecret: b64(result.sharedSecret),
    SharedSecretCiphertextBlob: b64(result.ciphertext),
    EncapsulationAlgorithm: input.EncapsulationAlgorithm,
  };
};

const decapsulate: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const result = await engine.decapsulate(ctx, keyRef(call, input.KeyId), input.EncapsulationAlgorithm, input.SharedSecretCiphertextBlob);
  trail.resources.push(result.key);
  if (input.DryRun === true) throw dryRun();
  return { KeyId: arnOf(result.key), SharedSecret: b64(result.sharedSecret), EncapsulationAlgorithm: input.EncapsulationAlgorithm };
};

const generateRandom: Handler = ({ engine, input }) => {
  refuseRecipient(input);
  refuseCustomKeyStore(input.CustomKeyStoreId);
  if (input.NumberOfBytes === undefined) throw validation('NumberOfBytes is required.');
  return { Plaintext: b64(engine.generateRandom(input.NumberOfBytes)) };
};

// ------------------------------------------------------------------ aliases

const createAlias: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkAliasName(input.AliasName);
  const target = keyRef(call, input.TargetKeyId, 'TargetKeyId');
  engine.createAlias(ctx, input.AliasName, target);
  const key = engine.findKey(ctx, target);
  if (key) trail.resources.push(key);
  return {};
};

const updateAlias: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkAliasName(input.AliasName);
  const target = keyRef(call, input.TargetKeyId, 'TargetKeyId');
  const previous = engine.getAlias(ctx, input.AliasName);
  engine.updateAlias(ctx, input.AliasName, target);
  const old = previous ? engine.findKey(ctx, { keyId: previous.keyId }) : undefined;
  const key = engine.findKey(ctx, target);
  for (const k of [old, key]) if (k && !trail.resources.includes(k)) trail.resources.push(k);
  return {};
};

const deleteAlias: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkAliasName(input.AliasName);
  const alias = engine.deleteAlias(ctx, input.AliasName);
  const key = engine.findKey(ctx, { keyId: alias.keyId });
  if (key) trail.resources.push(key);
  return {};
};

const listAliases: Handler = (call) => {
  const { engine, ctx, realm, input } = call;
  const key = input.KeyId !== undefined ? keyRef(call, input.KeyId) : undefined;
  const result = engine.listAliases(ctx, page(input.Limit, input.Marker, LIMITS.listAliasesDefault, LIMITS.listAliasesMax), key);
  return listed(
    result.items.map((a) => ({
      AliasName: a.name,
      AliasArn: aliasArn(realm, a.name),
      TargetKeyId: a.keyId,
      CreationDate: secs(a.createdAt),
      LastUpdatedDate: secs(a.updatedAt),
    })),
    result.nextMarker,
    'Aliases',
  );
};

// ------------------------------------------------------------------ tags

const tagResource: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const existing = engine.findKey(ctx, ref)?.tags;
  const tags = checkTags(input.Tags, existing);
  trail.resources.push(engine.tagKey(ctx, ref, tags));
  return {};
};

const untagResource: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const keys: string[] = input.TagKeys;
  if (keys.some((k) => k.startsWith('aws:'))) throw new AwsServiceError('TagException', 'Tags beginning with aws: are reserved');
  trail.resources.push(engine.untagKey(ctx, keyRef(call, input.KeyId), keys));
  return {};
};

const listResourceTags: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const result = engine.listTags(ctx, ref, page(input.Limit, input.Marker, LIMITS.listTagsDefault, LIMITS.listTagsMax));
  const key = engine.findKey(ctx, ref);
  if (key) trail.resources.push(key);
  return listed(
    result.items.map(([k, v]) => ({ TagKey: k, TagValue: v })),
    result.nextMarker,
    'Tags',
  );
};

// ------------------------------------------------------------------ policies

const getKeyPolicy: Handler = (call) => {
  const name: string = call.input.PolicyName ?? 'default';
  const { key, policy } = call.engine.getPolicy(call.ctx, keyRef(call, call.input.KeyId), name);
  call.trail.resources.push(key);
  return { Policy: policy, PolicyName: name };
};

const putKeyPolicy: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkPolicy(input.Policy);
  trail.resources.push(engine.putPolicy(ctx, keyRef(call, input.KeyId), input.PolicyName ?? 'default', input.Policy));
  return {};
};

const listKeyPolicies: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const result = engine.listPolicies(ctx, ref, page(input.Limit, input.Marker, LIMITS.listDefault));
  const key = engine.findKey(ctx, ref);
  if (key) trail.resources.push(key);
  return listed(result.items, result.nextMarker, 'PolicyNames');
};

// ------------------------------------------------------------------ rotation

const enableKeyRotation: Handler = (call) => {
  const days: number = call.input.RotationPeriodInDays ?? LIMITS.defaultRotationPeriodDays;
  const key = call.engine.enableRotation(call.ctx, keyRef(call, call.input.KeyId), days);
  call.trail.resources.push(key);
  call.trail.request = { rotationPeriodInDays: days };
  call.trail.response = { keyId: arnOf(key) };
  return {};
};

const disableKeyRotation: Handler = (call) => {
  const key = call.engine.disableRotation(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  call.trail.response = { keyId: arnOf(key) };
  return {};
};

const getKeyRotationStatus: Handler = (call) => {
  const key = call.engine.getRotationStatus(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  const r = key.rotation;
  const inProgress = r.onDemandStartedAt !== undefined && call.engine.rotationInProgress(key);
  // While a key is pending deletion AWS reports rotation off; cancelling the deletion restores it.
  const enabled = r.enabled && key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion';
  return {
    KeyRotationEnabled: enabled,
    KeyId: arnOf(key),
    ...(enabled ? { RotationPeriodInDays: r.periodDays } : {}),
    ...(enabled && r.nextRotation !== undefined ? { NextRotationDate: secs(r.nextRotation) } : {}),
    ...(inProgress ? { OnDemandRotationStartDate: secs(r.onDemandStartedAt!) } : {}),
  };
};

const rotateKeyOnDemand: Handler = (call) => {
  const { key } = call.engine.rotateNow(call.ctx, keyRef(call, call.input.KeyId), {
    limit: LIMITS.onDemandRotations,
    automaticRotationGuardMs: LIMITS.automaticRotationGuardMinutes * 60_000,
  });
  call.trail.resources.push(key);
  call.trail.response = { keyId: key.id };
  return { KeyId: key.id };
};

const listKeyRotations: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const result = engine.listRotations(ctx, ref, page(input.Limit, input.Marker, LIMITS.listDefault), all);
  const key = engine.findKey(ctx, ref)!;
  trail.resources.push(key);
  trail.request = { includeKeyMaterial: input.IncludeKeyMaterial ?? 'ROTATIONS_ONLY' };
  return listed(
    result.items.map((m) => ({
      KeyId: key.id,
      KeyMaterialId: m.id,
      KeyMaterialState: m.current ? 'CURRENT' : 'NON_CURRENT',
      ...(m.rotation ? { RotationDate: secs(m.rotation.at), RotationType: m.rotation.kind } : {}),
    })),
    result.nextMarker,
    'Rotations',
  );
};

/** The implemented operations: name → handler and CloudTrail's readOnly flag. */
export const HANDLERS: Record<string, OperationSpec> = {
  CreateKey: { handler: createKey, readOnly: false },
  DescribeKey: { handler: describeKey, readOnly: true },
  ListKeys: { handler: listKeys, readOnly: true },
  UpdateKeyDescription: { handler: updateKeyDescription, readOnly: false },
  EnableKey: { handler: enableKey, readOnly: false },
  DisableKey: { handler: disableKey, readOnly: false },
  ScheduleKeyDeletion: { handler: scheduleKeyDeletion, readOnly: false },
  CancelKeyDeletion: { handler: cancelKeyDeletion, readOnly: false },
  Encrypt: { handler: encrypt, readOnly: true },
  Decrypt: { handler: decrypt, readOnly: true },
  ReEncrypt: { handler: reEncrypt, readOnly: true },
  GenerateDataKey: { handler: dataKey(true), readOnly: true },
  GenerateDataKeyWithoutPlaintext: { handler: dataKey(false), readOnly: true },
  GenerateDataKeyPair: { handler: dataKeyPair(true), readOnly: true },
  GenerateDataKeyPairWithoutPlaintext: { handler: dataKeyPair(false), readOnly: true },
  GenerateRandom: { handler: generateRandom, readOnly: true },
  GetPublicKey: { handler: getPublicKey, readOnly: true },
  Sign: { handler: sign, readOnly: true },
  Verify: { handler: verify, readOnly: true },
  DeriveSharedSecret: { handler: deriveSharedSecret, readOnly: true },
  GenerateMac: { handler: generateMac, readOnly: true },
  VerifyMac: { handler: verifyMac, readOnly: true },
  Encapsulate: { handler: encapsulate, readOnly: true },
  Decapsulate: { handler: decapsulate, readOnly: true },
  CreateAlias: { handler: createAlias, readOnly: false },
  UpdateAlias: { handler: updateAlias, readOnly: false },
  DeleteAlias: { handler: deleteAlias, readOnly: false },
  ListAliases: { handler: listAliases, readOnly: true },
  TagResource: { handler: tagResource, readOnly: false },
  UntagResource: { handler: untagResource, readOnly: false },
  ListResourceTags: { handler: listResourceTags, readOnly: true },
  GetKeyPolicy: { handler: getKeyPolicy, readOnly: true },
  PutKeyPolicy: { handler: putKeyPolicy, readOnly: false },
  ListKeyPolicies: { handler: listKeyPolicies, readOnly: true },
  EnableKeyRotation: { handler: enableKeyRotation, readOnly: false },
  DisableKeyRotation: { handler: disableKeyRotation, readOnly: false },
  GetKeyRotationStatus: { handler: getKeyRotationStatus, readOnly: true },
  RotateKeyOnDemand: { handler: rotateKeyOnDemand, readOnly: false },
  ListKeyRotations: { handler: listKeyRotations, readOnly: true },
  ...GRANT_OPERATIONS,
  ...IMPORT_OPERATIONS,
};

