/**
 * Key stores: where a key's material lives when it is not the service's own (a dedicated keystore,
 * later custom key stores). A store has an id, a kind (the dialect's word for its backing: a
 * dedicated HSM cluster, a card cluster, …), a name unique in its realm, an enabled state and the
 * provider's own attributes (cluster ids, certificates) as strings. The keys it holds name it
 * (`KeyRecord.keyStoreId`). Records and snapshot entries; the operations are in key-stores.ts.
 */

import * as z from 'zod/mini';
import { lazy } from './schema.js';
import type { Realm } from './types.js';

export const KEY_STORE_STATES = ['Enabled', 'Disabled'] as const;
export type KeyStoreState = (typeof KEY_STORE_STATES)[number];

/**
 * The connection of a store that connects to its backing (a dedicated HSM cluster, an external key
 * manager behind a proxy): Disconnected → Connecting → Connected or Failed → Disconnecting →
 * Disconnected. Connecting and Disconnecting end at `until` (the due-work queue), in `next`.
 * While it is not Connected, the store's keys are Unavailable.
 */
export const CONNECTION_STATES = ['Disconnected', 'Connecting', 'Connected', 'Failed', 'Disconnecting'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface StoreConnection {
  readonly state: ConnectionState;
  /** Why the last connection attempt failed (the dialect's code), while Failed. */
  readonly errorCode?: string;
  /** When a Connecting or Disconnecting store settles, and in which state. */
  readonly until?: number;
  readonly next?: { readonly state: ConnectionState; readonly errorCode?: string };
}

export interface KeyStoreInfo {
  readonly id: string;
  readonly realm: Realm;
  readonly kind: string;
  readonly name: string;
  readonly state: KeyStoreState;
  readonly createdAt: number;
  /** The provider's attributes of the store (cluster ids, certificates), by the dialect's names. */
  readonly properties: ReadonlyMap<string, string>;
  /** Present for a store that connects to its backing (see StoreConnection). */
  readonly connection?: StoreConnection;
}

export interface KeyStoreRecord extends KeyStoreInfo {
  name: string;
  state: KeyStoreState;
  properties: Map<string, string>;
  connection?: StoreConnection;
}

/** Attributes a store takes at most, and their longest value (a CA certificate fits). */
export const KEY_STORE_LIMITS = { properties: 16, propertyBytes: 65_536, nameLength: 255 } as const;

/** Built on first use, as the snapshot's schemas are (./snapshot.ts). */
export const keyStoreSchema = lazy(() =>
  z.object({
    account: z.string().check(z.minLength(1), z.maxLength(255)),
    region: z.string().check(z.minLength(1), z.maxLength(255)),
    id: z.string().check(z.minLength(1), z.maxLength(255)),
    kind: z.string().check(z.minLength(1), z.maxLength(64)),
    name: z.string().check(z.minLength(1), z.maxLength(KEY_STORE_LIMITS.nameLength)),
    state: z.enum(KEY_STORE_STATES),
    createdAt: z.number(),
    properties: z.array(z.tuple([z.string().check(z.maxLength(64)), z.string().check(z.maxLength(KEY_STORE_LIMITS.propertyBytes))])).check(z.maxLength(KEY_STORE_LIMITS.properties)),
    connection: z.optional(
      z.object({
        state: z.enum(CONNECTION_STATES),
        errorCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
        until: z.optional(z.number()),
        next: z.optional(z.object({ state: z.enum(CONNECTION_STATES), errorCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))) })),
      }),
    ),
  }),
);
export type KeyStoreSnapshot = z.infer<typeof keyStoreSchema>;

export const removedKeyStoreSchema = lazy(() => z.object({ account: z.string(), region: z.string(), id: z.string() }));

export function keyStoreSnapshot(k: KeyStoreRecord): KeyStoreSnapshot {
  return {
    account: k.realm.account,
    region: k.realm.region,
    id: k.id,
    kind: k.kind,
    name: k.name,
    state: k.state,
    createdAt: k.createdAt,
    properties: [...k.properties],
    ...(k.connection ? { connection: connectionCopy(k.connection) } : {}),
  };
}

export function keyStoreFromSnapshot(s: KeyStoreSnapshot, realm: Realm): KeyStoreRecord {
  return { id: s.id, realm, kind: s.kind, name: s.name, state: s.state, createdAt: s.createdAt, properties: new Map(s.properties), ...(s.connection ? { connection: connectionCopy(s.connection) } : {}) };
}

/** A copy callers may keep: later changes to the store do not show in it. */
export function keyStoreView(k: KeyStoreRecord): KeyStoreInfo {
  return { id: k.id, realm: k.realm, kind: k.kind, name: k.name, state: k.state, createdAt: k.createdAt, properties: new Map(k.properties), ...(k.connection ? { connection: connectionCopy(k.connection) } : {}) };
}

function connectionCopy(c: StoreConnection): StoreConnection {
  return {
    state: c.state,
    ...(c.errorCode !== undefined ? { errorCode: c.errorCode } : {}),
    ...(c.until !== undefined ? { until: c.until } : {}),
    ...(c.next ? { next: { state: c.next.state, ...(c.next.errorCode !== undefined ? { errorCode: c.next.errorCode } : {}) } } : {}),
  };
}
