/** Tencent service information: GetServiceStatus, GetRegions, ListAlgorithms. */
import { KEY_USAGES, usageOffered } from './metadata.js';
import { TENCENT_REGIONS } from './regions.js';
import type { Handler } from './call.js';
import { cmkCount, cmkLimit } from './ops-keys.js';

export const getServiceStatus: Handler = (call) => ({
  ServiceEnabled: true,
  InvalidType: 1,
  UserLevel: 0,
  ProExpireTime: 0,
  ProRenewFlag: 0,
  ProResourceId: '',
  ExclusiveVSMEnabled: false,
  ExclusiveHSMEnabled: false,
  SubscriptionInfo: '',
  CmkUserCount: cmkCount(call),
  CmkLimit: cmkLimit(call),
  // No exclusive HSM clusters, cross-region sync tasks or QPS limits are modelled: empty lists, false,
  // and 0 for the limits (no limit); the region codes are not modelled either (0). See docs/tencent.md.
  ExclusiveHSMList: [],
  IsAllowedDataKeyHosted: true,
  DataKeyLimit: 0,
  FreeDataKeyLimit: 0,
  DataKeyUsedCount: call.engine.listDataKeys(call.ctx).length,
  SyncTaskList: [],
  IsAllowedSync: false,
  QpsLimit: 0,
  QpsTotalLimit: 0,
  RegionsQps: [],
  ResourceZone: 0,
  ResourceRegion: 0,
});

export const getRegions: Handler = (call) => ({
  Regions: [...new Set([...TENCENT_REGIONS, ...Object.keys(call.dialect.options.flavours ?? {}), call.dialect.options.region])],
});

export const listAlgorithms: Handler = (call) => {
  const groups: Record<string, Array<{ KeyUsage: string; Algorithm: string }>> = { SymmetricAlgorithms: [], AsymmetricAlgorithms: [], AsymmetricSignVerifyAlgorithms: [] };
  for (const [name, profile] of Object.entries(KEY_USAGES)) {
    if (!usageOffered(name, call.flavour)) continue;
    const algorithm = profile.spec === 'SYMMETRIC' ? (call.flavour === 'sm' ? 'SM4' : 'AES_256') : profile.algorithm;
    groups[profile.group]!.push({ KeyUsage: name, Algorithm: algorithm });
  }
  return groups;
};
