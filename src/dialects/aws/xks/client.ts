/**
 * The XKS Proxy API v1 client: what KMS sends to an external key store proxy and how it reads the
 * answers (AWS "External Key Store Proxy API Specification"). Browser-safe: `fetch`, SigV4 of
 * ./sigv4.ts. Every failure — network, timeout, an answer KMS cannot interpret, each errorName of
 * the spec — is an XksProxyError with a `failure`; nothing else is thrown. docs/key-stores.md maps
 * each failure to the exception KMS answers with.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, fromBase64, toBase64, utf8 } from '../../../crypto/bytes.js';
import { signSigV4, XKS_SIGNING_SERVICE } from './sigv4.js';

/** The spec: "If KMS does not receive a response from the XKS proxy for any API call within 250ms, KMS will time out". */
export const XKS_TIMEOUT_MS = 250;

export interface XksProxyTarget {
  /** "https://host[:port]" or "http://127.0.0.1:port". */
  uriEndpoint: string;
  /** The store's XksProxyUriPath, e.g. "/example/kms/xks/v1". */
  uriPath: string;
  credential: { accessKeyId: string; secretAccessKey: string };
  /** SigV4 region: the KMS key store's region. */
  region: string;
  /** Injected transport; default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Per request, the whole answer included. Default XKS_TIMEOUT_MS (250 ms, for every operation, health too, as the spec says). */
  timeoutMs?: number;
  /** ms since epoch for X-Amz-Date. Default Date.now. */
  clock?: () => number;
  /** Told of every answer that arrived (success or error), e.g. to record the proxy's request id. */
  onAnswer?: (answer: { operation: XksOperation; httpStatus: number; proxyRequestId?: string }) => void;
}

export type XksOperation = 'GetHealthStatus' | 'GetKeyMetadata' | 'Encrypt' | 'Decrypt';

export interface XksRequestMetadata {
  awsPrincipalArn: string;
  kmsOperation: string;
  kmsRequestId: string;
  kmsKeyArn?: string;
  awsSourceVpc?: string;
  awsSourceVpce?: string;
  kmsViaService?: string;
}

export type XksFailure =
  | 'unreachable'
  | 'timeout'
  | 'authentication'
  | 'access-denied'
  | 'invalid-response'
  | 'key-not-found'
  | 'invalid-key-usage'
  | 'invalid-state'
  | 'invalid-ciphertext'
  | 'invalid-uri-path'
  | 'throttled'
  | 'unsupported'
  | 'validation'
  | 'internal';

/** The spec's errorName values (and HTTP statuses) and the failure each is. */
export const XKS_ERROR_NAMES: Readonly<Record<string, { status: number; failure: XksFailure }>> = {
  ValidationException: { status: 400, failure: 'validation' },
  InvalidStateException: { status: 400, failure: 'invalid-state' },
  InvalidCiphertextException: { status: 400, failure: 'invalid-ciphertext' },
  InvalidKeyUsageException: { status: 400, failure: 'invalid-key-usage' },
  AuthenticationFailedException: { status: 401, failure: 'authentication' },
  AccessDeniedException: { status: 403, failure: 'access-denied' },
  KeyNotFoundException: { status: 404, failure: 'key-not-found' },
  InvalidUriPathException: { status: 404, failure: 'invalid-uri-path' },
  ThrottlingException: { status: 429, failure: 'throttled' },
  UnsupportedOperationException: { status: 501, failure: 'unsupported' },
  DependencyTimeoutException: { status: 503, failure: 'timeout' },
  InternalException: { status: 500, failure: 'internal' },
};

/** The message KMS gives for each failure (the spec's "KMS Considerations" table), for the KMS side to answer with. */
export const XKS_FAILURE_MESSAGES: Readonly<Record<XksFailure, string>> = {
  unreachable:
    'AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external key store.',
  timeout:
    'AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.',
  authentication:
    'The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.',
  'access-denied':
    'The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.',
  'invalid-response':
    'AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.',
  'key-not-found':
    'The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.',
  'invalid-key-usage':
    'The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.',
  'invalid-state':
    'The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.',
  'invalid-ciphertext':
    'The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.',
  'invalid-uri-path':
    'The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.',
  throttled:
    'The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.',
  unsupported:
    'The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.',
  validation:
    'AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.',
  internal:
    'The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.',
};

/** Where the spec gives an errorName its own KMS message, different from its failure's (a proxy's DependencyTimeoutException is not KMS's own timeout). */
export const XKS_ERROR_NAME_MESSAGES: Readonly<Record<string, string>> = {
  DependencyTimeoutException:
    'The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.',
};

/** Why an XKS call failed. `message` is the KMS message for the failure; `detail` says what happened. */
export class XksProxyError extends Error {
  override readonly name = 'XksProxyError';
  readonly failure: XksFailure;
  readonly httpStatus?: number;
  readonly errorName?: string;
  readonly proxyRequestId?: string;
  /** What exactly went wrong (the proxy's errorMessage, the network error, the field at fault). */
  readonly detail: string;

  constructor(failure: XksFailure, detail: string, extra: { httpStatus?: number; errorName?: string; proxyRequestId?: string } = {}) {
    super((extra.errorName !== undefined && Object.hasOwn(XKS_ERROR_NAME_MESSAGES, extra.errorName) ? XKS_ERROR_NAME_MESSAGES[extra.errorName] : undefined) ?? XKS_FAILURE_MESSAGES[failure]);
    this.failure = failure;
    this.detail = detail;
    if (extra.httpStatus !== undefined) this.httpStatus = extra.httpStatus;
    if (extra.errorName !== undefined) this.errorName = extra.errorName;
    if (extra.proxyRequestId !== undefined) this.proxyRequestId = extra.proxyRequestId;
  }
}

export type XksHealthStatus = 'ACTIVE' | 'DEGRADED' | 'UNAVAILABLE';

export interface XksHealth {
  xksProxyFleetSize: number;
  xksProxyVendor: string;
  xksProxyModel: string;
  ekmVendor: string;
  ekmFleetDetails: Array<{ id: string; model: string; healthStatus: XksHealthStatus }>;
}

const HEALTH_STATUSES: readonly string[] = ['ACTIVE', 'DEGRADED', 'UNAVAILABLE'];
/** The spec: ciphertextMetadata is at most 20 bytes; the IV 12 or 16; the tag 16. */
const MAX_CIPHERTEXT_METADATA = 20;
const IV_LENGTHS: readonly number[] = [12, 16];
const TAG_LENGTH = 16;
/** Answers longer than this are not read to the end (a proxy's answers are a few kilobytes). */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * GetHealthStatus. A health answer whose every external key manager is UNAVAILABLE is refused as
 * 'unreachable' (XksProxyUriUnreachableException: "also thrown when … all external key manager
 * instances are unavailable").
 */
async function xksHealthUnguarded(t: XksProxyTarget, md: XksRequestMetadata): Promise<XksHealth> {
  const { body, requestId } = await call(t, '/health', { requestMetadata: { kmsRequestId: md.kmsRequestId, kmsOperation: md.kmsOperation } });
  const r = new Reader(body, requestId);
  const fleetSize = r.integer('xksProxyFleetSize');
  const health: XksHealth = {
    xksProxyFleetSize: fleetSize,
    xksProxyVendor: r.string('xksProxyVendor'),
    xksProxyModel: r.string('xksProxyModel'),
    ekmVendor: r.string('ekmVendor'),
    ekmFleetDetails: r.array('ekmFleetDetails', 1, 10).map((entry, i) => {
      const e = new Reader(entry, requestId, `ekmFleetDetails[${i}].`);
      const healthStatus = e.string('healthStatus');
      if (!HEALTH_STATUSES.includes(healthStatus)) throw r.invalid(`ekmFleetDetails[${i}].healthStatus is not ACTIVE, DEGRADED or UNAVAILABLE`);
      return { id: e.string('id'), model: e.string('model'), healthStatus: healthStatus as XksHealthStatus };
    }),
  };
  if (fleetSize < 1) throw r.invalid('xksProxyFleetSize is not greater than zero');
  if (health.ekmFleetDetails.every((e) => e.healthStatus === 'UNAVAILABLE')) {
    throw new XksProxyError('unreachable', 'every external key manager in ekmFleetDetails is UNAVAILABLE', withId(requestId));
  }
  return health;
}

/** GetKeyMetadata. The values are returned as the proxy gave them: KMS, not the client, judges keySpec, keyUsage and keyStatus. */
async function xksKeyMetadataUnguarded(t: XksProxyTarget, externalKeyId: string, md: XksRequestMetadata): Promise<{ keySpec: string; keyUsage: string[]; keyStatus: string }> {
  const { body, requestId } = await call(t, keyPath(externalKeyId, 'metadata'), { requestMetadata: metadataOf(md) });
  const r = new Reader(body, requestId);
  const keyUsage = r.array('keyUsage', 0, 10).map((u, i) => {
    if (typeof u !== 'string') throw r.invalid(`keyUsage[${i}] is not a string`);
    return u;
  });
  return { keySpec: r.string('keySpec'), keyUsage, keyStatus: r.string('keyStatus') };
}

async function xksEncryptUnguarded(
  t: XksProxyTarget,
  externalKeyId: string,
  input: { requestMetadata: XksRequestMetadata; plaintext: Uint8Array; additionalAuthenticatedData?: Uint8Array; ciphertextDataIntegrityValueAlgorithm?: 'SHA_256' },
): Promise<{ ciphertext: Uint8Array; initializationVector: Uint8Array; authenticationTag: Uint8Array; ciphertextMetadata?: Uint8Array; ciphertextDataIntegrityValue?: Uint8Array }> {
  const request: Record<string, unknown> = { requestMetadata: metadataOf(input.requestMetadata) };
  if (input.additionalAuthenticatedData !== undefined) request['additionalAuthenticatedData'] = toBase64(input.additionalAuthenticatedData);
  request['plaintext'] = toBase64(input.plaintext);
  request['encryptionAlgorithm'] = 'AES_GCM';
  if (input.ciphertextDataIntegrityValueAlgorithm !== undefined) request['ciphertextDataIntegrityValueAlgorithm'] = input.ciphertextDataIntegrityValueAlgorithm;
  const { body, requestId } = await call(t, keyPath(externalKeyId, 'encrypt'), request);
  const r = new Reader(body, requestId);
  const ciphertext = r.bytes('ciphertext');
  const initializationVector = r.bytes('initializationVector');
  const authenticationTag = r.bytes('authenticationTag');
  const ciphertextMetadata = r.optionalBytes('ciphertextMetadata');
  const cdiv = r.optionalBytes('ciphertextDataIntegrityValue');
  if (ciphertext.length !== input.plaintext.length) throw r.invalid('ciphertext is not as long as the plaintext');
  if (!IV_LENGTHS.includes(initializationVector.length)) throw r.invalid(`initializationVector is ${initializationVector.length} bytes, not 12 or 16`);
  if (authenticationTag.length !== TAG_LENGTH) throw r.invalid(`authenticationTag is ${authenticationTag.length} bytes, not 16`);
  if (ciphertextMetadata && ciphertextMetadata.length > MAX_CIPHERTEXT_METADATA) throw r.invalid('ciphertextMetadata is longer than 20 bytes');
  if (input.ciphertextDataIntegrityValueAlgorithm !== undefined) {
    if (!cdiv) throw r.invalid('ciphertextDataIntegrityValue is missing');
    const expected = ciphertextDataIntegrityValue(input.additionalAuthenticatedData, ciphertextMetadata, initializationVector, ciphertext, authenticationTag);
    if (!equalBytes(cdiv, expected)) throw r.invalid('ciphertextDataIntegrityValue does not match the answer');
  }
  return {
    ciphertext,
    initializationVector,
    authenticationTag,
    ...(ciphertextMetadata ? { ciphertextMetadata } : {}),
    ...(cdiv && input.ciphertextDataIntegrityValueAlgorithm !== undefined ? { ciphertextDataIntegrityValue: cdiv } : {}),
  };
}

async function xksDecryptUnguarded(
  t: XksProxyTarget,
  externalKeyId: string,
  input: {
    requestMetadata: XksRequestMetadata;
    ciphertext: Uint8Array;
    initializationVector: Uint8Array;
    authenticationTag: Uint8Array;
    additionalAuthenticatedData?: Uint8Array;
    ciphertextMetadata?: Uint8Array;
  },
): Promise<Uint8Array> {
  const request: Record<string, unknown> = { requestMetadata: metadataOf(input.requestMetadata) };
  request['ciphertext'] = toBase64(input.ciphertext);
  if (input.ciphertextMetadata !== undefined) request['ciphertextMetadata'] = toBase64(input.ciphertextMetadata);
  request['encryptionAlgorithm'] = 'AES_GCM';
  if (input.additionalAuthenticatedData !== undefined) request['additionalAuthenticatedData'] = toBase64(input.additionalAuthenticatedData);
  request['authenticationTag'] = toBase64(input.authenticationTag);
  request['initializationVector'] = toBase64(input.initializationVector);
  const { body, requestId } = await call(t, keyPath(externalKeyId, 'decrypt'), request);
  const r = new Reader(body, requestId);
  const plaintext = r.bytes('plaintext');
  if (plaintext.length !== input.ciphertext.length) throw r.invalid('plaintext is not as long as the ciphertext');
  return plaintext;
}

export const xksHealth: (t: XksProxyTarget, md: XksRequestMetadata) => Promise<XksHealth> = guarded(xksHealthUnguarded);
export const xksKeyMetadata: (t: XksProxyTarget, externalKeyId: string, md: XksRequestMetadata) => Promise<{ keySpec: string; keyUsage: string[]; keyStatus: string }> =
  guarded(xksKeyMetadataUnguarded);
export const xksEncrypt: typeof xksEncryptUnguarded = guarded(xksEncryptUnguarded);
export const xksDecrypt: typeof xksDecryptUnguarded = guarded(xksDecryptUnguarded);

/** Nothing but an XksProxyError leaves the client: an input it cannot even send (not bytes, say) is 'unreachable', as the request never left. */
function guarded<A extends unknown[], R>(call: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await call(...args);
    } catch (e) {
      if (e instanceof XksProxyError) throw e;
      throw new XksProxyError('unreachable', `the request could not be made: ${describe(e)}`);
    }
  };
}

/** The spec's Appendix C: SHA-256 over aad || ciphertextMetadata || iv || ciphertext || tag (absent parts empty). */
export function ciphertextDataIntegrityValue(aad: Uint8Array | undefined, metadata: Uint8Array | undefined, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array {
  return sha256(concatBytes(aad ?? new Uint8Array(0), metadata ?? new Uint8Array(0), iv, ciphertext, tag));
}

// ------------------------------------------------------------------ transport

function metadataOf(md: XksRequestMetadata): Record<string, string> {
  const out: Record<string, string> = { awsPrincipalArn: md.awsPrincipalArn };
  if (md.awsSourceVpc !== undefined) out['awsSourceVpc'] = md.awsSourceVpc;
  if (md.awsSourceVpce !== undefined) out['awsSourceVpce'] = md.awsSourceVpce;
  if (md.kmsKeyArn !== undefined) out['kmsKeyArn'] = md.kmsKeyArn;
  out['kmsOperation'] = md.kmsOperation;
  out['kmsRequestId'] = md.kmsRequestId;
  if (md.kmsViaService !== undefined) out['kmsViaService'] = md.kmsViaService;
  return out;
}

function keyPath(externalKeyId: string, operation: string): string {
  return `/keys/${encodeURIComponent(externalKeyId)}/${operation}`;
}

function operationOf(suffix: string): XksOperation {
  return suffix === '/health' ? 'GetHealthStatus' : suffix.endsWith('/metadata') ? 'GetKeyMetadata' : suffix.endsWith('/encrypt') ? 'Encrypt' : 'Decrypt';
}

function withId(requestId: string | undefined): { proxyRequestId?: string } {
  return requestId === undefined ? {} : { proxyRequestId: requestId };
}

/** Sends one signed POST; returns the parsed JSON of a 200 answer or throws the XksProxyError for anything else. */
async function call(t: XksProxyTarget, suffix: string, payload: unknown): Promise<{ body: unknown; requestId: string | undefined }> {
  let url: URL;
  try {
    url = new URL(`${t.uriEndpoint.replace(/\/+$/, '')}${t.uriPath}${suffix}`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('not http(s)');
  } catch {
    throw new XksProxyError('unreachable', `the proxy URI '${t.uriEndpoint}${t.uriPath}' is not a valid http(s) URL`);
  }
  // A URL parser resolves '.' and '..' segments (an external key id '..', a path with them): the request would go elsewhere.
  if (url.pathname !== `${t.uriPath}${suffix}`) throw new XksProxyError('invalid-uri-path', `the URI path '${t.uriPath}${suffix}' does not survive URL parsing (it is '${url.pathname}')`);
  const body = utf8(JSON.stringify(payload));
  const timeoutMs = t.timeoutMs ?? XKS_TIMEOUT_MS;
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json' };
  let signed: { 'x-amz-date': string; authorization: string };
  try {
    signed = signSigV4({ method: 'POST', path: url.pathname, headers, body }, { credential: t.credential, region: t.region, service: XKS_SIGNING_SERVICE, now: (t.clock ?? Date.now)() });
  } catch (e) {
    throw new XksProxyError('unreachable', `the request could not be signed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const send = t.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  let timedOut = false;
  let onTimeout: () => void = () => {};
  // A transport that ignores the signal still loses the race.
  const deadline = new Promise<never>((_, reject) => {
    onTimeout = () => reject(new Error('timeout'));
  });
  deadline.catch(() => {});
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
    onTimeout();
  }, timeoutMs);
  let status: number;
  let requestId: string | undefined;
  let text: string;
  try {
    // `host` is set by the transport from the URL (fetch forbids setting it); it is signed as the URL's host.
    const response = await Promise.race([deadline, send(url.href, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-amz-date': signed['x-amz-date'], authorization: signed.authorization },
      body: body as Uint8Array<ArrayBuffer>,
      signal: controller.signal,
    })]);
    status = response.status;
    requestId = response.headers.get('x-request-id') ?? response.headers.get('x-amzn-requestid') ?? undefined;
    text = await Promise.race([deadline, readText(response)]);
    try {
      t.onAnswer?.({ operation: operationOf(suffix), httpStatus: status, ...withId(requestId) });
    } catch {
      // The observer's failure is not the proxy's.
    }
  } catch (e) {
    if (timedOut) throw new XksProxyError('timeout', `no answer within ${timeoutMs} ms`);
    if (e instanceof XksProxyError) throw e;
    throw new XksProxyError('unreachable', `the proxy could not be reached: ${describe(e)}`);
  } finally {
    clearTimeout(timer);
  }
  const extra = { httpStatus: status, ...withId(requestId) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new XksProxyError('invalid-response', `HTTP ${status} with a body that is not JSON`, extra);
  }
  if (status === 200) return { body: json, requestId };
  const errorName = isRecord(json) && typeof json['errorName'] === 'string' ? json['errorName'] : undefined;
  const known = errorName !== undefined && Object.hasOwn(XKS_ERROR_NAMES, errorName) ? XKS_ERROR_NAMES[errorName]! : undefined;
  if (!known) throw new XksProxyError('invalid-response', `HTTP ${status} without a known errorName`, extra);
  const message = isRecord(json) && typeof json['errorMessage'] === 'string' ? `: ${json['errorMessage'].slice(0, 512)}` : '';
  throw new XksProxyError(known.failure, `HTTP ${status} ${errorName}${message}`, { ...extra, errorName: errorName! });
}

async function readText(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) throw new XksProxyError('invalid-response', `the answer declares ${declared} bytes`, { httpStatus: response.status });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_RESPONSE_BYTES) throw new XksProxyError('invalid-response', `the answer is ${bytes.length} bytes`, { httpStatus: response.status });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new XksProxyError('invalid-response', 'the answer is not UTF-8', { httpStatus: response.status });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}

/** Reads the fields of a 200 answer; a missing or mistyped field is 'invalid-response'. */
class Reader {
  readonly #value: Record<string, unknown>;
  readonly #requestId: string | undefined;
  readonly #prefix: string;

  constructor(value: unknown, requestId: string | undefined, prefix = '') {
    this.#requestId = requestId;
    this.#prefix = prefix;
    if (!isRecord(value)) throw this.invalid(`${prefix || 'the answer '}is not a JSON object`);
    this.#value = value;
  }

  invalid(detail: string): XksProxyError {
    return new XksProxyError('invalid-response', detail, { httpStatus: 200, ...withId(this.#requestId) });
  }

  #get(name: string): unknown {
    return Object.hasOwn(this.#value, name) ? this.#value[name] : undefined;
  }

  string(name: string): string {
    const v = this.#get(name);
    if (typeof v !== 'string') throw this.invalid(`${this.#prefix}${name} is ${v === undefined ? 'missing' : 'not a string'}`);
    return v;
  }

  integer(name: string): number {
    const v = this.#get(name);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.invalid(`${this.#prefix}${name} is ${v === undefined ? 'missing' : 'not an integer'}`);
    return v;
  }

  array(name: string, min: number, max: number): unknown[] {
    const v = this.#get(name);
    if (!Array.isArray(v)) throw this.invalid(`${this.#prefix}${name} is ${v === undefined ? 'missing' : 'not an array'}`);
    if (v.length < min || v.length > max) throw this.invalid(`${this.#prefix}${name} has ${v.length} entries (${min} to ${max} allowed)`);
    return v;
  }

  bytes(name: string): Uint8Array {
    const bytes = fromBase64(this.string(name));
    if (!bytes) throw this.invalid(`${this.#prefix}${name} is not base64`);
    return bytes;
  }

  optionalBytes(name: string): Uint8Array | undefined {
    return this.#get(name) === undefined ? undefined : this.bytes(name);
  }
}
