/**
 * The engine's one public entry point: a thin facade over the capability modules, which share one
 * EngineState. A request enters through a method here: due work runs once as it enters, and the
 * module reaches its key through access.ts (resolution, authorization, state table, change marks).
 * Methods return read-only views; the records stay inside the engine. Reads that dialects use to
 * render answers and records (findKey, getAlias, ciphertextKey, grantByToken) run nothing and
 * change nothing.
 */

import { parseEnvelope } from '../crypto/envelope.js';
import type { RandomSource } from '../crypto/random.js';
import { admit, authorizeWithoutKey, findKey, reach } from './access.js';
import { createAlias, deleteAlias, getAlias, listAliases, updateAlias, type UpdateAliasOptions } from './aliases.js';
import { decapsulate, decryptAsymmetric, deriveSharedSecret, encapsulate, encryptAsymmetric, generateDataKeyPair, getPublicKey, reEncryptAny, sign, verify } from './asymmetric.js';
import { AUDIT_EVENT_OVERHEAD_BYTES, AUDIT_VALUE_LIMITS, boundedAuditValue, type AuditEvent, type AuditLog, type JsonValue } from './audit.js';
import type { EngineChanges } from './changes.js';
import { isObservableClock, type Clock } from './clock.js';
import type { CreateGrantInput, GrantInfo } from './grant-data.js';
import { createGrant, grantByToken, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './grants.js';
import { type CreateKeyInput, archiveKey, bindResource, cancelArchive, cancelDeletion, createKey, createKeyAsync, describeKey, disableKey, enableKey, listKeys, scheduleDeletion, unbindResource, updateDescription } from './keys.js';
import type { LifecycleOperation } from './lifecycle.js';
import { generateMac, verifyMac } from './mac.js';
import { deleteImportedKeyMaterial, getImportParameters, importKeyMaterial, type ImportInput } from './material.js';
import { type RestoreOptions, applyChanges, discardChanges, pendingChanges, restore, snapshot, takeChanges } from './persistence.js';
import { aliasView, viewOf } from './records.js';
import { replicateKey, updatePrimaryRegion, type ReplicateInput } from './replicas.js';
import { disableRotation, enableRotation, getRotationStatus, listRotations, rotateNow, rotationInProgress } from './rotation.js';
import { runDueWork } from './scheduler.js';
import { provideServiceKey } from './service-keys.js';
import { auditPage } from './audit-query.js';
import { keyLastUsage, recordKeyUse, type KeyUsageInfo } from './usage.js';
import type { EngineSnapshot } from './snapshot.js';
import { EngineState, type EngineOptions } from './state.js';
import { ciphertextKey, decrypt, encrypt, generateDataKey, generateRandom, reEncrypt } from './symmetric.js';
import { decryptVia, encryptVia, generateDataKeyVia, reEncryptVia, type ExternalKeyCipher } from './external-keys.js';
import { getPolicy, listPolicies, listTags, putPolicy, tagKey, untagKey } from './tags-policies.js';
import type {
  AliasInfo,
  AsymmetricEncryption,
  AsymmetricKeySpec,
  CallContext,
  EncapsulationAlgorithm,
  EncryptionContext,
  KeyAgreementAlgorithm,
  KeyInfo,
  KeyMaterialVersion,
  MaterialEntry,
  KeyRef,
  MacAlgorithm,
  Page,
  PageRequest,
  ReservedAliasInfo,
  SigningAlgorithm,
  SignInput,
} from './types.js';

import { ResourceFacade } from './facade-resources.js';

export type { EngineOptions } from './state.js';
export type { CreateKeyInput } from './keys.js';

export class Engine extends ResourceFacade {
  readonly #s: EngineState;
  readonly #stopClock: (() => void) | undefined;

  constructor(options: EngineOptions = {}) {
    super();
    const s = new EngineState(options);
    this.#s = s;
    this.#stopClock = isObservableClock(s.clock) ? s.clock.onAdvance((now) => runDueWork(s, now)) : undefined;
  }

  get clock(): Clock {
    return this.#s.clock;
  }

  get audit(): AuditLog {
    return this.#s.audit;
  }

  get seed(): string | undefined {
    return this.#s.seed;
  }

  /** The random source ids, keys and ciphertexts are drawn from. */
  get random(): RandomSource {
    return this.#s.random;
  }

  /** Stops following the clock (an engine that is no longer used lets go of a shared clock). */
  dispose(): void {
    this.#stopClock?.();
  }

  // ---------------------------------------------------------------- time, ids, due work, audit

  now(): number {
    return this.#s.now();
  }

  newId(): string {
    return this.#s.newId();
  }

  /** Performs every deletion and rotation whose time has come, each at its own due time. */
  runDueWork(now: number = this.#s.now()): void {
    runDueWork(this.#s, now);
  }

  /** Due work, once per request, as it enters. */
  #enter(): EngineState {
    const s = this.#s;
    runDueWork(s);
    return s;
  }

  protected enter(): EngineState {
    return this.#enter();
  }

  protected state(): EngineState {
    return this.#s;
  }

  /** Enters as #enter does; a predefined alias of a service-managed key gets its key on first use (service-keys.ts). */
  #enterWith(ctx: CallContext, ref: KeyRef): EngineState {
    const s = this.#enter();
    provideServiceKey(s, ctx, ref);
    return s;
  }

  /**
   * Appends an API-call audit event; the engine adds the event id and time. `keyUse`: the call
   * succeeded and used its keys for cryptography, so the event becomes their last use (usage.ts).
   */
  recordCall(call: Omit<AuditEvent, 'eventId' | 'time' | 'kind'> & { time?: number; keyUse?: boolean }): AuditEvent {
    // Whatever a request carried, its event stays small, plain JSON that can be written and read back.
    const budget = { bytes: AUDIT_VALUE_LIMITS.maxEventBytes };
    // Members assigned one by one in the order of AuditEvent (no rest and spread of the call: one
    // event per call, kept by the hundred thousand and written to a durable store's journal).
    const full: { -readonly [K in keyof AuditEvent]: AuditEvent[K] } = {
      eventId: this.newId(),
      time: call.time ?? this.now(),
      kind: 'api_call',
    } as AuditEvent;
    if (call.dialect !== undefined) full.dialect = call.dialect;
    full.action = call.action;
    full.realm = call.realm;
    if (call.principal !== undefined) full.principal = call.principal;
    if (call.sourceIp !== undefined) full.sourceIp = call.sourceIp;
    if (call.userAgent !== undefined) full.userAgent = call.userAgent;
    if (call.requestId !== undefined) full.requestId = call.requestId;
    full.readOnly = call.readOnly;
    full.resources = call.resources;
    full.request = boundedAuditValue(call.request, budget);
    full.response = boundedAuditValue(call.response, budget);
    if (call.additional) full.additional = boundedAuditValue(call.additional, budget) as { [key: string]: JsonValue };
    if (call.error !== undefined) full.error = call.error;
    // The bounding walk counted the bytes it kept: the log need not walk the event again.
    this.#s.audit.append(full, AUDIT_EVENT_OVERHEAD_BYTES + AUDIT_VALUE_LIMITS.maxEventBytes - budget.bytes);
    if (call.keyUse === true && full.error === undefined) recordKeyUse(this.#s, full);
    return full;
  }

  /** A page of the audit events `filter` keeps, newest first, its marker bound to `scope` (audit-query.ts); runs due work first. */
  auditPage(scope: string, filter: (event: AuditEvent) => boolean, limit: number, marker?: string): Page<AuditEvent> {
    return auditPage(this.#enter(), scope, filter, limit, marker);
  }

  // ---------------------------------------------------------------- reads for rendering

  /** The key `ref` names as the caller sees it, or undefined; no state check, nothing runs or changes. */
  findKey(ctx: CallContext, ref: KeyRef): KeyInfo | undefined {
    const key = findKey(this.#s, ctx, ref);
    return key ? viewOf(key) : undefined;
  }

  getAlias(ctx: CallContext, name: string): AliasInfo | undefined {
    return getAlias(this.#s, ctx, name);
  }

  /** The aliases of a key (one the caller has been shown), oldest first. */
  aliasesOf(key: KeyInfo): AliasInfo[] {
    const realm = this.#s.realm(key.realm.account, key.realm.region);
    const record = realm?.keys.get(key.id);
    if (!realm || !record) return [];
    return [...record.aliases]
      .map((name) => realm.aliases.get(name)!)
      .sort((a, b) => realm.aliases.seqOf(a.name)! - realm.aliases.seqOf(b.name)!)
      .map(aliasView);
  }

  /** The key a ciphertext names, if it is a well-formed envelope of a key in the caller's realm (for records). */
  ciphertextKey(ctx: CallContext, ciphertext: Uint8Array): KeyInfo | undefined {
    return ciphertextKey(this.#s, ctx, ciphertext);
  }

  /**
   * The parts of a symmetric envelope — its header, nonce and sealed text — for a dialect that shows
   * ciphertexts in its provider's outward form, and the key material version it names; undefined
   * for anything that is not an envelope. The engine's format stays the engine's.
   */
  envelopeParts(ciphertext: Uint8Array): { header: Uint8Array; nonce: Uint8Array; sealed: Uint8Array; materialId: string } | undefined {
    const parsed = parseEnvelope(ciphertext, this.#s.caches);
    return parsed ? { header: parsed.headerBytes, nonce: parsed.nonce, sealed: parsed.sealed, materialId: parsed.materialId } : undefined;
  }

  /** Whether `ciphertext` has the form of a symmetric envelope (a raw public-key ciphertext does not). */
  isEnvelope(ciphertext: Uint8Array): boolean {
    return parseEnvelope(ciphertext, this.#s.caches) !== undefined;
  }

  /** The grant a token names, if it exists in the caller's region. */
  grantByToken(ctx: CallContext, token: string): GrantInfo | undefined {
    return grantByToken(this.#s, ctx, token);
  }

  /** Whether an on-demand rotation of the key started within the last second. */
  rotationInProgress(key: KeyInfo): boolean {
    return rotationInProgress(this.#s, key);
  }

  /** Checks that `ref` names a key the caller may use for `operation` in its state, without doing it (dry runs). */
  assertUsable(ctx: CallContext, ref: KeyRef, operation: LifecycleOperation): KeyInfo {
    const s = this.#enter();
    const key = reach(s, ctx, ref, operation);
    admit(s, { ...ctx, dryRun: true }, key, operation);
    return viewOf(key);
  }

  // ---------------------------------------------------------------- keys and their lifecycle

  createKey(ctx: CallContext, input: CreateKeyInput): KeyInfo {
    return createKey(this.#enter(), ctx, input);
  }

  createKeyAsync(ctx: CallContext, input: CreateKeyInput): Promise<KeyInfo> {
    return createKeyAsync(this.#enter(), ctx, input);
  }

  describeKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    return describeKey(this.#enterWith(ctx, ref), ctx, ref);
  }

  listKeys(ctx: CallContext, page: PageRequest): Page<KeyInfo> {
    return listKeys(this.#enter(), ctx, page);
  }

  updateDescription(ctx: CallContext, ref: KeyRef, description: string): KeyInfo {
    return updateDescription(this.#enter(), ctx, ref, description);
  }

  enableKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    return enableKey(this.#enter(), ctx, ref);
  }

  disableKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    return disableKey(this.#enter(), ctx, ref);
  }

  scheduleDeletion(ctx: CallContext, ref: KeyRef, pendingWindowDays: number): KeyInfo {
    return scheduleDeletion(this.#enter(), ctx, ref, pendingWindowDays);
  }

  cancelDeletion(ctx: CallContext, ref: KeyRef): KeyInfo {
    return cancelDeletion(this.#enter(), ctx, ref);
  }

  archiveKey(ctx: CallContext, ref: KeyRef): KeyInfo {
    return archiveKey(this.#enter(), ctx, ref);
  }

  cancelArchive(ctx: CallContext, ref: KeyRef): KeyInfo {
    return cancelArchive(this.#enter(), ctx, ref);
  }

  bindResource(ctx: CallContext, ref: KeyRef, product: string, resource: string): KeyInfo {
    return bindResource(this.#enter(), ctx, ref, product, resource);
  }

  unbindResource(ctx: CallContext, ref: KeyRef, product: string, resource: string): KeyInfo {
    return unbindResource(this.#enter(), ctx, ref, product, resource);
  }

  // ---------------------------------------------------------------- imported key material

  getImportParameters(ctx: CallContext, ref: KeyRef, input: Parameters<typeof getImportParameters>[3]): ReturnType<typeof getImportParameters> {
    return getImportParameters(this.#enter(), ctx, ref, input);
  }

  async importKeyMaterial(ctx: CallContext, ref: KeyRef, input: ImportInput): Promise<KeyInfo> {
    return (await importKeyMaterial(this.#enter(), ctx, ref, input)).key;
  }

  /** As importKeyMaterial, with the material version the import made or filled. */
  importKeyMaterialVersion(ctx: CallContext, ref: KeyRef, input: ImportInput): Promise<{ key: KeyInfo; material: KeyMaterialVersion }> {
    return importKeyMaterial(this.#enter(), ctx, ref, input);
  }

  deleteImportedKeyMaterial(ctx: CallContext, ref: KeyRef, materialId?: string): KeyInfo {
    return deleteImportedKeyMaterial(this.#enter(), ctx, ref, materialId);
  }

  // ---------------------------------------------------------------- multi-Region keys (replicas.ts)

  /** Makes a replica of a multi-Region primary key in another region of the caller's account. */
  replicateKey(ctx: CallContext, ref: KeyRef, input: ReplicateInput): { primary: KeyInfo; replica: KeyInfo } {
    return replicateKey(this.#enter(), ctx, ref, input);
  }

  /** Makes the multi-Region family's member in `region` its primary. */
  updatePrimaryRegion(ctx: CallContext, ref: KeyRef, region: string, settleMs?: number): { primary: KeyInfo; newPrimary: KeyInfo } {
    return updatePrimaryRegion(this.#enter(), ctx, ref, region, settleMs);
  }

  // ---------------------------------------------------------------- symmetric cryptography

  encrypt(ctx: CallContext, ref: KeyRef, plaintext: Uint8Array, context?: EncryptionContext): { key: KeyInfo; materialId: string; ciphertext: Uint8Array } {
    return encrypt(this.#enterWith(ctx, ref), ctx, ref, plaintext, context);
  }

  generateDataKey(ctx: CallContext, ref: KeyRef, numberOfBytes: number, context?: EncryptionContext): { key: KeyInfo; materialId: string; plaintext: Uint8Array; ciphertext: Uint8Array } {
    return generateDataKey(this.#enterWith(ctx, ref), ctx, ref, numberOfBytes, context);
  }

  decrypt(ctx: CallContext, ciphertext: Uint8Array, context?: EncryptionContext, expected?: KeyRef): { key: KeyInfo; materialId: string; plaintext: Uint8Array } {
    return decrypt(this.#enter(), ctx, ciphertext, context, expected);
  }

  reEncrypt(ctx: CallContext, input: Parameters<typeof reEncrypt>[2]): ReturnType<typeof reEncrypt> {
    return reEncrypt(this.#enter(), ctx, input);
  }

  // Any symmetric key, a key of an external store included: its ciphertexts also pass through
  // `cipher`, the store's external key manager (external-keys.ts); the answer then is a promise.
  encryptVia(ctx: CallContext, ref: KeyRef, plaintext: Uint8Array, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): ReturnType<typeof encryptVia> {
    return encryptVia(this.#enterWith(ctx, ref), ctx, ref, plaintext, context, cipher);
  }
  generateDataKeyVia(ctx: CallContext, ref: KeyRef, numberOfBytes: number, context: EncryptionContext | undefined, cipher: ExternalKeyCipher): ReturnType<typeof generateDataKeyVia> {
    return generateDataKeyVia(this.#enterWith(ctx, ref), ctx, ref, numberOfBytes, context, cipher);
  }
  decryptVia(ctx: CallContext, ciphertext: Uint8Array, context: EncryptionContext | undefined, expected: KeyRef | undefined, cipher: ExternalKeyCipher): ReturnType<typeof decryptVia> {
    return decryptVia(this.#enter(), ctx, ciphertext, context, expected, cipher);
  }
  reEncryptVia(ctx: CallContext, input: Parameters<typeof reEncrypt>[2], cipher: ExternalKeyCipher): ReturnType<typeof reEncryptVia> {
    return reEncryptVia(this.#enter(), ctx, input, cipher);
  }

  /** Random bytes; `ctx`, when given, is authorized first (a call that reaches no key). */
  generateRandom(numberOfBytes: number, ctx?: CallContext): Uint8Array {
    if (ctx !== undefined) authorizeWithoutKey(ctx, 'generateRandom');
    return generateRandom(this.#s, numberOfBytes);
  }

  // ---------------------------------------------------------------- asymmetric and HMAC cryptography

  getPublicKey(ctx: CallContext, ref: KeyRef): Promise<{ key: KeyInfo; publicKey: Uint8Array }> {
    return getPublicKey(this.#enter(), ctx, ref);
  }

  sign(ctx: CallContext, ref: KeyRef, request: { algorithm: SigningAlgorithm; input: SignInput; message: Uint8Array }): Promise<{ key: KeyInfo; signature: Uint8Array }> {
    return sign(this.#enter(), ctx, ref, request);
  }

  verify(ctx: CallContext, ref: KeyRef, request: { algorithm: SigningAlgorithm; input: SignInput; message: Uint8Array; signature: Uint8Array }): Promise<{ key: KeyInfo }> {
    return verify(this.#enter(), ctx, ref, request);
  }

  encryptAsymmetric(ctx: CallContext, ref: KeyRef, algorithm: AsymmetricEncryption, plaintext: Uint8Array, context?: EncryptionContext): Promise<{ key: KeyInfo; ciphertext: Uint8Array }> {
    return encryptAsymmetric(this.#enter(), ctx, ref, algorithm, plaintext, context);
  }

  decryptAsymmetric(ctx: CallContext, ref: KeyRef, ciphertext: Uint8Array, algorithm: AsymmetricEncryption | undefined, context?: EncryptionContext): Promise<{ key: KeyInfo; plaintext: Uint8Array }> {
    return decryptAsymmetric(this.#enter(), ctx, ref, ciphertext, algorithm, context);
  }

  reEncryptAny(ctx: CallContext, input: Parameters<typeof reEncryptAny>[2], cipher?: ExternalKeyCipher): ReturnType<typeof reEncryptAny> {
    return reEncryptAny(this.#enter(), ctx, input, cipher);
  }

  generateDataKeyPair(ctx: CallContext, ref: KeyRef, pairSpec: AsymmetricKeySpec, context?: EncryptionContext, operation = 'GenerateDataKeyPair', cipher?: ExternalKeyCipher): ReturnType<typeof generateDataKeyPair> {
    return generateDataKeyPair(this.#enter(), ctx, ref, pairSpec, context, operation, cipher);
  }

  deriveSharedSecret(ctx: CallContext, ref: KeyRef, algorithm: KeyAgreementAlgorithm, peerPublicKey: Uint8Array): Promise<{ key: KeyInfo; sharedSecret: Uint8Array }> {
    return deriveSharedSecret(this.#enter(), ctx, ref, algorithm, peerPublicKey);
  }

  generateMac(ctx: CallContext, ref: KeyRef, algorithm: MacAlgorithm, message: Uint8Array): { key: KeyInfo; mac: Uint8Array } {
    return generateMac(this.#enter(), ctx, ref, algorithm, message);
  }

  verifyMac(ctx: CallContext, ref: KeyRef, algorithm: MacAlgorithm, message: Uint8Array, tag: Uint8Array): { key: KeyInfo } {
    return verifyMac(this.#enter(), ctx, ref, algorithm, message, tag);
  }

  encapsulate(ctx: CallContext, ref: KeyRef, algorithm: EncapsulationAlgorithm): Promise<{ key: KeyInfo; ciphertext: Uint8Array; sharedSecret: Uint8Array }> {
    return encapsulate(this.#enter(), ctx, ref, algorithm);
  }

  decapsulate(ctx: CallContext, ref: KeyRef, algorithm: EncapsulationAlgorithm, ciphertext: Uint8Array): Promise<{ key: KeyInfo; sharedSecret: Uint8Array }> {
    return decapsulate(this.#enter(), ctx, ref, algorithm, ciphertext);
  }

  // ---------------------------------------------------------------- aliases, tags, policies

  createAlias(ctx: CallContext, name: string, target: KeyRef): AliasInfo {
    return createAlias(this.#enter(), ctx, name, target);
  }

  updateAlias(ctx: CallContext, name: string, target: KeyRef, options?: UpdateAliasOptions): AliasInfo {
    return updateAlias(this.#enter(), ctx, name, target, options);
  }

  deleteAlias(ctx: CallContext, name: string): AliasInfo {
    return deleteAlias(this.#enter(), ctx, name);
  }

  listAliases(ctx: CallContext, page: PageRequest, key?: KeyRef): Page<AliasInfo | ReservedAliasInfo> {
    return listAliases(this.#enter(), ctx, page, key);
  }

  tagKey(ctx: CallContext, ref: KeyRef, tags: ReadonlyArray<readonly [string, string]>): KeyInfo {
    return tagKey(this.#enter(), ctx, ref, tags);
  }

  untagKey(ctx: CallContext, ref: KeyRef, tagKeys: readonly string[]): KeyInfo {
    return untagKey(this.#enter(), ctx, ref, tagKeys);
  }

  listTags(ctx: CallContext, ref: KeyRef, page: PageRequest): Page<readonly [string, string]> {
    return listTags(this.#enter(), ctx, ref, page);
  }

  getPolicy(ctx: CallContext, ref: KeyRef, name: string): { key: KeyInfo; policy: string } {
    return getPolicy(this.#enter(), ctx, ref, name);
  }

  putPolicy(ctx: CallContext, ref: KeyRef, name: string, policy: string): KeyInfo {
    return putPolicy(this.#enter(), ctx, ref, name, policy);
  }

  listPolicies(ctx: CallContext, ref: KeyRef, page: PageRequest): Page<string> {
    return listPolicies(this.#enter(), ctx, ref, page);
  }

  // ---------------------------------------------------------------- rotation

  enableRotation(ctx: CallContext, ref: KeyRef, periodDays: number): KeyInfo {
    return enableRotation(this.#enter(), ctx, ref, periodDays);
  }

  disableRotation(ctx: CallContext, ref: KeyRef): KeyInfo {
    return disableRotation(this.#enter(), ctx, ref);
  }

  getRotationStatus(ctx: CallContext, ref: KeyRef): KeyInfo {
    return getRotationStatus(this.#enter(), ctx, ref);
  }

  /** The key's last successful cryptographic use and from when uses are tracked. */
  keyLastUsage(ctx: CallContext, ref: KeyRef): KeyUsageInfo {
    return keyLastUsage(this.#enter(), ctx, ref);
  }

  rotateNow(ctx: CallContext, ref: KeyRef, options: { limit: number; automaticRotationGuardMs?: number; importedMaterial?: boolean }): { key: KeyInfo; material: KeyMaterialVersion } {
    return rotateNow(this.#enter(), ctx, ref, options);
  }

  listRotations(ctx: CallContext, ref: KeyRef, page: PageRequest, includeAllMaterial = false): Page<MaterialEntry> {
    return listRotations(this.#enter(), ctx, ref, page, includeAllMaterial);
  }

  // ---------------------------------------------------------------- grants

  createGrant(ctx: CallContext, ref: KeyRef, input: CreateGrantInput): { key: KeyInfo; grant: GrantInfo } {
    return createGrant(this.#enter(), ctx, ref, input);
  }

  listGrants(ctx: CallContext, ref: KeyRef, page: PageRequest, filter: { grantId?: string; granteePrincipal?: string } = {}): { key: KeyInfo; page: Page<GrantInfo> } {
    return listGrants(this.#enter(), ctx, ref, page, filter);
  }

  listRetirableGrants(ctx: CallContext, retiringPrincipal: string, page: PageRequest): Page<GrantInfo> {
    return listRetirableGrants(this.#enter(), ctx, retiringPrincipal, page);
  }

  retireGrant(ctx: CallContext, by: { token: string } | { keyRef: KeyRef; grantId: string }): GrantInfo {
    return retireGrant(this.#enter(), ctx, by);
  }

  revokeGrant(ctx: CallContext, ref: KeyRef, grantId: string): GrantInfo {
    return revokeGrant(this.#enter(), ctx, ref, grantId);
  }

  // ---------------------------------------------------------------- snapshot, restore, change records

  /** The whole state as a versioned JSON document (key material included: treat it as a secret). */
  snapshot(): EngineSnapshot {
    return snapshot(this.#s);
  }

  /** Replaces the whole state with a snapshot's (see persistence.ts for the options). */
  restore(document: unknown, options: RestoreOptions = {}): void {
    restore(this.#s, document, options);
  }

  /** 'state' when a key, alias, white-box key or hosted data key changed; 'audit' when only events or counters would be recorded. */
  pendingChanges(): 'state' | 'audit' | undefined {
    return pendingChanges(this.#s);
  }

  /** What changed since the previous take, as a change record (undefined when nothing did). */
  takeChanges(): EngineChanges | undefined {
    return takeChanges(this.#s);
  }

  /** Forgets what changed: the next take starts from here. */
  discardChanges(): void {
    discardChanges(this.#s);
  }

  /** Applies one change record from takeChanges, on top of the snapshot it follows. */
  applyChanges(document: unknown): void {
    applyChanges(this.#s, document);
  }
}
