/**
 * Huawei cross-region keys in the sandbox: the page's Huawei regions, each with a project of its own
 * (the emulator in the tab is created with them, so a call's project names its region), and forms
 * that replicate a key into another region's project (replicate-key), hand the primary role to a
 * replica (update-primary-region) and list the regions a key can be replicated to
 * (list-support-regions). Their REST routes come from the model (wireOf in huawei-keystores.ts).
 */
import { DEFAULT_HUAWEI_PROJECT_ID, DEFAULT_HUAWEI_REGION } from '../../dialects/huawei/dialect.js';
import { REPLICA_REGIONS } from '../../dialects/huawei/ops-regions.js';
import type { KeyInfo } from '../../engine/index.js';
import type { Kms } from '../../index.js';
import type { ActionForm } from './types.js';

/**
 * Region → the page's project in it. cn-north-4 keeps the dialect's default project; the others
 * (the regions cn-north-4 keys replicate to) have projects of their own.
 */
export const HUAWEI_REGION_PROJECTS: Readonly<Record<string, string>> = {
  [DEFAULT_HUAWEI_REGION]: DEFAULT_HUAWEI_PROJECT_ID,
  'cn-east-3': '4e3d2c1b0a9f8e7d6c5b4a3928170605',
  'cn-south-1': '6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d',
  'cn-southwest-2': '8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a',
};

export const HUAWEI_REGIONS: readonly string[] = Object.keys(HUAWEI_REGION_PROJECTS);

/** The `huawei.projects` option of createKms: project → region, for the page's projects. */
export const HUAWEI_PROJECTS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(HUAWEI_REGION_PROJECTS).map(([region, project]) => [project, region]));

/** The project a call in `region` names: the page's project there, else the dialect's own. */
export function projectOf(kms: Kms, region: string): string {
  if (region === kms.huawei.options.region) return kms.huawei.options.projectId;
  const found = Object.entries(kms.huawei.options.projects).find(([, r]) => r === region);
  return found ? found[0] : kms.huawei.options.projectId;
}

function replicaTargets(here: string): readonly string[] {
  return (Object.hasOwn(REPLICA_REGIONS, here) ? REPLICA_REGIONS[here]! : []).filter((r) => HUAWEI_REGIONS.includes(r));
}

/** list-support-regions on any key; replicate-key on a key that is no replica; update-primary-region once it has replicas. */
export function replicaForms(key: KeyInfo): ActionForm[] {
  const here = key.realm.region;
  const r = key.replication;
  const forms: ActionForm[] = [
    {
      id: 'support-regions',
      action: 'list-support-regions',
      blurb: 'The regions keys of this region can be replicated to.',
      group: 'inspect',
      fields: [],
      params: () => ({}),
      outcome: (out) => ({ summary: [['regions', ((out.regions ?? []) as unknown[]).map(String).join(', ')]] }),
    },
  ];
  if (r !== undefined && r.primaryRegion !== here) return forms;
  const targets = replicaTargets(here);
  const free = targets.filter((region) => !(r?.replicaRegions ?? []).includes(region));
  const options = free.length > 0 ? free : targets.length > 0 ? targets : HUAWEI_REGIONS.filter((x) => x !== here);
  forms.push({
    id: 'replicate',
    action: 'replicate-key',
    blurb: 'A replica in another region\'s project: same key id and key material, an alias of its own. Pending activation until the clock moves.',
    group: 'lifecycle',
    fields: [
      { name: 'region', label: 'replica_region', kind: 'select', options },
      { name: 'project', label: 'replica_project_id', kind: 'select', options: [HUAWEI_REGION_PROJECTS[options[0]!] ?? ''], dependsOn: { field: 'region', options: (region) => [HUAWEI_REGION_PROJECTS[region] ?? ''] } },
      { name: 'alias', label: 'key_alias (of the replica)', kind: 'text', value: 'sandbox-replica', hint: 'Unique in the replica\'s region.' },
      { name: 'description', label: 'key_description (optional)', kind: 'text', placeholder: 'replica' },
    ],
    params: (v) => ({
      key_id: key.id,
      replica_region: v.region,
      replica_project_id: v.project,
      key_alias: v.alias ?? '',
      ...(v.description ? { key_description: v.description } : {}),
    }),
    outcome: (out) => ({ summary: [['key_id', String(out.key_id)], ['region', String(out.region)]] }),
  });
  if (r !== undefined && r.replicaRegions.length > 0) {
    forms.push({
      id: 'update-primary',
      action: 'update-primary-region',
      blurb: 'Make the replica in that region the primary; both keys are updating for a few seconds.',
      group: 'lifecycle',
      fields: [{ name: 'region', label: 'primary_region', kind: 'select', options: r.replicaRegions }],
      params: (v) => ({ key_id: key.id, primary_region: v.region }),
      outcome: (out) => ({ summary: [['primary_region', String(out.primary_region)]] }),
    });
  }
  return forms;
}
