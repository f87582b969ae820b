export { TencentDialect, TENCENT_JSON_CONTENT_TYPE } from './dialect.js';
export type { TencentDialectOptions, TencentCallMeta, TencentOutcome, TencentHttpRequest, TencentHttpResponse } from './dialect.js';
export { TencentCloudError } from './errors.js';
export type { CloudAuditEvent } from './cloudaudit.js';
export { whiteBoxDecrypt } from './white-box.js';
export { REGION_FLAVOURS, type RegionFlavour } from './metadata.js';
export { HANDLERS as TENCENT_ACTIONS, LIMITS as TENCENT_LIMITS } from './operations.js';
