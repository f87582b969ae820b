export { AwsDialect, InProcessRequestHandler, parseAuthorization, AWS_JSON_CONTENT_TYPE } from './dialect.js';
export type { AwsDialectOptions, AwsCallMeta, AwsClientOptions, AwsOutcome, AwsHttpRequest, AwsHttpResponse } from './dialect.js';
export type { AuthorizationMode, AuthorizationRecord, AwsIdentity } from './authorization.js';
export { AwsServiceError } from './errors.js';
export type { CloudTrailRecord } from './cloudtrail.js';
export type { LookupEvent } from './lookup-events.js';
export { keyArn, aliasArn, principalFromArn } from './arn.js';
export { HANDLERS as AWS_OPERATIONS, LIMITS as AWS_LIMITS } from './operations.js';
