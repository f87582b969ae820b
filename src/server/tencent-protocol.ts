/**
 * Tencent Cloud API 3.0 over HTTP: `POST /` with a JSON body and `X-TC-Action`, `X-TC-Version`,
 * `X-TC-Region`, `X-TC-Timestamp` headers, answered by the Tencent dialect (KMS 2019-01-18, and
 * CloudAudit 2019-03-19's LookUpEvents on the same port). Every answer is HTTP 200 with the
 * `{"Response": …}` envelope and the request's X-TC-TraceId echoed. With a credentials file, every
 * request must carry a valid TC3-HMAC-SHA256 signature by one of its Tencent keys, and its principal
 * is the caller.
 */
import type { TencentCallMeta } from '../dialects/tencent/dialect.js';
import { systemClock, type Clock } from '../engine/clock.js';
import type { Kms } from '../index.js';
import { clientAddress } from './aws-protocol.js';
import type { CredentialStore } from './credentials.js';
import { header, isTencentRequest, tencentError, type Protocol } from './router.js';
import { Tc3Verifier } from './tc3.js';

export interface TencentProtocolOptions {
  /** With credentials, every request must be signed (TC3-HMAC-SHA256) by one of their Tencent keys. */
  credentials?: CredentialStore;
  /**
   * The clock X-TC-Timestamp is checked against. Default: the system clock, because the Tencent SDKs
   * sign with the machine's time and, unlike the AWS SDKs, never correct their clock from the server.
   */
  clock?: Clock;
}

/** The Tencent Cloud protocol, served by `kms.tencent`. */
export function tencentProtocol(kms: Kms, options: TencentProtocolOptions = {}): Protocol {
  const verifier = options.credentials ? new Tc3Verifier({ credentials: options.credentials, clock: options.clock ?? systemClock }) : undefined;
  return {
    name: 'tencent',
    matches: isTencentRequest,
    async handle(request) {
      const action = header(request, 'x-tc-action') ?? '';
      const requestId = kms.engine.newId();
      if (request.method !== 'POST') {
        return { ...tencentError('UnsupportedProtocol', 'Only POST requests with a JSON body are served.', requestId, request), action, note: `method ${request.method}` };
      }
      const mediaType = header(request, 'content-type')?.split(';')[0]!.trim().toLowerCase();
      if (mediaType !== 'application/json') {
        return { ...tencentError('InvalidParameter', 'The Content-Type must be application/json.', requestId, request), action, note: 'content type' };
      }
      const meta: TencentCallMeta = {};
      const sourceIp = clientAddress(request.remoteAddress);
      if (sourceIp) meta.sourceIp = sourceIp;
      if (verifier) {
        const outcome = verifier.verify(request);
        if (!outcome.ok) return { ...tencentError(outcome.code, outcome.message, requestId, request), action, note: 'signature' };
        meta.uin = outcome.credential.account;
        meta.principal = outcome.credential.principal;
        meta.secretId = outcome.secretId;
      }
      const errorsBefore = kms.tencent.internalErrors.count;
      const response = await kms.tencent.handle({ headers: request.headers, body: request.body }, meta);
      const result = { status: response.statusCode, headers: response.headers, body: response.body, action };
      const internal = kms.tencent.internalErrors.count > errorsBefore ? kms.tencent.internalErrors.last : undefined;
      return internal === undefined ? result : { ...result, note: `internal error: ${internal instanceof Error ? internal.message : String(internal)}`.slice(0, 300) };
    },
    reject(request, refusal, detail) {
      return refusal === 'too-large'
        ? tencentError('RequestSizeLimitExceeded', `The request body exceeds the limit of ${detail.maxBodyBytes} bytes.`, detail.requestId, request)
        : tencentError('InternalError', 'An internal error occurred.', detail.requestId, request);
    },
  };
}
