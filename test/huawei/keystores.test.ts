/**
 * Dedicated keystores: create/show/list/enable/disable/delete-key-store through the real SDK core
 * over HTTP and in process; keys made in a keystore (create-key's keystore_id) refuse use while it
 * is disabled; every refusal changes nothing; stores survive snapshots and change records.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableStore } from '../../src/server/store.js';
import type { ManualClock } from '../../src/engine/clock.js';
import { MODELS, OPERATIONS, type FieldModel } from '../../src/dialects/huawei/model.generated.js';
import { emulator, expectError, OWNER, GRANTEE, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

/** Every member the response model declares is present with its type (nested models included). */
function expectShape(verb: string, body: Record<string, unknown>): void {
  const model = OPERATIONS[verb]!.response;
  checkModel(model, body, verb);
}
function checkModel(model: string, body: Record<string, unknown>, where: string): void {
  for (const [name, field] of Object.entries(MODELS[model] ?? {})) {
    expect(Object.hasOwn(body, name), `${where}.${name} missing`).toBe(true);
    checkValue(field, body[name], `${where}.${name}`);
  }
}
function checkValue(field: FieldModel, value: unknown, where: string): void {
  switch (field.type) {
    case 'string':
      expect(typeof value, where).toBe('string');
      break;
    case 'integer':
      expect(Number.isInteger(value), where).toBe(true);
      break;
    case 'boolean':
      expect(typeof value, where).toBe('boolean');
      break;
    case 'list':
      expect(Array.isArray(value), where).toBe(true);
      for (const item of value as unknown[]) {
        if (field.of === 'string') expect(typeof item, where).toBe('string');
        else if (field.of && MODELS[field.of]) checkModel(field.of, item as Record<string, unknown>, `${where}[]`);
      }
      break;
    case 'object':
      expect(value !== null && typeof value === 'object', where).toBe(true);
      if (field.of && MODELS[field.of]) checkModel(field.of, value as Record<string, unknown>, where);
      break;
  }
}

const MISSING = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';

describe('Huawei dedicated keystores over HTTP (SDK core)', () => {
  let server: HuaweiServer;
  let owner: SdkClient;
  let other: SdkClient;
  const stores = (c: SdkClient) => ({
    create: (data: Record<string, unknown>) => c.send('POST', '/v1.0/{project_id}/keystores', data),
    show: (id: string) => c.send('GET', `/v1.0/{project_id}/keystores/${id}`),
    list: (query: Record<string, string> = {}) => c.send('GET', '/v1.0/{project_id}/keystores', undefined, query),
    enable: (id: string) => c.send('POST', `/v1.0/{project_id}/keystores/${id}/enable`),
    disable: (id: string) => c.send('POST', `/v1.0/{project_id}/keystores/${id}/disable`),
    remove: (id: string) => c.send('DELETE', `/v1.0/{project_id}/keystores/${id}`),
  });
  /** The engine's state (keys, aliases, stores) without the audit stream: a refusal must leave it as it was. */
  const state = () => {
    const s = server.kms.snapshot();
    return JSON.stringify([s.realms, s.keyStores ?? [], s.seq]);
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

  it('create, show, list, disable, enable and delete answer the model\'s members with their types', async () => {
    const s = stores(owner);
    const created = await s.create({ keystore_alias: 'ks-http-1', hsm_cluster_id: 'cluster-a', hsm_ca_cert: '-----BEGIN CERTIFICATE-----' });
    expect(created.status).toBe(200);
    expectShape('create-key-store', created.body);
    const id = created.body.keystore.keystore_id as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.body.keystore.domain_id).toBe(OWNER.domainId);

    const shown = await s.show(id);
    expect(shown.status).toBe(200);
    expectShape('show-key-store', shown.body);
    expect(shown.body.keystore).toMatchObject({ keystore_id: id, keystore_alias: 'ks-http-1', keystore_type: 'DHSM', hsm_cluster_id: 'cluster-a', cluster_id: 'cluster-a', domain_id: OWNER.domainId });
    expect(shown.body.keystore.create_time).toBe(String(Date.parse('2026-01-01T00:00:00Z')));

    const second = await s.create({ keystore_alias: 'ks-http-2', keystore_type: 'CDMS', cluster_id: 'cdms-1' });
    const listed = await s.list();
    expect(listed.status).toBe(200);
    expectShape('list-key-stores', listed.body);
    expect(listed.body.total).toBe(2);
    expect(listed.body.keystores.map((k: { keystore_id: string }) => k.keystore_id)).toEqual([id, second.body.keystore.keystore_id]);
    const page = await s.list({ limit: '1', offset: '1' });
    expect(page.body.total).toBe(2);
    expect(page.body.keystores.map((k: { keystore_alias: string }) => k.keystore_alias)).toEqual(['ks-http-2']);

    const disabled = await s.disable(id);
    expect(disabled.status).toBe(200);
    expectShape('disable-key-store', disabled.body);
    expect(disabled.body.keystore).toEqual({ keystore_id: id, keystore_state: '3' });
    const enabled = await s.enable(id);
    expectShape('enable-key-store', enabled.body);
    expect(enabled.body.keystore).toEqual({ keystore_id: id, keystore_state: '2' });

    const deleted = await s.remove(second.body.keystore.keystore_id);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await s.list()).body.total).toBe(1);
    // Another account's project sees none of them.
    expect((await stores(other).list()).body).toEqual({ total: 0, keystores: [] });
    expectError(await stores(other).show(id), 400, 'KMS.8003');
  });

  it('documented refusals change nothing: missing or taken alias, bad type, taken cluster, unknown keystore, bad paging', async () => {
    const s = stores(owner);
    const id = (await s.create({ keystore_alias: 'ks-refusals', hsm_cluster_id: 'cluster-r' })).body.keystore.keystore_id as string;
    await refused(() => s.create({}), 400, 'KMS.0204');
    await refused(() => s.create({ keystore_alias: 'ks-refusals' }), 400, 'KMS.0318');
    await refused(() => s.create({ keystore_alias: 'bad alias!' }), 400, 'KMS.0308');
    await refused(() => s.create({ keystore_alias: 'x'.repeat(256) }), 400, 'KMS.0308');
    await refused(() => s.create({ keystore_alias: 'ks-type', keystore_type: 'HSM' }), 400, 'KMS.0308');
    await refused(() => s.create({ keystore_alias: 'ks-cluster', hsm_cluster_id: 'cluster-r' }), 400, 'KMS.0308');
    expect((await s.create({ keystore_alias: '__proto__' })).status).toBe(200);
    await refused(() => s.create({ keystore_alias: '__proto__' }), 400, 'KMS.0318');
    for (const bad of [MISSING, 'not-an-id']) {
      await refused(() => s.show(bad), 400, 'KMS.8003');
      await refused(() => s.enable(bad), 400, 'KMS.8003');
      await refused(() => s.disable(bad), 400, 'KMS.8003');
      await refused(() => s.remove(bad), 400, 'KMS.8003');
    }
    await refused(() => s.list({ limit: '0' }), 400, 'KMS.1601');
    await refused(() => s.list({ limit: 'x' }), 400, 'KMS.1601');
    await refused(() => s.list({ offset: '-1' }), 400, 'KMS.1603');
    expect((await s.show(id)).status).toBe(200);
  });

  it('a disabled keystore\'s keys refuse cryptography and management (KMS.0317) but stay readable; enabling restores them', async () => {
    const s = stores(owner);
    const id = (await s.create({ keystore_alias: 'ks-crypto' })).body.keystore.keystore_id as string;
    const made = await owner.kms('create-key', { key_alias: 'in-store', keystore_id: id });
    expect(made.status).toBe(200);
    const keyId = made.body.key_info.key_id as string;
    const sealed = await owner.kms('encrypt-data', { key_id: keyId, plain_text: 'inside the keystore' });
    expect(sealed.status).toBe(200);
    // The service's own keystore ("0") is the default one: the key is an ordinary key.
    expect((await owner.kms('create-key', { key_alias: 'default-store', keystore_id: '0' })).status).toBe(200);

    await s.disable(id);
    await refused(() => owner.kms('encrypt-data', { key_id: keyId, plain_text: 'x' }), 400, 'KMS.0317');
    await refused(() => owner.kms('decrypt-data', { cipher_text: sealed.body.cipher_text }), 400, 'KMS.0317');
    await refused(() => owner.kms('create-datakey', { key_id: keyId, datakey_length: '256' }), 400, 'KMS.0317');
    await refused(() => owner.kms('disable-key', { key_id: keyId }), 400, 'KMS.0317');
    await refused(() => owner.kms('create-key', { key_alias: 'while-disabled', keystore_id: id }), 400, 'KMS.0317');
    const described = await owner.kms('describe-key', { key_id: keyId });
    expect(described.status).toBe(200);
    expect(described.body.key_info.key_state).toBe('2');
    expect(described.body.key_info.keystore_id).toBe(id);
    const listedKeys = (await owner.kms('list-keys', {})).body.key_details as Array<{ key_id: string; keystore_id: string }>;
    expect(listedKeys.find((k) => k.key_id === keyId)?.keystore_id).toBe(id);
    expect(listedKeys.find((k) => k.key_id !== keyId)?.keystore_id).toBe('0');

    await s.enable(id);
    const opened = await owner.kms('decrypt-data', { cipher_text: sealed.body.cipher_text });
    expect(opened.body.plain_text).toBe('inside the keystore');
  });

  it('keystore keys: no imported material (KMS.0339), no rotation (KMS.0338), an unknown keystore_id KMS.8003', async () => {
    const s = stores(owner);
    const id = (await s.create({ keystore_alias: 'ks-rules' })).body.keystore.keystore_id as string;
    await refused(() => owner.kms('create-key', { key_alias: 'imported', keystore_id: id, origin: 'external' }), 400, 'KMS.0339');
    await refused(() => owner.kms('create-key', { key_alias: 'nowhere', keystore_id: MISSING }), 400, 'KMS.8003');
    const keyId = (await owner.kms('create-key', { key_alias: 'no-rotation', keystore_id: id })).body.key_info.key_id as string;
    await refused(() => owner.kms('enable-key-rotation', { key_id: keyId }), 400, 'KMS.0338');
    await refused(() => owner.kms('rotate-on-demand', { key_id: keyId }), 400, 'KMS.0338');
  });

  it('a keystore that still holds keys is not deleted; once its keys are deleted it is', async () => {
    const s = stores(owner);
    const id = (await s.create({ keystore_alias: 'ks-delete' })).body.keystore.keystore_id as string;
    const keyId = (await owner.kms('create-key', { key_alias: 'held', keystore_id: id })).body.key_info.key_id as string;
    await refused(() => s.remove(id), 400, 'KMS.0308');
    await s.disable(id);
    // A key pending deletion keeps its state in a disabled keystore: its deletion can be cancelled.
    expect((await owner.kms('schedule-key-deletion', { key_id: keyId, pending_days: '7' })).body.key_state).toBe('4');
    expect((await owner.kms('cancel-key-deletion', { key_id: keyId })).body.key_state).toBe('3');
    expect((await owner.kms('schedule-key-deletion', { key_id: keyId, pending_days: '7' })).status).toBe(200);
    await refused(() => s.remove(id), 400, 'KMS.0308');
    (server.kms.clock as ManualClock).advance('8d');
    expectError(await owner.kms('describe-key', { key_id: keyId }), 404, 'KMS.0207');
    expect((await s.remove(id)).status).toBe(200);
    expectError(await s.show(id), 400, 'KMS.8003');
  });
});

describe('Huawei dedicated keystores in process', () => {
  it('stores and their keys survive a snapshot and change records; a disabled store stays disabled', async () => {
    const kms = emulator({ seed: 'keystores' });
    const h = kms.huawei;
    const id = (await h.call('create-key-store', { keystore_alias: 'persisted', hsm_cluster_id: 'c-1' })).keystore.keystore_id as string;
    const keyId = (await h.call('create-key', { key_alias: 'persisted-key', keystore_id: id })).key_info.key_id as string;
    const sealed = (await h.call('encrypt-data', { key_id: keyId, plain_text: 'kept' })).cipher_text as string;

    // Change records: a replica that applies them has the same stores.
    const replica = emulator();
    replica.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    kms.engine.takeChanges();
    await h.call('disable-key-store', { keystore_id: id });
    const second = (await h.call('create-key-store', { keystore_alias: 'second' })).keystore.keystore_id as string;
    await h.call('delete-key-store', { keystore_id: second });
    replica.engine.applyChanges(JSON.parse(JSON.stringify(kms.engine.takeChanges())));
    expect(replica.snapshot().keyStores).toEqual(kms.snapshot().keyStores);

    const restored = emulator();
    restored.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    for (const copy of [restored, replica]) {
      expect((await copy.huawei.call('list-key-stores', {})).keystores.map((k: { keystore_id: string }) => k.keystore_id)).toEqual([id]);
      const refusedUse = await copy.huawei.invoke('decrypt-data', { cipher_text: sealed });
      expect(refusedUse.ok ? undefined : refusedUse.error.code).toBe('KMS.0317');
      await copy.huawei.call('enable-key-store', { keystore_id: id });
      expect((await copy.huawei.call('decrypt-data', { cipher_text: sealed })).plain_text).toBe('kept');
      expect(copy.huawei.internalErrors.recent()).toEqual([]);
    }
  });

  it('a snapshot naming a store twice, or a key of a store it does not hold, is refused', () => {
    const kms = emulator();
    kms.engine.createKeyStore({ realm: { account: 'a', region: 'r' }, principal: { type: 'root', id: 'a' }, requestId: 'x' } as never, { kind: 'DHSM', name: 'one' });
    const snap = JSON.parse(JSON.stringify(kms.snapshot()));
    snap.keyStores.push(snap.keyStores[0]);
    expect(() => emulator().restore(snap)).toThrow(/appears twice/);
    // A key naming a store the snapshot does not hold is refused too.
    kms.engine.createKey({ realm: { account: 'a', region: 'r' }, principal: { type: 'root', id: 'a' }, requestId: 'x' } as never, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED', keyStoreId: snap.keyStores[0].id });
    const orphan = JSON.parse(JSON.stringify(kms.snapshot()));
    delete orphan.keyStores;
    expect(() => emulator().restore(orphan)).toThrow(/names key store/);
  });
});

describe('Huawei keystores and access points in the durable store', () => {
  it('come back from the journal (a crash copy) and from the compacted snapshot after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-keystores-'));
    const crash = mkdtempSync(join(tmpdir(), 'hw-keystores-crash-'));
    try {
      const kms = emulator({ seed: 'durable-keystores' });
      const store = await DurableStore.open(dir, kms.engine);
      const id = (await kms.huawei.call('create-key-store', { keystore_alias: 'durable' })).keystore.keystore_id as string;
      const keyId = (await kms.huawei.call('create-key', { key_alias: 'durable-key', keystore_id: id })).key_info.key_id as string;
      const point = (await kms.huawei.call('create-access-point', { keyspace_id: '5b7c1a2e-3f4d-4e5a-9b8c-7d6e5f4a3b2c', access_point_name: 'durable', type: 3 })).access_point_id as string;
      const pem = (await kms.huawei.call('download-access-point-private-key', { access_point_id: point })).private_key as string;
      await kms.huawei.call('disable-key-store', { keystore_id: id });
      await store.commit();
      await store.settled();
      // What a crash leaves: the journal holds the changes; close() then compacts them into the snapshot.
      cpSync(dir, crash, { recursive: true });
      await store.close();
      for (const [round, path] of [['journal', crash], ['snapshot', dir]] as const) {
        const again = emulator();
        const reopened = await DurableStore.open(path, again.engine);
        expect((await again.huawei.call('show-key-store', { keystore_id: id })).keystore.keystore_alias, round).toBe('durable');
        const use = await again.huawei.invoke('encrypt-data', { key_id: keyId, plain_text: 'x' });
        expect(use.ok ? undefined : use.error.code, round).toBe('KMS.0317');
        expect((await again.huawei.call('download-access-point-private-key', { access_point_id: point })).private_key, round).toBe(pem);
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(crash, { recursive: true, force: true });
    }
  });
});
