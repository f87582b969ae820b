/**
 * CORS, so that browser apps call the endpoint directly (the AWS SDK in a page, a dev server on
 * another port). Allowed origins default to any loopback origin (http://localhost:*,
 * http://127.0.0.1:*, http://[::1]:*); `--cors-origin` replaces them (`*` allows any).
 * A preflight (OPTIONS with Access-Control-Request-Method) is answered here, before any protocol;
 * other answers to an allowed origin carry Access-Control-Allow-Origin and expose the headers the
 * SDKs read. A refused origin gets no CORS headers, so the browser refuses the answer.
 */
import type { ProtocolResponse, RequestHead } from './router.js';
import { header } from './router.js';

/** Response headers the providers' SDKs (and users) read: request ids, error types, the date for clock skew. */
export const EXPOSED_HEADERS = [
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-amz-request-id',
  'x-amz-id-2',
  'x-request-id',
  'x-tc-traceid',
  'date',
  'content-length',
];

const LOOPBACK_ORIGIN = /^https?:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/i;
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, DELETE, OPTIONS';
const TOKEN_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

export class CorsPolicy {
  readonly #any: boolean;
  readonly #origins: ReadonlySet<string> | undefined;

  /** `origins`: exact origins or `*`; undefined means any loopback origin. */
  constructor(origins?: readonly string[]) {
    this.#any = origins?.includes('*') ?? false;
    this.#origins = origins ? new Set(origins.map((o) => o.toLowerCase())) : undefined;
  }

  allows(origin: string): boolean {
    if (this.#any) return true;
    if (this.#origins) return this.#origins.has(origin.toLowerCase());
    return LOOPBACK_ORIGIN.test(origin);
  }

  /** The answer to a preflight request, or undefined when the request is not one. */
  preflight(request: RequestHead): ProtocolResponse | undefined {
    const origin = header(request, 'origin');
    const method = header(request, 'access-control-request-method');
    if (request.method !== 'OPTIONS' || origin === undefined || method === undefined) return undefined;
    if (!this.allows(origin)) {
      return { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8', vary: 'Origin' }, body: `Origin ${origin} is not allowed (see --cors-origin).\n`, action: 'preflight', note: 'origin not allowed' };
    }
    const requested = header(request, 'access-control-request-headers');
    return {
      status: 204,
      headers: {
        'access-control-allow-origin': this.#any ? '*' : origin,
        'access-control-allow-methods': ALLOWED_METHODS,
        // Whatever the SDK signs (authorization, x-amz-*, x-tc-*, amz-sdk-*) is echoed back, when it is a header list.
        ...(requested && TOKEN_LIST.test(requested.trim()) ? { 'access-control-allow-headers': requested.trim() } : {}),
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      },
      body: '',
      action: 'preflight',
    };
  }

  /** The CORS headers for an answer to `request` (none without an allowed Origin). */
  headers(request: RequestHead): Record<string, string> {
    const origin = header(request, 'origin');
    if (origin === undefined || !this.allows(origin)) return origin === undefined ? {} : { vary: 'Origin' };
    return {
      'access-control-allow-origin': this.#any ? '*' : origin,
      'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
      vary: 'Origin',
    };
  }
}
