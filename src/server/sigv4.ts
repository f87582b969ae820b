/**
 * AWS Signature Version 4 checks for the local endpoint (`--credentials`): the server recomputes
 * the canonical request from what arrived (method, path, query, the signed headers, the body's
 * hash), derives the signing key from the secret of the access key named in the credential scope,
 * and compares signatures in constant time. Refusals are AWS errors in AWS's words.
 *
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AwsServiceError } from '../dialects/aws/errors.js';
import { amzDateOf as basicFormat, canonicalQuery, canonicalUri, parseAmzDate } from '../dialects/aws/xks/sigv4.js';
import type { Clock } from '../engine/clock.js';
import type { CredentialStore, ResolvedCredential } from './credentials.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far X-Amz-Date may be from the server clock, either way. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const INVALID_TOKEN = 'The security token included in the request is invalid.';
export const MISSING_TOKEN = 'Request is missing Authentication Token';

/** What the verifier needs of a request: everything as it arrived on the wire. */
export interface SignedRequest {
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  /** The query string as sent, without '?'. */
  query: string;
  /** Header names lower-cased (Node's `req.headers`). */
  headers: Record<string, string | string[] | undefined>;
  /** Node's `req.rawHeaders` (name, value, name, value, …), for repeated headers. */
  rawHeaders?: readonly string[];
  body: Uint8Array;
}

export type SigV4Outcome =
  | { ok: true; credential: ResolvedCredential; region: string; accessKeyId: string }
  | { ok: false; error: AwsServiceError };

export interface SigV4VerifierOptions {
  credentials: CredentialStore;
  clock: Clock;
  /** The signing name of the service; default 'kms'. */
  service?: string;
  maxSkewMs?: number;
}

const AMZ_DATE = /^(\d{8})T\d{6}Z$/;
const REGION = /^[a-z0-9-]{1,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export class SigV4Verifier {
  readonly #credentials: CredentialStore;
  readonly #clock: Clock;
  readonly #service: string;
  readonly #maxSkewMs: number;
  /** Derived signing keys by secret, date, region and service (each is four HMACs to derive). */
  readonly #signingKeys = new Map<string, Buffer>();

  constructor(options: SigV4VerifierOptions) {
    this.#credentials = options.credentials;
    this.#clock = options.clock;
    this.#service = options.service ?? 'kms';
    this.#maxSkewMs = options.maxSkewMs ?? MAX_CLOCK_SKEW_MS;
  }

  verify(request: SignedRequest): SigV4Outcome {
    try {
      return this.#verify(request);
    } catch (e) {
      if (e instanceof AwsServiceError) return { ok: false, error: e };
      throw e;
    }
  }

  #verify(request: SignedRequest): SigV4Outcome {
    const authorization = single(request.headers['authorization']);
    if (authorization === undefined || authorization.trim() === '') {
      throw new AwsServiceError('MissingAuthenticationTokenException', MISSING_TOKEN);
    }
    const parsed = parseAuthorizationHeader(authorization);
    const amzDate = single(request.headers['x-amz-date']);
    const httpDate = single(request.headers['date']);
    const missing: string[] = [];
    if (parsed.algorithm !== SIGV4_ALGORITHM) {
      missing.push('Credential', 'Signature', 'SignedHeaders');
    } else {
      if (parsed.params.Credential === undefined) missing.push('Credential');
      if (parsed.params.Signature === undefined) missing.push('Signature');
      if (parsed.params.SignedHeaders === undefined) missing.push('SignedHeaders');
    }
    if (missing.length > 0 || (amzDate === undefined && httpDate === undefined)) {
      const sentences = missing.map((p) => `Authorization header requires '${p}' parameter.`);
      if (amzDate === undefined && httpDate === undefined) sentences.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
      throw new AwsServiceError('IncompleteSignatureException', `${sentences.join(' ')} Authorization=${authorization}`);
    }
    const credential = parsed.params.Credential!;
    const signedHeadersText = parsed.params.SignedHeaders!;
    const signature = parsed.params.Signature!;

    // The request time: X-Amz-Date (ISO 8601 basic), else the HTTP Date header.
    let requestTime: number;
    let stamp: string;
    if (amzDate !== undefined) {
      const m = AMZ_DATE.exec(amzDate);
      requestTime = m ? parseAmzDate(amzDate) : NaN;
      if (!m || Number.isNaN(requestTime)) {
        throw new AwsServiceError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
      }
      stamp = amzDate;
    } else {
      requestTime = Date.parse(httpDate!);
      if (Number.isNaN(requestTime)) {
        throw new AwsServiceError('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${httpDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
      }
      stamp = basicFormat(requestTime);
    }

    const scope = credential.split('/');
    if (scope.length !== 5) {
      throw new AwsServiceError(
        'IncompleteSignatureException',
        `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
      );
    }
    const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
    if (terminator !== 'aws4_request') {
      throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
    }
    if (service !== this.#service) {
      throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${this.#service}'. `);
    }
    if (!REGION.test(region)) {
      throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. `);
    }

    const signedHeaders = signedHeadersText.split(';').map((h) => h.trim().toLowerCase());
    if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
      throw new AwsServiceError('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    const values = headerValues(request);
    for (const name of signedHeaders) {
      if (!values.has(name)) {
        throw new AwsServiceError('IncompleteSignatureException', `'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.`);
      }
    }

    const found = this.#credentials.find('aws', accessKeyId);
    if (!found) throw new AwsServiceError('UnrecognizedClientException', INVALID_TOKEN);

    const now = this.#clock.now();
    if (requestTime < now - this.#maxSkewMs) {
      throw new AwsServiceError(
        'InvalidSignatureException',
        `Signature expired: ${stamp} is now earlier than ${basicFormat(now - this.#maxSkewMs)} (${basicFormat(now)} - ${minutes(this.#maxSkewMs)} min.)`,
      );
    }
    if (requestTime > now + this.#maxSkewMs) {
      throw new AwsServiceError(
        'InvalidSignatureException',
        `Signature not yet current: ${stamp} is still later than ${basicFormat(now + this.#maxSkewMs)} (${basicFormat(now)} + ${minutes(this.#maxSkewMs)} min.)`,
      );
    }
    if (scopeDate !== stamp.slice(0, 8)) {
      throw new AwsServiceError(
        'InvalidSignatureException',
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${stamp.slice(0, 8)}', from '${stamp}'.`,
      );
    }

    // The payload hash: the body's own; a signed X-Amz-Content-Sha256 must agree with it.
    const bodyHash = request.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(request.body).digest('hex');
    let payloadHash = bodyHash;
    const declared = single(request.headers['x-amz-content-sha256']);
    if (declared !== undefined && declared === 'UNSIGNED-PAYLOAD') payloadHash = declared;
    else if (declared !== undefined && declared.toLowerCase() !== bodyHash) throw new AwsServiceError('InvalidSignatureException', SIGNATURE_MISMATCH);

    const canonicalRequest = [
      request.method.toUpperCase(),
      canonicalUri(request.path),
      canonicalQuery(request.query),
      signedHeaders.map((name) => `${name}:${values.get(name)}\n`).join(''),
      signedHeaders.join(';'),
      payloadHash,
    ].join('\n');
    const credentialScope = `${scopeDate}/${region}/${service}/aws4_request`;
    const stringToSign = `${SIGV4_ALGORITHM}\n${stamp}\n${credentialScope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const expected = createHmac('sha256', this.#signingKey(found.secret, scopeDate, region, service)).update(stringToSign).digest('hex');
    if (!constantTimeEqualHex(signature, expected)) throw new AwsServiceError('InvalidSignatureException', SIGNATURE_MISMATCH);
    return { ok: true, credential: found, region, accessKeyId };
  }

  #signingKey(secret: string, date: string, region: string, service: string): Buffer {
    const cacheKey = `${secret}\u0000${date}\u0000${region}\u0000${service}`;
    let key = this.#signingKeys.get(cacheKey);
    if (!key) {
      key = deriveSigningKey(secret, date, region, service);
      if (this.#signingKeys.size >= 1024) this.#signingKeys.clear();
      this.#signingKeys.set(cacheKey, key);
    }
    return key;
  }
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` → algorithm and parameters. */
export function parseAuthorizationHeader(header: string): { algorithm: string; params: Partial<Record<'Credential' | 'SignedHeaders' | 'Signature', string>> } {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const params: Partial<Record<'Credential' | 'SignedHeaders' | 'Signature', string>> = {};
  if (algorithm !== SIGV4_ALGORITHM || space < 0) return { algorithm, params };
  for (const part of trimmed.slice(space + 1).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) {
      throw new AwsServiceError('IncompleteSignatureException', `'${item}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
    }
    const name = item.slice(0, eq).trim();
    if (name === 'Credential' || name === 'SignedHeaders' || name === 'Signature') params[name] = item.slice(eq + 1).trim();
  }
  return { algorithm, params };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Header name → canonical value (each occurrence trimmed, runs of spaces collapsed, joined by ','). */
function headerValues(request: SignedRequest): Map<string, string> {
  const out = new Map<string, string>();
  const raw = request.rawHeaders;
  if (raw) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      const value = raw[i + 1]!.trim().replace(/\s+/g, ' ');
      const prev = out.get(name);
      out.set(name, prev === undefined ? value : `${prev},${value}`);
    }
    return out;
  }
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    out.set(name.toLowerCase(), list.map((v) => v.trim().replace(/\s+/g, ' ')).join(','));
  }
  return out;
}

function constantTimeEqualHex(given: string, expected: string): boolean {
  if (!HEX64.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, 'latin1'), Buffer.from(expected, 'latin1'));
}


function minutes(ms: number): string {
  return String(Math.round(ms / 60_000));
}
