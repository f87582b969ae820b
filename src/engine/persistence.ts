/** Persistence: the whole state as a snapshot and back, and change records for durable stores. */

import { fromBase64, toBase64 } from '../crypto/bytes.js';
import { SeededRandom } from '../crypto/random.js';
import type { AuditEvent, DeferredAudit } from './audit.js';
import { CHANGES_FORMAT, CHANGES_VERSION, parseChanges, type EngineChanges, type RealmChanges } from './changes.js';
import { KmsError } from './errors.js';
import type { OrderedIndex } from './ordered.js';
import { OrderedIndex as Index } from './ordered.js';
import {
  aliasFromSnapshot,
  aliasSnapshot,
  keyFromSnapshot,
  keySnapshot,
  realmKey,
  type DueFields,
  type RealmState,
} from './records.js';
import { hasDueWork, queueDueWork, runDueWork } from './scheduler.js';
import { keyUseEntry, setKeyUse } from './usage.js';
import { parseSnapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type AliasSnapshot, type DeferredKeys, type EngineSnapshot, type SnapshotKey } from './snapshot.js';
import type { EngineState } from './state.js';
import type { Realm } from './types.js';
import { putWhiteBox, whiteBoxChanges, whiteBoxSnapshots } from './white-box.js';
import { dataKeyChanges, dataKeySnapshots, putDataKey, removeDataKey } from './data-keys.js';
import { putStandalonePolicy, removeStandalonePolicy, standalonePolicyChanges, standalonePolicySnapshots } from './standalone-policies.js';
import { keyStoreChanges, keyStoreSnapshots, putKeyStore, removeKeyStore } from './key-stores.js';
import { accessPointChanges, accessPointSnapshots, putAccessPoint, removeAccessPoint } from './access-points.js';

/** The whole state as a versioned JSON document (key material included: treat it as a secret). */
export function snapshot(s: EngineState): EngineSnapshot {
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
  for (const realm of s.realms.values()) {
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
    takenAt: s.now(),
    seq: s.seq,
    markerSecret: toBase64(s.markerSecret),
    random: randomState(s),
    realms,
    policyTexts,
    ...(s.whiteBox.size > 0 ? { whiteBoxKeys: whiteBoxSnapshots(s) } : {}),
    ...(s.dataKeys.size > 0 ? { dataKeys: dataKeySnapshots(s) } : {}),
    ...(s.standalonePolicies.size > 0 ? { standalonePolicies: standalonePolicySnapshots(s) } : {}),
    ...(s.keyStores.size > 0 ? { keyStores: keyStoreSnapshots(s) } : {}),
    ...(s.accessPoints.size > 0 ? { accessPoints: accessPointSnapshots(s) } : {}),
    audit: s.audit.list() as EngineSnapshot['audit'],
  };
}

function randomState(s: EngineState): EngineSnapshot['random'] {
  return { ...(s.seed !== undefined ? { seed: s.seed } : {}), ...(s.random.position !== undefined ? { position: s.random.position } : {}) };
}

export interface RestoreOptions {
  runDueWork?: boolean;
  intact?: boolean;
  audit?: DeferredAudit;
  keys?: readonly DeferredKeys[];
}

/**
 * Replaces the whole state with a snapshot's. Throws a Validation KmsError for a malformed document.
 * Due work (deletions and rotations whose time has passed) runs at once unless `runDueWork` is
 * false (a store that replays a journal on top runs it afterwards). `intact` skips the schema
 * check for a document known to come unchanged from snapshot() (see parseSnapshot). `audit`
 * stands in for the events of an intact document's empty `audit`: their sizes now, the events
 * themselves read on first use (see AuditLog.restoreDeferred). The keys of an intact document
 * are built from their entries when first read, so the document must not change afterwards.
 * `keys` (one per realm of the document, whose key lists are then empty) stand in for the keys
 * of an intact document the same way, each entry read only when its key is first needed.
 */
export function restore(s: EngineState, document: unknown, options: RestoreOptions = {}): void {
  const intact = options.intact === true;
  const doc = parseSnapshot(document, { intact });
  const invalid = (why: string) => new KmsError('Validation', `Invalid snapshot: ${why}`, { reason: 'snapshot' });
  if (options.audit && (!intact || doc.audit.length > 0)) throw invalid("deferred audit events stand in for an intact document's empty audit list.");
  if (options.keys && (!intact || options.keys.length !== doc.realms.length || doc.realms.some((r) => r.keys.length > 0))) {
    throw invalid("deferred keys stand in for the empty key lists of an intact document's realms, one for each.");
  }
  const realms = new Map<string, RealmState>();
  const due: Array<[DueFields, Realm]> = [];
  // Keys of documents written before uses were recorded: tracking starts now.
  const restoredAt = s.now();
  doc.realms.forEach((r, index) => {
    const realm = { account: r.account, region: r.region };
    const policyTexts = doc.policyTexts;
    const deferred = options.keys?.[index];
    const make = (k: SnapshotKey | number) => keyFromSnapshot(typeof k === 'number' ? deferred!.entry(k) : k, realm, new Set(), policyTexts, restoredAt);
    // Only an index with keys to make holds `make` (and through it, a store's file bytes).
    const deferring = intact && (deferred?.ids.length ?? 0) + r.keys.length > 0;
    const state: RealmState = { realm, keys: new Index(deferring ? make : undefined), aliases: new Index() };
    // A key no call needs is never built: start-up with many keys answers sooner.
    if (deferred) {
      for (let i = 0; i < deferred.ids.length; i++) addInOrder(state.keys, deferred.ids[i]!, deferred.seqs[i]!, i, invalid, true);
      for (const i of deferred.due) due.push([deferred.entry(i), realm]);
    }
    for (const k of inSeqOrder(r.keys)) {
      if (intact) state.keys.addDeferred(k.id, k.seq, k);
      else state.keys.add(k.id, k.seq, keyFromSnapshot(k, realm, new Set(), policyTexts, restoredAt));
      if (hasDueWork(k)) due.push([k, realm]);
    }
    for (const a of inSeqOrder(r.aliases)) {
      const key = state.keys.get(a.keyId);
      if (!key) throw new KmsError('Validation', `Snapshot alias ${a.name} names a key that is not in the snapshot.`, { reason: 'snapshot' });
      state.aliases.add(a.name, a.seq, aliasFromSnapshot(a, state.realm));
      key.aliases.add(a.name);
    }
    realms.set(realmKey(r.account, r.region), state);
  });
  s.realms.clear();
  for (const [k, v] of realms) s.realms.set(k, v);
  s.due.clear();
  for (const [key, realm] of due) queueDueWork(s, key, realm);
  s.whiteBox.clear();
  for (const w of doc.whiteBoxKeys ?? []) putWhiteBox(s, w);
  s.dataKeys.clear();
  for (const d of doc.dataKeys ?? []) putDataKey(s, d);
  s.standalonePolicies.clear();
  for (const p of doc.standalonePolicies ?? []) putStandalonePolicy(s, p);
  s.keyStores.clear();
  for (const k of doc.keyStores ?? []) putKeyStore(s, k);
  s.accessPoints.clear();
  for (const p of doc.accessPoints ?? []) putAccessPoint(s, p);
  s.seq = doc.seq;
  s.markerSecret = fromBase64(doc.markerSecret)!;
  if (doc.random.seed !== undefined && doc.random.seed === s.seed && doc.random.position !== undefined) {
    s.random = new SeededRandom(doc.random.seed, doc.random.position);
  }
  if (options.audit) s.audit.restoreDeferred(options.audit.sizes, options.audit.events);
  else s.audit.restore(doc.audit as AuditEvent[]);
  // Everything was replaced: the next change record carries the whole state.
  s.changes.clearRecords();
  s.changes.resetPending = true;
  if (options.runDueWork !== false) runDueWork(s);
}

/**
 * Whether takeChanges() has something to return: 'state' when a key or alias changed (or
 * restore() replaced everything), 'audit' when only audit events, the seeded random position or
 * the not yet recorded marker secret would be recorded (reads), undefined when nothing would.
 */
export function pendingChanges(s: EngineState): 'state' | 'audit' | undefined {
  const c = s.changes;
  if (c.resetPending || c.keys.size > 0 || c.aliases.size > 0 || c.whiteBox.size > 0 || c.dataKeys.size > 0 || c.standalonePolicies.size > 0 || c.keyStores.size > 0 || c.accessPoints.size > 0) return 'state';
  if (s.audit.appended !== c.auditTaken || s.random.position !== c.randomTaken || !c.markerSecretTaken) return 'audit';
  return undefined;
}

/**
 * What changed since the previous take (or since construction, or discardChanges()): keys and
 * aliases created or changed, in full and serialized as in a snapshot; removed ones by id and
 * name; the counters; the audit events appended since. Undefined when nothing changed. A store
 * appends these records to a journal and replays them with applyChanges on top of a snapshot.
 */
export function takeChanges(s: EngineState): EngineChanges | undefined {
  if (!pendingChanges(s)) return undefined;
  const reset = s.changes.resetPending;
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
    for (const state of s.realms.values()) {
      const r = realmOf(state.realm);
      for (const k of state.keys.values()) r.keys.push(keySnapshot(k));
      for (const a of state.aliases.values()) r.aliases.push(aliasSnapshot(a, state.aliases.seqOf(a.name)!));
    }
  } else {
    for (const key of s.changes.keys) {
      const r = realmOf(key.realm);
      if (s.realm(key.realm.account, key.realm.region)?.keys.get(key.id) === key) r.keys.push(keySnapshot(key));
      else r.removedKeys.push(key.id);
    }
    // A key used (not changed) since the last take: its last use only, not its entry (usage.ts).
    for (const key of s.changes.used) {
      if (s.changes.keys.has(key) || !key.lastUse || s.realm(key.realm.account, key.realm.region)?.keys.get(key.id) !== key) continue;
      const r = realmOf(key.realm);
      (r.lastUses ??= []).push({ keyId: key.id, ...keyUseEntry(key.lastUse) });
    }
    for (const alias of s.changes.aliases) {
      const r = realmOf(alias.realm);
      const aliases = s.realm(alias.realm.account, alias.realm.region)?.aliases;
      if (aliases?.get(alias.name) === alias) r.aliases.push(aliasSnapshot(alias, aliases.seqOf(alias.name)!));
      else r.removedAliases.push(alias.name);
    }
  }
  const changes: EngineChanges = {
    format: CHANGES_FORMAT,
    version: CHANGES_VERSION,
    ...(reset ? { reset: true } : {}),
    seq: s.seq,
    ...(reset || !s.changes.markerSecretTaken ? { markerSecret: toBase64(s.markerSecret) } : {}),
    random: randomState(s),
    realms: [...byRealm.values()],
    audit: (reset ? s.audit.list() : s.audit.since(s.changes.auditTaken)) as EngineChanges['audit'],
    ...whiteBoxChanges(s, reset),
    ...dataKeyChanges(s, reset),
    ...standalonePolicyChanges(s, reset),
    ...keyStoreChanges(s, reset),
    ...accessPointChanges(s, reset),
  };
  discardChanges(s);
  return changes;
}

/** Forgets what changed: the next take starts from here (a store calls it once it has loaded state from disk). */
export function discardChanges(s: EngineState): void {
  const c = s.changes;
  c.clearRecords();
  c.resetPending = false;
  c.auditTaken = s.audit.appended;
  c.randomTaken = s.random.position;
  c.markerSecretTaken = true;
}

/**
 * Applies one change record from takeChanges (records apply in the order they were taken, on
 * top of the snapshot they follow). Runs no due work and marks nothing as changed. Throws a
 * Validation KmsError for a malformed record or one that does not fit the state (the state may
 * then be partly updated: discard it).
 */
export function applyChanges(s: EngineState, document: unknown): void {
  const c = parseChanges(document);
  const invalid = (why: string) => new KmsError('Validation', `Invalid change record: ${why}`, { reason: 'changes' });
  if (c.reset) {
    s.realms.clear();
    s.due.clear();
    s.audit.clear();
    s.whiteBox.clear();
    s.dataKeys.clear();
    s.standalonePolicies.clear();
    s.keyStores.clear();
    s.accessPoints.clear();
  }
  for (const r of c.removedStandalonePolicies ?? []) removeStandalonePolicy(s, r);
  for (const p of c.standalonePolicies ?? []) putStandalonePolicy(s, p);
  for (const r of c.removedAccessPoints ?? []) removeAccessPoint(s, r);
  for (const p of c.accessPoints ?? []) putAccessPoint(s, p);
  for (const r of c.removedKeyStores ?? []) removeKeyStore(s, r);
  for (const k of c.keyStores ?? []) putKeyStore(s, k);
  for (const r of c.removedDataKeys ?? []) removeDataKey(s, r);
  for (const d of c.dataKeys ?? []) putDataKey(s, d);
  for (const r of c.removedWhiteBoxKeys ?? []) s.whiteBox.get(realmKey(r.account, r.region))?.delete(r.id);
  for (const w of c.whiteBoxKeys ?? []) putWhiteBox(s, w);
  for (const r of c.realms) {
    const state = s.realmFor(r);
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
      const key = keyFromSnapshot(k, state.realm, existing?.aliases ?? new Set(), [], s.now());
      if (existing) {
        if (state.keys.seqOf(k.id) !== k.seq) throw invalid(`key ${k.id} changed its sequence number.`);
        state.keys.replace(k.id, key);
      } else {
        addInOrder(state.keys, k.id, k.seq, key, invalid);
      }
      queueDueWork(s, key, state.realm);
    }
    for (const u of r.lastUses ?? []) {
      const key = state.keys.get(u.keyId);
      if (!key) throw invalid(`the last use of key ${u.keyId}, which does not exist.`);
      setKeyUse(key, u);
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
  s.seq = c.seq;
  if (c.markerSecret !== undefined) s.markerSecret = fromBase64(c.markerSecret)!;
  if (c.random.seed !== undefined && c.random.seed === s.seed && c.random.position !== undefined) {
    s.random = new SeededRandom(c.random.seed, c.random.position);
  }
  for (const e of c.audit) s.audit.append(e as AuditEvent);
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
