import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  EnvelopeAlgorithm,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  type ParsedEnvelope,
} from '../crypto/envelope.js';
import { GCM_NONCE_BYTES } from '../crypto/aes-gcm.js';
import { equalBytes, fromBase64, toBase64, toHex, utf8 } from '../crypto/bytes.js';
import { randomBytes, randomUuid, SeededRandom, systemRandom, type RandomSource } from '../crypto/random.js';
import {
  decapsulate as decapsulateSecret,
  decryptAsymmetric,
  deriveSharedSecret as deriveEcdhSecret,
  digestLength,
  encapsulate as encapsulateSecret,
  encryptAsymmetric,
  generateKeyPair,
  maxPlaintextLength,
  parsePublicKey,
  publicKeyOf,
  signMessage,
  verifySignature,
} from '../crypto/asymmetric.js';
import { computeMac, hmacImportLengths, hmacKeyLength, verifyMac as checkMac } from '../crypto/hmac.js';
import { isAsymmetricSpec, isHmacSpec, SPEC_PROFILES, usageFits } from './specs.js';
import { AUDIT_EVENT_OVERHEAD_BYTES, AUDIT_VALUE_LIMITS, AuditLog, boundedAuditValue, ServiceEvent, type AuditEvent, type DeferredAudit, type AuditResource, type JsonValue } from './audit.js';
import { DAY_MS, isObservableClock, systemClock, type Clock } from './clock.js';
import { KmsError } from './errors.js';
import { assertLifecycle, type LifecycleOperation } from './lifecycle.js';
import { OrderedIndex } from './ordered.js';
import {
  DEFAULT_GRANTS_PER_KEY,
  grantAllows,
  grantFromSnapshot,
  grantNames,
  grantSnapshot,
  grantToken,
  parseGrantToken,
  type CreateGrantInput,
  type GrantInfo,
} from './grants.js';
import {
  DEFAULT_WHITE_BOX_KEY_LIMIT,
  whiteBoxCbcEncrypt,
  whiteBoxFromSnapshot,
  whiteBoxKeyLength,
  whiteBoxSnapshot,
  type CreateWhiteBoxKeyInput,
  type DeviceFingerprint,
  type WhiteBoxKeyInfo,
  type WhiteBoxRecord,
  type WhiteBoxSnapshot,
} from './white-box.js';
import { DEFAULT_IMPORT_VALIDITY_MS, IMPORT_TOKEN_BYTES, MAX_IMPORT_PARAMETER_SETS, materialFits, unwrapKeyMaterial, wrappingFits } from './import.js';
import { DueQueue } from './schedule.js';
import { CHANGES_FORMAT, CHANGES_VERSION, parseChanges, type EngineChanges, type RealmChanges } from './changes.js';
import {
  parseSnapshot,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type AliasSnapshot,
  type EngineSnapshot,
  type KeySnapshot,
  type SnapshotKey,
  type DeferredKeys,
} from './snapshot.js';
import type {
  AliasInfo,
  AsymmetricEncryption,
  AsymmetricKeySpec,
  CallContext,
  EncapsulationAlgorithm,
  EncryptionContext,
  HmacKeySpec,
  KeyAgreementAlgorithm,
  KeyInfo,
  MacAlgorithm,
  SigningAlgorithm,
  SignInput,
  KeyManager,
  KeyMaterialVersion,
  KeyOrigin,
  KeyRef,
  KeySpec,
  KeyState,
  KeyUsage,
  Page,
  PageRequest,
  Realm,
  RotationKind,
  ResourceBinding,
  WrappingAlgorithm,
  WrappingKeySpec,
} from './types.js';

export interface EngineOptions {
  clock?: Clock;
  /** A seed makes every id, key and ciphertext reproducible. */
  seed?: string;
  /** A custom random source (overrides `seed`). */
  random?: RandomSource;
  /** How many audit events are retained (oldest dropped first). Default 100,000. */
  auditLimit?: number;
  /** How many bytes of audit events are retained (oldest dropped first). Default 32 MiB. */
  auditBytes?: number;
}

export interface CreateKeyInput {
  spec: KeySpec;
  usage: KeyUsage;
  origin: KeyOrigin;
  manager?: KeyManager;
  description?: string;
  tags?: ReadonlyArray<readonly [string, string]>;
  policies?: ReadonlyArray<readonly [string, string]>;
  multiRegion?: boolean;
  /** A chosen key id (declared keys, fixtures); refused when the realm has it. Default: a fresh id. */
  id?: string;
  /**
   * Chosen key material, so ciphertexts made elsewhere with it decrypt: symmetric or HMAC key bytes,
   * or an asymmetric spec's PKCS#8 private key (createKeyAsync only). An EXTERNAL key takes it as
   * imported material. Its material version id is derived from the key id and the material.
   */
  material?: Uint8Array;
}

interface MutableRotation {
  enabled: boolean;
  periodDays: number;
  /** When rotation was (last) switched on; the base of the first automatic rotation. */
  enabledAt?: number;
  nextRotation?: number;
  onDemandStartedAt?: number;
  onDemandCount: number;
}

/** The engine's own record of a key; dialects see it through the read-only `KeyInfo`. */
interface KeyRecord extends KeyInfo {
  seq: number;
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
}

/** One set of import parameters: the token names it; the private key unwraps what was wrapped to its public key. */
interface ImportParameterSet {
  readonly token: Uint8Array;
  readonly algorithm: WrappingAlgorithm;
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly privateKey: Uint8Array;
  readonly createdAt: number;
  readonly validTo: number;
}

interface AliasRecord extends AliasInfo {
  keyId: string;
  updatedAt: number;
}

/** What decides a key's due work: its record's fields, or its snapshot entry's. */
type DueFields = Pick<KeyRecord, 'id' | 'state' | 'deletionDate' | 'rotation' | 'materialValidTo'>;

interface RealmState {
  readonly realm: Realm;
  /** Keys restored from an intact snapshot are built from their snapshot entry (or its index in DeferredKeys) when first read. */
  readonly keys: OrderedIndex<KeyRecord, SnapshotKey | number>;
  readonly aliases: OrderedIndex<AliasRecord>;
}

const MAX_MATERIAL_VERSIONS = 1 + 25 + 2560;
/** An on-demand rotation counts as in progress for this long after it starts. */
const ROTATION_IN_PROGRESS_MS = 1000;

/**
 * Lifecycle operations that leave the key record as it was (reads, cryptography, alias writes,
 * which change the alias and not the key). Every other operation marks its key changed once the
 * state table lets it through, so a new operation is durable by default: forgetting to list a
 * read here costs a disk write, never a lost change (see takeChanges).
 */
const KEY_UNCHANGED: ReadonlySet<LifecycleOperation> = new Set<LifecycleOperation>([
  'describeKey',
  'encrypt',
  'decrypt',
  'reEncryptFrom',
  'reEncryptTo',
  'generateDataKey',
  'generateDataKeyPair',
  'getPublicKey',
  'sign',
  'verify',
  'deriveSharedSecret',
  'generateMac',
  'verifyMac',
  'encapsulate',
  'decapsulate',
  'createAlias',
  'updateAlias',
  'deleteAlias',
  'listTags',
  'getPolicy',
  'listPolicies',
  'getRotationStatus',
  'listRotations',
  'decryptAsymmetric',
  'listGrants',
]);

/**
 * Public keys by private key (PKCS#8 bytes object): filled when a pair is generated, derived on
 * first use after a restore. Weak, so a deleted key's entry goes with it.
 */
const publicKeys = new WeakMap<Uint8Array, Uint8Array>();

function realmKey(account: string, region: string): string {
  return `${account}\u0000${region}`;
}

export class Engine {
  readonly clock: Clock;
  readonly audit: AuditLog;
  #random: RandomSource;
  readonly seed: string | undefined;
  readonly #realms = new Map<string, RealmState>();
  readonly #due = new DueQueue();
  #seq = 0;
  #markerSecret: Uint8Array;
  #runningDue = false;
  // Change tracking for takeChanges(): records touched since the last take. A touched record still
  // in its index is serialized as changed; one no longer there is reported as removed.
  readonly #changedKeys = new Set<KeyRecord>();
  readonly #changedAliases = new Set<AliasRecord>();
  /** `audit.appended` at the last take: later events go into the next change record. */
  #auditTaken = 0;
  /** The random position at the last take (seeded sources). */
  #randomTaken: number | undefined;
  #markerSecretTaken = false;
  /** restore() replaced everything: the next take is a full reset record. */
  #resetPending = false;

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.seed = options.seed;
    this.#random = options.random ?? (options.seed !== undefined ? new SeededRandom(options.seed) : bufferedSystemRandom());
    this.audit = new AuditLog(options.auditLimit, options.auditBytes);
    this.#markerSecret = randomBytes(this.#random, 32);
    if (isObservableClock(this.clock)) this.clock.onAdvance((now) => this.runDueWork(now));
  }

  // ---------------------------------------------------------------- time and ids

  now(): number {
    return this.clock.now();
  }

  newId(): string {
    return randomUuid(this.#random);
  }

  /** Performs every deletion and rotation whose time has come, each at its own due time. */
  runDueWork(now: number = this.clock.now()): void {
    if (this.#runningDue) return;
    this.#runningDue = true;
    try {
      for (let task = this.#due.peek(); task && task.due <= now; task = this.#due.peek()) {
        this.#due.pop();
        const key = this.#realm(task.account, task.region)?.keys.get(task.keyId);
        if (!key) continue;
        if (task.kind === 'delete' && key.state === 'PendingDeletion' && key.deletionDate === task.due) {
          this.#deleteKeyNow(key, task.due);
        } else if (task.kind === 'rotate' && key.rotation.enabled && key.rotation.nextRotation === task.due) {
          if (key.state === 'Enabled') {
            this.#rotate(key, 'AUTOMATIC', task.due);
            this.#scheduleRotation(key, task.due + key.rotation.periodDays * DAY_MS);
          }
          // A key that is not enabled is not rotated; enabling it catches up (see enableKey).
        } else if (task.kind === 'expire-material' && key.materialValidTo === task.due) {
          this.#expireMaterial(key, task.due);
        }
      }
    } finally {
      this.#runningDue = false;
    }
  }

  /** Appends an API-call audit event; the engine adds the event id and time. */
  recordCall(event: Omit<AuditEvent, 'eventId' | 'time' | 'kind'> & { time?: number }): AuditEvent {
    // Whatever a request carried, its event stays small, plain JSON that can be written and read back.
    const budget = { bytes: AUDIT_VALUE_LIMITS.maxEventBytes };
    const full: AuditEvent = {
      eventId: this.newId(),
      time: event.time ?? this.now(),
      kind: 'api_call',
      ...event,
      request: boundedAuditValue(event.request, budget),
      response: boundedAuditValue(event.response, budget),
      ...(event.additional ? { additional: boundedAuditValue(event.additional, budget) as { [key: string]: JsonValue } } : {}),
    };
    // The bounding walk counted the bytes it kept: the log need not walk the event again.
    this.audit.append(full, AUDIT_EVENT_OVERHEAD_BYTES + AUDIT_VALUE_LIMITS.maxEventBytes - budget.bytes);
    return full;
  }

  // ---------------------------------------------------------------- look-ups

  #realm(account: string, region: string): RealmState | undefined {
    return this.#realms.get(realmKey(account, region));
  }

  #realmFor(realm: Realm): RealmState {
    const k = realmKey(realm.account, realm.region);
    let state = this.#realms.get(k);
    if (!state) {
      state = { realm: { account: realm.account, region: realm.region }, keys: new OrderedIndex(), aliases: new OrderedIndex() };
      this.#realms.set(k, state);
    }
    return state;
  }

  #keyById(realm: Realm, keyId: string): KeyRecord {
    const key = this.#realm(realm.account, realm.region)?.keys.get(keyId);
    if (!key) {
      throw new KmsError('NotFound', `Key ${keyId} does not exist.`, { resource: 'key', keyId, ...realm });
    }
    return key;
  }

  #resolve(ctx: CallContext, ref: KeyRef): KeyRecord {
    this.runDueWork();
    if ('keyId' in ref) {
      if (ref.account !== undefined && ref.account !== ctx.realm.account) {
        const granted = this.#grantedKey(ctx, ref.keyId, ref.account);
        if (granted) return granted;
        throw new KmsError('NotFound', `Key ${ref.keyId} does not exist.`, { resource: 'key', keyId: ref.keyId, account: ref.account, region: ctx.realm.region });
      }
      const own = this.#realm(ctx.realm.account, ctx.realm.region)?.keys.get(ref.keyId);
      return own ?? this.#grantedKey(ctx, ref.keyId) ?? this.#keyById(ctx.realm, ref.keyId);
    }
    return this.#keyById(ctx.realm, this.#aliasByName(ctx, ref.alias).alias.keyId);
  }

  #aliasByName(ctx: CallContext, name: string): { realm: RealmState; alias: AliasRecord } {
    const realm = this.#realm(ctx.realm.account, ctx.realm.region);
    const alias = realm?.aliases.get(name);
    if (!realm || !alias) throw new KmsError('NotFound', `Alias ${name} is not found.`, { resource: 'alias', alias: name, ...ctx.realm });
    return { realm, alias };
  }

  #use(ctx: CallContext, ref: KeyRef, operation: LifecycleOperation): KeyRecord {
    const key = this.#resolve(ctx, ref);
    this.#allow(key, operation);
    return key;
  }

  /**
   * Throws the state table's error when `key`'s state refuses `operation`; otherwise, unless the
   * operation leaves the key record as it was (KEY_UNCHANGED), marks the key changed for takeChanges().
   */
  #allow(key: KeyRecord, operation: LifecycleOperation): void {
    assertLifecycle(operation, key);
    if (!KEY_UNCHANGED.has(operation)) this.#changedKeys.add(key);
  }

  /** Checks that `ref` names a key whose state allows `operation`, without doing it (dry runs). */
  assertUsable(ctx: CallContext, ref: KeyRef, operation: LifecycleOperation): KeyInfo {
    const key = this.#resolve(ctx, ref);
    assertLifecycle(operation, key);
    return key;
  }

  /** Finds a key without any state check (dialects use it to render errors and records). */
  findKey(ctx: CallContext, ref: KeyRef): KeyInfo | undefined {
    try {
      return this.#resolve(ctx, ref);
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- key lifecycle

  /**
   * Creates a key whose material is made at once: symmetric and HMAC keys, and keys of any spec that
   * wait for imported material. Generating an asymmetric key pair takes `createKeyAsync`.
   */
  createKey(ctx: CallContext, input: CreateKeyInput): KeyInfo {
    this.#checkCreate(ctx, input);
    if (isAsymmetricSpec(input.spec) && (input.origin === 'GENERATED' || input.material !== undefined)) {
      throw new KmsError('Unsupported', `Key spec ${input.spec} generates its key pair asynchronously: use createKeyAsync.`, {
        reason: 'asynchronous-key-spec',
        spec: input.spec,
      });
    }
    if (input.material !== undefined && !symmetricMaterialFits(input.spec, input.material)) throw materialMisfit(input.spec);
    return this.#insertKey(ctx, input, undefined);
  }

  /** Creates a key of any spec; an asymmetric key pair is generated before the key appears. */
  async createKeyAsync(ctx: CallContext, input: CreateKeyInput): Promise<KeyInfo> {
    if (!isAsymmetricSpec(input.spec) || (input.origin !== 'GENERATED' && input.material === undefined)) return this.createKey(ctx, input);
    this.#checkCreate(ctx, input);
    if (input.material !== undefined) {
      if (!(await materialFits(input.spec, input.material))) throw materialMisfit(input.spec);
      // Checked again: another key may have taken the id while the material was parsed.
      this.#checkCreate(ctx, input);
      return this.#insertKey(ctx, input, undefined);
    }
    const pair = await generateKeyPair(input.spec, this.#random);
    publicKeys.set(pair.privateKey, pair.publicKey);
    return this.#insertKey(ctx, input, pair.privateKey);
  }

  /** Refuses a key the spec table does not allow, before anything is made. */
  #checkCreate(ctx: CallContext, input: CreateKeyInput): void {
    this.runDueWork();
    if (!Object.hasOwn(SPEC_PROFILES, input.spec)) {
      throw new KmsError('Unsupported', `Key spec ${input.spec} is not supported.`, { reason: 'key-spec', spec: input.spec });
    }
    if (!usageFits(input.spec, input.usage)) {
      throw new KmsError('Validation', `Key usage ${input.usage} is not compatible with key spec ${input.spec}.`, {
        reason: 'usage-spec',
        spec: input.spec,
        usage: input.usage,
      });
    }
    if (input.id !== undefined) {
      if (input.id.length < 1 || utf8(input.id).length > 255) throw new KmsError('Validation', 'A key id must be 1 to 255 bytes long.', { reason: 'key-id' });
      if (this.#realm(ctx.realm.account, ctx.realm.region)?.keys.get(input.id)) {
        throw new KmsError('AlreadyExists', `A key with the id ${input.id} already exists.`, { resource: 'key', keyId: input.id });
      }
    }
    // Ciphertext headers carry the account and region in at most 255 bytes each.
    for (const [field, value] of [['account', ctx.realm.account], ['region', ctx.realm.region]] as const) {
      const size = utf8(value).length;
      if (size < 1 || size > 255) {
        throw new KmsError('Validation', `The ${field} name must be 1 to 255 bytes long.`, { reason: 'realm-name', field });
      }
    }
  }

  /** Adds a checked key to its realm; `secret` is its generated key pair's private key, if any. */
  #insertKey(ctx: CallContext, input: CreateKeyInput, secret: Uint8Array | undefined): KeyRecord {
    const realm = this.#realmFor(ctx.realm);
    const now = this.now();
    const key: KeyRecord = {
      seq: ++this.#seq,
      id: input.id ?? this.newId(),
      realm: realm.realm,
      spec: input.spec,
      usage: input.usage,
      origin: input.origin,
      manager: input.manager ?? 'CUSTOMER',
      description: input.description ?? '',
      state: input.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
      createdAt: now,
      ...(ctx.principal.type !== 'root' ? { creator: ctx.principal.id } : {}),
      multiRegion: input.multiRegion ?? false,
      materials: [],
      rotation: { enabled: false, periodDays: 365, onDemandCount: 0 },
      tags: new Map(input.tags ?? []),
      policies: new Map(input.policies ?? []),
      aliases: new Set(),
      secrets: new Map(),
      grants: new Map(),
      bindings: [],
      importParameters: [],
    };
    if (input.material !== undefined) {
      const material = input.material.slice();
      const id = chosenMaterialId(key.id, material);
      if (input.origin === 'GENERATED') this.#addMaterial(key, now, undefined, material, id);
      else this.#installMaterial(key, material, toHex(sha256(material)), undefined, id);
    } else if (input.origin === 'GENERATED') this.#addMaterial(key, now, undefined, secret);
    realm.keys.add(key.id, key.seq, key);
    this.#changedKeys.add(key);
    return key;
  }

  #addMaterial(key: KeyRecord, at: number, rotation: { kind: RotationKind; at: number } | undefined, secret?: Uint8Array, id?: string): KeyMaterialVersion {
    const version: KeyMaterialVersion = { id: id ?? toHex(randomBytes(this.#random, 32)), createdAt: at, ...(rotation ? { rotation } : {}) };
    key.secrets.set(version.id, secret ?? this.#newSecret(key));
    key.materials.push(version);
    key.currentMaterialId = version.id;
    this.#changedKeys.add(key);
    return version;
  }

  /** Fresh symmetric material: 32 bytes for AES-256, 16 for SM4, the hash's output length for HMAC. */
  #newSecret(key: KeyRecord): Uint8Array {
    if (isHmacSpec(key.spec)) return randomBytes(this.#random, hmacKeyLength(key.spec));
    if (key.spec === 'AES_256') return randomBytes(this.#random, 32);
    if (key.spec === 'SM4') return randomBytes(this.#random, 16);
    throw new KmsError('Internal', `Key spec ${key.spec} takes a generated key pair.`, { keyId: key.id, spec: key.spec });
  }

  describeKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    return this.#use(ctx, ref, 'describeKey');
  }

  listKeys(ctx: CallContext, page: PageRequest): Page<KeyInfo> {
    this.runDueWork();
    const realm = this.#realm(ctx.realm.account, ctx.realm.region);
    const scope = `keys|${ctx.realm.account}|${ctx.realm.region}`;
    const from = this.#markerSeq(scope, page.marker);
    if (!realm) return { items: [] };
    const result = realm.keys.page(from, page.limit);
    return this.#pageOf(scope, result.items, result.nextSeq);
  }

  updateDescription(ctx: CallContext, ref: KeyRef, description: string): KeyInfo {
    const key = this.#use(ctx, ref, 'updateDescription');
    key.description = description;
    return key;
  }

  enableKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'enableKey');
    key.state = 'Enabled';
    const next = key.rotation.nextRotation;
    if (key.rotation.enabled && next !== undefined && next <= this.now()) {
      // Rotation came due while the key was disabled: it happens now.
      const now = this.now();
      this.#rotate(key, 'AUTOMATIC', now);
      this.#scheduleRotation(key, now + key.rotation.periodDays * DAY_MS);
    }
    return key;
  }

  disableKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'disableKey');
    this.#refuseIfBound(key, 'disableKey');
    key.state = 'Disabled';
    return key;
  }

  scheduleDeletion(ctx: CallContext, ref: KeyRef, pendingWindowDays: number): KeyInfo {
    const key = this.#use(ctx, ref, 'scheduleDeletion');
    this.#refuseIfBound(key, 'scheduleDeletion');
    const deletionDate = this.now() + pendingWindowDays * DAY_MS;
    key.state = 'PendingDeletion';
    key.deletionDate = deletionDate;
    key.pendingWindowDays = pendingWindowDays;
    this.#due.push({ due: deletionDate, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'delete' });
    return key;
  }

  cancelDeletion(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'cancelDeletion');
    // A key without key material (never imported, deleted or expired) goes back to waiting for it.
    key.state = hasMaterial(key) ? 'Disabled' : 'PendingImport';
    delete key.deletionDate;
    delete key.pendingWindowDays;
    return key;
  }

  // ---------------------------------------------------------------- archive and cloud-resource bindings

  /** Archives an enabled key: it still decrypts, but no longer encrypts. Archiving an archived key changes nothing. */
  archiveKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'archiveKey');
    this.#refuseIfBound(key, 'archiveKey');
    key.state = 'Archived';
    return key;
  }

  /** Brings an archived key back to Enabled. */
  cancelArchive(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'cancelArchive');
    key.state = 'Enabled';
    return key;
  }

  /** Records that a cloud resource uses the key; binding the same resource again changes nothing. */
  bindResource(ctx: CallContext, ref: KeyRef, product: string, resource: string): KeyInfo {
    const key = this.#use(ctx, ref, 'bindResource');
    if (!key.bindings.some((b) => b.product === product && b.resource === resource)) {
      key.bindings.push({ product, resource, boundAt: this.now() });
    }
    return key;
  }

  unbindResource(ctx: CallContext, ref: KeyRef, product: string, resource: string): KeyInfo {
    const key = this.#use(ctx, ref, 'unbindResource');
    const i = key.bindings.findIndex((b) => b.product === product && b.resource === resource);
    if (i < 0) {
      throw new KmsError('NotFound', `Key ${key.id} is not bound to resource ${resource} of ${product}.`, {
        resource: 'binding',
        keyId: key.id,
        product,
        resourceId: resource,
      });
    }
    key.bindings.splice(i, 1);
    return key;
  }

  /** A key that a cloud resource uses cannot be disabled, archived, deleted or lose its material. */
  #refuseIfBound(key: KeyRecord, operation: LifecycleOperation): void {
    if (key.bindings.length === 0) return;
    throw new KmsError('InvalidState', `Key ${key.id} is in use by a cloud resource.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'bound',
      state: key.state,
      operation,
    });
  }

  // ---------------------------------------------------------------- imported key material

  #requireExternal(key: KeyRecord): void {
    if (key.origin !== 'EXTERNAL') {
      throw new KmsError('Unsupported', `Key ${key.id} origin is ${key.origin} which is not valid for this operation.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'origin',
        origin: key.origin,
      });
    }
  }

  /**
   * A fresh wrapping key pair and import token for `ref` (an EXTERNAL key). The token and the DER
   * public key go to the customer, who wraps the material to that key; the newest
   * MAX_IMPORT_PARAMETER_SETS sets stay usable until their `validTo`.
   */
  async getImportParameters(
    ctx: CallContext,
    ref: KeyRef,
    input: { wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec; validForMs?: number },
  ): Promise<{ key: KeyInfo; importToken: Uint8Array; publicKey: Uint8Array; validTo: number }> {
    const key = this.#use(ctx, ref, 'getImportParameters');
    this.#requireExternal(key);
    const { wrappingAlgorithm: algorithm, wrappingKeySpec: spec } = input;
    if (!wrappingFits(algorithm, spec)) {
      throw new KmsError('Validation', `Wrapping algorithm ${algorithm} is not compatible with wrapping key spec ${spec}.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'wrapping-key-spec',
        algorithm,
        spec,
      });
    }
    const validForMs = input.validForMs ?? DEFAULT_IMPORT_VALIDITY_MS;
    if (!Number.isFinite(validForMs) || validForMs <= 0) {
      throw new KmsError('Validation', 'The import parameters must be valid for a positive time.', { resource: 'key', keyId: key.id, reason: 'valid-for' });
    }
    const pair = await generateKeyPair(spec, this.#random);
    // The key may have changed state (or been deleted) while the pair was being generated.
    const current = this.#use(ctx, { keyId: key.id }, 'getImportParameters');
    const now = this.now();
    const set: ImportParameterSet = { token: randomBytes(this.#random, IMPORT_TOKEN_BYTES), algorithm, wrappingKeySpec: spec, privateKey: pair.privateKey, createdAt: now, validTo: now + validForMs };
    current.importParameters.push(set);
    if (current.importParameters.length > MAX_IMPORT_PARAMETER_SETS) current.importParameters.shift();
    return { key: current, importToken: set.token.slice(), publicKey: pair.publicKey, validTo: set.validTo };
  }

  /**
   * Imports key material wrapped to the public key of one of the key's import parameter sets.
   * The key keeps one material version for good: re-importing the same material (after deletion or
   * expiry) brings back the same version, so older ciphertexts decrypt again; other material is refused.
   * `validTo` (epoch ms) makes the material expire; undefined means it never does.
   */
  async importKeyMaterial(ctx: CallContext, ref: KeyRef, input: { importToken: Uint8Array; encryptedKeyMaterial: Uint8Array; validTo?: number }): Promise<KeyInfo> {
    const key = this.#use(ctx, ref, 'importKeyMaterial');
    this.#requireExternal(key);
    if (input.validTo !== undefined && !(Number.isFinite(input.validTo) && input.validTo > this.now())) {
      throw new KmsError('Validation', 'The expiration time of the key material must be in the future.', { resource: 'key', keyId: key.id, reason: 'valid-to' });
    }
    const set = key.importParameters.find((p) => equalBytes(p.token, input.importToken));
    if (!set) throw new KmsError('InvalidImportToken', 'The import token is invalid or belongs to another key.', { resource: 'key', keyId: key.id });
    if (set.validTo <= this.now()) {
      throw new KmsError('ExpiredImportToken', 'The import token has expired.', { resource: 'key', keyId: key.id, validTo: set.validTo });
    }
    const material = await unwrapKeyMaterial(set.algorithm, set.wrappingKeySpec, set.privateKey, input.encryptedKeyMaterial);
    if (!material) {
      throw new KmsError('InvalidCiphertext', 'The wrapped key material could not be decrypted.', { resource: 'ciphertext', keyId: key.id, reason: 'wrapped-key-material' });
    }
    // Checked before the state is looked at again, so nothing is awaited between that and installing the material.
    const fits = await materialFits(key.spec, material);
    // The key may have changed state, or newer parameter sets displaced this one, while the material was unwrapped.
    this.#use(ctx, { keyId: key.id }, 'importKeyMaterial');
    if (!key.importParameters.includes(set)) throw new KmsError('InvalidImportToken', 'The import token is invalid or belongs to another key.', { resource: 'key', keyId: key.id });
    if (!fits) {
      throw new KmsError('Validation', `The key material does not fit key spec ${key.spec}.`, { resource: 'key', keyId: key.id, reason: 'key-material-size', spec: key.spec });
    }
    const digest = toHex(sha256(material));
    if (key.materialDigest !== undefined && key.materialDigest !== digest) {
      throw new KmsError('IncorrectKeyMaterial', `The key material is not the material previously imported into key ${key.id}.`, { resource: 'key', keyId: key.id });
    }
    this.#installMaterial(key, material, digest, input.validTo);
    return key;
  }

  #installMaterial(key: KeyRecord, material: Uint8Array, digest: string, validTo: number | undefined, id?: string): void {
    const now = this.now();
    if (key.currentMaterialId === undefined) {
      const version: KeyMaterialVersion = { id: id ?? toHex(randomBytes(this.#random, 32)), createdAt: now };
      key.materials.push(version);
      key.currentMaterialId = version.id;
    }
    key.secrets.set(key.currentMaterialId, material);
    key.materialDigest = digest;
    key.lastImportedAt = now;
    if (key.state === 'PendingImport') key.state = 'Enabled';
    if (validTo === undefined) {
      delete key.materialValidTo;
    } else {
      key.materialValidTo = validTo;
      this.#due.push({ due: validTo, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'expire-material' });
    }
    this.#changedKeys.add(key);
  }

  /** Deletes imported key material: the key waits for the same material again (a key pending deletion keeps its state). */
  deleteImportedKeyMaterial(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'deleteImportedKeyMaterial');
    this.#requireExternal(key);
    this.#refuseIfBound(key, 'deleteImportedKeyMaterial');
    this.#dropMaterial(key);
    return key;
  }

  #dropMaterial(key: KeyRecord): void {
    // Not zeroed: a signature or decryption still awaiting WebCrypto may hold the same bytes.
    key.secrets.clear();
    delete key.materialValidTo;
    if (key.state !== 'PendingDeletion' && key.state !== 'PendingReplicaDeletion') key.state = 'PendingImport';
    this.#changedKeys.add(key);
  }

  #expireMaterial(key: KeyRecord, at: number): void {
    this.#dropMaterial(key);
    this.#serviceEvent(ServiceEvent.deleteExpiredKeyMaterial, key, at, {
      keyOrigin: key.origin,
      ...(key.currentMaterialId !== undefined ? { keyMaterialId: key.currentMaterialId } : {}),
    });
  }

  #deleteKeyNow(key: KeyRecord, at: number): void {
    const realm = this.#realm(key.realm.account, key.realm.region)!;
    for (const name of key.aliases) {
      const alias = realm.aliases.get(name);
      if (alias) this.#changedAliases.add(alias);
      realm.aliases.remove(name);
    }
    realm.keys.remove(key.id);
    this.#changedKeys.add(key);
    this.#serviceEvent(ServiceEvent.deleteKey, key, at, { origin: key.origin });
  }

  #serviceEvent(action: string, key: KeyRecord, at: number, additional: Record<string, string>): void {
    this.audit.append({
      eventId: this.newId(),
      time: at,
      kind: 'service_event',
      action,
      realm: key.realm,
      readOnly: false,
      resources: [resourceOf(key)],
      request: null,
      response: null,
      additional,
    });
  }

  // ---------------------------------------------------------------- symmetric cryptography

  /**
   * Symmetric encryption needs a symmetric ENCRYPT_DECRYPT key. An asymmetric encryption key is
   * refused for the symmetric algorithm when the call names one (`algorithm`), else for its usage.
   */
  #requireSymmetric(key: KeyRecord, operation: string, algorithm?: 'SYMMETRIC'): void {
    const symmetric = key.spec === 'AES_256' || key.spec === 'SM4';
    if (algorithm && key.usage === 'ENCRYPT_DECRYPT' && !symmetric) this.#requireAlgorithm(key, algorithm, []);
    if (key.usage !== 'ENCRYPT_DECRYPT' || !symmetric) {
      throw new KmsError('InvalidKeyUsage', `Key ${key.id} key usage is ${key.usage} which is not valid for ${operation}.`, {
        resource: 'key',
        keyId: key.id,
        usage: key.usage,
        operation,
      });
    }
  }

  #seal(key: KeyRecord, plaintext: Uint8Array, context: EncryptionContext | undefined): { ciphertext: Uint8Array; materialId: string } {
    const materialId = key.currentMaterialId!;
    const ciphertext = sealEnvelope(
      { algorithm: key.spec === 'AES_256' ? EnvelopeAlgorithm.AES_256_GCM : EnvelopeAlgorithm.SM4_GCM, account: key.realm.account, region: key.realm.region, keyId: key.id, materialId },
      key.secrets.get(materialId)!,
      randomBytes(this.#random, GCM_NONCE_BYTES),
      plaintext,
      context,
    );
    return { ciphertext, materialId };
  }

  encrypt(ctx: CallContext, ref: KeyRef, plaintext: Uint8Array, context?: EncryptionContext): { key: KeyInfo; materialId: string; ciphertext: Uint8Array } {
    const key = this.#use(ctx, ref, 'encrypt');
    this.#requireSymmetric(key, 'Encrypt', 'SYMMETRIC');
    this.#checkGrantContext(ctx, key, context);
    return { key, ...this.#seal(key, plaintext, context) };
  }

  generateDataKey(
    ctx: CallContext,
    ref: KeyRef,
    numberOfBytes: number,
    context?: EncryptionContext,
  ): { key: KeyInfo; materialId: string; plaintext: Uint8Array; ciphertext: Uint8Array } {
    const key = this.#use(ctx, ref, 'generateDataKey');
    this.#requireSymmetric(key, 'GenerateDataKey');
    this.#checkGrantContext(ctx, key, context);
    const plaintext = randomBytes(this.#random, numberOfBytes);
    return { key, plaintext, ...this.#seal(key, plaintext, context) };
  }

  /** Reads the envelope and finds its key, without opening it. */
  #envelopeKey(ctx: CallContext, ciphertext: Uint8Array): { parsed: ParsedEnvelope; key: KeyRecord } {
    this.runDueWork();
    const parsed = parseEnvelope(ciphertext);
    if (!parsed) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext' });
    const inRealm = parsed.account === ctx.realm.account && parsed.region === ctx.realm.region;
    const key = inRealm
      ? this.#realm(parsed.account, parsed.region)?.keys.get(parsed.keyId)
      : parsed.region === ctx.realm.region
        ? this.#grantedKey(ctx, parsed.keyId, parsed.account)
        : undefined;
    if (!key) {
      throw new KmsError(
        'AccessDenied',
        'The ciphertext refers to a key that does not exist, does not exist in this region, or you are not allowed to access.',
        { resource: 'ciphertext', keyId: parsed.keyId, account: parsed.account, region: parsed.region, reason: 'ciphertext-key' },
      );
    }
    return { parsed, key };
  }

  #checkExpected(ctx: CallContext, key: KeyRecord, expected: KeyRef | undefined): void {
    if (!expected) return;
    const named = this.#resolve(ctx, expected);
    if (named.id !== key.id) {
      throw new KmsError('IncorrectKey', 'The key ID in the request does not identify a key that can perform this operation.', {
        resource: 'key',
        keyId: named.id,
      });
    }
  }

  #open(parsed: ParsedEnvelope, key: KeyRecord, context: EncryptionContext | undefined): Uint8Array {
    const secret = key.secrets.get(parsed.materialId);
    // The algorithm byte must be the key's own: an SM4 key opens SM4-GCM envelopes only, an AES key AES-GCM ones.
    const fits = parsed.algorithm === (key.spec === 'AES_256' ? EnvelopeAlgorithm.AES_256_GCM : EnvelopeAlgorithm.SM4_GCM);
    const plaintext = secret && fits ? openEnvelope(parsed, secret, context) : undefined;
    if (!plaintext) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
    return plaintext;
  }

  /** Decrypts an envelope; `expected`, when given, must name the key that encrypted it. */
  decrypt(
    ctx: CallContext,
    ciphertext: Uint8Array,
    context?: EncryptionContext,
    expected?: KeyRef,
  ): { key: KeyInfo; materialId: string; plaintext: Uint8Array } {
    const { parsed, key } = this.#envelopeKey(ctx, ciphertext);
    this.#checkExpected(ctx, key, expected);
    this.#allow(key, 'decrypt');
    this.#requireSymmetric(key, 'Decrypt');
    this.#checkGrantContext(ctx, key, context);
    return { key, materialId: parsed.materialId, plaintext: this.#open(parsed, key, context) };
  }

  reEncrypt(
    ctx: CallContext,
    input: {
      ciphertext: Uint8Array;
      sourceContext?: EncryptionContext;
      sourceKey?: KeyRef;
      destinationKey: KeyRef;
      destinationContext?: EncryptionContext;
    },
  ): { source: KeyInfo; sourceMaterialId: string; destination: KeyInfo; destinationMaterialId: string; ciphertext: Uint8Array } {
    const { parsed, key: source } = this.#envelopeKey(ctx, input.ciphertext);
    this.#checkExpected(ctx, source, input.sourceKey);
    this.#allow(source, 'reEncryptFrom');
    this.#requireSymmetric(source, 'ReEncryptFrom');
    const destination = this.#use(ctx, input.destinationKey, 'reEncryptTo');
    this.#requireSymmetric(destination, 'ReEncryptTo', 'SYMMETRIC');
    this.#checkGrantContext(ctx, source, input.sourceContext);
    this.#checkGrantContext(ctx, destination, input.destinationContext);
    const plaintext = this.#open(parsed, source, input.sourceContext);
    const sealed = this.#seal(destination, plaintext, input.destinationContext);
    plaintext.fill(0);
    return { source, sourceMaterialId: parsed.materialId, destination, destinationMaterialId: sealed.materialId, ciphertext: sealed.ciphertext };
  }

  /** The key a ciphertext names, if it is a well-formed envelope of a key in the caller's realm (for records). */
  ciphertextKey(ctx: CallContext, ciphertext: Uint8Array): KeyInfo | undefined {
    this.runDueWork();
    const p = parseEnvelope(ciphertext);
    if (!p || p.account !== ctx.realm.account || p.region !== ctx.realm.region) return undefined;
    return this.#realm(p.account, p.region)?.keys.get(p.keyId);
  }

  generateRandom(numberOfBytes: number): Uint8Array {
    return randomBytes(this.#random, numberOfBytes);
  }

  /** Whether `ciphertext` has the form of a symmetric envelope (a raw public-key ciphertext does not). */
  isEnvelope(ciphertext: Uint8Array): boolean {
    return parseEnvelope(ciphertext) !== undefined;
  }

  // ---------------------------------------------------------------- asymmetric and HMAC cryptography

  #requireUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
    if (key.usage !== usage) {
      throw new KmsError('InvalidKeyUsage', `Key ${key.id} key usage is ${key.usage} which is not valid for ${operation}.`, {
        resource: 'key',
        keyId: key.id,
        usage: key.usage,
        operation,
      });
    }
  }

  /** `algorithm` must be one the key's spec supports for its usage; 'SYMMETRIC' is the envelope's. */
  #requireAlgorithm(key: KeyRecord, algorithm: string, allowed: readonly string[]): void {
    if (!allowed.includes(algorithm)) {
      throw new KmsError('InvalidKeyUsage', `Algorithm ${algorithm} is not compatible with key spec ${key.spec}.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'algorithm',
        algorithm,
        spec: key.spec,
        usage: key.usage,
      });
    }
  }

  /**
   * The key's private key (PKCS#8) and public key (SPKI); the state table has already let the call
   * through. Async: deriving a public key not in the cache may load the SM2 or post-quantum code.
   */
  async #keyPair(key: KeyRecord): Promise<{ spec: AsymmetricKeySpec; privateKey: Uint8Array; publicKey: Uint8Array }> {
    const privateKey = key.currentMaterialId === undefined ? undefined : key.secrets.get(key.currentMaterialId);
    if (!privateKey || !isAsymmetricSpec(key.spec)) {
      throw new KmsError('Unsupported', `Key ${key.id} holds no key pair.`, { resource: 'key', keyId: key.id, reason: 'not-asymmetric', spec: key.spec });
    }
    let publicKey = publicKeys.get(privateKey);
    if (!publicKey) {
      publicKey = await publicKeyOf(key.spec, privateKey);
      publicKeys.set(privateKey, publicKey);
    }
    return { spec: key.spec, privateKey, publicKey };
  }

  /** The public key (DER SubjectPublicKeyInfo) of an asymmetric key. */
  async getPublicKey(ctx: CallContext, ref: KeyRef): Promise<{ key: KeyInfo; publicKey: Uint8Array }> {
    const key = this.#use(ctx, ref, 'getPublicKey');
    return { key, publicKey: (await this.#keyPair(key)).publicKey.slice() };
  }

  /** Refuses an algorithm, message form or digest length the key cannot sign or verify with. */
  #checkSignature(key: KeyRecord, request: { algorithm: SigningAlgorithm; input: SignInput; message: Uint8Array }, operation: string): void {
    const { algorithm, input, message } = request;
    this.#requireUsage(key, 'SIGN_VERIFY', operation);
    this.#requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].signing);
    const details = { resource: 'key' as const, keyId: key.id, messageType: input, algorithm, spec: key.spec };
    // Ed25519 signs the message itself; its pre-hash variant takes the SHA-512 digest.
    if ((algorithm === 'ED25519' && input !== 'RAW') || (algorithm === 'ED25519_PH_SHA_512' && input !== 'DIGEST')) {
      throw new KmsError('Validation', `Message type ${input} is incompatible with algorithm ${algorithm}.`, { ...details, reason: 'message-type-algorithm' });
    }
    // ML-DSA signs a message or its external mu, never a digest; only ML-DSA has a mu.
    const mlDsa = algorithm === 'ML_DSA_SHAKE_256';
    if ((input === 'DIGEST' && mlDsa) || (input === 'EXTERNAL_MU' && !mlDsa)) {
      throw new KmsError('Validation', `Message type ${input} is incompatible with key spec ${key.spec}.`, { ...details, reason: 'message-type-spec' });
    }
    const expected = input === 'EXTERNAL_MU' ? 64 : input === 'DIGEST' ? digestLength(algorithm) : undefined;
    if (expected !== undefined && message.length !== expected) {
      throw new KmsError('Validation', `Digest is invalid length for algorithm ${algorithm}.`, { ...details, reason: 'digest-length', expected });
    }
  }

  /** Signs a message (RAW), a digest of it (DIGEST: signed as given) or ML-DSA's mu (EXTERNAL_MU). */
  async sign(
    ctx: CallContext,
    ref: KeyRef,
    request: { algorithm: SigningAlgorithm; input: SignInput; message: Uint8Array },
  ): Promise<{ key: KeyInfo; signature: Uint8Array }> {
    const key = this.#use(ctx, ref, 'sign');
    this.#checkSignature(key, request, 'Sign');
    const pair = await this.#keyPair(key);
    const signature = await signMessage(pair.spec, pair.privateKey, request.algorithm, request.input, request.message, this.#random);
    return { key, signature };
  }

  /** Verifies a signature; a signature that does not verify is an InvalidSignature error. */
  async verify(
    ctx: CallContext,
    ref: KeyRef,
    request: { algorithm: SigningAlgorithm; input: SignInput; message: Uint8Array; signature: Uint8Array },
  ): Promise<{ key: KeyInfo }> {
    const key = this.#use(ctx, ref, 'verify');
    this.#checkSignature(key, request, 'Verify');
    const pair = await this.#keyPair(key);
    const valid = await verifySignature(pair.spec, pair.publicKey, request.algorithm, request.input, request.message, request.signature);
    if (!valid) throw new KmsError('InvalidSignature', 'The signature is not valid.', { resource: 'key', keyId: key.id });
    return { key };
  }

  /** Checks an asymmetric encryption key and algorithm (public-key schemes carry no encryption context). */
  #checkAsymmetricEncryption(key: KeyRecord, algorithm: AsymmetricEncryption | undefined, context: EncryptionContext | undefined, operation: string): AsymmetricEncryption {
    this.#requireUsage(key, 'ENCRYPT_DECRYPT', operation);
    this.#requireAlgorithm(key, algorithm ?? 'SYMMETRIC', SPEC_PROFILES[key.spec].encryption);
    if (context && Object.keys(context).length > 0) {
      throw new KmsError('Validation', 'An encryption context is not supported with asymmetric keys.', { resource: 'key', keyId: key.id, reason: 'asymmetric-context' });
    }
    return algorithm!;
  }

  async #encryptWith(key: KeyRecord, algorithm: AsymmetricEncryption, plaintext: Uint8Array): Promise<Uint8Array> {
    const pair = await this.#keyPair(key);
    const max = maxPlaintextLength(pair.spec, algorithm);
    if (plaintext.length > max) {
      throw new KmsError('Validation', `Algorithm ${algorithm} and key spec ${key.spec} cannot encrypt data larger than ${max} bytes.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'plaintext-size',
        algorithm,
        spec: key.spec,
        max,
      });
    }
    return encryptAsymmetric(pair.spec, pair.publicKey, algorithm, plaintext, this.#random);
  }

  async #decryptWith(key: KeyRecord, algorithm: AsymmetricEncryption, ciphertext: Uint8Array): Promise<Uint8Array> {
    const pair = await this.#keyPair(key);
    const plaintext = await decryptAsymmetric(pair.spec, pair.privateKey, algorithm, ciphertext);
    if (!plaintext) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
    return plaintext;
  }

  /** Encrypts under an asymmetric key's public key: the raw scheme output, no envelope. */
  async encryptAsymmetric(
    ctx: CallContext,
    ref: KeyRef,
    algorithm: AsymmetricEncryption,
    plaintext: Uint8Array,
    context?: EncryptionContext,
  ): Promise<{ key: KeyInfo; ciphertext: Uint8Array }> {
    const key = this.#use(ctx, ref, 'encrypt');
    this.#checkAsymmetricEncryption(key, algorithm, context, 'Encrypt');
    return { key, ciphertext: await this.#encryptWith(key, algorithm, plaintext) };
  }

  /**
   * Decrypts a public-key ciphertext with the named key. Without an algorithm the ciphertext is
   * read as an envelope, which it is not: InvalidCiphertext.
   */
  async decryptAsymmetric(
    ctx: CallContext,
    ref: KeyRef,
    ciphertext: Uint8Array,
    algorithm: AsymmetricEncryption | undefined,
    context?: EncryptionContext,
  ): Promise<{ key: KeyInfo; plaintext: Uint8Array }> {
    const key = this.#use(ctx, ref, 'decryptAsymmetric');
    this.#requireUsage(key, 'ENCRYPT_DECRYPT', 'Decrypt');
    if (algorithm === undefined) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
    this.#checkAsymmetricEncryption(key, algorithm, context, 'Decrypt');
    return { key, plaintext: await this.#decryptWith(key, algorithm, ciphertext) };
  }

  /**
   * Re-encrypts between any two encryption keys. A source algorithm (with its key named) reads a
   * public-key ciphertext, else an envelope; a destination algorithm writes one, else an envelope.
   * Material ids are given for envelopes only.
   */
  async reEncryptAny(
    ctx: CallContext,
    input: {
      ciphertext: Uint8Array;
      sourceContext?: EncryptionContext;
      sourceKey?: KeyRef;
      sourceAlgorithm?: AsymmetricEncryption;
      destinationKey: KeyRef;
      destinationContext?: EncryptionContext;
      destinationAlgorithm?: AsymmetricEncryption;
    },
  ): Promise<{ source: KeyInfo; sourceMaterialId?: string; destination: KeyInfo; destinationMaterialId?: string; ciphertext: Uint8Array }> {
    let source: KeyRecord;
    let parsed: ParsedEnvelope | undefined;
    if (input.sourceAlgorithm !== undefined && input.sourceKey !== undefined) {
      source = this.#use(ctx, input.sourceKey, 'reEncryptFrom');
      this.#checkAsymmetricEncryption(source, input.sourceAlgorithm, input.sourceContext, 'ReEncryptFrom');
    } else {
      ({ parsed, key: source } = this.#envelopeKey(ctx, input.ciphertext));
      this.#checkExpected(ctx, source, input.sourceKey);
      this.#allow(source, 'reEncryptFrom');
      this.#requireSymmetric(source, 'ReEncryptFrom');
    }
    const destination = this.#use(ctx, input.destinationKey, 'reEncryptTo');
    if (input.destinationAlgorithm !== undefined) {
      this.#checkAsymmetricEncryption(destination, input.destinationAlgorithm, input.destinationContext, 'ReEncryptTo');
    } else {
      this.#requireSymmetric(destination, 'ReEncryptTo', 'SYMMETRIC');
    }
    const plaintext = parsed ? this.#open(parsed, source, input.sourceContext) : await this.#decryptWith(source, input.sourceAlgorithm!, input.ciphertext);
    try {
      if (input.destinationAlgorithm !== undefined) {
        const ciphertext = await this.#encryptWith(destination, input.destinationAlgorithm, plaintext);
        return { source, ...(parsed ? { sourceMaterialId: parsed.materialId } : {}), destination, ciphertext };
      }
      const sealed = this.#seal(destination, plaintext, input.destinationContext);
      return { source, ...(parsed ? { sourceMaterialId: parsed.materialId } : {}), destination, destinationMaterialId: sealed.materialId, ciphertext: sealed.ciphertext };
    } finally {
      plaintext.fill(0);
    }
  }

  /**
   * A fresh key pair of `pairSpec` for use outside the service: its private key (PKCS#8), its public
   * key (SPKI) and the private key sealed in an envelope under the symmetric key `ref`.
   */
  async generateDataKeyPair(
    ctx: CallContext,
    ref: KeyRef,
    pairSpec: AsymmetricKeySpec,
    context?: EncryptionContext,
    operation = 'GenerateDataKeyPair',
  ): Promise<{ key: KeyInfo; materialId: string; privateKey: Uint8Array; publicKey: Uint8Array; ciphertext: Uint8Array }> {
    const key = this.#use(ctx, ref, 'generateDataKeyPair');
    this.#requireSymmetric(key, operation);
    const pair = await generateKeyPair(pairSpec, this.#random);
    // The key may have changed state while the pair was being generated.
    this.#allow(key, 'generateDataKeyPair');
    const sealed = this.#seal(key, pair.privateKey, context);
    return { key, materialId: sealed.materialId, privateKey: pair.privateKey, publicKey: pair.publicKey, ciphertext: sealed.ciphertext };
  }

  /** ECDH between the key's private key and a peer's public key (DER SPKI) on the same curve: the raw shared secret. */
  async deriveSharedSecret(ctx: CallContext, ref: KeyRef, algorithm: KeyAgreementAlgorithm, peerPublicKey: Uint8Array): Promise<{ key: KeyInfo; sharedSecret: Uint8Array }> {
    const key = this.#use(ctx, ref, 'deriveSharedSecret');
    this.#requireUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret');
    this.#requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].keyAgreement);
    const pair = await this.#keyPair(key);
    const peer = await parsePublicKey(peerPublicKey);
    const sharedSecret = peer?.spec === pair.spec ? await deriveEcdhSecret(pair.spec, pair.privateKey, peerPublicKey) : undefined;
    if (!sharedSecret) {
      throw new KmsError('Validation', `The public key is not a valid public key on the curve of key spec ${key.spec}.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'peer-public-key',
        spec: key.spec,
      });
    }
    return { key, sharedSecret };
  }

  #macKey(key: KeyRecord, algorithm: MacAlgorithm, operation: string): { spec: HmacKeySpec; secret: Uint8Array } {
    this.#requireUsage(key, 'GENERATE_VERIFY_MAC', operation);
    this.#requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].mac);
    const secret = key.currentMaterialId === undefined ? undefined : key.secrets.get(key.currentMaterialId);
    if (!secret || !isHmacSpec(key.spec)) {
      throw new KmsError('Unsupported', `Key ${key.id} holds no HMAC key.`, { resource: 'key', keyId: key.id, reason: 'not-hmac', spec: key.spec });
    }
    return { spec: key.spec, secret };
  }

  /** HMAC of a message under an HMAC key. */
  generateMac(ctx: CallContext, ref: KeyRef, algorithm: MacAlgorithm, message: Uint8Array): { key: KeyInfo; mac: Uint8Array } {
    const key = this.#use(ctx, ref, 'generateMac');
    const { spec, secret } = this.#macKey(key, algorithm, 'GenerateMac');
    return { key, mac: computeMac(spec, secret, message) };
  }

  /** Recomputes the HMAC and compares; a MAC that does not match is an InvalidMac error. */
  verifyMac(ctx: CallContext, ref: KeyRef, algorithm: MacAlgorithm, message: Uint8Array, mac: Uint8Array): { key: KeyInfo } {
    const key = this.#use(ctx, ref, 'verifyMac');
    const { spec, secret } = this.#macKey(key, algorithm, 'VerifyMac');
    if (!checkMac(spec, secret, message, mac)) {
      throw new KmsError('InvalidMac', 'The MAC is not valid.', { resource: 'key', keyId: key.id });
    }
    return { key };
  }

  /** A fresh shared secret and its encapsulation under the key's ML-KEM public key. */
  async encapsulate(ctx: CallContext, ref: KeyRef, algorithm: EncapsulationAlgorithm): Promise<{ key: KeyInfo; ciphertext: Uint8Array; sharedSecret: Uint8Array }> {
    const key = this.#use(ctx, ref, 'encapsulate');
    this.#requireUsage(key, 'ENCAPSULATE_DECAPSULATE', 'Encapsulate');
    this.#requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].encapsulation);
    const pair = await this.#keyPair(key);
    return { key, ...(await encapsulateSecret(pair.spec, pair.publicKey, this.#random)) };
  }

  /**
   * Recovers the shared secret of an encapsulation. A ciphertext of the wrong length is an
   * InvalidCiphertext error; any other wrong ciphertext gives a pseudo-random secret (implicit rejection).
   */
  async decapsulate(ctx: CallContext, ref: KeyRef, algorithm: EncapsulationAlgorithm, ciphertext: Uint8Array): Promise<{ key: KeyInfo; sharedSecret: Uint8Array }> {
    const key = this.#use(ctx, ref, 'decapsulate');
    this.#requireUsage(key, 'ENCAPSULATE_DECAPSULATE', 'Decapsulate');
    this.#requireAlgorithm(key, algorithm, SPEC_PROFILES[key.spec].encapsulation);
    const pair = await this.#keyPair(key);
    const sharedSecret = await decapsulateSecret(pair.spec, pair.privateKey, ciphertext);
    if (!sharedSecret) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext', keyId: key.id });
    return { key, sharedSecret };
  }

  // ---------------------------------------------------------------- aliases

  getAlias(ctx: CallContext, name: string): AliasInfo | undefined {
    this.runDueWork();
    return this.#realm(ctx.realm.account, ctx.realm.region)?.aliases.get(name);
  }

  createAlias(ctx: CallContext, name: string, target: KeyRef): AliasInfo {
    // Resolve the key first: a refused call must not leave an empty realm behind.
    const key = this.#use(ctx, target, 'createAlias');
    const realm = this.#realmFor(ctx.realm);
    if (realm.aliases.has(name)) {
      throw new KmsError('AlreadyExists', `An alias with the name ${name} already exists.`, { resource: 'alias', alias: name });
    }
    const now = this.now();
    const alias: AliasRecord = { name, realm: realm.realm, keyId: key.id, createdAt: now, updatedAt: now };
    realm.aliases.add(name, ++this.#seq, alias);
    key.aliases.add(name);
    this.#changedAliases.add(alias);
    return alias;
  }

  updateAlias(ctx: CallContext, name: string, target: KeyRef): AliasInfo {
    this.runDueWork();
    const { realm, alias } = this.#aliasByName(ctx, name);
    const key = this.#use(ctx, target, 'updateAlias');
    const current = realm.keys.get(alias.keyId);
    if (current && (current.spec !== key.spec || current.usage !== key.usage)) {
      throw new KmsError('Validation', `Alias ${name} cannot be changed from a key of type ${current.spec}/${current.usage} to ${key.spec}/${key.usage}.`, {
        reason: 'alias-key-type',
        alias: name,
      });
    }
    current?.aliases.delete(name);
    alias.keyId = key.id;
    alias.updatedAt = this.now();
    key.aliases.add(name);
    this.#changedAliases.add(alias);
    return alias;
  }

  deleteAlias(ctx: CallContext, name: string): AliasInfo {
    this.runDueWork();
    const { realm, alias } = this.#aliasByName(ctx, name);
    const key = realm.keys.get(alias.keyId);
    if (key) this.#allow(key, 'deleteAlias');
    key?.aliases.delete(name);
    realm.aliases.remove(name);
    this.#changedAliases.add(alias);
    return alias;
  }

  /** Aliases of the realm, or of one key when `key` is given. */
  listAliases(ctx: CallContext, page: PageRequest, key?: KeyRef): Page<AliasInfo> {
    this.runDueWork();
    const realm = this.#realm(ctx.realm.account, ctx.realm.region);
    if (key) {
      const record = this.#resolve(ctx, key);
      const scope = `aliases|${ctx.realm.account}|${ctx.realm.region}|${record.id}`;
      const from = this.#markerSeq(scope, page.marker);
      const names = [...record.aliases]
        .map((n) => ({ n, seq: realm!.aliases.seqOf(n)! }))
        .sort((a, b) => a.seq - b.seq)
        .filter((a) => a.seq >= from);
      const items = names.slice(0, page.limit).map((a) => realm!.aliases.get(a.n)!);
      return this.#pageOf(scope, items, names[page.limit]?.seq);
    }
    const scope = `aliases|${ctx.realm.account}|${ctx.realm.region}`;
    const from = this.#markerSeq(scope, page.marker);
    if (!realm) return { items: [] };
    const result = realm.aliases.page(from, page.limit);
    return this.#pageOf(scope, result.items, result.nextSeq);
  }

  // ---------------------------------------------------------------- tags

  tagKey(ctx: CallContext, ref: KeyRef, tags: ReadonlyArray<readonly [string, string]>): KeyInfo {
    const key = this.#use(ctx, ref, 'tagKey');
    for (const [k, v] of tags) key.tags.set(k, v);
    return key;
  }

  untagKey(ctx: CallContext, ref: KeyRef, tagKeys: readonly string[]): KeyInfo {
    const key = this.#use(ctx, ref, 'untagKey');
    for (const k of tagKeys) key.tags.delete(k);
    return key;
  }

  listTags(ctx: CallContext, ref: KeyRef, page: PageRequest): Page<readonly [string, string]> {
    const key = this.#use(ctx, ref, 'listTags');
    return this.#pageArray(`tags|${key.id}`, [...key.tags], page);
  }

  // ---------------------------------------------------------------- policies

  getPolicy(ctx: CallContext, ref: KeyRef, name: string): { key: KeyInfo; policy: string } {
    const key = this.#use(ctx, ref, 'getPolicy');
    const policy = key.policies.get(name);
    if (policy === undefined) throw new KmsError('NotFound', 'No such policy exists.', { resource: 'policy', keyId: key.id, policyName: name });
    return { key, policy };
  }

  putPolicy(ctx: CallContext, ref: KeyRef, name: string, policy: string): KeyInfo {
    const key = this.#use(ctx, ref, 'putPolicy');
    if (!key.policies.has(name)) throw new KmsError('NotFound', 'No such policy exists.', { resource: 'policy', keyId: key.id, policyName: name });
    key.policies.set(name, policy);
    return key;
  }

  listPolicies(ctx: CallContext, ref: KeyRef, page: PageRequest): Page<string> {
    const key = this.#use(ctx, ref, 'listPolicies');
    return this.#pageArray(`policies|${key.id}`, [...key.policies.keys()], page);
  }

  // ---------------------------------------------------------------- rotation

  #requireRotatable(key: KeyRecord): void {
    if ((key.spec !== 'AES_256' && key.spec !== 'SM4') || key.origin !== 'GENERATED') {
      throw new KmsError('Unsupported', `Key ${key.id} does not support rotation.`, {
        resource: 'key',
        keyId: key.id,
        reason: key.origin !== 'GENERATED' ? 'origin' : 'key-spec',
        origin: key.origin,
        spec: key.spec,
      });
    }
  }

  #scheduleRotation(key: KeyRecord, at: number): void {
    this.#changedKeys.add(key);
    key.rotation.nextRotation = at;
    this.#due.push({ due: at, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'rotate' });
  }

  #rotate(key: KeyRecord, kind: RotationKind, at: number): KeyMaterialVersion {
    if (key.materials.length >= MAX_MATERIAL_VERSIONS) {
      throw new KmsError('LimitExceeded', `Key ${key.id} has reached its limit of key material versions.`, { keyId: key.id, reason: 'material-versions' });
    }
    const previous = key.currentMaterialId!;
    const version = this.#addMaterial(key, at, { kind, at });
    this.#serviceEvent(ServiceEvent.rotateKey, key, at, {
      rotationType: kind,
      keyOrigin: key.origin,
      previousKeyMaterialId: previous,
      currentKeyMaterialId: version.id,
    });
    return version;
  }

  enableRotation(ctx: CallContext, ref: KeyRef, periodDays: number): KeyInfo {
    const key = this.#resolve(ctx, ref);
    this.#requireRotatable(key);
    this.#allow(key, 'enableRotation');
    const now = this.now();
    const base = key.rotation.enabled ? (lastAutomaticRotation(key) ?? key.rotation.enabledAt ?? now) : now;
    key.rotation.enabled = true;
    key.rotation.periodDays = periodDays;
    if (!key.rotation.enabledAt || base === now) key.rotation.enabledAt = now;
    this.#scheduleRotation(key, Math.max(now, base + periodDays * DAY_MS));
    return key;
  }

  disableRotation(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#resolve(ctx, ref);
    this.#requireRotatable(key);
    this.#allow(key, 'disableRotation');
    key.rotation.enabled = false;
    delete key.rotation.nextRotation;
    delete key.rotation.enabledAt;
    return key;
  }

  getRotationStatus(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#resolve(ctx, ref);
    this.#requireRotatable(key);
    this.#allow(key, 'getRotationStatus');
    return key;
  }

  /** Whether an on-demand rotation started within the last ROTATION_IN_PROGRESS_MS. */
  rotationInProgress(key: KeyInfo): boolean {
    const started = key.rotation.onDemandStartedAt;
    return started !== undefined && this.now() - started < ROTATION_IN_PROGRESS_MS;
  }

  /**
   * Rotates now. `limit` caps on-demand rotations per key; a rotation already in progress, or an
   * automatic rotation due within `automaticRotationGuardMs`, refuses the call with Conflict.
   */
  rotateNow(
    ctx: CallContext,
    ref: KeyRef,
    options: { limit: number; automaticRotationGuardMs?: number },
  ): { key: KeyInfo; material: KeyMaterialVersion } {
    const key = this.#resolve(ctx, ref);
    this.#requireRotatable(key);
    this.#allow(key, 'rotateNow');
    const now = this.now();
    const next = key.rotation.enabled ? key.rotation.nextRotation : undefined;
    if (this.rotationInProgress(key) || (next !== undefined && options.automaticRotationGuardMs !== undefined && next - now <= options.automaticRotationGuardMs)) {
      throw new KmsError('Conflict', `A rotation of key ${key.id} is in progress or about to begin.`, { resource: 'key', keyId: key.id, reason: 'rotation-in-progress' });
    }
    const limit = options.limit;
    if (key.rotation.onDemandCount >= limit) {
      throw new KmsError('LimitExceeded', `The on-demand rotations limit has been reached for key ${key.id}.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'rotation-limit',
      });
    }
    key.rotation.onDemandCount++;
    key.rotation.onDemandStartedAt = now;
    return { key, material: this.#rotate(key, 'ON_DEMAND', now) };
  }

  listRotations(ctx: CallContext, ref: KeyRef, page: PageRequest, includeAllMaterial = false): Page<KeyMaterialVersion & { current: boolean }> {
    const key = this.#resolve(ctx, ref);
    this.#requireRotatable(key);
    this.#allow(key, 'listRotations');
    const versions = key.materials
      .filter((m) => includeAllMaterial || m.rotation)
      .map((m) => ({ ...m, current: m.id === key.currentMaterialId }));
    return this.#pageArray(`rotations|${key.id}|${includeAllMaterial}`, versions, page);
  }

  // ---------------------------------------------------------------- grants

  /**
   * A key of another account in the caller's region, reached through a grant: undefined when no
   * grant on it names the caller (the key stays invisible), AccessDenied when grants name the caller
   * but none lists the call's operation. `account` narrows the search to one account (ciphertexts name theirs).
   */
  #grantedKey(ctx: CallContext, keyId: string, account?: string): KeyRecord | undefined {
    for (const realm of this.#realms.values()) {
      if (realm.realm.region !== ctx.realm.region || realm.realm.account === ctx.realm.account) continue;
      if (account !== undefined && realm.realm.account !== account) continue;
      const key = realm.keys.get(keyId);
      if (!key) continue;
      const mine = [...key.grants.values()].filter((g) => grantNames(g, ctx));
      if (mine.length === 0) return undefined;
      if (ctx.operation !== undefined && mine.some((g) => g.operations.includes(ctx.operation!))) return key;
      throw new KmsError('AccessDenied', `The caller is not allowed to perform ${ctx.operation ?? 'this operation'} on key ${key.id}.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'grant',
        ...(ctx.operation !== undefined ? { operation: ctx.operation } : {}),
      });
    }
    return undefined;
  }

  /**
   * A caller from another account must also meet the constraints of a grant that allows the call
   * with this encryption context. Callers of the key's own account are not limited.
   */
  #checkGrantContext(ctx: CallContext, key: KeyRecord, context: EncryptionContext | undefined): void {
    if (key.realm.account === ctx.realm.account) return;
    const operation = ctx.operation ?? '';
    const fits = [...key.grants.values()].some((g) => grantNames(g, ctx) && grantAllows(g, operation, context));
    if (!fits) {
      throw new KmsError('AccessDenied', `The encryption context does not meet the constraints of a grant on key ${key.id}.`, {
        resource: 'key',
        keyId: key.id,
        reason: 'grant-constraints',
        operation,
      });
    }
  }

  createGrant(ctx: CallContext, ref: KeyRef, input: CreateGrantInput): { key: KeyInfo; grant: GrantInfo } {
    const key = this.#resolve(ctx, ref);
    assertLifecycle('createGrant', key);
    const limit = input.limit ?? DEFAULT_GRANTS_PER_KEY;
    if (key.grants.size >= limit) {
      throw new KmsError('LimitExceeded', `Key ${key.id} already has ${key.grants.size} grants.`, { resource: 'grant', keyId: key.id, reason: 'grants-per-key', limit });
    }
    this.#allow(key, 'createGrant');
    const id = toHex(randomBytes(this.#random, 32));
    const grant: GrantInfo = {
      id,
      token: grantToken(key.id, id),
      keyId: key.id,
      realm: key.realm,
      ...(input.name !== undefined ? { name: input.name } : {}),
      granteePrincipal: input.granteePrincipal,
      ...(input.granteeType !== undefined ? { granteeType: input.granteeType } : {}),
      ...(input.retiringPrincipal !== undefined ? { retiringPrincipal: input.retiringPrincipal } : {}),
      issuingPrincipal: ctx.principal.id,
      operations: [...input.operations],
      ...(input.constraints ? { constraints: input.constraints } : {}),
      createdAt: this.now(),
    };
    key.grants.set(id, grant);
    return { key, grant };
  }

  listGrants(ctx: CallContext, ref: KeyRef, page: PageRequest, filter: { grantId?: string; granteePrincipal?: string } = {}): { key: KeyInfo; page: Page<GrantInfo> } {
    const key = this.#use(ctx, ref, 'listGrants');
    const grants = [...key.grants.values()].filter(
      (g) => (filter.grantId === undefined || g.id === filter.grantId) && (filter.granteePrincipal === undefined || g.granteePrincipal === filter.granteePrincipal),
    );
    return { key, page: this.#pageArray(`grants|${key.id}|${filter.grantId ?? ''}|${filter.granteePrincipal ?? ''}`, grants, page) };
  }

  /** Grants in the caller's region (any account) that name `retiringPrincipal` as their retiring principal. */
  listRetirableGrants(ctx: CallContext, retiringPrincipal: string, page: PageRequest): Page<GrantInfo> {
    this.runDueWork();
    const grants: GrantInfo[] = [];
    for (const realm of this.#realms.values()) {
      if (realm.realm.region !== ctx.realm.region) continue;
      for (const key of realm.keys.values()) for (const g of key.grants.values()) if (g.retiringPrincipal === retiringPrincipal) grants.push(g);
    }
    return this.#pageArray(`retirable|${ctx.realm.region}|${retiringPrincipal}`, grants, page);
  }

  /** The key `keyId` in the caller's region, its own account first (retiring works across accounts). */
  #keyInRegion(ctx: CallContext, keyId: string): KeyRecord | undefined {
    const own = this.#realm(ctx.realm.account, ctx.realm.region)?.keys.get(keyId);
    if (own) return own;
    for (const realm of this.#realms.values()) {
      if (realm.realm.region !== ctx.realm.region) continue;
      const key = realm.keys.get(keyId);
      if (key) return key;
    }
    return undefined;
  }

  /**
   * Retires a grant named by its token, or by key and grant id. The retiring principal, the grantee
   * and principals of the key's account may retire it.
   */
  retireGrant(ctx: CallContext, by: { token: string } | { keyRef: KeyRef; grantId: string }): GrantInfo {
    this.runDueWork();
    let key: KeyRecord | undefined;
    let grantId: string;
    if ('token' in by) {
      const parsed = parseGrantToken(by.token);
      if (!parsed) throw new KmsError('NotFound', 'The grant token is not valid.', { resource: 'grant', reason: 'grant-token' });
      key = this.#keyInRegion(ctx, parsed.keyId);
      grantId = parsed.grantId;
      if (!key) throw new KmsError('NotFound', `Grant ${grantId} does not exist.`, { resource: 'grant', grantId });
    } else {
      key = 'keyId' in by.keyRef ? this.#keyInRegion(ctx, by.keyRef.keyId) : this.#resolve(ctx, by.keyRef);
      if (!key) key = this.#keyById(ctx.realm, (by.keyRef as { keyId: string }).keyId);
      grantId = by.grantId;
    }
    const grant = this.#grantOf(key, grantId);
    const p = ctx.principal;
    const names = (principal: string | undefined) => principal !== undefined && (principal === p.id || principal === p.account || principal === p.name);
    if (!(key.realm.account === ctx.realm.account || names(grant.retiringPrincipal) || names(grant.granteePrincipal))) {
      throw new KmsError('AccessDenied', `The caller is not allowed to retire grant ${grantId}.`, { resource: 'grant', keyId: key.id, grantId, reason: 'retire' });
    }
    this.#allow(key, 'retireGrant');
    key.grants.delete(grantId);
    return grant;
  }

  revokeGrant(ctx: CallContext, ref: KeyRef, grantId: string): GrantInfo {
    const key = this.#resolve(ctx, ref);
    const grant = this.#grantOf(key, grantId);
    this.#allow(key, 'revokeGrant');
    key.grants.delete(grantId);
    return grant;
  }

  /** The grant a token names, if it exists in the caller's region. */
  grantByToken(ctx: CallContext, token: string): GrantInfo | undefined {
    this.runDueWork();
    const parsed = parseGrantToken(token);
    return parsed ? this.#keyInRegion(ctx, parsed.keyId)?.grants.get(parsed.grantId) : undefined;
  }

  /** A grant of `key`; a grant id that belongs to another key in the realm is a mismatch. */
  #grantOf(key: KeyRecord, grantId: string): GrantInfo {
    const grant = key.grants.get(grantId);
    if (grant) return grant;
    let elsewhere = false;
    for (const k of this.#realm(key.realm.account, key.realm.region)?.keys.values() ?? []) if (k.grants.has(grantId)) elsewhere = true;
    throw new KmsError('NotFound', elsewhere ? `Grant ${grantId} does not belong to key ${key.id}.` : `Grant ${grantId} does not exist.`, {
      resource: 'grant',
      keyId: key.id,
      grantId,
      ...(elsewhere ? { reason: 'grant-key-mismatch' } : {}),
    });
  }

  // ---------------------------------------------------------------- white-box keys

  /** White-box keys by realm, each map in creation order. */
  readonly #whiteBox = new Map<string, Map<string, WhiteBoxRecord>>();
  readonly #changedWhiteBox = new Set<WhiteBoxRecord>();

  #whiteBoxKey(ctx: CallContext, id: string): WhiteBoxRecord {
    const key = this.#whiteBox.get(realmKey(ctx.realm.account, ctx.realm.region))?.get(id);
    if (!key) throw new KmsError('NotFound', `White-box key ${id} does not exist.`, { resource: 'white-box-key', keyId: id, ...ctx.realm });
    return key;
  }

  createWhiteBoxKey(ctx: CallContext, input: CreateWhiteBoxKeyInput): { key: WhiteBoxKeyInfo; secret: Uint8Array } {
    const k = realmKey(ctx.realm.account, ctx.realm.region);
    const keys = this.#whiteBox.get(k) ?? new Map<string, WhiteBoxRecord>();
    for (const other of keys.values()) {
      if (other.alias === input.alias) {
        throw new KmsError('AlreadyExists', `A white-box key with alias ${input.alias} already exists.`, { resource: 'white-box-key', alias: input.alias });
      }
    }
    const limit = input.limit ?? DEFAULT_WHITE_BOX_KEY_LIMIT;
    if (keys.size >= limit) throw new KmsError('LimitExceeded', `At most ${limit} white-box keys may exist.`, { resource: 'white-box-key', reason: 'white-box-keys', limit });
    const key: WhiteBoxRecord = {
      id: this.newId(),
      realm: this.#realmFor(ctx.realm).realm,
      alias: input.alias,
      description: input.description ?? '',
      algorithm: input.algorithm,
      state: 'Enabled',
      createdAt: this.now(),
      creator: ctx.principal.id,
      deviceFingerprints: [],
      tags: new Map(input.tags ?? []),
      secret: randomBytes(this.#random, whiteBoxKeyLength(input.algorithm)),
    };
    keys.set(key.id, key);
    this.#whiteBox.set(k, keys);
    this.#changedWhiteBox.add(key);
    return { key, secret: key.secret.slice() };
  }

  describeWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    return this.#whiteBoxKey(ctx, id);
  }

  listWhiteBoxKeys(ctx: CallContext): readonly WhiteBoxKeyInfo[] {
    return [...(this.#whiteBox.get(realmKey(ctx.realm.account, ctx.realm.region))?.values() ?? [])];
  }

  enableWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    const key = this.#whiteBoxKey(ctx, id);
    if (key.state !== 'Enabled') {
      key.state = 'Enabled';
      this.#changedWhiteBox.add(key);
    }
    return key;
  }

  disableWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    const key = this.#whiteBoxKey(ctx, id);
    if (key.state !== 'Disabled') {
      key.state = 'Disabled';
      this.#changedWhiteBox.add(key);
    }
    return key;
  }

  deleteWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    const key = this.#whiteBoxKey(ctx, id);
    if (key.state !== 'Disabled') {
      throw new KmsError('InvalidState', `White-box key ${id} must be disabled before it is deleted.`, { resource: 'white-box-key', keyId: id, reason: 'white-box-enabled' });
    }
    this.#whiteBox.get(realmKey(ctx.realm.account, ctx.realm.region))!.delete(id);
    this.#changedWhiteBox.add(key);
    return key;
  }

  /** CBC with PKCS#7 padding; a 16-byte IV is drawn when none is given. */
  whiteBoxEncrypt(ctx: CallContext, id: string, plaintext: Uint8Array, iv?: Uint8Array): { key: WhiteBoxKeyInfo; iv: Uint8Array; ciphertext: Uint8Array } {
    const key = this.#whiteBoxKey(ctx, id);
    if (key.state !== 'Enabled') throw new KmsError('Disabled', `White-box key ${id} is disabled.`, { resource: 'white-box-key', keyId: id });
    if (iv !== undefined && iv.length !== 16) throw new KmsError('Validation', 'The initialization vector must be 16 bytes long.', { resource: 'white-box-key', reason: 'iv-length' });
    const vector = iv ? iv.slice() : randomBytes(this.#random, 16);
    return { key, iv: vector, ciphertext: whiteBoxCbcEncrypt(key.algorithm, key.secret, vector, plaintext) };
  }

  /** The raw key, for a dialect to render its client-side key containers. */
  whiteBoxSecret(ctx: CallContext, id: string): { key: WhiteBoxKeyInfo; secret: Uint8Array } {
    const key = this.#whiteBoxKey(ctx, id);
    return { key, secret: key.secret.slice() };
  }

  setWhiteBoxFingerprints(ctx: CallContext, id: string, list: readonly DeviceFingerprint[]): WhiteBoxKeyInfo {
    const key = this.#whiteBoxKey(ctx, id);
    key.deviceFingerprints = list.map((f) => (f.description !== undefined ? { identity: f.identity, description: f.description } : { identity: f.identity }));
    this.#changedWhiteBox.add(key);
    return key;
  }

  #whiteBoxSnapshots(): WhiteBoxSnapshot[] {
    const out: WhiteBoxSnapshot[] = [];
    for (const keys of this.#whiteBox.values()) for (const k of keys.values()) out.push(whiteBoxSnapshot(k));
    return out;
  }

  /** The white-box part of a change record: changed keys in full, removed ones by id (everything after a reset). */
  #whiteBoxChanges(reset: boolean): Pick<EngineChanges, 'whiteBoxKeys' | 'removedWhiteBoxKeys'> {
    if (reset) return this.#whiteBox.size > 0 ? { whiteBoxKeys: this.#whiteBoxSnapshots() } : {};
    if (this.#changedWhiteBox.size === 0) return {};
    const changed: WhiteBoxSnapshot[] = [];
    const removed: Array<{ account: string; region: string; id: string }> = [];
    for (const k of this.#changedWhiteBox) {
      const live = this.#whiteBox.get(realmKey(k.realm.account, k.realm.region))?.get(k.id) === k;
      if (live) changed.push(whiteBoxSnapshot(k));
      else removed.push({ account: k.realm.account, region: k.realm.region, id: k.id });
    }
    return { ...(changed.length ? { whiteBoxKeys: changed } : {}), ...(removed.length ? { removedWhiteBoxKeys: removed } : {}) };
  }

  /** Puts a white-box key from a snapshot or change record in place (replacing one with its id). */
  #putWhiteBox(s: WhiteBoxSnapshot): void {
    const k = realmKey(s.account, s.region);
    const keys = this.#whiteBox.get(k) ?? new Map<string, WhiteBoxRecord>();
    keys.set(s.id, whiteBoxFromSnapshot(s, this.#realmFor({ account: s.account, region: s.region }).realm));
    this.#whiteBox.set(k, keys);
  }

  // ---------------------------------------------------------------- paging

  #mac(scope: string, seq: number): string {
    return toHex(hmac(sha256, this.#markerSecret, utf8(`${scope}\n${seq}`)).subarray(0, 12));
  }

  #markerSeq(scope: string, marker: string | undefined): number {
    if (marker === undefined) return 0;
    const m = /^(\d{1,15})\.([0-9a-f]{24})$/.exec(marker);
    if (!m || this.#mac(scope, Number(m[1])) !== m[2]) {
      throw new KmsError('InvalidMarker', 'The request was rejected because the marker that specifies where pagination should next begin is not valid.', {
        resource: 'marker',
      });
    }
    return Number(m[1]);
  }

  #pageOf<T>(scope: string, items: T[], nextSeq: number | undefined): Page<T> {
    return nextSeq === undefined ? { items } : { items, nextMarker: `${nextSeq}.${this.#mac(scope, nextSeq)}` };
  }

  /** Pages over a short in-memory list; the marker is the next index. */
  #pageArray<T>(scope: string, all: T[], page: PageRequest): Page<T> {
    const from = this.#markerSeq(scope, page.marker);
    const items = all.slice(from, from + page.limit);
    return this.#pageOf(scope, items, from + page.limit < all.length ? from + page.limit : undefined);
  }

  // ---------------------------------------------------------------- snapshot and restore

  /** The whole state as a versioned JSON document (key material included: treat it as a secret). */
  snapshot(): EngineSnapshot {
    const realms: EngineSnapshot['realms'] = [];
    // Each distinct policy text once; keys name it by index.
    const policyTexts: string[] = [];
    const textIndex = new Map<string, number>();
    const intern = (text: string): number => {
      let i = textIndex.get(text);
      if (i === undefined) {
        i = policyTexts.push(text) - 1;
        textIndex.set(text, i);
      }
      return i;
    };
    for (const realm of this.#realms.values()) {
      const keys: SnapshotKey[] = [];
      for (const k of realm.keys.values()) {
        const entry: SnapshotKey = keySnapshot(k);
        entry.policies = [...k.policies].map(([name, text]) => [name, intern(text)]);
        keys.push(entry);
      }
      const aliases: AliasSnapshot[] = [];
      for (const a of realm.aliases.values()) aliases.push(aliasSnapshot(a, realm.aliases.seqOf(a.name)!));
      realms.push({ account: realm.realm.account, region: realm.realm.region, keys, aliases });
    }
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      takenAt: this.now(),
      seq: this.#seq,
      markerSecret: toBase64(this.#markerSecret),
      random: this.#randomState(),
      realms,
      policyTexts,
      ...(this.#whiteBox.size > 0 ? { whiteBoxKeys: this.#whiteBoxSnapshots() } : {}),
      audit: this.audit.list() as EngineSnapshot['audit'],
    };
  }

  #randomState(): EngineSnapshot['random'] {
    return { ...(this.seed !== undefined ? { seed: this.seed } : {}), ...(this.#random.position !== undefined ? { position: this.#random.position } : {}) };
  }

  /** Queues the key's scheduled deletion and next automatic rotation, if it has them (from its record or its snapshot entry). */
  #queueDueWork(key: DueFields, realm: Realm): void {
    const { account, region } = realm;
    if (key.state === 'PendingDeletion' && key.deletionDate !== undefined) {
      this.#due.push({ due: key.deletionDate, keyId: key.id, account, region, kind: 'delete' });
    }
    if (key.rotation.enabled && key.rotation.nextRotation !== undefined) {
      this.#due.push({ due: key.rotation.nextRotation, keyId: key.id, account, region, kind: 'rotate' });
    }
    if (key.materialValidTo !== undefined) {
      this.#due.push({ due: key.materialValidTo, keyId: key.id, account, region, kind: 'expire-material' });
    }
  }

  /**
   * Replaces the whole state with a snapshot's. Throws a Validation KmsError for a malformed document.
   * Due work (deletions and rotations whose time has passed) runs at once unless `runDueWork` is
   * false (a store that replays a journal on top runs it afterwards). `intact` skips the schema
   * check for a document known to come unchanged from snapshot() (see parseSnapshot). `audit`
   * stands in for the events of an intact document's empty `audit`: their sizes now, the events
   * themselves read on first use (see AuditLog.restoreDeferred). The keys of an intact document
   * are built from its entries when first read, so the document must not change afterwards.
   * `keys` (one per realm of the document, whose key lists are then empty) stand in for the keys
   * of an intact document the same way, each entry read only when its key is first needed.
   */
  restore(document: unknown, options: { runDueWork?: boolean; intact?: boolean; audit?: DeferredAudit; keys?: readonly DeferredKeys[] } = {}): void {
    const intact = options.intact === true;
    const doc = parseSnapshot(document, { intact });
    const invalid = (why: string) => new KmsError('Validation', `Invalid snapshot: ${why}`, { reason: 'snapshot' });
    if (options.audit && (!intact || doc.audit.length > 0)) throw invalid("deferred audit events stand in for an intact document's empty audit list.");
    if (options.keys && (!intact || options.keys.length !== doc.realms.length || doc.realms.some((r) => r.keys.length > 0))) {
      throw invalid("deferred keys stand in for the empty key lists of an intact document's realms, one for each.");
    }
    const realms = new Map<string, RealmState>();
    const due: Array<[DueFields, Realm]> = [];
    doc.realms.forEach((r, index) => {
      const realm = { account: r.account, region: r.region };
      const policyTexts = doc.policyTexts;
      const deferred = options.keys?.[index];
      const make = (k: SnapshotKey | number) => keyFromSnapshot(typeof k === 'number' ? deferred!.entry(k) : k, realm, new Set(), policyTexts);
      // Only an index with keys to make holds `make` (and through it, a store's file bytes).
      const deferring = intact && (deferred?.ids.length ?? 0) + r.keys.length > 0;
      const state: RealmState = { realm, keys: new OrderedIndex(deferring ? make : undefined), aliases: new OrderedIndex() };
      // A key no call needs is never built: start-up with many keys answers sooner.
      if (deferred) {
        for (let i = 0; i < deferred.ids.length; i++) addInOrder(state.keys, deferred.ids[i]!, deferred.seqs[i]!, i, invalid, true);
        for (const i of deferred.due) due.push([deferred.entry(i), realm]);
      }
      for (const k of inSeqOrder(r.keys)) {
        if (intact) state.keys.addDeferred(k.id, k.seq, k);
        else state.keys.add(k.id, k.seq, keyFromSnapshot(k, realm, new Set(), policyTexts));
        if (k.state === 'PendingDeletion' || k.rotation.enabled || k.materialValidTo !== undefined) due.push([k, realm]);
      }
      for (const a of inSeqOrder(r.aliases)) {
        const key = state.keys.get(a.keyId);
        if (!key) throw new KmsError('Validation', `Snapshot alias ${a.name} names a key that is not in the snapshot.`, { reason: 'snapshot' });
        state.aliases.add(a.name, a.seq, aliasFromSnapshot(a, state.realm));
        key.aliases.add(a.name);
      }
      realms.set(realmKey(r.account, r.region), state);
    });
    this.#realms.clear();
    for (const [k, v] of realms) this.#realms.set(k, v);
    this.#due.clear();
    for (const [key, realm] of due) this.#queueDueWork(key, realm);
    this.#whiteBox.clear();
    for (const w of doc.whiteBoxKeys ?? []) this.#putWhiteBox(w);
    this.#seq = doc.seq;
    this.#markerSecret = fromBase64(doc.markerSecret)!;
    if (doc.random.seed !== undefined && doc.random.seed === this.seed && doc.random.position !== undefined) {
      this.#random = new SeededRandom(doc.random.seed, doc.random.position);
    }
    if (options.audit) this.audit.restoreDeferred(options.audit.sizes, options.audit.events);
    else this.audit.restore(doc.audit as AuditEvent[]);
    // Everything was replaced: the next change record carries the whole state.
    this.#changedKeys.clear();
    this.#changedAliases.clear();
    this.#changedWhiteBox.clear();
    this.#resetPending = true;
    if (options.runDueWork !== false) this.runDueWork();
  }

  // ---------------------------------------------------------------- change records (durable stores)

  /**
   * Whether takeChanges() has something to return: 'state' when a key or alias changed (or
   * restore() replaced everything), 'audit' when only audit events, the seeded random position or
   * the not yet recorded marker secret would be recorded (reads), undefined when nothing would.
   */
  pendingChanges(): 'state' | 'audit' | undefined {
    if (this.#resetPending || this.#changedKeys.size > 0 || this.#changedAliases.size > 0 || this.#changedWhiteBox.size > 0) return 'state';
    if (this.audit.appended !== this.#auditTaken || this.#random.position !== this.#randomTaken || !this.#markerSecretTaken) return 'audit';
    return undefined;
  }

  /**
   * What changed since the previous take (or since construction, or discardChanges()): keys and
   * aliases created or changed, in full and serialized as in a snapshot; removed ones by id and
   * name; the counters; the audit events appended since. Undefined when nothing changed. A store
   * appends these records to a journal and replays them with applyChanges on top of a snapshot.
   */
  takeChanges(): EngineChanges | undefined {
    if (!this.pendingChanges()) return undefined;
    const reset = this.#resetPending;
    const byRealm = new Map<string, RealmChanges>();
    const realmOf = (realm: Realm): RealmChanges => {
      const k = realmKey(realm.account, realm.region);
      let r = byRealm.get(k);
      if (!r) {
        r = { account: realm.account, region: realm.region, keys: [], removedKeys: [], aliases: [], removedAliases: [] };
        byRealm.set(k, r);
      }
      return r;
    };
    if (reset) {
      for (const state of this.#realms.values()) {
        const r = realmOf(state.realm);
        for (const k of state.keys.values()) r.keys.push(keySnapshot(k));
        for (const a of state.aliases.values()) r.aliases.push(aliasSnapshot(a, state.aliases.seqOf(a.name)!));
      }
    } else {
      for (const key of this.#changedKeys) {
        const r = realmOf(key.realm);
        if (this.#realm(key.realm.account, key.realm.region)?.keys.get(key.id) === key) r.keys.push(keySnapshot(key));
        else r.removedKeys.push(key.id);
      }
      for (const alias of this.#changedAliases) {
        const r = realmOf(alias.realm);
        const aliases = this.#realm(alias.realm.account, alias.realm.region)?.aliases;
        if (aliases?.get(alias.name) === alias) r.aliases.push(aliasSnapshot(alias, aliases.seqOf(alias.name)!));
        else r.removedAliases.push(alias.name);
      }
    }
    const changes: EngineChanges = {
      format: CHANGES_FORMAT,
      version: CHANGES_VERSION,
      ...(reset ? { reset: true } : {}),
      seq: this.#seq,
      ...(reset || !this.#markerSecretTaken ? { markerSecret: toBase64(this.#markerSecret) } : {}),
      random: this.#randomState(),
      realms: [...byRealm.values()],
      audit: (reset ? this.audit.list() : this.audit.since(this.#auditTaken)) as EngineChanges['audit'],
      ...this.#whiteBoxChanges(reset),
    };
    this.discardChanges();
    return changes;
  }

  /** Forgets what changed: the next take starts from here (a store calls it once it has loaded state from disk). */
  discardChanges(): void {
    this.#changedKeys.clear();
    this.#changedAliases.clear();
    this.#changedWhiteBox.clear();
    this.#resetPending = false;
    this.#auditTaken = this.audit.appended;
    this.#randomTaken = this.#random.position;
    this.#markerSecretTaken = true;
  }

  /**
   * Applies one change record from takeChanges (records apply in the order they were taken, on
   * top of the snapshot they follow). Runs no due work and marks nothing as changed. Throws a
   * Validation KmsError for a malformed record or one that does not fit the state (the state may
   * then be partly updated: discard it).
   */
  applyChanges(document: unknown): void {
    const c = parseChanges(document);
    const invalid = (why: string) => new KmsError('Validation', `Invalid change record: ${why}`, { reason: 'changes' });
    if (c.reset) {
      this.#realms.clear();
      this.#due.clear();
      this.audit.clear();
      this.#whiteBox.clear();
    }
    for (const r of c.removedWhiteBoxKeys ?? []) this.#whiteBox.get(realmKey(r.account, r.region))?.delete(r.id);
    for (const w of c.whiteBoxKeys ?? []) this.#putWhiteBox(w);
    for (const r of c.realms) {
      const state = this.#realmFor(r);
      for (const name of r.removedAliases) {
        const alias = state.aliases.get(name);
        if (!alias) continue;
        state.keys.get(alias.keyId)?.aliases.delete(name);
        state.aliases.remove(name);
      }
      for (const id of r.removedKeys) {
        const key = state.keys.get(id);
        if (!key) continue;
        for (const name of key.aliases) state.aliases.remove(name);
        state.keys.remove(id);
      }
      for (const k of inSeqOrder(r.keys)) {
        const existing = state.keys.get(k.id);
        const key = keyFromSnapshot(k, state.realm, existing?.aliases ?? new Set());
        if (existing) {
          if (state.keys.seqOf(k.id) !== k.seq) throw invalid(`key ${k.id} changed its sequence number.`);
          state.keys.replace(k.id, key);
        } else {
          addInOrder(state.keys, k.id, k.seq, key, invalid);
        }
        this.#queueDueWork(key, state.realm);
      }
      for (const a of inSeqOrder(r.aliases)) {
        const key = state.keys.get(a.keyId);
        if (!key) throw invalid(`alias ${a.name} names key ${a.keyId}, which does not exist.`);
        const existing = state.aliases.get(a.name);
        const alias = aliasFromSnapshot(a, state.realm);
        if (existing) {
          if (state.aliases.seqOf(a.name) !== a.seq) throw invalid(`alias ${a.name} changed its sequence number.`);
          state.keys.get(existing.keyId)?.aliases.delete(a.name);
          state.aliases.replace(a.name, alias);
        } else {
          addInOrder(state.aliases, a.name, a.seq, alias, invalid);
        }
        key.aliases.add(a.name);
      }
    }
    this.#seq = c.seq;
    if (c.markerSecret !== undefined) this.#markerSecret = fromBase64(c.markerSecret)!;
    if (c.random.seed !== undefined && c.random.seed === this.seed && c.random.position !== undefined) {
      this.#random = new SeededRandom(c.random.seed, c.random.position);
    }
    for (const e of c.audit) this.audit.append(e as AuditEvent);
  }
}

function bySeq(a: { seq: number }, b: { seq: number }): number {
  return a.seq - b.seq;
}

/** The items by rising sequence number (snapshots list them so already: then no copy is made). */
function inSeqOrder<T extends { seq: number }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) if (items[i]!.seq <= items[i - 1]!.seq) return [...items].sort(bySeq);
  return items;
}

function addInOrder<T, S>(index: OrderedIndex<T, S>, id: string, seq: number, value: T, invalid: (why: string) => Error): void;
function addInOrder<T, S>(index: OrderedIndex<T, S>, id: string, seq: number, source: S, invalid: (why: string) => Error, deferred: true): void;
function addInOrder<T, S>(index: OrderedIndex<T, S>, id: string, seq: number, value: T | S, invalid: (why: string) => Error, deferred?: true): void {
  try {
    if (deferred) index.addDeferred(id, seq, value as S);
    else index.add(id, seq, value as T);
  } catch {
    throw invalid(`${id} is out of sequence.`);
  }
}

/** One key as snapshots and change records hold it. */
function keySnapshot(k: KeyRecord): KeySnapshot {
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
  };
}

function importParametersSnapshot(p: ImportParameterSet): NonNullable<KeySnapshot['importParameters']>[number] {
  return { token: toBase64(p.token), algorithm: p.algorithm, wrappingKeySpec: p.wrappingKeySpec, privateKey: toBase64(p.privateKey), createdAt: p.createdAt, validTo: p.validTo };
}

function importParametersFromSnapshot(p: NonNullable<KeySnapshot['importParameters']>[number]): ImportParameterSet {
  return { token: fromBase64(p.token)!, algorithm: p.algorithm, wrappingKeySpec: p.wrappingKeySpec, privateKey: fromBase64(p.privateKey)!, createdAt: p.createdAt, validTo: p.validTo };
}

/** Whether the key holds its current key material (imported material may have been deleted or expired). */
function hasMaterial(key: KeyRecord): boolean {
  return key.currentMaterialId !== undefined && key.secrets.has(key.currentMaterialId);
}

/** The key record a snapshot entry describes (the inverse of keySnapshot). */
function keyFromSnapshot(k: KeySnapshot | SnapshotKey, realm: Realm, aliases: Set<string>, policyTexts: readonly string[] = []): KeyRecord {
  const secrets = new Map<string, Uint8Array>();
  const materials: KeyMaterialVersion[] = [];
  for (const m of k.materials) {
    if (m.secret !== undefined) secrets.set(m.id, fromBase64(m.secret)!);
    materials.push(m.rotation ? { id: m.id, createdAt: m.createdAt, rotation: m.rotation } : { id: m.id, createdAt: m.createdAt });
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
  return key;
}

function aliasSnapshot(a: AliasRecord, seq: number): AliasSnapshot {
  return { name: a.name, keyId: a.keyId, createdAt: a.createdAt, updatedAt: a.updatedAt, seq };
}

function aliasFromSnapshot(a: AliasSnapshot, realm: Realm): AliasRecord {
  return { name: a.name, realm, keyId: a.keyId, createdAt: a.createdAt, updatedAt: a.updatedAt };
}

function lastAutomaticRotation(key: KeyRecord): number | undefined {
  for (let i = key.materials.length - 1; i >= 0; i--) {
    const r = key.materials[i]!.rotation;
    if (r?.kind === 'AUTOMATIC') return r.at;
  }
  return undefined;
}

function resourceOf(key: KeyInfo): AuditResource {
  return { account: key.realm.account, region: key.realm.region, keyId: key.id };
}

/** System randomness drawn 4 KiB at a time: one getRandomValues call serves many small requests. */
function bufferedSystemRandom(): RandomSource {
  const pool = new Uint8Array(4096);
  let offset = pool.length;
  return {
    fill(out: Uint8Array): Uint8Array {
      if (out.length > 256) return systemRandom.fill(out);
      if (offset + out.length > pool.length) {
        systemRandom.fill(pool);
        offset = 0;
      }
      out.set(pool.subarray(offset, offset + out.length));
      pool.fill(0, offset, offset + out.length);
      offset += out.length;
      return out;
    },
  };
}

/** Chosen symmetric or HMAC material fits its spec (asymmetric material is checked by materialFits). */
function symmetricMaterialFits(spec: KeySpec, material: Uint8Array): boolean {
  if (spec === 'AES_256') return material.length === 32;
  if (spec === 'SM4') return material.length === 16;
  if (!isHmacSpec(spec)) return false;
  const { min, max } = hmacImportLengths(spec);
  return material.length >= min && material.length <= max;
}

function materialMisfit(spec: KeySpec): KmsError {
  return new KmsError('Validation', `The key material does not fit key spec ${spec}.`, { resource: 'key', reason: 'key-material-size', spec });
}

/** The material version id of chosen material: the same key id and material give the same id in every run. */
function chosenMaterialId(keyId: string, material: Uint8Array): string {
  const label = utf8(`kms-emulator/chosen-material\0${keyId}\0`);
  const data = new Uint8Array(label.length + material.length);
  data.set(label);
  data.set(material, label.length);
  return toHex(sha256(data));
}
