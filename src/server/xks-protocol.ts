/**
 * The built-in external key store proxy on the server's port: the XKS Proxy API v1 under a path
 * prefix (default /xks, so XksProxyUriPath /xks/kms/xks/v1), answered by the browser-safe XksProxy
 * of src/dialects/aws/xks/proxy.ts, and its keys managed through the control API:
 *
 *   GET    /_kms/xks/keys            {uriPath, keys: [{id, keySpec, keyUsage, keyStatus}]}
 *   POST   /_kms/xks/keys            {"id": "…", "material": "<base64 of 32 bytes>"?}: a new external key
 *   DELETE /_kms/xks/keys            {"id": "…"}
 *   POST   /_kms/xks/keys/enable     {"id": "…"}
 *   POST   /_kms/xks/keys/disable    {"id": "…"}
 *
 * The proxy's keys live outside the KMS state: /_kms/reset, snapshots and --data-dir do not hold them.
 */
import { fromBase64 } from '../crypto/bytes.js';
import { XksProxy, XksProxyConfigError, type XksProxyRequest } from '../dialects/aws/xks/proxy.js';
import { ControlError, type ControlRoutes, controlJson, field, only } from './control.js';
import type { Protocol, ProtocolResponse } from './router.js';

/** The default prefix of the proxy's URI path: XksProxyUriPath is `${prefix}/kms/xks/v1`. */
export const DEFAULT_XKS_PATH = '/xks';
/**
 * The credential the built-in proxy accepts when none is given (--xks-credential): an access key id
 * and secret of the shapes CreateCustomKeyStore accepts (20-30 of A-Z2-7; 43-64 of a-zA-Z0-9/+=).
 */
export const DEFAULT_XKS_CREDENTIAL = { accessKeyId: 'KMSEMULATORXKSACCESSKEY', secretAccessKey: 'kmsEmulatorXksProxyDefaultSecretAccessKey+00' } as const;
/** XksProxyAuthenticationCredential's constraints in the KMS API. */
export const XKS_ACCESS_KEY_ID = /^[A-Z2-7]{20,30}$/;
export const XKS_SECRET = /^[a-zA-Z0-9/+=]{43,64}$/;
/** A prefix: one or more segments of letters, digits, '-', '_' (the XksProxyUriPath alphabet), not a path another protocol uses. */
const PREFIX = /^(\/[A-Za-z0-9_-]+)+$/;
const RESERVED_FIRST_SEGMENTS = new Set(['_kms', 'health', 'v1', 'v2', 'kms']);

export interface XksServerOptions {
  /** Default DEFAULT_XKS_PATH. */
  path?: string;
  region: string;
  keys?: Array<{ id: string; material?: Uint8Array }>;
  /** Default [DEFAULT_XKS_CREDENTIAL]. */
  credentials?: Array<{ accessKeyId: string; secretAccessKey: string }>;
  clock: () => number;
}

/** Why an --xks-path cannot be used, or undefined when it can. */
export function xksPathProblem(path: string): string | undefined {
  if (!PREFIX.test(path)) return 'a path such as /xks: segments of letters, digits, - and _';
  if (RESERVED_FIRST_SEGMENTS.has(path.split('/')[1]!)) return `its first segment is used by another part of the server (${[...RESERVED_FIRST_SEGMENTS].join(', ')})`;
  if (`${path}/kms/xks/v1`.length > 128) return 'the URI path it makes (…/kms/xks/v1) would be longer than 128 characters';
  return undefined;
}

export function createXksProxy(options: XksServerOptions): XksProxy {
  const path = options.path ?? DEFAULT_XKS_PATH;
  const problem = xksPathProblem(path);
  if (problem) throw new RangeError(`Invalid XKS path '${path}': ${problem}`);
  const proxy = new XksProxy({ uriPath: `${path}/kms/xks/v1`, region: options.region, credentials: options.credentials ?? [{ ...DEFAULT_XKS_CREDENTIAL }], clock: options.clock });
  for (const key of options.keys ?? []) proxy.createKey(key.id, key.material);
  return proxy;
}

/** The proxy as a protocol of the server: everything under the prefix. */
export function xksProtocol(proxy: XksProxy): Protocol {
  const prefix = proxy.uriPath.slice(0, -'/kms/xks/v1'.length);
  return {
    name: 'xks',
    matches: (head) => head.path === prefix || head.path.startsWith(`${prefix}/`),
    async handle(request) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      const xksRequest: XksProxyRequest = { method: request.method, path: request.path, query: request.query, headers, body: request.body };
      const answer = await proxy.handle(xksRequest);
      return { ...answer, action: operationOf(request.path, proxy.uriPath), ...(answer.status === 200 ? {} : { note: errorNameOf(answer.body) }) };
    },
    reject(_request, refusal, detail) {
      return refusal === 'too-large'
        ? xksError(400, 'ValidationException', `The request body is larger than ${detail.maxBodyBytes} bytes.`)
        : xksError(500, 'InternalException', 'An internal error occurred in the XKS proxy.');
    },
  };
}

function xksError(status: number, errorName: string, errorMessage: string): ProtocolResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorName, errorMessage }), note: errorName };
}

function operationOf(path: string, uriPath: string): string {
  const rest = path.startsWith(uriPath) ? path.slice(uriPath.length) : '';
  if (rest === '/health') return 'GetHealthStatus';
  const m = /^\/keys\/[^/]+\/(metadata|encrypt|decrypt)$/.exec(rest);
  return m ? `${{ metadata: 'GetKeyMetadata', encrypt: 'Encrypt', decrypt: 'Decrypt' }[m[1] as 'metadata' | 'encrypt' | 'decrypt']}` : '-';
}

function errorNameOf(body: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { errorName?: unknown };
    return typeof parsed.errorName === 'string' ? parsed.errorName : undefined;
  } catch {
    return undefined;
  }
}

/** The control API's routes for the proxy's external keys. */
export function xksControlRoutes(proxy: XksProxy): ControlRoutes {
  const configured = <T>(action: () => T): T => {
    try {
      return action();
    } catch (e) {
      if (e instanceof XksProxyConfigError) throw new ControlError(400, 'InvalidRequest', e.message);
      throw e;
    }
  };
  const requiredId = (body: unknown): string => {
    const id = field(body, 'id');
    if (id === undefined) throw new ControlError(400, 'InvalidRequest', 'Give the external key "id".');
    return id;
  };
  const enable = (enabled: boolean) => (_request: unknown, body: unknown) => {
    only(body, ['id']);
    const id = requiredId(body);
    if (!proxy.describeKey(id)) throw new ControlError(404, 'NotFound', `No external key '${id}'.`);
    return controlJson(200, configured(() => proxy.setKeyEnabled(id, enabled)));
  };
  return {
    'xks/keys': {
      GET: () => controlJson(200, { uriPath: proxy.uriPath, keys: proxy.listKeys() }),
      POST: (_request, body) => {
        only(body, ['id', 'material']);
        const id = requiredId(body);
        const text = field(body, 'material');
        let material: Uint8Array | undefined;
        if (text !== undefined) {
          material = fromBase64(text);
          if (!material || material.length !== 32) throw new ControlError(400, 'InvalidRequest', '"material" must be the base64 of 32 bytes (an AES-256 key).');
        }
        if (proxy.describeKey(id)) throw new ControlError(409, 'AlreadyExists', `The external key '${id}' already exists.`);
        return controlJson(201, configured(() => proxy.createKey(id, material)));
      },
      DELETE: (_request, body) => {
        only(body, ['id']);
        const id = requiredId(body);
        if (!proxy.deleteKey(id)) throw new ControlError(404, 'NotFound', `No external key '${id}'.`);
        return controlJson(200, { deleted: id });
      },
    },
    'xks/keys/enable': { POST: enable(true) },
    'xks/keys/disable': { POST: enable(false) },
  };
}
