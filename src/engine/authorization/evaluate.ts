// Evaluating one compiled policy against one request: a matching Deny statement wins, then a
// matching Allow; otherwise the policy says nothing ("IAM policy evaluation logic").
import { evaluateCondition } from './conditions.js';
import type { ParsedPolicy, PrincipalSet, Statement } from './policy.js';
import type { AuthorizationRequest } from './request.js';
import { resolveTemplate } from './variables.js';
import { equalsIgnoreCase, matchGlob, matchWildcard } from './wildcard.js';

export type PolicyEffect = 'allow' | 'deny' | 'none';

/**
 * A resource policy's effect, telling apart an Allow for the principal itself from an Allow that
 * only names the principal's account (which KMS and IAM treat as delegation to identity policies).
 */
export type ResourcePolicyEffect = 'deny' | 'allow-principal' | 'allow-account' | 'none';

const enum PrincipalMatch {
  None = 0,
  Account = 1,
  Direct = 2,
}

/** `arn:<partition>:iam::<account>:root` */
export function isAccountRoot(principal: AuthorizationRequest['principal']): boolean {
  const { arn, account } = principal;
  if (typeof arn !== 'string' || typeof account !== 'string' || !arn.endsWith(':root') || !arn.startsWith('arn:')) return false;
  const at = arn.length - 5 - account.length;
  return arn.startsWith(account, at) && arn.startsWith(':iam::', at - 6);
}

function namedIn(list: readonly string[], principal: AuthorizationRequest['principal']): boolean {
  for (const name of list) {
    if (name === principal.arn) return true;
    const others = principal.names;
    if (others !== undefined) for (const other of others) if (other === name) return true;
  }
  return false;
}

function matchPrincipal(set: PrincipalSet, principal: AuthorizationRequest['principal']): PrincipalMatch {
  if (set.everyone) return PrincipalMatch.Direct;
  const service = principal.service;
  if (service !== undefined) for (const s of set.services) if (equalsIgnoreCase(s, service)) return PrincipalMatch.Direct;
  if (namedIn(set.names, principal)) return PrincipalMatch.Direct;
  for (const account of set.accounts) {
    if (account === principal.account) return isAccountRoot(principal) ? PrincipalMatch.Direct : PrincipalMatch.Account;
  }
  return PrincipalMatch.None;
}

/** NotPrincipal exempts only the principals it names exactly; an account entry exempts the account root. */
function exemptedBy(set: PrincipalSet, principal: AuthorizationRequest['principal']): boolean {
  if (set.everyone) return true;
  const service = principal.service;
  if (service !== undefined) for (const s of set.services) if (equalsIgnoreCase(s, service)) return true;
  if (namedIn(set.names, principal)) return true;
  if (isAccountRoot(principal)) for (const account of set.accounts) if (account === principal.account) return true;
  return false;
}

function actionApplies(s: Statement, action: string): boolean {
  let hit = false;
  for (const glob of s.actions) {
    if (matchGlob(glob, action)) {
      hit = true;
      break;
    }
  }
  return hit !== s.notAction;
}

function resourceApplies(s: Statement, request: AuthorizationRequest): boolean {
  let hit = false;
  for (const template of s.resources) {
    const pattern = resolveTemplate(template, request);
    // An unresolved variable matches nothing, and makes a NotResource statement not apply.
    if (pattern === undefined) {
      if (s.notResource) return false;
      continue;
    }
    if (matchWildcard(pattern, request.resource, false)) {
      hit = true;
      break;
    }
  }
  return hit !== s.notResource;
}

function conditionsHold(s: Statement, request: AuthorizationRequest): boolean {
  for (const c of s.conditions) if (!evaluateCondition(c, request)) return false;
  return true;
}

/** How the statement's Principal / NotPrincipal element takes in the request's principal. */
function principalApplies(s: Statement, request: AuthorizationRequest, kind: 'resource' | 'identity'): PrincipalMatch {
  if (kind === 'identity') return PrincipalMatch.Direct;
  if (s.principal === undefined) return PrincipalMatch.None;
  if (s.notPrincipal) return exemptedBy(s.principal, request.principal) ? PrincipalMatch.None : PrincipalMatch.Direct;
  return matchPrincipal(s.principal, request.principal);
}

function evaluate(policy: ParsedPolicy, request: AuthorizationRequest, kind: 'resource' | 'identity'): ResourcePolicyEffect {
  let allow = PrincipalMatch.None;
  for (const s of policy.statements) {
    if (!s.deny && allow === PrincipalMatch.Direct) continue;
    if (!actionApplies(s, request.action)) continue;
    const match = principalApplies(s, request, kind);
    if (match === PrincipalMatch.None) continue;
    if (!resourceApplies(s, request) || !conditionsHold(s, request)) continue;
    if (s.deny) return 'deny';
    if (match > allow) allow = match;
  }
  return allow === PrincipalMatch.Direct ? 'allow-principal' : allow === PrincipalMatch.Account ? 'allow-account' : 'none';
}

/**
 * The effect of one policy on a request. In a resource policy, a statement naming the principal's
 * account applies to every principal of that account. Never throws: an evaluation that fails (a
 * request that is not what its type says) is 'deny', failing closed.
 */
export function evaluatePolicy(policy: ParsedPolicy, request: AuthorizationRequest, kind: 'resource' | 'identity'): PolicyEffect {
  const effect = evaluateResourcePolicy(policy, request, kind);
  return effect === 'deny' ? 'deny' : effect === 'none' ? 'none' : 'allow';
}

/** evaluatePolicy with the account-delegation distinction kept (see ResourcePolicyEffect). Never throws. */
export function evaluateResourcePolicy(policy: ParsedPolicy, request: AuthorizationRequest, kind: 'resource' | 'identity' = 'resource'): ResourcePolicyEffect {
  try {
    return evaluate(policy, request, kind);
  } catch {
    return 'deny';
  }
}
