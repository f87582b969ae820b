/** AWS multi-Region keys: ReplicateKey and UpdatePrimaryRegion (CreateKey with MultiRegion is in ops-keys.ts). */
import type { JsonValue } from '../../engine/audit.js';
import { withoutAwsNames } from './arn.js';
import { AwsServiceError } from './errors.js';
import { defaultKeyPolicy, keyMetadata, trailKeyMetadata } from './metadata.js';
import { isRegionOfPartition } from './regions.js';
import { checkPolicy, checkTags, type Handler, keyRef } from './call.js';
import { checkNewKeyPolicy } from './authorization.js';
import { partitionOf } from './arn.js';

function checkRegion(region: string, from: string): void {
  if (!isRegionOfPartition(region, from)) {
    throw new AwsServiceError('UnsupportedOperationException', `${region} is not a valid Region in the ${partitionOf(from)} partition for this operation.`);
  }
}

export const replicateKey: Handler = ({ engine, ctx, realm, input, trail, operation }) => {
  const region: string = input.ReplicaRegion;
  checkRegion(region, realm.region);
  const tags = checkTags(input.Tags ?? []);
  const replicaRealm = { account: realm.account, region };
  const policy: string = input.Policy ?? defaultKeyPolicy(realm.account, partitionOf(region));
  if (input.Policy !== undefined) {
    checkPolicy(policy);
    checkNewKeyPolicy(ctx);
  }
  const { primary, replica } = engine.replicateKey(ctx, keyRef({ engine, ctx, realm, input, trail, operation }, input.KeyId), {
    region,
    description: input.Description ?? '',
    tags,
    policies: [['default', policy]],
  });
  trail.resources.push(primary);
  const metadata = trailKeyMetadata(replica) as JsonValue;
  const replicaPolicy = replica.policies.get('default') ?? policy;
  trail.response = { replicaKeyMetadata: metadata, replicaPolicy };
  // "A CreateKey log entry can result from ... the CreateKey operation for a ReplicateKey request": in the replica's Region.
  engine.recordCall({
    dialect: 'aws',
    action: 'CreateKey',
    realm: replicaRealm,
    principal: withoutAwsNames(ctx.principal),
    requestId: ctx.requestId,
    readOnly: false,
    resources: [{ account: realm.account, region, keyId: replica.id }],
    request: {
      description: input.Description ?? '',
      bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck ?? false,
      ...(tags.length > 0 ? { tags: tags.map(([TagKey, TagValue]) => ({ tagKey: TagKey, tagValue: TagValue })) } : {}),
    },
    response: { keyMetadata: metadata },
    ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}),
    ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
  });
  return {
    ReplicaKeyMetadata: keyMetadata(replica),
    ReplicaPolicy: replicaPolicy,
    ReplicaTags: [...replica.tags].map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  };
};

export const updatePrimaryRegion: Handler = (call) => {
  const region: string = call.input.PrimaryRegion;
  checkRegion(region, call.realm.region);
  const { primary } = call.engine.updatePrimaryRegion(call.ctx, keyRef(call, call.input.KeyId), region);
  call.trail.resources.push(primary);
  return {};
};
