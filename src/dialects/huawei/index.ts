export {
  HuaweiDialect,
  DEFAULT_HUAWEI_DOMAIN_ID,
  DEFAULT_HUAWEI_PROJECT_ID,
  DEFAULT_HUAWEI_REGION,
  HUAWEI_JSON_CONTENT_TYPE,
} from './dialect.js';
export type { HuaweiDialectOptions, HuaweiCallMeta, HuaweiOutcome, HuaweiHttpResponse } from './dialect.js';
export { HuaweiError } from './errors.js';
export type { CtsTrace, CtsUser } from './cts.js';
export { frameCiphertext as huaweiFrameCiphertext, unframeCiphertext as huaweiUnframeCiphertext } from './ciphertext.js';
export { HANDLERS as HUAWEI_OPERATIONS, LIMITS as HUAWEI_LIMITS, GRANT_OPERATIONS as HUAWEI_GRANT_OPERATIONS } from './operations.js';
