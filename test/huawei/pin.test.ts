/**
 * create-pin through the real SDK core over HTTP and in process: a plaintext PIN is random, a
 * ciphertext PIN (the default) is that PIN sealed for the keystore `keystore_id` names (the shared
 * clusters "1" and "2", or a dedicated keystore that exists and is enabled); `seed` reproduces both;
 * every refusal changes nothing and takes nothing from the random source; create-datakey and
 * encrypt-datakey take a PIN.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/engine/types.js';
import { MODELS, OPERATIONS } from '../../src/dialects/huawei/model.generated.js';
import { dekPlainText, emulator, expectError, failure, OWNER, GRANTEE, sdkClient, serveHuawei, type HuaweiServer, type SdkClient, type SdkResult } from './support.js';

const MISSING = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';
const REGION = 'cn-north-4';

function ctxOf(account: string): CallContext {
  return { realm: { account, region: REGION }, principal: { account, type: 'root', id: account }, requestId: 'pin-test' };
}

/** Every member of CreatePinResponse is present with its type. */
function expectShape(body: Record<string, unknown>): void {
  for (const [name, field] of Object.entries(MODELS[OPERATIONS['create-pin']!.response]!)) {
    expect(Object.hasOwn(body, name), name).toBe(true);
    expect(field.type).toBe('string');
    expect(typeof body[name]).toBe('string');
  }
}

describe('Huawei create-pin over HTTP (SDK core)', () => {
  let server: HuaweiServer;
  let owner: SdkClient;
  let other: SdkClient;
  const pin = (c: SdkClient, body: Record<string, unknown>) => c.send('POST', '/v1.0/{project_id}/kms/create-pin', body);
  /** The engine's state and random position: a refusal must leave both as they were. */
  const state = () => {
    const s = server.kms.snapshot();
    return JSON.stringify([s.realms, s.keyStores ?? [], s.seq, server.kms.engine.random.position]);
  };
  async function refused(call: () => Promise<SdkResult>, status: number, code: string): Promise<void> {
    const before = state();
    expectError(await call(), status, code);
    expect(state()).toBe(before);
  }
  function open(account: string, scope: string, hex: string): string | undefined {
    const opened = server.kms.engine.openForKeyStore(ctxOf(account), scope, Buffer.from(hex, 'hex'));
    return opened === undefined ? undefined : Buffer.from(opened).toString('utf8');
  }

  beforeAll(async () => {
    server = await serveHuawei();
    owner = sdkClient(server.url, OWNER);
    other = sdkClient(server.url, GRANTEE);
  });
  afterAll(async () => server.close());

  it('a plaintext PIN is 16 random bytes as hex, a new one each call', async () => {
    const a = await pin(owner, { pin_type: 'PlainText' });
    expect(a.status).toBe(200);
    expectShape(a.body);
    expect(Object.keys(a.body)).toEqual(['pin']);
    expect(a.body.pin).toMatch(/^[0-9A-F]{32}$/);
    const b = await pin(owner, { pin_type: 'PlainText' });
    expect(b.body.pin).not.toBe(a.body.pin);
  });

  it('a ciphertext PIN (the default) is sealed for its shared cluster: only that cluster of that domain opens it', async () => {
    for (const [body, cluster] of [[{ keystore_id: '1' }, '1'], [{ pin_type: 'CipherText', keystore_id: '2' }, '2']] as const) {
      const r = await pin(owner, body);
      expect(r.status).toBe(200);
      expectShape(r.body);
      expect(r.body.pin).toMatch(/^[0-9A-F]{120}$/);
      const plain = open(OWNER.domainId, `shared-cluster:${cluster}`, r.body.pin);
      expect(plain).toMatch(/^[0-9A-F]{32}$/);
      expect(r.body.pin).not.toContain(plain);
      expect(open(OWNER.domainId, `shared-cluster:${cluster === '1' ? '2' : '1'}`, r.body.pin)).toBeUndefined();
      expect(open(GRANTEE.domainId, `shared-cluster:${cluster}`, r.body.pin)).toBeUndefined();
    }
  });

  it('a ciphertext PIN for a dedicated keystore is sealed for that keystore; a disabled one refuses (KMS.0317)', async () => {
    const made = await owner.send('POST', '/v1.0/{project_id}/keystores', { keystore_alias: 'pin-store', hsm_cluster_id: 'pin-cluster' });
    const id = made.body.keystore.keystore_id as string;
    const r = await pin(owner, { keystore_id: id });
    expect(r.status).toBe(200);
    expectShape(r.body);
    expect(open(OWNER.domainId, id, r.body.pin)).toMatch(/^[0-9A-F]{32}$/);
    expect(open(OWNER.domainId, 'shared-cluster:1', r.body.pin)).toBeUndefined();
    // Another domain's project does not see the keystore.
    await refused(() => pin(other, { keystore_id: id }), 400, 'KMS.8003');
    await owner.send('POST', `/v1.0/{project_id}/keystores/${id}/disable`);
    await refused(() => pin(owner, { keystore_id: id }), 400, 'KMS.0317');
    await owner.send('POST', `/v1.0/{project_id}/keystores/${id}/enable`);
    expect((await pin(owner, { keystore_id: id })).status).toBe(200);
  });

  it('documented refusals change nothing and draw no random bytes', async () => {
    await refused(() => pin(owner, {}), 400, 'KMS.0204');
    await refused(() => pin(owner, { pin_type: 'CipherText' }), 400, 'KMS.0204');
    await refused(() => pin(owner, { pin_type: 'Cipher' }), 400, 'KMS.0308');
    await refused(() => pin(owner, { pin_type: 7, keystore_id: '1' }), 400, 'KMS.0308');
    await refused(() => pin(owner, { keystore_id: 1 }), 400, 'KMS.0308');
    for (const id of [MISSING, '0', '3', '', '__proto__', 'x'.repeat(10_000)]) await refused(() => pin(owner, { keystore_id: id }), 400, 'KMS.8003');
    await refused(() => pin(owner, { keystore_id: { toString: 1 } }), 400, 'KMS.0308');
    expect(server.kms.huawei.internalErrors.recent()).toEqual([]);
  });

  it('create-datakey and encrypt-datakey take a PIN and its type; a bad pin_type is KMS.0308 and changes nothing', async () => {
    const keyId = (await owner.kms('create-key', { key_alias: 'pin-key' })).body.key_info.key_id as string;
    const plain = (await pin(owner, { pin_type: 'PlainText' })).body.pin as string;
    const cipher = (await pin(owner, { keystore_id: '2' })).body.pin as string;
    const made = await owner.kms('create-datakey', { key_id: keyId, datakey_length: '256', pin: plain, pin_type: 'PlainText' });
    expect(made.status).toBe(200);
    expect((await owner.kms('create-datakey', { key_id: keyId, datakey_length: '256', pin: cipher })).status).toBe(200);
    const dek = Buffer.from(made.body.plain_text, 'hex');
    const text = dekPlainText(dek, (b) => createHash('sha256').update(b).digest());
    const sealed = await owner.kms('encrypt-datakey', { key_id: keyId, plain_text: text, datakey_plain_length: '32', pin: cipher, pin_type: 'CipherText' });
    expect(sealed.status).toBe(200);
    const opened = await owner.kms('decrypt-datakey', { key_id: keyId, cipher_text: sealed.body.cipher_text, datakey_cipher_length: '32' });
    expect(opened.body.data_key.toLowerCase()).toBe(dek.toString('hex'));
    await refused(() => owner.kms('create-datakey', { key_id: keyId, datakey_length: '256', pin: plain, pin_type: 'Plain' }), 400, 'KMS.0308');
    await refused(() => owner.kms('encrypt-datakey', { key_id: keyId, plain_text: text, datakey_plain_length: '32', pin: plain, pin_type: 'Plain' }), 400, 'KMS.0308');
  });
});

describe('Huawei create-pin in process', () => {
  it('seed reproduces plaintext and ciphertext PINs; a restored snapshot opens what was sealed', async () => {
    const run = async () => {
      const kms = emulator({ seed: 'pins' });
      return { kms, plain: (await kms.huawei.call('create-pin', { pin_type: 'PlainText' })).pin, cipher: (await kms.huawei.call('create-pin', { keystore_id: '1' })).pin };
    };
    const a = await run();
    const b = await run();
    expect(b.plain).toBe(a.plain);
    expect(b.cipher).toBe(a.cipher);
    const restored = emulator();
    restored.restore(a.kms.snapshot());
    const ctx = ctxOf('0a1b2c3d4e5f60718293a4b5c6d7e8f9');
    expect(restored.engine.openForKeyStore(ctx, 'shared-cluster:1', Buffer.from(a.cipher as string, 'hex'))).toBeDefined();
    expect(restored.engine.openForKeyStore(ctx, 'shared-cluster:1', Buffer.from('00'.repeat(60), 'hex'))).toBeUndefined();
  });

  it('a refusal throws the HuaweiError', async () => {
    const kms = emulator();
    expect((await failure(kms.huawei.call('create-pin', {}))).code).toBe('KMS.0204');
  });
});
