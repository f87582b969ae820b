/** What a Tencent action handler is given and returns, the service's limits, and the checks the handlers share. */
import type { Action } from '../../engine/actions.js';
import { parseBoundedJson } from '../input.js';
import { fromBase64, utf8 } from '../../crypto/bytes.js';
import type { RandomSource } from '../../crypto/random.js';
import type { JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef, Realm } from '../../engine/types.js';
import { fault } from './errors.js';
import { flavourOf, keyMetadata, type RegionFlavour } from './metadata.js';
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
  readonly dialect: { readonly options: { readonly region: string; readonly flavours?: Readonly<Record<string, RegionFlavour>>; readonly cmkLimit?: number } };
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
  /** CMKs per account and region unless the dialect's `cmkLimit` says otherwise (GetServiceStatus's documented example value). */
  cmkLimit: 200,
  /** ImportKeyMaterial ValidTo (unix seconds) at most this. */
  maxValidTo: 2147443200,
};

export const KEY_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/;
export const FINGERPRINT = /^[0-9a-f]{8}-[0-9a-f]{14}-[0-9a-f]{14}-[0-9a-f]{14}-[0-9a-f]{16}$/;

export function keyRef(call: Call, value: string): KeyRef {
  if (!KEY_ID.test(value)) throw fault(call.action, ['InvalidParameterValue.InvalidKeyId'], 'InvalidParameterValue', `The KeyId ${value} is invalid.`);
  return { keyId: value.toLowerCase() };
}

/** A batch of key ids: 1 to `max`, each well-formed, none repeated. */
export function keyIds(call: Call, ids: string[], max: number): KeyRef[] {
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

export function checkAlias(call: Call, alias: string): void {
  // The `kms-` prefix marks keys that cloud products create (the console also refuses `KMS-`).
  if (!ALIAS.test(alias) || /^kms-/i.test(alias)) {
    throw fault(call.action, ['InvalidParameterValue.InvalidAlias'], 'InvalidParameterValue', `The alias ${alias} is invalid.`);
  }
}

export function checkDescription(call: Call, description: string | undefined): void {
  if (description !== undefined && utf8(description).length > LIMITS.descriptionBytes) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `The description must be at most ${LIMITS.descriptionBytes} bytes.`);
  }
}

export function checkTags(call: Call, tags: Array<{ TagKey: string; TagValue: string }> | undefined): Array<[string, string]> {
  return checkSharedTags(tags ?? [], {
    repeated: (key) => fault(call.action, ['InvalidParameterValue.TagKeysDuplicated'], 'InvalidParameterValue', `The tag key ${key} is repeated.`),
  });
}

export function tagResult(tags: unknown[] | undefined): { TagCode: number; TagMsg: string } {
  return tags && tags.length > 0 ? { TagCode: 0, TagMsg: 'ok' } : { TagCode: 0, TagMsg: 'no tags to save' };
}

export function tagsMatch(tags: ReadonlyMap<string, string>, filters: Array<{ TagKey: string; TagValue?: string[] }> | undefined): boolean {
  return (filters ?? []).every((f) => tags.has(f.TagKey) && (!f.TagValue || f.TagValue.length === 0 || f.TagValue.includes(tags.get(f.TagKey)!)));
}

/** Base64 of at most `max` bytes (at least `min`); `codes` name the error for anything else. */
export function base64Bytes(call: Call, value: string, member: string, codes: string[], range: readonly [number, number] = [0, Infinity]): Uint8Array {
  const bytes = fromBase64(value);
  if (!bytes || bytes.length < range[0] || bytes.length > range[1]) {
    throw fault(call.action, codes, 'InvalidParameterValue', `The parameter ${member} must be base64 of ${range[0]} to ${range[1]} bytes.`);
  }
  return bytes;
}

export function inRange(call: Call, value: number, [min, max]: readonly [number, number], member: string, codes: string[] = ['InvalidParameter']): number {
  if (value < min || value > max) throw fault(call.action, codes, 'InvalidParameterValue', `The parameter ${member} must be between ${min} and ${max}.`);
  return value;
}

/** EncryptionContext: a JSON object of string values, at most 1024 characters. */
export function encryptionContext(call: Call, text: string | undefined, member = 'EncryptionContext'): EncryptionContext | undefined {
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

export function touch(call: Call, key: { id: string; realm: Realm }): void {
  if (!call.trail.resources.some((r) => r.id === key.id)) call.trail.resources.push({ id: key.id, realm: key.realm });
}

/** The key's Tencent alias (its one engine alias), or '' for a key without one. */
export function aliasOf(call: Call, key: KeyInfo): string {
  return sharedAliasOf(call.engine, key);
}

export function metadata(call: Call, key: KeyInfo): Record<string, unknown> {
  return keyMetadata(key, { alias: aliasOf(call, key), flavour: flavourOf(key.realm.region, call.dialect.options.flavours), now: call.engine.now() });
}

/** The engine's random bytes as a RandomSource (seeded emulators stay reproducible). */
export function randomOf(engine: Engine): RandomSource {
  return engine.random;
}

/** Every key of the realm, oldest first. */
export function allKeys(call: Call): KeyInfo[] {
  return allKeysOf(call.engine, call.ctx);
}

export function offsetLimit(call: Call, input: Record<string, any>): { offset: number; limit: number } {
  const limit: number = input.Limit ?? LIMITS.listDefault;
  if (limit > LIMITS.listMax) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Limit must be at most ${LIMITS.listMax}.`);
  return { offset: input.Offset ?? 0, limit };
}

/** An existing key (state not checked); CmkNotFound otherwise. */
export function existing(call: Call, ref: KeyRef): KeyInfo {
  return call.engine.describeKey(call.ctx, ref);
}

/** The neutral action of each Tencent action that has one (what key policies and grants name). */
export const TENCENT_ACTIONS: Readonly<Record<string, Action>> = {
  CreateKey: 'createKey',
  DescribeKey: 'describeKey',
  DescribeKeys: 'describeKey',
  ListKeys: 'listKeys',
  ListKeyDetail: 'listKeys',
  UpdateAlias: 'updateAlias',
  UpdateKeyDescription: 'updateDescription',
  EnableKey: 'enableKey',
  DisableKey: 'disableKey',
  EnableKeys: 'enableKey',
  DisableKeys: 'disableKey',
  ScheduleKeyDeletion: 'scheduleDeletion',
  CancelKeyDeletion: 'cancelDeletion',
  ArchiveKey: 'archiveKey',
  CancelKeyArchive: 'cancelArchive',
  BindCloudResource: 'bindResource',
  UnbindCloudResource: 'unbindResource',
  EnableKeyRotation: 'enableRotation',
  DisableKeyRotation: 'disableRotation',
  GetKeyRotationStatus: 'getRotationStatus',
  RotateKey: 'rotateNow',
  Encrypt: 'encrypt',
  Decrypt: 'decrypt',
  GenerateDataKey: 'generateDataKey',
  GenerateRandom: 'generateRandom',
  GetPublicKey: 'getPublicKey',
  AsymmetricRsaDecrypt: 'decrypt',
  AsymmetricSm2Decrypt: 'decrypt',
  SignByAsymmetricKey: 'sign',
  VerifyByAsymmetricKey: 'verify',
  PostQuantumCryptoEncrypt: 'encapsulate',
  PostQuantumCryptoDecrypt: 'decapsulate',
  PostQuantumCryptoSign: 'sign',
  PostQuantumCryptoVerify: 'verify',
  GetParametersForImport: 'getImportParameters',
  ImportKeyMaterial: 'importKeyMaterial',
  DeleteImportedKeyMaterial: 'deleteImportedKeyMaterial',
};
