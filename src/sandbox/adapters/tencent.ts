/**
 * Tencent Cloud KMS in the sandbox: API 3.0 requests (`X-TC-Action`, `X-TC-Version: 2019-01-18`,
 * `X-TC-Region`) answered by the Tencent dialect's own `handle()` — always HTTP 200, errors in
 * `Response.Error` — CloudAudit events from its own renderer, KeyMetadata as DescribeKey shows it.
 */
import { toCloudAuditEvent, CLOUDAUDIT_EVENT_NAMES } from '../../dialects/tencent/cloudaudit.js';
import { TENCENT_JSON_CONTENT_TYPE } from '../../dialects/tencent/dialect.js';
import { flavourOf, KEY_STATE, KEY_USAGES, keyMetadata, SIGNING_ALGORITHMS, signingAlgorithmFits, tencentKeyUsage, usageOffered } from '../../dialects/tencent/metadata.js';
import { API_VERSION } from '../../dialects/tencent/model.generated.js';
import { SPEC_PROFILES, type AuditEvent, type KeyInfo, type KeyState } from '../../engine/index.js';
import { bytes, type Kms } from '../../index.js';
import { base64ToText, jsonParam, numberParam, optional, textToBase64 } from './fields.js';
import { importable, importForms } from './import.js';
import { dataKeyForms } from './tencent-data-keys.js';
import type { ActionForm, CallResult, DialectAdapter, Field } from './types.js';

const HOST = 'kms.tencentcloudapi.com';
const USER_AGENT = 'kms-emulator-sandbox (in-tab)';

const encryptionContext: Field = { name: 'context', label: 'EncryptionContext (JSON text, optional)', kind: 'text', placeholder: '{"purpose":"demo"}' };

function withKey(key: KeyInfo, params: Record<string, unknown>): Record<string, unknown> {
  return { KeyId: key.id, ...params };
}

function aliasOf(kms: Kms, key: KeyInfo): string {
  return kms.engine.aliasesOf(key)[0]?.name ?? '';
}

function symmetricForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'encrypt',
      action: 'Encrypt',
      blurb: 'Seal up to 4 KiB under this key.',
      group: 'crypto',
      fields: [{ name: 'plaintext', label: 'Plaintext (text)', kind: 'textarea', value: 'card 4111-1111-1111-1111' }, encryptionContext],
      params: (v) => optional(withKey(key, { Plaintext: textToBase64(v.plaintext ?? '') }), 'EncryptionContext', v.context),
      outcome: (out, v) => ({ summary: [['CiphertextBlob', String(out.CiphertextBlob)]], carry: { decrypt: { ciphertext: String(out.CiphertextBlob), context: v.context ?? '' } } }),
    },
    {
      id: 'decrypt',
      action: 'Decrypt',
      blurb: 'Open a ciphertext; the blob names its own key.',
      group: 'crypto',
      fields: [{ name: 'ciphertext', label: 'CiphertextBlob', kind: 'textarea', placeholder: 'Encrypt first, or paste a blob' }, encryptionContext],
      params: (v) => optional({ CiphertextBlob: (v.ciphertext ?? '').trim() }, 'EncryptionContext', v.context),
      outcome: (out) => ({ summary: [['Plaintext', base64ToText(out.Plaintext) ?? String(out.Plaintext)], ['KeyId', String(out.KeyId)]] }),
    },
    {
      id: 'data-key',
      action: 'GenerateDataKey',
      blurb: 'Envelope encryption: a fresh data key, in the clear and sealed under this key.',
      group: 'crypto',
      fields: [{ name: 'spec', label: 'KeySpec', kind: 'select', options: ['AES_256', 'AES_128'] }, encryptionContext],
      params: (v) => optional(withKey(key, { KeySpec: v.spec }), 'EncryptionContext', v.context),
      outcome: (out, v) => ({
        summary: [
          ['Plaintext (use, then forget)', String(out.Plaintext)],
          ['CiphertextBlob (store beside the data)', String(out.CiphertextBlob)],
        ],
        carry: { decrypt: { ciphertext: String(out.CiphertextBlob), context: v.context ?? '' } },
      }),
    },
  ];
}

function signingForms(key: KeyInfo): ActionForm[] {
  const algs = Object.keys(SIGNING_ALGORITHMS).filter((name) => signingAlgorithmFits(name, key.spec));
  const message: Field = { name: 'message', label: 'Message (text)', kind: 'textarea', value: 'release v1.2.3' };
  const algorithm: Field = { name: 'algorithm', label: 'Algorithm', kind: 'select', options: algs };
  return [
    {
      id: 'sign',
      action: 'SignByAsymmetricKey',
      blurb: 'Sign a message (MessageType RAW).',
      group: 'crypto',
      fields: [message, algorithm],
      params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), MessageType: 'RAW', Algorithm: v.algorithm }),
      outcome: (out, v) => ({ summary: [['Signature', String(out.Signature)]], carry: { verify: { message: v.message ?? '', signature: String(out.Signature), algorithm: v.algorithm ?? '' } } }),
    },
    {
      id: 'verify',
      action: 'VerifyByAsymmetricKey',
      blurb: 'Check a signature: SignatureValid true or false.',
      group: 'crypto',
      fields: [message, { name: 'signature', label: 'SignatureValue (base64)', kind: 'textarea' }, algorithm],
      params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), MessageType: 'RAW', SignatureValue: (v.signature ?? '').trim(), Algorithm: v.algorithm }),
      outcome: (out) => ({ summary: [['SignatureValid', String(out.SignatureValid)]] }),
    },
  ];
}

/** Kyber_AES keys encrypt and decrypt, Dilithium keys sign and verify, through the PostQuantumCrypto* actions. */
function postQuantumForms(key: KeyInfo): ActionForm[] {
  const usage = tencentKeyUsage(key);
  if (usage === 'ASYMMETRIC_Encrypt_Decrypt_Kyber_AES') {
    return [
      {
        id: 'pq-encrypt',
        action: 'PostQuantumCryptoEncrypt',
        blurb: 'ML-KEM-768 encapsulation and AES-256-GCM, up to 4 KiB.',
        group: 'crypto',
        fields: [{ name: 'plaintext', label: 'PlainText (text)', kind: 'textarea', value: 'a secret for the quantum age' }],
        params: (v) => withKey(key, { PlainText: textToBase64(v.plaintext ?? '') }),
        outcome: (out) => ({ summary: [['CiphertextBlob', String(out.CiphertextBlob)]], carry: { 'pq-decrypt': { ciphertext: String(out.CiphertextBlob) } } }),
      },
      {
        id: 'pq-decrypt',
        action: 'PostQuantumCryptoDecrypt',
        blurb: 'Open a post-quantum ciphertext; the blob names its key.',
        group: 'crypto',
        fields: [{ name: 'ciphertext', label: 'CiphertextBlob', kind: 'textarea', placeholder: 'PostQuantumCryptoEncrypt first, or paste a blob' }],
        params: (v) => ({ CiphertextBlob: (v.ciphertext ?? '').trim() }),
        outcome: (out) => ({ summary: [['PlainText', base64ToText(out.PlainText) ?? String(out.PlainText)], ['KeyId', String(out.KeyId)]] }),
      },
    ];
  }
  if (usage === 'ASYMMETRIC_SIGN_VERIFY_DILITHIUM') {
    const message: Field = { name: 'message', label: 'Message (text)', kind: 'textarea', value: 'release v1.2.3' };
    return [
      {
        id: 'pq-sign',
        action: 'PostQuantumCryptoSign',
        blurb: 'Sign a message with ML-DSA-65.',
        group: 'crypto',
        fields: [message],
        params: (v) => withKey(key, { Message: textToBase64(v.message ?? '') }),
        outcome: (out, v) => ({ summary: [['Signature', String(out.Signature)]], carry: { 'pq-verify': { message: v.message ?? '', signature: String(out.Signature) } } }),
      },
      {
        id: 'pq-verify',
        action: 'PostQuantumCryptoVerify',
        blurb: 'Check a signature: SignatureValid true or false.',
        group: 'crypto',
        fields: [message, { name: 'signature', label: 'SignatureValue (base64)', kind: 'textarea' }],
        params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), SignatureValue: (v.signature ?? '').trim() }),
        outcome: (out) => ({ summary: [['SignatureValid', String(out.SignatureValid)]] }),
      },
    ];
  }
  return [];
}

function bare(id: string, action: string, blurb: string, key: KeyInfo, group: ActionForm['group'] = 'lifecycle'): ActionForm {
  return { id, action, blurb, group, fields: [], params: () => withKey(key, {}) };
}

function lifecycleForms(key: KeyInfo): ActionForm[] {
  const forms: ActionForm[] = [
    bare('enable', 'EnableKey', 'Allow cryptographic use.', key),
    bare('disable', 'DisableKey', 'Refuse cryptographic use until enabled.', key),
    {
      id: 'schedule-deletion',
      action: 'ScheduleKeyDeletion',
      blurb: 'Delete after 7–30 days; advance the clock to see it happen.',
      group: 'lifecycle',
      fields: [{ name: 'days', label: 'PendingWindowInDays', kind: 'number', value: '7' }],
      params: (v) => withKey(key, { PendingWindowInDays: numberParam(v.days ?? '') }),
      outcome: (out) => ({ summary: [['DeletionDate', typeof out.DeletionDate === 'number' ? new Date(out.DeletionDate * 1000).toISOString() : String(out.DeletionDate)]] }),
    },
    bare('cancel-deletion', 'CancelKeyDeletion', 'Back from PendingDelete to Disabled.', key),
    bare('archive', 'ArchiveKey', 'Archive: only decryption still works.', key),
    bare('cancel-archive', 'CancelKeyArchive', 'Back from Archived to Enabled.', key),
  ];
  if (SPEC_PROFILES[key.spec].family === 'symmetric') {
    forms.push(
      {
        id: 'enable-rotation',
        action: 'EnableKeyRotation',
        blurb: 'Rotate the key material automatically (RotateDays 7–365).',
        group: 'lifecycle',
        fields: [{ name: 'days', label: 'RotateDays', kind: 'number', value: '90' }],
        params: (v) => optional(withKey(key, {}), 'RotateDays', v.days, numberParam),
      },
      bare('disable-rotation', 'DisableKeyRotation', 'Stop automatic rotation.', key),
      bare('rotate-now', 'RotateKey', 'New key material now; old ciphertexts still decrypt.', key),
      bare('rotation-status', 'GetKeyRotationStatus', 'Whether rotation is on.', key, 'inspect'),
    );
  }
  if (SPEC_PROFILES[key.spec].family === 'asymmetric') {
    forms.push({
      ...bare('public-key', 'GetPublicKey', 'The public half (PEM and DER).', key, 'inspect'),
      outcome: (out) => ({ summary: [['PublicKeyPem', String(out.PublicKeyPem ?? '')]] }),
    });
  }
  forms.push(bare('describe', 'DescribeKey', 'The key metadata, as a call (recorded in CloudAudit).', key, 'inspect'));
  return forms;
}

/** CloudAudit logs the KMS actions of its table (API calls only: it has no service events). */
function logged(event: AuditEvent): boolean {
  return event.kind === 'api_call' && event.dialect === 'tencent' && Object.hasOwn(CLOUDAUDIT_EVENT_NAMES, event.action);
}

export const tencentAdapter: DialectAdapter = {
  id: 'tencent',
  label: 'Tencent Cloud KMS',
  auditLabel: 'CloudAudit',
  regions: ['ap-guangzhou', 'ap-shanghai', 'ap-singapore'],
  account: (kms) => kms.tencent.options.uin,
  states: ['PendingImport', 'Enabled', 'Disabled', 'Archived', 'PendingDeletion'],
  stateName: (state: KeyState) => KEY_STATE[state],
  lifecycleActions: {
    describeKey: 'DescribeKey',
    enableKey: 'EnableKey',
    disableKey: 'DisableKey',
    scheduleDeletion: 'ScheduleKeyDeletion',
    cancelDeletion: 'CancelKeyDeletion',
    archiveKey: 'ArchiveKey',
    cancelArchive: 'CancelKeyArchive',
    encrypt: 'Encrypt',
    decrypt: 'Decrypt',
    reEncryptFrom: 'ReEncrypt',
    generateDataKey: 'GenerateDataKey',
    getPublicKey: 'GetPublicKey',
    sign: 'SignByAsymmetricKey',
    verify: 'VerifyByAsymmetricKey',
    encapsulate: 'PostQuantumCryptoEncrypt',
    decapsulate: 'PostQuantumCryptoDecrypt',
    enableRotation: 'EnableKeyRotation',
    disableRotation: 'DisableKeyRotation',
    rotateNow: 'RotateKey',
    importKeyMaterial: 'ImportKeyMaterial',
  },

  createForm(region) {
    const flavour = flavourOf(region);
    const usages = Object.keys(KEY_USAGES).filter((u) => usageOffered(u, flavour));
    return {
      id: 'create',
      action: 'CreateKey',
      blurb:
        (flavour === 'sm' ? 'National-crypto region: ENCRYPT_DECRYPT keys are SM4, SM2 is offered.' : 'FIPS region: ENCRYPT_DECRYPT keys are AES-256.') +
        ' Kyber_AES and Dilithium keys are ML-KEM-768 and ML-DSA-65.',
      group: 'lifecycle',
      fields: [
        { name: 'alias', label: 'Alias', kind: 'text', value: 'sandbox-key', hint: 'Required, unique in the region.' },
        { name: 'usage', label: 'KeyUsage', kind: 'select', options: usages },
        { name: 'type', label: 'Type', kind: 'select', options: ['1', '2'], hint: '1: generated by KMS; 2: EXTERNAL, material imported later.' },
        { name: 'description', label: 'Description', kind: 'text', placeholder: 'what the key is for' },
      ],
      params: (v) => optional({ Alias: v.alias ?? '', KeyUsage: v.usage, ...(v.type === '2' ? { Type: 2 } : {}) }, 'Description', v.description),
      outcome: (out) => ({ summary: [['KeyId', String(out.KeyId)], ['Alias', String(out.Alias)]] }),
    };
  },

  createdKeyId: (output) => (typeof output.KeyId === 'string' ? output.KeyId : undefined),

  keyForms(_kms, key) {
    const postQuantum = postQuantumForms(key);
    const crypto =
      postQuantum.length > 0 ? postQuantum : key.usage === 'ENCRYPT_DECRYPT' && SPEC_PROFILES[key.spec].family === 'symmetric' ? [...symmetricForms(key), ...dataKeyForms(key)] : key.usage === 'SIGN_VERIFY' ? signingForms(key) : [];
    const imports = importable(key)
      ? importForms(key, {
          getParameters: 'GetParametersForImport',
          parametersRequest: withKey(key, { WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
          tokenMember: 'ImportToken',
          publicKeyMember: 'PublicKey',
          importMaterial: 'ImportKeyMaterial',
          importRequest: (wrapped, token) => withKey(key, { ImportToken: token, EncryptedKeyMaterial: wrapped }),
          deleteMaterial: 'DeleteImportedKeyMaterial',
          deleteRequest: withKey(key, {}),
        })
      : [];
    return [...crypto, ...imports, ...lifecycleForms(key)];
  },

  metadata: (kms, key) => keyMetadata(key, { alias: aliasOf(kms, key), flavour: flavourOf(key.realm.region, kms.tencent.options.flavours), now: kms.clock.now() }),

  specName: (key) => tencentKeyUsage(key) ?? key.spec,

  async call(kms, region, action, params) {
    const body = JSON.stringify(params);
    const requestHeaders: Array<[string, string]> = [
      ['Host', HOST],
      ['Content-Type', TENCENT_JSON_CONTENT_TYPE],
      ['X-TC-Action', action],
      ['X-TC-Version', API_VERSION],
      ['X-TC-Region', region],
      ['X-TC-Timestamp', String(Math.floor(kms.clock.now() / 1000))],
      ['User-Agent', USER_AGENT],
      ['Content-Length', String(bytes.utf8(body).length)],
    ];
    const auditFrom = kms.engine.audit.appended;
    const response = await kms.tencent.handle({ headers: Object.fromEntries(requestHeaders), body });
    const text = bytes.fromUtf8(response.body);
    const parsed = jsonParam(text) as { Response?: Record<string, unknown> } | string;
    const inner = typeof parsed === 'object' && parsed !== null ? (parsed.Response ?? {}) : {};
    const error = inner.Error as { Code?: string; Message?: string } | undefined;
    const result: CallResult = {
      action,
      ok: error === undefined,
      request: { startLine: 'POST / HTTP/1.1', headers: requestHeaders, body },
      response: { startLine: `HTTP/1.1 ${response.statusCode} OK`, headers: [...Object.entries(response.headers), ['content-length', String(response.body.length)]], body: text },
      audit: tencentAdapter.auditRecords(kms.engine.audit.since(auditFrom)),
    };
    if (error) result.error = { code: String(error.Code ?? 'InternalError'), message: String(error.Message ?? '') };
    else result.output = inner;
    return result;
  },

  auditTrail: (kms) => kms.tencent.auditEvents(),
  auditRecords: (events) => events.filter(logged).map(toCloudAuditEvent),
};
