/**
 * The part of the engine's facade for the resources that live beside keys: white-box keys, hosted
 * data keys, standalone (key-space) policies, key stores and access points. One-line methods, as in
 * engine.ts; `Engine` extends this class and supplies the way in (`enter`: due work once per request)
 * and the state (`state`, for reads that run nothing).
 */

import type { CallContext, KeyInfo, KeyRef, Page, PageRequest } from './types.js';
import { pageArray } from './paging.js';
import type { EngineState } from './state.js';
import { createWhiteBoxKey, deleteWhiteBoxKey, describeWhiteBoxKey, listWhiteBoxKeys, setWhiteBoxFingerprints, setWhiteBoxState, whiteBoxEncrypt, whiteBoxSecret } from './white-box.js';
import type { CreateWhiteBoxKeyInput, DeviceFingerprint, WhiteBoxKeyInfo } from './white-box-data.js';
import * as dataKeys from './data-keys.js';
import * as standalonePolicies from './standalone-policies.js';
import type { StandalonePolicyInfo } from './standalone-policies.js';
import * as keyStores from './key-stores.js';
import { openForStore, sealForStore } from './store-seal.js';
import * as accessPoints from './access-points.js';
import type { AccessPointInfo, CreateAccessPointInput } from './access-points.js';
import type { CreateKeyStoreInput } from './key-stores.js';
import { keyStoreView, type KeyStoreInfo } from './key-store-data.js';
import * as connections from './key-store-connections.js';
import type { ConnectInput, UpdateKeyStoreInput } from './key-store-connections.js';
import type { DataKeyInfo, HostDataKeyInput } from './data-keys.js';

export abstract class ResourceFacade {
  /** Runs due work once, as a request enters, and gives the state. */
  protected abstract enter(): EngineState;
  /** The state, for reads that run nothing. */
  protected abstract state(): EngineState;

  // ---------------------------------------------------------------- white-box keys

  createWhiteBoxKey(ctx: CallContext, input: CreateWhiteBoxKeyInput): { key: WhiteBoxKeyInfo; secret: Uint8Array } {
    return createWhiteBoxKey(this.enter(), ctx, input);
  }

  describeWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    return describeWhiteBoxKey(this.state(), ctx, id);
  }

  listWhiteBoxKeys(ctx: CallContext): readonly WhiteBoxKeyInfo[] {
    return listWhiteBoxKeys(this.state(), ctx);
  }

  enableWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    return setWhiteBoxState(this.enter(), ctx, id, 'Enabled');
  }

  disableWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    return setWhiteBoxState(this.enter(), ctx, id, 'Disabled');
  }

  deleteWhiteBoxKey(ctx: CallContext, id: string): WhiteBoxKeyInfo {
    return deleteWhiteBoxKey(this.enter(), ctx, id);
  }

  whiteBoxEncrypt(ctx: CallContext, id: string, plaintext: Uint8Array, iv?: Uint8Array): { key: WhiteBoxKeyInfo; iv: Uint8Array; ciphertext: Uint8Array } {
    return whiteBoxEncrypt(this.enter(), ctx, id, plaintext, iv);
  }

  whiteBoxSecret(ctx: CallContext, id: string): { key: WhiteBoxKeyInfo; secret: Uint8Array } {
    return whiteBoxSecret(this.state(), ctx, id);
  }

  setWhiteBoxFingerprints(ctx: CallContext, id: string, list: readonly DeviceFingerprint[]): WhiteBoxKeyInfo {
    return setWhiteBoxFingerprints(this.enter(), ctx, id, list);
  }

  // ---------------------------------------------------------------- standalone policies (standalone-policies.ts)

  createStandalonePolicy(ctx: CallContext, input: { scope: string; name: string; document: string; description?: string }): StandalonePolicyInfo {
    return standalonePolicies.createStandalonePolicy(this.enter(), ctx, input);
  }
  getStandalonePolicy(ctx: CallContext, id: string): StandalonePolicyInfo {
    return standalonePolicies.getStandalonePolicy(this.enter(), ctx, id);
  }
  listStandalonePolicies(ctx: CallContext, scope?: string): StandalonePolicyInfo[] {
    return standalonePolicies.listStandalonePolicies(this.enter(), ctx, scope);
  }
  updateStandalonePolicy(ctx: CallContext, id: string, change: { document: string; description?: string }): StandalonePolicyInfo {
    return standalonePolicies.updateStandalonePolicy(this.enter(), ctx, id, change);
  }
  deleteStandalonePolicy(ctx: CallContext, id: string): StandalonePolicyInfo {
    return standalonePolicies.deleteStandalonePolicy(this.enter(), ctx, id);
  }

  // ---------------------------------------------------------------- key stores (key-stores.ts)

  createKeyStore(ctx: CallContext, input: CreateKeyStoreInput): KeyStoreInfo {
    return keyStores.createKeyStore(this.enter(), ctx, input);
  }
  describeKeyStore(ctx: CallContext, id: string): KeyStoreInfo {
    return keyStores.describeKeyStore(this.enter(), ctx, id);
  }
  listKeyStores(ctx: CallContext): KeyStoreInfo[] {
    return keyStores.listKeyStores(this.enter(), ctx);
  }
  enableKeyStore(ctx: CallContext, id: string): KeyStoreInfo {
    return keyStores.setKeyStoreState(this.enter(), ctx, id, 'Enabled');
  }
  disableKeyStore(ctx: CallContext, id: string): KeyStoreInfo {
    return keyStores.setKeyStoreState(this.enter(), ctx, id, 'Disabled');
  }
  deleteKeyStore(ctx: CallContext, id: string): KeyStoreInfo {
    return keyStores.deleteKeyStore(this.enter(), ctx, id);
  }
  /** `plaintext` sealed for a store scope of the caller's realm (store-seal.ts); the scope is not looked up. */
  sealForKeyStore(ctx: CallContext, scope: string, plaintext: Uint8Array): Uint8Array {
    return sealForStore(this.enter(), ctx, scope, plaintext);
  }
  /** What sealForKeyStore sealed for this realm and scope, else undefined. */
  openForKeyStore(ctx: CallContext, scope: string, sealed: Uint8Array): Uint8Array | undefined {
    return openForStore(this.state(), ctx, scope, sealed);
  }
  /** Starts connecting a store that connects (key-store-connections.ts); `failure` is how the attempt ends, if it fails. */
  connectKeyStore(ctx: CallContext, id: string, input?: ConnectInput): KeyStoreInfo {
    return connections.connectKeyStore(this.enter(), ctx, id, input);
  }
  disconnectKeyStore(ctx: CallContext, id: string, settleMs?: number): KeyStoreInfo {
    return connections.disconnectKeyStore(this.enter(), ctx, id, settleMs);
  }
  updateKeyStore(ctx: CallContext, id: string, input: UpdateKeyStoreInput): KeyStoreInfo {
    return connections.updateKeyStore(this.enter(), ctx, id, input);
  }
  /** The store that holds `key`, in the key's own realm, if any (no authorization: the key was reached already). */
  keyStoreOf(key: Pick<KeyInfo, 'realm' | 'keyStoreId'>): KeyStoreInfo | undefined {
    const store = key.keyStoreId === undefined ? undefined : keyStores.storesOf(this.state(), key.realm)?.get(key.keyStoreId);
    return store ? keyStoreView(store) : undefined;
  }
  /** A page of a short list the dialect made (of stores, …): markers bound to the caller's realm and `scope`. */
  pageItems<T>(ctx: CallContext, scope: string, items: T[], page: PageRequest): Page<T> {
    return pageArray(this.enter(), `${ctx.realm.account}|${ctx.realm.region}|${scope}`, items, page);
  }
  /** The ids of the keys a store of the caller's realm holds (keys pending deletion included). */
  keysInKeyStore(ctx: CallContext, id: string): string[] {
    const s = this.enter();
    keyStores.describeKeyStore(s, ctx, id);
    return keyStores.keysInStore(s, ctx.realm, id);
  }

  // ---------------------------------------------------------------- access points (access-points.ts)

  createAccessPoint(ctx: CallContext, input: CreateAccessPointInput): Promise<AccessPointInfo> {
    return accessPoints.createAccessPoint(this.enter(), ctx, input);
  }
  listAccessPoints(ctx: CallContext, space?: string): AccessPointInfo[] {
    return accessPoints.listAccessPoints(this.enter(), ctx, space);
  }
  enableAccessPoint(ctx: CallContext, id: string): AccessPointInfo {
    return accessPoints.setAccessPointState(this.enter(), ctx, id, 'Enabled');
  }
  disableAccessPoint(ctx: CallContext, id: string): AccessPointInfo {
    return accessPoints.setAccessPointState(this.enter(), ctx, id, 'Disabled');
  }
  deleteAccessPoint(ctx: CallContext, id: string): AccessPointInfo {
    return accessPoints.deleteAccessPoint(this.enter(), ctx, id);
  }
  accessPointKeyPair(ctx: CallContext, id: string): { accessPoint: AccessPointInfo; privateKey: Uint8Array; publicKey: Uint8Array } {
    return accessPoints.accessPointKeyPair(this.enter(), ctx, id);
  }

  // ---------------------------------------------------------------- hosted data keys (data-keys.ts)

  hostDataKey(ctx: CallContext, ref: KeyRef | undefined, input: HostDataKeyInput): { key: KeyInfo; dataKey: DataKeyInfo; plaintext: Uint8Array; ciphertext: Uint8Array } {
    return dataKeys.hostDataKey(this.enter(), ctx, ref, input);
  }
  describeDataKey(ctx: CallContext, id: string): DataKeyInfo {
    return dataKeys.describeDataKey(this.enter(), ctx, id);
  }
  listDataKeys(ctx: CallContext): readonly DataKeyInfo[] {
    return dataKeys.listDataKeys(this.enter(), ctx);
  }
  updateDataKey(ctx: CallContext, id: string, change: { name?: string; description?: string }): DataKeyInfo {
    return dataKeys.updateDataKey(this.enter(), ctx, id, change);
  }
  enableDataKey(ctx: CallContext, id: string): DataKeyInfo {
    return dataKeys.enableDataKey(this.enter(), ctx, id);
  }
  disableDataKey(ctx: CallContext, id: string): DataKeyInfo {
    return dataKeys.disableDataKey(this.enter(), ctx, id);
  }
  scheduleDataKeyDeletion(ctx: CallContext, id: string, days: number): DataKeyInfo {
    return dataKeys.scheduleDataKeyDeletion(this.enter(), ctx, id, days);
  }
  cancelDataKeyDeletion(ctx: CallContext, id: string): DataKeyInfo {
    return dataKeys.cancelDataKeyDeletion(this.enter(), ctx, id);
  }
  dataKeyPlaintext(ctx: CallContext, id: string): { dataKey: DataKeyInfo; key: KeyInfo; plaintext: Uint8Array } {
    return dataKeys.dataKeyPlaintext(this.enter(), ctx, id);
  }
  dataKeyCiphertext(ctx: CallContext, id: string): { dataKey: DataKeyInfo; ciphertext: Uint8Array } {
    return dataKeys.dataKeyCiphertext(this.enter(), ctx, id);
  }
}
