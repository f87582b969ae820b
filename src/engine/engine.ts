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
import { fromBase64, toBase64, toHex, utf8 } from '../crypto/bytes.js';
import { randomBytes, randomUuid, SeededRandom, systemRandom, type RandomSource } from '../crypto/random.js';
import { AuditLog, ServiceEvent, type AuditEvent, type AuditResource } from './audit.js';
import { DAY_MS, isObservableClock, systemClock, type Clock } from './clock.js';
import { KmsError } from './errors.js';
import { assertLifecycle, type LifecycleOperation } from './lifecycle.js';
import { OrderedIndex } from './ordered.js';
import { DueQueue, type DueTask } from './schedule.js';
import { parseSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type EngineSnapshot, type KeySnapshot } from './snapshot.js';
import type {
  AliasInfo,
  CallContext,
  EncryptionContext,
  KeyInfo,
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
} from './types.js';

export interface EngineOptions {
  clock?: Clock;
  /** A seed makes every id, key and ciphertext reproducible. */
  seed?: string;
  /** A custom random source (overrides `seed`). */
  random?: RandomSource;
  /** How many audit events are retained (oldest dropped first). Default 100,000. */
  auditLimit?: number;
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
}

interface AliasRecord extends AliasInfo {
  keyId: string;
  updatedAt: number;
}

interface RealmState {
  readonly realm: Realm;
  readonly keys: OrderedIndex<KeyRecord>;
  readonly aliases: OrderedIndex<AliasRecord>;
}

const MAX_MATERIAL_VERSIONS = 1 + 25 + 2560;
/** An on-demand rotation counts as in progress for this long after it starts. */
const ROTATION_IN_PROGRESS_MS = 1000;

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

  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.seed = options.seed;
    this.#random = options.random ?? (options.seed !== undefined ? new SeededRandom(options.seed) : bufferedSystemRandom());
    this.audit = new AuditLog(options.auditLimit);
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
        }
      }
    } finally {
      this.#runningDue = false;
    }
  }

  /** Appends an API-call audit event; the engine adds the event id and time. */
  recordCall(event: Omit<AuditEvent, 'eventId' | 'time' | 'kind'> & { time?: number }): AuditEvent {
    const full: AuditEvent = { eventId: this.newId(), time: event.time ?? this.now(), kind: 'api_call', ...event };
    this.audit.append(full);
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
    if ('keyId' in ref) return this.#keyById(ctx.realm, ref.keyId);
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
    assertLifecycle(operation, key);
    return key;
  }

  /** Checks that `ref` names a key whose state allows `operation`, without doing it (dry runs). */
  assertUsable(ctx: CallContext, ref: KeyRef, operation: LifecycleOperation): KeyInfo {
    return this.#use(ctx, ref, operation);
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

  createKey(ctx: CallContext, input: CreateKeyInput): KeyInfo {
    this.runDueWork();
    if (input.spec !== 'AES_256') {
      throw new KmsError('Unsupported', `Key spec ${input.spec} is not supported.`, { reason: 'key-spec', spec: input.spec });
    }
    if (input.usage !== 'ENCRYPT_DECRYPT') {
      throw new KmsError('Validation', `Key usage ${input.usage} is not compatible with key spec ${input.spec}.`, {
        reason: 'usage-spec',
        spec: input.spec,
        usage: input.usage,
      });
    }
    // Ciphertext headers carry the account and region in at most 255 bytes each.
    for (const [field, value] of [['account', ctx.realm.account], ['region', ctx.realm.region]] as const) {
      const size = utf8(value).length;
      if (size < 1 || size > 255) {
        throw new KmsError('Validation', `The ${field} name must be 1 to 255 bytes long.`, { reason: 'realm-name', field });
      }
    }
    const realm = this.#realmFor(ctx.realm);
    const now = this.now();
    const key: KeyRecord = {
      seq: ++this.#seq,
      id: this.newId(),
      realm: realm.realm,
      spec: input.spec,
      usage: input.usage,
      origin: input.origin,
      manager: input.manager ?? 'CUSTOMER',
      description: input.description ?? '',
      state: input.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
      createdAt: now,
      multiRegion: input.multiRegion ?? false,
      materials: [],
      rotation: { enabled: false, periodDays: 365, onDemandCount: 0 },
      tags: new Map(input.tags ?? []),
      policies: new Map(input.policies ?? []),
      aliases: new Set(),
      secrets: new Map(),
    };
    if (input.origin === 'GENERATED') this.#addMaterial(key, now, undefined);
    realm.keys.add(key.id, key.seq, key);
    return key;
  }

  #addMaterial(key: KeyRecord, at: number, rotation: { kind: RotationKind; at: number } | undefined): KeyMaterialVersion {
    const version: KeyMaterialVersion = { id: toHex(randomBytes(this.#random, 32)), createdAt: at, ...(rotation ? { rotation } : {}) };
    key.secrets.set(version.id, randomBytes(this.#random, 32));
    key.materials.push(version);
    key.currentMaterialId = version.id;
    return version;
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
    key.state = 'Disabled';
    return key;
  }

  scheduleDeletion(ctx: CallContext, ref: KeyRef, pendingWindowDays: number): KeyInfo {
    const key = this.#use(ctx, ref, 'scheduleDeletion');
    const deletionDate = this.now() + pendingWindowDays * DAY_MS;
    key.state = 'PendingDeletion';
    key.deletionDate = deletionDate;
    key.pendingWindowDays = pendingWindowDays;
    this.#due.push({ due: deletionDate, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'delete' });
    return key;
  }

  cancelDeletion(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#use(ctx, ref, 'cancelDeletion');
    // A key without key material (imported material never imported) goes back to waiting for it.
    key.state = key.currentMaterialId === undefined ? 'PendingImport' : 'Disabled';
    delete key.deletionDate;
    delete key.pendingWindowDays;
    return key;
  }

  #deleteKeyNow(key: KeyRecord, at: number): void {
    const realm = this.#realm(key.realm.account, key.realm.region)!;
    for (const alias of key.aliases) realm.aliases.remove(alias);
    realm.keys.remove(key.id);
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

  #requireSymmetric(key: KeyRecord, operation: string): void {
    if (key.usage !== 'ENCRYPT_DECRYPT' || key.spec !== 'AES_256') {
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
      { algorithm: EnvelopeAlgorithm.AES_256_GCM, account: key.realm.account, region: key.realm.region, keyId: key.id, materialId },
      key.secrets.get(materialId)!,
      randomBytes(this.#random, GCM_NONCE_BYTES),
      plaintext,
      context,
    );
    return { ciphertext, materialId };
  }

  encrypt(ctx: CallContext, ref: KeyRef, plaintext: Uint8Array, context?: EncryptionContext): { key: KeyInfo; materialId: string; ciphertext: Uint8Array } {
    const key = this.#use(ctx, ref, 'encrypt');
    this.#requireSymmetric(key, 'Encrypt');
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
    const plaintext = randomBytes(this.#random, numberOfBytes);
    return { key, plaintext, ...this.#seal(key, plaintext, context) };
  }

  /** Reads the envelope and finds its key, without opening it. */
  #envelopeKey(ctx: CallContext, ciphertext: Uint8Array): { parsed: ParsedEnvelope; key: KeyRecord } {
    this.runDueWork();
    const parsed = parseEnvelope(ciphertext);
    if (!parsed) throw new KmsError('InvalidCiphertext', 'The ciphertext is invalid.', { resource: 'ciphertext' });
    const inRealm = parsed.account === ctx.realm.account && parsed.region === ctx.realm.region;
    const key = inRealm ? this.#realm(parsed.account, parsed.region)?.keys.get(parsed.keyId) : undefined;
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
    const plaintext = secret ? openEnvelope(parsed, secret, context) : undefined;
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
    assertLifecycle('decrypt', key);
    this.#requireSymmetric(key, 'Decrypt');
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
    assertLifecycle('reEncryptFrom', source);
    this.#requireSymmetric(source, 'ReEncryptFrom');
    const destination = this.#use(ctx, input.destinationKey, 'reEncryptTo');
    this.#requireSymmetric(destination, 'ReEncryptTo');
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
    return alias;
  }

  deleteAlias(ctx: CallContext, name: string): AliasInfo {
    this.runDueWork();
    const { realm, alias } = this.#aliasByName(ctx, name);
    const key = realm.keys.get(alias.keyId);
    if (key) assertLifecycle('deleteAlias', key);
    key?.aliases.delete(name);
    realm.aliases.remove(name);
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
    if (key.spec !== 'AES_256' || key.origin !== 'GENERATED') {
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
    assertLifecycle('enableRotation', key);
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
    assertLifecycle('disableRotation', key);
    key.rotation.enabled = false;
    delete key.rotation.nextRotation;
    delete key.rotation.enabledAt;
    return key;
  }

  getRotationStatus(ctx: CallContext, ref: KeyRef): KeyInfo {
    const key = this.#resolve(ctx, ref);
    this.#requireRotatable(key);
    assertLifecycle('getRotationStatus', key);
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
    assertLifecycle('rotateNow', key);
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
    assertLifecycle('listRotations', key);
    const versions = key.materials
      .filter((m) => includeAllMaterial || m.rotation)
      .map((m) => ({ ...m, current: m.id === key.currentMaterialId }));
    return this.#pageArray(`rotations|${key.id}|${includeAllMaterial}`, versions, page);
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
    for (const realm of this.#realms.values()) {
      const keys: KeySnapshot[] = [];
      for (const k of realm.keys.values()) {
        keys.push({
          seq: k.seq,
          id: k.id,
          spec: k.spec,
          usage: k.usage,
          origin: k.origin,
          manager: k.manager,
          description: k.description,
          state: k.state,
          createdAt: k.createdAt,
          ...(k.deletionDate !== undefined ? { deletionDate: k.deletionDate } : {}),
          ...(k.pendingWindowDays !== undefined ? { pendingWindowDays: k.pendingWindowDays } : {}),
          multiRegion: k.multiRegion,
          ...(k.currentMaterialId !== undefined ? { currentMaterialId: k.currentMaterialId } : {}),
          materials: k.materials.map((m) => ({ ...m, secret: toBase64(k.secrets.get(m.id)!) })),
          rotation: { ...k.rotation },
          tags: [...k.tags],
          policies: [...k.policies],
        });
      }
      const aliases = [...realm.aliases.values()].map((a) => ({
        name: a.name,
        keyId: a.keyId,
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
        seq: realm.aliases.seqOf(a.name)!,
      }));
      realms.push({ account: realm.realm.account, region: realm.realm.region, keys, aliases });
    }
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      takenAt: this.now(),
      seq: this.#seq,
      markerSecret: toBase64(this.#markerSecret),
      random: { ...(this.seed !== undefined ? { seed: this.seed } : {}), ...(this.#random.position !== undefined ? { position: this.#random.position } : {}) },
      realms,
      audit: this.audit.list() as EngineSnapshot['audit'],
    };
  }

  /** Replaces the whole state with a snapshot's. Throws a Validation KmsError for a malformed document. */
  restore(document: unknown): void {
    const doc = parseSnapshot(document);
    const realms = new Map<string, RealmState>();
    const due: DueTask[] = [];
    for (const r of doc.realms) {
      const state: RealmState = { realm: { account: r.account, region: r.region }, keys: new OrderedIndex(), aliases: new OrderedIndex() };
      for (const k of [...r.keys].sort((a, b) => a.seq - b.seq)) {
        const secrets = new Map<string, Uint8Array>();
        const materials: KeyMaterialVersion[] = k.materials.map(({ secret, ...m }) => {
          secrets.set(m.id, fromBase64(secret)!);
          return m;
        });
        const key: KeyRecord = {
          ...k,
          realm: state.realm,
          materials,
          rotation: { ...k.rotation },
          tags: new Map(k.tags),
          policies: new Map(k.policies),
          aliases: new Set(),
          secrets,
        };
        state.keys.add(key.id, key.seq, key);
        if (key.state === 'PendingDeletion' && key.deletionDate !== undefined) {
          due.push({ due: key.deletionDate, keyId: key.id, account: r.account, region: r.region, kind: 'delete' });
        }
        if (key.rotation.enabled && key.rotation.nextRotation !== undefined) {
          due.push({ due: key.rotation.nextRotation, keyId: key.id, account: r.account, region: r.region, kind: 'rotate' });
        }
      }
      for (const a of [...r.aliases].sort((x, y) => x.seq - y.seq)) {
        const key = state.keys.get(a.keyId);
        if (!key) throw new KmsError('Validation', `Snapshot alias ${a.name} names a key that is not in the snapshot.`, { reason: 'snapshot' });
        state.aliases.add(a.name, a.seq, { name: a.name, realm: state.realm, keyId: a.keyId, createdAt: a.createdAt, updatedAt: a.updatedAt });
        key.aliases.add(a.name);
      }
      realms.set(realmKey(r.account, r.region), state);
    }
    this.#realms.clear();
    for (const [k, v] of realms) this.#realms.set(k, v);
    this.#due.clear();
    for (const task of due) this.#due.push(task);
    this.#seq = doc.seq;
    this.#markerSecret = fromBase64(doc.markerSecret)!;
    if (doc.random.seed !== undefined && doc.random.seed === this.seed && doc.random.position !== undefined) {
      this.#random = new SeededRandom(doc.random.seed, doc.random.position);
    }
    this.audit.clear();
    for (const e of doc.audit) this.audit.append(e as AuditEvent);
    this.runDueWork();
  }
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
