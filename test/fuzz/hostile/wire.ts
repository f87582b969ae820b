/**
 * Requests of the three wire protocols as exact bytes, signed by the providers' own signers
 * (@smithy/signature-v4, tencentcloud-sdk-nodejs's TC3 `sign3`, @huaweicloud/huaweicloud-sdk-core's
 * AKSKSigner), optionally mutated after signing, sent over HTTP; and each answer judged against
 * its provider's error shape.
 */
import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { SignatureV4 } from '@smithy/signature-v4';
import * as tencentSign from 'tencentcloud-sdk-nodejs/tencentcloud/common/sign.js';
import { UNLISTED_ERRORS as HUAWEI_UNLISTED_ERRORS } from '../../../src/dialects/huawei/errors.js';
import { ERRORS as HUAWEI_ERRORS } from '../../../src/dialects/huawei/model.generated.js';
import { AWS_KEYS, HUAWEI_KEYS, TENCENT_KEYS } from './server.js';
import { Sha256 } from '../../support/sha256.js';

export type ProtocolName = 'aws' | 'tencent' | 'huawei';
export const PROTOCOLS: readonly ProtocolName[] = ['aws', 'tencent', 'huawei'];
export const TENCENT_REGION = 'ap-guangzhou';
export const MAX_BODY = 1024 * 1024;

/** A change made to a signed request after signing. */
export type Mutation =
  | { kind: 'flip-byte'; at: number; bit: number }
  | { kind: 'swap-body'; body: Uint8Array }
  /** Huawei: X-Sdk-Content-Sha256 set to the hash of the signed body, and another body sent. */
  | { kind: 'sha-header-swap'; body: Uint8Array }
  | { kind: 'drop-header'; name: string }
  | { kind: 'set-header'; name: string; value: string }
  | { kind: 'shift-date'; seconds: number };

export interface WireRequest {
  protocol: ProtocolName;
  /** Operation (AWS), action (Tencent) or verb (Huawei). */
  op: string;
  /** `/` for AWS and Tencent; the REST route for Huawei. */
  path: string;
  body: Uint8Array;
  /** X-TC-Region (Tencent). */
  region?: string;
  /** Headers sent as they are, signed with the others. */
  headers?: Record<string, string>;
  /** POST unless said (Huawei's tag routes are GET and DELETE). */
  method?: string;
  /** Sent with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  mutation?: Mutation;
}

const text = new TextEncoder();
export const bytes = (s: string): Uint8Array => text.encode(s);


const awsSigner = new SignatureV4({ credentials: AWS_KEYS, region: 'us-east-1', service: 'kms', sha256: Sha256 as never });
type Sign3 = (options: Record<string, unknown>) => string;
const signModule = tencentSign as unknown as { default: { sign3?: Sign3; default?: { sign3: Sign3 } } };
const sign3: Sign3 = signModule.default.sign3 ?? signModule.default.default!.sign3;
const huaweiCredential = new BasicCredentials().withAk(HUAWEI_KEYS.ak).withSk(HUAWEI_KEYS.sk);
const sha256Hex = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The headers of `request` before signing. */
function baseHeaders(request: WireRequest, host: string): Record<string, string> {
  switch (request.protocol) {
    case 'aws':
      return { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${request.op}`, ...request.headers };
    case 'tencent':
      return {
        host,
        'content-type': 'application/json',
        'x-tc-action': request.op,
        'x-tc-version': '2019-01-18',
        'x-tc-region': request.region ?? TENCENT_REGION,
        ...request.headers,
      };
    case 'huawei':
      return { host, 'content-type': 'application/json;charset=UTF-8', ...request.headers };
  }
}

/** The headers to send: signed when `signed`, by the provider's own signer. */
export async function signedHeaders(request: WireRequest, url: string, signed: boolean): Promise<Record<string, string>> {
  const { hostname, port, host } = new URL(url);
  const headers = baseHeaders(request, host);
  if (!signed) return headers;
  switch (request.protocol) {
    case 'aws': {
      const out = await awsSigner.sign({ method: request.method ?? 'POST', protocol: 'http:', hostname, port: Number(port), path: request.path, query: {}, headers, body: request.body });
      return out.headers as Record<string, string>;
    }
    case 'tencent': {
      const timestamp = Math.floor(Date.now() / 1000);
      const authorization = sign3({
        method: request.method ?? 'POST',
        url: `${url}${request.path}`,
        payload: Buffer.from(request.body),
        timestamp,
        service: 'kms',
        secretId: TENCENT_KEYS.secretId,
        secretKey: TENCENT_KEYS.secretKey,
        multipart: false,
        boundary: '',
        headers: { 'Content-Type': headers['content-type'] },
      });
      return { ...headers, 'x-tc-timestamp': String(timestamp), authorization };
    }
    case 'huawei': {
      // The signer hashes JSON.stringify(data); a body that is not that text is bound by a signed X-Sdk-Content-Sha256.
      const bodyText = Buffer.from(request.body).toString('utf8');
      let data: unknown;
      try {
        const parsed: unknown = JSON.parse(bodyText);
        if (JSON.stringify(parsed) === bodyText && Buffer.from(bodyText, 'utf8').equals(Buffer.from(request.body))) data = parsed;
      } catch {
        // not JSON: bound by the header
      }
      const { host: _host, ...rest } = headers;
      const toSign: Record<string, string> = { ...rest };
      if (data === undefined && request.body.length > 0) toSign['X-Sdk-Content-Sha256'] = sha256Hex(request.body);
      const out = AKSKSigner.sign({ endpoint: `${url}${request.path}`, method: request.method ?? 'POST', headers: toSign, queryParams: {}, ...(data !== undefined ? { data } : {}) } as never, huaweiCredential) as Record<string, string>;
      return out;
    }
  }
}

/** Whether `mutation` changes what the signature covers (the request must then be refused as unsigned). */
export function breaksSignature(request: WireRequest): boolean {
  const m = request.mutation;
  if (!m) return false;
  switch (m.kind) {
    case 'flip-byte':
      return request.body.length > 0;
    case 'swap-body':
    case 'sha-header-swap':
      return !Buffer.from(m.body).equals(Buffer.from(request.body));
    case 'drop-header':
      // Every header the mutations drop is signed (or is the signature).
      return true;
    case 'set-header':
      // TC3 as the SDK signs it covers content-type and host only; SigV4 and SDK-HMAC cover the headers they named.
      return request.protocol !== 'tencent' || /^(authorization|x-tc-timestamp|content-type)$/i.test(m.name);
    case 'shift-date':
      return m.seconds !== 0;
  }
}

function setHeader(headers: Record<string, string>, name: string, value: string | undefined): void {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name.toLowerCase()) delete headers[k];
  if (value !== undefined) headers[name] = value;
}

function findHeader(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name.toLowerCase()) return v;
  return undefined;
}

/** Applies the mutation to the signed headers and body. */
export function mutate(request: WireRequest, headers: Record<string, string>): { headers: Record<string, string>; body: Uint8Array } {
  const m = request.mutation;
  const out = { ...headers };
  let body = request.body;
  if (!m) return { headers: out, body };
  switch (m.kind) {
    case 'flip-byte':
      if (body.length > 0) {
        body = Uint8Array.from(body);
        body[m.at % body.length]! ^= 1 << m.bit % 8;
      }
      break;
    case 'swap-body':
      body = m.body;
      break;
    case 'sha-header-swap':
      setHeader(out, 'X-Sdk-Content-Sha256', sha256Hex(request.body));
      body = m.body;
      break;
    case 'drop-header':
      setHeader(out, m.name, undefined);
      break;
    case 'set-header':
      setHeader(out, m.name, m.value);
      break;
    case 'shift-date': {
      for (const name of ['x-amz-date', 'x-sdk-date']) {
        const v = findHeader(out, name);
        if (v) setHeader(out, name, shiftBasicDate(v, m.seconds));
      }
      const ts = findHeader(out, 'x-tc-timestamp');
      if (ts) setHeader(out, 'x-tc-timestamp', String(Number(ts) + m.seconds));
      break;
    }
  }
  return { headers: out, body };
}

function shiftBasicDate(value: string, seconds: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return value;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + seconds * 1000;
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface Answer {
  status: number;
  text: string;
  /** Set when the connection failed rather than answered. */
  transport?: string;
}

/** Sends exact headers and body; never throws (a connection failure is an Answer with `transport`). */
export function send(url: string, path: string, headers: Record<string, string>, body: Uint8Array, agent: Agent, method = 'POST', chunked = false): Promise<Answer> {
  return new Promise((resolve) => {
    const target = new URL(path, url);
    const outHeaders = { ...headers };
    // Chunked: no Content-Length, the body in two chunks (the server cannot refuse a large one before reading it).
    if (chunked) setHeader(outHeaders, 'transfer-encoding', 'chunked');
    else setHeader(outHeaders, 'content-length', String(body.byteLength));
    const req = httpRequest(target, { method, headers: outHeaders, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: 0, text: '', transport: e.message }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error('timeout after 120 s')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, text: '', transport: e.code ?? e.message }));
    if (chunked && body.length > 1) {
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(body);
  });
}

export interface Verdict {
  ok: boolean;
  /** The provider's error code, or `OK`. */
  code: string;
  body: any;
  /** Why the answer is not in the provider's shape (or is an internal error). */
  unexpected?: string;
}

const AWS_SIGNATURE = /^(IncompleteSignatureException|InvalidSignatureException|UnrecognizedClientException|MissingAuthenticationTokenException|InvalidClientTokenId)$/;
export function isSignatureRefusal(protocol: ProtocolName, code: string): boolean {
  if (protocol === 'aws') return AWS_SIGNATURE.test(code);
  if (protocol === 'tencent') return code.startsWith('AuthFailure');
  return code === 'APIG.0301';
}

/** Judges an answer: a success, or the provider's own error shape and status; never an internal error. */
export function judge(protocol: ProtocolName, answer: Answer): Verdict {
  if (answer.transport) return { ok: false, code: 'TRANSPORT', body: undefined, unexpected: `connection failed: ${answer.transport}` };
  let body: any;
  try {
    body = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {
    return { ok: false, code: 'NOT_JSON', body: undefined, unexpected: `HTTP ${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}` };
  }
  const bad = (why: string, code = 'SHAPE'): Verdict => ({ ok: false, code, body, unexpected: `HTTP ${answer.status}: ${why}: ${answer.text.slice(0, 300)}` });
  switch (protocol) {
    case 'aws': {
      if (answer.status === 200) return body === undefined || typeof body === 'object' ? { ok: true, code: 'OK', body } : bad('a success that is not a JSON object');
      if (answer.status === 413) return typeof body?.message === 'string' ? { ok: false, code: 'HTTP 413', body } : bad('413 without a message');
      const type = typeof body?.__type === 'string' ? (body.__type as string).replace(/^.*#/, '') : undefined;
      if (!type) return bad('an error without __type');
      if (answer.status !== 400 || type === 'KMSInternalException') return bad(`${type} with status ${answer.status}`, type);
      return { ok: false, code: type, body };
    }
    case 'tencent': {
      const response = body?.Response;
      if (answer.status !== 200 || typeof response !== 'object' || response === null || typeof response.RequestId !== 'string') return bad('not the Tencent envelope');
      if (response.Error === undefined) return { ok: true, code: 'OK', body: response };
      const code = response.Error?.Code;
      if (typeof code !== 'string' || typeof response.Error.Message !== 'string') return bad('Response.Error without Code and Message');
      if (code.startsWith('InternalError')) return bad(code, code);
      return { ok: false, code, body: response };
    }
    case 'huawei': {
      if (answer.status >= 200 && answer.status < 300) return { ok: true, code: 'OK', body };
      if (body?.error_code === 'APIG.0301') return answer.status === 401 ? { ok: false, code: 'APIG.0301', body } : bad('APIG.0301 not with 401', 'APIG.0301');
      const code = body?.error?.error_code;
      if (typeof code !== 'string' || typeof body.error.error_msg !== 'string') return bad('not {"error":{"error_code","error_msg"}}');
      // The code table, and the codes Huawei answers outside it (KMS.8003 for a missing keystore; src/dialects/huawei/errors.ts).
      const documented = Object.hasOwn(HUAWEI_ERRORS, code) ? HUAWEI_ERRORS[code]![0] : Object.hasOwn(HUAWEI_UNLISTED_ERRORS, code) ? HUAWEI_UNLISTED_ERRORS[code]![0] : undefined;
      if (documented === undefined) return bad(`undocumented code ${code}`, code);
      // The body-size refusal answers 413 (the gateway's), where the code table says 400.
      const statusOk = answer.status === documented || (code === 'KMS.0203' && answer.status === 413);
      if (!statusOk || answer.status >= 500) return bad(`${code} with status ${answer.status} (documented ${documented})`, code);
      return { ok: false, code, body };
    }
  }
}
