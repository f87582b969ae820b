/**
 * One port, every protocol: a request is told apart by what it carries.
 *
 *   AWS JSON 1.1          X-Amz-Target: TrentService.<Operation>
 *   Tencent Cloud API 3.0 X-TC-Action: <Action>
 *   Huawei KMS REST       /v1.0/{project_id}/kms/…, /v1/…, /v2/…
 *
 * A protocol is `{ name, matches, handle, reject }`; registering a dialect is one line:
 * `router.register(awsProtocol(kms))`. Until a provider's dialect is registered, requests that look
 * like that provider's get its own "unknown action / route" error; anything else gets AWS's
 * UnknownOperationException (or a 404 for a plain GET).
 */
import { AwsServiceError } from '../dialects/aws/errors.js';
import type { Engine } from '../engine/engine.js';

/** What arrives: the request line and headers (body not read yet). */
export interface RequestHead {
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  /** The query string as sent, without '?'. */
  query: string;
  /** Lower-cased names (Node's `req.headers`). */
  headers: Record<string, string | string[] | undefined>;
  /** Node's `req.rawHeaders`: name, value, name, value, … */
  rawHeaders: readonly string[];
  remoteAddress?: string;
}

export interface ProtocolRequest extends RequestHead {
  body: Uint8Array;
}

export interface ProtocolResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array | string;
  /** For the request log: the operation or action (e.g. 'Encrypt'). */
  action?: string;
  /** For the request log: why a request was refused, when the body does not say. */
  note?: string;
}

/** Transport-level refusals a protocol words in its own way. */
export type Refusal = 'too-large' | 'internal';

export interface Protocol {
  /** 'aws', 'tencent', 'huawei': also the name in /health and in the request log. */
  readonly name: string;
  /** Is this request in this protocol? Looks at the head only: the body is not read yet. */
  matches(request: RequestHead): boolean;
  handle(request: ProtocolRequest): Promise<ProtocolResponse>;
  /** A refusal before or around `handle` (oversized body, unexpected failure) in the protocol's words. */
  reject(request: RequestHead, refusal: Refusal, detail: { maxBodyBytes: number; requestId: string }): ProtocolResponse;
}

export const JSON_UTF8 = 'application/json; charset=utf-8';

/** The protocols of one server, in the order they are tried. */
export class Router {
  readonly #registered: Protocol[] = [];
  readonly #placeholders: Protocol[];
  readonly #fallback: Protocol;

  constructor(options: { placeholders?: Protocol[]; fallback?: Protocol } = {}) {
    this.#placeholders = options.placeholders ?? [tencentPlaceholder(), huaweiPlaceholder()];
    this.#fallback = options.fallback ?? awsFallback();
  }

  /** Adds a dialect's protocol; it replaces a registered protocol or placeholder of the same name. */
  register(protocol: Protocol): this {
    const index = this.#registered.findIndex((p) => p.name === protocol.name);
    if (index >= 0) this.#registered[index] = protocol;
    else this.#registered.push(protocol);
    return this;
  }

  /** Names of the registered (served) protocols. */
  get protocols(): string[] {
    return this.#registered.map((p) => p.name);
  }

  /** The protocol that answers this request: a registered one, a placeholder, or the fallback. */
  select(request: RequestHead): Protocol {
    for (const p of this.#registered) if (p.matches(request)) return p;
    const served = new Set(this.#registered.map((p) => p.name));
    for (const p of this.#placeholders) if (!served.has(p.name) && p.matches(request)) return p;
    return this.#fallback;
  }
}

// ------------------------------------------------------------------ helpers

export function header(request: RequestHead, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

let fallbackCounter = 0;
/** A request id for answers no engine produced (placeholders, refusals): random UUID v4. */
export function newRequestId(engine?: Engine): string {
  if (engine) return engine.newId();
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  fallbackCounter++;
  return `00000000-0000-4000-8000-${fallbackCounter.toString(16).padStart(12, '0')}`;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}, contentType = JSON_UTF8): ProtocolResponse {
  return { status, headers: { 'content-type': contentType, ...headers }, body: JSON.stringify(value) };
}

/** An AWS JSON 1.1 error answer. */
export function awsErrorResponse(error: AwsServiceError, requestId: string, status = error.httpStatusCode): ProtocolResponse {
  return jsonResponse(status, error.toJSON(), { 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code }, 'application/x-amz-json-1.1');
}

// ------------------------------------------------------------------ AWS: the fallback for everything else

/**
 * What no protocol claims: a plain GET (or HEAD) gets a 404; anything else AWS's
 * UnknownOperationException, as AWS answers a POST without a known X-Amz-Target.
 */
export function awsFallback(): Protocol {
  return {
    name: 'aws',
    matches: () => true,
    async handle(request) {
      if (request.method === 'GET' || request.method === 'HEAD') {
        return {
          status: 404,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'Not found. kms-emulator answers AWS KMS at POST / (X-Amz-Target: TrentService.<Operation>) and GET /health.\n',
          note: 'no route',
        };
      }
      const response = awsErrorResponse(new AwsServiceError('UnknownOperationException', undefined), newRequestId());
      return { ...response, note: header(request, 'x-amz-target') === undefined ? 'no X-Amz-Target' : 'unknown X-Amz-Target' };
    },
    reject: awsRefusal,
  };
}

export function awsRefusal(_request: RequestHead, refusal: Refusal, detail: { maxBodyBytes: number; requestId: string }): ProtocolResponse {
  if (refusal === 'too-large') {
    // No AWS error name is known for an oversized request: a plain HTTP 413 (the SDK reports it by
    // status), rather than an exception the real service does not have.
    return jsonResponse(413, { message: `Request body is larger than the limit of ${detail.maxBodyBytes} bytes.` }, { 'x-amzn-requestid': detail.requestId }, 'application/x-amz-json-1.1');
  }
  return awsErrorResponse(new AwsServiceError('KMSInternalException', 'An internal error occurred.'), detail.requestId, 500);
}

// ------------------------------------------------------------------ Tencent Cloud API 3.0 (placeholder)

/** Tencent answers every API 3.0 call with HTTP 200; errors travel in Response.Error. */
export function tencentError(code: string, message: string, requestId: string, request: RequestHead): ProtocolResponse {
  const traceId = header(request, 'x-tc-traceid');
  return jsonResponse(200, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } }, traceId ? { 'x-tc-traceid': traceId } : {});
}

export function isTencentRequest(request: RequestHead): boolean {
  return request.headers['x-tc-action'] !== undefined;
}

/** Tencent-looking requests before the Tencent dialect is registered: InvalidAction. */
export function tencentPlaceholder(): Protocol {
  return {
    name: 'tencent',
    matches: isTencentRequest,
    async handle(request) {
      const action = header(request, 'x-tc-action') ?? '';
      const version = header(request, 'x-tc-version') ?? '';
      return {
        ...tencentError('InvalidAction', `The request action=\`${action}\` is invalid or not found in service=\`kms\` and version=\`${version}\`.`, newRequestId(), request),
        action,
        note: 'no Tencent dialect',
      };
    },
    reject(request, refusal, detail) {
      return refusal === 'too-large'
        ? tencentError('RequestSizeLimitExceeded', `The request body exceeds the limit of ${detail.maxBodyBytes} bytes.`, detail.requestId, request)
        : tencentError('InternalError', 'An internal error occurred.', detail.requestId, request);
    },
  };
}

// ------------------------------------------------------------------ Huawei KMS REST (placeholder)

/** Huawei KMS errors: `{"error":{"error_code":"KMS.XXXX","error_msg":"…"}}`, request id in X-Request-Id. */
export function huaweiError(status: number, code: string, message: string, requestId: string): ProtocolResponse {
  return jsonResponse(status, { error: { error_code: code, error_msg: message } }, { 'x-request-id': requestId });
}

const HUAWEI_PATH = /^\/v(?:1\.0|1|2)(?:\/|$)/;

export function isHuaweiRequest(request: RequestHead): boolean {
  return HUAWEI_PATH.test(request.path);
}

/** Huawei-looking requests before the Huawei dialect is registered: KMS.0201 "Invalid request URL." with its HTTP 400. */
export function huaweiPlaceholder(): Protocol {
  return {
    name: 'huawei',
    matches: isHuaweiRequest,
    async handle() {
      return { ...huaweiError(400, 'KMS.0201', 'Invalid request URL.', newRequestId()), note: 'no Huawei dialect' };
    },
    reject(_request, refusal, detail) {
      return refusal === 'too-large'
        ? huaweiError(413, 'KMS.0203', 'Request message too long.', detail.requestId)
        : huaweiError(500, 'KMS.0103', 'A system exception occurred. Contact technical support.', detail.requestId);
    },
  };
}
