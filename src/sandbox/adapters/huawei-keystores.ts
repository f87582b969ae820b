/**
 * Huawei dedicated keystores in the sandbox: forms (on every key) that create, list, show, disable,
 * enable and delete a keystore, the keystore_id a form answers carried into the others; and the
 * wire form of the REST-shaped routes (`/v1.0/{project_id}/keystores/{keystore_id}/…`, GET and
 * DELETE) that do not follow `POST /v1.0/{project_id}/kms/<verb>`.
 */
import { MODELS, OPERATIONS } from '../../dialects/huawei/model.generated.js';
import type { KeyInfo } from '../../engine/index.js';
import type { ActionForm, Field, Outcome } from './types.js';

const BY_ID = ['keystore-show', 'keystore-disable', 'keystore-enable', 'keystore-delete'];

function carry(id: string): Outcome['carry'] {
  return Object.fromEntries(BY_ID.map((form) => [form, { keystore: id }]));
}

function byId(key: KeyInfo, id: string, action: string, blurb: string, group: ActionForm['group']): ActionForm {
  const field: Field = { name: 'keystore', label: 'keystore_id', kind: 'text', placeholder: 'create-key-store first, or paste an id', ...(key.keyStoreId ? { value: key.keyStoreId } : {}) };
  return {
    id,
    action,
    blurb,
    group,
    fields: [field],
    params: (v) => ({ keystore_id: (v.keystore ?? '').trim() }),
    outcome: (out) => {
      const store = (out.keystore ?? {}) as Record<string, unknown>;
      return { summary: Object.entries(store).map(([k, v]) => [k, String(v)]) };
    },
  };
}

export function keystoreForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'keystore-create',
      action: 'create-key-store',
      blurb: 'A dedicated keystore; create-key with its keystore_id makes keys in it. Disabled, its keys refuse use (KMS.0317).',
      group: 'lifecycle',
      fields: [
        { name: 'alias', label: 'keystore_alias', kind: 'text', value: 'sandbox-keystore', hint: 'Unique in the project.' },
        { name: 'type', label: 'keystore_type', kind: 'select', options: ['DHSM', 'CDMS', 'DEFAULT'] },
        { name: 'cluster', label: 'hsm_cluster_id (optional)', kind: 'text', placeholder: 'one keystore per cluster' },
      ],
      params: (v) => ({ keystore_alias: v.alias ?? '', keystore_type: v.type, ...(v.cluster ? { hsm_cluster_id: v.cluster } : {}) }),
      outcome: (out) => {
        const id = String((out.keystore as Record<string, unknown> | undefined)?.keystore_id ?? '');
        return { summary: [['keystore_id', id]], carry: carry(id) };
      },
    },
    {
      id: 'keystore-list',
      action: 'list-key-stores',
      blurb: 'The project\'s keystores.',
      group: 'inspect',
      fields: [],
      params: () => ({}),
      outcome: (out) => ({
        summary: [['total', String(out.total)], ...((out.keystores ?? []) as Array<Record<string, unknown>>).map((k): [string, string] => [String(k.keystore_alias), String(k.keystore_id)])],
      }),
    },
    byId(key, 'keystore-show', 'show-key-store', 'One keystore\'s details.', 'inspect'),
    byId(key, 'keystore-disable', 'disable-key-store', 'Its keys refuse cryptography until it is enabled again.', 'lifecycle'),
    byId(key, 'keystore-enable', 'enable-key-store', 'Its keys work again.', 'lifecycle'),
    byId(key, 'keystore-delete', 'delete-key-store', 'Only once every key in it is deleted.', 'lifecycle'),
  ];
}

/**
 * The method, path, query and body of a call: REST-shaped routes take their path parameters from
 * `params` (the rest is the query of a GET, or the body, which keeps a path parameter its model
 * also declares, as replicate-key's key_id); the others are `POST …/kms/<action>`.
 */
export function wireOf(projectId: string, action: string, params: Record<string, unknown>): { method: string; path: string; query: string; body: string } {
  const op = Object.hasOwn(OPERATIONS, action) ? OPERATIONS[action] : undefined;
  if (!op || op.path === `/v1.0/{project_id}/kms/${action}`) return { method: 'POST', path: `/v1.0/${projectId}/kms/${action}`, query: '', body: JSON.stringify(params) };
  const rest: Record<string, unknown> = { ...params };
  let path = op.path.replace('{project_id}', projectId);
  const bodyModel = op.body !== undefined && Object.hasOwn(MODELS, op.body) ? MODELS[op.body] : undefined;
  for (const name of op.pathParams) {
    path = path.replace(`{${name}}`, encodeURIComponent(String(rest[name] ?? '')));
    if (op.method === 'GET' || !bodyModel || !Object.hasOwn(bodyModel, name)) delete rest[name];
  }
  if (op.method === 'GET' || op.body === undefined) {
    const query = new URLSearchParams(Object.entries(rest).map(([k, v]) => [k, String(v)])).toString();
    return { method: op.method, path, query, body: '' };
  }
  return { method: op.method, path, query: '', body: JSON.stringify(rest) };
}
