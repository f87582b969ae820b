/**
 * Resources kept per realm beside keys (white-box keys, hosted data keys, key-space policies, key
 * stores, access points): each room holds a map of realm → (id → record) and a set of records touched
 * since the last change record. How such a room goes into snapshots and change records is the same
 * for all of them, and lives here.
 */

import { realmKey } from './records.js';
import type { Realm } from './types.js';

/** A resource of one realm, named by its id there. */
export interface RealmResource {
  readonly id: string;
  readonly realm: Realm;
}

/** A resource a change record reports as removed. */
export interface RemovedResource {
  account: string;
  region: string;
  id: string;
}

/** Every resource of every realm, in snapshot form. */
export function resourceSnapshots<R, S>(byRealm: ReadonlyMap<string, ReadonlyMap<string, R>>, snapshotOf: (record: R) => S): S[] {
  const out: S[] = [];
  for (const records of byRealm.values()) for (const r of records.values()) out.push(snapshotOf(r));
  return out;
}

/**
 * A room's part of a change record: the touched resources still in place in full, the others as
 * removed; after a reset, every resource. Empty parts are left out.
 */
export function resourceChanges<R extends RealmResource, S>(
  byRealm: ReadonlyMap<string, ReadonlyMap<string, R>>,
  touched: ReadonlySet<R>,
  snapshotOf: (record: R) => S,
  reset: boolean,
): { changed?: S[]; removed?: RemovedResource[] } {
  if (reset) return byRealm.size > 0 ? { changed: resourceSnapshots(byRealm, snapshotOf) } : {};
  const changed: S[] = [];
  const removed: RemovedResource[] = [];
  for (const r of touched) {
    if (byRealm.get(realmKey(r.realm.account, r.realm.region))?.get(r.id) === r) changed.push(snapshotOf(r));
    else removed.push({ account: r.realm.account, region: r.realm.region, id: r.id });
  }
  return { ...(changed.length ? { changed } : {}), ...(removed.length ? { removed } : {}) };
}
