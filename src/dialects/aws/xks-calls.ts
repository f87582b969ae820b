/**
 * How the AWS dialect reaches an external key store's XKS proxy, with the XKS client (xks/client.ts):
 * the health check of CreateCustomKeyStore, UpdateCustomKeyStore and ConnectCustomKeyStore, the
 * external key's metadata for CreateKey, and the external layer of the keys' ciphertexts
 * (the engine's ExternalKeyCipher). Each proxy failure is answered as AWS answers it: management
 * operations with the Xks* exceptions, ConnectCustomKeyStore with a connection error code,
 * cryptographic operations with KMSInvalidStateException (AWS: "cryptographic operations return
 * KMSInvalidStateException for all failures related to the external configuration or connection
 * state of the external key store"), the failure's message telling which (docs/key-stores.md).
 */
import type { ExternalKeyCipher, ExternalKeyRequest } from '../../engine/index.js';
import type { JsonValue } from '../../engine/audit.js';
import type { Call } from './call.js';
import { keyArn, principalArn } from './arn.js';
import { AwsServiceError } from './errors.js';
import { P } from './custom-key-stores.js';
import { XksProxyError, xksDecrypt, xksEncrypt, xksHealth, xksKeyMetadata, type XksFailure, type XksProxyTarget, type XksRequestMetadata } from './xks/client.js';

export interface XksSettings {
  readonly endpoint: string;
  readonly path: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export function xksSettings(p: ReadonlyMap<string, string>): XksSettings {
  return { endpoint: p.get(P.endpoint) ?? '', path: p.get(P.path) ?? '', accessKeyId: p.get(P.accessKeyId) ?? '', secretAccessKey: p.get(P.secretAccessKey) ?? '' };
}

function target(call: Call, s: XksSettings, onAnswer?: XksProxyTarget['onAnswer']): XksProxyTarget {
  const o = call.keyStores ?? {};
  return {
    uriEndpoint: s.endpoint,
    uriPath: s.path,
    credential: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    region: call.realm.region,
    // Signed with the emulator's clock, as every date it makes (the built-in proxy checks with the same clock).
    clock: () => call.engine.now(),
    ...(o.xksTimeoutMs !== undefined ? { timeoutMs: o.xksTimeoutMs } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(onAnswer ? { onAnswer } : {}),
  };
}

function metadata(call: Call, operation: string, keyId?: { realm: { account: string; region: string }; id: string }): XksRequestMetadata {
  return {
    awsPrincipalArn: principalArn(call.ctx.principal, call.realm.region),
    kmsOperation: operation,
    kmsRequestId: call.ctx.requestId,
    ...(keyId ? { kmsKeyArn: keyArn(keyId.realm, keyId.id) } : {}),
  };
}

/** The proxy's failure, or undefined when `e` is not one (then it is rethrown). */
function failureOf(e: unknown): XksProxyError | undefined {
  return e instanceof XksProxyError ? e : undefined;
}

/** Management operations (CreateCustomKeyStore, UpdateCustomKeyStore): the proxy must answer its health check. */
export async function checkProxy(call: Call, settings: XksSettings, operation: string): Promise<void> {
  try {
    await xksHealth(target(call, settings), metadata(call, operation));
  } catch (e) {
    const f = failureOf(e);
    if (!f) throw e;
    throw new AwsServiceError(MANAGEMENT_ERROR[f.failure] ?? 'XksProxyInvalidResponseException', f.message);
  }
}

/** The exception of Create/UpdateCustomKeyStore for each failure (docs/key-stores.md's table). */
const MANAGEMENT_ERROR: Partial<Record<XksFailure, string>> = {
  unreachable: 'XksProxyUriUnreachableException',
  timeout: 'XksProxyUriUnreachableException',
  throttled: 'XksProxyUriUnreachableException',
  authentication: 'XksProxyIncorrectAuthenticationCredentialException',
  // Not settled by AWS's documents (a health check is not authorized further): the proxy's configuration is at fault.
  'access-denied': 'XksProxyInvalidConfigurationException',
  'invalid-uri-path': 'XksProxyInvalidConfigurationException',
};

/** ConnectCustomKeyStore: the health check's outcome as a connection error code (undefined: it connects). */
export async function proxyConnectionFailure(call: Call, settings: XksSettings): Promise<string | undefined> {
  try {
    await xksHealth(target(call, settings), metadata(call, 'ConnectCustomKeyStore'));
    return undefined;
  } catch (e) {
    const f = failureOf(e);
    if (!f) throw e;
    return CONNECTION_ERROR[f.failure] ?? 'XKS_PROXY_INVALID_RESPONSE';
  }
}

const CONNECTION_ERROR: Partial<Record<XksFailure, string>> = {
  unreachable: 'XKS_PROXY_NOT_REACHABLE',
  timeout: 'XKS_PROXY_TIMED_OUT',
  throttled: 'XKS_PROXY_NOT_REACHABLE',
  authentication: 'INVALID_CREDENTIALS',
  'access-denied': 'XKS_PROXY_ACCESS_DENIED',
  'invalid-uri-path': 'XKS_PROXY_INVALID_CONFIGURATION',
};

/** CreateKey in an external key store: the external key must exist and be an enabled AES-256 key for encryption and decryption. */
export async function checkExternalKey(call: Call, settings: XksSettings, xksKeyId: string): Promise<void> {
  let m;
  try {
    m = await xksKeyMetadata(target(call, settings), xksKeyId, metadata(call, 'CreateKey'));
  } catch (e) {
    const f = failureOf(e);
    if (!f) throw e;
    throw new AwsServiceError(CREATE_KEY_ERROR[f.failure] ?? 'CustomKeyStoreInvalidStateException', f.message);
  }
  const usage = new Set(m.keyUsage);
  if (m.keySpec !== 'AES_256' || !usage.has('ENCRYPT') || !usage.has('DECRYPT') || m.keyStatus !== 'ENABLED') {
    throw new AwsServiceError(
      'XksKeyInvalidConfigurationException',
      `The external key ${xksKeyId} must be an enabled AES_256 key that performs encryption and decryption; it is ${m.keySpec}, ${m.keyUsage.join('/')}, ${m.keyStatus}.`,
    );
  }
}

const CREATE_KEY_ERROR: Partial<Record<XksFailure, string>> = {
  'key-not-found': 'XksKeyNotFoundException',
  'invalid-state': 'XksKeyInvalidConfigurationException',
  'invalid-key-usage': 'XksKeyInvalidConfigurationException',
  'access-denied': 'KMSInvalidStateException',
  unsupported: 'XksProxyInvalidResponseException',
};

/**
 * The external layer of the ciphertexts of keys in external key stores: the proxy's encrypt and
 * decrypt. Every Encrypt, Decrypt, GenerateDataKey… hands one to the engine, which uses it only for
 * a key in an external key store: one small object per call, its methods shared.
 */
export function externalCipher(call: Call): ExternalKeyCipher {
  return new CallCipher(call);
}

class CallCipher implements ExternalKeyCipher {
  constructor(readonly call: Call) {}

  /** CloudTrail: the store, and the proxy's own request id when its answer carried one. */
  note(store: string, proxyRequestId: string | undefined): void {
    const call = this.call;
    call.trail.additional = { ...call.trail.additional, customKeyStoreId: store, ...(proxyRequestId !== undefined ? { xksProxyRequestId: proxyRequestId } : {}) } as Record<string, JsonValue>;
  }

  targetOf(r: ExternalKeyRequest) {
    return target(this.call, xksSettings(r.store.properties), (a) => this.note(r.store.id, a.proxyRequestId));
  }

  async encrypt(r: ExternalKeyRequest & { plaintext: Uint8Array; aad: Uint8Array }) {
    const call = this.call;
    this.note(r.store.id, undefined);
    try {
      // The emulator always asks for the ciphertext data integrity value, and the client checks it.
      const out = await xksEncrypt(this.targetOf(r), r.externalKeyId, { requestMetadata: metadata(call, call.operation, r.key), plaintext: r.plaintext, additionalAuthenticatedData: r.aad, ciphertextDataIntegrityValueAlgorithm: 'SHA_256' });
      return { ciphertext: out.ciphertext, iv: out.initializationVector, tag: out.authenticationTag, ...(out.ciphertextMetadata ? { metadata: out.ciphertextMetadata } : {}) };
    } catch (e) {
      throw cryptoError(e, r, this);
    }
  }

  async decrypt(r: Parameters<ExternalKeyCipher['decrypt']>[0]) {
    const call = this.call;
    this.note(r.store.id, undefined);
    try {
      return await xksDecrypt(this.targetOf(r), r.externalKeyId, {
        requestMetadata: metadata(call, call.operation, r.key),
        ciphertext: r.ciphertext,
        initializationVector: r.iv,
        authenticationTag: r.tag,
        additionalAuthenticatedData: r.aad,
        ...(r.metadata ? { ciphertextMetadata: r.metadata } : {}),
      });
    } catch (e) {
      throw cryptoError(e, r, this);
    }
  }
}

/** Cryptographic operations answer KMSInvalidStateException for every proxy failure, with the failure's message. */
function cryptoError(e: unknown, r: ExternalKeyRequest, cipher: CallCipher): unknown {
  const f = failureOf(e);
  if (!f) return e;
  cipher.note(r.store.id, f.proxyRequestId);
  return new AwsServiceError('KMSInvalidStateException', f.message);
}
