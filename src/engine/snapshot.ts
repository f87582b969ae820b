import * as z from 'zod/mini';
import { fromBase64 } from '../crypto/bytes.js';
import { hmacImportLengths } from '../crypto/hmac.js';
import { boundedAuditValue } from './audit.js';
import { KmsError } from './errors.js';
import { grantSchema } from './grant-data.js';
import { lazy } from './schema.js';
import { checkWhiteBoxSnapshot, whiteBoxSchema } from './white-box-data.js';
import { checkDataKeySnapshot, dataKeySchema } from './data-key-data.js';
import { standalonePolicySchema } from './standalone-policies.js';
import { keyStoreSchema } from './key-store-data.js';
import { accessPointSchema } from './access-points.js';
import { isHmacSpec } from './specs.js';
import { KEY_STATES, KEY_SPECS, WRAPPING_ALGORITHMS, WRAPPING_KEY_SPECS } from './types.js';

export const SNAPSHOT_FORMAT = 'kms-emulator/snapshot';
/**
 * 2: key policy texts are held once in `policyTexts` and named by index (a key policy is often the
 * same text for every key of an account). Version 1 documents (texts inline) are still read.
 * 3: keys may carry cloud-resource bindings, imported-material state (expiry, digest, import
 * parameter sets) and material versions whose secret was deleted. Versions 1 and 2 lack them all.
 * Keys of version 3 may carry their last cryptographic use (`lastUse`, null when none) and from when
 * uses are tracked (`usageTrackedFrom`); an entry without `lastUse` was written before uses were
 * recorded, and its key is tracked from its restore (usage.ts).
 * Material versions of version 3 may also carry imported-material fields (importedAt, validTo,
 * description, pendingRotation); documents without them read as before.
 */
export const SNAPSHOT_VERSION = 3;

// The schemas are built on first use (lazy, ./schema.ts), by a restore or a change record: building
// them all costs more than loading zod, and a program that never restores should not pay for it at import.
const base64 = z.string().check(z.refine((s) => fromBase64(s) !== undefined, 'not base64'));
const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const time = z.number();
const positiveInt = () => z.number().check(z.int(), z.positive());
const count = () => z.number().check(z.int(), z.nonnegative());

/**
 * An audit event's request or response. What a request carried must never make a snapshot or a
 * change record unreadable: a value that is not bounded JSON is kept as a placeholder, never refused.
 */
const json: z.ZodMiniType<unknown> = z.pipe(z.unknown(), z.transform((value) => boundedAuditValue(value)));

const materialSchema = lazy(() => z.object({
  id: hex64,
  createdAt: time,
  rotation: z.optional(z.object({ kind: z.enum(['AUTOMATIC', 'ON_DEMAND']), at: time })),
  /** Absent when imported material was deleted or expired: the version stays for re-import. */
  secret: z.optional(base64),
  /** Imported material: last import, expiry, description, and whether it waits for an on-demand rotation. */
  importedAt: z.optional(time),
  validTo: z.optional(time),
  description: z.optional(z.string().check(z.maxLength(256))),
  pendingRotation: z.optional(z.boolean()),
}));

const bindingSchema = lazy(() => z.object({ product: z.string(), resource: z.string(), boundAt: time }));

/** One GetParametersForImport answer that can still be used: its token and wrapping private key. */
const importParametersSchema = lazy(() => z.object({
  token: base64,
  algorithm: z.enum(WRAPPING_ALGORITHMS),
  wrappingKeySpec: z.enum(WRAPPING_KEY_SPECS),
  privateKey: base64,
  createdAt: time,
  validTo: time,
}));

/** A key's entry (the object itself: a snapshot document's entry extends it). */
function keyObject() {
  return z.object({
    seq: positiveInt(),
    id: z.string().check(z.minLength(1), z.maxLength(255)),
    spec: z.enum(KEY_SPECS),
    usage: z.enum(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE']),
    origin: z.enum(['GENERATED', 'EXTERNAL']),
    manager: z.enum(['CUSTOMER', 'SERVICE']),
    description: z.string(),
    state: z.enum(KEY_STATES),
    createdAt: time,
    /** The creating principal's id, when it was not the account itself. */
    creator: z.optional(z.string().check(z.minLength(1))),
    deletionDate: z.optional(time),
    pendingWindowDays: z.optional(z.number().check(z.int())),
    multiRegion: z.boolean(),
    keyStoreId: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
    externalKeyId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    currentMaterialId: z.optional(hex64),
    materials: z.array(materialSchema),
    rotation: z.object({
      enabled: z.boolean(),
      periodDays: positiveInt(),
      enabledAt: z.optional(time),
      nextRotation: z.optional(time),
      onDemandStartedAt: z.optional(time),
      onDemandCount: count(),
    }),
    tags: z.array(z.tuple([z.string(), z.string()])),
    policies: z.array(z.tuple([z.string(), z.string()])),
    /** Grants on the key (absent when it has none). */
    grants: z.optional(z.array(grantSchema)),
    bindings: z.optional(z.array(bindingSchema)),
    materialValidTo: z.optional(time),
    lastImportedAt: z.optional(time),
    /** SHA-256 (hex) of the imported material: re-imports must match it. */
    materialDigest: z.optional(hex64),
    importParameters: z.optional(z.array(importParametersSchema)),
    /** The last successful cryptographic use; null when none since tracking started, absent in entries written before uses were recorded. */
    lastUse: z.optional(z.nullable(keyUseSchema)),
    /** From when uses are recorded, when later than createdAt. */
    usageTrackedFrom: z.optional(time),
    /** A multi-Region key's family: its primary's region and its replicas' regions. */
    replication: z.optional(z.object({ primaryRegion: z.string().check(z.minLength(1)), replicaRegions: z.array(z.string().check(z.minLength(1))) })),
    /** A transient state's end: when, and the state after it. */
    transition: z.optional(z.object({ until: time, then: z.enum(KEY_STATES) })),
  });
}

/** A key's last use (usage.ts). */
export function keyUseObject() {
  return z.object({
    action: z.string().check(z.minLength(1), z.maxLength(256)),
    time,
    eventId: z.string().check(z.minLength(1), z.maxLength(256)),
    requestId: z.optional(z.string().check(z.maxLength(256))),
  });
}

export const keyUseSchema = lazy(keyUseObject);

export const keySchema = lazy(keyObject);

export const aliasSchema = lazy(() => z.object({
  name: z.string().check(z.minLength(1)),
  keyId: z.string().check(z.minLength(1)),
  createdAt: time,
  updatedAt: time,
  seq: positiveInt(),
}));

export const auditSchema = lazy(() =>
  z.looseObject({
    eventId: z.string(),
    time,
    kind: z.enum(['api_call', 'service_event']),
    action: z.string(),
    realm: z.object({ account: z.string(), region: z.string() }),
    readOnly: z.boolean(),
    resources: z.array(z.object({ account: z.string(), region: z.string(), keyId: z.string() })),
    request: json,
    response: json,
  }),
);

export const base64Schema = base64;

/** A key in a snapshot document: a policy is its text, or an index into the document's policyTexts. */
const snapshotKeySchema = lazy(() => z.extend(keyObject(), {
  policies: z.array(z.tuple([z.string(), z.union([z.string(), count()])])),
}));

export const snapshotSchema = lazy(() => z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.union([z.literal(1), z.literal(2), z.literal(SNAPSHOT_VERSION)]),
  takenAt: time,
  seq: count(),
  markerSecret: base64,
  random: z.object({ seed: z.optional(z.string()), position: z.optional(count()) }),
  realms: z.array(
    z.object({
      account: z.string().check(z.minLength(1), z.maxLength(255)),
      region: z.string().check(z.minLength(1), z.maxLength(255)),
      keys: z.array(snapshotKeySchema),
      aliases: z.array(aliasSchema),
    }),
  ),
  policyTexts: z.optional(z.array(z.string())),
  /** White-box keys of every realm (absent when there are none). */
  whiteBoxKeys: z.optional(z.array(whiteBoxSchema)),
  /** Hosted data keys of every realm (absent when there are none). */
  dataKeys: z.optional(z.array(dataKeySchema)),
  standalonePolicies: z.optional(z.array(standalonePolicySchema)),
  /** Key stores of every realm (absent when there are none). */
  keyStores: z.optional(z.array(keyStoreSchema)),
  /** Access points of every realm (absent when there are none). */
  accessPoints: z.optional(z.array(accessPointSchema)),
  audit: z.array(auditSchema),
}));

export type EngineSnapshot = z.infer<typeof snapshotSchema>;

/**
 * A realm's keys in an intact snapshot, each entry read when its key is first needed (a durable
 * store reads them from the file's bytes): ids and sequence numbers in order, the indexes of the
 * keys with due work (scheduled deletion, automatic rotation, material expiry), and the reader.
 */
export interface DeferredKeys {
  readonly ids: readonly string[];
  readonly seqs: readonly number[];
  readonly due: readonly number[];
  readonly entry: (index: number) => SnapshotKey;
}
export type KeySnapshot = z.infer<typeof keySchema>;
export type SnapshotKey = z.infer<typeof snapshotKeySchema>;
export type AliasSnapshot = z.infer<typeof aliasSchema>;

/**
 * Checks a snapshot document and returns it typed. With `intact`, a document that comes unchanged
 * from snapshot() of this version (a durable store's own file whose checksum matches) skips the
 * schema, which costs about as much as parsing the JSON, and the cross-checks of every key and
 * alias (a base64 decode of each secret among them): snapshot() took it from a state that passed them.
 */
export function parseSnapshot(document: unknown, options: { intact?: boolean } = {}): EngineSnapshot {
  const text = typeof document === 'string' ? safeJson(document) : document;
  const header = text as Partial<EngineSnapshot> | null;
  const trusted = options.intact === true && header?.format === SNAPSHOT_FORMAT && header.version === SNAPSHOT_VERSION;
  const result = trusted ? { success: true as const, data: text as EngineSnapshot } : snapshotSchema.safeParse(text);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new KmsError('Validation', `Invalid snapshot${where ? ` at '${where}'` : ''}: ${issue?.message ?? 'malformed document'}`, {
      reason: 'snapshot',
    });
  }
  const doc = result.data;
  if (!trusted) crossCheck(doc);
  return doc;
}

/** What the schema cannot express: no realm, key, alias or white-box key twice, material that fits, policy indexes in range. */
function crossCheck(doc: EngineSnapshot): void {
  const invalid = (why: string) => new KmsError('Validation', `Invalid snapshot: ${why}`, { reason: 'snapshot' });
  /** Adds `value` to `seen`; false when it was already there. */
  const first = <T>(seen: Set<T>, value: T): boolean => !seen.has(value) && seen.add(value) !== undefined;
  const realms = new Set<string>();
  for (const realm of doc.realms) {
    if (!first(realms, `${realm.account}\u0000${realm.region}`)) throw invalid(`realm ${realm.account}/${realm.region} appears twice.`);
    const ids = new Set<string>();
    const seqs = new Set<number>();
    for (const key of realm.keys) {
      if (!first(ids, key.id)) throw invalid(`key ${key.id} appears twice.`);
      if (!first(seqs, key.seq) || key.seq > doc.seq) throw invalid(`key ${key.id} has a sequence number that is repeated or above the counter.`);
      checkKeySnapshot(key, invalid);
      for (const [name, text] of key.policies) {
        if (typeof text === 'number' && text >= (doc.policyTexts?.length ?? 0)) throw invalid(`key ${key.id} policy ${name} names a policy text that is not in the snapshot.`);
      }
    }
    const names = new Set<string>();
    const aliasSeqs = new Set<number>();
    for (const alias of realm.aliases) {
      if (!first(names, alias.name)) throw invalid(`alias ${alias.name} appears twice.`);
      if (!first(aliasSeqs, alias.seq) || alias.seq > doc.seq) throw invalid(`alias ${alias.name} has a sequence number that is repeated or above the counter.`);
    }
  }
  const whiteBoxIds = new Set<string>();
  const whiteBoxAliases = new Set<string>();
  for (const w of doc.whiteBoxKeys ?? []) {
    if (!first(whiteBoxIds, `${w.account}\u0000${w.region}\u0000${w.id}`)) throw invalid(`white-box key ${w.id} appears twice.`);
    if (!first(whiteBoxAliases, `${w.account}\u0000${w.region}\u0000${w.alias}`)) throw invalid(`white-box alias ${w.alias} appears twice.`);
    checkWhiteBoxSnapshot(w, invalid);
  }
  const dataKeyIds = new Set<string>();
  const dataKeyNames = new Set<string>();
  for (const d of doc.dataKeys ?? []) {
    if (!first(dataKeyIds, `${d.account}\u0000${d.region}\u0000${d.id}`)) throw invalid(`data key ${d.id} appears twice.`);
    if (!first(dataKeyNames, `${d.account}\u0000${d.region}\u0000${d.name}`)) throw invalid(`data key name ${d.name} appears twice.`);
    checkDataKeySnapshot(d, invalid);
  }
  const policyIds = new Set<string>();
  for (const p of doc.standalonePolicies ?? []) {
    if (!first(policyIds, `${p.account}\u0000${p.region}\u0000${p.id}`)) throw invalid(`policy ${p.id} appears twice.`);
  }
  const storeIds = new Set<string>();
  for (const k of doc.keyStores ?? []) {
    if (!first(storeIds, `${k.account}\u0000${k.region}\u0000${k.id}`)) throw invalid(`key store ${k.id} appears twice.`);
  }
  for (const realm of doc.realms) {
    for (const key of realm.keys) {
      if (key.keyStoreId !== undefined && !storeIds.has(`${realm.account}\u0000${realm.region}\u0000${key.keyStoreId}`)) {
        throw invalid(`key ${key.id} names key store ${key.keyStoreId}, which is not in the snapshot.`);
      }
    }
  }
  const pointIds = new Set<string>();
  for (const p of doc.accessPoints ?? []) {
    if (!first(pointIds, `${p.account}\u0000${p.region}\u0000${p.id}`)) throw invalid(`access point ${p.id} appears twice.`);
  }
}

/** The checks of one key that its schema cannot express (snapshots and change records share them). */
export function checkKeySnapshot(key: Pick<KeySnapshot, 'id' | 'spec' | 'state' | 'currentMaterialId' | 'materials'>, invalid: (why: string) => Error): void {
  if (key.currentMaterialId !== undefined && !key.materials.some((m) => m.id === key.currentMaterialId)) {
    throw invalid(`key ${key.id} names current material that it does not hold.`);
  }
  if (new Set(key.materials.map((m) => m.id)).size !== key.materials.length) throw invalid(`key ${key.id} holds a material id twice.`);
  if (key.materials.some((m) => m.pendingRotation && m.id === key.currentMaterialId)) throw invalid(`key ${key.id} names material pending rotation as current.`);
  if (key.materials.filter((m) => m.pendingRotation).length > 1) throw invalid(`key ${key.id} holds more than one material pending rotation.`);
  // Only a key waiting for material (or on its way out) may lack its current secret.
  const usable = key.state === 'Enabled' || key.state === 'Disabled' || key.state === 'Archived';
  if (usable && key.materials.find((m) => m.id === key.currentMaterialId)?.secret === undefined) {
    throw invalid(`key ${key.id} is ${key.state} without key material.`);
  }
  // Imported HMAC material may be longer than generated material (see hmacImportLengths).
  const size = key.spec === 'AES_256' ? { min: 32, max: 32 } : key.spec === 'SM4' ? { min: 16, max: 16 } : isHmacSpec(key.spec) ? hmacImportLengths(key.spec) : undefined;
  const wrongSize = (secret: string | undefined) => {
    const length = secret === undefined ? undefined : fromBase64(secret)!.length;
    return length !== undefined && (length < size!.min || length > size!.max);
  };
  if (size !== undefined && key.materials.some((m) => wrongSize(m.secret))) {
    throw invalid(`key ${key.id} holds key material of the wrong size.`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new KmsError('Validation', 'Invalid snapshot: not JSON.', { reason: 'snapshot' });
  }
}
