/**
 * Key policies (create/show/list/update/delete-key-policy) over HTTP through the real Huawei SDK core
 * and in process: response members against the generated model, the policy grammar, errors that
 * change nothing, and policies surviving a snapshot and a change record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, type FieldModel } from '../../src/dialects/huawei/model.generated.js';
import { emulator, expectError, failure, GRANTEE, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const SPACE = '6b3c1d2e-0f4a-4b5c-8d6e-7f8091a2b3c4';
const OTHER_SPACE = '0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9';
const DOC = { version: '1.0', validity_period: { start_time: '1767225600000', end_time: '1798761600000' }, allowed_access_point: ['ap-1'], allowed_data_security_zone: ['zone-1'] };

let server: HuaweiServer;
let owner: SdkClient;
let grantee: SdkClient;

beforeAll(async () => {
  server = await serveHuawei();
  owner = sdkClient(server.url, OWNER);
  grantee = sdkClient(server.url, GRANTEE);
});
afterAll(async () => {
  await server.close();
});

const create = (data: Record<string, unknown>, client = owner) => client.send('POST', '/v1.0/{project_id}/kms/key-policies', data);
const show = (id: string, client = owner) => client.send('GET', `/v1.0/{project_id}/kms/key-policies/${id}`);
const update = (id: string, data: Record<string, unknown>) => owner.send('PUT', `/v1.0/{project_id}/kms/key-policies/${id}`, data);
const remove = (id: string, client = owner) => client.send('DELETE', `/v1.0/{project_id}/kms/key-policies/${id}`);
const list = (query: Record<string, string> = {}, client = owner) => client.send('GET', '/v1.0/{project_id}/kms/key-policies', undefined, query);

function expectModel(value: Record<string, unknown>, model: string): void {
  const fields: Record<string, FieldModel> = MODELS[model]!;
  expect(fields, model).toBeDefined();
  for (const [name, field] of Object.entries(fields)) {
    // Optional members of the policy document appear when the document has them (DOC has all).
    expect(Object.hasOwn(value, name), `${model}.${name}`).toBe(true);
    const v = value[name];
    if (field.type === 'string') expect(typeof v, `${model}.${name}`).toBe('string');
    else if (field.type === 'integer') expect(Number.isInteger(v), `${model}.${name}`).toBe(true);
    else if (field.type === 'list') {
      expect(Array.isArray(v), `${model}.${name}`).toBe(true);
      if (field.of && field.of !== 'string') for (const item of v as Record<string, unknown>[]) expectModel(item, field.of);
    } else if (field.type === 'object' && field.of) expectModel(v as Record<string, unknown>, field.of);
  }
}

async function refused(call: () => Promise<SdkResult>, status: number, code: string): Promise<void> {
  const before = JSON.stringify(server.kms.snapshot());
  expectError(await call(), status, code);
  const after = server.kms.snapshot();
  const was = JSON.parse(before);
  expect({ ...after, audit: undefined, takenAt: undefined }).toEqual({ ...was, audit: undefined, takenAt: undefined });
}

describe('key policies over HTTP', () => {
  it('create, show, list, update and delete answer the model’s members', async () => {
    const c = await create({ keyspace_id: SPACE, policy_name: 'main', policy: JSON.stringify(DOC), description: 'first' });
    expect(c.status).toBe(200);
    expectModel(c.body, 'CreateKeyPolicyResponse');
    const id = c.body.policy_id;
    expect(id).toMatch(UUID);

    const s = await show(id);
    expect(s.status).toBe(200);
    expectModel(s.body, 'ShowKeyPolicyResponse');
    expect(s.body).toEqual({
      policy_id: id,
      policy_name: 'main',
      keyspace_id: SPACE,
      policy: DOC,
      description: 'first',
      created_by: OWNER.userId,
      create_time: expect.stringMatching(ISO),
      last_modify_time: expect.stringMatching(ISO),
      last_access_time: expect.stringMatching(ISO),
    });

    const l = await list({ keyspace_id: SPACE });
    expect(l.status).toBe(200);
    expectModel(l.body, 'ListKeyPolicyResponse');
    expect(l.body.keyspace_policies).toHaveLength(1);
    expect(l.body.keyspace_policies[0].policy).toEqual({ version: '1.0', validityPeriod: DOC.validity_period, allowedAccessPoint: ['ap-1'], allowed_data_security_zone: ['zone-1'] });
    expect(l.body.page_info).toEqual({ next_marker: '', current_count: 1 });

    const next = { version: '1.0', allowed_access_point: ['ap-2', 'ap-3'] };
    const u = await update(id, { policy: JSON.stringify(next), description: 'second' });
    expect(u.status).toBe(200);
    expect(u.body).toEqual({ policy_id: id, policy: next, description: 'second', last_modify_time: expect.stringMatching(ISO) });
    expect(MODELS.UpdateKeyPolicyResponse).toBeDefined();
    for (const name of Object.keys(MODELS.UpdateKeyPolicyResponse!)) expect(Object.hasOwn(u.body, name), name).toBe(true);
    expect((await show(id)).body.policy).toEqual(next);

    const d = await remove(id);
    expect(d.status).toBe(200);
    expect(d.body).toEqual({});
    expectError(await show(id), 400, 'KMS.0308');
  });

  it('lists by key space, in pages; another domain sees none', async () => {
    const ids: string[] = [];
    for (const name of ['p-a', 'p-b', 'p-c']) ids.push((await create({ keyspace_id: OTHER_SPACE, policy_name: name, policy: '{"version":"1.0"}' })).body.policy_id);
    const first = await list({ keyspace_id: OTHER_SPACE, limit: '2' });
    expect(first.body.keyspace_policies.map((p: any) => p.policy_id)).toEqual(ids.slice(0, 2));
    expect(first.body.page_info).toEqual({ next_marker: '2', current_count: 2 });
    const second = await list({ keyspace_id: OTHER_SPACE, limit: '2', marker: '2' });
    expect(second.body.keyspace_policies.map((p: any) => p.policy_id)).toEqual(ids.slice(2));
    expect((await list({ keyspace_id: OTHER_SPACE }, grantee)).body.keyspace_policies).toEqual([]);
    expectError(await show(ids[0]!, grantee), 400, 'KMS.0308');
    expectError(await remove(ids[0]!, grantee), 400, 'KMS.0308');
  });

  it('refuses bad documents, names, key spaces, ids and duplicates with KMS.0308, missing fields with KMS.0204, changing nothing', async () => {
    const id = (await create({ keyspace_id: SPACE, policy_name: 'taken', policy: '{"version":"1.0"}' })).body.policy_id;
    const base = { keyspace_id: SPACE, policy_name: 'fresh' };
    for (const policy of ['', 'not json', '[]', '{}', '{"version":""}', '{"version":1}', '{"version":"1.0","extra":1}', '{"version":"1.0","allowed_access_point":"ap"}', '{"version":"1.0","allowed_access_point":[1]}', '{"version":"1.0","validity_period":{"start_time":"9","end_time":"1"}}', '{"version":"1.0","validity_period":{"other":"1"}}', '{"version":"1.0","__proto__":{}}', `{"version":"1.0","allowed_access_point":${JSON.stringify(new Array(101).fill('a'))}}`, 'x'.repeat(40_000)])
      await refused(() => create({ ...base, policy }), 400, 'KMS.0308');
    await refused(() => create({ ...base, keyspace_id: 'space', policy: '{"version":"1.0"}' }), 400, 'KMS.0308');
    await refused(() => create({ ...base, policy_name: 'bad name', policy: '{"version":"1.0"}' }), 400, 'KMS.0308');
    await refused(() => create({ ...base, policy_name: 'taken', policy: '{"version":"1.0"}' }), 400, 'KMS.0308');
    await refused(() => create({ ...base, policy: '{"version":"1.0"}', description: 'd'.repeat(256) }), 400, 'KMS.0308');
    await refused(() => create({ keyspace_id: SPACE, policy: '{"version":"1.0"}' }), 400, 'KMS.0204');
    await refused(() => update(id, { policy: '{}' }), 400, 'KMS.0308');
    await refused(() => update(id, {}), 400, 'KMS.0204');
    await refused(() => update('00000000-0000-4000-8000-000000000000', { policy: '{"version":"1.0"}' }), 400, 'KMS.0308');
    await refused(() => show('nope'), 400, 'KMS.0308');
    await refused(() => remove('00000000-0000-4000-8000-000000000000'), 400, 'KMS.0308');
    await refused(() => list({ keyspace_id: 'x' }), 400, 'KMS.0308');
    await refused(() => list({ limit: '0' }), 400, 'KMS.1601');
    await refused(() => list({ marker: 'm' }), 400, 'KMS.1602');
    // The same name in another key space is another policy.
    expect((await create({ keyspace_id: OTHER_SPACE, policy_name: 'taken', policy: '{"version":"1.0"}' })).status).toBe(200);
  });
});

describe('key policies in process', () => {
  it('survive a snapshot and a change record', async () => {
    const kms = emulator();
    kms.engine.takeChanges();
    const { policy_id: id } = await kms.huawei.call('create-key-policy', { keyspace_id: SPACE, policy_name: 'kept', policy: JSON.stringify(DOC) });
    const changes = kms.engine.takeChanges();
    expect(changes?.standalonePolicies).toHaveLength(1);
    const shown = await kms.huawei.call('show-key-policy', { policy_id: id });

    const restored = emulator();
    restored.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    expect(await restored.huawei.call('show-key-policy', { policy_id: id })).toEqual(shown);

    const replayed = emulator();
    replayed.restore(JSON.parse(JSON.stringify(emulator().snapshot())));
    replayed.engine.applyChanges(JSON.parse(JSON.stringify(changes)));
    expect(await replayed.huawei.call('show-key-policy', { policy_id: id })).toEqual(shown);

    await kms.huawei.call('delete-key-policy', { policy_id: id });
    const removal = kms.engine.takeChanges();
    expect(removal?.removedStandalonePolicies).toEqual([{ account: OWNER.domainId, region: 'cn-north-4', id }]);
    replayed.engine.applyChanges(JSON.parse(JSON.stringify(removal)));
    expect((await failure(replayed.huawei.call('show-key-policy', { policy_id: id }))).code).toBe('KMS.0308');
  });

  it('hostile inputs are Huawei errors, never exceptions', async () => {
    const kms = emulator();
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['create-key-policy', { keyspace_id: SPACE, policy_name: 'x', policy: deep.slice(0, 30_000) }],
      ['create-key-policy', { keyspace_id: SPACE, policy_name: 'x', policy: { version: '1.0' } }],
      ['create-key-policy', { keyspace_id: SPACE, policy_name: 'x', policy: '{"version":"1.0","constructor":1}' }],
      ['create-key-policy', { keyspace_id: SPACE, policy_name: 'x', policy: '{"version":"1.0","toString":1}' }],
      ['show-key-policy', { policy_id: { id: 1 } }],
      ['update-key-policy', { policy_id: ['x'], policy: '{"version":"1.0"}' }],
      ['delete-key-policy', {}],
      ['list-key-policy', { keyspace_id: 7 }],
    ];
    const before = JSON.stringify(kms.snapshot().realms);
    for (const [verb, body] of cases) expect((await failure(kms.huawei.call(verb, body))).code, verb).toMatch(/^KMS\.0(308|204)$/);
    expect(JSON.stringify(kms.snapshot().realms)).toBe(before);
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });
});
