/**
 * AWS custom key stores in the sandbox: forms (on every key) that create a CloudHSM or an external
 * key store, connect, describe, disconnect and delete it, the store id a form answers carried into
 * the others. An external key store reaches an XKS proxy that runs in the page (the built-in
 * `XksProxy` behind a `fetch`), one per Region, holding one external key whose material is fixed,
 * so that ciphertexts still open after the page is reloaded. The page's stores connect at once
 * (`connectMs: 0`): its clock only moves when asked.
 */
import { XksProxy } from '../../dialects/aws/xks/index.js';
import type { AwsKeyStoreOptions } from '../../index.js';
import type { KeyInfo } from '../../engine/index.js';
import type { ActionForm, Field, Outcome } from './types.js';

/** The page's XKS proxy: where stores find it, its credential and its one external key. */
export const SANDBOX_XKS = {
  endpoint: 'https://xks.sandbox.invalid',
  path: '/sandbox/kms/xks/v1',
  accessKeyId: 'SANDBOXXKSACCESSKEYIDAAA',
  secretAccessKey: 'sandboxXksProxySecretAccessKeyOfThisPage0000',
  externalKeyId: 'sandbox-external-key',
} as const;

/** Not a secret: the page's external key is the same in every tab, so a reload keeps ciphertexts open. */
const EXTERNAL_KEY_MATERIAL = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);

/** A trust anchor certificate to start from (any well-formed one names an emulated cluster's). */
const SAMPLE_TRUST_ANCHOR = `-----BEGIN CERTIFICATE-----
MIIBhjCCASugAwIBAgIUUT31vzI+5qBxKwIUjdra70rh1qowCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMY3VzdG9tZXJDQS1hMCAXDTI2MTIwNjE2NTEyMFoYDzIxMjYx
MTEyMTY1MTIwWjAXMRUwEwYDVQQDDAxjdXN0b21lckNBLWEwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQM+e99EeavFp/MV8l07pMka6bZ52PaYprcEUJq8RwPSxKB
yjBHmJwQbeYDcU1qU94tVSOPNvyWFI0ez2ulCG+Io1MwUTAdBgNVHQ4EFgQUR66k
k2UDPbnSQ32w0CjPx4kAhRowHwYDVR0jBBgwFoAUR66kk2UDPbnSQ32w0CjPx4kA
hRowDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA7QA2WBk7n7iP
WIUF/PxipjMkPxULpU61DiEj8nckazgCIQD2K3EL0LmSnzHj4B+XZ5UfN++FHGBm
LpEdlvoFipKOhw==
-----END CERTIFICATE-----`;

/** The AWS dialect's key-store options for the page: the in-page proxies, signed with the page's clock, and stores that connect at once. */
export function sandboxKeyStoreOptions(clock: () => number): AwsKeyStoreOptions {
  const proxies = new Map<string, XksProxy>();
  const proxyFor = (region: string): XksProxy => {
    let proxy = proxies.get(region);
    if (!proxy) {
      proxy = new XksProxy({ uriPath: SANDBOX_XKS.path, region, credentials: [{ accessKeyId: SANDBOX_XKS.accessKeyId, secretAccessKey: SANDBOX_XKS.secretAccessKey }], clock });
      proxy.createKey(SANDBOX_XKS.externalKeyId, EXTERNAL_KEY_MATERIAL);
      proxies.set(region, proxy);
    }
    return proxy;
  };
  const inPage = (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    // The SigV4 credential scope names the store's Region: its proxy answers.
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.get('authorization') ?? '')?.[1] ?? 'us-east-1';
    return proxyFor(region).asFetch()(request);
  }) as typeof fetch;
  return { fetch: inPage, connectMs: 0, disconnectMs: 0 };
}

const BY_ID = ['cks-connect', 'cks-describe', 'cks-disconnect', 'cks-delete'];

function carry(id: string): Outcome['carry'] {
  return Object.fromEntries(BY_ID.map((form) => [form, { store: id }]));
}

function storeField(key: KeyInfo): Field {
  return { name: 'store', label: 'CustomKeyStoreId', kind: 'text', placeholder: 'create a custom key store first, or paste an id', ...(key.keyStoreId ? { value: key.keyStoreId } : {}) };
}

function created(out: Record<string, unknown>): Outcome {
  const id = String(out.CustomKeyStoreId ?? '');
  return { summary: [['CustomKeyStoreId', id]], carry: { ...carry(id), create: { store: id } } };
}

function byId(key: KeyInfo, id: string, action: string, blurb: string, group: ActionForm['group']): ActionForm {
  return { id, action, blurb, group, fields: [storeField(key)], params: (v) => ({ CustomKeyStoreId: (v.store ?? '').trim() }) };
}

export function keyStoreForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'cks-create-hsm',
      action: 'CreateCustomKeyStore',
      blurb: 'A CloudHSM key store on an emulated cluster (any well-formed cluster id is one). Connect it, then CreateKey with Origin AWS_CLOUDHSM.',
      group: 'lifecycle',
      fields: [
        { name: 'name', label: 'CustomKeyStoreName', kind: 'text', value: 'sandbox-cloudhsm', hint: 'Unique in the account.' },
        { name: 'cluster', label: 'CloudHsmClusterId', kind: 'text', value: 'cluster-sandboxhsmaa', hint: 'cluster- and 11 to 16 of [2-7a-zA-Z].' },
        { name: 'anchor', label: 'TrustAnchorCertificate', kind: 'textarea', value: SAMPLE_TRUST_ANCHOR },
        { name: 'password', label: 'KeyStorePassword', kind: 'text', value: 'kmsuser-password', hint: '7 to 32 characters.' },
      ],
      params: (v) => ({ CustomKeyStoreName: v.name ?? '', CloudHsmClusterId: v.cluster ?? '', TrustAnchorCertificate: v.anchor ?? '', KeyStorePassword: v.password ?? '' }),
      outcome: created,
    },
    {
      id: 'cks-create-xks',
      action: 'CreateCustomKeyStore',
      blurb: `An external key store whose XKS proxy runs in this page; its external key is ${SANDBOX_XKS.externalKeyId}. Ciphertexts are sealed twice: by the KMS key, then by the external key.`,
      group: 'lifecycle',
      fields: [{ name: 'name', label: 'CustomKeyStoreName', kind: 'text', value: 'sandbox-xks', hint: 'Unique in the account.' }],
      params: (v) => ({
        CustomKeyStoreName: v.name ?? '',
        CustomKeyStoreType: 'EXTERNAL_KEY_STORE',
        XksProxyUriEndpoint: SANDBOX_XKS.endpoint,
        XksProxyUriPath: SANDBOX_XKS.path,
        XksProxyConnectivity: 'PUBLIC_ENDPOINT',
        XksProxyAuthenticationCredential: { AccessKeyId: SANDBOX_XKS.accessKeyId, RawSecretAccessKey: SANDBOX_XKS.secretAccessKey },
      }),
      outcome: created,
    },
    byId(key, 'cks-connect', 'ConnectCustomKeyStore', 'Connects the store (in the page, at once); its keys become usable.', 'lifecycle'),
    {
      ...byId(key, 'cks-describe', 'DescribeCustomKeyStores', 'The store: its connection state and settings (empty id: every store).', 'inspect'),
      params: (v) => (v.store?.trim() ? { CustomKeyStoreId: v.store.trim() } : {}),
      outcome: (out) => ({
        summary: ((out.CustomKeyStores ?? []) as Array<Record<string, unknown>>).map((s): [string, string] => [String(s.CustomKeyStoreName), `${String(s.CustomKeyStoreId)} ${String(s.CustomKeyStoreType)} ${String(s.ConnectionState)}`]),
      }),
    },
    byId(key, 'cks-disconnect', 'DisconnectCustomKeyStore', 'Its keys become Unavailable: cryptography is refused (KMSInvalidStateException).', 'lifecycle'),
    byId(key, 'cks-delete', 'DeleteCustomKeyStore', 'Only once it is disconnected and every key in it is deleted.', 'lifecycle'),
  ];
}
