/**
 * Huawei cross-region keys through the real SDK core over HTTP: list-support-regions,
 * replicate-key into a project of another region, update-primary-region. The replica (same key id,
 * alias of its own) decrypts what the primary encrypted, called through its own region's project.
 * Every refusal is Huawei's error and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/index.js';
import { MODELS, OPERATIONS } from '../../src/dialects/huawei/model.generated.js';
import { expectError, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

/** The owner's project in cn-east-3 (Shanghai1), with its own access key. */
const EAST = { ...OWNER, ak: 'HPUAOWNEREAST000000003', sk: 'owner-east-secret-key-00000000000000000', projectId: '5a4b3c2d1e0f5a4b3c2d1e0f5a4b3c2d' };
/** A project in ap-southeast-3 (Singapore), where cn-north-4 keys cannot be replicated. */
const SINGAPORE_PROJECT = '7c6b5a4d3e2f1a0b9c8d7e6f5a4b3c2d';

let server: HuaweiServer;
let north: SdkClient;
let east: SdkClient;
let clock: ManualClock;
beforeAll(async () => {
  const credentials = {
    version: 1 as const,
    credentials: [OWNER, EAST].map((who) => ({
      provider: 'huawei' as const,
      accessKey: who.ak,
      secretKey: who.sk,
      account: who.domainId,
      projectId: who.projectId,
      principal: { type: 'user' as const, name: who.userName, id: who.userId },
    })),
  };
  server = await serveHuawei({ credentials, huaweiProjects: { [EAST.projectId]: 'cn-east-3', [SINGAPORE_PROJECT]: 'ap-southeast-3' } });
  north = sdkClient(server.url, OWNER);
  east = sdkClient(server.url, EAST);
  clock = server.kms.clock as ManualClock;
});
afterAll(async () => {
  await server.close();
});

function expectModel(verb: string, result: SdkResult): void {
  expect(result.status).toBe(200);
  for (const [member, field] of Object.entries(MODELS[OPERATIONS[verb]!.response!]!)) {
    const type = field.type === 'list' ? 'object' : field.type === 'integer' ? 'number' : field.type;
    expect(typeof result.body[member], `${verb}.${member}`).toBe(type);
  }
}

const v2 = (client: SdkClient, method: string, path: string, data?: Record<string, unknown>, query?: Record<string, string>) =>
  client.send(method, `/v2/{project_id}/kms/${path}`, data, query);

describe('Huawei replicas', () => {
  it('list-support-regions: the regions the caller\'s region replicates to, paged by offset and limit', async () => {
    const all = await v2(north, 'GET', 'regions');
    expectModel('list-support-regions', all);
    expect(all.body.regions).toEqual(['cn-east-3', 'cn-south-1', 'cn-southwest-2']);
    expect((await v2(north, 'GET', 'regions', undefined, { offset: '1', limit: '1' })).body.regions).toEqual(['cn-south-1']);
    expect((await v2(east, 'GET', 'regions')).body.regions).toEqual(['cn-north-4', 'cn-south-1', 'cn-southwest-2']);
  });

  it('a replica in cn-east-3 decrypts what the primary encrypted; update-primary-region moves the primary', async () => {
    const keyId = (await north.kms('create-key', { key_alias: 'orders' })).body.key_info.key_id as string;
    const sealed = await north.kms('encrypt-data', { key_id: keyId, plain_text: 'ship it', additional_authenticated_data: 'order-7' });
    expect(sealed.status).toBe(200);
    const replicated = await v2(north, 'POST', `keys/${keyId}/replicate`, { key_id: keyId, replica_region: 'cn-east-3', replica_project_id: EAST.projectId, key_alias: 'orders-east', key_description: 'replica', tags: [{ key: 'team', value: 'payments' }] });
    expectModel('replicate-key', replicated);
    expect(replicated.body).toEqual({ key_id: keyId, domain_id: OWNER.domainId, region: 'cn-east-3' });
    clock.advance('5s');
    const replica = (await east.kms('describe-key', { key_id: keyId })).body.key_info;
    expect({ alias: replica.key_alias, state: replica.key_state, description: replica.key_description }).toEqual({ alias: 'orders-east', state: '2', description: 'replica' });
    const shown = await server.kms.huawei.call('show-kms-tags', { key_id: keyId }, { domainId: OWNER.domainId, projectId: EAST.projectId });
    expect(shown.tags).toEqual([{ key: 'team', value: 'payments' }]);
    const opened = await east.kms('decrypt-data', { cipher_text: sealed.body.cipher_text, additional_authenticated_data: 'order-7' });
    expect(opened.status).toBe(200);
    expect(opened.body.plain_text).toBe('ship it');
    // And the other way: the replica's ciphertext opens in the primary's region.
    const back = await east.kms('encrypt-data', { key_id: keyId, plain_text: 'from shanghai' });
    expect((await north.kms('decrypt-data', { cipher_text: back.body.cipher_text })).body.plain_text).toBe('from shanghai');

    const moved = await v2(north, 'PUT', `keys/${keyId}/update-primary-region`, { key_id: keyId, primary_region: 'cn-east-3' });
    expectModel('update-primary-region', moved);
    expect(moved.body).toEqual({ key_id: keyId, primary_region: 'cn-east-3' });
    clock.advance('5s');
    // The old primary is now a replica: it cannot replicate; the new primary can.
    const before = JSON.stringify(server.kms.snapshot().realms);
    expectError(await v2(north, 'POST', `keys/${keyId}/replicate`, { key_id: keyId, replica_region: 'cn-east-3', replica_project_id: EAST.projectId, key_alias: 'again' }), 400, 'KMS.0308');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(before);
  });

  it('refusals are Huawei errors and change nothing', async () => {
    const keyId = (await north.kms('create-key', { key_alias: 'ledger' })).body.key_info.key_id as string;
    await east.kms('create-key', { key_alias: 'taken-east' });
    const replicate = (body: Record<string, unknown>) =>
      v2(north, 'POST', `keys/${keyId}/replicate`, { key_id: keyId, replica_region: 'cn-east-3', replica_project_id: EAST.projectId, key_alias: 'ledger-east', ...body });
    const before = JSON.stringify(server.kms.snapshot().realms);
    expectError(await replicate({ replica_region: 'ap-southeast-3', replica_project_id: SINGAPORE_PROJECT }), 400, 'KMS.0308');
    expectError(await replicate({ replica_region: 'cn-north-4', replica_project_id: OWNER.projectId }), 400, 'KMS.0308');
    expectError(await replicate({ replica_project_id: OWNER.projectId }), 400, 'KMS.0308');
    expectError(await replicate({ key_alias: 'taken-east' }), 400, 'KMS.1104');
    expectError(await replicate({ key_alias: 'bad alias!' }), 400, 'KMS.1101');
    expectError(await replicate({ key_alias: undefined }), 400, 'KMS.0204');
    expectError(await replicate({ tags: [{ key: 'a<b', value: 'v' }] }), 400, 'KMS.0406');
    expectError(await replicate({ tags: [{ key: 'k', value: 'x'.repeat(44) }] }), 400, 'KMS.0410');
    expectError(await replicate({ tags: Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }), 400, 'KMS.0409');
    expectError(await v2(north, 'POST', 'keys/00000000-0000-0000-0000-000000000000/replicate', { key_id: '00000000-0000-0000-0000-000000000000', replica_region: 'cn-east-3', replica_project_id: EAST.projectId, key_alias: 'x' }), 404, 'KMS.0207');
    expectError(await v2(north, 'PUT', `keys/${keyId}/update-primary-region`, { key_id: keyId, primary_region: 'cn-east-3' }), 400, 'KMS.0308');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(before);
    // A second replica in the same region is refused once the first exists.
    expect((await replicate({})).status).toBe(200);
    const after = JSON.stringify(server.kms.snapshot().realms);
    expectError(await replicate({ key_alias: 'ledger-east-2' }), 400, 'KMS.0308');
    expectError(await v2(north, 'PUT', `keys/${keyId}/update-primary-region`, { key_id: keyId, primary_region: 'cn-south-1' }), 404, 'KMS.0207');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(after);
  });
});
