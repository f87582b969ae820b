/**
 * Tencent hosted data keys in the sandbox: forms on a symmetric CMK that make a data key KMS keeps
 * (GenerateDataKey with IsHostedByKms), read it back, switch it, schedule and cancel its deletion,
 * and list the data keys under the CMK. The DataKeyId a form answers is carried into the others.
 */
import type { KeyInfo } from '../../engine/index.js';
import { numberParam } from './fields.js';
import type { ActionForm, Field, Outcome } from './types.js';

const DATA_KEY_FORMS = ['data-key-plaintext', 'data-key-disable', 'data-key-enable', 'data-key-schedule-deletion', 'data-key-cancel-deletion'];

const dataKeyId: Field = { name: 'dataKeyId', label: 'DataKeyId', kind: 'text', placeholder: 'GenerateDataKey (hosted) first, or paste an id' };

/** Carries a DataKeyId into every form that takes one. */
function carry(id: string): Outcome['carry'] {
  return Object.fromEntries(DATA_KEY_FORMS.map((form) => [form, { dataKeyId: id }]));
}

function byId(id: string, action: string, blurb: string, group: ActionForm['group'], extra: Field[] = [], params: (v: Record<string, string>) => Record<string, unknown> = () => ({})): ActionForm {
  return {
    id,
    action,
    blurb,
    group,
    fields: [dataKeyId, ...extra],
    params: (v) => ({ DataKeyId: (v.dataKeyId ?? '').trim(), ...params(v) }),
  };
}

export function dataKeyForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'host-data-key',
      action: 'GenerateDataKey',
      blurb: 'IsHostedByKms 1: a data key that KMS keeps too, a resource of its own under this key.',
      group: 'crypto',
      fields: [
        { name: 'name', label: 'DataKeyName', kind: 'text', value: 'sandbox-dek', hint: 'Unique in the region.' },
        { name: 'bytes', label: 'NumberOfBytes', kind: 'number', value: '32' },
      ],
      params: (v) => ({ KeyId: key.id, IsHostedByKms: 1, DataKeyName: v.name ?? '', NumberOfBytes: numberParam(v.bytes ?? '') }),
      outcome: (out) => ({
        summary: [
          ['DataKeyId', String(out.DataKeyId)],
          ['Plaintext', String(out.Plaintext)],
        ],
        carry: carry(String(out.DataKeyId)),
      }),
    },
    {
      ...byId('data-key-plaintext', 'GetDataKeyPlaintext', 'The hosted data key in the clear: its CMK must be usable, the data key enabled.', 'crypto'),
      outcome: (out) => ({ summary: [['Plaintext', String(out.Plaintext)]] }),
    },
    byId('data-key-disable', 'DisableDataKey', 'The data key can no longer be read out.', 'lifecycle'),
    byId('data-key-enable', 'EnableDataKey', 'Usable again (its CMK must be enabled).', 'lifecycle'),
    {
      ...byId('data-key-schedule-deletion', 'ScheduleDataKeyDeletion', 'A disabled data key goes after 7–30 days.', 'lifecycle', [{ name: 'days', label: 'PendingWindowInDays', kind: 'number', value: '7' }], (v) => ({
        PendingWindowInDays: numberParam(v.days ?? ''),
      })),
      outcome: (out) => ({ summary: [['DeletionDate', typeof out.DeletionDate === 'number' ? new Date(out.DeletionDate * 1000).toISOString() : String(out.DeletionDate)]] }),
    },
    byId('data-key-cancel-deletion', 'CancelDataKeyDeletion', 'Back from PendingDelete to Disabled.', 'lifecycle'),
    {
      id: 'list-data-keys',
      action: 'ListDataKeyDetail',
      blurb: 'The hosted data keys under this key, newest first.',
      group: 'inspect',
      fields: [],
      params: () => ({ KeyId: key.id, Limit: 200 }),
      outcome: (out) => {
        const list = Array.isArray(out.DataKeyMetadatas) ? (out.DataKeyMetadatas as Array<Record<string, unknown>>) : [];
        return { summary: [['TotalCount', String(out.TotalCount)], ...list.map((m) => [String(m.DataKeyName), `${String(m.KeyState)} · ${String(m.DataKeyId)}`] as [string, string])] };
      },
    },
  ];
}
