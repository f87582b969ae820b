/**
 * AWS custom key stores: CreateCustomKeyStore, ConnectCustomKeyStore, DisconnectCustomKeyStore,
 * DescribeCustomKeyStores, UpdateCustomKeyStore, DeleteCustomKeyStore. CloudHSM key stores connect
 * to an emulated cluster (custom-key-stores.ts); external key stores to an XKS proxy (xks-calls.ts).
 */
import { isKmsError } from '../../engine/errors.js';
import type { JsonValue } from '../../engine/audit.js';
import type { KeyStoreInfo } from '../../engine/index.js';
import { AwsServiceError } from './errors.js';
import { type Call, type Handler, page, validation } from './call.js';
import {
  clusterInvalidConfiguration,
  clusterNotActive,
  clusterNotFound,
  clusterOf,
  customKeyStoresListEntry,
  invalidConnectionState,
  keyStoreNotFound,
  P,
  pemCertificate,
  sameCertificate,
  STORE_KIND,
  storeType,
  type Cluster,
} from './custom-key-stores.js';
import { checkExternalKey, checkProxy, proxyConnectionFailure, xksSettings } from './xks-calls.js';

/** The AWS store `id` of the caller's realm, or CustomKeyStoreNotFoundException. */
export function awsStore(call: Call, id: string): KeyStoreInfo {
  let store: KeyStoreInfo;
  try {
    store = call.engine.describeKeyStore(call.ctx, id);
  } catch (e) {
    if (isKmsError(e) && e.code === 'NotFound') throw keyStoreNotFound();
    throw e;
  }
  if (storeType(store) === undefined) throw keyStoreNotFound();
  return store;
}

function awsStores(call: Call): KeyStoreInfo[] {
  return call.engine.listKeyStores(call.ctx).filter((s) => storeType(s) !== undefined);
}

/** Custom key stores an account may have in a Region (AWS KMS quotas: "Custom key stores per account per Region"). */
export const CUSTOM_KEY_STORE_QUOTA = 10;

const nameInUse = (): AwsServiceError =>
  new AwsServiceError('CustomKeyStoreNameInUseException', 'The specified custom key store name is already assigned to another custom key store in the account.');

/** Runs an engine change, wording a name clash as AWS does. */
function named<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (isKmsError(e) && e.code === 'AlreadyExists' && e.details.reason === 'key-store-name') {
      throw nameInUse();
    }
    throw e;
  }
}

/** What CloudTrail shows of a store beside its id (additionalEventData), as AWS's records show it. */
function storeEventData(store: KeyStoreInfo): Record<string, JsonValue> {
  const type = storeType(store);
  return {
    customKeyStoreName: store.name,
    ...(type === 'AWS_CLOUDHSM' ? { clusterId: store.properties.get(P.clusterId) ?? '' } : {}),
    ...(type === 'EXTERNAL_KEY_STORE' ? { customKeyStoreType: type } : {}),
  };
}

// ------------------------------------------------------------------ CloudHSM checks

function cloudHsmCluster(call: Call, id: string, minimumHsms: number): Cluster {
  const cluster = clusterOf(call.keyStores ?? {}, id);
  if (!cluster) throw clusterNotFound();
  if (!cluster.active) throw clusterNotActive();
  if (cluster.hsms < minimumHsms) throw clusterInvalidConfiguration(minimumHsms);
  return cluster;
}

/** Each CloudHSM key store of the account uses its own cluster, and no cluster of the same backup history (declared with the same trust anchor). */
function clusterFree(call: Call, cluster: Cluster, self?: string): void {
  for (const other of awsStores(call)) {
    if (other.id === self || storeType(other) !== 'AWS_CLOUDHSM') continue;
    const otherId = other.properties.get(P.clusterId);
    const related = cluster.trustAnchorCertificate !== undefined && sameCertificate(clusterOf(call.keyStores ?? {}, otherId ?? '')?.trustAnchorCertificate, cluster.trustAnchorCertificate);
    if (otherId === cluster.id || related) {
      throw new AwsServiceError('CloudHsmClusterInUseException', `The CloudHSM cluster ${cluster.id} is already associated with a custom key store in the account, or shares a backup history with one.`);
    }
  }
}

function createCloudHsm(call: Call): Array<[string, string]> {
  const { CloudHsmClusterId: clusterId, TrustAnchorCertificate: anchor, KeyStorePassword: password } = call.input;
  for (const member of ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyVpcEndpointServiceName', 'XksProxyVpcEndpointServiceOwner', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity']) {
    if (call.input[member] !== undefined) throw validation(`${member} is not valid for a custom key store of type AWS_CLOUDHSM.`);
  }
  for (const [member, value] of [['CloudHsmClusterId', clusterId], ['TrustAnchorCertificate', anchor], ['KeyStorePassword', password]] as const) {
    if (value === undefined) throw validation(`${member} is required for a custom key store of type AWS_CLOUDHSM.`);
  }
  const cluster = cloudHsmCluster(call, clusterId, 2);
  if (pemCertificate(anchor) === undefined || (cluster.trustAnchorCertificate !== undefined && !sameCertificate(cluster.trustAnchorCertificate, anchor))) {
    throw new AwsServiceError('IncorrectTrustAnchorException', `The trust anchor certificate in the request is not the trust anchor certificate for the specified CloudHSM cluster ${clusterId}.`);
  }
  clusterFree(call, cluster);
  return [
    [P.clusterId, clusterId],
    [P.trustAnchor, anchor],
    [P.password, password],
  ];
}

// ------------------------------------------------------------------ external key store checks

const XKS_MEMBERS = ['XksProxyUriEndpoint', 'XksProxyUriPath', 'XksProxyAuthenticationCredential', 'XksProxyConnectivity'] as const;

/** The checked attributes of an external key store, from a request over `base` (an update's current ones). */
function xksAttributes(call: Call, base: ReadonlyMap<string, string>, self?: string): Map<string, string> {
  const input = call.input;
  const out = new Map(base);
  if (input.XksProxyUriEndpoint !== undefined) out.set(P.endpoint, input.XksProxyUriEndpoint);
  if (input.XksProxyUriPath !== undefined) out.set(P.path, input.XksProxyUriPath);
  if (input.XksProxyConnectivity !== undefined) out.set(P.connectivity, input.XksProxyConnectivity);
  if (input.XksProxyAuthenticationCredential !== undefined) {
    out.set(P.accessKeyId, input.XksProxyAuthenticationCredential.AccessKeyId);
    out.set(P.secretAccessKey, input.XksProxyAuthenticationCredential.RawSecretAccessKey);
  }
  if (input.XksProxyVpcEndpointServiceName !== undefined) out.set(P.vpcService, input.XksProxyVpcEndpointServiceName);
  if (input.XksProxyVpcEndpointServiceOwner !== undefined) out.set(P.vpcOwner, input.XksProxyVpcEndpointServiceOwner);
  const vpc = out.get(P.connectivity) === 'VPC_ENDPOINT_SERVICE';
  if (vpc && !out.has(P.vpcService)) throw validation('XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.');
  if (!vpc && (input.XksProxyVpcEndpointServiceName !== undefined || input.XksProxyVpcEndpointServiceOwner !== undefined)) {
    throw validation('XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.');
  }
  if (!vpc) {
    out.delete(P.vpcService);
    out.delete(P.vpcOwner);
  }
  // A VPC endpoint service of another account must allow the caller's; the emulator knows no other account's services.
  if (vpc && out.has(P.vpcOwner) && out.get(P.vpcOwner) !== call.realm.account) {
    throw new AwsServiceError('XksProxyVpcEndpointServiceNotFoundException', `KMS could not find the VPC endpoint service ${out.get(P.vpcService)} of account ${out.get(P.vpcOwner)}.`);
  }
  for (const other of awsStores(call)) {
    if (other.id === self || storeType(other) !== 'EXTERNAL_KEY_STORE') continue;
    const o = other.properties;
    if (vpc && o.get(P.vpcService) === out.get(P.vpcService)) {
      throw new AwsServiceError('XksProxyVpcEndpointServiceInUseException', `The VPC endpoint service ${out.get(P.vpcService)} is already associated with another external key store in this Region.`);
    }
    if (o.get(P.endpoint) === out.get(P.endpoint) && o.get(P.path) === out.get(P.path)) {
      throw new AwsServiceError('XksProxyUriInUseException', `The proxy URI ${out.get(P.endpoint)}${out.get(P.path)} is already associated with another external key store in this Region.`);
    }
    // With VPC connectivity the endpoint names the private DNS name, which one store alone may use.
    if (vpc && o.get(P.endpoint) === out.get(P.endpoint)) {
      throw new AwsServiceError('XksProxyUriEndpointInUseException', `The XksProxyUriEndpoint ${out.get(P.endpoint)} is already associated with another external key store in this Region.`);
    }
  }
  return out;
}

async function createExternal(call: Call): Promise<Array<[string, string]>> {
  for (const member of ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword']) {
    if (call.input[member] !== undefined) throw validation(`${member} is not valid for a custom key store of type EXTERNAL_KEY_STORE.`);
  }
  for (const member of XKS_MEMBERS) {
    if (call.input[member] === undefined) throw validation(`${member} is required for a custom key store of type EXTERNAL_KEY_STORE.`);
  }
  const attributes = xksAttributes(call, new Map());
  // KMS asks the proxy for its health before it creates the store: an unreachable or refusing proxy is an error now.
  await checkProxy(call, xksSettings(attributes), 'CreateCustomKeyStore');
  return [...attributes];
}

// ------------------------------------------------------------------ the operations

export const createCustomKeyStore: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const type: 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE' = input.CustomKeyStoreType ?? 'AWS_CLOUDHSM';
  // AWS's record of a CloudHSM key store names the store and its cluster only.
  if (type === 'AWS_CLOUDHSM') {
    trail.request = { customKeyStoreName: input.CustomKeyStoreName, clusterId: input.CloudHsmClusterId ?? null };
    trail.requestReplaced = true;
  }
  // The name is checked first: AWS refuses a name in use before it reaches the cluster or the proxy.
  if (engine.listKeyStores(ctx).some((s) => s.name === input.CustomKeyStoreName)) throw nameInUse();
  // AWS's quota: 10 custom key stores per account and Region.
  if (awsStores(call).length >= CUSTOM_KEY_STORE_QUOTA) {
    throw new AwsServiceError('LimitExceededException', `The request was rejected because the account already has ${CUSTOM_KEY_STORE_QUOTA} custom key stores in this Region.`);
  }
  const properties = type === 'AWS_CLOUDHSM' ? createCloudHsm(call) : await createExternal(call);
  const store = named(() => engine.createKeyStore(ctx, { kind: STORE_KIND[type], name: input.CustomKeyStoreName, properties, connects: true, idPrefix: 'cks-' }));
  trail.response = { customKeyStoreId: store.id };
  return { CustomKeyStoreId: store.id };
};

export const connectCustomKeyStore: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const store = awsStore(call, input.CustomKeyStoreId);
  trail.additional = storeEventData(store);
  const state = store.connection?.state;
  if (state === 'Disconnecting' || state === 'Failed') throw invalidConnectionState(store.id, state, 'ConnectCustomKeyStore');
  let failure: string | undefined;
  if (state === 'Disconnected') {
    if (storeType(store) === 'AWS_CLOUDHSM') {
      const cluster = clusterOf(call.keyStores ?? {}, store.properties.get(P.clusterId)!);
      if (cluster && !cluster.active) throw clusterNotActive();
      if (!cluster) failure = 'CLUSTER_NOT_FOUND';
      else if (cluster.hsms < 1) failure = 'INSUFFICIENT_CLOUDHSM_HSMS';
      else if (cluster.kmsuserPassword !== undefined && cluster.kmsuserPassword !== store.properties.get(P.password)) failure = 'INVALID_CREDENTIALS';
    } else {
      failure = await proxyConnectionFailure(call, xksSettings(store.properties));
    }
  }
  const o = call.keyStores ?? {};
  engine.connectKeyStore(ctx, store.id, { failure, ...(o.connectMs !== undefined ? { settleMs: o.connectMs } : {}) });
  return {};
};

export const disconnectCustomKeyStore: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const store = awsStore(call, input.CustomKeyStoreId);
  trail.additional = storeEventData(store);
  const state = store.connection?.state;
  if (state === 'Disconnected' || state === 'Disconnecting') throw invalidConnectionState(store.id, state, 'DisconnectCustomKeyStore');
  engine.disconnectKeyStore(ctx, store.id, call.keyStores?.disconnectMs);
  return {};
};

export const describeCustomKeyStores: Handler = (call) => {
  const { input } = call;
  let stores = awsStores(call);
  if (input.CustomKeyStoreId !== undefined && input.CustomKeyStoreName !== undefined) {
    throw validation('You can specify either CustomKeyStoreId or CustomKeyStoreName, but not both.');
  }
  if (input.CustomKeyStoreId !== undefined) stores = stores.filter((s) => s.id === input.CustomKeyStoreId);
  if (input.CustomKeyStoreName !== undefined) stores = stores.filter((s) => s.name === input.CustomKeyStoreName);
  if ((input.CustomKeyStoreId !== undefined || input.CustomKeyStoreName !== undefined) && stores.length === 0) throw keyStoreNotFound();
  const result = call.engine.pageItems(call.ctx, `custom-key-stores|${input.CustomKeyStoreId ?? ''}|${input.CustomKeyStoreName ?? ''}`, stores, page(input.Limit, input.Marker, 1000));
  return {
    CustomKeyStores: result.items.map(customKeyStoresListEntry),
    ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
    Truncated: result.nextMarker !== undefined,
  };
};

export const updateCustomKeyStore: Handler = async (call) => {
  const { engine, ctx, input, trail } = call;
  const store = awsStore(call, input.CustomKeyStoreId);
  trail.additional = storeEventData(store);
  const type = storeType(store)!;
  const state = store.connection?.state;
  const members = Object.keys(input).filter((k) => k !== 'CustomKeyStoreId' && input[k] !== undefined);
  const foreign = type === 'AWS_CLOUDHSM' ? members.filter((m) => m.startsWith('Xks')) : members.filter((m) => m === 'CloudHsmClusterId' || m === 'KeyStorePassword');
  if (foreign.length > 0) throw validation(`${foreign[0]} is not valid for a custom key store of type ${type}.`);
  // Connected, a store takes a new name (an external one also new credentials and a new path); everything else waits for DISCONNECTED.
  const whileConnected = type === 'AWS_CLOUDHSM' ? ['NewCustomKeyStoreName'] : ['NewCustomKeyStoreName', 'XksProxyAuthenticationCredential', 'XksProxyUriPath'];
  const allowed = state === 'Disconnected' || (state === 'Connected' && members.every((m) => whileConnected.includes(m)));
  if (!allowed) throw invalidConnectionState(store.id, state, 'UpdateCustomKeyStore');
  let properties: Array<[string, string | undefined]> = [];
  if (type === 'AWS_CLOUDHSM') {
    if (input.CloudHsmClusterId !== undefined && input.CloudHsmClusterId !== store.properties.get(P.clusterId)) {
      const cluster = cloudHsmCluster(call, input.CloudHsmClusterId, 2);
      // Only a cluster of the same backup history (the same trust anchor) may take the store's keys.
      const current = clusterOf(call.keyStores ?? {}, store.properties.get(P.clusterId)!);
      const related = cluster.trustAnchorCertificate === undefined || current?.trustAnchorCertificate === undefined || sameCertificate(cluster.trustAnchorCertificate, current.trustAnchorCertificate);
      if (!related) throw new AwsServiceError('CloudHsmClusterNotRelatedException', `The CloudHSM cluster ${cluster.id} has a different cluster certificate than the original cluster.`);
      clusterFree(call, cluster, store.id);
      properties.push([P.clusterId, cluster.id]);
    }
    if (input.KeyStorePassword !== undefined) properties.push([P.password, input.KeyStorePassword]);
  } else if (members.some((m) => m.startsWith('Xks'))) {
    const attributes = xksAttributes(call, store.properties, store.id);
    await checkProxy(call, xksSettings(attributes), 'UpdateCustomKeyStore');
    properties = [...attributes];
    for (const k of [P.vpcService, P.vpcOwner]) if (!attributes.has(k)) properties.push([k, undefined]);
  }
  named(() => engine.updateKeyStore(ctx, store.id, { ...(input.NewCustomKeyStoreName !== undefined ? { name: input.NewCustomKeyStoreName } : {}), properties }));
  return {};
};

export const deleteCustomKeyStore: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const store = awsStore(call, input.CustomKeyStoreId);
  trail.additional = storeEventData(store);
  if (engine.keysInKeyStore(ctx, store.id).length > 0) {
    throw new AwsServiceError('CustomKeyStoreHasCMKsException', `Custom key store ${store.id} contains KMS keys. Delete the KMS keys before you delete the custom key store.`);
  }
  if (store.connection?.state !== 'Disconnected') throw invalidConnectionState(store.id, store.connection?.state, 'DeleteCustomKeyStore');
  engine.deleteKeyStore(ctx, store.id);
  return {};
};

// ------------------------------------------------------------------ keys in custom key stores (CreateKey)

/** Where CreateKey puts a key of Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE: its store, and for an external store its external key (checked with the proxy). */
export function customStoreKey(call: Call, origin: string, awsSpec: string, usage: string): { keyStoreId: string; externalKeyId?: string } | Promise<{ keyStoreId: string; externalKeyId?: string }> {
  const { input } = call;
  if (input.CustomKeyStoreId === undefined) throw validation(`CustomKeyStoreId is required for Origin ${origin}`);
  if (origin !== 'AWS_CLOUDHSM' && origin !== 'EXTERNAL_KEY_STORE') throw validation(`Origin ${origin} is not valid with a CustomKeyStoreId: use AWS_CLOUDHSM or EXTERNAL_KEY_STORE.`);
  if (origin !== 'EXTERNAL_KEY_STORE' && input.XksKeyId !== undefined) throw validation('XksKeyId is only valid for keys in an external key store.');
  if (origin === 'EXTERNAL_KEY_STORE' && input.XksKeyId === undefined) throw validation('XksKeyId is required for Origin EXTERNAL_KEY_STORE.');
  // Custom key stores hold symmetric encryption keys only, in one Region.
  if (awsSpec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') throw new AwsServiceError('UnsupportedOperationException', `KeySpec ${awsSpec} with KeyUsage ${usage} is not supported in a custom key store.`);
  if (input.MultiRegion === true) throw new AwsServiceError('UnsupportedOperationException', 'Multi-Region keys are not supported in a custom key store.');
  const store = awsStore(call, input.CustomKeyStoreId);
  const type = storeType(store)!;
  if (type !== origin) throw validation(`Origin ${origin} does not match the type ${type} of custom key store ${store.id}.`);
  if (store.connection?.state !== 'Connected') throw invalidConnectionState(store.id, store.connection?.state, 'CreateKey');
  if (type === 'AWS_CLOUDHSM') {
    const cluster = clusterOf(call.keyStores ?? {}, store.properties.get(P.clusterId)!);
    if (!cluster || cluster.hsms < 2) throw clusterInvalidConfiguration(2);
    return { keyStoreId: store.id };
  }
  return checkExternalKey(call, xksSettings(store.properties), input.XksKeyId).then(() => ({ keyStoreId: store.id, externalKeyId: input.XksKeyId as string }));
}

/** GenerateRandom in a CloudHSM key store: the store must exist and be connected; an external key store has no random source (AWS: UnsupportedOperationException). */
export function randomSourceStore(call: Call, id: string): void {
  const store = awsStore(call, id);
  if (storeType(store) === 'EXTERNAL_KEY_STORE') throw new AwsServiceError('UnsupportedOperationException', 'GenerateRandom does not support external key stores.');
  if (store.connection?.state !== 'Connected') throw invalidConnectionState(store.id, store.connection?.state, 'GenerateRandom');
}
