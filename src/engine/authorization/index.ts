// The authorization room: the IAM policy language (AWS key policies, IAM identity policies, and
// the Huawei key policies written in the same language) and KMS's way of combining them.
export type { AuthorizationRequest, ConditionValue } from './request.js';
export { parsePolicy, parsePolicyDocument, type ParsedPolicy, type ParseResult, type ParseOptions } from './policy.js';
export { evaluatePolicy, evaluateResourcePolicy, isAccountRoot, type PolicyEffect, type ResourcePolicyEffect } from './evaluate.js';
export { authorizeKmsRequest, type KmsAuthorizationInput, type KmsDecision } from './kms.js';
