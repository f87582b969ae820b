/**
 * White-box keys as a capability: create, describe, list, enable, disable, delete, encrypt, device
 * fingerprints, and their part of snapshots and change records. Records and snapshot entries are
 * in white-box-data.ts.
 */

import { resourceChanges, resourceSnapshots } from './realm-resources.js';
import { randomBytes } from '../crypto/random.js';
import { refuseDryRun } from './checks.js';
import { KmsError } from './errors.js';
import { realmKey } from './records.js';
import type { EngineChanges } from './changes.js';
import type { EngineState } from './state.js';
import type { CallContext } from './types.js';
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
} from './white-box-data.js';

export {
  DEFAULT_WHITE_BOX_KEY_LIMIT,
  WHITE_BOX_ALGORITHMS,
  type CreateWhiteBoxKeyInput,
  type DeviceFingerprint,
  type WhiteBoxAlgorithm,
  type WhiteBoxKeyInfo,
} from './white-box-data.js';

/** The read-only view of a white-box key: its fields as they are now, without the secret. */
function view(r: WhiteBoxRecord): WhiteBoxKeyInfo {
  if (r.view) return r.view;
  const v: WhiteBoxKeyInfo = {
    id: r.id,
    realm: r.realm,
    alias: r.alias,
    algorithm: r.algorithm,
    createdAt: r.createdAt,
    creator: r.creator,
    get description() {
      return r.description;
    },
    get state() {
      return r.state;
    },
    get deviceFingerprints() {
      return r.deviceFingerprints;
    },
    get tags() {
      return r.tags;
    },
  };
  r.view = v;
  return v;
}

function record(s: EngineState, ctx: CallContext, id: string): WhiteBoxRecord {
  const key = s.whiteBox.get(realmKey(ctx.realm.account, ctx.realm.region))?.get(id);
  if (!key) throw new KmsError('NotFound', `White-box key ${id} does not exist.`, { resource: 'white-box-key', keyId: id, account: ctx.realm.account, region: ctx.realm.region });
  return key;
}

export function createWhiteBoxKey(s: EngineState, ctx: CallContext, input: CreateWhiteBoxKeyInput): { key: WhiteBoxKeyInfo; secret: Uint8Array } {
  const k = realmKey(ctx.realm.account, ctx.realm.region);
  const keys = s.whiteBox.get(k) ?? new Map<string, WhiteBoxRecord>();
  for (const other of keys.values()) {
    if (other.alias === input.alias) {
      throw new KmsError('AlreadyExists', `A white-box key with alias ${input.alias} already exists.`, { resource: 'white-box-key', alias: input.alias });
    }
  }
  const limit = input.limit ?? DEFAULT_WHITE_BOX_KEY_LIMIT;
  if (keys.size >= limit) throw new KmsError('LimitExceeded', `At most ${limit} white-box keys may exist.`, { resource: 'white-box-key', reason: 'white-box-keys', limit });
  refuseDryRun(ctx);
  const key: WhiteBoxRecord = {
    id: s.newId(),
    realm: s.realmFor(ctx.realm).realm,
    alias: input.alias,
    description: input.description ?? '',
    algorithm: input.algorithm,
    state: 'Enabled',
    createdAt: s.now(),
    creator: ctx.principal.id,
    deviceFingerprints: [],
    tags: new Map(input.tags ?? []),
    secret: randomBytes(s.random, whiteBoxKeyLength(input.algorithm)),
  };
  keys.set(key.id, key);
  s.whiteBox.set(k, keys);
  s.changes.whiteBox.add(key);
  return { key: view(key), secret: key.secret.slice() };
}

export function describeWhiteBoxKey(s: EngineState, ctx: CallContext, id: string): WhiteBoxKeyInfo {
  return view(record(s, ctx, id));
}

export function listWhiteBoxKeys(s: EngineState, ctx: CallContext): readonly WhiteBoxKeyInfo[] {
  return [...(s.whiteBox.get(realmKey(ctx.realm.account, ctx.realm.region))?.values() ?? [])].map(view);
}

export function setWhiteBoxState(s: EngineState, ctx: CallContext, id: string, state: 'Enabled' | 'Disabled'): WhiteBoxKeyInfo {
  const key = record(s, ctx, id);
  refuseDryRun(ctx);
  if (key.state !== state) {
    key.state = state;
    s.changes.whiteBox.add(key);
  }
  return view(key);
}

export function deleteWhiteBoxKey(s: EngineState, ctx: CallContext, id: string): WhiteBoxKeyInfo {
  const key = record(s, ctx, id);
  if (key.state !== 'Disabled') {
    throw new KmsError('InvalidState', `White-box key ${id} must be disabled before it is deleted.`, { resource: 'white-box-key', keyId: id, reason: 'white-box-enabled' });
  }
  refuseDryRun(ctx);
  s.whiteBox.get(realmKey(ctx.realm.account, ctx.realm.region))!.delete(id);
  s.changes.whiteBox.add(key);
  return view(key);
}

/** CBC with PKCS#7 padding; a 16-byte IV is drawn when none is given. */
export function whiteBoxEncrypt(s: EngineState, ctx: CallContext, id: string, plaintext: Uint8Array, iv?: Uint8Array): { key: WhiteBoxKeyInfo; iv: Uint8Array; ciphertext: Uint8Array } {
  const key = record(s, ctx, id);
  if (key.state !== 'Enabled') throw new KmsError('Disabled', `White-box key ${id} is disabled.`, { resource: 'white-box-key', keyId: id });
  if (iv !== undefined && iv.length !== 16) throw new KmsError('Validation', 'The initialization vector must be 16 bytes long.', { resource: 'white-box-key', reason: 'iv-length' });
  refuseDryRun(ctx);
  const vector = iv ? iv.slice() : randomBytes(s.random, 16);
  return { key: view(key), iv: vector, ciphertext: whiteBoxCbcEncrypt(key.algorithm, key.secret, vector, plaintext) };
}

/** The raw key, for a dialect to render its client-side key containers. */
export function whiteBoxSecret(s: EngineState, ctx: CallContext, id: string): { key: WhiteBoxKeyInfo; secret: Uint8Array } {
  const key = record(s, ctx, id);
  return { key: view(key), secret: key.secret.slice() };
}

export function setWhiteBoxFingerprints(s: EngineState, ctx: CallContext, id: string, list: readonly DeviceFingerprint[]): WhiteBoxKeyInfo {
  const key = record(s, ctx, id);
  refuseDryRun(ctx);
  key.deviceFingerprints = list.map((f) => (f.description !== undefined ? { identity: f.identity, description: f.description } : { identity: f.identity }));
  s.changes.whiteBox.add(key);
  return view(key);
}

// ------------------------------------------------------------------ persistence

export function whiteBoxSnapshots(s: EngineState): WhiteBoxSnapshot[] {
  return resourceSnapshots(s.whiteBox, whiteBoxSnapshot);
}

/** The white-box part of a change record: changed keys in full, removed ones by id (everything after a reset). */
export function whiteBoxChanges(s: EngineState, reset: boolean): Pick<EngineChanges, 'whiteBoxKeys' | 'removedWhiteBoxKeys'> {
  const { changed, removed } = resourceChanges(s.whiteBox, s.changes.whiteBox, whiteBoxSnapshot, reset);
  return { ...(changed ? { whiteBoxKeys: changed } : {}), ...(removed ? { removedWhiteBoxKeys: removed } : {}) };
}

/** Puts a white-box key from a snapshot or change record in place (replacing one with its id). */
export function putWhiteBox(s: EngineState, w: WhiteBoxSnapshot): void {
  const k = realmKey(w.account, w.region);
  const keys = s.whiteBox.get(k) ?? new Map<string, WhiteBoxRecord>();
  keys.set(w.id, whiteBoxFromSnapshot(w, s.realmFor({ account: w.account, region: w.region }).realm));
  s.whiteBox.set(k, keys);
}
