/**
 * Due work: scheduled deletions (of keys and hosted data keys), automatic rotations and key-material expiry, each done at its own
 * due time when the clock reaches it (the facade runs it once as a request enters, and on every
 * advance of an observable clock).
 */

import { ServiceEvent } from './audit.js';
import { DAY_MS } from './clock.js';
import { deleteDueDataKey } from './data-keys.js';
import { settleKeyStore } from './key-store-connections.js';
import { expireMaterial, materialExpiresAt } from './material.js';
import type { DueFields, KeyRecord } from './records.js';
import { isReplica, leaveFamily, settle } from './replicas.js';
import { rotate, scheduleRotation } from './rotation.js';
import type { EngineState } from './state.js';
import type { Realm } from './types.js';

/** Performs every deletion and rotation whose time has come, each at its own due time. */
export function runDueWork(s: EngineState, now: number = s.clock.now()): void {
  const first = s.due.peek();
  if (first === undefined || first.due > now || s.runningDue) return;
  s.runningDue = true;
  try {
    for (let task = s.due.peek(); task && task.due <= now; task = s.due.peek()) {
      s.due.pop();
      if (task.kind === 'delete-data-key') {
        deleteDueDataKey(s, task);
        continue;
      }
      if (task.kind === 'settle-store') {
        settleKeyStore(s, task);
        continue;
      }
      const key = s.realm(task.account, task.region)?.keys.get(task.keyId);
      if (!key) continue;
      if (task.kind === 'delete' && key.state === 'PendingDeletion' && key.deletionDate === task.due) {
        deleteKeyNow(s, key, task.due);
      } else if (task.kind === 'rotate' && key.rotation.enabled && key.rotation.nextRotation === task.due) {
        // A replica's material comes from its primary's rotation (replicas.ts).
        if (key.state === 'Enabled' && !isReplica(key)) {
          rotate(s, key, 'AUTOMATIC', task.due);
          scheduleRotation(s, key, task.due + key.rotation.periodDays * DAY_MS);
        }
        // A key that is not enabled is not rotated; enabling it catches up (see keys.ts, enableKey).
      } else if (task.kind === 'expire-material' && materialExpiresAt(key, task.due)) {
        expireMaterial(s, key, task.due);
      } else if (task.kind === 'settle' && key.transition?.until === task.due) {
        settle(s, key);
      }
    }
  } finally {
    s.runningDue = false;
  }
}

/** A key whose waiting period has ended goes, with its aliases. */
function deleteKeyNow(s: EngineState, key: KeyRecord, at: number): void {
  const realm = s.realm(key.realm.account, key.realm.region)!;
  for (const name of key.aliases) {
    const alias = realm.aliases.get(name);
    if (alias) s.changes.aliases.add(alias);
    realm.aliases.remove(name);
  }
  realm.keys.remove(key.id);
  s.touch(key);
  s.serviceEvent(ServiceEvent.deleteKey, key, at, { origin: key.origin });
  leaveFamily(s, key, at);
}

/** Queues the key's scheduled deletion and next automatic rotation, if it has them (from its record or its snapshot entry). */
export function queueDueWork(s: EngineState, key: DueFields, realm: Realm): void {
  const { account, region } = realm;
  if (key.state === 'PendingDeletion' && key.deletionDate !== undefined) {
    s.due.push({ due: key.deletionDate, keyId: key.id, account, region, kind: 'delete' });
  }
  if (key.rotation.enabled && key.rotation.nextRotation !== undefined) {
    s.due.push({ due: key.rotation.nextRotation, keyId: key.id, account, region, kind: 'rotate' });
  }
  for (const due of new Set(key.materials.map((m) => m.validTo))) {
    if (due !== undefined) s.due.push({ due, keyId: key.id, account, region, kind: 'expire-material' });
  }
  if (key.transition !== undefined) {
    s.due.push({ due: key.transition.until, keyId: key.id, account, region, kind: 'settle' });
  }
}

/**
 * Whether a key (its record or its snapshot entry) has due work to queue: a deletion, an automatic
 * rotation, expiring material or the end of a transient state.
 */
export function hasDueWork(key: DueFields): boolean {
  return (
    key.state === 'PendingDeletion' ||
    key.rotation.enabled ||
    key.materialValidTo !== undefined ||
    key.materials.some((m) => m.validTo !== undefined) ||
    key.transition !== undefined
  );
}
