/**
 * The one way to a key. Every operation reaches its key through `use` (or `envelopeKey` and
 * `allow` for a ciphertext that names its key), which resolves the reference, authorizes the call,
 * applies the key-state table and marks the key changed for persistence. Due work is not run here: the
 * facade runs it once when a request enters (see engine.ts).
 */

import { CONTEXT_ACTIONS, SERVICE_MANAGED_REFUSED, type Action } from './actions.js';
import { KmsError } from './errors.js';
import { storeUnavailable } from './key-stores.js';
import { grantAllows, grantNames } from './grant-data.js';
import { assertLifecycle, KEY_UNCHANGED, type LifecycleOperation } from './lifecycle.js';
import { viewOf, type AliasRecord, type KeyRecord, type RealmState } from './records.js';
import type { EngineState } from './state.js';
import type { AuthorizationRefusal, CallContext, EncryptionContext, KeyRef, Realm } from './types.js';

/** The action of a state-table operation (the table tells public-key decryption apart; actions do not). */
export function operationAction(operation: LifecycleOperation): Action {
  return operation === 'decryptAsymmetric' ? 'decrypt' : operation;
}

/** The action a call performs on a key: the dialect's (ctx.action) when it names one, else the operation's own. */
export function actionOf(ctx: CallContext, operation: LifecycleOperation): Action {
  return ctx.action ?? operationAction(operation);
}

function notFound(keyId: string, realm: Realm): KmsError {
  return new KmsError('NotFound', `Key ${keyId} does not exist.`, { resource: 'key', keyId, account: realm.account, region: realm.region });
}

export function keyById(s: EngineState, realm: Realm, keyId: string): KeyRecord {
  const key = s.realm(realm.account, realm.region)?.keys.get(keyId);
  if (!key) throw notFound(keyId, realm);
  return key;
}

export function aliasByName(s: EngineState, ctx: CallContext, name: string): { realm: RealmState; alias: AliasRecord } {
  const realm = s.realm(ctx.realm.account, ctx.realm.region);
  const alias = realm?.aliases.get(name);
  if (!realm || !alias) throw new KmsError('NotFound', `Alias ${name} is not found.`, { resource: 'alias', alias: name, account: ctx.realm.account, region: ctx.realm.region });
  return { realm, alias };
}

/**
 * A key of another account in the caller's region that grants make visible: undefined when no
 * grant on it names the caller (the key stays invisible). `account` narrows the search to one
 * account (ARNs and ciphertexts name theirs).
 */
function grantedKey(s: EngineState, ctx: CallContext, keyId: string, account?: string): KeyRecord | undefined {
  if (account !== undefined) {
    const key = s.realm(account, ctx.realm.region)?.keys.get(keyId);
    // Enforced policies judge a key named with its account: the key policy may allow the caller's account.
    return key && (ctx.authorizer?.enforcing === true || visibleThroughGrants(key, ctx)) ? key : undefined;
  }
  for (const realm of s.realms.values()) {
    if (realm.realm.region !== ctx.realm.region || realm.realm.account === ctx.realm.account) continue;
    const key = realm.keys.get(keyId);
    if (key) return visibleThroughGrants(key, ctx) ? key : undefined;
  }
  return undefined;
}

function visibleThroughGrants(key: KeyRecord, ctx: CallContext): boolean {
  for (const g of key.grants.values()) if (grantNames(g, ctx)) return true;
  return false;
}

/** The key `ref` names, as the caller sees it: its own realm's keys and aliases, and other accounts' keys through grants. */
function resolve(s: EngineState, ctx: CallContext, ref: KeyRef): KeyRecord {
  if ('keyId' in ref) {
    if (ref.account !== undefined && ref.account !== ctx.realm.account) {
      const granted = grantedKey(s, ctx, ref.keyId, ref.account);
      if (granted) return granted;
      throw notFound(ref.keyId, { account: ref.account, region: ctx.realm.region });
    }
    const own = s.realm(ctx.realm.account, ctx.realm.region)?.keys.get(ref.keyId);
    return own ?? grantedKey(s, ctx, ref.keyId) ?? keyById(s, ctx.realm, ref.keyId);
  }
  return keyById(s, ctx.realm, aliasByName(s, ctx, ref.alias).alias.keyId);
}

/** Whether a grant on `key` names the caller, lists `action` and, for an action that takes a context, admits `context`. */
function grantsAllow(ctx: CallContext, key: KeyRecord, action: Action, context: EncryptionContext | undefined): boolean {
  if (key.grants.size === 0) return false;
  const constrained = CONTEXT_ACTIONS.has(action);
  for (const g of key.grants.values()) {
    if (!grantNames(g, ctx) || !g.operations.includes(action)) continue;
    if (!constrained || grantAllows(g, action, context)) return true;
  }
  return false;
}

function policyRefusal(key: KeyRecord | undefined, action: Action, refusal: AuthorizationRefusal): KmsError {
  return new KmsError('AccessDenied', refusal.message, {
    resource: 'key',
    ...(key ? { keyId: key.id, account: key.realm.account, region: key.realm.region } : {}),
    reason: 'policy',
    operation: action,
    policyReason: refusal.reason,
  });
}

/**
 * Authorizes a call that reaches no key (creating keys, listing, random bytes): only the dialect's
 * policy check, when its authorization mode is on, has a say.
 */
export function authorizeWithoutKey(ctx: CallContext, action: Action): void {
  const refusal = ctx.authorizer?.check({ key: undefined, aliases: NO_ALIASES, action, grantAllows: false });
  if (refusal) throw policyRefusal(undefined, action, refusal);
}

const NO_ALIASES: ReadonlySet<string> = new Set();

/**
 * Authorizes `action` on `key` for the caller. Nobody manages a service-managed key but its
 * service (SERVICE_MANAGED_REFUSED). With the dialect's policy check enforcing, its decision
 * stands (key policy, identity policies, grants); with it recording only, or without it, callers of
 * the key's own account are allowed, and a caller of another account needs a grant that names it,
 * lists the action and, for an action that takes an encryption context, whose constraints the
 * context meets.
 */
export function authorize(ctx: CallContext, key: KeyRecord, action: Action, context?: EncryptionContext): void {
  if (key.manager === 'SERVICE' && SERVICE_MANAGED_REFUSED.has(action)) {
    throw new KmsError('AccessDenied', `Key ${key.id} is managed by a cloud service: ${action} is not allowed.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'service-managed',
      operation: action,
    });
  }
  const authorizer = ctx.authorizer;
  if (authorizer !== undefined) {
    const refusal = authorizer.check({ key: viewOf(key), aliases: key.aliases, action, context, grantAllows: grantsAllow(ctx, key, action, context) });
    if (refusal) throw policyRefusal(key, action, refusal);
    if (authorizer.enforcing) return;
  }
  if (key.realm.account === ctx.realm.account) return;
  let named = false;
  let listed = false;
  const constrained = CONTEXT_ACTIONS.has(action);
  for (const g of key.grants.values()) {
    if (!grantNames(g, ctx)) continue;
    named = true;
    if (!g.operations.includes(action)) continue;
    listed = true;
    if (!constrained || grantAllows(g, action, context)) return;
  }
  if (named && listed) {
    throw new KmsError('AccessDenied', `The encryption context does not meet the constraints of a grant on key ${key.id}.`, {
      resource: 'key',
      keyId: key.id,
      reason: 'grant-constraints',
      operation: action,
    });
  }
  throw new KmsError('AccessDenied', `The caller is not allowed to perform ${action} on key ${key.id}.`, {
    resource: 'key',
    keyId: key.id,
    reason: 'grant',
    operation: action,
  });
}

/** Marks `key` changed unless `operation` leaves key records as they were. */
export function markChanged(s: EngineState, key: KeyRecord, operation: LifecycleOperation, ctx?: CallContext): void {
  // A dry run changes nothing.
  if (!KEY_UNCHANGED.has(operation) && ctx?.dryRun !== true) s.touch(key);
}

export interface UseOptions {
  /** The action authorized; default: the dialect's (ctx.action), else `operation` itself. */
  readonly action?: Action;
  /** The call's encryption context, which grant constraints bind. */
  readonly context?: EncryptionContext | undefined;
}

/** Resolves `ref` and authorizes the call: the first half of `use`, for operations with checks of their own before the state table. */
export function reach(s: EngineState, ctx: CallContext, ref: KeyRef, operation: LifecycleOperation, options?: UseOptions): KeyRecord {
  const key = resolve(s, ctx, ref);
  authorize(ctx, key, options?.action ?? actionOf(ctx, operation), options?.context);
  return key;
}

/** Applies the state table's row for `operation` and marks the key changed: the second half of `use`. */
export function admit(s: EngineState, ctx: CallContext, key: KeyRecord, operation: LifecycleOperation): void {
  // A key of a store that is not enabled answers as Unavailable (the table's column), its own state unchanged.
  assertLifecycle(operation, storeUnavailable(s, key) ? { id: key.id, state: 'Unavailable' } : key, ctx.stateRules);
  markChanged(s, key, operation, ctx);
}

/**
 * Resolves `ref`, authorizes the call, applies the state table's row for `operation` and marks the
 * key changed (unless the operation leaves it as it was). The one way an operation reaches a key.
 */
export function use(s: EngineState, ctx: CallContext, ref: KeyRef, operation: LifecycleOperation, options?: UseOptions): KeyRecord {
  const key = reach(s, ctx, ref, operation, options);
  admit(s, ctx, key, operation);
  return key;
}

/** Checks again, after an await, that the key still exists and its state still allows `operation`. */
export function recheck(s: EngineState, ctx: CallContext, key: KeyRecord, operation: LifecycleOperation): void {
  if (s.realm(key.realm.account, key.realm.region)?.keys.get(key.id) !== key) throw notFound(key.id, key.realm);
  admit(s, ctx, key, operation);
}

/**
 * The key a ciphertext's header names: in the caller's realm, or another account's in the same
 * region through a grant. Any other key (or none) is refused as AWS refuses it: AccessDenied.
 */
export function envelopeKey(s: EngineState, ctx: CallContext, header: { account: string; region: string; keyId: string }): KeyRecord {
  const inRealm = header.account === ctx.realm.account && header.region === ctx.realm.region;
  const key = inRealm
    ? s.realm(header.account, header.region)?.keys.get(header.keyId)
    : header.region === ctx.realm.region
      ? grantedKey(s, ctx, header.keyId, header.account)
      : relatedKey(s, ctx, header);
  if (!key) {
    throw new KmsError('AccessDenied', 'The ciphertext refers to a key that does not exist, does not exist in this region, or you are not allowed to access.', {
      resource: 'ciphertext',
      keyId: header.keyId,
      account: header.account,
      region: header.region,
      reason: 'ciphertext-key',
    });
  }
  return key;
}

/**
 * A multi-Region key's member in the caller's realm, for a ciphertext made by a member in another
 * region of the same account: the family shares its material, so the local member opens it.
 */
function relatedKey(s: EngineState, ctx: CallContext, header: { account: string; keyId: string }): KeyRecord | undefined {
  if (header.account !== ctx.realm.account) return undefined;
  const key = s.realm(ctx.realm.account, ctx.realm.region)?.keys.get(header.keyId);
  return key?.multiRegion === true ? key : undefined;
}

/** Applies the state table and authorizes a key already found (an envelope's). */
export function allow(s: EngineState, ctx: CallContext, key: KeyRecord, operation: LifecycleOperation, options?: UseOptions): void {
  authorize(ctx, key, options?.action ?? actionOf(ctx, operation), options?.context);
  admit(s, ctx, key, operation);
}

/** The key `ref` names, as the caller would see it, or undefined: no state check, no authorization, nothing changed. */
export function findKey(s: EngineState, ctx: CallContext, ref: KeyRef): KeyRecord | undefined {
  if ('keyId' in ref) {
    if (ref.account !== undefined && ref.account !== ctx.realm.account) return grantedKey(s, ctx, ref.keyId, ref.account);
    return s.realm(ctx.realm.account, ctx.realm.region)?.keys.get(ref.keyId) ?? grantedKey(s, ctx, ref.keyId);
  }
  const realm = s.realm(ctx.realm.account, ctx.realm.region);
  const alias = realm?.aliases.get(ref.alias);
  return alias ? realm!.keys.get(alias.keyId) : undefined;
}

/** The key `keyId` in the caller's region, its own account first (retiring works across accounts). */
export function keyInRegion(s: EngineState, ctx: CallContext, keyId: string): KeyRecord | undefined {
  const own = s.realm(ctx.realm.account, ctx.realm.region)?.keys.get(keyId);
  if (own) return own;
  for (const realm of s.realms.values()) {
    if (realm.realm.region !== ctx.realm.region) continue;
    const key = realm.keys.get(keyId);
    if (key) return key;
  }
  return undefined;
}
