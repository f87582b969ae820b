/**
 * Huawei aliases in the sandbox: forms on any key that create an alias of the alias API, move an
 * existing alias to this key, delete one, and list the key's aliases (their REST routes come from
 * the model: wireOf in huawei-keystores.ts).
 */
import type { KeyInfo } from '../../engine/index.js';
import type { ActionForm, Field } from './types.js';

const alias: Field = { name: 'alias', label: 'alias', kind: 'text', value: 'alias/sandbox', hint: 'alias/ followed by letters, digits, : / _ -' };

function summary(out: Record<string, unknown>): Array<[string, string]> {
  return [
    ['alias', String(out.alias)],
    ['alias_urn', String(out.alias_urn)],
  ];
}

export function aliasForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'create-alias',
      action: 'create-alias',
      blurb: 'Another name for this key; data-key verbs take it (or its URN) as key_id.',
      group: 'lifecycle',
      fields: [alias],
      params: (v) => ({ key_id: key.id, alias: (v.alias ?? '').trim() }),
      outcome: (out) => ({ summary: summary(out) }),
    },
    {
      id: 'associate-alias',
      action: 'associate-alias',
      blurb: 'Move an existing alias to this key.',
      group: 'lifecycle',
      fields: [{ ...alias, value: '', placeholder: 'alias/… of another key' }],
      params: (v) => ({ target_key_id: key.id, alias: (v.alias ?? '').trim() }),
      outcome: (out) => ({ summary: summary(out) }),
    },
    {
      id: 'delete-alias',
      action: 'delete-alias',
      blurb: 'Remove one of this key’s aliases.',
      group: 'lifecycle',
      fields: [alias],
      params: (v) => ({ key_id: key.id, aliases: [(v.alias ?? '').trim()] }),
    },
    {
      id: 'list-aliases',
      action: 'list-aliases',
      blurb: 'This key’s aliases and their URNs.',
      group: 'inspect',
      fields: [],
      params: () => ({ key_id: key.id }),
      outcome: (out) => ({
        summary: ((out.aliases as Array<Record<string, unknown>> | undefined) ?? []).map((a): [string, string] => [String(a.alias), String(a.alias_urn)]),
      }),
    },
  ];
}
