/**
 * The Tencent KMS actions: name → handler. A handler checks what the gateway's model cannot (value
 * ranges, formats, the dialect's own state rules), calls the engine, and renders Tencent's response.
 * State rules that differ from the engine's table (ScheduleKeyDeletion of an enabled key, RotateKey
 * once a day, the import states) are checked here, before the engine call, so a refused call changes nothing.
 */
import { parseBoundedJson } from '../input.js';
import { fromBase64, toBase64, utf8 } from '../../crypto/bytes.js';
import { encryptAsymmetric, parsePublicKey } from '../../crypto/asymmetric.js';
import { parseEnvelope } from '../../crypto/envelope.js';
import { fromPem, toPem } from '../../crypto/keys.js';
import type { RandomSource } from '../../crypto/random.js';
import type { JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import { isKmsError } from '../../engine/errors.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef, Realm } from '../../engine/types.js';
import type { WhiteBoxKeyInfo } from '../../engine/white-box.js';
import { fromCiphertextBlob, toCiphertextBlob } from './ciphertext.js';
import { fault, TencentFault } from './errors.js';
import {
  creatorUin,
  ENCRYPTION_ALGORITHMS,
  engineSpec,
  flavourOf,
  KEY_STATE,
  KEY_STATE_FILTER,
  KEY_USAGES,
  keyMetadata,
  secs,
  SIGNING_ALGORITHMS,
  tencentKeyUsage,
  UNSERVED_USAGES,
  uinValue,
  usageOffered,
  type RegionFlavour,
} from './metadata.js';
import { WHITE_BOX_REGIONS } from './model.generated.js';
import { TENCENT_REGIONS } from './regions.js';
import { whiteBoxContainer } from './white-box.js';
import { aliasOf as sharedAliasOf, allKeys as allKeysOf, checkTags as checkSharedTags } from '../shared.js';

/** What a handler tells CloudAudit beyond the request itself. */
export interface Trail {
  resources: Array<{ id: string; realm: Realm }>;
  /** The resources are white-box keys. */
  whiteBox?: boolean;
  request?: Record<string, JsonValue>;
  response?: JsonValue;
}

export interface Call {
  readonly engine: Engine;
  readonly ctx: CallContext;
  readonly realm: Realm;
  readonly action: string;
  /** Checked against the action's model: members of the right types, required ones present. */
  readonly input: Record<string, any>;
  readonly trail: Trail;
  readonly flavour: RegionFlavour;
  readonly dialect: { readonly options: { readonly region: string; readonly flavours?: Readonly<Record<string, RegionFlavour>> } };
}

export type Handler = (call: Call) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ActionSpec {
  readonly handler: Handler;
  /** CloudAudit's actionType: Read or Write. */
  readonly readOnly: boolean;
}

/** The service's limits, as Tencent documents them. */
export const LIMITS = {
  aliasLength: 60,
  descriptionBytes: 1024,
  batchKeyIds: 100,
  listDefault: 10,
  listMax: 200,
  pendingWindowDays: [7, 30] as const,
  rotateDays: [7, 365] as const,
  defaultRotateDays: 365,
  plaintextBytes: 4096,
  contextChars: 1024,
  dataKeyBytes: [1, 1024] as const,
  randomBytes: [1, 1024] as const,
  sm2CiphertextBytes: 256,
  signRawBytes: 4096,
  /** RotateKey: at most once in this many milliseconds. */
  rotateIntervalMs: 24 * 3600 * 1000,
  whiteBoxKeys: 50,
  whiteBoxBatch: 50,
  fingerprints: 200,
  /** ImportKeyMaterial ValidTo (unix seconds) at most this. */
  maxValidTo: 2147443200,
};

const KEY_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/;
const FINGERPRINT = /^[0-9a-f]{8}-[0-9a-f]{14}-[0-9a-f]{14}-[0-9a-f]{14}-[0-9a-f]{16}$/;

// ------------------------------------------------------------------ shared checks

function keyRef(call: Call, value: string): KeyRef {
  if (!KEY_ID.test(value)) throw fault(call.action, ['InvalidParameterValue.InvalidKeyId'], 'InvalidParameterValue', `The KeyId ${value} is invalid.`);
  return { keyId: value.toLowerCase() };
}

/** A batch of key ids: 1 to `max`, each well-formed, none repeated. */
function keyIds(call: Call, ids: string[], max: number): KeyRef[] {
  if (ids.length === 0 || ids.length > max) throw fault(call.action, ['InvalidParameter'], 'InvalidParameter', `KeyIds must hold 1 to ${max} key ids.`);
  const refs = ids.map((id) => keyRef(call, id));
  const seen = new Set<string>();
  for (const r of refs) {
    const id = (r as { keyId: string }).keyId;
    if (seen.has(id)) throw fault(call.action, ['InvalidParameterValue.DuplicatedKeyId'], 'InvalidParameterValue', `The KeyId ${id} is repeated.`);
    seen.add(id);
  }
  return refs;
}

function checkAlias(call: Call, alias: string): void {
  // The `kms-` prefix marks keys that cloud products create (the console also refuses `KMS-`).
  if (!ALIAS.test(alias) || /^kms-/i.test(alias)) {
    throw fault(call.action, ['InvalidParameterValue.InvalidAlias'], 'InvalidParameterValue', `The alias ${alias} is invalid.`);
  }
}

function checkDescription(call: Call, description: string | undefined): void {
  if (description !== undefined && utf8(description).length > LIMITS.descriptionBytes) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `The description must be at most ${LIMITS.descriptionBytes} bytes.`);
  }
}

function checkTags(call: Call, tags: Array<{ TagKey: string; TagValue: string }> | undefined): Array<[string, string]> {
  return checkSharedTags(tags ?? [], {
    repeated: (key) => fault(call.action, ['InvalidParameterValue.TagKeysDuplicated'], 'InvalidParameterValue', `The tag key ${key} is repeated.`),
  });
}

function tagResult(tags: unknown[] | undefined): { TagCode: number; TagMsg: string } {
  return tags && tags.length > 0 ? { TagCode: 0, TagMsg: 'ok' } : { TagCode: 0, TagMsg: 'no tags to save' };
}

function tagsMatch(tags: ReadonlyMap<string, string>, filters: Array<{ TagKey: string; TagValue?: string[] }> | undefined): boolean {
  return (filters ?? []).every((f) => tags.has(f.TagKey) && (!f.TagValue || f.TagValue.length === 0 || f.TagValue.includes(tags.get(f.TagKey)!)));
}

/** Base64 of at most `max` bytes (at least `min`); `codes` name the error for anything else. */
function base64Bytes(call: Call, value: string, member: string, codes: string[], range: readonly [number, number] = [0, Infinity]): Uint8Array {
  const bytes = fromBase64(value);
  if (!bytes || bytes.length < range[0] || bytes.length > range[1]) {
    throw fault(call.action, codes, 'InvalidParameterValue', `The parameter ${member} must be base64 of ${range[0]} to ${range[1]} bytes.`);
  }
  return bytes;
}

function inRange(call: Call, value: number, [min, max]: readonly [number, number], member: string, codes: string[] = ['InvalidParameter']): number {
  if (value < min || value > max) throw fault(call.action, codes, 'InvalidParameterValue', `The parameter ${member} must be between ${min} and ${max}.`);
  return value;
}

/** EncryptionContext: a JSON object of string values, at most 1024 characters. */
function encryptionContext(call: Call, text: string | undefined, member = 'EncryptionContext'): EncryptionContext | undefined {
  if (text === undefined || text === '') return undefined;
  let value: unknown;
  try {
    value = text.length <= LIMITS.contextChars ? parseBoundedJson(text) : undefined;
  } catch {
    value = undefined;
  }
  const ok = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
  if (!ok) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `${member} must be a JSON object of string values, at most ${LIMITS.contextChars} characters.`);
  return value as EncryptionContext;
}

function touch(call: Call, key: { id: string; realm: Realm }): void {
  if (!call.trail.resources.some((r) => r.id === key.id)) call.trail.resources.push({ id: key.id, realm: key.realm });
}

/** The key's Tencent alias (its one engine alias), or '' for a key without one. */
function aliasOf(call: Call, key: KeyInfo): string {
  return sharedAliasOf(call.engine, call.ctx, key);
}

function metadata(call: Call, key: KeyInfo): Record<string, unknown> {
  return keyMetadata(key, { alias: aliasOf(call, key), flavour: flavourOf(key.realm.region, call.dialect.options.flavours), now: call.engine.now() });
}

/** The engine's random bytes as a RandomSource (seeded emulators stay reproducible). */
function randomOf(engine: Engine): RandomSource {
  return { fill: (out: Uint8Array) => (out.set(engine.generateRandom(out.length)), out) };
}

/** Every key of the realm, oldest first. */
function allKeys(call: Call): KeyInfo[] {
  return allKeysOf(call.engine, call.ctx);
}

function offsetLimit(call: Call, input: Record<string, any>): { offset: number; limit: number } {
  const limit: number = input.Limit ?? LIMITS.listDefault;
  if (limit > LIMITS.listMax) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Limit must be at most ${LIMITS.listMax}.`);
  return { offset: input.Offset ?? 0, limit };
}

/** An existing key (state not checked); CmkNotFound otherwise. */
function existing(call: Call, ref: KeyRef): KeyInfo {
  return call.engine.describeKey(call.ctx, ref);
}

// ------------------------------------------------------------------ key lifecycle

const createKey: Handler = async (call) => {
  const { engine, ctx, input } = call;
  checkAlias(call, input.Alias);
  checkDescription(call, input.Description);
  const type: number = input.Type ?? 1;
  if (type !== 1 && type !== 2) throw fault(call.action, ['InvalidParameterValue.InvalidType'], 'InvalidParameterValue', `Type ${type} is invalid.`);
  const usageName: string = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  const profile = KEY_USAGES[usageName];
  if (!profile && !UNSERVED_USAGES.includes(usageName)) {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', `KeyUsage ${usageName} is invalid.`);
  }
  if (!profile || !usageOffered(usageName, call.flavour)) {
    throw fault(call.action, ['UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion'], 'UnsupportedOperation', `KeyUsage ${usageName} is not supported in region ${ctx.realm.region}.`);
  }
  // Imported material is offered for symmetric keys only.
  if (type === 2 && usageName !== 'ENCRYPT_DECRYPT') {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', 'EXTERNAL keys must have KeyUsage ENCRYPT_DECRYPT.');
  }
  const tags = checkTags(call, input.Tags);
  if (engine.getAlias(ctx, input.Alias)) throw fault(call.action, ['InvalidParameterValue.AliasAlreadyExists'], 'InvalidParameterValue', `The alias ${input.Alias} already exists.`);
  const key = await engine.createKeyAsync(ctx, {
    spec: engineSpec(profile, call.flavour),
    usage: profile.usage,
    origin: type === 2 ? 'EXTERNAL' : 'GENERATED',
    description: input.Description ?? '',
    tags,
  });
  // A key pair takes a moment: the alias may have been taken meanwhile.
  if (engine.getAlias(ctx, input.Alias)) throw fault(call.action, ['InvalidParameterValue.AliasAlreadyExists'], 'InvalidParameterValue', `The alias ${input.Alias} already exists.`);
  engine.createAlias(ctx, input.Alias, { keyId: key.id });
  touch(call, key);
  return {
    KeyId: key.id,
    Alias: input.Alias,
    CreateTime: secs(key.createdAt),
    Description: key.description,
    KeyState: KEY_STATE[key.state],
    KeyUsage: usageName,
    ...tagResult(input.Tags),
    ...(input.HsmClusterId !== undefined ? { HsmClusterId: input.HsmClusterId } : {}),
  };
};

const describeKey: Handler = (call) => {
  const key = existing(call, keyRef(call, call.input.KeyId));
  touch(call, key);
  return { KeyMetadata: metadata(call, key) };
};

const describeKeys: Handler = (call) => {
  const refs = keyIds(call, call.input.KeyIds, LIMITS.batchKeyIds);
  const keys = refs.map((r) => existing(call, r));
  for (const k of keys) touch(call, k);
  return { KeyMetadatas: keys.map((k) => metadata(call, k)) };
};

/** ListKeys lists the keys a caller can use or make usable. */
const LISTED_STATES = new Set(['Enabled', 'Disabled', 'PendingImport']);

/** Keys a caller created (Role 0) or cloud products created for it (Role 1: none here), newest first unless asked. */
function userKeys(call: Call, role: number | undefined, ascending = false): KeyInfo[] {
  if (role !== undefined && role !== 0 && role !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'Role must be 0 or 1.');
  const keys = role === 1 ? [] : allKeys(call).filter((k) => tencentKeyUsage(k) !== undefined);
  return ascending ? keys : keys.reverse();
}

const listKeys: Handler = (call) => {
  const { offset, limit } = offsetLimit(call, call.input);
  const keys = userKeys(call, call.input.Role).filter((k) => LISTED_STATES.has(KEY_STATE[k.state]));
  return { Keys: keys.slice(offset, offset + limit).map((k) => ({ KeyId: k.id })), TotalCount: keys.length };
};

const listKeyDetail: Handler = (call) => {
  const { input } = call;
  const { offset, limit } = offsetLimit(call, input);
  const order: number = input.OrderType ?? 0;
  if (order !== 0 && order !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'OrderType must be 0 or 1.');
  const stateFilter: number = input.KeyState ?? 0;
  if (stateFilter >= KEY_STATE_FILTER.length) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'KeyState must be 0 to 5.');
  const origin: string = input.Origin ?? '';
  if (!['', 'ALL', 'TENCENT_KMS', 'EXTERNAL'].includes(origin)) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Origin ${origin} is invalid.`);
  // An empty KeyUsage filter means symmetric keys only, as the service documents.
  const usage: string = input.KeyUsage === undefined || input.KeyUsage === '' ? 'ENCRYPT_DECRYPT' : input.KeyUsage;
  if (usage !== 'ALL' && !KEY_USAGES[usage] && !UNSERVED_USAGES.includes(usage)) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `KeyUsage ${usage} is invalid.`);
  }
  const search: string = (input.SearchKeyAlias ?? '').toLowerCase();
  const keys = userKeys(call, input.Role, order === 1).filter((k) => {
    if (stateFilter !== 0 && KEY_STATE[k.state] !== KEY_STATE_FILTER[stateFilter]) return false;
    if ((origin === 'TENCENT_KMS' && k.origin !== 'GENERATED') || (origin === 'EXTERNAL' && k.origin !== 'EXTERNAL')) return false;
    if (usage !== 'ALL' && tencentKeyUsage(k) !== usage) return false;
    if (!tagsMatch(k.tags, input.TagFilters)) return false;
    return search === '' || k.id.includes(search) || aliasOf(call, k).toLowerCase().includes(search);
  });
  return { TotalCount: keys.length, KeyMetadatas: keys.slice(offset, offset + limit).map((k) => metadata(call, k)) };
};

const updateAlias: Handler = (call) => {
  const { engine, ctx, input } = call;
  checkAlias(call, input.Alias);
  const ref = keyRef(call, input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  const taken = engine.getAlias(ctx, input.Alias);
  if (taken && taken.keyId === key.id) return {};
  if (taken) throw fault(call.action, ['InvalidParameterValue.AliasAlreadyExists'], 'InvalidParameterValue', `The alias ${input.Alias} already exists.`);
  // Refused states are refused before the old alias goes.
  engine.assertUsable(ctx, ref, 'createAlias');
  const old = aliasOf(call, key);
  if (old) engine.deleteAlias(ctx, old);
  engine.createAlias(ctx, input.Alias, ref);
  return {};
};

const updateKeyDescription: Handler = (call) => {
  checkDescription(call, call.input.Description);
  touch(call, call.engine.updateDescription(call.ctx, keyRef(call, call.input.KeyId), call.input.Description));
  return {};
};

const enableKey: Handler = (call) => {
  touch(call, call.engine.enableKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

/** A bound key refuses to be disabled (the engine refuses archive and deletion itself). */
function refuseBound(call: Call, key: KeyInfo): void {
  if (key.bindings.length > 0) throw fault(call.action, ['FailedOperation.CmkUsedByCloudProduct'], 'FailedOperation', `The CMK ${key.id} is used by a cloud product.`);
}

const disableKey: Handler = (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  call.engine.assertUsable(call.ctx, ref, 'disableKey');
  refuseBound(call, key);
  call.engine.disableKey(call.ctx, ref);
  return {};
};

/** Enable/DisableKeys: every key is checked before any changes. */
function batch(operation: 'enableKey' | 'disableKey'): Handler {
  return (call) => {
    const refs = keyIds(call, call.input.KeyIds, LIMITS.batchKeyIds);
    for (const ref of refs) {
      const key = existing(call, ref);
      touch(call, key);
      call.engine.assertUsable(call.ctx, ref, operation);
      if (operation === 'disableKey') refuseBound(call, key);
    }
    for (const ref of refs) call.engine[operation](call.ctx, ref);
    return {};
  };
}

const scheduleKeyDeletion: Handler = (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const days = inRange(call, input.PendingWindowInDays, LIMITS.pendingWindowDays, 'PendingWindowInDays', ['InvalidParameter.InvalidPendingWindowInDays']);
  const key = existing(call, ref);
  touch(call, key);
  // Tencent: disable first; an archived key is not deletable either.
  if (key.state === 'Enabled') throw fault(call.action, ['ResourceUnavailable.CmkShouldBeDisabled'], 'ResourceUnavailable', `The CMK ${key.id} must be disabled before its deletion is scheduled.`);
  const scheduled = engine.scheduleDeletion(ctx, ref, days);
  return { DeletionDate: secs(scheduled.deletionDate!), KeyId: scheduled.id };
};

const cancelKeyDeletion: Handler = (call) => {
  const key = call.engine.cancelDeletion(call.ctx, keyRef(call, call.input.KeyId));
  touch(call, key);
  return { KeyId: key.id };
};

const archiveKey: Handler = (call) => {
  touch(call, call.engine.archiveKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

const cancelKeyArchive: Handler = (call) => {
  touch(call, call.engine.cancelArchive(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

function nonEmpty(call: Call, value: string, member: string): string {
  if (value === '') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `The parameter ${member} must not be empty.`);
  return value;
}

const bindCloudResource: Handler = (call) => {
  const { input } = call;
  const ref = keyRef(call, input.KeyId);
  touch(call, call.engine.bindResource(call.ctx, ref, nonEmpty(call, input.ProductId, 'ProductId'), nonEmpty(call, input.ResourceId, 'ResourceId')));
  return {};
};

const unbindCloudResource: Handler = (call) => {
  const { input } = call;
  const ref = keyRef(call, input.KeyId);
  touch(call, call.engine.unbindResource(call.ctx, ref, nonEmpty(call, input.ProductId, 'ProductId'), nonEmpty(call, input.ResourceId, 'ResourceId')));
  return {};
};

// ------------------------------------------------------------------ rotation

const enableKeyRotation: Handler = (call) => {
  const days = inRange(call, call.input.RotateDays ?? LIMITS.defaultRotateDays, LIMITS.rotateDays, 'RotateDays', ['InvalidParameterValue']);
  touch(call, call.engine.enableRotation(call.ctx, keyRef(call, call.input.KeyId), days));
  return {};
};

const disableKeyRotation: Handler = (call) => {
  touch(call, call.engine.disableRotation(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

const getKeyRotationStatus: Handler = (call) => {
  const key = existing(call, keyRef(call, call.input.KeyId));
  touch(call, key);
  return { KeyRotationEnabled: key.rotation.enabled };
};

const rotateKey: Handler = (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  if (key.origin === 'EXTERNAL' || !key.rotation.enabled) {
    throw fault(call.action, ['UnsupportedOperation.RotateNotSupported'], 'UnsupportedOperation', `Rotation is not enabled for the CMK ${key.id}.`);
  }
  const last = key.rotation.onDemandStartedAt;
  if (last !== undefined && call.engine.now() - last < LIMITS.rotateIntervalMs) {
    throw fault(call.action, ['RequestLimitExceeded.RotateRateLimited'], 'RequestLimitExceeded', 'A key can be rotated by hand at most once every 24 hours.');
  }
  call.engine.rotateNow(call.ctx, ref, { limit: Number.MAX_SAFE_INTEGER });
  return { TaskId: call.engine.newId() };
};

// ------------------------------------------------------------------ symmetric cryptography

function plaintextOf(call: Call, value: string, member = 'Plaintext'): Uint8Array {
  return base64Bytes(call, value, member, ['InvalidParameterValue.InvalidPlaintext', 'InvalidParameter'], [0, LIMITS.plaintextBytes]);
}

function ciphertextOf(call: Call, blob: string): Uint8Array {
  const bytes = fromCiphertextBlob(blob);
  if (!bytes) throw fault(call.action, ['InvalidParameterValue.InvalidCiphertext'], 'InvalidParameterValue', 'The ciphertext is invalid.');
  return bytes;
}

const encrypt: Handler = (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const plaintext = plaintextOf(call, input.Plaintext);
  const result = engine.encrypt(ctx, ref, plaintext, encryptionContext(call, input.EncryptionContext));
  touch(call, result.key);
  return { CiphertextBlob: toCiphertextBlob(result.ciphertext), KeyId: result.key.id };
};

/**
 * EncryptionPublicKey + EncryptionAlgorithm: the plaintext leaves encrypted to the caller's RSA-2048
 * or SM2 public key (SM2: raw C1‖C3‖C2 with C1 = x‖y, as Tencent's examples show it).
 */
interface Recipient {
  encrypt(plaintext: Uint8Array): Promise<Uint8Array>;
}

async function recipientOf(call: Call, pem: string | undefined, algorithmName: string | undefined): Promise<Recipient | undefined> {
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

async function deliver(recipient: Recipient | undefined, plaintext: Uint8Array): Promise<string> {
  return toBase64(recipient ? await recipient.encrypt(plaintext) : plaintext);
}

const decrypt: Handler = async (call) => {
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

const reEncrypt: Handler = (call) => {
  const { engine, ctx, input } = call;
  const ciphertext = ciphertextOf(call, input.CiphertextBlob);
  const sourceContext = encryptionContext(call, input.SourceEncryptionContext, 'SourceEncryptionContext');
  const destinationContext = encryptionContext(call, input.DestinationEncryptionContext, 'DestinationEncryptionContext');
  const destinationRef = input.DestinationKeyId !== undefined && input.DestinationKeyId !== '' ? keyRef(call, input.DestinationKeyId) : undefined;
  const source = engine.ciphertextKey(ctx, ciphertext);
  if (source) touch(call, source);
  const destination = destinationRef ?? (source ? { keyId: source.id } : undefined);
  // Same key, no rotation since, same context: the blob is already current (it must still open).
  const materialId = parseEnvelope(ciphertext)?.materialId;
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
  return { CiphertextBlob: toCiphertextBlob(result.ciphertext), KeyId: result.destination.id, SourceKeyId: result.source.id, ReEncrypted: true };
};

const generateDataKey: Handler = async (call) => {
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
  return { KeyId: result.key.id, Plaintext: plaintext, CiphertextBlob: toCiphertextBlob(result.ciphertext) };
};

const generateRandom: Handler = (call) => {
  const n = inRange(call, call.input.NumberOfBytes, LIMITS.randomBytes, 'NumberOfBytes');
  return { Plaintext: toBase64(call.engine.generateRandom(n)) };
};

// ------------------------------------------------------------------ asymmetric keys

const getPublicKey: Handler = async (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  if (key.spec === 'AES_256' || key.spec === 'SM4') {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage', 'UnsupportedOperation'], 'UnsupportedOperation', `The CMK ${key.id} is not an asymmetric key.`);
  }
  const { publicKey } = await call.engine.getPublicKey(call.ctx, ref);
  return { KeyId: key.id, PublicKey: toBase64(publicKey), PublicKeyPem: toPem(publicKey, 'PUBLIC KEY') };
};

/** The asymmetric decryption actions: the key must have exactly this usage. */
function asymmetricDecrypt(usage: 'ASYMMETRIC_DECRYPT_RSA_2048' | 'ASYMMETRIC_DECRYPT_SM2'): Handler {
  return async (call) => {
    const { engine, ctx, input } = call;
    const ref = keyRef(call, input.KeyId);
    let algorithm: string;
    if (usage === 'ASYMMETRIC_DECRYPT_RSA_2048') {
      algorithm = input.Algorithm;
      if (!algorithm.startsWith('RSAES_') || !ENCRYPTION_ALGORITHMS[algorithm]) {
        throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Algorithm ${algorithm} is invalid.`);
      }
    } else {
      algorithm = 'SM2_C1C3C2_ASN1';
    }
    const range = usage === 'ASYMMETRIC_DECRYPT_SM2' ? ([1, LIMITS.sm2CiphertextBytes] as const) : ([1, 4096] as const);
    const ciphertext = base64Bytes(call, input.Ciphertext, 'Ciphertext', ['InvalidParameter'], range);
    const key = existing(call, ref);
    touch(call, key);
    if (tencentKeyUsage(key) !== usage) {
      throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', `The KeyUsage of CMK ${key.id} is not ${usage}.`);
    }
    const result = await engine.decryptAsymmetric(ctx, ref, ciphertext, ENCRYPTION_ALGORITHMS[algorithm]);
    return { KeyId: result.key.id, Plaintext: toBase64(result.plaintext) };
  };
}

/** Algorithm and message of SignByAsymmetricKey / VerifyByAsymmetricKey. */
function signatureRequest(call: Call) {
  const { input } = call;
  const algorithm = SIGNING_ALGORITHMS[input.Algorithm];
  if (!algorithm) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Algorithm ${input.Algorithm} is invalid.`);
  const type: string = input.MessageType ?? 'RAW';
  if (type !== 'RAW' && type !== 'DIGEST') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `MessageType ${type} is invalid.`);
  const message = base64Bytes(call, input.Message, 'Message', ['InvalidParameter'], type === 'RAW' ? [0, LIMITS.signRawBytes] : [1, 64]);
  return { algorithm: algorithm.algorithm, input: type as 'RAW' | 'DIGEST', message };
}

const signByAsymmetricKey: Handler = async (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const request = signatureRequest(call);
  const key = existing(call, ref);
  touch(call, key);
  const { signature } = await call.engine.sign(call.ctx, ref, request);
  return { Signature: toBase64(signature) };
};

const verifyByAsymmetricKey: Handler = async (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const request = signatureRequest(call);
  const signature = base64Bytes(call, call.input.SignatureValue, 'SignatureValue', ['InvalidParameter'], [0, 1024]);
  const key = existing(call, ref);
  touch(call, key);
  try {
    await call.engine.verify(call.ctx, ref, { ...request, signature });
    return { SignatureValid: true };
  } catch (e) {
    // A signature that does not verify is an answer, not an error.
    if (isKmsError(e) && e.code === 'InvalidSignature') return { SignatureValid: false };
    throw e;
  }
};

// ------------------------------------------------------------------ imported key material

const WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;

/** Tencent imports into PendingImport keys, or re-imports into Enabled ones. */
function requireImportState(call: Call, key: KeyInfo): void {
  if (key.origin === 'EXTERNAL' && key.state !== 'Enabled' && key.state !== 'PendingImport') {
    throw fault(call.action, ['ResourceUnavailable.CmkStateNotSupport'], 'ResourceUnavailable', `The CMK ${key.id} is ${KEY_STATE[key.state]}.`);
  }
}

const getParametersForImport: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  if (!(WRAPPING_ALGORITHMS as readonly string[]).includes(input.WrappingAlgorithm)) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `WrappingAlgorithm ${input.WrappingAlgorithm} is invalid.`);
  }
  if (input.WrappingKeySpec !== 'RSA_2048') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `WrappingKeySpec ${input.WrappingKeySpec} is invalid.`);
  const key = existing(call, ref);
  touch(call, key);
  requireImportState(call, key);
  const result = await engine.getImportParameters(ctx, ref, { wrappingAlgorithm: input.WrappingAlgorithm, wrappingKeySpec: 'RSA_2048' });
  return { KeyId: result.key.id, ImportToken: toBase64(result.importToken), PublicKey: toBase64(result.publicKey), ParametersValidTo: secs(result.validTo) };
};

const importKeyMaterial: Handler = async (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const material = base64Bytes(call, input.EncryptedKeyMaterial, 'EncryptedKeyMaterial', ['InvalidParameter'], [1, 4096]);
  const token = base64Bytes(call, input.ImportToken, 'ImportToken', ['InvalidParameter'], [1, 4096]);
  const validTo: number = input.ValidTo ?? 0;
  if (validTo !== 0 && (validTo > LIMITS.maxValidTo || validTo * 1000 <= engine.now())) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `ValidTo must be 0 or a unix time after now and at most ${LIMITS.maxValidTo}.`);
  }
  const key = existing(call, ref);
  touch(call, key);
  requireImportState(call, key);
  await engine.importKeyMaterial(ctx, ref, { importToken: token, encryptedKeyMaterial: material, ...(validTo !== 0 ? { validTo: validTo * 1000 } : {}) });
  return {};
};

const deleteImportedKeyMaterial: Handler = (call) => {
  touch(call, call.engine.deleteImportedKeyMaterial(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

// ------------------------------------------------------------------ service information

const getServiceStatus: Handler = (call) => ({
  ServiceEnabled: true,
  InvalidType: 1,
  UserLevel: 0,
  ProExpireTime: 0,
  ProRenewFlag: 0,
  ProResourceId: '',
  ExclusiveVSMEnabled: false,
  ExclusiveHSMEnabled: false,
  SubscriptionInfo: '',
  CmkUserCount: userKeys(call, 0).filter((k) => k.state !== 'PendingDeletion').length,
  IsAllowedDataKeyHosted: false,
});

const getRegions: Handler = (call) => ({
  Regions: [...new Set([...TENCENT_REGIONS, ...Object.keys(call.dialect.options.flavours ?? {}), call.dialect.options.region])],
});

const listAlgorithms: Handler = (call) => {
  const groups: Record<string, Array<{ KeyUsage: string; Algorithm: string }>> = { SymmetricAlgorithms: [], AsymmetricAlgorithms: [], AsymmetricSignVerifyAlgorithms: [] };
  for (const [name, profile] of Object.entries(KEY_USAGES)) {
    if (!usageOffered(name, call.flavour)) continue;
    const algorithm = profile.spec === 'SYMMETRIC' ? (call.flavour === 'sm' ? 'SM4' : 'AES_256') : profile.algorithm;
    groups[profile.group]!.push({ KeyUsage: name, Algorithm: algorithm });
  }
  return groups;
};

// ------------------------------------------------------------------ white-box keys

function requireWhiteBoxRegion(call: Call): void {
  if (!WHITE_BOX_REGIONS.includes(call.realm.region)) {
    throw new TencentFault('UnsupportedRegion', `White-box keys are not offered in region ${call.realm.region}.`);
  }
}

function whiteBoxId(call: Call, value: string): string {
  requireWhiteBoxRegion(call);
  call.trail.whiteBox = true;
  if (!KEY_ID.test(value)) throw fault(call.action, ['InvalidParameterValue.InvalidKeyId'], 'InvalidParameterValue', `The KeyId ${value} is invalid.`);
  return value.toLowerCase();
}

function whiteBoxIds(call: Call, ids: string[]): string[] {
  if (ids.length === 0 || ids.length > LIMITS.whiteBoxBatch) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `KeyIds must hold 1 to ${LIMITS.whiteBoxBatch} key ids.`);
  const out = ids.map((id) => whiteBoxId(call, id));
  if (new Set(out).size !== out.length) throw fault(call.action, ['InvalidParameterValue.DuplicatedKeyId'], 'InvalidParameterValue', 'A KeyId is repeated.');
  return out;
}

function whiteBoxInfo(call: Call, key: WhiteBoxKeyInfo): Record<string, unknown> {
  const { secret } = call.engine.whiteBoxSecret(call.ctx, key.id);
  const creator = key.creator === key.realm.account || key.creator === '' ? key.realm.account : key.creator;
  return {
    KeyId: key.id,
    Alias: key.alias,
    CreatorUin: uinValue(creator),
    Description: key.description,
    CreateTime: secs(key.createdAt),
    Status: key.state,
    OwnerUin: uinValue(key.realm.account),
    Algorithm: key.algorithm,
    EncryptKey: whiteBoxContainer(key.algorithm, 'encrypt', secret),
    DecryptKey: whiteBoxContainer(key.algorithm, 'decrypt', secret),
    ResourceId: `creatorUin/${creator}/${key.id}`,
    DeviceFingerprintBind: key.deviceFingerprints.length > 0,
  };
}

const createWhiteBoxKey: Handler = (call) => {
  const { engine, ctx, input } = call;
  requireWhiteBoxRegion(call);
  call.trail.whiteBox = true;
  checkAlias(call, input.Alias);
  if (input.Algorithm !== 'AES_256' && input.Algorithm !== 'SM4') throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `Algorithm ${input.Algorithm} is invalid.`);
  if (input.Description !== undefined && utf8(input.Description).length > LIMITS.descriptionBytes) {
    throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `The description must be at most ${LIMITS.descriptionBytes} bytes.`);
  }
  const tags = checkTags(call, input.Tags);
  const { key, secret } = engine.createWhiteBoxKey(ctx, {
    alias: input.Alias,
    algorithm: input.Algorithm,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    tags,
    limit: LIMITS.whiteBoxKeys,
  });
  touch(call, key);
  return {
    KeyId: key.id,
    EncryptKey: whiteBoxContainer(key.algorithm, 'encrypt', secret),
    DecryptKey: whiteBoxContainer(key.algorithm, 'decrypt', secret),
    ...tagResult(input.Tags),
  };
};

const describeWhiteBoxKey: Handler = (call) => {
  const key = call.engine.describeWhiteBoxKey(call.ctx, whiteBoxId(call, call.input.KeyId));
  touch(call, key);
  return { KeyInfo: whiteBoxInfo(call, key) };
};

const describeWhiteBoxKeyDetails: Handler = (call) => {
  const { input } = call;
  requireWhiteBoxRegion(call);
  call.trail.whiteBox = true;
  const status: number | undefined = input.KeyStatus;
  if (status !== undefined && status !== 0 && status !== 1) throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', 'KeyStatus must be 0 or 1.');
  const limit: number = input.Limit ?? 0;
  const offset: number = input.Offset ?? 0;
  const keys = call.engine
    .listWhiteBoxKeys(call.ctx)
    .filter((k) => (status === undefined || k.state === (status === 1 ? 'Enabled' : 'Disabled')) && tagsMatch(k.tags, input.TagFilters));
  // Limit 0: no paging.
  const page = limit === 0 ? keys.slice(offset) : keys.slice(offset, offset + limit);
  return { KeyInfos: page.map((k) => whiteBoxInfo(call, k)), TotalCount: keys.length };
};

const describeWhiteBoxDecryptKey: Handler = (call) => {
  const { key, secret } = call.engine.whiteBoxSecret(call.ctx, whiteBoxId(call, call.input.KeyId));
  touch(call, key);
  return { DecryptKey: whiteBoxContainer(key.algorithm, 'decrypt', secret) };
};

const describeWhiteBoxServiceStatus: Handler = (call) => {
  call.trail.whiteBox = true;
  return { ServiceEnabled: WHITE_BOX_REGIONS.includes(call.realm.region) };
};

const encryptByWhiteBox: Handler = (call) => {
  const { input } = call;
  const id = whiteBoxId(call, input.KeyId);
  const plaintext = base64Bytes(call, input.PlainText, 'PlainText', ['InvalidParameterValue'], [0, LIMITS.plaintextBytes]);
  const iv = input.InitializationVector !== undefined && input.InitializationVector !== '' ? base64Bytes(call, input.InitializationVector, 'InitializationVector', ['InvalidParameterValue'], [16, 16]) : undefined;
  const result = call.engine.whiteBoxEncrypt(call.ctx, id, plaintext, iv);
  touch(call, result.key);
  return { InitializationVector: toBase64(result.iv), CipherText: toBase64(result.ciphertext) };
};

function whiteBoxSwitch(operation: 'enableWhiteBoxKey' | 'disableWhiteBoxKey', many: boolean): Handler {
  return (call) => {
    const ids = many ? whiteBoxIds(call, call.input.KeyIds) : [whiteBoxId(call, call.input.KeyId)];
    // Every key must exist before any changes.
    for (const id of ids) touch(call, call.engine.describeWhiteBoxKey(call.ctx, id));
    for (const id of ids) call.engine[operation](call.ctx, id);
    return {};
  };
}

const deleteWhiteBoxKey: Handler = (call) => {
  touch(call, call.engine.deleteWhiteBoxKey(call.ctx, whiteBoxId(call, call.input.KeyId)));
  return {};
};

const overwriteWhiteBoxDeviceFingerprints: Handler = (call) => {
  const { input } = call;
  const id = whiteBoxId(call, input.KeyId);
  const list: Array<{ Identity: string; Description?: string }> = input.DeviceFingerprints ?? [];
  if (list.length > LIMITS.fingerprints) throw fault(call.action, ['LimitExceeded.FingerprintsLimitExceeded'], 'LimitExceeded', `At most ${LIMITS.fingerprints} device fingerprints may be bound.`);
  for (const f of list) {
    if (!FINGERPRINT.test(f.Identity)) throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `The device fingerprint ${f.Identity} is invalid.`);
    if (f.Description !== undefined && utf8(f.Description).length > LIMITS.descriptionBytes) {
      throw fault(call.action, ['InvalidParameterValue'], 'InvalidParameterValue', `A fingerprint description must be at most ${LIMITS.descriptionBytes} bytes.`);
    }
  }
  const key = call.engine.setWhiteBoxFingerprints(
    call.ctx,
    id,
    list.map((f) => (f.Description !== undefined ? { identity: f.Identity, description: f.Description } : { identity: f.Identity })),
  );
  touch(call, key);
  return {};
};

const describeWhiteBoxDeviceFingerprints: Handler = (call) => {
  const key = call.engine.describeWhiteBoxKey(call.ctx, whiteBoxId(call, call.input.KeyId));
  touch(call, key);
  return {
    DeviceFingerprints: key.deviceFingerprints.map((f) => (f.description !== undefined ? { Identity: f.identity, Description: f.description } : { Identity: f.identity })),
  };
};

// ------------------------------------------------------------------ the registry

const read = (handler: Handler): ActionSpec => ({ handler, readOnly: true });
const write = (handler: Handler): ActionSpec => ({ handler, readOnly: false });

/** The implemented actions; every other action of the API answers InvalidAction. */
export const HANDLERS: Record<string, ActionSpec> = {
  CreateKey: write(createKey),
  DescribeKey: read(describeKey),
  DescribeKeys: read(describeKeys),
  ListKeys: read(listKeys),
  ListKeyDetail: read(listKeyDetail),
  UpdateAlias: write(updateAlias),
  UpdateKeyDescription: write(updateKeyDescription),
  EnableKey: write(enableKey),
  DisableKey: write(disableKey),
  EnableKeys: write(batch('enableKey')),
  DisableKeys: write(batch('disableKey')),
  ScheduleKeyDeletion: write(scheduleKeyDeletion),
  CancelKeyDeletion: write(cancelKeyDeletion),
  ArchiveKey: write(archiveKey),
  CancelKeyArchive: write(cancelKeyArchive),
  BindCloudResource: write(bindCloudResource),
  UnbindCloudResource: write(unbindCloudResource),
  EnableKeyRotation: write(enableKeyRotation),
  DisableKeyRotation: write(disableKeyRotation),
  GetKeyRotationStatus: read(getKeyRotationStatus),
  RotateKey: write(rotateKey),
  Encrypt: read(encrypt),
  Decrypt: read(decrypt),
  ReEncrypt: read(reEncrypt),
  GenerateDataKey: read(generateDataKey),
  GenerateRandom: read(generateRandom),
  GetPublicKey: read(getPublicKey),
  AsymmetricRsaDecrypt: read(asymmetricDecrypt('ASYMMETRIC_DECRYPT_RSA_2048')),
  AsymmetricSm2Decrypt: read(asymmetricDecrypt('ASYMMETRIC_DECRYPT_SM2')),
  SignByAsymmetricKey: read(signByAsymmetricKey),
  VerifyByAsymmetricKey: read(verifyByAsymmetricKey),
  GetParametersForImport: write(getParametersForImport),
  ImportKeyMaterial: write(importKeyMaterial),
  DeleteImportedKeyMaterial: write(deleteImportedKeyMaterial),
  GetServiceStatus: read(getServiceStatus),
  GetRegions: read(getRegions),
  ListAlgorithms: read(listAlgorithms),
  CreateWhiteBoxKey: write(createWhiteBoxKey),
  DescribeWhiteBoxKey: read(describeWhiteBoxKey),
  DescribeWhiteBoxKeyDetails: read(describeWhiteBoxKeyDetails),
  DescribeWhiteBoxDecryptKey: read(describeWhiteBoxDecryptKey),
  DescribeWhiteBoxServiceStatus: read(describeWhiteBoxServiceStatus),
  EncryptByWhiteBox: read(encryptByWhiteBox),
  EnableWhiteBoxKey: write(whiteBoxSwitch('enableWhiteBoxKey', false)),
  DisableWhiteBoxKey: write(whiteBoxSwitch('disableWhiteBoxKey', false)),
  EnableWhiteBoxKeys: write(whiteBoxSwitch('enableWhiteBoxKey', true)),
  DisableWhiteBoxKeys: write(whiteBoxSwitch('disableWhiteBoxKey', true)),
  DeleteWhiteBoxKey: write(deleteWhiteBoxKey),
  OverwriteWhiteBoxDeviceFingerprints: write(overwriteWhiteBoxDeviceFingerprints),
  DescribeWhiteBoxDeviceFingerprints: read(describeWhiteBoxDeviceFingerprints),
};

export { creatorUin };
