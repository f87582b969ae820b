/**
 * Multi-Region keys: a family of keys with one id in several regions of one account, one of them the
 * primary. Each member is its own record in its own realm (own description, tags, policies, aliases,
 * grants and state); what the family shares (key material, its versions, rotation settings) is
 * copied from the primary to every member whenever it changes, so each record stays self-contained
 * for persistence. The relation (the primary's region, the replicas' regions) is kept the same in
 * every member.
 */

import { actionOf, admit, authorize, reach } from './access.js';
import { refuseDryRun } from './checks.js';
import { DAY_MS } from './clock.js';
import { KmsError } from './errors.js';
import { hasMaterial, newKeyRecord, viewOf, type KeyRecord, type Replication } from './records.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyInfo, KeyMaterialVersion, KeyRef, KeyState } from './types.js';
import { utf8 } from '../crypto/bytes.js';

/** How long a new replica stays Creating, and a family changing its primary stays Updating, by default. */
export const REPLICA_SETTLE_MS = 5_000;

export interface ReplicateInput {
  readonly region: string;
  readonly description?: string;
  readonly tags?: ReadonlyArray<readonly [string, string]>;
  readonly policies?: ReadonlyArray<readonly [string, string]>;
  /** How long the replica stays Creating (default REPLICA_SETTLE_MS). */
  readonly settleMs?: number;
  /** A single-Region key may be replicated: it becomes its family's primary (default: refused). */
  readonly adopt?: boolean;
}

export function isReplica(key: KeyRecord): boolean {
  return key.replication !== undefined && key.replication.primaryRegion !== key.realm.region;
}

/** The relation a new multi-Region key starts with: it is its family's primary, without replicas. */
export function newRelation(region: string): Replication {
  return { primaryRegion: region, replicaRegions: [] };
}

/** The members of `key`'s family, `key` included, that exist now (primary first). */
export function familyOf(s: EngineState, key: KeyRecord): KeyRecord[] {
  const r = key.replication;
  if (!r) return [key];
  const out: KeyRecord[] = [];
  for (const region of [r.primaryRegion, ...r.replicaRegions]) {
    const member = region === key.realm.region ? key : s.realm(key.realm.account, region)?.keys.get(key.id);
    if (member) out.push(member);
  }
  return out;
}

function setRelation(s: EngineState, members: readonly KeyRecord[], relation: Replication): void {
  for (const m of members) {
    m.replication = { primaryRegion: relation.primaryRegion, replicaRegions: [...relation.replicaRegions] };
    s.touch(m);
  }
}

/** Refuses a key that is not the primary of a multi-Region family (checked before the state table). */
function requirePrimary(key: KeyRecord): void {
  if (!key.multiRegion || key.replication === undefined) {
    throw new KmsError('Unsupported', `Key ${key.id} is not a multi-region key.`, { resource: 'key', keyId: key.id, reason: 'not-multi-region' });
  }
  if (isReplica(key)) {
    throw new KmsError('Unsupported', `Key ${key.id} is not a multi-region primary key.`, { resource: 'key', keyId: key.id, reason: 'not-primary' });
  }
}

/** Refuses a call that only the primary of a family may make (rotation settings, on-demand rotation). */
export function refuseReplica(key: KeyRecord): void {
  if (isReplica(key)) {
    throw new KmsError('Unsupported', `Key ${key.id} is not a multi-region primary key.`, { resource: 'key', keyId: key.id, reason: 'not-primary' });
  }
}

/** Starts a transient state that ends, at `until`, in `then`. */
function beginTransition(s: EngineState, key: KeyRecord, state: KeyState, until: number, then: KeyState): void {
  key.state = state;
  key.transition = { until, then };
  s.touch(key);
  s.due.push({ due: until, keyId: key.id, account: key.realm.account, region: key.realm.region, kind: 'settle' });
}

/** A transient state has ended (due work): the key takes the state it waited for, unless a call changed it meanwhile. */
export function settle(s: EngineState, key: KeyRecord): void {
  const t = key.transition;
  if (!t) return;
  delete key.transition;
  if (key.state === 'Creating' || key.state === 'Updating') {
    key.state = t.then === 'Enabled' && !hasMaterial(key) ? 'PendingImport' : t.then;
  }
  s.touch(key);
}

/**
 * Makes a replica of a primary key in another region of the same account: same id, spec, usage,
 * origin and shared material (none for imported keys: the same material is imported into it), its
 * own description, tags and policies. It is Creating until `settleMs` has passed.
 */
export function replicateKey(s: EngineState, ctx: CallContext, ref: KeyRef, input: ReplicateInput): { primary: KeyInfo; replica: KeyInfo } {
  const primary = reach(s, ctx, ref, 'replicateKey');
  const adopting = input.adopt === true && !primary.multiRegion && primary.replication === undefined;
  if (!adopting) requirePrimary(primary);
  admit(s, ctx, primary, 'replicateKey');
  const relation = primary.replication ?? newRelation(primary.realm.region);
  const size = utf8(input.region).length;
  if (size < 1 || size > 255) throw new KmsError('Validation', 'The region name must be 1 to 255 bytes long.', { reason: 'realm-name', field: 'region' });
  if (input.region === relation.primaryRegion || relation.replicaRegions.includes(input.region) || s.realm(primary.realm.account, input.region)?.keys.get(primary.id)) {
    throw new KmsError('AlreadyExists', `Key ${primary.id} already has a replica in region ${input.region}.`, {
      resource: 'key',
      keyId: primary.id,
      region: input.region,
      reason: 'replica-region',
    });
  }
  refuseDryRun(ctx);
  if (adopting) {
    (primary as { multiRegion: boolean }).multiRegion = true;
    primary.replication = relation;
  }
  const realm = s.realmFor({ account: primary.realm.account, region: input.region });
  const now = s.now();
  const imported = primary.origin === 'EXTERNAL';
  const replica = newKeyRecord({
    seq: ++s.seq,
    id: primary.id,
    realm: realm.realm,
    spec: primary.spec,
    usage: primary.usage,
    origin: primary.origin,
    manager: primary.manager,
    description: input.description ?? '',
    state: 'Creating',
    createdAt: now,
    ...(ctx.principal.type !== 'root' ? { creator: ctx.principal.id } : {}),
    multiRegion: true,
    tags: input.tags,
    policies: input.policies,
  });
  // Imported material is imported into each replica: the replica knows which material it must be.
  if (imported && primary.materialDigest !== undefined) replica.materialDigest = primary.materialDigest;
  copyShared(primary, replica, true);
  realm.keys.add(replica.id, replica.seq, replica);
  const family = familyOf(s, primary);
  setRelation(s, [...family, replica], { primaryRegion: relation.primaryRegion, replicaRegions: [...relation.replicaRegions, input.region] });
  beginTransition(s, replica, 'Creating', now + (input.settleMs ?? REPLICA_SETTLE_MS), 'Enabled');
  return { primary: viewOf(primary), replica: viewOf(replica) };
}

/**
 * Makes the family's member in `region` its primary, and the current primary a replica. Both are
 * Updating until `settleMs` has passed, then return to the state each had. A region with no member
 * is NotFound; the primary's own region changes nothing.
 */
export function updatePrimaryRegion(s: EngineState, ctx: CallContext, ref: KeyRef, region: string, settleMs = REPLICA_SETTLE_MS): { primary: KeyInfo; newPrimary: KeyInfo } {
  const primary = reach(s, ctx, ref, 'updatePrimaryRegion');
  requirePrimary(primary);
  admit(s, ctx, primary, 'updatePrimaryRegion');
  if (region === primary.realm.region) {
    refuseDryRun(ctx);
    return { primary: viewOf(primary), newPrimary: viewOf(primary) };
  }
  const target = primary.replication!.replicaRegions.includes(region) ? s.realm(primary.realm.account, region)?.keys.get(primary.id) : undefined;
  if (!target) {
    throw new KmsError('NotFound', `Key ${primary.id} does not exist in region ${region}.`, { resource: 'key', keyId: primary.id, account: primary.realm.account, region });
  }
  // The replica that becomes primary is judged too, by its own policies (in its own Region).
  authorize(ctx, target, actionOf(ctx, 'updatePrimaryRegion'));
  admit(s, ctx, target, 'updatePrimaryRegion');
  refuseDryRun(ctx);
  const family = familyOf(s, primary);
  const others = primary.replication!.replicaRegions.filter((r) => r !== region);
  setRelation(s, family, { primaryRegion: region, replicaRegions: [primary.realm.region, ...others] });
  const until = s.now() + settleMs;
  for (const key of [primary, target]) beginTransition(s, key, 'Updating', until, key.state === 'Updating' ? (key.transition?.then ?? 'Enabled') : key.state);
  // The new primary carries the family's automatic rotation from now on.
  const next = target.rotation.enabled ? target.rotation.nextRotation : undefined;
  if (next !== undefined) s.due.push({ due: next, keyId: target.id, account: target.realm.account, region: target.realm.region, kind: 'rotate' });
  return { primary: viewOf(primary), newPrimary: viewOf(target) };
}

/**
 * Copies what a family shares from `from` to `to`: rotation settings, and the material versions
 * with their material when the service generated it. Imported material is imported into each
 * member on its own, so after replication an imported key's versions are not copied again (a
 * member would otherwise point at a version whose material it does not hold).
 */
function copyShared(from: KeyRecord, to: KeyRecord, replicating: boolean): void {
  to.rotation = { ...from.rotation };
  if (from.origin === 'EXTERNAL' && !replicating) return followPending(from, to);
  if (from.origin !== 'GENERATED' && !replicating) return;
  // A replica's imports are its own: it holds none of the primary's yet (nor their expiry or description).
  to.materials = from.materials.map((m) => (from.origin === 'EXTERNAL' ? notImported(m) : { ...m }));
  if (from.currentMaterialId !== undefined) to.currentMaterialId = from.currentMaterialId;
  else delete to.currentMaterialId;
  if (from.origin === 'GENERATED') to.secrets = new Map(from.secrets);
}

/**
 * A member follows its primary's material pending rotation (imported keys): the primary's pending
 * version is known to the member, without its bytes until they are imported into it; a version that
 * the primary rotated onto becomes the member's current version; one that the primary no longer has
 * (deleted, expired) goes from the member too. The member's own imports (expiry, description) stay.
 */
function followPending(from: KeyRecord, to: KeyRecord): void {
  const pending = from.materials.find((m) => m.pendingRotation);
  for (const version of to.materials.filter((m) => m.pendingRotation && m.id !== pending?.id)) {
    const index = to.materials.indexOf(version);
    const rotated = from.materials.find((m) => m.id === version.id && !m.pendingRotation);
    to.materials.splice(index, 1);
    if (!rotated) {
      to.secrets.delete(version.id);
      continue;
    }
    const { pendingRotation: _pending, ...rest } = version;
    to.materials.push({ ...rest, ...(rotated.rotation ? { rotation: rotated.rotation } : {}) });
    to.currentMaterialId = version.id;
    if (version.validTo === undefined) delete to.materialValidTo;
    else to.materialValidTo = version.validTo;
  }
  if (pending && !to.materials.some((m) => m.id === pending.id)) to.materials.push({ id: pending.id, createdAt: pending.createdAt, pendingRotation: true });
}

/** A material version as a member knows it before importing it: no import date, expiry or description. */
function notImported(version: KeyMaterialVersion): KeyMaterialVersion {
  const { importedAt: _at, validTo: _to, description: _d, ...rest } = version;
  return rest;
}

/** After the primary's material or rotation settings changed: every replica gets the same. */
export function shareWithFamily(s: EngineState, primary: KeyRecord): void {
  if (primary.replication === undefined || isReplica(primary)) return;
  for (const member of familyOf(s, primary)) {
    if (member === primary) continue;
    copyShared(primary, member, false);
    s.touch(member);
  }
}

/**
 * A primary with replicas is not deleted before them: it waits in PendingReplicaDeletion, and its
 * waiting period starts when the last replica is gone. Returns whether the deletion waits.
 */
export function deferDeletion(s: EngineState, key: KeyRecord, pendingWindowDays: number): boolean {
  if (key.replication === undefined || isReplica(key) || familyOf(s, key).length < 2) return false;
  key.state = 'PendingReplicaDeletion';
  key.pendingWindowDays = pendingWindowDays;
  delete key.deletionDate;
  delete key.transition;
  return true;
}

/** A member was deleted: the others forget it, and a primary that waited for its last replica starts its own waiting period. */
export function leaveFamily(s: EngineState, key: KeyRecord, at: number): void {
  const r = key.replication;
  if (!r) return;
  const rest = familyOf(s, key).filter((m) => m !== key);
  if (rest.length === 0) return;
  // A primary is never deleted while it has replicas, so the primary's region stays.
  setRelation(s, rest, { primaryRegion: r.primaryRegion, replicaRegions: r.replicaRegions.filter((region) => region !== key.realm.region) });
  const primary = rest.find((m) => m.realm.region === r.primaryRegion);
  if (primary && primary.state === 'PendingReplicaDeletion' && rest.length === 1) {
    const days = primary.pendingWindowDays ?? 30;
    primary.state = 'PendingDeletion';
    primary.deletionDate = at + days * DAY_MS;
    s.touch(primary);
    s.due.push({ due: primary.deletionDate, keyId: primary.id, account: primary.realm.account, region: primary.realm.region, kind: 'delete' });
  }
}
