/** AWS tags and key policies: TagResource, UntagResource, ListResourceTags, Get/PutKeyPolicy, ListKeyPolicies. */
import { AwsServiceError } from './errors.js';
import { checkNewKeyPolicy } from './authorization.js';
import { checkPolicy, checkTags, type Handler, keyRef, LIMITS, listed, page, reservedTagKey } from './call.js';

export const tagResource: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const existing = engine.findKey(ctx, ref)?.tags;
  const tags = checkTags(input.Tags, existing);
  trail.resources.push(engine.tagKey(ctx, ref, tags));
  return {};
};

export const untagResource: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const keys: string[] = input.TagKeys;
  if (keys.some(reservedTagKey)) throw new AwsServiceError('TagException', 'Tags beginning with aws: are reserved');
  trail.resources.push(engine.untagKey(ctx, keyRef(call, input.KeyId), keys));
  return {};
};

export const listResourceTags: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const result = engine.listTags(ctx, ref, page(input.Limit, input.Marker, LIMITS.listTagsDefault, LIMITS.listTagsMax));
  const key = engine.findKey(ctx, ref);
  if (key) trail.resources.push(key);
  return listed(
    result.items.map(([k, v]) => ({ TagKey: k, TagValue: v })),
    result.nextMarker,
    'Tags',
  );
};

export const getKeyPolicy: Handler = (call) => {
  const name: string = call.input.PolicyName ?? 'default';
  const { key, policy } = call.engine.getPolicy(call.ctx, keyRef(call, call.input.KeyId), name);
  call.trail.resources.push(key);
  return { Policy: policy, PolicyName: name };
};

export const putKeyPolicy: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  checkPolicy(input.Policy);
  checkNewKeyPolicy(ctx);
  trail.resources.push(engine.putPolicy(ctx, keyRef(call, input.KeyId), input.PolicyName ?? 'default', input.Policy));
  return {};
};

export const listKeyPolicies: Handler = (call) => {
  const { engine, ctx, input, trail } = call;
  const ref = keyRef(call, input.KeyId);
  const result = engine.listPolicies(ctx, ref, page(input.Limit, input.Marker, LIMITS.listDefault));
  const key = engine.findKey(ctx, ref);
  if (key) trail.resources.push(key);
  return listed(result.items, result.nextMarker, 'PolicyNames');
};
