/**
 * AWS Signature Version 4 over plain request parts, browser-safe (@noble/hashes, no node:crypto):
 * the signer KMS uses for its calls to an external key store proxy, and the check a proxy makes.
 * The XKS Proxy API signs with service `kms-xks-proxy`, the KMS region and the headers
 * `host;x-amz-date` (Appendix A of the XKS Proxy API specification); the payload hash is the
 * SHA-256 of the body. The canonical request follows src/server/sigv4.ts (the KMS endpoint's
 * Node-only verifier): each path segment URI-encoded once more, query pairs encoded and sorted.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, fromHex, toHex, utf8 } from '../../../crypto/bytes.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const XKS_SIGNING_SERVICE = 'kms-xks-proxy';
/** The XKS spec: requests more than 5 minutes in the past or future SHOULD fail authentication. */
export const XKS_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface SigV4Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A request as plain parts. */
export interface SigV4Request {
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  /** The query string as sent, without '?'. */
  query?: string;
  /** Header names in any case; `host` must be among them for signing. */
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface SignOptions {
  credential: SigV4Credential;
  region: string;
  service: string;
  /** ms since the epoch. */
  now: number;
  /** Headers to sign besides host and x-amz-date (lower-case names present in `headers`). */
  signHeaders?: readonly string[];
}

/** The headers to add to the request: `x-amz-date` and `authorization`. */
export function signSigV4(request: SigV4Request, options: SignOptions): { 'x-amz-date': string; authorization: string } {
  const amzDate = amzDateOf(options.now);
  const date = amzDate.slice(0, 8);
  const values = canonicalHeaderValues({ ...request.headers, 'x-amz-date': amzDate });
  const signed = [...new Set(['host', 'x-amz-date', ...(options.signHeaders ?? [])].map((h) => h.toLowerCase()))].sort();
  for (const name of signed) if (!values.has(name)) throw new TypeError(`SigV4: the header '${name}' to sign is not in the request`);
  const scope = `${date}/${options.region}/${options.service}/aws4_request`;
  const signature = signatureOf(request, values, signed, amzDate, scope, options.credential.secretAccessKey, options.region, options.service);
  return {
    'x-amz-date': amzDate,
    authorization: `${SIGV4_ALGORITHM} Credential=${options.credential.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
  };
}

export interface VerifyOptions {
  /** The secret of an access key id the verifier accepts, or undefined. */
  secretFor(accessKeyId: string): string | undefined;
  service: string;
  /** When given, the credential scope must name this region. */
  region?: string;
  now: number;
  maxSkewMs?: number;
}

export type VerifyOutcome = { ok: true; accessKeyId: string; region: string } | { ok: false; reason: string };

/** Checks a request's SigV4 signature; every refusal is `{ ok: false, reason }` (printable ASCII), nothing throws. */
export function verifySigV4(request: SigV4Request, options: VerifyOptions): VerifyOutcome {
  try {
    return verify(request, options);
  } catch {
    return { ok: false, reason: 'The request signature could not be read.' };
  }
}

function verify(request: SigV4Request, options: VerifyOptions): VerifyOutcome {
  const values = canonicalHeaderValues(request.headers);
  const authorization = values.get('authorization');
  if (authorization === undefined) return { ok: false, reason: 'The request has no Authorization header.' };
  const m = /^AWS4-HMAC-SHA256 (.*)$/.exec(authorization);
  if (!m) return { ok: false, reason: 'The Authorization header is not AWS4-HMAC-SHA256.' };
  const params: Record<string, string> = {};
  for (const part of m[1]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const credential = params['Credential'];
  const signedText = params['SignedHeaders'];
  const signature = params['Signature'];
  if (credential === undefined || signedText === undefined || signature === undefined) {
    return { ok: false, reason: 'The Authorization header needs Credential, SignedHeaders and Signature.' };
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return { ok: false, reason: 'The credential scope is malformed.' };
  const [accessKeyId, scopeDate, region, service] = scope as [string, string, string, string];
  if (service !== options.service) return { ok: false, reason: `The credential scope names the service '${printable(service)}', not '${options.service}'.` };
  if (options.region !== undefined && region !== options.region) return { ok: false, reason: `The credential scope names the region '${printable(region)}', not '${options.region}'.` };
  const amzDate = values.get('x-amz-date');
  const time = amzDate === undefined ? Number.NaN : parseAmzDate(amzDate);
  if (Number.isNaN(time)) return { ok: false, reason: 'The request has no valid X-Amz-Date header.' };
  if (scopeDate !== amzDate!.slice(0, 8)) return { ok: false, reason: 'The credential scope date does not match X-Amz-Date.' };
  const skew = options.maxSkewMs ?? XKS_MAX_CLOCK_SKEW_MS;
  if (Math.abs(time - options.now) > skew) return { ok: false, reason: 'The request time is too far from the proxy clock.' };
  const signed = signedText.split(';').map((h) => h.trim().toLowerCase());
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return { ok: false, reason: 'SignedHeaders must include host and x-amz-date.' };
  for (const name of signed) if (!values.has(name)) return { ok: false, reason: `The signed header '${printable(name)}' is not in the request.` };
  const secret = options.secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'The access key id is not known to the proxy.' };
  const expected = signatureOf(request, values, signed, amzDate!, `${scopeDate}/${region}/${service}/aws4_request`, secret, region, service);
  const given = /^[0-9a-f]{64}$/.test(signature) ? fromHex(signature) : undefined;
  if (!given || !equalBytes(given, fromHex(expected)!)) return { ok: false, reason: 'The request signature does not match.' };
  return { ok: true, accessKeyId, region };
}

function signatureOf(
  request: SigV4Request,
  values: Map<string, string>,
  signed: readonly string[],
  amzDate: string,
  scope: string,
  secret: string,
  region: string,
  service: string,
): string {
  const canonical = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQuery(request.query ?? ''),
    signed.map((name) => `${name}:${values.get(name)}\n`).join(''),
    signed.join(';'),
    toHex(sha256(request.body)),
  ].join('\n');
  const stringToSign = `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${toHex(sha256(utf8(canonical)))}`;
  return toHex(hmac(sha256, signingKey(secret, amzDate.slice(0, 8), region, service), utf8(stringToSign)));
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string, service: string): Uint8Array {
  const kDate = hmac(sha256, utf8(`AWS4${secret}`), utf8(date));
  const kRegion = hmac(sha256, kDate, utf8(region));
  const kService = hmac(sha256, kRegion, utf8(service));
  return hmac(sha256, kService, utf8('aws4_request'));
}

/** Lower-case name → value trimmed, inner runs of spaces collapsed. */
function canonicalHeaderValues(headers: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    const key = name.toLowerCase();
    const clean = value.trim().replace(/\s+/g, ' ');
    const prev = out.get(key);
    out.set(key, prev === undefined ? clean : `${prev},${clean}`);
  }
  return out;
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The path as sent, each segment URI-encoded once more (SigV4 for services other than S3). */
export function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
}

/** The query string sorted by name and value, each URI-encoded (after decoding what was encoded). */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push([rfc3986(safeDecode(eq < 0 ? part : part.slice(0, eq))), rfc3986(safeDecode(eq < 0 ? '' : part.slice(eq + 1)))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** 20260101T000000Z */
export function amzDateOf(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace('.000', '');
}

/** The time an X-Amz-Date names, or NaN when it is not a real calendar time in its basic format. */
export function parseAmzDate(text: string): number {
  if (!/^\d{8}T\d{6}Z$/.test(text)) return Number.NaN;
  const ms = Date.parse(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T${text.slice(9, 11)}:${text.slice(11, 13)}:${text.slice(13, 15)}Z`);
  return Number.isNaN(ms) || amzDateOf(ms) !== text ? Number.NaN : ms;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
}
