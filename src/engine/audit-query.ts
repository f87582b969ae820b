/**
 * Looking events up in the audit stream: newest first, filtered, in pages whose markers name a
 * stream position (new events do not shift later pages) and are bound to the query (its scope)
 * like every marker of the engine (paging.ts): a marker of another query, or a forged one, is refused.
 */

import type { AuditEvent } from './audit.js';
import { markerSeq, pageOf } from './paging.js';
import type { EngineState } from './state.js';
import type { Page } from './types.js';

/** One page of the retained events `filter` keeps, newest first; InvalidMarker for a marker not made for `scope`. */
export function auditPage(s: EngineState, scope: string, filter: (event: AuditEvent) => boolean, limit: number, marker?: string): Page<AuditEvent> {
  const before = marker === undefined ? Number.POSITIVE_INFINITY : markerSeq(s, `audit\n${scope}`, marker);
  const items: AuditEvent[] = [];
  let next: number | undefined;
  s.audit.newestFirst(before, (event, position) => {
    if (!filter(event)) return true;
    if (items.length === limit) {
      next = position + 1;
      return false;
    }
    items.push(event);
    return true;
  });
  return pageOf(s, `audit\n${scope}`, items, next);
}
