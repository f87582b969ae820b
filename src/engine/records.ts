/**
 * The engine's own records of keys and aliases, and how they become snapshot entries and back.
 * Records never leave the engine: dialects see a key through its read-only view (`viewOf`), which
 * reads the record's current fields and offers no way to change them or to reach the key material.
 */

import { fromBase64, toBase64 } from '../crypto/bytes.js';
import type { AuditResource } from './audit.js';
import { grantFromSnapshot, grantSnapshot } from './grant-data.js';
import type { OrderedIndex } from './ordered.js';
import type { AliasSnapshot, KeySnapshot, SnapshotKey } from './snapshot.js';
import type {
  AliasInfo,
  GrantInfo,
  KeyInfo,
  KeyManager,
  KeyMaterialVersion,
  KeyOrigin,
  KeySpec,
  KeyState,
  KeyUsage,
  Realm,
  ResourceBinding,
  RotationSettings,
  WrappingAlgorithm,
  WrappingKeySpec,
} from './types.js';

export interface MutableRotation {
  enabled: boolean;
  periodDays: number;
  /** When rotation was (last) switched on; the base of the first automatic rotation. */
  enabledAt?: number;
  nextRotation?: number;
  onDemandStartedAt?: number;
  onDemandCount: number;
}

/** One set of import parameters: the token names it; the private key unwraps what was wrapped to its public key. */
export interface ImportParameterSet {
  readonly token: Uint8Array;
  readonly algorithm: WrappingAlgorithm;
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly privateKey: Uint8Array;
  readonly createdAt: number;
  readonly validTo: number;
}

/** The engine's record of a key. */
export interface KeyRecord {
  seq: number;
  readonly id: string;
  readonly realm: Realm;
  readonly spec: KeySpec;
  readonly usage: KeyUsage;
  readonly origin: KeyOrigin;
  readonly manager: KeyManager;
  readonly createdAt: number;
  readonly multiRegion: boolean;
  /** The key store holding the key's material (key-stores.ts); absent for the service's own. */
  readonly keyStoreId?: string;
  /** The id, in the store's external key manager, of the key that wraps this key's ciphertexts (external stores). */
  readonly externalKeyId?: string;
  creator?: string;
  description: string;
  state: KeyState;
  deletionDate?: number;
  pendingWindowDays?: number;
  currentMaterialId?: string;
  materials: KeyMaterialVersion[];
  rotation: MutableRotation;
  tags: Map<string, string>;
  policies: Map<string, string>;
  aliases: Set<string>;
  /** Key material by version id. Never leaves the engine except in snapshots. */
  secrets: Map<string, Uint8Array>;
  grants: Map<string, GrantInfo>;
  bindings: ResourceBinding[];
  materialValidTo?: number;
  lastImportedAt?: number;
  /** SHA-256 (hex) of the imported material, kept after the material is deleted: re-imports must match it. */
  materialDigest?: string;
  /** Live GetParametersForImport answers, oldest first (at most MAX_IMPORT_PARAMETER_SETS). */
  importParameters: ImportParameterSet[];
  /** The last successful cryptographic use (usage.ts). */
  lastUse?: KeyUse;
  /** From when uses are recorded, when later than creation (a key restored from a document written before they were). */
  usageTrackedFrom?: number;
  /** A multi-Region key's family (see replicas.ts): the same in every member. */
  replication?: Replication;
  /** A transient state (a replica being made, a primary changing Regions) ends at `until`, in state `then`. */
  transition?: { until: number; then: KeyState };
  /** The record's read-only view, made on first use. */
  view?: KeyInfo;
}

/** Where a multi-Region key's family lives: the primary's region and its replicas' regions, in order of replication. */
export interface Replication {
  primaryRegion: string;
  replicaRegions: string[];
}

export interface AliasRecord {
  readonly name: string;
  readonly realm: Realm;
  keyId: string;
  readonly createdAt: number;
  updatedAt: number;
  view?: AliasInfo;
}

/** What decides a key's due work: its record's fields, or its snapshot entry's. */
export type DueFields = Pick<KeyRecord, 'id' | 'state' | 'deletionDate' | 'rotation' | 'materialValidTo' | 'materials' | 'transition'>;

export interface RealmState {
  readonly realm: Realm;
  /** Keys restored from an intact snapshot are built from their snapshot entry (or its index in DeferredKeys) when first read. */
  readonly keys: OrderedIndex<KeyRecord, SnapshotKey | number>;
  readonly aliases: OrderedIndex<AliasRecord>;
}

export function realmKey(account: string, region: string): string {
  return `${account}\u0000${region}`;
}

/**
 * The read-only view of a key: one small object per record (made on first use), whose getters read
 * the record as it is now. The collections are the record's own, typed read-only; the key material
 * is not reachable. Serialized (JSON.stringify), a view shows the key's fields.
 */
class KeyView implements KeyInfo {
  readonly #r: KeyRecord;
  constructor(record: KeyRecord) {
    this.#r = record;
  }
  get id() {
    return this.#r.id;
  }
  get realm() {
    return this.#r.realm;
  }
  get spec() {
    return this.#r.spec;
  }
  get usage() {
    return this.#r.usage;
  }
  get origin() {
    return this.#r.origin;
  }
  get manager() {
    return this.#r.manager;
  }
  get createdAt() {
    return this.#r.createdAt;
  }
  get multiRegion() {
    return this.#r.multiRegion;
  }
  get keyStoreId() {
    return this.#r.keyStoreId;
  }
  get externalKeyId() {
    return this.#r.externalKeyId;
  }
  get description() {
    return this.#r.description;
  }
  get state() {
    return this.#r.state;
  }
  get creator() {
    return this.#r.creator;
  }
  get deletionDate() {
    return this.#r.deletionDate;
  }
  get pendingWindowDays() {
    return this.#r.pendingWindowDays;
  }
  get currentMaterialId() {
    return this.#r.currentMaterialId;
  }
  get materials(): readonly KeyMaterialVersion[] {
    return this.#r.materials;
  }
  get rotation(): RotationSettings {
    return this.#r.rotation;
  }
  get tags(): ReadonlyMap<string, string> {
    return this.#r.tags;
  }
  get policies(): ReadonlyMap<string, string> {
    return this.#r.policies;
  }
  get bindings(): readonly ResourceBinding[] {
    return this.#r.bindings;
  }
  get materialValidTo() {
    return this.#r.materialValidTo;
  }
  get lastImportedAt() {
    return this.#r.lastImportedAt;
  }
  get hasCurrentMaterial() {
    return hasMaterial(this.#r);
  }
  get grants(): ReadonlyMap<string, GrantInfo> {
    return this.#r.grants;
  }
  get replication(): KeyInfo['replication'] {
    return this.#r.replication;
  }
  toJSON(): Record<string, unknown> {
    const r = this.#r;
    return { id: r.id, realm: r.realm, spec: r.spec, usage: r.usage, origin: r.origin, manager: r.manager, description: r.description, state: r.state, createdAt: r.createdAt, multiRegion: r.multiRegion };
  }
}

export function viewOf(r: KeyRecord): KeyInfo {
  return (r.view ??= new KeyView(r));
}

/** The read-only view of an alias. */
class AliasView implements AliasInfo {
  readonly #a: AliasRecord;
  constructor(alias: AliasRecord) {
    this.#a = alias;
  }
  get name() {
    return this.#a.name;
  }
  get realm() {
    return this.#a.realm;
  }
  get keyId() {
    return this.#a.keyId;
  }
  get createdAt() {
    return this.#a.createdAt;
  }
  get updatedAt() {
    return this.#a.updatedAt;
  }
  toJSON(): Record<string, unknown> {
    const a = this.#a;
    return { name: a.name, realm: a.realm, keyId: a.keyId, createdAt: a.createdAt, updatedAt: a.updatedAt };
  }
}

export function aliasView(a: AliasRecord): AliasInfo {
  return (a.view ??= new AliasView(a));
}

/** Whether the key holds its current key material (imported material may have been deleted or expired). */
export function hasMaterial(key: KeyRecord): boolean {
  return key.currentMaterialId !== undefined && key.secrets.has(key.currentMaterialId);
}

/** Whether the key holds the bytes of every material version it has used (a version pending rotation is not yet one of them). */
export function holdsAllMaterial(key: KeyRecord): boolean {
  return key.materials.every((m) => m.pendingRotation === true || key.secrets.has(m.id));
}

export function resourceOf(key: { readonly id: string; readonly realm: Realm }): AuditResource {
  return { account: key.realm.account, region: key.realm.region, keyId: key.id };
}

export function lastAutomaticRotation(key: KeyRecord): number | undefined {
  for (let i = key.materials.length - 1; i >= 0; i--) {
    const r = key.materials[i]!.rotation;
    if (r?.kind === 'AUTOMATIC') return r.at;
  }
  return undefined;
}

// ------------------------------------------------------------------ snapshot entries

/** One key as snapshots and change records hold it. */
export function keySnapshot(k: KeyRecord): KeySnapshot {
  return {
    seq: k.seq,
    id: k.id,
    spec: k.spec,
    usage: k.usage,
    origin: k.origin,
    manager: k.manager,
    description: k.description,
    state: k.state,
    createdAt: k.createdAt,
    ...(k.creator !== undefined ? { creator: k.creator } : {}),
    ...(k.deletionDate !== undefined ? { deletionDate: k.deletionDate } : {}),
    ...(k.pendingWindowDays !== undefined ? { pendingWindowDays: k.pendingWindowDays } : {}),
    multiRegion: k.multiRegion,
    ...(k.keyStoreId !== undefined ? { keyStoreId: k.keyStoreId } : {}),
    ...(k.externalKeyId !== undefined ? { externalKeyId: k.externalKeyId } : {}),
    ...(k.currentMaterialId !== undefined ? { currentMaterialId: k.currentMaterialId } : {}),
    materials: k.materials.map((m) => {
      const secret = k.secrets.get(m.id);
      return secret ? { ...m, secret: toBase64(secret) } : { ...m };
    }),
    rotation: { ...k.rotation },
    tags: [...k.tags],
    policies: [...k.policies],
    ...(k.grants.size > 0 ? { grants: [...k.grants.values()].map(grantSnapshot) } : {}),
    ...(k.bindings.length > 0 ? { bindings: k.bindings.map((b) => ({ ...b })) } : {}),
    ...(k.materialValidTo !== undefined ? { materialValidTo: k.materialValidTo } : {}),
    ...(k.lastImportedAt !== undefined ? { lastImportedAt: k.lastImportedAt } : {}),
    ...(k.materialDigest !== undefined ? { materialDigest: k.materialDigest } : {}),
    ...(k.importParameters.length > 0 ? { importParameters: k.importParameters.map(importParametersSnapshot) } : {}),
    // null: never used since tracking started (an entry without the member was written before uses were recorded).
    lastUse: k.lastUse ? keyUseEntry(k.lastUse) : null,
    ...(k.usageTrackedFrom !== undefined ? { usageTrackedFrom: k.usageTrackedFrom } : {}),
    ...(k.replication ? { replication: { primaryRegion: k.replication.primaryRegion, replicaRegions: [...k.replication.replicaRegions] } } : {}),
    ...(k.transition ? { transition: { ...k.transition } } : {}),
  };
}

function importParametersSnapshot(p: ImportParameterSet): NonNullable<KeySnapshot['importParameters']>[number] {
  return { token: toBase64(p.token), algorithm: p.algorithm, wrappingKeySpec: p.wrappingKeySpec, privateKey: toBase64(p.privateKey), createdAt: p.createdAt, validTo: p.validTo };
}

function importParametersFromSnapshot(p: NonNullable<KeySnapshot['importParameters']>[number]): ImportParameterSet {
  return { token: fromBase64(p.token)!, algorithm: p.algorithm, wrappingKeySpec: p.wrappingKeySpec, privateKey: fromBase64(p.privateKey)!, createdAt: p.createdAt, validTo: p.validTo };
}

/** A material version from its snapshot entry: only the fields it has, without the secret. */
function materialFromSnapshot(m: KeySnapshot['materials'][number]): KeyMaterialVersion {
  const version: { -readonly [K in keyof KeyMaterialVersion]: KeyMaterialVersion[K] } = { id: m.id, createdAt: m.createdAt };
  if (m.rotation) version.rotation = m.rotation;
  if (m.importedAt !== undefined) version.importedAt = m.importedAt;
  if (m.validTo !== undefined) version.validTo = m.validTo;
  if (m.description !== undefined) version.description = m.description;
  if (m.pendingRotation) version.pendingRotation = true;
  return version;
}

/**
 * The key record a snapshot entry describes (the inverse of keySnapshot). `restoredAt` is when
 * tracking of key use starts for an entry written before uses were recorded (no `lastUse` member).
 */
export function keyFromSnapshot(k: KeySnapshot | SnapshotKey, realm: Realm, aliases: Set<string>, policyTexts: readonly string[] = [], restoredAt?: number): KeyRecord {
  const secrets = new Map<string, Uint8Array>();
  const materials: KeyMaterialVersion[] = [];
  for (const m of k.materials) {
    if (m.secret !== undefined) secrets.set(m.id, fromBase64(m.secret)!);
    materials.push(materialFromSnapshot(m));
  }
  // Maps filled by set, not built from arrays of pairs: start-up restores every key while the code
  // is still cold, and an empty array made only to build a Map from it is garbage to collect.
  const tags = new Map<string, string>();
  for (const [name, value] of k.tags) tags.set(name, value);
  const policies = new Map<string, string>();
  for (const [name, text] of k.policies) policies.set(name, typeof text === 'number' ? policyTexts[text]! : text);
  const grants = new Map<string, GrantInfo>();
  if (k.grants) for (const g of k.grants) grants.set(g.id, grantFromSnapshot(g, k.id, realm));
  // Field by field, not a spread: restoring 100,000 keys is three times faster.
  const key: KeyRecord = {
    seq: k.seq,
    id: k.id,
    realm,
    spec: k.spec,
    usage: k.usage,
    origin: k.origin,
    manager: k.manager,
    description: k.description,
    state: k.state,
    createdAt: k.createdAt,
    multiRegion: k.multiRegion,
    ...(k.keyStoreId !== undefined ? { keyStoreId: k.keyStoreId } : {}),
    ...(k.externalKeyId !== undefined ? { externalKeyId: k.externalKeyId } : {}),
    materials,
    rotation: { ...k.rotation },
    tags,
    policies,
    aliases,
    secrets,
    grants,
    bindings: k.bindings ? k.bindings.map((b) => ({ product: b.product, resource: b.resource, boundAt: b.boundAt })) : [],
    importParameters: k.importParameters ? k.importParameters.map(importParametersFromSnapshot) : [],
  };
  if (k.creator !== undefined) key.creator = k.creator;
  if (k.deletionDate !== undefined) key.deletionDate = k.deletionDate;
  if (k.pendingWindowDays !== undefined) key.pendingWindowDays = k.pendingWindowDays;
  if (k.currentMaterialId !== undefined) key.currentMaterialId = k.currentMaterialId;
  if (k.materialValidTo !== undefined) key.materialValidTo = k.materialValidTo;
  if (k.lastImportedAt !== undefined) key.lastImportedAt = k.lastImportedAt;
  if (k.materialDigest !== undefined) key.materialDigest = k.materialDigest;
  if (k.lastUse) key.lastUse = k.lastUse;
  if (k.usageTrackedFrom !== undefined) key.usageTrackedFrom = k.usageTrackedFrom;
  else if (k.lastUse === undefined && restoredAt !== undefined && restoredAt > k.createdAt) key.usageTrackedFrom = restoredAt;
  if (k.replication !== undefined) key.replication = { primaryRegion: k.replication.primaryRegion, replicaRegions: [...k.replication.replicaRegions] };
  if (k.transition !== undefined) key.transition = { until: k.transition.until, then: k.transition.then };
  return key;
}

/** What a new key record is made of: its identity and settings; the rest starts empty. */
export type NewKeyFields = Pick<KeyRecord, 'seq' | 'id' | 'realm' | 'spec' | 'usage' | 'origin' | 'manager' | 'description' | 'state' | 'createdAt' | 'multiRegion'> &
  Partial<Pick<KeyRecord, 'creator' | 'keyStoreId' | 'externalKeyId'>> & {
    tags?: Iterable<readonly [string, string]> | undefined;
    policies?: Iterable<readonly [string, string]> | undefined;
  };

/** A new key record: no material, rotation off (365 days), no aliases, grants, bindings or import parameters. */
export function newKeyRecord(fields: NewKeyFields): KeyRecord {
  const { tags, policies, ...rest } = fields;
  return {
    ...rest,
    materials: [],
    rotation: { enabled: false, periodDays: 365, onDemandCount: 0 },
    tags: new Map(tags ?? []),
    policies: new Map(policies ?? []),
    aliases: new Set(),
    secrets: new Map(),
    grants: new Map(),
    bindings: [],
    importParameters: [],
  };
}

export function aliasSnapshot(a: AliasRecord, seq: number): AliasSnapshot {
  return { name: a.name, keyId: a.keyId, createdAt: a.createdAt, updatedAt: a.updatedAt, seq };
}

export function aliasFromSnapshot(a: AliasSnapshot, realm: Realm): AliasRecord {
  return { name: a.name, realm, keyId: a.keyId, createdAt: a.createdAt, updatedAt: a.updatedAt };
}

/** A key's last successful cryptographic use. */
export interface KeyUse {
  /** The provider's operation name, as the audit event holds it (e.g. `Encrypt`). */
  readonly action: string;
  /** Epoch ms. */
  readonly time: number;
  /** The audit event of the call. */
  readonly eventId: string;
  readonly requestId?: string | undefined;
}

/** The plain form of a use, as snapshots and change records hold it. */
export function keyUseEntry(use: KeyUse): { action: string; time: number; eventId: string; requestId?: string } {
  return { action: use.action, time: use.time, eventId: use.eventId, ...(use.requestId !== undefined ? { requestId: use.requestId } : {}) };
}
