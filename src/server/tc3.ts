/**
 * TC3-HMAC-SHA256 checks for Tencent Cloud API 3.0 requests (`--credentials` entries with provider
 * "tencent"). The server recomputes the signature the way the Tencent SDKs compute it:
 *
 *   CanonicalRequest = METHOD \n path \n query \n content-type:<ct>\nhost:<hostname>\n \n content-type;host \n hex(SHA-256(body))
 *   StringToSign     = TC3-HMAC-SHA256 \n <X-TC-Timestamp> \n <date>/<service>/tc3_request \n hex(SHA-256(CanonicalRequest))
 *   key              = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")
 *
 * The SDK signs `host` as the URL's host name without its port, and names the service after the
 * endpoint's first label (`kms` for kms.tencentcloudapi.com, `127` for 127.0.0.1:PORT): the host is
 * compared without its port, and the service must be kms, cloudaudit or the Host header's first label.
 * Signatures are compared in constant time; refusals are Tencent's AuthFailure codes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../engine/clock.js';
import type { CredentialStore, ResolvedCredential } from './credentials.js';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
/** How far X-TC-Timestamp may be from the server's clock, either way. */
export const MAX_TC3_SKEW_MS = 5 * 60 * 1000;

export interface Tc3Request {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export type Tc3Outcome = { ok: true; credential: ResolvedCredential; secretId: string } | { ok: false; code: string; message: string };

export const TC3_MESSAGES = {
  'AuthFailure.InvalidAuthorization': 'The Authorization header is invalid: it must be TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=<headers>, Signature=<hex>.',
  'AuthFailure.SecretIdNotFound': 'The SecretId is not found, please ensure that your SecretId is correct.',
  'AuthFailure.SignatureExpire': 'Signature expired. Timestamp and server time cannot exceed five minutes.',
  'AuthFailure.SignatureFailure': 'The provided credentials could not be validated. Please check your signature is correct.',
} as const;

type Tc3Code = keyof typeof TC3_MESSAGES;

const AUTHORIZATION = /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

function refuse(code: Tc3Code): Tc3Outcome {
  return { ok: false, code, message: TC3_MESSAGES[code] };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The host name of a Host header value: without its port (and without IPv6 brackets kept apart). */
export function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(0, end + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

export class Tc3Verifier {
  readonly #credentials: CredentialStore;
  readonly #clock: Clock;
  readonly #maxSkewMs: number;

  constructor(options: { credentials: CredentialStore; clock: Clock; maxSkewMs?: number }) {
    this.#credentials = options.credentials;
    this.#clock = options.clock;
    this.#maxSkewMs = options.maxSkewMs ?? MAX_TC3_SKEW_MS;
  }

  verify(request: Tc3Request): Tc3Outcome {
    const authorization = single(request.headers['authorization']);
    const m = authorization ? AUTHORIZATION.exec(authorization.trim()) : null;
    if (!m) return refuse('AuthFailure.InvalidAuthorization');
    const [, secretId, date, service, signedHeadersText, signature] = m as unknown as [string, string, string, string, string, string];
    const timestampText = single(request.headers['x-tc-timestamp']);
    const timestamp = timestampText !== undefined && /^\d{1,12}$/.test(timestampText) ? Number(timestampText) : NaN;
    if (Number.isNaN(timestamp)) return refuse('AuthFailure.InvalidAuthorization');
    const credential = this.#credentials.find('tencent', secretId);
    if (!credential) return refuse('AuthFailure.SecretIdNotFound');
    if (Math.abs(timestamp * 1000 - this.#clock.now()) > this.#maxSkewMs) return refuse('AuthFailure.SignatureExpire');
    // The credential scope's date is the UTC date of the timestamp.
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return refuse('AuthFailure.SignatureFailure');
    const host = single(request.headers['host']) ?? '';
    const firstLabel = hostName(host).split('.')[0];
    if (service !== 'kms' && service !== 'cloudaudit' && service !== firstLabel) return refuse('AuthFailure.SignatureFailure');
    const signedHeaders = signedHeadersText.split(';');
    if (!signedHeaders.includes('content-type') || !signedHeaders.includes('host')) return refuse('AuthFailure.SignatureFailure');
    const canonicalHeaders = signedHeaders
      .map((name) => {
        const value = name === 'host' ? hostName(host) : (single(request.headers[name]) ?? '');
        return `${name}:${value.trim().toLowerCase()}\n`;
      })
      .join('');
    const canonicalRequest = [
      request.method.toUpperCase(),
      request.path || '/',
      request.query,
      canonicalHeaders,
      signedHeadersText,
      createHash('sha256').update(request.body).digest('hex'),
    ].join('\n');
    const stringToSign = [TC3_ALGORITHM, String(timestamp), `${date}/${service}/tc3_request`, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
    const key = hmac(hmac(hmac(`TC3${credential.secret}`, date), service), 'tc3_request');
    const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('AuthFailure.SignatureFailure');
    return { ok: true, credential, secretId };
  }
}
