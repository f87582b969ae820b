/**
 * Hosted data keys as a capability: a data key the service keeps (generated, or brought as plaintext
 * or as a ciphertext of the protecting key), described, renamed, enabled, disabled, read out,
 * scheduled for deletion and deleted when its waiting period ends; and its part of snapshots and
 * change records. A data key is bound to its protecting key: reading it out needs that key usable
 * (row getDataKeyPlaintext of the key-state table), enabling it or cancelling its deletion needs the
 * key to exist in a state the rows enableDataKey and cancelDataKeyDeletion allow. A data key
 * outlives its protecting key: once the key is deleted, those calls get NotFound for the key.
 * Records, the data-key state table and snapshot entries are in data-key-data.ts.
 */

import { resourceChanges, resourceSnapshots } from './realm-resources.js';
import { admit, reach } from './access.js';
import { DAY_MS } from './clock.js';
import { refuseDryRun } from './checks.js';
import type { EngineChanges } from './changes.js';
import {
  assertDataKeyState,
  dataKeyFromSnapshot,
  dataKeySnapshot,
  type DataKeyInfo,
  type DataKeyOrigin,
  type DataKeyRecord,
  type DataKeySnapshot,
} from './data-key-data.js';
import { KmsError } from './errors.js';
import type { LifecycleOperation } from './lifecycle.js';
import { realmKey, viewOf } from './records.js';
import type { EngineState } from './state.js';
import { decrypt, encrypt, generateDataKey } from './symmetric.js';
import type { CallContext, EncryptionContext, KeyInfo, KeyRef } from './types.js';

export { DATA_KEY_STATES, dataKeyTable, type DataKeyInfo, type DataKeyOrigin, type DataKeyState } from './data-key-data.js';

/** Where a hosted data key comes from. */
export type DataKeySource =
  | { readonly kind: 'generate'; readonly numberOfBytes: number; readonly context?: EncryptionContext }
  | { readonly kind: 'plaintext'; readonly plaintext: Uint8Array }
  /** A ciphertext of the protecting key (Encrypt's or GenerateDataKey's), opened without an encryption context. */
  | { readonly kind: 'ciphertext'; readonly ciphertext: Uint8Array };

export interface HostDataKeyInput {
  readonly name: string;
  readonly description?: string;
  readonly source: DataKeySource;
  readonly tags?: ReadonlyArray<readonly [string, string]>;
  /** The most data keys a realm may hold; none when absent. */
  readonly limit?: number;
}

function view(r: DataKeyRecord): DataKeyInfo {
  if (r.view) return r.view;
  const v: DataKeyInfo = {
    id: r.id,
    realm: r.realm,
    keyId: r.keyId,
    origin: r.origin,
    numberOfBytes: r.numberOfBytes,
    createdAt: r.createdAt,
    creator: r.creator,
    get name() {
      return r.name;
    },
    get description() {
      return r.description;
    },
    get state() {
      return r.state;
    },
    get deletionDate() {
      return r.deletionDate;
    },
    get tags() {
      return r.tags;
    },
  };
  r.view = v;
  return v;
}

function realmDataKeys(s: EngineState, ctx: CallContext): Map<string, DataKeyRecord> | undefined {
  return s.dataKeys.get(realmKey(ctx.realm.account, ctx.realm.region));
}

function record(s: EngineState, ctx: CallContext, id: string): DataKeyRecord {
  const key = realmDataKeys(s, ctx)?.get(id);
  if (!key) throw new KmsError('NotFound', `Data key ${id} does not exist.`, { resource: 'data-key', keyId: id, account: ctx.realm.account, region: ctx.realm.region });
  return key;
}

function refuseTakenName(s: EngineState, ctx: CallContext, name: string, except?: string): void {
  for (const other of realmDataKeys(s, ctx)?.values() ?? []) {
    if (other.name === name && other.id !== except) {
      throw new KmsError('AlreadyExists', `A data key named ${name} already exists.`, { resource: 'data-key', name });
    }
  }
}

/** Checks the protecting key of `key` against the key-state table's row `operation` (it changes nothing on that key). */
function checkProtectingKey(s: EngineState, ctx: CallContext, key: DataKeyRecord, operation: LifecycleOperation): KeyInfo {
  const cmk = reach(s, ctx, { keyId: key.keyId }, operation);
  admit(s, ctx, cmk, operation);
  return viewOf(cmk);
}

/**
 * Makes a hosted data key under the key `ref` names (for a ciphertext, the key that made it, which `ref`
 * must name when given): the key's checks are those of GenerateDataKey, Encrypt or Decrypt.
 */
export function hostDataKey(s: EngineState, ctx: CallContext, ref: KeyRef | undefined, input: HostDataKeyInput): { key: KeyInfo; dataKey: DataKeyInfo; plaintext: Uint8Array; ciphertext: Uint8Array } {
  refuseTakenName(s, ctx, input.name);
  const held = realmDataKeys(s, ctx)?.size ?? 0;
  if (input.limit !== undefined && held >= input.limit) {
    throw new KmsError('LimitExceeded', `At most ${input.limit} data keys may exist.`, { resource: 'data-key', reason: 'data-keys', limit: input.limit });
  }
  const src = input.source;
  if (ref === undefined && src.kind !== 'ciphertext') throw new KmsError('Validation', 'A key that protects the data key is required.', { reason: 'key-required' });
  let made: { key: KeyInfo; plaintext: Uint8Array; ciphertext: Uint8Array };
  let origin: DataKeyOrigin = 'EXTERNAL';
  if (src.kind === 'generate') {
    made = generateDataKey(s, ctx, ref!, src.numberOfBytes, src.context);
    origin = 'GENERATED';
  } else if (src.kind === 'plaintext') {
    if (src.plaintext.length === 0) throw new KmsError('Validation', 'A data key holds at least one byte.', { reason: 'plaintext-size' });
    const sealed = encrypt(s, ctx, ref!, src.plaintext);
    made = { key: sealed.key, plaintext: src.plaintext.slice(), ciphertext: sealed.ciphertext };
  } else {
    const opened = decrypt(s, ctx, src.ciphertext, undefined, ref);
    if (opened.plaintext.length === 0) throw new KmsError('Validation', 'A data key holds at least one byte.', { reason: 'plaintext-size' });
    made = { key: opened.key, plaintext: opened.plaintext, ciphertext: src.ciphertext.slice() };
  }
  refuseDryRun(ctx);
  const k = realmKey(ctx.realm.account, ctx.realm.region);
  const keys = s.dataKeys.get(k) ?? new Map<string, DataKeyRecord>();
  const record: DataKeyRecord = {
    id: s.newId(),
    realm: s.realmFor(ctx.realm).realm,
    keyId: made.key.id,
    name: input.name,
    description: input.description ?? '',
    state: 'Enabled',
    origin,
    numberOfBytes: made.plaintext.length,
    createdAt: s.now(),
    creator: ctx.principal.id,
    deletionDate: undefined,
    tags: new Map(input.tags ?? []),
    plaintext: made.plaintext.slice(),
    ciphertext: made.ciphertext,
  };
  keys.set(record.id, record);
  s.dataKeys.set(k, keys);
  s.changes.dataKeys.add(record);
  return { key: made.key, dataKey: view(record), plaintext: made.plaintext, ciphertext: made.ciphertext.slice() };
}

export function describeDataKey(s: EngineState, ctx: CallContext, id: string): DataKeyInfo {
  const key = record(s, ctx, id);
  assertDataKeyState('describeDataKey', key);
  return view(key);
}

/** The realm's data keys, oldest first. */
export function listDataKeys(s: EngineState, ctx: CallContext): readonly DataKeyInfo[] {
  return [...(realmDataKeys(s, ctx)?.values() ?? [])].map(view);
}

export function updateDataKey(s: EngineState, ctx: CallContext, id: string, change: { name?: string; description?: string }): DataKeyInfo {
  const key = record(s, ctx, id);
  assertDataKeyState('updateDataKey', key);
  if (change.name !== undefined) refuseTakenName(s, ctx, change.name, id);
  refuseDryRun(ctx);
  if (change.name !== undefined) key.name = change.name;
  if (change.description !== undefined) key.description = change.description;
  s.changes.dataKeys.add(key);
  return view(key);
}

export function enableDataKey(s: EngineState, ctx: CallContext, id: string): DataKeyInfo {
  const key = record(s, ctx, id);
  assertDataKeyState('enableDataKey', key);
  checkProtectingKey(s, ctx, key, 'enableDataKey');
  return setState(s, ctx, key, 'Enabled');
}

export function disableDataKey(s: EngineState, ctx: CallContext, id: string): DataKeyInfo {
  const key = record(s, ctx, id);
  assertDataKeyState('disableDataKey', key);
  return setState(s, ctx, key, 'Disabled');
}

function setState(s: EngineState, ctx: CallContext, key: DataKeyRecord, state: 'Enabled' | 'Disabled'): DataKeyInfo {
  refuseDryRun(ctx);
  if (key.state !== state) {
    key.state = state;
    s.changes.dataKeys.add(key);
  }
  return view(key);
}

/** Schedules the deletion `days` days from now (the dialect checks the range it allows). */
export function scheduleDataKeyDeletion(s: EngineState, ctx: CallContext, id: string, days: number): DataKeyInfo {
  const key = record(s, ctx, id);
  assertDataKeyState('scheduleDataKeyDeletion', key);
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new KmsError('Validation', `The waiting period must be a whole number of days; ${days} is not.`, { reason: 'pending-window' });
  refuseDryRun(ctx);
  key.state = 'PendingDeletion';
  key.deletionDate = s.now() + days * DAY_MS;
  s.due.push({ due: key.deletionDate, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'delete-data-key' });
  s.changes.dataKeys.add(key);
  return view(key);
}

/** Cancels a scheduled deletion: the data key is disabled, as a key is. */
export function cancelDataKeyDeletion(s: EngineState, ctx: CallContext, id: string): DataKeyInfo {
  const key = record(s, ctx, id);
  assertDataKeyState('cancelDataKeyDeletion', key);
  checkProtectingKey(s, ctx, key, 'cancelDataKeyDeletion');
  refuseDryRun(ctx);
  key.state = 'Disabled';
  key.deletionDate = undefined;
  s.changes.dataKeys.add(key);
  return view(key);
}

/** The plaintext of an enabled data key whose protecting key is usable. */
export function dataKeyPlaintext(s: EngineState, ctx: CallContext, id: string): { dataKey: DataKeyInfo; key: KeyInfo; plaintext: Uint8Array } {
  const key = record(s, ctx, id);
  assertDataKeyState('getDataKeyPlaintext', key);
  const cmk = checkProtectingKey(s, ctx, key, 'getDataKeyPlaintext');
  return { dataKey: view(key), key: cmk, plaintext: key.plaintext.slice() };
}

/** The ciphertext of an enabled data key under its protecting key (the one it was made with). */
export function dataKeyCiphertext(s: EngineState, ctx: CallContext, id: string): { dataKey: DataKeyInfo; ciphertext: Uint8Array } {
  const key = record(s, ctx, id);
  assertDataKeyState('getDataKeyCiphertext', key);
  return { dataKey: view(key), ciphertext: key.ciphertext.slice() };
}

/** Due work: a data key whose waiting period has ended goes (nothing happens if its deletion was cancelled or moved). */
export function deleteDueDataKey(s: EngineState, task: { account: string; region: string; keyId: string; due: number }): void {
  const keys = s.dataKeys.get(realmKey(task.account, task.region));
  const key = keys?.get(task.keyId);
  if (!key || key.state !== 'PendingDeletion' || key.deletionDate !== task.due) return;
  keys!.delete(key.id);
  s.changes.dataKeys.add(key);
}

// ------------------------------------------------------------------ persistence

export function dataKeySnapshots(s: EngineState): DataKeySnapshot[] {
  return resourceSnapshots(s.dataKeys, dataKeySnapshot);
}

/** The data-key part of a change record: changed data keys in full, removed ones by id (everything after a reset). */
export function dataKeyChanges(s: EngineState, reset: boolean): Pick<EngineChanges, 'dataKeys' | 'removedDataKeys'> {
  const { changed, removed } = resourceChanges(s.dataKeys, s.changes.dataKeys, dataKeySnapshot, reset);
  return { ...(changed ? { dataKeys: changed } : {}), ...(removed ? { removedDataKeys: removed } : {}) };
}

/** Puts a data key from a snapshot or change record in place (replacing one with its id), with its scheduled deletion. */
export function putDataKey(s: EngineState, d: DataKeySnapshot): void {
  const k = realmKey(d.account, d.region);
  const keys = s.dataKeys.get(k) ?? new Map<string, DataKeyRecord>();
  const key = dataKeyFromSnapshot(d, s.realmFor({ account: d.account, region: d.region }).realm);
  keys.set(d.id, key);
  s.dataKeys.set(k, keys);
  if (key.deletionDate !== undefined) s.due.push({ due: key.deletionDate, keyId: key.id, account: d.account, region: d.region, kind: 'delete-data-key' });
}

export function removeDataKey(s: EngineState, r: { account: string; region: string; id: string }): void {
  s.dataKeys.get(realmKey(r.account, r.region))?.delete(r.id);
}
