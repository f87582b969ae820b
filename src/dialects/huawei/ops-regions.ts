/**
 * Huawei cross-region keys: list-support-regions, replicate-key, update-primary-region, on the
 * engine's replica room. A replica has its primary's id and material in another region (and the
 * project of that region), and decrypts the primary's ciphertexts.
 */
import type { CallContext } from '../../engine/types.js';
import { kmsError } from './errors.js';
import { numberOf } from './validate.js';
import { checkTag } from './ops-tags.js';
import { checkAlias, type Handler, keyRef, LIMITS, lookup } from './call.js';

/**
 * The regions a custom key can be replicated to from each region, as Huawei's user guide lists them
 * ("Creating a Replica Key for a Custom Key"): Beijing4, Guangzhou, Guiyang1 and Shanghai1 among
 * themselves; Singapore and Riyadh with each other.
 */
export const REPLICA_REGIONS: Readonly<Record<string, readonly string[]>> = {
  'cn-north-4': ['cn-east-3', 'cn-south-1', 'cn-southwest-2'],
  'cn-south-1': ['cn-north-4', 'cn-east-3', 'cn-southwest-2'],
  'cn-southwest-2': ['cn-east-3', 'cn-south-1', 'cn-north-4'],
  'cn-east-3': ['cn-north-4', 'cn-south-1', 'cn-southwest-2'],
  'ap-southeast-3': ['me-east-1'],
  'me-east-1': ['ap-southeast-3'],
};

function regionsFrom(region: string): readonly string[] {
  return Object.hasOwn(REPLICA_REGIONS, region) ? REPLICA_REGIONS[region]! : [];
}

/** The regions the caller's region can replicate keys to, paged by `offset` and `limit`. */
export const listSupportRegions: Handler = (call) => {
  const all = regionsFrom(call.ctx.realm.region);
  const offset = numberOf(call.body.offset, 0);
  const limit = numberOf(call.body.limit, all.length);
  if (offset < 0 || limit < 0) throw kmsError('KMS.0308');
  return { regions: all.slice(offset, offset + limit) };
};

export const replicateKey: Handler = (call) => {
  const { engine, ctx, body, regionOf } = call;
  const region = body.replica_region as string;
  const alias = body.key_alias as string;
  if (!/^[a-zA-Z0-9:/_-]{1,255}$/.test(alias)) throw kmsError('KMS.1101');
  checkAlias(alias);
  const key = lookup(call);
  if (key.manager !== 'CUSTOMER') throw kmsError('KMS.0308');
  if (!regionsFrom(key.realm.region).includes(region)) throw kmsError('KMS.0308');
  if (!regionOf || regionOf(body.replica_project_id as string) !== region) throw kmsError('KMS.0308');
  const there: CallContext = { ...ctx, realm: { account: key.realm.account, region } };
  if (engine.getAlias(there, alias)) throw kmsError('KMS.1104');
  if (Array.isArray(body.tags) && body.tags.length > LIMITS.tagsPerKey) throw kmsError('KMS.0409');
  const tags = Array.isArray(body.tags) ? body.tags.map(checkTag) : [];
  const { replica } = engine.replicateKey(ctx, keyRef(body), {
    region,
    adopt: true,
    ...(typeof body.key_description === 'string' ? { description: body.key_description } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  });
  engine.createAlias(there, alias, { keyId: replica.id });
  return { key_id: replica.id, domain_id: replica.realm.account, region: replica.realm.region };
};

export const updatePrimaryRegion: Handler = (call) => {
  const { engine, ctx, body } = call;
  const key = lookup(call);
  const region = body.primary_region as string;
  if (region !== key.realm.region && !key.multiRegion) throw kmsError('KMS.0308');
  const { newPrimary } = engine.updatePrimaryRegion(ctx, keyRef(body), region);
  return { key_id: newPrimary.id, primary_region: newPrimary.realm.region };
};
