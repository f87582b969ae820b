/**
 * Data-key capsules through the real Huawei SDK core over HTTP (the emulator's own capsule format,
 * docs/huawei.md): a capsule opens to the data key create returned, its datakey_cipher opens with
 * decrypt-datakey, and every refusal is Huawei's error and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, OPERATIONS } from '../../src/dialects/huawei/model.generated.js';
import { expectError, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

let server: HuaweiServer;
let owner: SdkClient;
beforeAll(async () => {
  server = await serveHuawei();
  owner = sdkClient(server.url, OWNER);
});
afterAll(async () => {
  await server.close();
});

const create = (body: Record<string, unknown>) => owner.send('POST', '/v1.0/{project_id}/kms/datakey-capsule/create', body);
const open = (body: Record<string, unknown>) => owner.send('POST', '/v1.0/{project_id}/kms/datakey-capsule/decrypt', body);
const ATTESTATION = { ecs_signature: 'c2ln', custom_signature: 'c2ln', custom_public_key: 'cGs=', expire_time: String(Date.parse('2026-01-02T00:00:00Z')), service_token: 't' };

function expectModel(verb: string, result: SdkResult): void {
  expect(result.status).toBe(200);
  for (const [member, field] of Object.entries(MODELS[OPERATIONS[verb]!.response!]!)) expect(typeof result.body[member], `${verb}.${member}`).toBe(field.type);
}

describe('data-key capsules', () => {
  for (const [spec, bytes, keySpec] of [['AES_256', 32, 'AES_256'], ['SM4', 16, 'SM4']] as const) {
    it(`${spec} under a ${keySpec} key: the capsule opens to the data key; datakey_cipher opens with decrypt-datakey`, async () => {
      const keyId = (await owner.kms('create-key', { key_alias: `capsule-${spec}`, key_spec: keySpec })).body.key_info.key_id as string;
      const made = await create({ key_id: keyId, datakey_length: spec });
      expectModel('create-datakey-capsule', made);
      expect(made.body.datakey).toMatch(new RegExp(`^[0-9A-F]{${bytes * 2}}$`));
      const opened = await open({ key_id: keyId, datakey_capsule: made.body.datakey_capsule, attestation_document: ATTESTATION });
      expectModel('decrypt-datakey-capsule', opened);
      expect(opened.body.datakey).toBe(made.body.datakey);
      for (const cipher of [made.body.datakey_cipher, opened.body.datakey_cipher]) {
        const plain = await owner.kms('decrypt-datakey', { key_id: keyId, cipher_text: cipher, datakey_cipher_length: String(bytes) });
        expect(plain.status).toBe(200);
        expect(plain.body.data_key).toBe(made.body.datakey);
      }
    });
  }

  it('refusals are Huawei errors and change nothing', async () => {
    const keyId = (await owner.kms('create-key', { key_alias: 'capsule-refusals' })).body.key_info.key_id as string;
    const other = (await owner.kms('create-key', { key_alias: 'capsule-other' })).body.key_info.key_id as string;
    const rsa = (await owner.kms('create-key', { key_alias: 'capsule-rsa', key_spec: 'RSA_2048', key_usage: 'ENCRYPT_DECRYPT' })).body.key_info.key_id as string;
    const capsule = (await create({ key_id: keyId, datakey_length: 'AES_256' })).body.datakey_capsule as string;
    const plainCipher = (await owner.kms('create-datakey', { key_id: keyId })).body.cipher_text as string;
    const before = JSON.stringify(server.kms.snapshot().realms);
    expectError(await create({ key_id: keyId, datakey_length: 'AES_128' }), 400, 'KMS.0308');
    expectError(await create({ key_id: keyId }), 400, 'KMS.0204');
    expectError(await create({ key_id: keyId, datakey_length: 'AES_256', public_key: 'cGs=' }), 400, 'KMS.0308');
    expectError(await create({ key_id: rsa, datakey_length: 'AES_256' }), 400, 'KMS.0325');
    expectError(await create({ key_id: '00000000-0000-0000-0000-000000000000', datakey_length: 'AES_256' }), 404, 'KMS.0207');
    const body = { key_id: keyId, datakey_capsule: capsule, attestation_document: ATTESTATION };
    expectError(await open({ ...body, attestation_document: undefined }), 400, 'KMS.0204');
    expectError(await open({ ...body, key_id: other }), 400, 'KMS.2201');
    expectError(await open({ ...body, datakey_capsule: 'not base64!' }), 400, 'KMS.2201');
    expectError(await open({ ...body, datakey_capsule: Buffer.from(plainCipher, 'hex').toString('base64') }), 400, 'KMS.2201');
    expectError(await owner.kms('decrypt-datakey', { key_id: keyId, cipher_text: Buffer.from(capsule, 'base64').toString('hex').toUpperCase(), datakey_cipher_length: '32' }), 400, 'KMS.2201');
    expectError(await open({ ...body, attestation_document: { ...ATTESTATION, expire_time: String(Date.parse('2025-12-31T00:00:00Z')) } }), 400, 'KMS.3804');
    expectError(await open({ ...body, attestation_document: { ...ATTESTATION, expire_time: 'soon' } }), 400, 'KMS.3804');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(before);
    await owner.kms('disable-key', { key_id: keyId });
    const disabled = JSON.stringify(server.kms.snapshot().realms);
    expectError(await open(body), 400, 'KMS.0209');
    expectError(await create({ key_id: keyId, datakey_length: 'AES_256' }), 400, 'KMS.0209');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(disabled);
  });
});
