/** Huawei service information: user-instances, user-quotas, and version discovery (show-versions, show-version). */
import { kmsError } from './errors.js';
import { allKeys } from '../shared.js';
import { type Handler, LIMITS } from './call.js';

export const userInstances: Handler = (call) => ({ instance_num: allKeys(call.engine, call.ctx).filter((k) => k.manager === 'CUSTOMER').length });

export const userQuotas: Handler = (call) => {
  const keys = allKeys(call.engine, call.ctx);
  const grants = keys.reduce((n, k) => Math.max(n, k.grants.size), 0);
  return {
    quotas: {
      resources: [
        { type: 'CMK', used: keys.filter((k) => k.manager === 'CUSTOMER').length, quota: LIMITS.keys },
        { type: 'grant_per_CMK', used: grants, quota: LIMITS.grantsPerKey },
      ],
    },
  };
};

const VERSIONS = [
  { id: 'v1.0', version: '', status: 'CURRENT', updated: '2016-10-29T00:00:00Z', min_version: '' },
  { id: 'v2', version: '', status: 'SUPPORTED', updated: '2024-06-30T00:00:00Z', min_version: '' },
];

/** The API versions, their links relative to the endpoint the caller used. */
export function versionRecord(v: (typeof VERSIONS)[number], endpoint: string): Record<string, unknown> {
  return { ...v, links: [{ href: `${endpoint.replace(/\/$/, '')}/${v.id}/`, rel: 'self' }] };
}

export const showVersions: Handler = (call) => ({ versions: VERSIONS.map((v) => versionRecord(v, (call.body.endpoint as string | undefined) ?? '')) });

export const showVersion: Handler = (call) => {
  const v = VERSIONS.find((x) => x.id === call.body.version_id);
  if (!v) throw kmsError('KMS.0201');
  return { version: versionRecord(v, (call.body.endpoint as string | undefined) ?? '') };
};
