/**
 * Huawei Cloud KMS in the sandbox: REST calls (`POST /v1.0/{project_id}/kms/<verb>`) answered by
 * the Huawei dialect's own `handle()`, CTS traces from its own renderer, key details as describe-key
 * shows them (numbers and states as strings, errors as `KMS.xxxx`).
 */
import { toTrace } from '../../dialects/huawei/cts.js';
import { HUAWEI_JSON_CONTENT_TYPE } from '../../dialects/huawei/dialect.js';
import { HUAWEI_KEY_SPEC, KEY_SPEC_FROM_HUAWEI, KEY_STATE, keyDetails, SIGNING_ALGORITHM_FROM_HUAWEI } from '../../dialects/huawei/metadata.js';
import { keyAlgorithms, SPEC_PROFILES, type AuditEvent, type KeyInfo, type KeyState } from '../../engine/index.js';
import { bytes, type Kms } from '../../index.js';
import { jsonParam, numberParam, optional, textToBase64 } from './fields.js';
import { importable, importForms } from './import.js';
import { aliasOf as huaweiAliasOf } from '../../dialects/huawei/call.js';
import { aliasForms } from './huawei-aliases.js';
import { keystoreForms, wireOf } from './huawei-keystores.js';
import { HUAWEI_REGIONS, projectOf, replicaForms } from './huawei-replicas.js';
import type { ActionForm, CallResult, DialectAdapter, Field } from './types.js';

const USER_AGENT = 'kms-emulator-sandbox (in-tab)';
const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 500: 'Internal Server Error' };

/** Huawei's key_state codes, named for people (the diagram shows both). */
const STATE_WORDS: Record<string, string> = { '1': 'pending activation', '2': 'enabled', '3': 'disabled', '4': 'pending deletion', '5': 'pending import', '7': 'frozen' };

function withKey(key: KeyInfo, params: Record<string, unknown>): Record<string, unknown> {
  return { key_id: key.id, ...params };
}

function bare(id: string, action: string, blurb: string, key: KeyInfo, group: ActionForm['group'] = 'lifecycle'): ActionForm {
  return { id, action, blurb, group, fields: [], params: () => withKey(key, {}) };
}

/** The key's key_alias (not an alias of the alias API). */
function aliasOf(kms: Kms, key: KeyInfo): string {
  return huaweiAliasOf(kms.engine, key);
}

const context: Field = { name: 'context', label: 'encryption_context (JSON, optional)', kind: 'text', placeholder: '{"purpose":"demo"}' };

function symmetricForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'encrypt',
      action: 'encrypt-data',
      blurb: 'Seal up to 4 KiB of text under this key.',
      group: 'crypto',
      fields: [{ name: 'plaintext', label: 'plain_text', kind: 'textarea', value: 'card 4111-1111-1111-1111' }, context],
      params: (v) => optional(withKey(key, { plain_text: v.plaintext ?? '' }), 'encryption_context', v.context, jsonParam),
      outcome: (out, v) => ({ summary: [['cipher_text', String(out.cipher_text)]], carry: { decrypt: { ciphertext: String(out.cipher_text), context: v.context ?? '' } } }),
    },
    {
      id: 'decrypt',
      action: 'decrypt-data',
      blurb: 'Open a ciphertext; it carries its key id.',
      group: 'crypto',
      fields: [{ name: 'ciphertext', label: 'cipher_text', kind: 'textarea', placeholder: 'encrypt-data first, or paste one' }, context],
      params: (v) => optional({ cipher_text: (v.ciphertext ?? '').trim() }, 'encryption_context', v.context, jsonParam),
      outcome: (out) => ({ summary: [['plain_text', String(out.plain_text)], ['key_id', String(out.key_id)]] }),
    },
    {
      id: 'data-key',
      action: 'create-datakey',
      blurb: 'Envelope encryption: a data key in the clear (hex) and sealed under this key.',
      group: 'crypto',
      fields: [{ name: 'length', label: 'datakey_length (bits)', kind: 'select', options: ['256', '512', '128'] }],
      params: (v) => withKey(key, { datakey_length: v.length }),
      outcome: (out) => ({
        summary: [
          ['plain_text (use, then forget)', String(out.plain_text)],
          ['cipher_text (store beside the data)', String(out.cipher_text)],
        ],
      }),
    },
  ];
}

function signingForms(key: KeyInfo): ActionForm[] {
  const engineAlgs = new Set<string>(keyAlgorithms(key).signing);
  const algs = Object.entries(SIGNING_ALGORITHM_FROM_HUAWEI)
    .filter(([, a]) => engineAlgs.has(a))
    .map(([name]) => name);
  const message: Field = { name: 'message', label: 'message (text)', kind: 'textarea', value: 'release v1.2.3' };
  const algorithm: Field = { name: 'algorithm', label: 'signing_algorithm', kind: 'select', options: algs };
  return [
    {
      id: 'sign',
      action: 'sign',
      blurb: 'Sign a message (message_type RAW).',
      group: 'crypto',
      fields: [message, algorithm],
      params: (v) => withKey(key, { message: textToBase64(v.message ?? ''), message_type: 'RAW', signing_algorithm: v.algorithm }),
      outcome: (out, v) => ({ summary: [['signature', String(out.signature)]], carry: { verify: { message: v.message ?? '', signature: String(out.signature), algorithm: v.algorithm ?? '' } } }),
    },
    {
      id: 'verify',
      action: 'verify',
      blurb: 'Check a signature: signature_valid "true" or "false".',
      group: 'crypto',
      fields: [message, { name: 'signature', label: 'signature (base64)', kind: 'textarea' }, algorithm],
      params: (v) => withKey(key, { message: textToBase64(v.message ?? ''), message_type: 'RAW', signature: (v.signature ?? '').trim(), signing_algorithm: v.algorithm }),
      outcome: (out) => ({ summary: [['signature_valid', String(out.signature_valid)]] }),
    },
  ];
}

function lifecycleForms(key: KeyInfo): ActionForm[] {
  const forms: ActionForm[] = [
    bare('enable', 'enable-key', 'Allow cryptographic use.', key),
    bare('disable', 'disable-key', 'Refuse cryptographic use until enabled.', key),
    {
      id: 'schedule-deletion',
      action: 'schedule-key-deletion',
      blurb: 'Delete after 7–1096 days; advance the clock to see it happen.',
      group: 'lifecycle',
      fields: [{ name: 'days', label: 'pending_days', kind: 'number', value: '7' }],
      // Huawei numbers travel as strings.
      params: (v) => withKey(key, { pending_days: (v.days ?? '').trim() }),
      outcome: (out) => ({ summary: [['key_state', String(out.key_state)]] }),
    },
    bare('cancel-deletion', 'cancel-key-deletion', 'Back from pending deletion to disabled.', key),
  ];
  if (SPEC_PROFILES[key.spec].family === 'symmetric') {
    forms.push(
      {
        id: 'enable-rotation',
        action: 'enable-key-rotation',
        blurb: 'Rotate the key material automatically.',
        group: 'lifecycle',
        fields: [{ name: 'days', label: 'rotation_interval (days)', kind: 'number', value: '90' }],
        params: (v) => optional(withKey(key, {}), 'rotation_interval', v.days, numberParam),
      },
      bare('disable-rotation', 'disable-key-rotation', 'Stop automatic rotation.', key),
      bare('rotate-now', 'rotate-on-demand', 'New key material now; old ciphertexts still decrypt.', key),
      bare('rotation-status', 'get-key-rotation-status', 'Rotation switch, interval and times.', key, 'inspect'),
    );
  }
  if (SPEC_PROFILES[key.spec].family === 'asymmetric') forms.push(bare('public-key', 'get-publickey', 'The public half.', key, 'inspect'));
  forms.push(bare('describe', 'describe-key', 'The key details, as a call (traced by CTS).', key, 'inspect'));
  return forms;
}

function traces(events: readonly AuditEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    const trace = toTrace(e);
    if (trace) out.push(trace);
  }
  return out;
}

export const huaweiAdapter: DialectAdapter = {
  id: 'huawei',
  label: 'Huawei Cloud KMS',
  auditLabel: 'CTS',
  // One project per region (the emulator is created with them); keys live in their project's region.
  regions: HUAWEI_REGIONS,
  account: (kms) => kms.huawei.options.domainId,
  states: ['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion'],
  stateName: (state: KeyState) => `${KEY_STATE[state]} ${STATE_WORDS[KEY_STATE[state]] ?? ''}`.trim(),
  lifecycleActions: {
    describeKey: 'describe-key',
    enableKey: 'enable-key',
    disableKey: 'disable-key',
    scheduleDeletion: 'schedule-key-deletion',
    cancelDeletion: 'cancel-key-deletion',
    encrypt: 'encrypt-data',
    decrypt: 'decrypt-data',
    reEncryptFrom: 're-encrypt',
    generateDataKey: 'create-datakey',
    getPublicKey: 'get-publickey',
    sign: 'sign',
    verify: 'verify',
    generateMac: 'generate-mac',
    verifyMac: 'verify-mac',
    enableRotation: 'enable-key-rotation',
    disableRotation: 'disable-key-rotation',
    rotateNow: 'rotate-on-demand',
    importKeyMaterial: 'import-key-material',
  },

  createForm() {
    const specs = Object.keys(KEY_SPEC_FROM_HUAWEI);
    return {
      id: 'create',
      action: 'create-key',
      blurb: 'A key alias is required; key_usage follows key_spec.',
      group: 'lifecycle',
      fields: [
        { name: 'alias', label: 'key_alias', kind: 'text', value: 'sandbox-key' },
        { name: 'spec', label: 'key_spec', kind: 'select', options: specs },
        {
          name: 'usage',
          label: 'key_usage',
          kind: 'select',
          options: ['ENCRYPT_DECRYPT'],
          dependsOn: { field: 'spec', options: (spec) => SPEC_PROFILES[KEY_SPEC_FROM_HUAWEI[spec] ?? 'AES_256'].usages.filter((u) => u !== 'KEY_AGREEMENT') },
        },
        { name: 'origin', label: 'origin', kind: 'select', options: ['kms', 'external'], hint: 'external: the key waits for imported material.' },
        { name: 'description', label: 'key_description', kind: 'text', placeholder: 'what the key is for' },
        { name: 'keystore', label: 'keystore_id (optional)', kind: 'text', placeholder: 'a dedicated keystore (create-key-store on any key)' },
      ],
      params: (v) =>
        optional(
          optional({ key_alias: v.alias ?? '', key_spec: v.spec, key_usage: v.usage, ...(v.origin === 'external' ? { origin: 'external' } : {}) }, 'key_description', v.description),
          'keystore_id',
          v.keystore?.trim(),
        ),
      outcome: (out) => {
        const info = (out.key_info ?? {}) as Record<string, unknown>;
        return { summary: [['key_id', String(info.key_id)], ['region_id', String(info.region_id ?? '')]] };
      },
    };
  },

  createdKeyId(output) {
    const info = output.key_info as Record<string, unknown> | undefined;
    return typeof info?.key_id === 'string' ? info.key_id : undefined;
  },

  keyForms(_kms, key) {
    const crypto = key.usage === 'ENCRYPT_DECRYPT' && SPEC_PROFILES[key.spec].family === 'symmetric' ? symmetricForms(key) : key.usage === 'SIGN_VERIFY' ? signingForms(key) : [];
    const imports = importable(key)
      ? importForms(key, {
          getParameters: 'get-parameters-for-import',
          parametersRequest: withKey(key, { wrapping_algorithm: 'RSAES_OAEP_SHA_256' }),
          tokenMember: 'import_token',
          publicKeyMember: 'public_key',
          importMaterial: 'import-key-material',
          importRequest: (wrapped, token) => withKey(key, { import_token: token, encrypted_key_material: wrapped }),
          deleteMaterial: 'delete-imported-key-material',
          deleteRequest: withKey(key, {}),
        })
      : [];
    return [...crypto, ...imports, ...lifecycleForms(key), ...aliasForms(key), ...keystoreForms(key), ...replicaForms(key)];
  },

  metadata: (kms, key) => keyDetails(key, aliasOf(kms, key)),

  specName: (key) => HUAWEI_KEY_SPEC[key.spec] ?? key.spec,

  async call(kms, region, action, params) {
    const projectId = projectOf(kms, region);
    const { method, path, query, body } = wireOf(projectId, action, params);
    const requestHeaders: Array<[string, string]> = [
      ['Host', `kms.${kms.huawei.regionOf(projectId)}.myhuaweicloud.com`],
      ['Content-Type', HUAWEI_JSON_CONTENT_TYPE],
      ['X-Project-Id', projectId],
      ['X-Sdk-Date', new Date(kms.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')],
      ['User-Agent', USER_AGENT],
      ['Content-Length', String(bytes.utf8(body).length)],
    ];
    const auditFrom = kms.engine.audit.appended;
    const response = await kms.huawei.handle(method, path, query, Object.fromEntries(requestHeaders.map(([k, v]) => [k.toLowerCase(), v])), body);
    const text = bytes.fromUtf8(response.body);
    const parsed = jsonParam(text);
    const out = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    const error = out.error as { error_code?: string; error_msg?: string } | undefined;
    const ok = response.status >= 200 && response.status < 300 && error === undefined;
    const result: CallResult = {
      action,
      ok,
      request: { startLine: `${method} ${path}${query ? `?${query}` : ''} HTTP/1.1`, headers: requestHeaders, body },
      response: { startLine: `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ''}`.trimEnd(), headers: [...Object.entries(response.headers), ['content-length', String(response.body.length)]], body: text },
      audit: traces(kms.engine.audit.since(auditFrom)),
    };
    if (ok) result.output = out;
    else result.error = { code: String(error?.error_code ?? response.status), message: String(error?.error_msg ?? '') };
    return result;
  },

  auditTrail: (kms) => kms.huawei.traces(),
  auditRecords: traces,
};
