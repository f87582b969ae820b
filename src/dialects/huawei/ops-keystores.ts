/**
 * Huawei dedicated keystores: create-key-store, show-key-store, list-key-stores, enable-key-store,
 * disable-key-store, delete-key-store, over the engine's key-store room (engine/key-stores.ts).
 * A keystore's keys are made with create-key's `keystore_id`; while the keystore is disabled they
 * refuse every use but reads (KMS.0317). Wording Huawei does not publish is listed in docs/huawei.md.
 */
import type { KeyStoreInfo } from '../../engine/key-store-data.js';
import { HuaweiError, kmsError } from './errors.js';
import { ms } from './metadata.js';
import type { Body } from './validate.js';
import type { Call, Handler } from './call.js';

/** keystore_type values and the default (a keystore on a Dedicated HSM cluster, as the API reference describes it). */
export const KEYSTORE_TYPES = ['DEFAULT', 'DHSM', 'CDMS'] as const;
const DEFAULT_KEYSTORE_TYPE = 'DHSM';
/** The keystore_id create-key takes for the service's own keystore. */
export const DEFAULT_KEYSTORE_ID = '0';
/** keystore_state: as key_state words a key's state ("2" enabled, "3" disabled). */
const KEYSTORE_STATE = { Enabled: '2', Disabled: '3' } as const;
const UUID = /^[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}$/;
/** Attributes kept beside the neutral store, by Huawei's field names. */
const ATTRIBUTES = ['hsm_cluster_id', 'hsm_ca_cert', 'cluster_id'] as const;

/** A keystore that does not exist: KMS.8003 (errors.ts). */
export function keystoreNotFound(): HuaweiError {
  return kmsError('KMS.8003');
}

/** The keystore a path or body names, checked for form; the engine answers whether it exists. */
export function keystoreIdOf(body: Body): string {
  const id = body.keystore_id;
  if (id === undefined) throw kmsError('KMS.0204');
  if (typeof id !== 'string' || !UUID.test(id)) throw keystoreNotFound();
  return id;
}

function details(store: KeyStoreInfo): Record<string, string> {
  const cluster = store.properties.get('cluster_id') ?? store.properties.get('hsm_cluster_id') ?? '';
  return {
    keystore_id: store.id,
    domain_id: store.realm.account,
    keystore_alias: store.name,
    keystore_type: store.kind,
    hsm_cluster_id: store.properties.get('hsm_cluster_id') ?? '',
    cluster_id: cluster,
    create_time: ms(store.createdAt),
  };
}

function trailOf(call: Call, store: KeyStoreInfo): void {
  call.trail.resourceName = store.name;
}

export const createKeyStore: Handler = (call) => {
  const { engine, ctx, body } = call;
  const kind = (body.keystore_type as string | undefined) ?? DEFAULT_KEYSTORE_TYPE;
  const properties: Array<[string, string]> = [];
  for (const name of ATTRIBUTES) if (typeof body[name] === 'string' && body[name] !== '') properties.push([name, body[name] as string]);
  const cluster = (body.cluster_id as string | undefined) ?? (body.hsm_cluster_id as string | undefined);
  const stores = engine.listKeyStores(ctx);
  // Aliases are unique; a cluster holds one dedicated keystore (as CreateKeyStore documents both).
  if (stores.some((s) => s.name === body.keystore_alias)) throw kmsError('KMS.0318');
  if (cluster !== undefined && cluster !== '' && stores.some((s) => (s.properties.get('cluster_id') ?? s.properties.get('hsm_cluster_id')) === cluster)) throw kmsError('KMS.0308');
  const store = engine.createKeyStore(ctx, { kind, name: body.keystore_alias as string, properties });
  trailOf(call, store);
  return { keystore: { keystore_id: store.id, domain_id: store.realm.account } };
};

export const showKeyStore: Handler = (call) => {
  const store = call.engine.describeKeyStore(call.ctx, keystoreIdOf(call.body));
  trailOf(call, store);
  return { keystore: details(store) };
};

function count(value: unknown, fallback: number, code: string, min: number): number {
  if (value === undefined) return fallback;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,10}$/.test(text) || Number(text) < min) throw kmsError(code);
  return Number(text);
}

export const listKeyStores: Handler = (call) => {
  const limit = count(call.body.limit, 10, 'KMS.1601', 1);
  const offset = count(call.body.offset, 0, 'KMS.1603', 0);
  const stores = call.engine.listKeyStores(call.ctx);
  return { total: stores.length, keystores: stores.slice(offset, offset + limit).map(details) };
};

function stateHandler(enable: boolean): Handler {
  return (call) => {
    const id = keystoreIdOf(call.body);
    const store = enable ? call.engine.enableKeyStore(call.ctx, id) : call.engine.disableKeyStore(call.ctx, id);
    trailOf(call, store);
    return { keystore: { keystore_id: store.id, keystore_state: KEYSTORE_STATE[store.state] } };
  };
}
export const enableKeyStore = stateHandler(true);
export const disableKeyStore = stateHandler(false);

export const deleteKeyStore: Handler = (call) => {
  const store = call.engine.deleteKeyStore(call.ctx, keystoreIdOf(call.body));
  trailOf(call, store);
  return {};
};
