// The request an authorization decision is about, and case-insensitive access to its condition keys.
import { equalsIgnoreCase } from './wildcard.js';

/** Arrays are the values of multivalued keys (kms:EncryptionContextKeys, aws:TagKeys, ...). */
export type ConditionValue = string | boolean | number | readonly string[];

export interface AuthorizationRequest {
  /** The action, e.g. `kms:Encrypt`. */
  readonly action: string;
  /** The resource ARN, or `*` where AWS uses it (CreateKey). */
  readonly resource: string;
  readonly principal: {
    /** arn:aws:iam::111122223333:user/alice | arn:aws:iam::111122223333:root | arn:aws:sts::111122223333:assumed-role/R/session */
    readonly arn: string;
    readonly account: string;
    /** Other identifiers the principal matches in a Principal element (the role ARN of an assumed-role session, ...). */
    readonly names?: readonly string[];
    /** The service principal, e.g. `ec2.amazonaws.com`, when a service calls. */
    readonly service?: string;
  };
  /** Condition keys, any case (names match case-insensitively). An absent key is not in the request. */
  readonly keys: ReadonlyMap<string, ConditionValue>;
}

/**
 * The value of a condition key, undefined when absent. `name` is the key as the policy writes it
 * and `lower` its lower-case form: an exact hit costs one Map lookup; otherwise the request's keys
 * are compared case-insensitively (no allocation). aws:PrincipalArn and aws:PrincipalAccount fall
 * back to the principal itself: AWS puts them in every request.
 */
export function keyValue(request: AuthorizationRequest, name: string, lower: string): ConditionValue | undefined {
  const keys = request.keys;
  let value = keys.get(name);
  if (value === undefined) {
    for (const key of keys.keys()) {
      if (typeof key === 'string' && key.length === lower.length && equalsIgnoreCase(key, lower)) {
        value = keys.get(key);
        break;
      }
    }
  }
  if (value !== undefined) return value;
  if (lower === 'aws:principalarn') return request.principal.arn;
  if (lower === 'aws:principalaccount') return request.principal.account;
  return undefined;
}

/** A single-valued key as text (for policy variables); undefined when absent or multivalued. */
export function keyText(request: AuthorizationRequest, name: string, lower: string): string | undefined {
  const value = keyValue(request, name, lower);
  if (value === undefined || typeof value === 'object') return undefined;
  return typeof value === 'string' ? value : String(value);
}
