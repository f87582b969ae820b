/**
 * Access points of a trusted key space: create/list/enable/disable/delete-access-point and
 * download-access-point-private-key through the real SDK core over HTTP and in process. A Custom
 * access point's private key is a real EC P-256 key (read by Node's crypto and by openssl); every
 * refusal changes nothing; access points survive snapshots and change records.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, OPERATIONS, type FieldModel } from '../../src/dialects/huawei/model.generated.js';
import { emulator, expectError, GRANTEE, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

function checkModel(model: string, body: Record<string, unknown>, where: string): void {
  for (const [name, field] of Object.entries(MODELS[model] ?? {})) {
    expect(Object.hasOwn(body, name), `${where}.${name} missing`).toBe(true);
    checkValue(field, body[name], `${where}.${name}`);
  }
}
function checkValue(field: FieldModel, value: unknown, where: string): void {
  if (field.type === 'string') expect(typeof value, where).toBe('string');
  else if (field.type === 'integer') expect(Number.isInteger(value), where).toBe(true);
  else if (field.type === 'list') {
    expect(Array.isArray(value), where).toBe(true);
    for (const item of value as unknown[]) if (field.of && MODELS[field.of]) checkModel(field.of, item as Record<string, unknown>, `${where}[]`);
  } else if (field.type === 'object') {
    expect(value !== null && typeof value === 'object', where).toBe(true);
    if (field.of && MODELS[field.of]) checkModel(field.of, value as Record<string, unknown>, where);
  }
}
const expectShape = (verb: string, body: Record<string, unknown>) => checkModel(OPERATIONS[verb]!.response, body, verb);

const SPACE = '5b7c1a2e-3f4d-4e5a-9b8c-7d6e5f4a3b2c';
const OTHER_SPACE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('Huawei access points over HTTP (SDK core)', () => {
  let server: HuaweiServer;
  let owner: SdkClient;
  let other: SdkClient;
  const ap = (c: SdkClient) => ({
    create: (data: Record<string, unknown>) => c.send('POST', '/v1.0/{project_id}/kms/access-points', data),
    list: (query: Record<string, string> = {}) => c.send('GET', '/v1.0/{project_id}/kms/access-points', undefined, query),
    enable: (id: string) => c.send('POST', `/v1.0/{project_id}/kms/access-points/${id}/enable`),
    disable: (id: string) => c.send('POST', `/v1.0/{project_id}/kms/access-points/${id}/disable`),
    remove: (id: string) => c.send('DELETE', `/v1.0/{project_id}/kms/access-points/${id}`),
    privateKey: (id: string) => c.send('POST', `/v1.0/{project_id}/kms/access-points/${id}/get-privatekey`),
  });
  const state = () => {
    const s = server.kms.snapshot();
    return JSON.stringify([s.realms, s.accessPoints ?? []]);
  };
  async function refused(call: () => Promise<SdkResult>, status: number, code: string): Promise<void> {
    const before = state();
    expectError(await call(), status, code);
    expect(state()).toBe(before);
  }

  beforeAll(async () => {
    server = await serveHuawei();
    owner = sdkClient(server.url, OWNER);
    other = sdkClient(server.url, GRANTEE);
  });
  afterAll(async () => server.close());

  it('create (201), list by key space with paging, disable, enable, delete answer the model\'s members', async () => {
    const a = ap(owner);
    const custom = await a.create({ keyspace_id: SPACE, access_point_name: 'app-custom', type: 3, description: 'a client' });
    expect(custom.status).toBe(201);
    expectShape('create-access-point', custom.body);
    const ecs = await a.create({ keyspace_id: SPACE, access_point_name: 'app-ecs', type: 1, identity: 'ecs-0001' });
    const cce = await a.create({ keyspace_id: OTHER_SPACE, access_point_name: 'app-cce', type: 2, identity: 'cluster public key', cluster_id: 'cce-1' });
    expect([ecs.status, cce.status]).toEqual([201, 201]);

    const listed = await a.list({ keyspace_id: SPACE });
    expect(listed.status).toBe(200);
    expectShape('list-access-point', listed.body);
    expect(listed.body.page_info).toEqual({ next_marker: '', current_count: 2 });
    expect(listed.body.access_points[0]).toEqual({
      access_point_id: custom.body.access_point_id,
      keyspace_id: SPACE,
      access_point_name: 'app-custom',
      state: 2,
      type: 3,
      created_by: OWNER.userId,
      create_time: String(Date.parse('2026-01-01T00:00:00Z')),
      lsat_modify_time: String(Date.parse('2026-01-01T00:00:00Z')),
    });
    expect((await a.list()).body.access_points).toHaveLength(3);
    const first = await a.list({ limit: '2' });
    expect(first.body.page_info).toEqual({ next_marker: '2', current_count: 2 });
    const rest = await a.list({ limit: '2', marker: first.body.page_info.next_marker });
    expect(rest.body.access_points.map((p: { access_point_name: string }) => p.access_point_name)).toEqual(['app-cce']);

    const id = ecs.body.access_point_id as string;
    expect((await a.disable(id)).body).toEqual({});
    expect((await a.list({ keyspace_id: SPACE })).body.access_points[1].state).toBe(3);
    expect((await a.enable(id)).status).toBe(200);
    expect((await a.list({ keyspace_id: SPACE })).body.access_points[1].state).toBe(2);
    expect((await a.remove(id)).status).toBe(200);
    expect((await a.list({ keyspace_id: SPACE })).body.access_points).toHaveLength(1);
    // Another account sees none of them and reaches none.
    expect((await ap(other).list()).body.access_points).toEqual([]);
    expectError(await ap(other).privateKey(custom.body.access_point_id), 400, 'KMS.0308');
  });

  it('a Custom access point\'s private key is a real EC P-256 key, the same on every download and different per access point', async () => {
    const a = ap(owner);
    const one = (await a.create({ keyspace_id: SPACE, access_point_name: 'signer-1', type: 3 })).body.access_point_id as string;
    const two = (await a.create({ keyspace_id: SPACE, access_point_name: 'signer-2', type: 3 })).body.access_point_id as string;
    const downloaded = await a.privateKey(one);
    expect(downloaded.status).toBe(200);
    expectShape('download-access-point-private-key', downloaded.body);
    expect(downloaded.body.access_point_id).toBe(one);
    const pem = downloaded.body.private_key as string;
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const message = Buffer.from('proof of possession');
    expect(verify('sha256', message, createPublicKey(key), sign('sha256', message, key))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'hw-ap-'));
    writeFileSync(join(dir, 'key.pem'), pem);
    expect(execFileSync('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-check', '-noout'], { encoding: 'utf8' })).toMatch(/valid/i);
    expect((await a.privateKey(one)).body.private_key).toBe(pem);
    expect((await a.privateKey(two)).body.private_key).not.toBe(pem);
  });

  it('documented refusals change nothing', async () => {
    const a = ap(owner);
    const ecs = (await a.create({ keyspace_id: SPACE, access_point_name: 'no-pair', type: 1, identity: 'ecs-9' })).body.access_point_id as string;
    await refused(() => a.create({ access_point_name: 'x', type: 3 }), 400, 'KMS.0204');
    await refused(() => a.create({ keyspace_id: SPACE, type: 3 }), 400, 'KMS.0204');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'x' }), 400, 'KMS.0204');
    await refused(() => a.create({ keyspace_id: 'not-a-uuid', access_point_name: 'x', type: 3 }), 400, 'KMS.0308');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'bad name', type: 3 }), 400, 'KMS.0308');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'x', type: 4 }), 400, 'KMS.0308');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'x', type: 'three' }), 400, 'KMS.0308');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'x', type: 1 }), 400, 'KMS.0204');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'x', type: 2, identity: 'pk' }), 400, 'KMS.0204');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'no-pair', type: 3 }), 400, 'KMS.0308');
    await refused(() => a.create({ keyspace_id: SPACE, access_point_name: 'x', type: 3, description: 'd'.repeat(256) }), 400, 'KMS.0308');
    await refused(() => a.privateKey(ecs), 400, 'KMS.0308');
    for (const missing of ['0d0466b0-e727-4d9c-b35d-f84bb474a37f', '__proto__']) {
      await refused(() => a.enable(missing), 400, 'KMS.0308');
      await refused(() => a.disable(missing), 400, 'KMS.0308');
      await refused(() => a.remove(missing), 400, 'KMS.0308');
      await refused(() => a.privateKey(missing), 400, 'KMS.0308');
    }
    await refused(() => a.list({ limit: '0' }), 400, 'KMS.1601');
    await refused(() => a.list({ marker: 'x' }), 400, 'KMS.1602');
    await refused(() => a.list({ keyspace_id: 'x' }), 400, 'KMS.0308');
  });
});

describe('Huawei access points in process', () => {
  it('survive a snapshot and change records with their key pairs', async () => {
    const kms = emulator({ seed: 'access-points' });
    const h = kms.huawei;
    const replica = emulator();
    replica.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    kms.engine.takeChanges();
    const id = (await h.call('create-access-point', { keyspace_id: SPACE, access_point_name: 'kept', type: 3 })).access_point_id as string;
    const gone = (await h.call('create-access-point', { keyspace_id: SPACE, access_point_name: 'gone', type: 1, identity: 'ecs-1' })).access_point_id as string;
    await h.call('disable-access-point', { access_point_id: id });
    await h.call('delete-access-point', { access_point_id: gone });
    replica.engine.applyChanges(JSON.parse(JSON.stringify(kms.engine.takeChanges())));
    const restored = emulator();
    restored.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    const pem = (await h.call('download-access-point-private-key', { access_point_id: id })).private_key;
    for (const copy of [replica, restored]) {
      const listed = await copy.huawei.call('list-access-point', {});
      expect(listed.access_points.map((p: { access_point_id: string; state: number }) => [p.access_point_id, p.state])).toEqual([[id, 3]]);
      expect((await copy.huawei.call('download-access-point-private-key', { access_point_id: id })).private_key).toBe(pem);
      expect(copy.huawei.internalErrors.recent()).toEqual([]);
    }
    const snap = JSON.parse(JSON.stringify(kms.snapshot()));
    delete snap.accessPoints[0].publicKey;
    expect(() => emulator().restore(snap)).toThrow(/half a key pair/);
  });
});
