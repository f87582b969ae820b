/**
 * AWS KMS in the sandbox: JSON 1.1 requests (`X-Amz-Target: TrentService.<Operation>`) answered by
 * the AWS dialect's own `handle()`, CloudTrail records from its own renderer, KeyMetadata as
 * DescribeKey returns it.
 */
import { AWS_JSON_CONTENT_TYPE } from '../../dialects/aws/dialect.js';
import { toCloudTrail } from '../../dialects/aws/cloudtrail.js';
import { AWS_KEY_SPEC, awsKeyState, keyMetadata } from '../../dialects/aws/metadata.js';
import { KEY_SPECS, SPEC_PROFILES, type KeyInfo, type KeyState } from '../../engine/index.js';
import { bytes } from '../../index.js';
import { base64ToText, jsonParam, numberParam, optional, textToBase64 } from './fields.js';
import { replicaForms } from './aws-replicas.js';
import { keyStoreForms, SANDBOX_XKS } from './aws-key-stores.js';
import { importable, importForms } from './import.js';
import type { ActionForm, CallResult, DialectAdapter, Field, HttpMessage, KeySpecChoice } from './types.js';

const USER_AGENT = 'kms-emulator-sandbox (in-tab)';

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Every key spec the engine has, as AWS names it (AES_256 and SM4 are both SYMMETRIC_DEFAULT). */
const SPECS: KeySpecChoice[] = (() => {
  const seen = new Set<string>();
  const out: KeySpecChoice[] = [];
  for (const spec of KEY_SPECS) {
    const name = AWS_KEY_SPEC[spec];
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ spec: name, usages: SPEC_PROFILES[spec].usages });
  }
  return out;
})();

/** The key usages AWS allows for a spec name (the CreateKey form's second select follows the first). */
function usagesFor(spec: string): readonly string[] {
  return SPECS.find((s) => s.spec === spec)?.usages ?? [];
}

function hostFor(region: string): string {
  return region.startsWith('cn-') ? `kms.${region}.amazonaws.com.cn` : `kms.${region}.amazonaws.com`;
}

/** 20260101T000000Z, as X-Amz-Date carries the time. */
function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const encryptionContext: Field = {
  name: 'context',
  label: 'EncryptionContext (JSON, optional)',
  kind: 'text',
  placeholder: '{"purpose":"demo"}',
};

function algorithms(key: KeyInfo, list: string): string[] {
  const value = keyMetadata(key)[list];
  return Array.isArray(value) ? value.map(String) : [];
}

function withKey(key: KeyInfo, params: Record<string, unknown>): Record<string, unknown> {
  return { KeyId: key.id, ...params };
}

function symmetricForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'encrypt',
      action: 'Encrypt',
      blurb: 'Seal up to 4 KiB under this key.',
      group: 'crypto',
      fields: [{ name: 'plaintext', label: 'Plaintext (text)', kind: 'textarea', value: 'card 4111-1111-1111-1111' }, encryptionContext],
      params: (v) => optional(withKey(key, { Plaintext: textToBase64(v.plaintext ?? '') }), 'EncryptionContext', v.context, jsonParam),
      outcome: (out, v) => ({
        summary: [['CiphertextBlob', String(out.CiphertextBlob)]],
        carry: { decrypt: { ciphertext: String(out.CiphertextBlob), context: v.context ?? '' } },
      }),
    },
    {
      id: 'decrypt',
      action: 'Decrypt',
      blurb: 'Open a ciphertext; the blob names its own key.',
      group: 'crypto',
      fields: [{ name: 'ciphertext', label: 'CiphertextBlob (base64)', kind: 'textarea', placeholder: 'Encrypt first, or paste a blob' }, encryptionContext],
      params: (v) => optional({ CiphertextBlob: (v.ciphertext ?? '').trim() }, 'EncryptionContext', v.context, jsonParam),
      outcome: (out) => ({ summary: [['Plaintext', base64ToText(out.Plaintext) ?? String(out.Plaintext)], ['KeyId', String(out.KeyId)]] }),
    },
    {
      id: 'data-key',
      action: 'GenerateDataKey',
      blurb: 'Envelope encryption: a fresh data key, in the clear and sealed under this key.',
      group: 'crypto',
      fields: [{ name: 'spec', label: 'KeySpec', kind: 'select', options: ['AES_256', 'AES_128'] }, encryptionContext],
      params: (v) => optional(withKey(key, { KeySpec: v.spec }), 'EncryptionContext', v.context, jsonParam),
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

function asymmetricEncryptionForms(key: KeyInfo): ActionForm[] {
  const algs = algorithms(key, 'EncryptionAlgorithms');
  return [
    {
      id: 'encrypt',
      action: 'Encrypt',
      blurb: 'Encrypt to the public key (anyone holding it could do this offline).',
      group: 'crypto',
      fields: [
        { name: 'plaintext', label: 'Plaintext (text)', kind: 'textarea', value: 'hello' },
        { name: 'algorithm', label: 'EncryptionAlgorithm', kind: 'select', options: algs },
      ],
      params: (v) => withKey(key, { Plaintext: textToBase64(v.plaintext ?? ''), EncryptionAlgorithm: v.algorithm }),
      outcome: (out, v) => ({
        summary: [['CiphertextBlob', String(out.CiphertextBlob)]],
        carry: { decrypt: { ciphertext: String(out.CiphertextBlob), algorithm: v.algorithm ?? '' } },
      }),
    },
    {
      id: 'decrypt',
      action: 'Decrypt',
      blurb: 'Decrypt with the private key, which never leaves KMS.',
      group: 'crypto',
      fields: [
        { name: 'ciphertext', label: 'CiphertextBlob (base64)', kind: 'textarea' },
        { name: 'algorithm', label: 'EncryptionAlgorithm', kind: 'select', options: algs },
      ],
      params: (v) => withKey(key, { CiphertextBlob: (v.ciphertext ?? '').trim(), EncryptionAlgorithm: v.algorithm }),
      outcome: (out) => ({ summary: [['Plaintext', base64ToText(out.Plaintext) ?? String(out.Plaintext)]] }),
    },
  ];
}

function signingForms(key: KeyInfo): ActionForm[] {
  const algs = algorithms(key, 'SigningAlgorithms');
  const message: Field = { name: 'message', label: 'Message (text)', kind: 'textarea', value: 'release v1.2.3' };
  const algorithm: Field = { name: 'algorithm', label: 'SigningAlgorithm', kind: 'select', options: algs };
  return [
    {
      id: 'sign',
      action: 'Sign',
      blurb: 'Sign a message (MessageType RAW).',
      group: 'crypto',
      fields: [message, algorithm],
      params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), MessageType: 'RAW', SigningAlgorithm: v.algorithm }),
      outcome: (out, v) => ({
        summary: [['Signature', String(out.Signature)]],
        carry: { verify: { message: v.message ?? '', signature: String(out.Signature), algorithm: v.algorithm ?? '' } },
      }),
    },
    {
      id: 'verify',
      action: 'Verify',
      blurb: 'Check a signature; a wrong one is KMSInvalidSignatureException.',
      group: 'crypto',
      fields: [message, { name: 'signature', label: 'Signature (base64)', kind: 'textarea' }, algorithm],
      params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), MessageType: 'RAW', Signature: (v.signature ?? '').trim(), SigningAlgorithm: v.algorithm }),
      outcome: (out) => ({ summary: [['SignatureValid', String(out.SignatureValid)]] }),
    },
  ];
}

function macForms(key: KeyInfo): ActionForm[] {
  const algs = algorithms(key, 'MacAlgorithms');
  const message: Field = { name: 'message', label: 'Message (text)', kind: 'textarea', value: 'session=42' };
  const algorithm: Field = { name: 'algorithm', label: 'MacAlgorithm', kind: 'select', options: algs };
  return [
    {
      id: 'mac',
      action: 'GenerateMac',
      blurb: 'HMAC of a message.',
      group: 'crypto',
      fields: [message, algorithm],
      params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), MacAlgorithm: v.algorithm }),
      outcome: (out, v) => ({ summary: [['Mac', String(out.Mac)]], carry: { 'verify-mac': { message: v.message ?? '', mac: String(out.Mac), algorithm: v.algorithm ?? '' } } }),
    },
    {
      id: 'verify-mac',
      action: 'VerifyMac',
      blurb: 'Check a MAC; a wrong one is KMSInvalidMacException.',
      group: 'crypto',
      fields: [message, { name: 'mac', label: 'Mac (base64)', kind: 'textarea' }, algorithm],
      params: (v) => withKey(key, { Message: textToBase64(v.message ?? ''), Mac: (v.mac ?? '').trim(), MacAlgorithm: v.algorithm }),
      outcome: (out) => ({ summary: [['MacValid', String(out.MacValid)]] }),
    },
  ];
}

function agreementForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'derive',
      action: 'DeriveSharedSecret',
      blurb: 'ECDH with a peer public key (DER SubjectPublicKeyInfo, base64).',
      group: 'crypto',
      fields: [{ name: 'peer', label: 'PublicKey (base64)', kind: 'textarea', hint: 'GetPublicKey of another key of the same curve gives one.' }],
      params: (v) => withKey(key, { KeyAgreementAlgorithm: 'ECDH', PublicKey: (v.peer ?? '').trim() }),
      outcome: (out) => ({ summary: [['SharedSecret', String(out.SharedSecret)]] }),
    },
  ];
}

function encapsulationForms(key: KeyInfo): ActionForm[] {
  return [
    {
      id: 'encapsulate',
      action: 'Encapsulate',
      blurb: 'ML-KEM: a shared secret and its ciphertext.',
      group: 'crypto',
      fields: [],
      params: () => withKey(key, { KeyEncapsulationAlgorithm: 'ML_KEM' }),
      outcome: (out) => ({
        summary: [['SharedSecret', String(out.SharedSecret)], ['Ciphertext', String(out.Ciphertext)]],
        carry: { decapsulate: { ciphertext: String(out.Ciphertext) } },
      }),
    },
    {
      id: 'decapsulate',
      action: 'Decapsulate',
      blurb: 'Recover the shared secret from its ciphertext.',
      group: 'crypto',
      fields: [{ name: 'ciphertext', label: 'Ciphertext (base64)', kind: 'textarea' }],
      params: (v) => withKey(key, { KeyEncapsulationAlgorithm: 'ML_KEM', Ciphertext: (v.ciphertext ?? '').trim() }),
      outcome: (out) => ({ summary: [['SharedSecret', String(out.SharedSecret)]] }),
    },
  ];
}

function lifecycleForms(key: KeyInfo): ActionForm[] {
  const forms: ActionForm[] = [
    { id: 'enable', action: 'EnableKey', blurb: 'Allow cryptographic use.', group: 'lifecycle', fields: [], params: () => withKey(key, {}) },
    { id: 'disable', action: 'DisableKey', blurb: 'Refuse cryptographic use until enabled.', group: 'lifecycle', fields: [], params: () => withKey(key, {}) },
    {
      id: 'schedule-deletion',
      action: 'ScheduleKeyDeletion',
      blurb: 'Delete after a waiting period of 7–30 days; advance the clock to see it happen.',
      group: 'lifecycle',
      fields: [{ name: 'days', label: 'PendingWindowInDays', kind: 'number', value: '7' }],
      params: (v) => optional(withKey(key, {}), 'PendingWindowInDays', v.days, numberParam),
      outcome: (out) => ({ summary: [['DeletionDate', dateOf(out.DeletionDate)], ['KeyState', String(out.KeyState)]] }),
    },
    { id: 'cancel-deletion', action: 'CancelKeyDeletion', blurb: 'Back from PendingDeletion to Disabled.', group: 'lifecycle', fields: [], params: () => withKey(key, {}) },
  ];
  if (SPEC_PROFILES[key.spec].family === 'symmetric') {
    forms.push(
      {
        id: 'enable-rotation',
        action: 'EnableKeyRotation',
        blurb: 'Rotate the key material automatically (90–2560 days).',
        group: 'lifecycle',
        fields: [{ name: 'days', label: 'RotationPeriodInDays', kind: 'number', value: '90' }],
        params: (v) => optional(withKey(key, {}), 'RotationPeriodInDays', v.days, numberParam),
      },
      { id: 'disable-rotation', action: 'DisableKeyRotation', blurb: 'Stop automatic rotation.', group: 'lifecycle', fields: [], params: () => withKey(key, {}) },
      {
        id: 'rotate-now',
        action: 'RotateKeyOnDemand',
        blurb: 'New key material now; old ciphertexts still decrypt.',
        group: 'lifecycle',
        fields: [],
        params: () => withKey(key, {}),
      },
      {
        id: 'rotation-status',
        action: 'GetKeyRotationStatus',
        blurb: 'Rotation switch, period and next date.',
        group: 'inspect',
        fields: [],
        params: () => withKey(key, {}),
        outcome: (out) => ({
          summary: [
            ['KeyRotationEnabled', String(out.KeyRotationEnabled)],
            ...(out.NextRotationDate !== undefined ? ([['NextRotationDate', dateOf(out.NextRotationDate)]] as Array<[string, string]>) : []),
          ],
        }),
      },
      { id: 'rotations', action: 'ListKeyRotations', blurb: 'Past rotations of this key.', group: 'inspect', fields: [], params: () => withKey(key, {}) },
    );
  }
  forms.push({ id: 'describe', action: 'DescribeKey', blurb: 'The key metadata, as a call (recorded in CloudTrail).', group: 'inspect', fields: [], params: () => withKey(key, {}) });
  return forms;
}

function dateOf(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : String(seconds);
}

function cryptoForms(key: KeyInfo): ActionForm[] {
  const family = SPEC_PROFILES[key.spec].family;
  switch (key.usage) {
    case 'ENCRYPT_DECRYPT':
      return family === 'symmetric' ? symmetricForms(key) : asymmetricEncryptionForms(key);
    case 'SIGN_VERIFY':
      return signingForms(key);
    case 'GENERATE_VERIFY_MAC':
      return macForms(key);
    case 'KEY_AGREEMENT':
      return agreementForms(key);
    case 'ENCAPSULATE_DECAPSULATE':
      return encapsulationForms(key);
  }
}

function publicKeyForm(key: KeyInfo): ActionForm[] {
  if (SPEC_PROFILES[key.spec].family !== 'asymmetric') return [];
  return [
    {
      id: 'public-key',
      action: 'GetPublicKey',
      blurb: 'The public half (DER SubjectPublicKeyInfo).',
      group: 'inspect',
      fields: [],
      params: () => withKey(key, {}),
      outcome: (out) => ({ summary: [['PublicKey', String(out.PublicKey)]], carry: { derive: { peer: String(out.PublicKey) } } }),
    },
  ];
}

function message(headers: Array<[string, string]>, startLine: string, body: string): HttpMessage {
  return { startLine, headers, body };
}

export const awsAdapter: DialectAdapter = {
  id: 'aws',
  label: 'AWS KMS',
  auditLabel: 'CloudTrail',
  regions: ['us-east-1', 'eu-west-1', 'cn-north-1'],
  account: (kms) => kms.aws.options.account,
  states: ['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion'],
  stateName: (state: KeyState) => awsKeyState(state),
  lifecycleActions: {
    describeKey: 'DescribeKey',
    enableKey: 'EnableKey',
    disableKey: 'DisableKey',
    scheduleDeletion: 'ScheduleKeyDeletion',
    cancelDeletion: 'CancelKeyDeletion',
    encrypt: 'Encrypt',
    decrypt: 'Decrypt',
    reEncryptFrom: 'ReEncrypt',
    generateDataKey: 'GenerateDataKey',
    generateDataKeyPair: 'GenerateDataKeyPair',
    getPublicKey: 'GetPublicKey',
    sign: 'Sign',
    verify: 'Verify',
    deriveSharedSecret: 'DeriveSharedSecret',
    generateMac: 'GenerateMac',
    verifyMac: 'VerifyMac',
    encapsulate: 'Encapsulate',
    decapsulate: 'Decapsulate',
    createAlias: 'CreateAlias',
    tagKey: 'TagResource',
    putPolicy: 'PutKeyPolicy',
    enableRotation: 'EnableKeyRotation',
    disableRotation: 'DisableKeyRotation',
    rotateNow: 'RotateKeyOnDemand',
  },

  createForm(region) {
    const china = region.startsWith('cn-');
    return {
      id: 'create',
      action: 'CreateKey',
      blurb: china ? 'China Regions: SYMMETRIC_DEFAULT keys are SM4, and SM2 is available.' : 'SM2 is offered in the China Regions only (pick cn-north-1).',
      group: 'lifecycle',
      fields: [
        { name: 'spec', label: 'KeySpec', kind: 'select', options: SPECS.map((s) => s.spec) },
        { name: 'usage', label: 'KeyUsage', kind: 'select', options: SPECS[0]!.usages, dependsOn: { field: 'spec', options: usagesFor } },
        { name: 'origin', label: 'Origin', kind: 'select', options: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] },
        { name: 'multiRegion', label: 'MultiRegion', kind: 'select', options: ['false', 'true'] },
        { name: 'description', label: 'Description', kind: 'text', placeholder: 'what the key is for' },
        { name: 'store', label: 'CustomKeyStoreId (AWS_CLOUDHSM, EXTERNAL_KEY_STORE)', kind: 'text', placeholder: 'a connected custom key store' },
        { name: 'xksKey', label: 'XksKeyId (EXTERNAL_KEY_STORE)', kind: 'text', value: SANDBOX_XKS.externalKeyId },
      ],
      params: (v) => {
        const params: Record<string, unknown> = { KeySpec: v.spec, KeyUsage: v.usage };
        if (v.origin && v.origin !== 'AWS_KMS') params.Origin = v.origin;
        if (v.origin === 'AWS_CLOUDHSM' || v.origin === 'EXTERNAL_KEY_STORE') params.CustomKeyStoreId = (v.store ?? '').trim();
        if (v.origin === 'EXTERNAL_KEY_STORE') params.XksKeyId = (v.xksKey ?? '').trim();
        if (v.multiRegion === 'true') params.MultiRegion = true;
        return optional(params, 'Description', v.description);
      },
      outcome: (out) => {
        const meta = (out.KeyMetadata ?? {}) as Record<string, unknown>;
        return { summary: [['KeyId', String(meta.KeyId)], ['KeyState', String(meta.KeyState)]] };
      },
    };
  },

  createdKeyId(output) {
    const meta = output.KeyMetadata as Record<string, unknown> | undefined;
    return typeof meta?.KeyId === 'string' ? meta.KeyId : undefined;
  },

  keyForms(_kms, key) {
    const imports = importable(key)
      ? importForms(key, {
          getParameters: 'GetParametersForImport',
          parametersRequest: withKey(key, { WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
          tokenMember: 'ImportToken',
          publicKeyMember: 'PublicKey',
          importMaterial: 'ImportKeyMaterial',
          importRequest: (wrapped, token) => withKey(key, { ImportToken: token, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
          deleteMaterial: 'DeleteImportedKeyMaterial',
          deleteRequest: withKey(key, {}),
        })
      : [];
    return [...cryptoForms(key), ...publicKeyForm(key), ...imports, ...lifecycleForms(key), ...replicaForms(key, awsAdapter.regions), ...keyStoreForms(key)];
  },

  metadata: (kms, key) => keyMetadata(key, kms.engine.keyStoreOf(key)),

  specName: (key) => AWS_KEY_SPEC[key.spec],

  async call(kms, region, action, params) {
    const body = JSON.stringify(params);
    const requestHeaders: Array<[string, string]> = [
      ['Host', hostFor(region)],
      ['Content-Type', AWS_JSON_CONTENT_TYPE],
      ['X-Amz-Target', `TrentService.${action}`],
      ['X-Amz-Date', amzDate(kms.clock.now())],
      ['User-Agent', USER_AGENT],
      ['Content-Length', String(bytes.utf8(body).length)],
    ];
    const auditFrom = kms.engine.audit.appended;
    const response = await kms.aws.handle({ headers: Object.fromEntries(requestHeaders), body }, { region });
    const text = bytes.fromUtf8(response.body);
    const responseHeaders: Array<[string, string]> = [...Object.entries(response.headers), ['content-length', String(response.body.length)]];
    const audit = awsAdapter.auditRecords(kms.engine.audit.since(auditFrom));
    const result: CallResult = {
      action,
      ok: response.statusCode === 200,
      request: message(requestHeaders, 'POST / HTTP/1.1', body),
      response: message(responseHeaders, `HTTP/1.1 ${response.statusCode} ${REASONS[response.statusCode] ?? ''}`.trimEnd(), text),
      audit,
    };
    const parsed = jsonParam(text);
    const out = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    if (result.ok) result.output = out;
    else result.error = { code: String(out.__type ?? 'UnknownError').replace(/^.*#/, ''), message: typeof out.message === 'string' ? out.message : '' };
    return result;
  },

  auditTrail: (kms) => kms.aws.cloudTrail(),
  auditRecords: (events) => events.filter((e) => e.kind === 'service_event' || e.dialect === 'aws').map(toCloudTrail),
};
