/** What an AWS operation handler is given and returns, the service's limits, and the checks the handlers share. */
import { isKmsError } from '../../engine/errors.js';
import { toBase64 } from '../../crypto/bytes.js';
import { parseBoundedJson } from '../input.js';
import type { JsonValue } from '../../engine/audit.js';
import type { Engine } from '../../engine/engine.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef, PageRequest, Realm } from '../../engine/types.js';
import { keyArn, parseKeyId, partitionOf } from './arn.js';
import { checkTags as checkSharedTags, tagCountAfter, type TagRules } from '../shared.js';
import { AwsServiceError, DRY_RUN_MESSAGE } from './errors.js';
import { isReservedAliasName } from './managed-keys.js';
import { OPERATIONS } from './model.generated.js';
import type { AwsKeyStoreOptions } from './custom-key-stores.js';

/** What a handler tells CloudTrail beyond the request itself. */
export interface Trail {
  resources: KeyInfo[];
  /** Merged over the request parameters derived from the input (or, with requestReplaced, instead of them). */
  request?: Record<string, JsonValue>;
  requestReplaced?: boolean;
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
  /** The dialect's custom-key-store settings (custom-key-stores.ts). */
  readonly keyStores?: AwsKeyStoreOptions;
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

export const b64 = toBase64;

export function keyRef(call: Call, value: string, member = 'KeyId'): KeyRef {
  const acceptsAlias = member === 'KeyId' ? (OPERATIONS[call.operation]?.keyIdAcceptsAlias ?? false) : member !== 'TargetKeyId';
  return parseKeyId(value, call.realm, acceptsAlias);
}

export function arnOf(key: KeyInfo): string {
  return keyArn(key.realm, key.id);
}

export function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

export function dryRun(): AwsServiceError {
  return new AwsServiceError('DryRunOperationException', DRY_RUN_MESSAGE);
}

export function page(limit: number | undefined, marker: string | undefined, fallback: number, max = 1000): PageRequest {
  return { limit: Math.min(limit ?? fallback, max), ...(marker !== undefined ? { marker } : {}) };
}

export function listed<T>(items: readonly T[], nextMarker: string | undefined, name: string): Record<string, unknown> {
  return { [name]: items, ...(nextMarker ? { NextMarker: nextMarker } : {}), Truncated: nextMarker !== undefined };
}

export function context(value: unknown): EncryptionContext | undefined {
  return value as EncryptionContext | undefined;
}

/** Symmetric keys know one algorithm; it is checked after the key, as the service checks it. */
export function requireSymmetricAlgorithm(algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsServiceError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec SYMMETRIC_DEFAULT.`);
  }
}

export function refuseRecipient(input: Record<string, any>): void {
  if (input.Recipient !== undefined) {
    throw new AwsServiceError('UnsupportedOperationException', 'Recipient (attested enclave) requests are not supported by this emulator.');
  }
}

/** The aws: prefix is reserved in any case (AWS refuses "AWS:key1" as it refuses "aws:key1"). */
export const reservedTagKey = (key: string): boolean => key.slice(0, 4).toLowerCase() === 'aws:';

const TAG_RULES: TagRules = {
  reserved: (key) => (reservedTagKey(key) ? new AwsServiceError('TagException', 'Tags beginning with aws: are reserved') : undefined),
  repeated: () => new AwsServiceError('TagException', 'Duplicate tag keys'),
};

export function checkTags(tags: ReadonlyArray<{ TagKey: string; TagValue: string }>, existing?: ReadonlyMap<string, string>): Array<[string, string]> {
  const pairs = checkSharedTags(tags, TAG_RULES);
  if (tagCountAfter(existing?.keys(), pairs.map(([k]) => k)) > LIMITS.tagsPerKey) throw new AwsServiceError('TagException', 'Too many tags');
  return pairs;
}

export function checkPolicy(policy: string): void {
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

export function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) {
    throw validation('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (isReservedAliasName(name)) throw new AwsServiceError('NotAuthorizedException', undefined);
  if (name === 'alias/') throw new AwsServiceError('InvalidAliasNameException', `Alias name ${name} is not valid.`);
}

export function dataKeyLength(input: Record<string, any>): number {
  const { KeySpec: spec, NumberOfBytes: n } = input;
  if ((spec === undefined) === (n === undefined)) throw validation('Please specify either number of bytes or key spec.');
  if (n !== undefined) return n as number;
  return spec === 'AES_128' ? 16 : 32;
}

/** "The SM2 key spec is only available in China Regions" (AWS): elsewhere it is refused. */
export function requireChinaRegion(region: string, member: 'KeySpec' | 'KeyPairSpec'): void {
  if (partitionOf(region) !== 'aws-cn') throw new AwsServiceError('UnsupportedOperationException', `${member} SM2 is not supported in this Region`);
}

/**
 * Runs an engine call that a dry run stops (the engine refuses with DryRun after its own checks);
 * `dryRunRest` then makes the handler's checks and records that come after the engine's result,
 * so a dry run is refused as the call would be and records what it would record.
 */
export function beyondDryRun<T>(run: () => T, dryRunRest: () => void): T {
  try {
    const result = run();
    return (result instanceof Promise ? result.catch((e: unknown) => stoppedBy(e, dryRunRest)) : result) as T;
  } catch (e) {
    return stoppedBy(e, dryRunRest);
  }
}

function stoppedBy(e: unknown, dryRunRest: () => void): never {
  if (isKmsError(e) && e.code === 'DryRun') dryRunRest();
  throw e;
}
