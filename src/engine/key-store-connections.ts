/**
 * The connection of a key store to its backing (a dedicated HSM cluster, an external key manager
 * behind a proxy): Disconnected → Connecting → Connected or Failed → Disconnecting → Disconnected.
 * Connecting and Disconnecting are transient: each ends when the injected clock reaches its `until`
 * (the due-work queue, task `settle-store`), as a replica's Creating does. Whether a connection
 * attempt succeeds is decided by the caller when it starts (the dialect reaches the backing: a
 * cluster look-up, a proxy's health check) and shows when it ends. While a store is not Connected,
 * its keys are Unavailable (key-stores.ts, storeUnavailable).
 */

import { KmsError } from './errors.js';
import { refuseDryRun } from './checks.js';
import { authorizeWithoutKey } from './access.js';
import { assertNameFree, checkProperties, queueStoreSettle, storeRecord, storesOf } from './key-stores.js';
import { keyStoreView, type ConnectionState, type KeyStoreInfo, type KeyStoreRecord } from './key-store-data.js';
import type { EngineState } from './state.js';
import type { CallContext } from './types.js';

/** Connecting takes this long unless the dialect says otherwise; disconnecting, DISCONNECT_SETTLE_MS. */
export const CONNECT_SETTLE_MS = 5_000;
export const DISCONNECT_SETTLE_MS = 1_000;

function connectionOf(store: KeyStoreRecord): NonNullable<KeyStoreRecord['connection']> {
  if (!store.connection) {
    throw new KmsError('Unsupported', `Key store ${store.id} does not connect.`, { resource: 'key-store', reason: 'key-store-connects-not', keyStoreId: store.id });
  }
  return store.connection;
}

function wrongConnection(store: KeyStoreRecord, state: ConnectionState): KmsError {
  return new KmsError('InvalidState', `Key store ${store.id} is ${state.toLowerCase()}.`, { resource: 'key-store', reason: 'key-store-connection', keyStoreId: store.id, connection: state });
}

export interface ConnectInput {
  /** Why the attempt fails (the dialect's connection error code); undefined: it succeeds. */
  failure?: string | undefined;
  /** How long Connecting lasts (default CONNECT_SETTLE_MS). */
  settleMs?: number;
}

/**
 * Starts connecting a store. A store that is Connecting or Connected stays as it is; one that is
 * Disconnecting or Failed is refused (InvalidState, reason key-store-connection): a failed store is
 * disconnected first.
 */
export function connectKeyStore(s: EngineState, ctx: CallContext, id: string, input: ConnectInput = {}): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'manageKeyStore');
  const store = storeRecord(s, ctx, id);
  const connection = connectionOf(store);
  if (connection.state === 'Disconnecting' || connection.state === 'Failed') throw wrongConnection(store, connection.state);
  refuseDryRun(ctx);
  if (connection.state !== 'Disconnected') return keyStoreView(store);
  const next = input.failure !== undefined ? { state: 'Failed' as const, errorCode: input.failure } : { state: 'Connected' as const };
  transition(s, store, 'Connecting', next, input.settleMs ?? CONNECT_SETTLE_MS);
  return keyStoreView(store);
}

/** Starts disconnecting a store that is Connecting, Connected or Failed; one already Disconnected or Disconnecting is refused. */
export function disconnectKeyStore(s: EngineState, ctx: CallContext, id: string, settleMs = DISCONNECT_SETTLE_MS): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'manageKeyStore');
  const store = storeRecord(s, ctx, id);
  const connection = connectionOf(store);
  if (connection.state === 'Disconnected' || connection.state === 'Disconnecting') throw wrongConnection(store, connection.state);
  refuseDryRun(ctx);
  transition(s, store, 'Disconnecting', { state: 'Disconnected' }, settleMs);
  return keyStoreView(store);
}

function transition(s: EngineState, store: KeyStoreRecord, state: ConnectionState, next: { state: ConnectionState; errorCode?: string }, settleMs: number): void {
  if (!Number.isFinite(settleMs) || settleMs <= 0) {
    store.connection = next.errorCode !== undefined ? { state: next.state, errorCode: next.errorCode } : { state: next.state };
  } else {
    store.connection = { state, until: s.now() + settleMs, next };
    queueStoreSettle(s, store);
  }
  s.changes.keyStores.add(store);
}

/** Due work: a Connecting or Disconnecting store reaches its next state (a stale task does nothing). */
export function settleKeyStore(s: EngineState, task: { account: string; region: string; keyId: string; due: number }): void {
  const store = storesOf(s, { account: task.account, region: task.region })?.get(task.keyId);
  const c = store?.connection;
  if (!store || !c || c.until !== task.due || !c.next) return;
  store.connection = c.next.errorCode !== undefined ? { state: c.next.state, errorCode: c.next.errorCode } : { state: c.next.state };
  s.changes.keyStores.add(store);
}

export interface UpdateKeyStoreInput {
  name?: string | undefined;
  /** Attributes to set (a value) or remove (undefined). */
  properties?: ReadonlyArray<readonly [string, string | undefined]>;
}

/** Renames a store and changes its attributes; which connection states allow which change is the dialect's rule. */
export function updateKeyStore(s: EngineState, ctx: CallContext, id: string, input: UpdateKeyStoreInput): KeyStoreInfo {
  authorizeWithoutKey(ctx, 'manageKeyStore');
  const store = storeRecord(s, ctx, id);
  if (input.name !== undefined) assertNameFree(s, store.realm, input.name, store.id);
  const properties = new Map(store.properties);
  for (const [k, v] of input.properties ?? []) {
    if (v === undefined) properties.delete(k);
    else properties.set(k, v);
  }
  const checked = checkProperties([...properties]);
  refuseDryRun(ctx);
  if (input.name !== undefined) store.name = input.name;
  store.properties = checked;
  s.changes.keyStores.add(store);
  return keyStoreView(store);
}
