/**
 * Huawei Cloud's SDK-HMAC-SHA256 request signatures (the AK/SK signer of the Huawei SDKs),
 * verified the way API Gateway verifies them:
 *
 *   canonical request = method \n canonical URI (each segment percent-encoded, always ending in '/')
 *                       \n canonical query (sorted key=value, percent-encoded) \n canonical headers
 *                       (name:value\n for each signed header) \n signed header names \n payload hash
 *   string to sign    = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex SHA-256(canonical request)
 *   signature         = hex HMAC-SHA256(SK, string to sign)   — keyed with the SK itself, no derivation
 *   Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b;c>, Signature=<hex>
 *
 * The payload hash is the hex SHA-256 of the body that arrived. The signer puts `X-Sdk-Content-Sha256`
 * in its place when the request carries that header (and it signs every header it sends), so the
 * header counts only when it is signed: `UNSIGNED-PAYLOAD` leaves the body unbound (the SDK sends it for
 * non-JSON bodies), a hex hash must be the body's own. An unsigned header is ignored.
 *
 * Refusals are API Gateway's: HTTP 401, `{"error_msg":"Incorrect IAM authentication information: …",
 * "error_code":"APIG.0301","request_id":"…"}` (the code and wording the Huawei DEW FAQ quotes).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CredentialStore, ResolvedCredential } from './credentials.js';
import { header, type ProtocolRequest } from './router.js';

export const SDK_HMAC_ALGORITHM = 'SDK-HMAC-SHA256';
/** How far X-Sdk-Date may be from the server's (real) time. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export type SdkHmacOutcome = { ok: true; credential: ResolvedCredential; accessKeyId: string; signedAt: number } | { ok: false; status: 401; message: string };

const AUTHORIZATION = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/;
const SDK_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** Percent-encoding as the signer does it: unreserved A-Z a-z 0-9 - _ . ~ kept, UTF-8 bytes as %XX. */
export function sdkUrlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalUri(path: string): string {
  const segments = path.split('/').map((segment) => {
    try {
      return sdkUrlEncode(decodeURIComponent(segment));
    } catch {
      return segment;
    }
  });
  const uri = segments.join('/');
  return uri.endsWith('/') ? uri : `${uri}/`;
}

function canonicalQuery(query: string): string {
  const values = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(query)) {
    const list = values.get(k) ?? [];
    list.push(v);
    values.set(k, list);
  }
  const out: string[] = [];
  for (const key of [...values.keys()].sort()) {
    for (const value of values.get(key)!.sort()) out.push(`${sdkUrlEncode(key)}=${sdkUrlEncode(value)}`);
  }
  return out.join('&');
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * The payload hash the canonical request carries, or why the request cannot be accepted: the body's
 * own SHA-256, or a signed `X-Sdk-Content-Sha256` that is `UNSIGNED-PAYLOAD` or equal to it.
 */
export function payloadHash(request: ProtocolRequest, signedHeaders: readonly string[]): { ok: true; hash: string } | { ok: false; detail: string } {
  const actual = request.body.length > 0 ? createHash('sha256').update(request.body).digest('hex') : EMPTY_SHA256;
  const declared = header(request, 'x-sdk-content-sha256');
  if (declared === undefined || !signedHeaders.includes('x-sdk-content-sha256')) return { ok: true, hash: actual };
  if (declared === UNSIGNED_PAYLOAD) return { ok: true, hash: declared };
  if (HEX_SHA256.test(declared) && declared.toLowerCase() === actual) return { ok: true, hash: declared };
  return { ok: false, detail: 'x-sdk-content-sha256 does not match the request body' };
}

/** The canonical request of `request` as signed with `signedHeaders`, over the payload hash `payload`. */
export function canonicalRequest(request: ProtocolRequest, signedHeaders: readonly string[], payload: string): string {
  const headers = signedHeaders.map((name) => `${name}:${header(request, name) ?? ''}\n`).join('');
  return [request.method, canonicalUri(request.path), canonicalQuery(request.query), headers, signedHeaders.join(';'), payload].join('\n');
}

export function sdkSignature(secret: string, sdkDate: string, canonical: string): string {
  const stringToSign = `${SDK_HMAC_ALGORITHM}\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

const refuse = (detail: string): SdkHmacOutcome => ({ ok: false, status: 401, message: `Incorrect IAM authentication information: ${detail}` });

/** Checks a request's SDK-HMAC-SHA256 signature against the Huawei keys of `credentials`. */
export function verifySdkHmac(request: ProtocolRequest, credentials: CredentialStore, now: number = Date.now()): SdkHmacOutcome {
  const authorization = header(request, 'authorization');
  if (!authorization) return refuse('Authorization not found in header');
  const m = AUTHORIZATION.exec(authorization);
  if (!m) return refuse('unsupported authorization algorithm or malformed Authorization header');
  const [, accessKeyId, signedList, signature] = m as unknown as [string, string, string, string];
  const sdkDate = header(request, 'x-sdk-date');
  const d = sdkDate ? SDK_DATE.exec(sdkDate) : null;
  if (!sdkDate || !d) return refuse('x-sdk-date not found in header or malformed');
  const signedAt = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(d[4]), Number(d[5]), Number(d[6]));
  if (!Number.isFinite(signedAt) || Math.abs(now - signedAt) > MAX_SKEW_MS) return refuse('request expired');
  const signedHeaders = signedList.toLowerCase().split(';');
  if (!signedHeaders.includes('x-sdk-date')) return refuse('x-sdk-date is not a signed header');
  const credential = credentials.find('huawei', accessKeyId);
  if (!credential) return refuse(`ak ${accessKeyId} not exist`);
  const payload = payloadHash(request, signedHeaders);
  if (!payload.ok) return refuse(payload.detail);
  const expected = sdkSignature(credential.secret, sdkDate, canonicalRequest(request, signedHeaders, payload.hash));
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return refuse('verify aksk signature fail');
  return { ok: true, credential, accessKeyId, signedAt };
}
