/**
 * Grants: a key's owner hands another principal named actions on one key. The records and their
 * snapshot form are in grant-data.ts; authorization through them is access.ts's.
 */

import { toHex } from '../crypto/bytes.js';
import { randomBytes } from '../crypto/random.js';
import { admit, authorizeWithoutKey, keyById, keyInRegion, reach, use } from './access.js';
import { refuseDryRun } from './checks.js';
import { storedGrantAction } from './actions.js';
import { KmsError } from './errors.js';
import { assertLifecycle } from './lifecycle.js';
import { DEFAULT_GRANTS_PER_KEY, grantToken, parseGrantToken, principalNamed, type CreateGrantInput, type GrantInfo } from './grant-data.js';
import { pageArray } from './paging.js';
import { viewOf, type KeyRecord } from './records.js';
import type { EngineState } from './state.js';
import type { CallContext, KeyInfo, KeyRef, Page, PageRequest } from './types.js';

export { DEFAULT_GRANTS_PER_KEY, type CreateGrantInput, type GrantConstraints, type GrantInfo } from './grant-data.js';

export function createGrant(s: EngineState, ctx: CallContext, ref: KeyRef, input: CreateGrantInput): { key: KeyInfo; grant: GrantInfo } {
  const key = reach(s, ctx, ref, 'createGrant');
  assertLifecycle('createGrant', key, ctx.stateRules);
  const limit = input.limit ?? DEFAULT_GRANTS_PER_KEY;
  if (key.grants.size >= limit) {
    throw new KmsError('LimitExceeded', `Key ${key.id} already has ${key.grants.size} grants.`, { resource: 'grant', keyId: key.id, reason: 'grants-per-key', limit });
  }
  refuseDryRun(ctx);
  s.touch(key);
  const id = toHex(randomBytes(s.random, 32));
  const grant: GrantInfo = {
    id,
    token: grantToken(key.id, id),
    keyId: key.id,
    realm: key.realm,
    ...(input.name !== undefined ? { name: input.name } : {}),
    granteePrincipal: input.granteePrincipal,
    ...(input.granteeType !== undefined ? { granteeType: input.granteeType } : {}),
    ...(input.retiringPrincipal !== undefined ? { retiringPrincipal: input.retiringPrincipal } : {}),
    issuingPrincipal: ctx.principal.id,
    operations: input.operations.map(storedGrantAction),
    ...(input.constraints ? { constraints: input.constraints } : {}),
    createdAt: s.now(),
  };
  key.grants.set(id, grant);
  return { key: viewOf(key), grant };
}

export function listGrants(
  s: EngineState,
  ctx: CallContext,
  ref: KeyRef,
  page: PageRequest,
  filter: { grantId?: string; granteePrincipal?: string } = {},
): { key: KeyInfo; page: Page<GrantInfo> } {
  const key = use(s, ctx, ref, 'listGrants');
  const grants = [...key.grants.values()].filter(
    (g) => (filter.grantId === undefined || g.id === filter.grantId) && (filter.granteePrincipal === undefined || g.granteePrincipal === filter.granteePrincipal),
  );
  return { key: viewOf(key), page: pageArray(s, `grants|${key.id}|${filter.grantId ?? ''}|${filter.granteePrincipal ?? ''}`, grants, page) };
}

/** Grants in the caller's region (any account) that name `retiringPrincipal` as their retiring principal. */
export function listRetirableGrants(s: EngineState, ctx: CallContext, retiringPrincipal: string, page: PageRequest): Page<GrantInfo> {
  authorizeWithoutKey(ctx, 'listRetirableGrants');
  const grants: GrantInfo[] = [];
  for (const realm of s.realms.values()) {
    if (realm.realm.region !== ctx.realm.region) continue;
    for (const key of realm.keys.values()) for (const g of key.grants.values()) if (g.retiringPrincipal === retiringPrincipal) grants.push(g);
  }
  return pageArray(s, `retirable|${ctx.realm.region}|${retiringPrincipal}`, grants, page);
}

/**
 * Retires a grant named by its token, or by key and grant id. The retiring principal, the grantee
 * and principals of the key's account may retire it.
 */
export function retireGrant(s: EngineState, ctx: CallContext, by: { token: string } | { keyRef: KeyRef; grantId: string }): GrantInfo {
  let key: KeyRecord | undefined;
  let grantId: string;
  if ('token' in by) {
    const parsed = parseGrantToken(by.token);
    if (!parsed) throw new KmsError('NotFound', 'The grant token is not valid.', { resource: 'grant', reason: 'grant-token' });
    key = keyInRegion(s, ctx, parsed.keyId);
    grantId = parsed.grantId;
    if (!key) throw new KmsError('NotFound', `Grant ${grantId} does not exist.`, { resource: 'grant', grantId });
  } else {
    key = 'keyId' in by.keyRef ? keyInRegion(s, ctx, by.keyRef.keyId) : reach(s, ctx, by.keyRef, 'retireGrant');
    if (!key) key = keyById(s, ctx.realm, (by.keyRef as { keyId: string }).keyId);
    grantId = by.grantId;
  }
  const grant = grantOf(s, key, grantId);
  const p = ctx.principal;
  if (!(key.realm.account === ctx.realm.account || principalNamed(p, grant.retiringPrincipal) || principalNamed(p, grant.granteePrincipal))) {
    throw new KmsError('AccessDenied', `The caller is not allowed to retire grant ${grantId}.`, { resource: 'grant', keyId: key.id, grantId, reason: 'retire' });
  }
  admit(s, ctx, key, 'retireGrant');
  refuseDryRun(ctx);
  key.grants.delete(grantId);
  return grant;
}

export function revokeGrant(s: EngineState, ctx: CallContext, ref: KeyRef, grantId: string): GrantInfo {
  const key = reach(s, ctx, ref, 'revokeGrant');
  const grant = grantOf(s, key, grantId);
  admit(s, ctx, key, 'revokeGrant');
  refuseDryRun(ctx);
  key.grants.delete(grantId);
  return grant;
}

/** The grant a token names, if it exists in the caller's region (a read). */
export function grantByToken(s: EngineState, ctx: CallContext, token: string): GrantInfo | undefined {
  const parsed = parseGrantToken(token);
  return parsed ? keyInRegion(s, ctx, parsed.keyId)?.grants.get(parsed.grantId) : undefined;
}

/** A grant of `key`; a grant id that belongs to another key in the realm is a mismatch. */
function grantOf(s: EngineState, key: KeyRecord, grantId: string): GrantInfo {
  const grant = key.grants.get(grantId);
  if (grant) return grant;
  let elsewhere = false;
  for (const k of s.realm(key.realm.account, key.realm.region)?.keys.values() ?? []) if (k.grants.has(grantId)) elsewhere = true;
  throw new KmsError('NotFound', elsewhere ? `Grant ${grantId} does not belong to key ${key.id}.` : `Grant ${grantId} does not exist.`, {
    resource: 'grant',
    keyId: key.id,
    grantId,
    ...(elsewhere ? { reason: 'grant-key-mismatch' } : {}),
  });
}
