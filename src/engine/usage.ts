/**
 * Key use: the last successful cryptographic use of each key (its operation, time, audit event id
 * and request id), for questions such as "when was this key last used?" (AWS GetKeyLastUsage).
 *
 * Cost: a use is recorded as its audit event is appended, as one small object on the key (not the
 * event, whose request may be large and which the audit bounds may drop) and the key added to a set
 * of the change log. The key itself is not marked
 * changed: a change record carries the last uses of the keys used since the previous record as a
 * small `lastUses` list beside the audit events, so a durable store writes it with the audit events
 * it writes anyway (batched, for reads), never a key entry per cryptographic call. Snapshots and
 * key entries of change records carry each key's last use in full.
 */

import { use } from './access.js';
import type { AuditEvent } from './audit.js';
import { viewOf, type KeyRecord, type KeyUse } from './records.js';

export { keyUseEntry, type KeyUse } from './records.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyInfo, KeyRef } from './types.js';


export interface KeyUsageInfo {
  readonly key: KeyInfo;
  /** Absent when the key has not been used since tracking started. */
  readonly lastUse?: KeyUse;
  /** Epoch ms from which uses of the key are recorded: its creation, or, for a key restored from a document written before uses were recorded, the time it was restored. */
  readonly trackingStart: number;
}


/** Records `event` (an API call that succeeded) as the last use of each key it names. */
export function recordKeyUse(s: EngineState, event: AuditEvent): void {
  const use: KeyUse = { action: event.action, time: event.time, eventId: event.eventId, requestId: event.requestId };
  for (const r of event.resources) {
    const key = s.realm(r.account, r.region)?.keys.get(r.keyId);
    if (!key) continue;
    key.lastUse = use;
    s.changes.used.add(key);
  }
}

/** Sets a key's last use from a change record (replaying a journal). */
export function setKeyUse(key: KeyRecord, use: KeyUse): void {
  key.lastUse = use;
}

/** The last use of the key `ref` names (its own account's keys only: the row's action is not grantable). */
export function keyLastUsage(s: EngineState, ctx: CallContext, ref: KeyRef): KeyUsageInfo {
  const key = use(s, ctx, ref, 'getKeyLastUsage');
  return {
    key: viewOf(key),
    ...(key.lastUse ? { lastUse: key.lastUse } : {}),
    trackingStart: Math.max(key.usageTrackedFrom ?? key.createdAt, key.createdAt),
  };
}
