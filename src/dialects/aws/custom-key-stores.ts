/**
 * AWS custom key stores in AWS's words: the two store types over the engine's key-store room
 * (kind `hsm-cluster` for AWS_CLOUDHSM, `external` for EXTERNAL_KEY_STORE), their attributes by
 * AWS's member names, the emulated CloudHSM clusters, connection error codes and the
 * CustomKeyStoresListEntry a store is described as. The operations are in ops-key-stores.ts.
 *
 * CloudHSM clusters (docs/key-stores.md): with no clusters declared (`aws.cloudHsmClusters`,
 * `--cloudhsm-cluster`), every well-formed cluster id names an active cluster of two HSMs whose
 * trust anchor is whatever well-formed certificate the store is created with; once any is
 * declared, only the declared clusters exist, each as declared.
 */

import { fromBase64 } from '../../crypto/bytes.js';
import type { ConnectionState, KeyStoreInfo } from '../../engine/index.js';
import { AwsServiceError } from './errors.js';

export const STORE_KIND = { AWS_CLOUDHSM: 'hsm-cluster', EXTERNAL_KEY_STORE: 'external' } as const;
export type CustomKeyStoreType = keyof typeof STORE_KIND;

export function storeType(store: Pick<KeyStoreInfo, 'kind'>): CustomKeyStoreType | undefined {
  return store.kind === STORE_KIND.AWS_CLOUDHSM ? 'AWS_CLOUDHSM' : store.kind === STORE_KIND.EXTERNAL_KEY_STORE ? 'EXTERNAL_KEY_STORE' : undefined;
}

/** A store's attributes, by these names (secrets included: they never leave but in snapshots). */
export const P = {
  clusterId: 'CloudHsmClusterId',
  trustAnchor: 'TrustAnchorCertificate',
  password: 'KeyStorePassword',
  endpoint: 'XksProxyUriEndpoint',
  path: 'XksProxyUriPath',
  connectivity: 'XksProxyConnectivity',
  vpcService: 'XksProxyVpcEndpointServiceName',
  vpcOwner: 'XksProxyVpcEndpointServiceOwner',
  accessKeyId: 'XksProxyAccessKeyId',
  secretAccessKey: 'XksProxyRawSecretAccessKey',
} as const;

/** An emulated CloudHSM cluster. */
export interface CloudHsmClusterDeclaration {
  /** cluster-<11 to 16 of [2-7a-zA-Z]> */
  readonly id: string;
  /** The PEM trust anchor (customerCA.crt) stores of this cluster must name; default: any well-formed certificate. Clusters with the same trust anchor are related (one backup history). */
  readonly trustAnchorCertificate?: string;
  /** Default true. An inactive cluster refuses CreateCustomKeyStore and ConnectCustomKeyStore (CloudHsmClusterNotActiveException). */
  readonly active?: boolean;
  /** Active HSMs; default 2. Fewer than 2: CreateCustomKeyStore, UpdateCustomKeyStore and CreateKey are refused; none: connecting fails (INSUFFICIENT_CLOUDHSM_HSMS). */
  readonly hsms?: number;
  /** The kmsuser password; when set, a store with another KeyStorePassword fails to connect (INVALID_CREDENTIALS). */
  readonly kmsuserPassword?: string;
}

/** The custom-key-store settings of the AWS dialect (createKms({ aws }) and the server's flags). */
export interface AwsKeyStoreOptions {
  readonly cloudHsmClusters?: readonly CloudHsmClusterDeclaration[];
  /** How external key stores reach their proxies; default globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /** How long a proxy may take to answer each call; default the XKS client's 250 ms (AWS's, from the XKS Proxy API specification). */
  readonly xksTimeoutMs?: number;
  /** How long a store stays CONNECTING; default 5,000 ms of the emulator's clock. */
  readonly connectMs?: number;
  /** How long a store stays DISCONNECTING; default 1,000 ms. */
  readonly disconnectMs?: number;
}

export const CLUSTER_ID = /^cluster-[2-7a-zA-Z]{11,16}$/;

export interface Cluster {
  readonly id: string;
  readonly trustAnchorCertificate?: string;
  readonly active: boolean;
  readonly hsms: number;
  readonly kmsuserPassword?: string;
}

/** The cluster `id` names, or undefined when no such cluster exists. */
export function clusterOf(options: AwsKeyStoreOptions, id: string): Cluster | undefined {
  const declared = options.cloudHsmClusters ?? [];
  if (declared.length === 0) return CLUSTER_ID.test(id) ? { id, active: true, hsms: 2 } : undefined;
  const d = declared.find((c) => c.id === id);
  if (!d) return undefined;
  return {
    id: d.id,
    active: d.active ?? true,
    hsms: d.hsms ?? 2,
    ...(d.trustAnchorCertificate !== undefined ? { trustAnchorCertificate: d.trustAnchorCertificate } : {}),
    ...(d.kmsuserPassword !== undefined ? { kmsuserPassword: d.kmsuserPassword } : {}),
  };
}

/** Checks declared clusters (a TypeError for a programming mistake, when the emulator is made). */
export function checkClusterDeclarations(list: unknown): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw new TypeError('aws.cloudHsmClusters must be an array');
  for (const c of list) {
    if (typeof c !== 'object' || c === null || typeof c.id !== 'string' || !CLUSTER_ID.test(c.id)) throw new TypeError('each CloudHSM cluster needs an id of the form cluster-<11 to 16 of [2-7a-zA-Z]>');
    if (c.trustAnchorCertificate !== undefined && pemCertificate(c.trustAnchorCertificate) === undefined) throw new TypeError(`cluster ${c.id}: trustAnchorCertificate is not a PEM certificate`);
  }
}

/** The DER bytes of a PEM certificate, or undefined when the text is not one. */
export function pemCertificate(text: string): Uint8Array | undefined {
  const m = /^\s*-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----\s*$/.exec(text);
  if (!m) return undefined;
  let der: Uint8Array | undefined;
  try {
    der = fromBase64(m[1]!.replace(/\s+/g, ''));
  } catch {
    return undefined;
  }
  // A certificate is a DER SEQUENCE.
  return der !== undefined && der.length > 16 && der[0] === 0x30 ? der : undefined;
}

/** Two PEM texts name the same certificate (whitespace and line breaks aside). */
export function sameCertificate(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = pemCertificate(a);
  const y = pemCertificate(b);
  return x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]);
}

// ------------------------------------------------------------------ errors

export const keyStoreNotFound = (): AwsServiceError => new AwsServiceError('CustomKeyStoreNotFoundException', 'KMS cannot find a custom key store with the specified key store name or ID.');

export function invalidConnectionState(id: string, state: ConnectionState | undefined, operation: string): AwsServiceError {
  return new AwsServiceError('CustomKeyStoreInvalidStateException', `Custom key store ${id} has a ConnectionState of ${awsConnectionState(state)}, which is not valid for ${operation}.`);
}

export const clusterNotFound = (): AwsServiceError =>
  new AwsServiceError('CloudHsmClusterNotFoundException', 'KMS cannot find the CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID.');
export const clusterNotActive = (): AwsServiceError => new AwsServiceError('CloudHsmClusterNotActiveException', 'The CloudHSM cluster associated with the CloudHSM key store is not active.');
export const clusterInvalidConfiguration = (needed: number): AwsServiceError =>
  new AwsServiceError('CloudHsmClusterInvalidConfigurationException', `The CloudHSM cluster must contain at least ${needed} active HSM${needed === 1 ? '' : 's'}${needed > 1 ? ', each in a different Availability Zone' : ''}.`);

// ------------------------------------------------------------------ views

export function awsConnectionState(state: ConnectionState | undefined): string {
  return (state ?? 'Disconnected').toUpperCase();
}

/** A store as DescribeCustomKeyStores lists it. */
export function customKeyStoresListEntry(store: KeyStoreInfo): Record<string, unknown> {
  const p = store.properties;
  const type = storeType(store)!;
  const state = store.connection?.state;
  return {
    CustomKeyStoreId: store.id,
    CustomKeyStoreName: store.name,
    ...(type === 'AWS_CLOUDHSM' ? { CloudHsmClusterId: p.get(P.clusterId), TrustAnchorCertificate: p.get(P.trustAnchor) } : {}),
    ConnectionState: awsConnectionState(state),
    ...(state === 'Failed' && store.connection?.errorCode !== undefined ? { ConnectionErrorCode: store.connection.errorCode } : {}),
    // Epoch seconds, as every AWS date (metadata.ts imports this module: no import back).
    CreationDate: store.createdAt / 1000,
    CustomKeyStoreType: type,
    ...(type === 'EXTERNAL_KEY_STORE'
      ? {
          XksProxyConfiguration: {
            Connectivity: p.get(P.connectivity),
            AccessKeyId: p.get(P.accessKeyId),
            UriEndpoint: p.get(P.endpoint),
            UriPath: p.get(P.path),
            ...(p.has(P.vpcService) ? { VpcEndpointServiceName: p.get(P.vpcService) } : {}),
            ...(p.has(P.vpcOwner) ? { VpcEndpointServiceOwner: p.get(P.vpcOwner) } : {}),
          },
        }
      : {}),
  };
}

/** A key's store as KeyMetadata shows it. */
export function keyStoreMetadata(store: KeyStoreInfo | undefined, externalKeyId: string | undefined): Record<string, unknown> {
  if (!store) return {};
  const type = storeType(store);
  if (type === 'AWS_CLOUDHSM') return { CustomKeyStoreId: store.id, CloudHsmClusterId: store.properties.get(P.clusterId) };
  if (type === 'EXTERNAL_KEY_STORE') return { CustomKeyStoreId: store.id, ...(externalKeyId !== undefined ? { XksKeyConfiguration: { Id: externalKeyId } } : {}) };
  return {};
}

/** Whether the store's keys are usable (the engine reads its keys as Unavailable otherwise). */
export function isConnected(store: KeyStoreInfo | undefined): boolean {
  return store?.connection?.state === 'Connected';
}
