/**
 * Paging: markers are `<position>.<MAC>`, the MAC keyed by the engine's paging secret and bound to
 * the listing (its scope), so a marker from one listing is refused by another and cannot be forged.
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../crypto/bytes.js';
import { KmsError } from './errors.js';
import type { EngineState } from './state.js';
import type { Page, PageRequest } from './types.js';

function mac(s: EngineState, scope: string, seq: number): string {
  return toHex(hmac(sha256, s.markerSecret, utf8(`${scope}\n${seq}`)).subarray(0, 12));
}

/** The position a marker names (0 without one); InvalidMarker when it was not made for this scope. */
export function markerSeq(s: EngineState, scope: string, marker: string | undefined): number {
  if (marker === undefined) return 0;
  const m = /^(\d{1,15})\.([0-9a-f]{24})$/.exec(marker);
  if (!m || mac(s, scope, Number(m[1])) !== m[2]) {
    throw new KmsError('InvalidMarker', 'The request was rejected because the marker that specifies where pagination should next begin is not valid.', {
      resource: 'marker',
    });
  }
  return Number(m[1]);
}

export function pageOf<T>(s: EngineState, scope: string, items: T[], nextSeq: number | undefined): Page<T> {
  return nextSeq === undefined ? { items } : { items, nextMarker: `${nextSeq}.${mac(s, scope, nextSeq)}` };
}

/** Pages over a short in-memory list; the marker is the next index. */
export function pageArray<T>(s: EngineState, scope: string, all: T[], page: PageRequest): Page<T> {
  const from = markerSeq(s, scope, page.marker);
  const items = all.slice(from, from + page.limit);
  return pageOf(s, scope, items, from + page.limit < all.length ? from + page.limit : undefined);
}
