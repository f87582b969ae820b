/**
 * A built-in external key store proxy (XKS Proxy API v1), browser-safe: it holds AES-256 external
 * keys, checks SigV4 (service `kms-xks-proxy`) against the credentials it accepts, and answers
 * GetHealthStatus, GetKeyMetadata, Encrypt and Decrypt under its URI path with real AES-256-GCM,
 * or the spec's errors (`{"errorName", "errorMessage"}` with their HTTP statuses). The server mounts
 * it (src/server/xks-protocol.ts); the sandbox can run it in the page through `asFetch()`.
 *
 * The AAD given to AES-GCM is the spec's: 2-byte big-endian length of additionalAuthenticatedData
 * || additionalAuthenticatedData || 1-byte length of ciphertextMetadata || ciphertextMetadata.
 */
import { aesGcmOpen, aesGcmSeal } from '../../../crypto/aes-gcm.js';
import { concatBytes, fromBase64, toBase64, utf8 } from '../../../crypto/bytes.js';
import { randomBytes, randomUuid, type RandomSource, systemRandom } from '../../../crypto/random.js';
import { ciphertextDataIntegrityValue } from './client.js';
import { verifySigV4, XKS_SIGNING_SERVICE } from './sigv4.js';

export interface XksProxyRequest {
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  query?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface XksProxyResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface XksProxyOptions {
  /** The XksProxyUriPath this proxy answers under, e.g. "/xks/kms/xks/v1". */
  uriPath: string;
  /** The SigV4 region requests must be scoped to (the KMS region). */
  region: string;
  /** Accepted SigV4 credentials (the spec asks for at least two at once, for rotation). */
  credentials?: Array<{ accessKeyId: string; secretAccessKey: string }>;
  /** ms since epoch: the SigV4 clock. Default Date.now. */
  clock?: () => number;
  random?: RandomSource;
  /** Returned with every Encrypt (at most 20 bytes) and bound into the AAD. Default: none. */
  ciphertextMetadata?: Uint8Array;
}

export interface XksExternalKeyInfo {
  id: string;
  keySpec: 'AES_256';
  keyUsage: string[];
  keyStatus: 'ENABLED' | 'DISABLED';
}

/** A refused administrative call (bad key id, duplicate, wrong material length). */
export class XksProxyConfigError extends Error {
  override readonly name = 'XksProxyConfigError';
}

/** The spec: at most 128 characters of letters, digits, '-', '.', '_'. */
export const EXTERNAL_KEY_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** The spec: XksProxyUriPath is at most 128 characters of letters, digits, '/', '-', '_' (and ends in /kms/xks/v1). */
export const XKS_URI_PATH = /^(\/[A-Za-z0-9_-]+)*\/kms\/xks\/v1$/;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_AAD_BYTES = 65535;
const JSON_TYPE = 'application/json';

const STATUS: Record<string, number> = {
  ValidationException: 400,
  InvalidStateException: 400,
  InvalidCiphertextException: 400,
  InvalidKeyUsageException: 400,
  AuthenticationFailedException: 401,
  AccessDeniedException: 403,
  KeyNotFoundException: 404,
  InvalidUriPathException: 404,
  ThrottlingException: 429,
  InternalException: 500,
  UnsupportedOperationException: 501,
  DependencyTimeoutException: 503,
};

class Refusal {
  constructor(
    readonly errorName: string,
    readonly errorMessage: string,
    /** Only a 405 differs from the errorName's status. */
    readonly status = STATUS[errorName]!,
  ) {}
}

interface ExternalKey {
  material: Uint8Array;
  enabled: boolean;
}

export class XksProxy {
  readonly uriPath: string;
  readonly region: string;
  readonly #keys = new Map<string, ExternalKey>();
  readonly #credentials = new Map<string, string>();
  readonly #clock: () => number;
  readonly #random: RandomSource;
  readonly #ciphertextMetadata: Uint8Array | undefined;

  constructor(options: XksProxyOptions) {
    if (!XKS_URI_PATH.test(options.uriPath) || options.uriPath.length > 128) {
      throw new XksProxyConfigError(`The URI path '${options.uriPath}' is not an XksProxyUriPath: at most 128 characters of letters, digits, '/', '-', '_', ending in /kms/xks/v1.`);
    }
    if (options.ciphertextMetadata && options.ciphertextMetadata.length > 20) throw new XksProxyConfigError('ciphertextMetadata is at most 20 bytes.');
    this.uriPath = options.uriPath;
    this.region = options.region;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? systemRandom;
    this.#ciphertextMetadata = options.ciphertextMetadata;
    for (const c of options.credentials ?? []) this.addCredential(c.accessKeyId, c.secretAccessKey);
  }

  // ------------------------------------------------------------------ administration

  addCredential(accessKeyId: string, secretAccessKey: string): void {
    if (accessKeyId === '' || secretAccessKey === '') throw new XksProxyConfigError('A credential needs an access key id and a secret.');
    this.#credentials.set(accessKeyId, secretAccessKey);
  }

  removeCredential(accessKeyId: string): boolean {
    return this.#credentials.delete(accessKeyId);
  }

  /** Makes an AES-256 external key with random material, or with the 32 bytes given. */
  createKey(id: string, material?: Uint8Array): XksExternalKeyInfo {
    if (!EXTERNAL_KEY_ID.test(id)) throw new XksProxyConfigError(`The external key id '${id.slice(0, 140)}' is not 1 to 128 letters, digits, '-', '.' or '_'.`);
    if (this.#keys.has(id)) throw new XksProxyConfigError(`The external key '${id}' already exists.`);
    if (material !== undefined && material.length !== 32) throw new XksProxyConfigError(`An AES-256 external key is 32 bytes, not ${material.length}.`);
    this.#keys.set(id, { material: material ? material.slice() : randomBytes(this.#random, 32), enabled: true });
    return this.describeKey(id)!;
  }

  deleteKey(id: string): boolean {
    return this.#keys.delete(id);
  }

  setKeyEnabled(id: string, enabled: boolean): XksExternalKeyInfo {
    const key = this.#keys.get(id);
    if (!key) throw new XksProxyConfigError(`No external key '${id.slice(0, 140)}'.`);
    key.enabled = enabled;
    return this.describeKey(id)!;
  }

  describeKey(id: string): XksExternalKeyInfo | undefined {
    const key = this.#keys.get(id);
    return key ? { id, keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: key.enabled ? 'ENABLED' : 'DISABLED' } : undefined;
  }

  listKeys(): XksExternalKeyInfo[] {
    return [...this.#keys.keys()].sort().map((id) => this.describeKey(id)!);
  }

  // ------------------------------------------------------------------ the XKS Proxy API

  /** Answers one request; never throws. */
  async handle(request: XksProxyRequest): Promise<XksProxyResponse> {
    const requestId = randomUuid(this.#random);
    try {
      return this.#json(200, this.#route(request), requestId);
    } catch (e) {
      if (e instanceof Refusal) return this.#json(e.status, { errorName: e.errorName, errorMessage: e.errorMessage }, requestId);
      return this.#json(500, { errorName: 'InternalException', errorMessage: 'An internal error occurred in the XKS proxy.' }, requestId);
    }
  }

  /** A fetch-compatible function that hands requests to `handle` without any network. */
  asFetch(): typeof fetch {
    const proxy = this;
    return async function xksProxyFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const req = new Request(input, init);
      if (req.signal.aborted) throw abortError();
      const url = new URL(req.url);
      const headers: Record<string, string> = { host: url.host };
      req.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const body = new Uint8Array(await req.arrayBuffer());
      const answer = await proxy.handle({ method: req.method, path: url.pathname, query: url.search.slice(1), headers, body });
      if (req.signal.aborted) throw abortError();
      return new Response(answer.body as Uint8Array<ArrayBuffer>, { status: answer.status, headers: answer.headers });
    } as typeof fetch;
  }

  #route(request: XksProxyRequest): unknown {
    if (request.path !== this.uriPath && !request.path.startsWith(`${this.uriPath}/`)) {
      throw new Refusal('InvalidUriPathException', 'The request was rejected because the specified URI path is not valid.');
    }
    const rest = request.path.slice(this.uriPath.length);
    const match = /^\/keys\/([^/]+)\/(metadata|encrypt|decrypt)$/.exec(rest);
    if (rest !== '/health' && !match) throw new Refusal('InvalidUriPathException', 'The request was rejected because the specified URI path is not valid.');
    // GET (or any method but POST) on an API URI: 405, as the spec asks; the body keeps a spec errorName.
    if (request.method !== 'POST') throw new Refusal('ValidationException', 'The XKS Proxy API takes POST only.', 405);
    const auth = verifySigV4(request, {
      secretFor: (id) => this.#credentials.get(id),
      service: XKS_SIGNING_SERVICE,
      region: this.region,
      now: this.#clock(),
    });
    if (!auth.ok) throw new Refusal('AuthenticationFailedException', `The request was rejected due to invalid AWS SigV4 signature. ${auth.reason}`);
    if (rest === '/health') return this.#health();
    const body = parseBody(request.body);
    let id: string;
    try {
      id = decodeURIComponent(match![1]!);
    } catch {
      throw new Refusal('ValidationException', 'The external key id in the URI path is not valid.');
    }
    if (!EXTERNAL_KEY_ID.test(id)) throw new Refusal('ValidationException', 'The external key id must be 1 to 128 letters, digits, hyphens, periods or underscores.');
    requestMetadata(body, match![2] !== 'metadata');
    const key = this.#keys.get(id);
    if (!key) throw new Refusal('KeyNotFoundException', 'The request was rejected because the specified external key is not found.');
    if (match![2] === 'metadata') return this.describeKey(id);
    if (!key.enabled) throw new Refusal('InvalidStateException', 'The request was rejected because the specified external key is disabled.');
    return match![2] === 'encrypt' ? this.#encrypt(key, body) : this.#decrypt(key, body);
  }

  #health(): unknown {
    return {
      xksProxyFleetSize: 1,
      xksProxyVendor: 'kms-emulator',
      xksProxyModel: 'kms-emulator built-in XKS proxy 1.0',
      ekmVendor: 'kms-emulator',
      ekmFleetDetails: [{ id: 'kms-emulator-ekm-1', model: 'kms-emulator in-memory AES-256 key manager', healthStatus: 'ACTIVE' }],
    };
  }

  #encrypt(key: ExternalKey, body: Record<string, unknown>): unknown {
    algorithm(body);
    const plaintext = b64(body, 'plaintext', true)!;
    const aad = b64(body, 'additionalAuthenticatedData', false);
    const cdivAlgorithm = body['ciphertextDataIntegrityValueAlgorithm'];
    if (cdivAlgorithm !== undefined && cdivAlgorithm !== 'SHA_256') throw new Refusal('ValidationException', 'ciphertextDataIntegrityValueAlgorithm must be SHA_256.');
    const metadata = this.#ciphertextMetadata;
    const iv = randomBytes(this.#random, 12);
    const sealed = aesGcmSeal(key.material, iv, plaintext, gcmAad(aad, metadata));
    const ciphertext = sealed.subarray(0, plaintext.length);
    const tag = sealed.subarray(plaintext.length);
    const out: Record<string, string> = { ciphertext: toBase64(ciphertext) };
    if (metadata) out['ciphertextMetadata'] = toBase64(metadata);
    out['initializationVector'] = toBase64(iv);
    out['authenticationTag'] = toBase64(tag);
    if (cdivAlgorithm !== undefined) out['ciphertextDataIntegrityValue'] = toBase64(ciphertextDataIntegrityValue(aad, metadata, iv, ciphertext, tag));
    return out;
  }

  #decrypt(key: ExternalKey, body: Record<string, unknown>): unknown {
    algorithm(body);
    const ciphertext = b64(body, 'ciphertext', true)!;
    const iv = b64(body, 'initializationVector', true)!;
    const tag = b64(body, 'authenticationTag', true)!;
    const aad = b64(body, 'additionalAuthenticatedData', false);
    const metadata = b64(body, 'ciphertextMetadata', false);
    if (metadata && metadata.length > 20) throw new Refusal('ValidationException', 'ciphertextMetadata must not exceed 20 bytes.');
    if (iv.length !== 12 && iv.length !== 16) throw new Refusal('InvalidCiphertextException', 'The initialization vector must be 12 or 16 bytes.');
    if (tag.length !== 16) throw new Refusal('InvalidCiphertextException', 'The authentication tag must be 16 bytes.');
    const plaintext = aesGcmOpen(key.material, iv, concatBytes(ciphertext, tag), gcmAad(aad, metadata));
    if (!plaintext) {
      throw new Refusal(
        'InvalidCiphertextException',
        'The request was rejected because the specified ciphertext, initialization vector, additional authenticated data or authentication tag is corrupted, missing, or otherwise invalid.',
      );
    }
    return { plaintext: toBase64(plaintext) };
  }

  #json(status: number, value: unknown, requestId: string): XksProxyResponse {
    return { status, headers: { 'content-type': JSON_TYPE, 'x-request-id': requestId }, body: utf8(JSON.stringify(value)) };
  }
}

function abortError(): Error {
  return typeof DOMException === 'function' ? new DOMException('The operation was aborted.', 'AbortError') : new Error('The operation was aborted.');
}

function parseBody(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length > MAX_BODY_BYTES) throw new Refusal('ValidationException', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8Strict(bytes));
  } catch {
    throw new Refusal('ValidationException', 'The request body is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Refusal('ValidationException', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

function fromUtf8Strict(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function own(body: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(body, name) ? body[name] : undefined;
}

/** The spec's required requestMetadata fields (unknown extra fields are accepted: KMS may add some). */
function requestMetadata(body: Record<string, unknown>, keyArnRequired: boolean): void {
  const md = own(body, 'requestMetadata');
  if (typeof md !== 'object' || md === null || Array.isArray(md)) throw new Refusal('ValidationException', 'requestMetadata is required and must be an object.');
  const required = keyArnRequired ? ['awsPrincipalArn', 'kmsKeyArn', 'kmsOperation', 'kmsRequestId'] : ['awsPrincipalArn', 'kmsOperation', 'kmsRequestId'];
  for (const name of required) {
    const v = own(md as Record<string, unknown>, name);
    if (typeof v !== 'string' || v === '') throw new Refusal('ValidationException', `requestMetadata.${name} is required and must be a string.`);
  }
  for (const name of ['awsSourceVpc', 'awsSourceVpce', 'kmsViaService']) {
    const v = own(md as Record<string, unknown>, name);
    if (v !== undefined && typeof v !== 'string') throw new Refusal('ValidationException', `requestMetadata.${name} must be a string.`);
  }
}

function algorithm(body: Record<string, unknown>): void {
  if (own(body, 'encryptionAlgorithm') !== 'AES_GCM') throw new Refusal('ValidationException', 'encryptionAlgorithm is required and must be AES_GCM.');
}

function b64(body: Record<string, unknown>, name: string, required: boolean): Uint8Array | undefined {
  const v = own(body, name);
  if (v === undefined) {
    if (required) throw new Refusal('ValidationException', `${name} is required.`);
    return undefined;
  }
  const bytes = typeof v === 'string' ? fromBase64(v) : undefined;
  if (!bytes) throw new Refusal('ValidationException', `${name} must be a Base64-encoded string.`);
  return bytes;
}

function gcmAad(aad: Uint8Array | undefined, metadata: Uint8Array | undefined): Uint8Array {
  const a = aad ?? new Uint8Array(0);
  const m = metadata ?? new Uint8Array(0);
  if (a.length > MAX_AAD_BYTES) throw new Refusal('ValidationException', `additionalAuthenticatedData must not exceed ${MAX_AAD_BYTES} bytes.`);
  return concatBytes(new Uint8Array([a.length >> 8, a.length & 0xff]), a, new Uint8Array([m.length]), m);
}
