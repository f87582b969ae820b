/** Huawei key lifecycle: create-key, describe-key, list-keys, enable/disable-key, schedule/cancel-key-deletion, update-key-description, and the console's deleteKeyRiskTips. */
import { DAY_MS } from '../../engine/clock.js';
import { SPEC_PROFILES } from '../../engine/specs.js';
import type { KeyUsage } from '../../engine/types.js';
import { kmsError } from './errors.js';
import { familyOf, HUAWEI_KEY_SPEC, KEY_SPEC_FROM_HUAWEI, KEY_STATE, keyDetails, ms } from './metadata.js';
import { numberOf } from './validate.js';
import { DEFAULT_KEYSTORE_ID } from './ops-keystores.js';
import { allKeys } from '../shared.js';
import { aliasOf, checkAlias, details, grantRecord, type Handler, keyRef, LIMITS, lookup, pageOf } from './call.js';

export const createKey: Handler = async (call) => {
  const { engine, ctx, body } = call;
  const alias = body.key_alias as string;
  checkAlias(alias);
  const spec = KEY_SPEC_FROM_HUAWEI[(body.key_spec as string | undefined) ?? 'AES_256'];
  if (!spec) throw kmsError('KMS.0308');
  const family = familyOf(spec);
  const defaultUsage: KeyUsage = family === 'symmetric' ? 'ENCRYPT_DECRYPT' : family === 'hmac' ? 'GENERATE_VERIFY_MAC' : 'SIGN_VERIFY';
  const usage = ((body.key_usage as string | undefined) ?? defaultUsage) as KeyUsage;
  if (family === 'hmac' && usage !== 'GENERATE_VERIFY_MAC') throw kmsError('KMS.0341');
  if (family === 'symmetric' && usage === 'SIGN_VERIFY') throw kmsError('KMS.1115');
  if (family === 'ec' && usage === 'ENCRYPT_DECRYPT') throw kmsError('KMS.1114');
  if (!SPEC_PROFILES[spec].usages.includes(usage)) throw kmsError('KMS.0308');
  if (engine.getAlias(ctx, alias)) throw kmsError('KMS.1104');
  if (allKeys(engine, ctx).length >= LIMITS.keys) throw kmsError('KMS.1105');
  const origin = body.origin === 'external' ? 'EXTERNAL' : 'GENERATED';
  // A dedicated keystore ("0" is the service's own) holds generated keys only.
  const keyStoreId = body.keystore_id !== undefined && body.keystore_id !== DEFAULT_KEYSTORE_ID ? (body.keystore_id as string) : undefined;
  if (keyStoreId !== undefined && origin === 'EXTERNAL') throw kmsError('KMS.0339');
  // The key and its alias are one engine step: an alias taken while a key pair is generated leaves no key behind.
  const key = await engine.createKeyAsync(ctx, { spec, usage, origin, description: (body.key_description as string | undefined) ?? '', alias, ...(keyStoreId !== undefined ? { keyStoreId } : {}) });
  call.trail.key = key;
  call.trail.resourceName = alias;
  return { key_info: { key_id: key.id, domain_id: key.realm.account, region_id: key.realm.region } };
};

export const describeKey: Handler = (call) => ({ key_info: details(call, lookup(call)) });

export const listKeys: Handler = (call) => {
  const { engine, ctx, body } = call;
  // Without key_spec only AES_256 keys are listed; "ALL" lists every spec (as documented).
  const spec = (body.key_spec as string | undefined) ?? 'AES_256';
  const state = body.key_state as string | undefined;
  const keys = allKeys(engine, ctx).filter(
    (k) => (spec === 'ALL' || HUAWEI_KEY_SPEC[k.spec] === spec) && (state === undefined || KEY_STATE[k.state] === state),
  );
  const page = pageOf(keys, body);
  return {
    keys: page.items.map((k) => k.id),
    key_details: page.items.map((k) => keyDetails(k, aliasOf(engine, k))),
    next_marker: page.next_marker,
    truncated: page.truncated,
    total: page.total,
  };
};

export const enableKey: Handler = (call) => {
  lookup(call);
  const after = call.engine.enableKey(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, after);
  return { key_info: { key_id: after.id, key_state: KEY_STATE[after.state] } };
};

export const disableKey: Handler = (call) => {
  lookup(call);
  const after = call.engine.disableKey(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, after);
  return { key_info: { key_id: after.id, key_state: KEY_STATE[after.state] } };
};

export const scheduleKeyDeletion: Handler = (call) => {
  const key = lookup(call);
  call.trail.resourceName = aliasOf(call.engine, key);
  const after = call.engine.scheduleDeletion(call.ctx, keyRef(call.body), numberOf(call.body.pending_days, 0));
  return { key_id: after.id, key_state: KEY_STATE[after.state] };
};

export const cancelKeyDeletion: Handler = (call) => {
  lookup(call);
  const after = call.engine.cancelDeletion(call.ctx, keyRef(call.body));
  call.trail.resourceName = aliasOf(call.engine, after);
  return { key_id: after.id, key_state: KEY_STATE[after.state] };
};

export const updateKeyDescription: Handler = (call) => {
  lookup(call);
  const key = call.engine.updateDescription(call.ctx, keyRef(call.body), call.body.key_description as string);
  call.trail.resourceName = aliasOf(call.engine, key);
  return { key_info: { key_id: key.id, key_description: key.description } };
};

/** Operations whose success counts as a use of the key in the precaution report. */
const USES = new Set(['create-datakey', 'create-datakey-without-plaintext', 'encrypt-datakey', 'decrypt-datakey', 'encrypt-data', 'decrypt-data', 're-encrypt', 'sign', 'verify', 'generate-mac', 'verify-mac', 'create-rsa-datakey-pair', 'create-ec-datakey-pair']);

/**
 * The console's precaution before a key is deleted: what would break. A read: the grants that
 * still let others use the key, its alias, the cloud resources bound to it, and its successful
 * cryptographic use in the last LIMITS.recentUseDays days (from the audit stream).
 */
export const deleteKeyRiskTips: Handler = (call) => {
  const { engine, ctx } = call;
  const key = lookup(call);
  const alias = aliasOf(engine, key);
  call.trail.resourceName = alias;
  const since = engine.now() - LIMITS.recentUseDays * DAY_MS;
  const uses = engine.audit.list(
    (e) => e.kind === 'api_call' && e.dialect === 'huawei' && !e.error && e.time >= since && USES.has(e.action) && e.resources.some((r) => r.keyId === key.id),
  );
  const grants = [...key.grants.values()];
  const bindings = key.bindings ?? [];
  const tips: string[] = [];
  if (grants.length > 0) tips.push('grants');
  if (bindings.length > 0) tips.push('bound_resources');
  if (uses.length > 0) tips.push('recently_used');
  if (key.origin === 'EXTERNAL') tips.push('imported_key_material');
  return {
    key_id: key.id,
    key_alias: alias,
    key_state: KEY_STATE[key.state],
    grants: grants.map(grantRecord),
    grant_count: grants.length,
    bound_resources: bindings.map((b) => ({ product: b.product, resource_id: b.resource, bound_time: ms(b.boundAt) })),
    recent_use: { days: LIMITS.recentUseDays, count: uses.length, last_use_time: ms(uses.at(-1)?.time) },
    risk_tips: tips,
  };
};
