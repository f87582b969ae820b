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

/** The append-only audit stream, bounded: beyond `limit` events the oldest are dropped. */
export class AuditLog {
  #events: AuditEvent[] = [];
  #start = 0;
  #appended = 0;

  constructor(readonly limit = 100_000) {}

  append(event: AuditEvent): void {
    this.#appended++;
    this.#events.push(event);
    if (this.#events.length - this.#start > this.limit) {
      this.#start++;
      if (this.#start > 4096 && this.#start * 2 > this.#events.length) {
        this.#events = this.#events.slice(this.#start);
        this.#start = 0;
      }
    }
  }

  /** The retained events, oldest first. */
  list(filter?: (event: AuditEvent) => boolean): AuditEvent[] {
    const out: AuditEvent[] = [];
    for (let i = this.#start; i < this.#events.length; i++) {
      const e = this.#events[i]!;
      if (!filter || filter(e)) out.push(e);
    }
    return out;
  }

  /** How many events were ever appended, dropped and cleared ones included: a position in the stream. */
  get appended(): number {
    return this.#appended;
  }

  /** The retained events appended after stream position `from` (see `appended`), oldest first. */
  since(from: number): AuditEvent[] {
    const count = Math.min(this.#appended - from, this.size);
    return count <= 0 ? [] : this.#events.slice(this.#events.length - count);
  }

  get size(): number {
    return this.#events.length - this.#start;
  }

  clear(): void {
    this.#events = [];
    this.#start = 0;
  }
}
