/**
 * Huawei Cloud KMS over HTTP: the KMS v1.0 REST routes (`/v1.0/{project_id}/kms/…`), version
 * discovery (`GET /`, `GET /v1.0`, `GET /v2`) and CTS `GET /v3/{project_id}/traces`, answered by
 * the Huawei dialect. With a credentials file, every KMS and CTS request must carry a valid
 * SDK-HMAC-SHA256 signature by one of its Huawei AK/SK pairs; the credential's principal and
 * domain are the caller (the CTS `user`, the grant identity).
 */
import type { HuaweiCallMeta } from '../dialects/huawei/dialect.js';
import type { Kms } from '../index.js';
import { clientAddress } from './aws-protocol.js';
import type { CredentialStore } from './credentials.js';
import { header, huaweiError, isHuaweiRequest, jsonResponse, type Protocol, type RequestHead } from './router.js';
import { verifySdkHmac } from './sdk-hmac.js';

export interface HuaweiProtocolOptions {
  /** With credentials, every request must be signed (SDK-HMAC-SHA256) by one of their Huawei keys. */
  credentials?: CredentialStore;
}

const TRACES = /^\/v3\/[^/]+\/traces\/?$/;
const VERSIONS = /^\/(?:v1\.0|v2)?\/?$/;

/**
 * Version discovery is `GET /`, which the browser sandbox also serves: only a request asking for
 * JSON (as the SDK's axios does) and not for HTML (a browser navigation) is Huawei's.
 */
function isVersionDiscovery(request: RequestHead): boolean {
  if (request.method !== 'GET' || !VERSIONS.test(request.path)) return false;
  if (request.path !== '/') return true;
  const accept = header(request, 'accept') ?? '';
  return accept.includes('application/json') && !accept.includes('text/html') && header(request, 'sec-fetch-mode') !== 'navigate';
}

export function isHuaweiHttpRequest(request: RequestHead): boolean {
  return isHuaweiRequest(request) || TRACES.test(request.path) || isVersionDiscovery(request);
}

/** The Huawei KMS protocol, served by `kms.huawei`. */
export function huaweiProtocol(kms: Kms, options: HuaweiProtocolOptions = {}): Protocol {
  return {
    name: 'huawei',
    matches: isHuaweiHttpRequest,
    async handle(request) {
      const meta: HuaweiCallMeta = {};
      const sourceIp = clientAddress(request.remoteAddress);
      if (sourceIp) meta.sourceIp = sourceIp;
      const hostHeader = header(request, 'host');
      if (hostHeader) meta.endpoint = `http://${hostHeader}`;
      if (options.credentials && !isVersionDiscovery(request)) {
        const outcome = verifySdkHmac(request, options.credentials);
        if (!outcome.ok) {
          const requestId = kms.engine.newId();
          return {
            ...jsonResponse(outcome.status, { error_msg: outcome.message, error_code: 'APIG.0301', request_id: requestId }, { 'x-request-id': requestId }),
            note: 'signature',
          };
        }
        const { credential } = outcome;
        const project = /^\/v(?:1\.0|2|3)\/([^/]+)\//.exec(request.path)?.[1];
        if (credential.projectId !== undefined && project !== undefined && project !== credential.projectId) {
          return { ...huaweiError(403, 'KMS.0305', 'Invalid X-Auth-Token project name.', kms.engine.newId()), note: 'project' };
        }
        meta.domainId = credential.account;
        meta.principal = credential.principal;
        meta.accessKeyId = outcome.accessKeyId;
        meta.signedAt = String(outcome.signedAt);
        if (credential.principal.type === 'root' && credential.principal.name) meta.domainName = credential.principal.name;
      }
      const errorsBefore = kms.huawei.internalErrors.count;
      const response = await kms.huawei.handle(request.method, request.path, request.query, request.headers, request.body, meta);
      const result = { status: response.status, headers: response.headers, body: response.body, ...(response.verb ? { action: response.verb } : {}) };
      const internal = kms.huawei.internalErrors.count > errorsBefore ? kms.huawei.internalErrors.last : undefined;
      return internal === undefined ? result : { ...result, note: `internal error: ${String(internal).split('\n')[0]!.slice(0, 300)}` };
    },
    reject(_request, refusal, detail) {
      return refusal === 'too-large'
        ? huaweiError(413, 'KMS.0203', 'Request message too long.', detail.requestId)
        : huaweiError(500, 'KMS.0103', 'A system exception occurred. Contact technical support.', detail.requestId);
    },
  };
}
