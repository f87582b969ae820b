/**
 * The alias API (create-alias, associate-alias, delete-alias, list-aliases) over HTTP through the real
 * Huawei SDK core, and in process: response members against the generated model, documented errors
 * (each changing nothing), aliases apart from key_alias, and an alias or its URN as key_id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, type FieldModel } from '../../src/dialects/huawei/model.generated.js';
import { emulator, expectError, failure, GRANTEE, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let server: HuaweiServer;
let owner: SdkClient;
let grantee: SdkClient;
let counter = 0;

beforeAll(async () => {
  server = await serveHuawei();
  owner = sdkClient(server.url, OWNER);
  grantee = sdkClient(server.url, GRANTEE);
});
afterAll(async () => {
  await server.close();
});

async function newKey(body: Record<string, unknown> = {}, client = owner): Promise<string> {
  const r = await client.kms('create-key', { key_alias: `alias-test-${++counter}`, ...body });
  expect(r.status).toBe(200);
  return r.body.key_info.key_id;
}

const post = (path: string, data: Record<string, unknown>, client = owner) => client.send('POST', `/v1.0/{project_id}/kms/${path}`, data);
const del = (data: Record<string, unknown>, client = owner) => client.send('DELETE', '/v1.0/{project_id}/kms/aliases', data);
const list = (query: Record<string, string> = {}, client = owner) => client.send('GET', '/v1.0/{project_id}/kms/aliases', undefined, query);

/** Every member the model declares is present with its type. */
function expectModel(value: Record<string, unknown>, model: string): void {
  const fields: Record<string, FieldModel> = MODELS[model]!;
  expect(fields).toBeDefined();
  for (const [name, field] of Object.entries(fields)) {
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

/** The call fails with `status`/`code` and the state is as before. */
async function refused(call: () => Promise<SdkResult>, status: number, code: string): Promise<void> {
  const before = JSON.stringify(server.kms.snapshot().realms);
  expectError(await call(), status, code);
  expect(JSON.stringify(server.kms.snapshot().realms)).toBe(before);
}

describe('create-alias', () => {
  it('answers 201 with the alias, its URN and ISO times; the key keeps its key_alias', async () => {
    const keyId = await newKey();
    const r = await post('aliases', { key_id: keyId, alias: 'alias/orders' });
    expect(r.status).toBe(201);
    expectModel(r.body, 'CreateAliasResponse');
    expect(r.body).toEqual({
      domain_id: OWNER.domainId,
      key_id: keyId,
      alias: 'alias/orders',
      alias_urn: `kms:cn-north-4:${OWNER.domainId}:alias:orders`,
      create_time: expect.stringMatching(ISO),
      update_time: expect.stringMatching(ISO),
    });
    const d = await owner.kms('describe-key', { key_id: keyId });
    expect(d.body.key_info.key_alias).toBe(`alias-test-${counter}`);
    // A key_alias may be spelled like an alias: the two do not collide.
    const other = await newKey({ key_alias: 'alias/orders' });
    expect((await owner.kms('describe-key', { key_id: other })).body.key_info.key_alias).toBe('alias/orders');
  });

  it('refuses a duplicate (KMS.1104), a bad name (KMS.1101), a /default name, an unknown key (KMS.0207), a bad key id (KMS.0205), a missing field (KMS.0204)', async () => {
    const keyId = await newKey();
    expect((await post('aliases', { key_id: keyId, alias: 'alias/dup' })).status).toBe(201);
    const other = await newKey();
    await refused(() => post('aliases', { key_id: other, alias: 'alias/dup' }), 400, 'KMS.1104');
    for (const alias of ['dup', 'alias/', 'alias/a b', `alias/${'x'.repeat(250)}`, 'alias/obs/default'])
      await refused(() => post('aliases', { key_id: keyId, alias }), 400, 'KMS.1101');
    await refused(() => post('aliases', { key_id: '00000000-0000-4000-8000-000000000000', alias: 'alias/nokey' }), 404, 'KMS.0207');
    await refused(() => post('aliases', { key_id: 'nope', alias: 'alias/nokey' }), 400, 'KMS.0205');
    await refused(() => post('aliases', { key_id: keyId }), 400, 'KMS.0204');
    // Another domain's key is unknown here.
    await refused(() => post('aliases', { key_id: keyId, alias: 'alias/theirs' }, grantee), 404, 'KMS.0207');
  });
});

describe('associate-alias', () => {
  it('moves an alias to another key (of another spec too) and answers the alias', async () => {
    const a = await newKey();
    const b = await newKey({ key_spec: 'EC_P256' });
    await post('aliases', { key_id: a, alias: 'alias/moving' });
    const r = await post('alias/associate', { alias: 'alias/moving', target_key_id: b });
    expect(r.status).toBe(200);
    expectModel(r.body, 'AssociateAliasResponse');
    expect(r.body).toMatchObject({ key_id: b, alias: 'alias/moving', alias_urn: `kms:cn-north-4:${OWNER.domainId}:alias:moving` });
    expect((await list({ key_id: a })).body.aliases).toEqual([]);
    expect((await list({ key_id: b })).body.aliases.map((x: any) => x.alias)).toEqual(['alias/moving']);
  });

  it('refuses an alias that does not exist (KMS.0207), an unknown target (KMS.0207), a bad name (KMS.1101)', async () => {
    const a = await newKey();
    await post('aliases', { key_id: a, alias: 'alias/stay' });
    await refused(() => post('alias/associate', { alias: 'alias/none', target_key_id: a }), 404, 'KMS.0207');
    await refused(() => post('alias/associate', { alias: 'alias/stay', target_key_id: '00000000-0000-4000-8000-000000000000' }), 404, 'KMS.0207');
    await refused(() => post('alias/associate', { alias: 'stay', target_key_id: a }), 400, 'KMS.1101');
    await refused(() => post('alias/associate', { alias: 'alias/stay' }), 400, 'KMS.0204');
  });
});

describe('delete-alias', () => {
  it('deletes the named aliases of the key', async () => {
    const a = await newKey();
    for (const n of ['d1', 'd2', 'd3']) await post('aliases', { key_id: a, alias: `alias/${n}` });
    const r = await del({ key_id: a, aliases: ['alias/d1', 'alias/d3'] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    expect((await list({ key_id: a })).body.aliases.map((x: any) => x.alias)).toEqual(['alias/d2']);
  });

  it('refuses, deleting none, when one alias is unknown or names another key (KMS.0207), an empty list (KMS.0308), a bad name (KMS.1101)', async () => {
    const a = await newKey();
    const b = await newKey();
    await post('aliases', { key_id: a, alias: 'alias/keep1' });
    await post('aliases', { key_id: b, alias: 'alias/keep2' });
    await refused(() => del({ key_id: a, aliases: ['alias/keep1', 'alias/ghost'] }), 404, 'KMS.0207');
    await refused(() => del({ key_id: a, aliases: ['alias/keep1', 'alias/keep2'] }), 404, 'KMS.0207');
    await refused(() => del({ key_id: a, aliases: [] }), 400, 'KMS.0308');
    await refused(() => del({ key_id: a, aliases: ['keep1'] }), 400, 'KMS.1101');
    await refused(() => del({ key_id: a, aliases: 'alias/keep1' }), 400, 'KMS.0308');
    await refused(() => del({ aliases: ['alias/keep1'] }), 400, 'KMS.0204');
  });
});

describe('list-aliases', () => {
  it('lists a key’s aliases, or the project’s, in pages of `limit` with page_info', async () => {
    const a = await newKey();
    for (const n of ['p1', 'p2', 'p3']) await post('aliases', { key_id: a, alias: `alias/${n}` });
    const first = await list({ key_id: a, limit: '2' });
    expect(first.status).toBe(200);
    expectModel(first.body, 'ListAliasResponseBody');
    expect(first.body.aliases.map((x: any) => x.alias)).toEqual(['alias/p1', 'alias/p2']);
    expect(first.body.page_info).toEqual({ next_marker: '2', current_count: 2 });
    const second = await list({ key_id: a, limit: '2', marker: first.body.page_info.next_marker });
    expect(second.body.aliases.map((x: any) => x.alias)).toEqual(['alias/p3']);
    expect(second.body.page_info).toEqual({ next_marker: '', current_count: 1 });
    const all = await list();
    const names = all.body.aliases.map((x: any) => x.alias);
    expect(names).toEqual(expect.arrayContaining(['alias/p1', 'alias/p2', 'alias/p3']));
    // key_alias values are not aliases of this API.
    expect(names.every((n: string) => n.startsWith('alias/'))).toBe(true);
    expect(all.body.aliases.every((x: any) => UUID.test(x.key_id) && x.domain_id === OWNER.domainId)).toBe(true);
    // The other domain sees none of them.
    expect((await list({}, grantee)).body.aliases).toEqual([]);
  });

  it('refuses a bad key id (KMS.0205), an unknown key (KMS.0207), a bad limit (KMS.1601) or marker (KMS.1602)', async () => {
    await refused(() => list({ key_id: 'x' }), 400, 'KMS.0205');
    await refused(() => list({ key_id: '00000000-0000-4000-8000-000000000000' }), 404, 'KMS.0207');
    await refused(() => list({ limit: 'ten' }), 400, 'KMS.1601');
    await refused(() => list({ limit: '0' }), 400, 'KMS.1601');
    await refused(() => list({ marker: '-1' }), 400, 'KMS.1602');
  });
});

describe('an alias or its URN as key_id', () => {
  it('create-datakey, encrypt-datakey, decrypt-datakey, encrypt-data and decrypt-data name the key by alias or URN', async () => {
    const keyId = await newKey();
    await post('aliases', { key_id: keyId, alias: 'alias/crypto' });
    const urn = `kms:cn-north-4:${OWNER.domainId}:alias:crypto`;
    const dk = await owner.kms('create-datakey', { key_id: 'alias/crypto', datakey_length: '256' });
    expect(dk.status).toBe(200);
    expect(dk.body.key_id).toBe(keyId);
    const plain = await owner.kms('decrypt-datakey', { key_id: urn, cipher_text: dk.body.cipher_text, datakey_cipher_length: '32' });
    expect(plain.status).toBe(200);
    expect(plain.body.data_key).toBe(dk.body.plain_text);
    const enc = await owner.kms('encrypt-data', { key_id: urn, plain_text: 'hello' });
    expect(enc.body.key_id).toBe(keyId);
    const dec = await owner.kms('decrypt-data', { key_id: 'alias/crypto', cipher_text: enc.body.cipher_text });
    expect(dec.body.plain_text).toBe('hello');
    expect((await owner.kms('create-datakey-without-plaintext', { key_id: 'alias/crypto', datakey_length: '128' })).body.key_id).toBe(keyId);
  });

  it('an unknown alias, another region’s or domain’s URN is an unknown key (KMS.0207); other verbs keep the key id rule (KMS.0205)', async () => {
    const keyId = await newKey();
    await post('aliases', { key_id: keyId, alias: 'alias/scoped' });
    await refused(() => owner.kms('encrypt-data', { key_id: 'alias/unknown', plain_text: 'x' }), 404, 'KMS.0207');
    await refused(() => owner.kms('encrypt-data', { key_id: `kms:cn-east-3:${OWNER.domainId}:alias:scoped`, plain_text: 'x' }), 404, 'KMS.0207');
    await refused(() => owner.kms('encrypt-data', { key_id: `kms:cn-north-4:${GRANTEE.domainId}:alias:scoped`, plain_text: 'x' }), 404, 'KMS.0207');
    await refused(() => owner.kms('disable-key', { key_id: 'alias/scoped' }), 400, 'KMS.0205');
    // The alias of another domain does not resolve for a caller.
    await refused(() => grantee.kms('encrypt-data', { key_id: 'alias/scoped', plain_text: 'x' }), 404, 'KMS.0207');
  });
});

describe('in process', () => {
  it('hostile inputs are Huawei errors, never exceptions, and change nothing', async () => {
    const kms = emulator();
    const keyId = (await kms.huawei.call('create-key', { key_alias: 'k' })).key_info.key_id;
    await kms.huawei.call('create-alias', { key_id: keyId, alias: 'alias/x' });
    const before = JSON.stringify(kms.snapshot().realms);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['create-alias', { key_id: keyId, alias: '__proto__' }, 'KMS.1101'],
      ['create-alias', { key_id: keyId, alias: { toString: 'alias/x' } }, 'KMS.1101'],
      ['create-alias', { key_id: keyId, alias: 'alias/x' }, 'KMS.1104'],
      ['associate-alias', { alias: 'alias/constructor', target_key_id: keyId }, 'KMS.0207'],
      ['delete-alias', { key_id: keyId, aliases: [1] }, 'KMS.0308'],
      ['delete-alias', { key_id: keyId, aliases: new Array(101).fill('alias/x') }, 'KMS.0308'],
      ['list-aliases', { key_id: ['x'] }, 'KMS.0205'],
      ['list-aliases', { limit: {} }, 'KMS.1601'],
      ['list-aliases', { marker: 1.5 }, 'KMS.1602'],
    ];
    for (const [verb, body, code] of cases) expect((await failure(kms.huawei.call(verb, body))).code, `${verb} ${JSON.stringify(body)}`).toBe(code);
    expect(JSON.stringify(kms.snapshot().realms)).toBe(before);
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });

  it('a key pending deletion takes no new alias (KMS.0210); its aliases go with the key', async () => {
    const kms = emulator();
    const keyId = (await kms.huawei.call('create-key', { key_alias: 'doomed' })).key_info.key_id;
    await kms.huawei.call('create-alias', { key_id: keyId, alias: 'alias/doomed' });
    await kms.huawei.call('schedule-key-deletion', { key_id: keyId, pending_days: '7' });
    expect((await failure(kms.huawei.call('create-alias', { key_id: keyId, alias: 'alias/late' }))).code).toBe('KMS.0210');
    expect((await failure(kms.huawei.call('encrypt-data', { key_id: 'alias/doomed', plain_text: 'x' }))).code).toBe('KMS.0210');
    kms.clock.advance(8 * 86_400_000);
    expect((await kms.huawei.call('list-aliases', {})).aliases).toEqual([]);
    expect((await failure(kms.huawei.call('encrypt-data', { key_id: 'alias/doomed', plain_text: 'x' }))).code).toBe('KMS.0207');
    // The name is free again.
    const next = (await kms.huawei.call('create-key', { key_alias: 'next' })).key_info.key_id;
    expect((await kms.huawei.call('create-alias', { key_id: next, alias: 'alias/doomed' })).key_id).toBe(next);
  });

  it('update-key-alias and aliases of the alias API stay apart; deleting the key’s aliases keeps its key_alias', async () => {
    const kms = emulator();
    const keyId = (await kms.huawei.call('create-key', { key_alias: 'first' })).key_info.key_id;
    await kms.huawei.call('create-alias', { key_id: keyId, alias: 'alias/one' });
    await kms.huawei.call('update-key-alias', { key_id: keyId, key_alias: 'second' });
    expect((await kms.huawei.call('describe-key', { key_id: keyId })).key_info.key_alias).toBe('second');
    await kms.huawei.call('delete-alias', { key_id: keyId, aliases: ['alias/one'] });
    expect((await kms.huawei.call('describe-key', { key_id: keyId })).key_info.key_alias).toBe('second');
    expect((await kms.huawei.call('list-aliases', {})).aliases).toEqual([]);
  });
});
