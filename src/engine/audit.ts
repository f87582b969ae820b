import type { Principal, Realm } from './types.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AuditResource {
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
}

/**
 * One neutral audit event: an API call (successful or not) or a service event such as an
 * automatic rotation. Plaintext, key material, ciphertext and signatures never enter an event:
 * dialects hand in request and response summaries with secrets removed.
 */
export interface AuditEvent {
  readonly eventId: string;
  readonly time: number;
  readonly kind: 'api_call' | 'service_event';
  /** The dialect that served the call; absent for service events. */
  readonly dialect?: string;
  /** The provider's action name for API calls; for service events the neutral event name. */
  readonly action: string;
  readonly realm: Realm;
  readonly principal?: Principal;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly requestId?: string;
  readonly readOnly: boolean;
  readonly resources: readonly AuditResource[];
  readonly request: JsonValue | null;
  readonly response: JsonValue | null;
  readonly additional?: { readonly [key: string]: JsonValue };
  readonly error?: { readonly code: string; readonly message: string };
}

/** Service events the engine emits on its own. */
export const ServiceEvent = {
  rotateKey: 'rotate-key',
  deleteKey: 'delete-key',
  /** Imported key material reached its expiry and was deleted. */
  deleteExpiredKeyMaterial: 'DeleteExpiredKeyMaterial',
} as const;

/** Bounds of what one audit event keeps of a request or response. */
export const AUDIT_VALUE_LIMITS = {
  /** Nesting depth kept; deeper values become placeholders. */
  maxDepth: 8,
  /** A longer string becomes a placeholder (32 KiB: an AWS key policy fits). */
  maxStringLength: 32_768,
  /** JSON bytes of one event's request, response and additional data together, about. */
  maxEventBytes: 65_536,
} as const;

/**
 * What an audit event keeps instead of a value it omits, with the value's size, as audit trails
 * omit oversized fields: `[omitted: unknown member, 900012 bytes]`.
 */
export function omittedValue(why: string, value: unknown): string {
  return `[omitted: ${why}, ${jsonBytes(value)} bytes]`;
}

/**
 * The JSON size of a value in UTF-8 bytes, about (exact for ASCII); values that are not JSON count
 * as their placeholder would. Walks at most `budget` values.
 */
export function jsonBytes(value: unknown, budget = 200_000): number {
  let bytes = 0;
  let seen = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && seen++ < budget) {
    const v = stack.pop();
    if (typeof v === 'string') bytes += utf8Length(v) + 2;
    else if (typeof v === 'number') bytes += String(v).length;
    else if (typeof v === 'boolean') bytes += v ? 4 : 5;
    else if (v === null || typeof v !== 'object') bytes += 4;
    else if (Array.isArray(v)) {
      bytes += 2 + Math.max(0, v.length - 1);
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else {
      let members = 0;
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        members++;
        bytes += utf8Length(k) + 3;
        stack.push((v as Record<string, unknown>)[k]);
      }
      bytes += 2 + Math.max(0, members - 1);
    }
  }
  return bytes;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : c < 0x800 ? 1 : 0;
  }
  return n;
}

/**
 * A JSON value an audit event can always keep, write and read back: plain objects (each member
 * an own property, `__proto__` included, as JSON.parse makes them; with V8's fast properties, which
 * JSON.stringify walks and the collector keeps at a fraction of a null-prototype object's cost), arrays, strings, finite numbers, booleans and null, at most AUDIT_VALUE_LIMITS deep and
 * long. What does not fit (a value JSON has not, a string too long, nesting too deep, an event too
 * large) is replaced by a placeholder naming its size. Never throws.
 */
export function boundedAuditValue(value: unknown, budget = { bytes: AUDIT_VALUE_LIMITS.maxEventBytes }): JsonValue {
  try {
    return bound(value, 0, budget);
  } catch {
    return '[omitted: not a JSON value]';
  }
}

function bound(value: unknown, depth: number, budget: { bytes: number }): JsonValue {
  switch (typeof value) {
    case 'string': {
      if (value.length > AUDIT_VALUE_LIMITS.maxStringLength) return spend(budget, omittedValue('oversized value', value));
      return spend(budget, value);
    }
    case 'number':
      return Number.isFinite(value) ? spend(budget, value) : '[omitted: not a JSON value]';
    case 'boolean':
      return spend(budget, value);
    case 'object':
      break;
    default:
      return '[omitted: not a JSON value]';
  }
  if (value === null) return spend(budget, null);
  if (depth >= AUDIT_VALUE_LIMITS.maxDepth) return spend(budget, omittedValue('nested too deeply', value));
  if (budget.bytes <= 0) return omittedValue('event too large', value);
  if (Array.isArray(value)) {
    budget.bytes -= 2;
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      if (budget.bytes <= 0) {
        out.push(omittedValue(`${value.length - i} more elements`, value.slice(i)));
        break;
      }
      out.push(bound(value[i], depth + 1, budget));
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return '[omitted: not a JSON value]';
  budget.bytes -= 2;
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    const key = k.length > 256 ? omittedValue('oversized member name', k) : k;
    budget.bytes -= utf8Length(key) + 3;
    const kept = budget.bytes <= 0 ? omittedValue('event too large', v) : bound(v, depth + 1, budget);
    // An own member whatever its name: assigning '__proto__' would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[key] = kept;
  }
  return out;
}

function spend<T extends JsonValue>(budget: { bytes: number }, value: T): T {
  budget.bytes -= typeof value === 'string' ? utf8Length(value) + 2 : 8;
  return value;
}

/** What an event costs beyond its request, response and additional data (ids, names, realm, principal). */
export const AUDIT_EVENT_OVERHEAD_BYTES = 400;

/** The approximate size an event takes in memory and on disk, counted once when it is appended. */
function eventBytes(event: AuditEvent): number {
  return AUDIT_EVENT_OVERHEAD_BYTES + jsonBytes(event.request) + jsonBytes(event.response) + (event.additional ? jsonBytes(event.additional) : 0);
}

/** Default bounds of the audit stream: 100,000 events and 32 MiB, whichever is reached first. */
export const DEFAULT_AUDIT_EVENTS = 100_000;
export const DEFAULT_AUDIT_BYTES = 32 * 1024 * 1024;

/** Audit events restored without being read: their sizes (oldest first) and how to read them when first needed. */
export interface DeferredAudit {
  readonly sizes: readonly number[];
  readonly events: () => readonly AuditEvent[];
}

/**
 * The append-only audit stream, bounded by count and by bytes: beyond `limit` events or
 * `byteLimit` bytes (each event's size counted once when appended) the oldest are dropped.
 */
export class AuditLog {
  /** Retained events from #start on; undefined where a deferred event has not been read yet (see restoreDeferred). */
  #events: Array<AuditEvent | undefined> = [];
  #sizes: number[] = [];
  #start = 0;
  #appended = 0;
  #bytes = 0;
  /** Events restored without being read: #events[i] is events()[offset + i] for i < end. */
  #deferred: { events: () => readonly AuditEvent[]; count: number; offset: number; end: number } | undefined;

  constructor(
    readonly limit = DEFAULT_AUDIT_EVENTS,
    readonly byteLimit = DEFAULT_AUDIT_BYTES,
  ) {}

  /** Appends `event`; `size` is its size in bytes when the caller already counted it (see boundedAuditValue). */
  append(event: AuditEvent, size = eventBytes(event)): void {
    this.#appended++;
    this.#events.push(event);
    this.#sizes.push(size);
    this.#bytes += size;
    // The newest event always stays, whatever its size.
    while (this.#events.length - this.#start > 1 && (this.#events.length - this.#start > this.limit || this.#bytes > this.byteLimit)) {
      this.#bytes -= this.#sizes[this.#start]!;
      this.#start++;
    }
    if (this.#start > 4096 && this.#start * 2 > this.#events.length) {
      const d = this.#deferred;
      if (d) {
        d.offset += this.#start;
        d.end -= this.#start;
        if (d.end <= 0) this.#deferred = undefined;
      }
      this.#events = this.#events.slice(this.#start);
      this.#sizes = this.#sizes.slice(this.#start);
      this.#start = 0;
    }
  }

  /**
   * Replaces the stream with `events` (oldest first), keeping what appending them one by one would
   * keep; `sizes` are their sizes when already counted (otherwise each event is walked once).
   */
  restore(events: readonly AuditEvent[], sizes: readonly number[] = events.map((e) => eventBytes(e))): void {
    const from = this.#replace(sizes);
    this.#events = events.slice(from);
  }

  /**
   * Replaces the stream with events that are read only when first needed (list, or since reaching
   * back to them): a durable store's snapshot holds the last 10,000 events, which no call needs to
   * start answering. `sizes` are their sizes, oldest first; `events()` must return exactly as many.
   */
  restoreDeferred(sizes: readonly number[], events: () => readonly AuditEvent[]): void {
    const from = this.#replace(sizes);
    const end = sizes.length - from;
    this.#events = new Array<AuditEvent | undefined>(end).fill(undefined);
    this.#deferred = end > 0 ? { events, count: sizes.length, offset: from, end } : undefined;
  }

  /** Clears, then keeps the newest of `sizes` that fit the bounds (at least one, as append does); returns the first kept. */
  #replace(sizes: readonly number[]): number {
    this.clear();
    const count = sizes.length;
    this.#appended += count;
    let from = count;
    let bytes = 0;
    // Appending keeps the longest run of newest events within both bounds: the same run, found from the end.
    while (from > 0 && (from === count || (count - from < this.limit && bytes + sizes[from - 1]! <= this.byteLimit))) bytes += sizes[--from]!;
    this.#sizes = sizes.slice(from);
    this.#bytes = bytes;
    return from;
  }

  /** Reads the deferred events into place (once). */
  #materialize(): void {
    const d = this.#deferred;
    if (!d) return;
    const all = d.events();
    if (all.length !== d.count) throw new Error(`The deferred audit events are ${all.length}, not the ${d.count} their sizes count.`);
    for (let i = this.#start; i < d.end; i++) this.#events[i] = all[d.offset + i];
    this.#deferred = undefined;
  }

  /** The retained events, oldest first. */
  list(filter?: (event: AuditEvent) => boolean): AuditEvent[] {
    this.#materialize();
    const out: AuditEvent[] = [];
    for (let i = this.#start; i < this.#events.length; i++) {
      const e = this.#events[i]!;
      if (!filter || filter(e)) out.push(e);
    }
    return out;
  }

  /** The retained events' sizes as counted when they were appended, oldest first (as list() gives the events). */
  sizes(): number[] {
    return this.#sizes.slice(this.#start);
  }

  /** How many events were ever appended, dropped and cleared ones included: a position in the stream. */
  get appended(): number {
    return this.#appended;
  }

  /** The retained events appended after stream position `from` (see `appended`), oldest first. */
  since(from: number): AuditEvent[] {
    const count = Math.min(this.#appended - from, this.size);
    if (count <= 0) return [];
    if (this.#deferred && this.#events.length - count < this.#deferred.end) this.#materialize();
    return this.#events.slice(this.#events.length - count) as AuditEvent[];
  }

  /**
   * Visits the retained events at stream positions below `before` (see `appended`; the oldest event
   * ever appended is at 0), newest first, until `visit` returns false.
   */
  newestFirst(before: number, visit: (event: AuditEvent, position: number) => boolean): void {
    this.#materialize();
    const base = this.#appended - this.#events.length;
    const from = Math.min(this.#events.length, before - base) - 1;
    for (let i = from; i >= this.#start; i--) if (!visit(this.#events[i]!, base + i)) return;
  }

  get size(): number {
    return this.#events.length - this.#start;
  }

  /** The retained events' size in bytes, about (see `byteLimit`). */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#deferred = undefined;
    this.#events = [];
    this.#sizes = [];
    this.#start = 0;
    this.#bytes = 0;
  }
}
