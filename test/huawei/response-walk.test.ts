/**
 * The response walk: every route of the Huawei operations table (HANDLERS) gets one successful call
 * through the real SDK core over HTTP, and its answer is checked against the spec's member list
 * (MODELS[OPERATIONS[verb].response]: each member present with its type, nested models too). Then
 * every CTS trace the walk left is read back through ListTraces and checked against the CTS v3
 * `Traces` model, and each traced route left a trace under its name.
 *
 * To add a route: add its call to WALK. A route of the operations table without a call fails the
 * first test.
 */
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldModel } from '../../src/dialects/huawei/model.generated.js';
import type { ManualClock } from '../../src/index.js';
import { MODELS, OPERATIONS } from '../../src/dialects/huawei/model.generated.js';
import { HANDLERS, RISK_TIPS_VERB } from '../../src/dialects/huawei/operations.js';
import { traceOf } from '../../src/dialects/huawei/cts.js';
import { CTS_MODELS } from './cts-v3-model.generated.js';
import { checkModel } from './model-check.js';
import { dekPlainText, GRANTEE, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

interface Walker {
  owner: SdkClient;
  grantee: SdkClient;
  /** A new key of the owner (AES_256 unless `body` says otherwise); its id. */
  newKey(body?: Record<string, unknown>): Promise<string>;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const digest32 = Buffer.alloc(32, 5).toString('base64');

async function importedKey(w: Walker): Promise<string> {
  const id = await w.newKey({ origin: 'external' });
  const p = await w.owner.kms('get-parameters-for-import', { key_id: id, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
  const wrapped = publicEncrypt(
    { key: createPublicKey({ key: Buffer.from(p.body.public_key, 'base64'), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    randomBytes(32),
  );
  const r = await w.owner.kms('import-key-material', { key_id: id, import_token: p.body.import_token, encrypted_key_material: wrapped.toString('base64') });
  expect(r.status).toBe(200);
  return id;
}

async function grant(w: Walker, id: string, extra: Record<string, unknown> = {}): Promise<string> {
  return (await w.owner.kms('create-grant', { key_id: id, grantee_principal: GRANTEE.userId, operations: ['describe-key', 'encrypt-data'], ...extra })).body.grant_id;
}

/** The key space the walk's key policies and access points belong to (any UUID names one). */
const WALK_SPACE = '6b3c1d2e-0f4a-4b5c-8d6e-7f8091a2b3c4';
/** A project of the owner's domain in cn-east-3 (the server's huaweiProjects), where the walk's replicas go. */
const WALK_EAST_PROJECT = '7a1b2c3d4e5f60718293a4b5c6d7e8f9';
/** An attestation document whose expiry is after the walk's clock (capsule attestations are not verified). */
const WALK_ATTESTATION = { ecs_signature: 'c2ln', custom_signature: 'c2ln', custom_public_key: 'cGs=', expire_time: String(Date.parse('2026-01-02T00:00:00Z')), service_token: 't' };
/** A key policy with every optional member, so that the answers carry every member of their models. */
const WALK_POLICY = JSON.stringify({ version: '1.0', validity_period: { start_time: '1767225600000', end_time: '1798761600000' }, allowed_access_point: ['ap-1'], allowed_data_security_zone: ['zone-1'] });

async function keyPolicy(w: Walker): Promise<string> {
  const r = await w.owner.send('POST', '/v1.0/{project_id}/kms/key-policies', { keyspace_id: WALK_SPACE, policy_name: `walk-${randomBytes(4).toString('hex')}`, policy: WALK_POLICY });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.policy_id;
}

async function keyStore(w: Walker): Promise<string> {
  const r = await w.owner.send('POST', '/v1.0/{project_id}/keystores', { keystore_alias: `walk-${randomBytes(4).toString('hex')}`, hsm_cluster_id: `walk-${randomBytes(4).toString('hex')}` });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.keystore.keystore_id;
}

async function accessPoint(w: Walker): Promise<string> {
  const r = await w.owner.send('POST', '/v1.0/{project_id}/kms/access-points', { keyspace_id: WALK_SPACE, access_point_name: `walk-${randomBytes(4).toString('hex')}`, type: 3 });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.access_point_id;
}

/** One successful call per route (the table is keyed by the operations table's verbs). */
export const WALK: Readonly<Record<string, (w: Walker) => Promise<SdkResult>>> = {
  'create-key': (w) => w.owner.kms('create-key', { key_alias: `walk-${randomBytes(4).toString('hex')}`, key_description: 'walked' }),
  'describe-key': async (w) => w.owner.kms('describe-key', { key_id: await w.newKey() }),
  'list-keys': async (w) => (await w.newKey(), w.owner.kms('list-keys', { limit: '5' })),
  'enable-key': async (w) => {
    const id = await w.newKey();
    await w.owner.kms('disable-key', { key_id: id });
    return w.owner.kms('enable-key', { key_id: id });
  },
  'disable-key': async (w) => w.owner.kms('disable-key', { key_id: await w.newKey() }),
  'schedule-key-deletion': async (w) => w.owner.kms('schedule-key-deletion', { key_id: await w.newKey(), pending_days: '7' }),
  'cancel-key-deletion': async (w) => {
    const id = await w.newKey();
    await w.owner.kms('schedule-key-deletion', { key_id: id, pending_days: '7' });
    return w.owner.kms('cancel-key-deletion', { key_id: id });
  },
  'update-key-alias': async (w) => w.owner.kms('update-key-alias', { key_id: await w.newKey(), key_alias: `renamed-${randomBytes(4).toString('hex')}` }),
  'update-key-description': async (w) => w.owner.kms('update-key-description', { key_id: await w.newKey(), key_description: 'described' }),
  'create-datakey': async (w) => w.owner.kms('create-datakey', { key_id: await w.newKey(), datakey_length: '256' }),
  'create-datakey-without-plaintext': async (w) => w.owner.kms('create-datakey-without-plaintext', { key_id: await w.newKey(), datakey_length: '256' }),
  'encrypt-datakey': async (w) =>
    w.owner.kms('encrypt-datakey', { key_id: await w.newKey(), plain_text: dekPlainText(new Uint8Array(32).fill(3), sha256), datakey_plain_length: '32' }),
  'decrypt-datakey': async (w) => {
    const id = await w.newKey();
    const dk = await w.owner.kms('create-datakey', { key_id: id, datakey_length: '256' });
    return w.owner.kms('decrypt-datakey', { key_id: id, cipher_text: dk.body.cipher_text, datakey_cipher_length: '32' });
  },
  'encrypt-data': async (w) => w.owner.kms('encrypt-data', { key_id: await w.newKey(), plain_text: 'walk' }),
  'decrypt-data': async (w) => {
    const e = await w.owner.kms('encrypt-data', { key_id: await w.newKey(), plain_text: 'walk' });
    return w.owner.kms('decrypt-data', { cipher_text: e.body.cipher_text });
  },
  're-encrypt': async (w) => {
    const e = await w.owner.kms('encrypt-data', { key_id: await w.newKey(), plain_text: 'walk' });
    return w.owner.kms('re-encrypt', { cipher_text: e.body.cipher_text, destination_key_id: await w.newKey() });
  },
  'gen-random': (w) => w.owner.kms('gen-random', { random_data_length: '256' }),
  'create-pin': (w) => w.owner.kms('create-pin', { keystore_id: '1' }),
  'create-grant': async (w) => w.owner.kms('create-grant', { key_id: await w.newKey(), grantee_principal: GRANTEE.userId, operations: ['describe-key'], name: 'walk' }),
  'list-grants': async (w) => {
    const id = await w.newKey();
    await grant(w, id, { retiring_principal: GRANTEE.userId, name: 'listed' });
    return w.owner.kms('list-grants', { key_id: id });
  },
  'list-retirable-grants': async (w) => {
    await grant(w, await w.newKey(), { retiring_principal: GRANTEE.userId });
    return w.grantee.kms('list-retirable-grants', {});
  },
  'retire-grant': async (w) => {
    const id = await w.newKey();
    return w.grantee.kms('retire-grant', { key_id: id, grant_id: await grant(w, id, { retiring_principal: GRANTEE.userId }) });
  },
  'revoke-grant': async (w) => {
    const id = await w.newKey();
    return w.owner.kms('revoke-grant', { key_id: id, grant_id: await grant(w, id) });
  },
  'get-key-rotation-status': async (w) => {
    const id = await w.newKey();
    await w.owner.kms('enable-key-rotation', { key_id: id });
    await w.owner.kms('rotate-on-demand', { key_id: id });
    return w.owner.kms('get-key-rotation-status', { key_id: id });
  },
  'enable-key-rotation': async (w) => w.owner.kms('enable-key-rotation', { key_id: await w.newKey() }),
  'disable-key-rotation': async (w) => {
    const id = await w.newKey();
    await w.owner.kms('enable-key-rotation', { key_id: id });
    return w.owner.kms('disable-key-rotation', { key_id: id });
  },
  'update-key-rotation-interval': async (w) => {
    const id = await w.newKey();
    await w.owner.kms('enable-key-rotation', { key_id: id });
    return w.owner.kms('update-key-rotation-interval', { key_id: id, rotation_interval: 90 });
  },
  'rotate-on-demand': async (w) => w.owner.kms('rotate-on-demand', { key_id: await w.newKey() }),
  'get-parameters-for-import': async (w) => w.owner.kms('get-parameters-for-import', { key_id: await w.newKey({ origin: 'external' }), wrapping_algorithm: 'RSAES_OAEP_SHA_256' }),
  'import-key-material': async (w) => {
    const id = await w.newKey({ origin: 'external' });
    const p = await w.owner.kms('get-parameters-for-import', { key_id: id, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
    const wrapped = publicEncrypt(
      { key: createPublicKey({ key: Buffer.from(p.body.public_key, 'base64'), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      randomBytes(32),
    );
    return w.owner.kms('import-key-material', { key_id: id, import_token: p.body.import_token, encrypted_key_material: wrapped.toString('base64') });
  },
  'delete-imported-key-material': async (w) => w.owner.kms('delete-imported-key-material', { key_id: await importedKey(w) }),
  sign: async (w) => w.owner.kms('sign', { key_id: await w.newKey({ key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY' }), message: digest32, signing_algorithm: 'ECDSA_SHA_256' }),
  verify: async (w) => {
    const id = await w.newKey({ key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY' });
    const s = await w.owner.kms('sign', { key_id: id, message: digest32, signing_algorithm: 'ECDSA_SHA_256' });
    return w.owner.kms('verify', { key_id: id, message: digest32, signature: s.body.signature, signing_algorithm: 'ECDSA_SHA_256' });
  },
  'get-publickey': async (w) => w.owner.kms('get-publickey', { key_id: await w.newKey({ key_spec: 'RSA_2048', key_usage: 'SIGN_VERIFY' }) }),
  'generate-mac': async (w) => w.owner.kms('generate-mac', { key_id: await w.newKey({ key_spec: 'HMAC_256' }), mac_algorithm: 'HMAC_SHA_256', message: b64('walk') }),
  'verify-mac': async (w) => {
    const id = await w.newKey({ key_spec: 'HMAC_256' });
    const g = await w.owner.kms('generate-mac', { key_id: id, mac_algorithm: 'HMAC_SHA_256', message: b64('walk') });
    return w.owner.kms('verify-mac', { key_id: id, mac_algorithm: 'HMAC_SHA_256', message: b64('walk'), mac: g.body.mac });
  },
  'create-rsa-datakey-pair': async (w) => w.owner.kms('create-rsa-datakey-pair', { key_id: await w.newKey(), key_spec: 'RSA_2048' }),
  'create-ec-datakey-pair': async (w) => w.owner.kms('create-ec-datakey-pair', { key_id: await w.newKey(), key_spec: 'ECC_NIST_P256' }),
  'user-instances': (w) => w.owner.send('GET', '/v1.0/{project_id}/kms/user-instances'),
  'user-quotas': (w) => w.owner.send('GET', '/v1.0/{project_id}/kms/user-quotas'),
  'create-kms-tag': async (w) => w.owner.send('POST', `/v1.0/{project_id}/kms/${await w.newKey()}/tags`, { tag: { key: 'env', value: 'walk' } }),
  'delete-tag': async (w) => {
    const id = await w.newKey();
    await w.owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags`, { tag: { key: 'env', value: 'walk' } });
    return w.owner.send('DELETE', `/v1.0/{project_id}/kms/${id}/tags/env`);
  },
  'batch-create-kms-tags': async (w) =>
    w.owner.send('POST', `/v1.0/{project_id}/kms/${await w.newKey()}/tags/action`, { action: 'create', tags: [{ key: 'team', value: 'walk' }] }),
  'show-kms-tags': async (w) => {
    const id = await w.newKey();
    await w.owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags`, { tag: { key: 'env', value: 'walk' } });
    return w.owner.send('GET', `/v1.0/{project_id}/kms/${id}/tags`);
  },
  'list-kms-tags': async (w) => {
    await w.owner.send('POST', `/v1.0/{project_id}/kms/${await w.newKey()}/tags`, { tag: { key: 'env', value: 'walk' } });
    return w.owner.send('GET', '/v1.0/{project_id}/kms/tags');
  },
  'list-kms-by-tags': async (w) => {
    await w.owner.send('POST', `/v1.0/{project_id}/kms/${await w.newKey()}/tags`, { tag: { key: 'found', value: 'yes' } });
    return w.owner.send('POST', '/v1.0/{project_id}/kms/resource_instances/action', { action: 'filter', limit: '10', tags: [{ key: 'found', values: ['yes'] }] });
  },
  'show-versions': (w) => w.owner.send('GET', '/'),
  'show-version': (w) => w.owner.send('GET', '/v1.0'),
  [RISK_TIPS_VERB]: async (w) => {
    const id = await w.newKey();
    await grant(w, id);
    return w.owner.kms(RISK_TIPS_VERB, { key_id: id });
  },
  // Key agreement, data-key capsules, replicas.
  'derive-shared-secret': async (w) => {
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    return w.owner.kms('derive-shared-secret', { key_id: await w.newKey({ key_spec: 'EC_P256', key_usage: 'KEY_AGREEMENT' }), key_agreement_algorithm: 'ECDH', public_key: peer });
  },
  'create-datakey-capsule': async (w) => w.owner.send('POST', '/v1.0/{project_id}/kms/datakey-capsule/create', { key_id: await w.newKey(), datakey_length: 'AES_256' }),
  'decrypt-datakey-capsule': async (w) => {
    const keyId = await w.newKey();
    const made = await w.owner.send('POST', '/v1.0/{project_id}/kms/datakey-capsule/create', { key_id: keyId, datakey_length: 'AES_256' });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    return w.owner.send('POST', '/v1.0/{project_id}/kms/datakey-capsule/decrypt', { key_id: keyId, datakey_capsule: made.body.datakey_capsule, attestation_document: WALK_ATTESTATION });
  },
  'list-support-regions': (w) => w.owner.send('GET', '/v2/{project_id}/kms/regions'),
  'replicate-key': async (w) => {
    const keyId = await w.newKey();
    return w.owner.send('POST', `/v2/{project_id}/kms/keys/${keyId}/replicate`, { key_id: keyId, replica_region: 'cn-east-3', replica_project_id: WALK_EAST_PROJECT, key_alias: `walk-${randomBytes(4).toString('hex')}` });
  },
  'update-primary-region': async (w) => {
    const keyId = await w.newKey();
    const replicated = await w.owner.send('POST', `/v2/{project_id}/kms/keys/${keyId}/replicate`, { key_id: keyId, replica_region: 'cn-east-3', replica_project_id: WALK_EAST_PROJECT, key_alias: `walk-${randomBytes(4).toString('hex')}` });
    expect(replicated.status, JSON.stringify(replicated.body)).toBe(200);
    (server.kms.clock as ManualClock).advance('5s');
    return w.owner.send('PUT', `/v2/{project_id}/kms/keys/${keyId}/update-primary-region`, { key_id: keyId, primary_region: 'cn-east-3' });
  },
  // The alias API (/kms/aliases).
  'create-alias': async (w) => w.owner.send('POST', '/v1.0/{project_id}/kms/aliases', { key_id: await w.newKey(), alias: `alias/walk-${randomBytes(4).toString('hex')}` }),
  'associate-alias': async (w) => {
    const alias = `alias/walk-${randomBytes(4).toString('hex')}`;
    await w.owner.send('POST', '/v1.0/{project_id}/kms/aliases', { key_id: await w.newKey(), alias });
    return w.owner.send('POST', '/v1.0/{project_id}/kms/alias/associate', { alias, target_key_id: await w.newKey() });
  },
  'delete-alias': async (w) => {
    const alias = `alias/walk-${randomBytes(4).toString('hex')}`;
    await w.owner.send('POST', '/v1.0/{project_id}/kms/aliases', { key_id: await w.newKey(), alias });
    const keyId = await w.newKey();
    await w.owner.send('POST', '/v1.0/{project_id}/kms/alias/associate', { alias, target_key_id: keyId });
    return w.owner.send('DELETE', '/v1.0/{project_id}/kms/aliases', { key_id: keyId, aliases: [alias] });
  },
  'list-aliases': async (w) => {
    const keyId = await w.newKey();
    await w.owner.send('POST', '/v1.0/{project_id}/kms/aliases', { key_id: keyId, alias: `alias/walk-${randomBytes(4).toString('hex')}` });
    return w.owner.send('GET', '/v1.0/{project_id}/kms/aliases', undefined, { key_id: keyId });
  },
  // Key policies of a key space.
  'create-key-policy': (w) => w.owner.send('POST', '/v1.0/{project_id}/kms/key-policies', { keyspace_id: WALK_SPACE, policy_name: `walk-${randomBytes(4).toString('hex')}`, policy: WALK_POLICY, description: 'walked' }),
  'show-key-policy': async (w) => w.owner.send('GET', `/v1.0/{project_id}/kms/key-policies/${await keyPolicy(w)}`),
  'list-key-policy': async (w) => (await keyPolicy(w), w.owner.send('GET', '/v1.0/{project_id}/kms/key-policies', undefined, { keyspace_id: WALK_SPACE })),
  'update-key-policy': async (w) => w.owner.send('PUT', `/v1.0/{project_id}/kms/key-policies/${await keyPolicy(w)}`, { policy: WALK_POLICY, description: 'changed' }),
  'delete-key-policy': async (w) => w.owner.send('DELETE', `/v1.0/{project_id}/kms/key-policies/${await keyPolicy(w)}`),
  // Dedicated keystores.
  'create-key-store': (w) => w.owner.send('POST', '/v1.0/{project_id}/keystores', { keystore_alias: `walk-${randomBytes(4).toString('hex')}`, hsm_cluster_id: `walk-${randomBytes(4).toString('hex')}` }),
  'show-key-store': async (w) => w.owner.send('GET', `/v1.0/{project_id}/keystores/${await keyStore(w)}`),
  'list-key-stores': async (w) => (await keyStore(w), w.owner.send('GET', '/v1.0/{project_id}/keystores')),
  'enable-key-store': async (w) => {
    const id = await keyStore(w);
    await w.owner.send('POST', `/v1.0/{project_id}/keystores/${id}/disable`);
    return w.owner.send('POST', `/v1.0/{project_id}/keystores/${id}/enable`);
  },
  'disable-key-store': async (w) => w.owner.send('POST', `/v1.0/{project_id}/keystores/${await keyStore(w)}/disable`),
  'delete-key-store': async (w) => w.owner.send('DELETE', `/v1.0/{project_id}/keystores/${await keyStore(w)}`),
  // Access points of a key space.
  'create-access-point': (w) => w.owner.send('POST', '/v1.0/{project_id}/kms/access-points', { keyspace_id: WALK_SPACE, access_point_name: `walk-${randomBytes(4).toString('hex')}`, type: 3, description: 'walked' }),
  'list-access-point': async (w) => (await accessPoint(w), w.owner.send('GET', '/v1.0/{project_id}/kms/access-points', undefined, { keyspace_id: WALK_SPACE })),
  'enable-access-point': async (w) => {
    const id = await accessPoint(w);
    await w.owner.send('POST', `/v1.0/{project_id}/kms/access-points/${id}/disable`);
    return w.owner.send('POST', `/v1.0/{project_id}/kms/access-points/${id}/enable`);
  },
  'disable-access-point': async (w) => w.owner.send('POST', `/v1.0/{project_id}/kms/access-points/${await accessPoint(w)}/disable`),
  'delete-access-point': async (w) => w.owner.send('DELETE', `/v1.0/{project_id}/kms/access-points/${await accessPoint(w)}`),
  'download-access-point-private-key': async (w) => w.owner.send('POST', `/v1.0/{project_id}/kms/access-points/${await accessPoint(w)}/get-privatekey`),
};

/**
 * delete-key-risk-tips is the emulator's route for the console prompt (no Huawei API, so no spec
 * model): its answer is checked against the shape docs/huawei.md gives it.
 */
const RISK_TIPS_MODEL: Record<string, FieldModel> = {
  key_id: { type: 'string' },
  key_alias: { type: 'string' },
  key_state: { type: 'string' },
  grants: { type: 'list' },
  grant_count: { type: 'integer' },
  bound_resources: { type: 'list' },
  recent_use: { type: 'object', of: 'RiskTipsRecentUse' },
  risk_tips: { type: 'list', of: 'string' },
};
const LOCAL_MODELS = {
  ...MODELS,
  DeleteKeyRiskTipsResponse: RISK_TIPS_MODEL,
  RiskTipsRecentUse: { days: { type: 'integer' }, count: { type: 'integer' }, last_use_time: { type: 'string' } } as Record<string, FieldModel>,
};
/**
 * list-aliases answers one `{aliases, page_info}` object, as Huawei's example shows, where the SDK model
 * wraps a list of them (docs/huawei.md): it is checked against the object's model.
 */
const responseModel = (verb: string) => (verb === RISK_TIPS_VERB ? 'DeleteKeyRiskTipsResponse' : verb === 'list-aliases' ? 'ListAliasResponseBody' : OPERATIONS[verb]!.response);

let server: HuaweiServer;
let walker: Walker;

beforeAll(async () => {
  server = await serveHuawei({ huaweiProjects: { [WALK_EAST_PROJECT]: 'cn-east-3' } });
  const owner = sdkClient(server.url, OWNER);
  const grantee = sdkClient(server.url, GRANTEE);
  walker = {
    owner,
    grantee,
    async newKey(body = {}) {
      const r = await owner.kms('create-key', { key_alias: `walk-${randomBytes(6).toString('hex')}`, ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.key_info.key_id;
    },
  };
});
afterAll(() => server.close());

describe('the response walk', () => {
  it('has a call for every route of the operations table, and none for a route it does not offer', () => {
    expect(Object.keys(HANDLERS).filter((verb) => !Object.hasOwn(WALK, verb))).toEqual([]);
    expect(Object.keys(WALK).filter((verb) => !Object.hasOwn(HANDLERS, verb))).toEqual([]);
  });

  for (const verb of Object.keys(HANDLERS)) {
    it(`${verb}: a successful call answers every member of its response model, with its type`, async () => {
      const call = WALK[verb];
      if (!call) return; // reported by the first test
      const r = await call(walker);
      expect(r.status, JSON.stringify(r.body)).toBe(HANDLERS[verb]!.status ?? 200);
      expect(checkModel(LOCAL_MODELS, responseModel(verb), r.body)).toEqual([]);
    });
  }

  it('every trace the walk left is a CTS v3 Traces record, read back page by page through ListTraces', async () => {
    // A refused call too: its warning trace has the same members.
    const refused = await walker.newKey();
    await walker.owner.kms('enable-key', { key_id: refused });
    const traces: Array<Record<string, unknown>> = [];
    let next = '';
    const to = String(server.kms.clock.now() + 1);
    for (let page = 0; page < 50; page++) {
      const r = await walker.owner.send('GET', '/v3/{project_id}/traces', undefined, { trace_type: 'system', limit: '200', from: '0', to, ...(next ? { next } : {}) });
      expect(r.status).toBe(200);
      expect(checkModel(CTS_MODELS, 'ListTracesResponse', r.body)).toEqual([]);
      traces.push(...r.body.traces);
      next = r.body.meta_data.marker;
      if (next === '') break;
    }
    expect(next).toBe('');
    const problems = traces.flatMap((t) => checkModel(CTS_MODELS, 'Traces', t, String(t.trace_name)));
    expect(problems).toEqual([]);
    expect(traces.find((t) => t.resource_id === refused && t.trace_rating === 'warning')).toMatchObject({ trace_name: 'enableKey', location_info: 'KMS.1201', code: '400' });
    // Nothing beyond the v3 model (the trace-file members event_type, tracker_name, project_id, domain_id are not answered).
    const extra = new Set(traces.flatMap((t) => Object.keys(t).filter((k) => !Object.hasOwn(CTS_MODELS.Traces!, k))));
    expect([...extra]).toEqual([]);
    // Each traced route left a trace under its name.
    const names = new Set(traces.map((t) => t.trace_name));
    const missing = Object.keys(HANDLERS).filter((verb) => traceOf(verb) && !names.has(traceOf(verb)!.traceName));
    expect(missing).toEqual([]);
  });
});
