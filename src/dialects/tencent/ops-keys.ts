/** Tencent key lifecycle: CreateKey, DescribeKey(s), ListKeys, ListKeyDetail, UpdateKeyDescription, Enable/Disable(Keys), Schedule/CancelKeyDeletion, Archive/CancelKeyArchive, Bind/UnbindCloudResource. */
import type { KeyInfo } from '../../engine/types.js';
import { fault } from './errors.js';
import { engineSpec, KEY_STATE, KEY_STATE_FILTER, KEY_USAGES, secs, tencentKeyUsage, usageOffered } from './metadata.js';
import { aliasOf, allKeys, type Call, checkAlias, checkDescription, checkTags, existing, type Handler, inRange, keyIds, keyRef, LIMITS, metadata, offsetLimit, tagResult, tagsMatch, touch } from './call.js';

export const createKey: Handler = async (call) => {
  const { engine, ctx, input } = call;
  checkAlias(call, input.Alias);
  checkDescription(call, input.Description);
  const type: number = input.Type ?? 1;
  if (type !== 1 && type !== 2) throw fault(call.action, ['InvalidParameterValue.InvalidType'], 'InvalidParameterValue', `Type ${type} is invalid.`);
  const usageName: string = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  const profile = KEY_USAGES[usageName];
  if (!profile) {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', `KeyUsage ${usageName} is invalid.`);
  }
  if (!usageOffered(usageName, call.flavour)) {
    throw fault(call.action, ['UnsupportedOperation.UnsupportedKeyUsageInCurrentRegion'], 'UnsupportedOperation', `KeyUsage ${usageName} is not supported in region ${ctx.realm.region}.`);
  }
  // Imported material is offered for symmetric keys only.
  if (type === 2 && usageName !== 'ENCRYPT_DECRYPT') {
    throw fault(call.action, ['InvalidParameterValue.InvalidKeyUsage'], 'InvalidParameterValue', 'EXTERNAL keys must have KeyUsage ENCRYPT_DECRYPT.');
  }
  const tags = checkTags(call, input.Tags);
  const limit = cmkLimit(call);
  if (cmkCount(call) >= limit) throw fault(call.action, ['LimitExceeded.CmkLimitExceeded'], 'LimitExceeded', `The account holds ${limit} CMKs in region ${ctx.realm.region}, its limit.`);
  // The key and its alias are one engine step: a taken alias (also one taken while a key pair is
  // generated) leaves no key behind.
  const key = await engine.createKeyAsync(ctx, {
    spec: engineSpec(profile, call.flavour),
    usage: profile.usage,
    origin: type === 2 ? 'EXTERNAL' : 'GENERATED',
    description: input.Description ?? '',
    tags,
    alias: input.Alias,
  });
  touch(call, key);
  return {
    KeyId: key.id,
    Alias: input.Alias,
    CreateTime: secs(key.createdAt),
    Description: key.description,
    KeyState: KEY_STATE[key.state],
    KeyUsage: usageName,
    ...tagResult(input.Tags),
    // HSM clusters are not modelled: the id given is echoed, else the public cluster's empty id.
    HsmClusterId: input.HsmClusterId ?? '',
  };
};

export const describeKey: Handler = (call) => {
  const key = existing(call, keyRef(call, call.input.KeyId));
  touch(call, key);
  return { KeyMetadata: metadata(call, key) };
};

export const describeKeys: Handler = (call) => {
  const refs = keyIds(call, call.input.KeyIds, LIMITS.batchKeyIds);
  const keys = refs.map((r) => existing(call, r));
  for (const k of keys) touch(call, k);
  return { KeyMetadatas: keys.map((k) => metadata(call, k)) };
};

/** ListKeys lists the keys a caller can use or make usable. */
const LISTED_STATES = new Set(['Enabled', 'Disabled', 'PendingImport']);

/** Keys a caller created (Role 0) or cloud products created for it (Role 1: none here), newest first unless asked. */
export function userKeys(call: Call, role: number | undefined, ascending = false): KeyInfo[] {
  if (role !== undefined && role !== 0 && role !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'Role must be 0 or 1.');
  const keys = role === 1 ? [] : allKeys(call).filter((k) => tencentKeyUsage(k) !== undefined);
  return ascending ? keys : keys.reverse();
}

/** The CMKs that count against the account's limit in the caller's region: all but those pending deletion. */
export function cmkCount(call: Call): number {
  return userKeys(call, 0).filter((k) => k.state !== 'PendingDeletion').length;
}

export function cmkLimit(call: Call): number {
  return call.dialect.options.cmkLimit ?? LIMITS.cmkLimit;
}

export const listKeys: Handler = (call) => {
  const { offset, limit } = offsetLimit(call, call.input);
  const keys = userKeys(call, call.input.Role).filter((k) => LISTED_STATES.has(KEY_STATE[k.state]));
  return { Keys: keys.slice(offset, offset + limit).map((k) => ({ KeyId: k.id })), TotalCount: keys.length };
};

export const listKeyDetail: Handler = (call) => {
  const { input } = call;
  const { offset, limit } = offsetLimit(call, input);
  const order: number = input.OrderType ?? 0;
  if (order !== 0 && order !== 1) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'OrderType must be 0 or 1.');
  const stateFilter: number = input.KeyState ?? 0;
  if (stateFilter >= KEY_STATE_FILTER.length) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', 'KeyState must be 0 to 5.');
  const origin: string = input.Origin ?? '';
  if (!['', 'ALL', 'TENCENT_KMS', 'EXTERNAL'].includes(origin)) throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `Origin ${origin} is invalid.`);
  // An empty KeyUsage filter means symmetric keys only, as the service documents.
  const usage: string = input.KeyUsage === undefined || input.KeyUsage === '' ? 'ENCRYPT_DECRYPT' : input.KeyUsage;
  if (usage !== 'ALL' && !KEY_USAGES[usage]) {
    throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `KeyUsage ${usage} is invalid.`);
  }
  const search: string = (input.SearchKeyAlias ?? '').toLowerCase();
  const keys = userKeys(call, input.Role, order === 1).filter((k) => {
    if (stateFilter !== 0 && KEY_STATE[k.state] !== KEY_STATE_FILTER[stateFilter]) return false;
    if ((origin === 'TENCENT_KMS' && k.origin !== 'GENERATED') || (origin === 'EXTERNAL' && k.origin !== 'EXTERNAL')) return false;
    if (usage !== 'ALL' && tencentKeyUsage(k) !== usage) return false;
    if (!tagsMatch(k.tags, input.TagFilters)) return false;
    return search === '' || k.id.includes(search) || aliasOf(call, k).toLowerCase().includes(search);
  });
  return { TotalCount: keys.length, KeyMetadatas: keys.slice(offset, offset + limit).map((k) => metadata(call, k)) };
};

export const updateKeyDescription: Handler = (call) => {
  checkDescription(call, call.input.Description);
  touch(call, call.engine.updateDescription(call.ctx, keyRef(call, call.input.KeyId), call.input.Description));
  return {};
};

export const enableKey: Handler = (call) => {
  touch(call, call.engine.enableKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

/** A bound key refuses to be disabled (the engine refuses archive and deletion itself). */
function refuseBound(call: Call, key: KeyInfo): void {
  if (key.bindings.length > 0) throw fault(call.action, ['FailedOperation.CmkUsedByCloudProduct'], 'FailedOperation', `The CMK ${key.id} is used by a cloud product.`);
}

export const disableKey: Handler = (call) => {
  const ref = keyRef(call, call.input.KeyId);
  const key = existing(call, ref);
  touch(call, key);
  call.engine.assertUsable(call.ctx, ref, 'disableKey');
  refuseBound(call, key);
  call.engine.disableKey(call.ctx, ref);
  return {};
};

/** Enable/DisableKeys: every key is checked before any changes. */
export function batch(operation: 'enableKey' | 'disableKey'): Handler {
  return (call) => {
    const refs = keyIds(call, call.input.KeyIds, LIMITS.batchKeyIds);
    for (const ref of refs) {
      const key = existing(call, ref);
      touch(call, key);
      call.engine.assertUsable(call.ctx, ref, operation);
      if (operation === 'disableKey') refuseBound(call, key);
    }
    for (const ref of refs) call.engine[operation](call.ctx, ref);
    return {};
  };
}

export const scheduleKeyDeletion: Handler = (call) => {
  const { engine, ctx, input } = call;
  const ref = keyRef(call, input.KeyId);
  const days = inRange(call, input.PendingWindowInDays, LIMITS.pendingWindowDays, 'PendingWindowInDays', ['InvalidParameter.InvalidPendingWindowInDays']);
  const key = existing(call, ref);
  touch(call, key);
  const scheduled = engine.scheduleDeletion(ctx, ref, days);
  return { DeletionDate: secs(scheduled.deletionDate!), KeyId: scheduled.id };
};

export const cancelKeyDeletion: Handler = (call) => {
  const key = call.engine.cancelDeletion(call.ctx, keyRef(call, call.input.KeyId));
  touch(call, key);
  return { KeyId: key.id };
};

export const archiveKey: Handler = (call) => {
  touch(call, call.engine.archiveKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

export const cancelKeyArchive: Handler = (call) => {
  touch(call, call.engine.cancelArchive(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

function nonEmpty(call: Call, value: string, member: string): string {
  if (value === '') throw fault(call.action, ['InvalidParameter'], 'InvalidParameterValue', `The parameter ${member} must not be empty.`);
  return value;
}

export const bindCloudResource: Handler = (call) => {
  const { input } = call;
  const ref = keyRef(call, input.KeyId);
  touch(call, call.engine.bindResource(call.ctx, ref, nonEmpty(call, input.ProductId, 'ProductId'), nonEmpty(call, input.ResourceId, 'ResourceId')));
  return {};
};

export const unbindCloudResource: Handler = (call) => {
  const { input } = call;
  const ref = keyRef(call, input.KeyId);
  touch(call, call.engine.unbindResource(call.ctx, ref, nonEmpty(call, input.ProductId, 'ProductId'), nonEmpty(call, input.ResourceId, 'ResourceId')));
  return {};
};
