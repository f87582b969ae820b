/** Huawei grants: create-grant, list-grants, list-retirable-grants, retire-grant, revoke-grant. */
import type { Engine } from '../../engine/engine.js';
import type { GrantInfo } from '../../engine/grants.js';
import type { CallContext, KeyRef } from '../../engine/types.js';
import { kmsError } from './errors.js';
import { aliasOf, GRANT_ACTIONS, GRANT_OPERATIONS, grantRecord, type Handler, keyRef, LIMITS, lookup, pageOf } from './call.js';

export const createGrant: Handler = (call) => {
  const { engine, ctx, body } = call;
  const operations = [...new Set(body.operations as string[])];
  if (operations.length === 0 || operations.some((o) => !(GRANT_OPERATIONS as readonly string[]).includes(o))) throw kmsError('KMS.0308');
  if (operations.length === 1 && operations[0] === 'create-grant') throw kmsError('KMS.2401');
  const key = lookup(call);
  const { grant } = engine.createGrant(ctx, keyRef(body), {
    granteePrincipal: body.grantee_principal as string,
    granteeType: (body.grantee_principal_type as string | undefined) ?? 'user',
    operations: operations.map((o) => GRANT_ACTIONS[o as (typeof GRANT_OPERATIONS)[number]]),
    ...(body.retiring_principal !== undefined ? { retiringPrincipal: body.retiring_principal as string } : {}),
    ...(body.name !== undefined ? { name: body.name as string } : {}),
    limit: LIMITS.grantsPerKey,
  });
  call.trail.resourceName = aliasOf(engine, key);
  return { grant_id: grant.id };
};

function allGrants(engine: Engine, ctx: CallContext, ref: KeyRef): GrantInfo[] {
  const out: GrantInfo[] = [];
  let marker: string | undefined;
  do {
    const { page } = engine.listGrants(ctx, ref, { limit: 1000, ...(marker ? { marker } : {}) });
    out.push(...page.items);
    marker = page.nextMarker;
  } while (marker);
  return out;
}

export const listGrants: Handler = (call) => {
  lookup(call);
  const page = pageOf(allGrants(call.engine, call.ctx, keyRef(call.body)), call.body);
  return { grants: page.items.map(grantRecord), next_marker: page.next_marker, truncated: page.truncated, total: page.total };
};

export const listRetirableGrants: Handler = (call) => {
  const { engine, ctx } = call;
  const all: GrantInfo[] = [];
  let marker: string | undefined;
  do {
    const page = engine.listRetirableGrants(ctx, ctx.principal.id, { limit: 1000, ...(marker ? { marker } : {}) });
    all.push(...page.items);
    marker = page.nextMarker;
  } while (marker);
  const page = pageOf(all, call.body);
  return { grants: page.items.map(grantRecord), next_marker: page.next_marker, truncated: page.truncated, total: page.total };
};

export const retireGrant: Handler = (call) => {
  const { engine, ctx, body } = call;
  const grant = engine.retireGrant(ctx, { keyRef: keyRef(body), grantId: (body.grant_id as string).toLowerCase() });
  const key = engine.findKey({ ...ctx, realm: grant.realm }, { keyId: grant.keyId });
  if (key) {
    call.trail.key = key;
    call.trail.resourceName = aliasOf(engine, key);
  }
  return {};
};

export const revokeGrant: Handler = (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  engine.revokeGrant(ctx, keyRef(body), (body.grant_id as string).toLowerCase());
  call.trail.resourceName = aliasOf(engine, key);
  return {};
};
