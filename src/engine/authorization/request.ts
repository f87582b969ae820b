// The request an authorization decision is about, and case-insensitive access to its condition keys.

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

const lowered = new WeakMap<ReadonlyMap<string, ConditionValue>, Map<string, ConditionValue>>();

/** The request's keys under lower-case names; built once per keys map and reused for every policy. */
function lowerKeys(keys: ReadonlyMap<string, ConditionValue>): Map<string, ConditionValue> {
  let map = lowered.get(keys);
  if (map === undefined) {
    map = new Map();
    for (const [name, value] of keys) {
      if (typeof name === 'string') map.set(name.toLowerCase(), value);
    }
    lowered.set(keys, map);
  }
  return map;
}

/**
 * The value of a condition key (`name` already lower-case), undefined when absent. aws:PrincipalArn
 * and aws:PrincipalAccount fall back to the principal itself: AWS puts them in every request.
 */
export function keyValue(request: AuthorizationRequest, name: string): ConditionValue | undefined {
  const value = lowerKeys(request.keys).get(name);
  if (value !== undefined) return value;
  if (name === 'aws:principalarn') return request.principal.arn;
  if (name === 'aws:principalaccount') return request.principal.account;
  return undefined;
}

/** A single-valued key as text (for policy variables); undefined when absent or multivalued. */
export function keyText(request: AuthorizationRequest, name: string): string | undefined {
  const value = keyValue(request, name);
  if (value === undefined || typeof value === 'object') return undefined;
  return typeof value === 'string' ? value : String(value);
}
