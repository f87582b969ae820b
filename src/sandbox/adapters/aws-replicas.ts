/** Multi-Region keys in the sandbox's AWS forms: replicate a primary, hand its role to a replica. */
import { partitionOf } from '../../dialects/aws/arn.js';
import type { KeyInfo } from '../../engine/index.js';
import type { ActionForm } from './types.js';

/** The forms of a multi-Region key: ReplicateKey (on its primary), UpdatePrimaryRegion (toward a replica). */
export function replicaForms(key: KeyInfo, regions: readonly string[]): ActionForm[] {
  const r = key.replication;
  if (!key.multiRegion || r === undefined) return [];
  const here = key.realm.region;
  const samePartition = regions.filter((region) => partitionOf(region) === partitionOf(here));
  const free = samePartition.filter((region) => region !== r.primaryRegion && !r.replicaRegions.includes(region));
  const forms: ActionForm[] = [];
  if (r.primaryRegion === here) {
    forms.push({
      id: 'replicate',
      action: 'ReplicateKey',
      blurb: 'A replica in another Region: same key id and key material, its own ARN, state and aliases. Creating for a few seconds.',
      group: 'lifecycle',
      fields: [
        { name: 'region', label: 'ReplicaRegion', kind: 'select', options: free.length > 0 ? free : samePartition },
        { name: 'description', label: 'Description (of the replica)', kind: 'text', placeholder: 'replica' },
      ],
      params: (v) => ({ KeyId: key.id, ReplicaRegion: v.region, ...(v.description ? { Description: v.description } : {}) }),
      outcome: (out) => {
        const meta = (out.ReplicaKeyMetadata ?? {}) as Record<string, unknown>;
        return { summary: [['Replica', String(meta.Arn)], ['KeyState', String(meta.KeyState)]] };
      },
    });
    if (r.replicaRegions.length > 0) {
      forms.push({
        id: 'update-primary',
        action: 'UpdatePrimaryRegion',
        blurb: 'Make the replica in that Region the primary; both keys are Updating for a few seconds.',
        group: 'lifecycle',
        fields: [{ name: 'region', label: 'PrimaryRegion', kind: 'select', options: r.replicaRegions }],
        params: (v) => ({ KeyId: key.id, PrimaryRegion: v.region }),
      });
    }
  }
  return forms;
}
