/** AWS key lifecycle: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, Enable/DisableKey, Schedule/CancelKeyDeletion. */
import type { JsonValue } from '../../engine/audit.js';
import { isAsymmetricSpec, usageFits } from '../../engine/specs.js';
import type { KeyInfo, KeyUsage } from '../../engine/types.js';
import { partitionOf } from './arn.js';
import { takeLocalStackTags } from './localstack-tags.js';
import { AwsServiceError } from './errors.js';
import { awsKeyState, defaultKeyPolicy, KEY_SPEC_FROM_AWS, keyMetadata, secs, trailDate, trailKeyMetadata } from './metadata.js';
import { checkNewKeyPolicy } from './authorization.js';
import { arnOf, checkPolicy, checkTags, type Handler, keyRef, LIMITS, listed, page, requireChinaRegion, validation } from './call.js';
import { customStoreKey } from './ops-key-stores.js';

export const createKey: Handler = (call) => {
  const { engine, ctx, realm, input, trail } = call;
  if (input.KeySpec !== undefined && input.CustomerMasterKeySpec !== undefined) {
    throw validation('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const awsSpec: string = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const origin: string = input.Origin ?? 'AWS_KMS';
  if (awsSpec !== 'SYMMETRIC_DEFAULT' && input.KeyUsage === undefined) {
    throw validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  const usage: string = input.KeyUsage ?? 'ENCRYPT_DECRYPT';
  // SYMMETRIC_DEFAULT is a 256-bit AES key, except in the China Regions, where it is a 128-bit SM4 key.
  const spec = awsSpec === 'SYMMETRIC_DEFAULT' && partitionOf(realm.region) === 'aws-cn' ? 'SM4' : KEY_SPEC_FROM_AWS[awsSpec];
  if (!spec) throw new AwsServiceError('UnsupportedOperationException', `KeySpec ${awsSpec} is not supported by this emulator yet.`);
  if (spec === 'SM2') requireChinaRegion(realm.region, 'KeySpec');
  if (!usageFits(spec, usage as KeyUsage)) throw validation(`KeyUsage ${usage} is not compatible with KeySpec ${awsSpec}`);
  const inStore = origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL_KEY_STORE' || input.CustomKeyStoreId !== undefined;
  if (!inStore && input.XksKeyId !== undefined) throw validation('XksKeyId is only valid for keys in an external key store.');
  // LocalStack's key-choosing tags stay out of CloudTrail, whatever happens next (one holds key material).
  const chosen = takeLocalStackTags(input.Tags ?? [], (kept) => (trail.request = { tags: kept }));
  const tags = checkTags(chosen.tags);
  const policy: string = input.Policy ?? defaultKeyPolicy(realm.account, partitionOf(realm.region));
  if (input.Policy !== undefined) {
    checkPolicy(policy);
    checkNewKeyPolicy(ctx);
  }
  const request = {
    // A custom key store's key is a 256-bit AES key in every Region.
    spec: inStore ? ('AES_256' as const) : spec,
    usage: usage as KeyUsage,
    origin: origin === 'EXTERNAL' ? ('EXTERNAL' as const) : ('GENERATED' as const),
    description: input.Description ?? '',
    tags,
    policies: [['default', policy] as const],
    // A multi-Region key's id is mrk- and 32 hex digits.
    ...(chosen.id !== undefined ? { id: chosen.id, multiRegion: chosen.id.startsWith('mrk-') } : input.MultiRegion === true ? { multiRegion: true, idPrefix: 'mrk-' } : {}),
    ...(chosen.material !== undefined ? { material: chosen.material } : {}),
  };
  const created = (key: KeyInfo): Record<string, unknown> => {
    trail.resources.push(key);
    trail.request = {
      ...trail.request,
      description: input.Description ?? '',
      origin,
      bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck ?? false,
      customerMasterKeySpec: awsSpec,
      keySpec: awsSpec,
      keyUsage: usage,
      multiRegion: input.MultiRegion ?? false,
    };
    const store = engine.keyStoreOf(key);
    trail.response = { keyMetadata: trailKeyMetadata(key, store) as JsonValue };
    if (store) trail.additional = { customKeyStoreId: store.id };
    return { KeyMetadata: keyMetadata(key, store) };
  };
  if (inStore) {
    // Checked after the key's own members, as AWS checks them; an external key is checked with the proxy.
    const place = customStoreKey(call, origin, awsSpec, usage);
    const make = (p: { keyStoreId: string; externalKeyId?: string }) => created(engine.createKey(ctx, { ...request, origin: 'GENERATED', keyStoreId: p.keyStoreId, ...(p.externalKeyId !== undefined ? { externalKeyId: p.externalKeyId } : {}) }));
    return place instanceof Promise ? place.then(make) : make(place);
  }
  // Only a key pair waits (generated, or parsed from chosen material); every other key is made at once.
  if (isAsymmetricSpec(spec)) return engine.createKeyAsync(ctx, request).then(created);
  return created(engine.createKey(ctx, request));
};

export const describeKey: Handler = (call) => {
  const key = call.engine.describeKey(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  return { KeyMetadata: keyMetadata(key, call.engine.keyStoreOf(key)) };
};

export const listKeys: Handler = ({ engine, ctx, input }) => {
  const result = engine.listKeys(ctx, page(input.Limit, input.Marker, LIMITS.listKeysDefault));
  return listed(
    result.items.map((k) => ({ KeyId: k.id, KeyArn: arnOf(k) })),
    result.nextMarker,
    'Keys',
  );
};

export const updateKeyDescription: Handler = (call) => {
  call.trail.resources.push(call.engine.updateDescription(call.ctx, keyRef(call, call.input.KeyId), call.input.Description));
  return {};
};

export const enableKey: Handler = (call) => {
  call.trail.resources.push(call.engine.enableKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

export const disableKey: Handler = (call) => {
  call.trail.resources.push(call.engine.disableKey(call.ctx, keyRef(call, call.input.KeyId)));
  return {};
};

export const scheduleKeyDeletion: Handler = (call) => {
  const days: number = call.input.PendingWindowInDays ?? LIMITS.defaultPendingWindowDays;
  const [min, max] = LIMITS.pendingWindowDays;
  if (days < min || days > max) {
    const bound = days < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`;
    throw validation(`1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${bound}`);
  }
  const key = call.engine.scheduleDeletion(call.ctx, keyRef(call, call.input.KeyId), days);
  call.trail.resources.push(key);
  // A multi-Region primary with replicas has no deletion date until its last replica is deleted.
  if (key.deletionDate === undefined) {
    call.trail.response = { keyId: arnOf(key) };
    return { KeyId: arnOf(key), KeyState: awsKeyState(key.state), PendingWindowInDays: days };
  }
  call.trail.response = { keyId: arnOf(key), keyState: 'PendingDeletion', deletionDate: trailDate(key.deletionDate) };
  return { KeyId: arnOf(key), DeletionDate: secs(key.deletionDate), KeyState: awsKeyState(key.state), PendingWindowInDays: days };
};

export const cancelKeyDeletion: Handler = (call) => {
  const key = call.engine.cancelDeletion(call.ctx, keyRef(call, call.input.KeyId));
  call.trail.resources.push(key);
  call.trail.response = { keyId: arnOf(key) };
  return { KeyId: arnOf(key) };
};
