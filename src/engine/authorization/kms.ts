// KMS's combination of key policy, IAM identity policies and grants ("Determining access to a KMS
// key", "Key policies in AWS KMS", "Using IAM policies with AWS KMS", "Grants in AWS KMS").
import { evaluatePolicy, evaluateResourcePolicy, isAccountRoot } from './evaluate.js';
import type { ParsedPolicy } from './policy.js';
import type { AuthorizationRequest } from './request.js';

export interface KmsAuthorizationInput {
  readonly request: AuthorizationRequest;
  /** The key's owner account. */
  readonly keyAccount: string;
  /** The key policy; undefined when the operation has no resource policy (CreateKey, ...). */
  readonly keyPolicy?: ParsedPolicy;
  /** The caller's IAM identity policies (none for an account root). */
  readonly identityPolicies: readonly ParsedPolicy[];
  /** A grant covers this call (computed by the caller). */
  readonly grantAllows: boolean;
}

export type KmsDecision =
  | { readonly allowed: true; readonly by: 'key-policy' | 'identity-policy' | 'grant' | 'root' }
  | {
      readonly allowed: false;
      readonly reason: 'explicit-deny-resource' | 'explicit-deny-identity' | 'no-resource-policy-allows' | 'no-identity-policy-allows';
    };

const ALLOWED = {
  keyPolicy: { allowed: true, by: 'key-policy' },
  identity: { allowed: true, by: 'identity-policy' },
  grant: { allowed: true, by: 'grant' },
  root: { allowed: true, by: 'root' },
} as const satisfies Record<string, KmsDecision>;

const REFUSED = {
  denyResource: { allowed: false, reason: 'explicit-deny-resource' },
  denyIdentity: { allowed: false, reason: 'explicit-deny-identity' },
  noResource: { allowed: false, reason: 'no-resource-policy-allows' },
  noIdentity: { allowed: false, reason: 'no-identity-policy-allows' },
} as const satisfies Record<string, KmsDecision>;

/**
 * Decides a KMS call:
 * 1. an explicit Deny in the key policy, then in an identity policy, refuses — grants included
 *    ("No AWS principal has any permissions to a KMS key unless that permission is provided
 *    explicitly and never denied");
 * 2. without a key policy (CreateKey and other account-level operations) the account root is
 *    allowed and anyone else needs an identity policy;
 * 3. same account: a key-policy Allow for the principal itself allows; one that names only the
 *    account delegates to IAM, so an identity policy must also allow;
 * 4. another account: the key policy must allow the principal or its account, and the caller's
 *    identity policy must allow too (an account root needs none);
 * 5. a grant for the operation allows what the policies alone would refuse, in either account.
 * Never throws (fails closed).
 */
export function authorizeKmsRequest(input: KmsAuthorizationInput): KmsDecision {
  try {
    return decide(input);
  } catch {
    return REFUSED.noResource;
  }
}

function decide(input: KmsAuthorizationInput): KmsDecision {
  const { request, keyPolicy } = input;
  const resource = keyPolicy === undefined ? 'none' : evaluateResourcePolicy(keyPolicy, request, 'resource');
  if (resource === 'deny') return REFUSED.denyResource;
  let identityAllows = false;
  for (const policy of input.identityPolicies) {
    const effect = evaluatePolicy(policy, request, 'identity');
    if (effect === 'deny') return REFUSED.denyIdentity;
    if (effect === 'allow') identityAllows = true;
  }
  const root = isAccountRoot(request.principal);
  if (keyPolicy === undefined) {
    if (root) return ALLOWED.root;
    if (identityAllows) return ALLOWED.identity;
    return input.grantAllows ? ALLOWED.grant : REFUSED.noIdentity;
  }
  const sameAccount = request.principal.account === input.keyAccount;
  if (sameAccount) {
    if (resource === 'allow-principal') return ALLOWED.keyPolicy;
    if (resource === 'allow-account' && identityAllows) return ALLOWED.identity;
  } else if (resource !== 'none' && (root || identityAllows)) {
    return identityAllows ? ALLOWED.identity : ALLOWED.keyPolicy;
  }
  if (input.grantAllows) return ALLOWED.grant;
  return resource === 'none' ? REFUSED.noResource : REFUSED.noIdentity;
}
