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

export interface KeyStoreInfo {
  readonly id: string;
  readonly realm: Realm;
  readonly kind: string;
  readonly name: string;
  readonly state: KeyStoreState;
  readonly createdAt: number;
  /** The provider's attributes of the store (cluster ids, certificates), by the dialect's names. */
  readonly properties: ReadonlyMap<string, string>;
}

export interface KeyStoreRecord extends KeyStoreInfo {
  state: KeyStoreState;
  properties: Map<string, string>;
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
  };
}

export function keyStoreFromSnapshot(s: KeyStoreSnapshot, realm: Realm): KeyStoreRecord {
  return { id: s.id, realm, kind: s.kind, name: s.name, state: s.state, createdAt: s.createdAt, properties: new Map(s.properties) };
}

/** A copy callers may keep: later changes to the store do not show in it. */
export function keyStoreView(k: KeyStoreRecord): KeyStoreInfo {
  return { id: k.id, realm: k.realm, kind: k.kind, name: k.name, state: k.state, createdAt: k.createdAt, properties: new Map(k.properties) };
}
