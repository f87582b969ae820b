/**
 * AWS KMS over HTTP: JSON 1.1 (`POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: TrentService.<Operation>`), answered by the AWS dialect, and CloudTrail's
 * LookupEvents over the KMS trail on the same port (`X-Amz-Target:
 * [com.amazonaws.cloudtrail.v20131101.]CloudTrail_20131101.LookupEvents`, signed for service
 * `cloudtrail`); with a credentials file, every request must carry a valid SigV4 signature and its
 * principal is the caller.
 */
import type { AwsCallMeta } from '../dialects/aws/dialect.js';
import { AwsServiceError } from '../dialects/aws/errors.js';
import { cloudTrailOperation } from '../dialects/aws/lookup-events.js';
import type { Clock } from '../engine/clock.js';
import type { Kms } from '../index.js';
import type { CredentialStore } from './credentials.js';
import { awsErrorResponse, awsRefusal, header, type Protocol, type RequestHead } from './router.js';
import { SigV4Verifier } from './sigv4.js';

const TARGET_PREFIX = 'TrentService.';

/** The JSON 1.1 media type, and plain JSON for hand-written requests (curl). */
const ACCEPTED_MEDIA_TYPES = new Set(['application/x-amz-json-1.1', 'application/json']);

export interface AwsProtocolOptions {
  /** With credentials, every request must be signed (SigV4) by one of their AWS keys. */
  credentials?: CredentialStore;
  /** The clock signatures are checked against; default: the emulator's clock. */
  clock?: Clock;
}

export function isAwsRequest(request: RequestHead): boolean {
  const target = header(request, 'x-amz-target');
  return target !== undefined && (target.startsWith(TARGET_PREFIX) || cloudTrailOperation(target) !== undefined);
}

/** The AWS KMS protocol, served by `kms.aws`. */
export function awsProtocol(kms: Kms, options: AwsProtocolOptions = {}): Protocol {
  const verifier = options.credentials ? new SigV4Verifier({ credentials: options.credentials, clock: options.clock ?? kms.clock, service: 'kms' }) : undefined;
  const cloudTrailVerifier = options.credentials ? new SigV4Verifier({ credentials: options.credentials, clock: options.clock ?? kms.clock, service: 'cloudtrail' }) : undefined;
  return {
    name: 'aws',
    matches: isAwsRequest,
    async handle(request) {
      const target = header(request, 'x-amz-target') ?? '';
      const cloudTrailAction = cloudTrailOperation(target);
      const cloudTrail = cloudTrailAction !== undefined;
      const action = cloudTrail ? `cloudtrail:${cloudTrailAction}` : target.slice(TARGET_PREFIX.length);
      const contentType = header(request, 'content-type');
      const semicolon = contentType === undefined ? -1 : contentType.indexOf(';');
      const mediaType = (semicolon < 0 ? contentType : contentType!.slice(0, semicolon))?.trim().toLowerCase();
      if (!mediaType || !ACCEPTED_MEDIA_TYPES.has(mediaType)) {
        // JSON 1.1 is told by its media type; another type names no JSON operation.
        return {
          ...awsErrorResponse(new AwsServiceError('UnknownOperationException', undefined), kms.engine.newId()),
          action,
          note: `Content-Type ${contentType === undefined ? 'missing' : JSON.stringify(contentType)}`,
        };
      }
      const meta: AwsCallMeta = {};
      const sourceIp = clientAddress(request.remoteAddress);
      if (sourceIp) meta.sourceIp = sourceIp;
      const signatures = cloudTrail ? cloudTrailVerifier : verifier;
      if (signatures) {
        const outcome = signatures.verify(request);
        if (!outcome.ok) return { ...awsErrorResponse(outcome.error, kms.engine.newId()), action, note: 'signature' };
        meta.account = outcome.credential.account;
        meta.region = outcome.region;
        meta.accessKeyId = outcome.accessKeyId;
        meta.principal = outcome.credential.principal;
        if (outcome.credential.identity) meta.identity = outcome.credential.identity;
      }
      const errorsBefore = kms.aws.internalErrors.count;
      const response = await kms.aws.handle({ headers: request.headers as Record<string, string | undefined>, body: request.body }, meta);
      const result = { status: response.statusCode, headers: response.headers, body: response.body, action };
      // The dialect answers an unexpected exception with KMSInternalException; the log says what it was.
      const internal = kms.aws.internalErrors.count > errorsBefore ? kms.aws.internalErrors.last : undefined;
      return internal === undefined ? result : { ...result, note: `internal error: ${firstLine(internal)}` };
    },
    reject: awsRefusal,
  };
}

/** 127.0.0.1 rather than ::ffff:127.0.0.1. */
export function clientAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split('\n')[0]!.slice(0, 300);
}
