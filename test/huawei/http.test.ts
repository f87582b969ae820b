/**
 * Every Huawei KMS route over HTTP, through the real Huawei SDK core signer (SDK-HMAC-SHA256) and
 * HTTP layer, against the local endpoint with credentials: shapes, documented errors, key states,
 * the encrypt-datakey digest rule, grants between two domains, rotation and deletion with the clock,
 * import, signatures that verify with node:crypto and OpenSSL, tags, quotas, version discovery,
 * deleteKeyRiskTips and CTS ListTraces.
 */
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes, verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm3 } from '../../src/crypto/sm3.js';
import type { ManualClock } from '../../src/engine/clock.js';
import { dekPlainText, expectError, GRANTEE, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

let server: HuaweiServer;
let owner: SdkClient;
let grantee: SdkClient;
let clock: ManualClock;
let aliasCounter = 0;

beforeAll(async () => {
  server = await serveHuawei();
  owner = sdkClient(server.url, OWNER);
  grantee = sdkClient(server.url, GRANTEE);
  clock = server.kms.clock as ManualClock;
});
afterAll(async () => {
  await server.close();
});

async function newKey(body: Record<string, unknown> = {}, client = owner): Promise<string> {
  const r = await client.kms('create-key', { key_alias: `key-${++aliasCounter}`, ...body });
  expect(r.status).toBe(200);
  return r.body.key_info.key_id;
}

describe('key lifecycle', () => {
  it('create-key answers key_info with the domain and region; describe-key KeyDetails with strings for numbers', async () => {
    const r = await owner.kms('create-key', { key_alias: 'orders/main', key_description: 'orders' });
    expect(r.status).toBe(200);
    expect(r.requestId).toMatch(UUID);
    expect(r.body.key_info).toEqual({ key_id: expect.stringMatching(UUID), domain_id: OWNER.domainId, region_id: 'cn-north-4' });
    const d = await owner.kms('describe-key', { key_id: r.body.key_info.key_id });
    expect(d.body.key_info).toEqual({
      key_id: r.body.key_info.key_id,
      domain_id: OWNER.domainId,
      key_alias: 'orders/main',
      realm: 'cn-north-4',
      key_spec: 'AES_256',
      key_usage: 'ENCRYPT_DECRYPT',
      key_description: 'orders',
      creation_date: String(clock.now()),
      scheduled_deletion_date: '',
      key_state: '2',
      default_key_flag: '0',
      key_type: '1',
      expiration_time: '',
      origin: 'kms',
      key_rotation_enabled: 'false',
      sys_enterprise_project_id: '0',
      keystore_id: '0',
    });
  });

  it('create-key refuses a taken alias (KMS.1104), a bad alias (KMS.1101), a /default alias, a missing alias (KMS.0204)', async () => {
    await newKey({ key_alias: 'dup' });
    expectError(await owner.kms('create-key', { key_alias: 'dup' }), 400, 'KMS.1104');
    expectError(await owner.kms('create-key', { key_alias: 'bad alias!' }), 400, 'KMS.1101');
    expectError(await owner.kms('create-key', { key_alias: 'obs/default' }), 400, 'KMS.1101');
    expectError(await owner.kms('create-key', {}), 400, 'KMS.0204');
    expectError(await owner.kms('create-key', { key_alias: 'x', key_description: 'd'.repeat(256) }), 400, 'KMS.1103');
  });

  it('enable/disable follow Huawei\'s rules: KMS.1201 for a key not disabled, KMS.1301 for a key not enabled, KMS.0209 for crypto on a disabled key', async () => {
    const id = await newKey();
    expectError(await owner.kms('enable-key', { key_id: id }), 400, 'KMS.1201');
    expect((await owner.kms('disable-key', { key_id: id })).body).toEqual({ key_info: { key_id: id, key_state: '3' } });
    expectError(await owner.kms('disable-key', { key_id: id }), 400, 'KMS.1301');
    expectError(await owner.kms('create-datakey', { key_id: id }), 400, 'KMS.0209');
    expect((await owner.kms('enable-key', { key_id: id })).body).toEqual({ key_info: { key_id: id, key_state: '2' } });
  });

  it('schedule-key-deletion (7–1096 days), KMS.1402 when already pending, cancel returns the key to "3", the clock deletes it', async () => {
    const id = await newKey();
    expectError(await owner.kms('schedule-key-deletion', { key_id: id, pending_days: '6' }), 400, 'KMS.1401');
    expectError(await owner.kms('schedule-key-deletion', { key_id: id, pending_days: '1097' }), 400, 'KMS.1401');
    expect((await owner.kms('schedule-key-deletion', { key_id: id, pending_days: '7' })).body).toEqual({ key_id: id, key_state: '4' });
    expectError(await owner.kms('schedule-key-deletion', { key_id: id, pending_days: '7' }), 400, 'KMS.1402');
    const d = await owner.kms('describe-key', { key_id: id });
    expect(d.body.key_info.scheduled_deletion_date).toBe(String(clock.now() + 7 * 86_400_000));
    expectError(await owner.kms('encrypt-data', { key_id: id, plain_text: 'x' }), 400, 'KMS.0210');
    expect((await owner.kms('cancel-key-deletion', { key_id: id })).body).toEqual({ key_id: id, key_state: '3' });
    expectError(await owner.kms('cancel-key-deletion', { key_id: id }), 400, 'KMS.1501');
    await owner.kms('schedule-key-deletion', { key_id: id, pending_days: '7' });
    clock.advance('7d');
    expectError(await owner.kms('describe-key', { key_id: id }), 404, 'KMS.0207');
  });

  it('update-key-alias and update-key-description', async () => {
    const id = await newKey();
    expect((await owner.kms('update-key-alias', { key_id: id, key_alias: 'renamed' })).body).toEqual({ key_info: { key_id: id, key_alias: 'renamed' } });
    expect((await owner.kms('update-key-description', { key_id: id, key_description: 'new words' })).body).toEqual({
      key_info: { key_id: id, key_description: 'new words' },
    });
    const d = await owner.kms('describe-key', { key_id: id });
    expect(d.body.key_info).toMatchObject({ key_alias: 'renamed', key_description: 'new words' });
    // The old alias is free again.
    expect((await owner.kms('create-key', { key_alias: `key-${aliasCounter}` })).status).toBe(200);
  });

  it('list-keys pages with a numeric marker; truncated and next_marker are strings, total a number; key_spec ALL lists every spec', async () => {
    const first = await owner.kms('list-keys', { limit: '2', key_spec: 'ALL' });
    expect(first.body).toMatchObject({ truncated: 'true', next_marker: '2', total: expect.any(Number) });
    expect(first.body.keys).toHaveLength(2);
    expect(first.body.key_details[0].key_id).toBe(first.body.keys[0]);
    const all = await owner.kms('list-keys', { limit: '1000', key_spec: 'ALL' });
    expect(all.body.truncated).toBe('false');
    expect(all.body.next_marker).toBe('');
    expect(all.body.total).toBe(all.body.keys.length);
    const disabled = await owner.kms('list-keys', { key_state: '3', key_spec: 'ALL' });
    expect(disabled.body.key_details.every((k: { key_state: string }) => k.key_state === '3')).toBe(true);
    expectError(await owner.kms('list-keys', { key_state: '9' }), 400, 'KMS.0308');
    expectError(await owner.kms('list-keys', { limit: '0' }), 400, 'KMS.1601');
    expectError(await owner.kms('list-keys', { marker: '-1' }), 400, 'KMS.1602');
  });

  it('user-instances and user-quotas count the domain\'s keys', async () => {
    const instances = await owner.send('GET', '/v1.0/{project_id}/kms/user-instances');
    expect(instances.body.instance_num).toBeGreaterThan(0);
    const quotas = await owner.send('GET', '/v1.0/{project_id}/kms/user-quotas');
    expect(quotas.body.quotas.resources).toEqual([
      { type: 'CMK', used: instances.body.instance_num, quota: 100 },
      { type: 'grant_per_CMK', used: expect.any(Number), quota: 100 },
    ]);
  });

  it('unknown key KMS.0207 (404), malformed key id KMS.0205, bad JSON KMS.0202, unknown route KMS.0201, wrong method KMS.0215', async () => {
    expectError(await owner.kms('describe-key', { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f' }), 404, 'KMS.0207');
    expectError(await owner.kms('describe-key', { key_id: 'not-a-key' }), 400, 'KMS.0205');
    expectError(await owner.kms('describe-key', { key_id: 5 }), 400, 'KMS.0205');
    expectError(await owner.kms('describe-key', { key_id: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', sequence: 'short' }), 400, 'KMS.0206');
    expectError(await owner.kms('no-such-verb', {}), 400, 'KMS.0201');
    expectError(await owner.send('GET', '/v1.0/{project_id}/kms/create-key'), 405, 'KMS.0215');
  });
});

describe('data keys', () => {
  it('create-datakey: hex plaintext and Huawei-framed hex ciphertext naming the key; decrypt-datakey returns data_key, datakey_length, datakey_dgst', async () => {
    const id = await newKey();
    const r = await owner.kms('create-datakey', { key_id: id, datakey_length: '512' });
    expect(r.body.key_id).toBe(id);
    expect(r.body.plain_text).toMatch(/^[0-9A-F]{128}$/);
    const frame = Buffer.from(r.body.cipher_text, 'hex');
    expect([frame[0], frame[1]]).toEqual([2, 0]);
    const offset = frame.readUInt16LE(2);
    expect(frame.subarray(offset - 36, offset).toString('ascii')).toBe(id);
    expect(frame.subarray(offset, offset + 4)).toEqual(Buffer.alloc(4));
    const d = await owner.kms('decrypt-datakey', { key_id: id, cipher_text: r.body.cipher_text, datakey_cipher_length: '64' });
    expect(d.body).toEqual({
      data_key: r.body.plain_text,
      datakey_length: '64',
      datakey_dgst: Buffer.from(sha256(Buffer.from(r.body.plain_text, 'hex'))).toString('hex').toUpperCase(),
    });
    expectError(await owner.kms('decrypt-datakey', { key_id: id, cipher_text: r.body.cipher_text, datakey_cipher_length: '32' }), 400, 'KMS.2204');
    expectError(await owner.kms('create-datakey', { key_id: id, datakey_length: '12' }), 400, 'KMS.1903');
    expectError(await owner.kms('create-datakey', { key_id: id, datakey_length: '8200' }), 400, 'KMS.1901');
    expectError(await owner.kms('create-datakey', { key_id: id, key_spec: 'AES_512' }), 400, 'KMS.1902');
  });

  it('create-datakey-without-plaintext: only the ciphertext, which decrypts with the same additional_authenticated_data', async () => {
    const id = await newKey();
    const r = await owner.kms('create-datakey-without-plaintext', { key_id: id, key_spec: 'AES_128', additional_authenticated_data: 'ctx' });
    expect(Object.keys(r.body).sort()).toEqual(['cipher_text', 'key_id']);
    const d = await owner.kms('decrypt-datakey', { key_id: id, cipher_text: r.body.cipher_text, datakey_cipher_length: '16', additional_authenticated_data: 'ctx' });
    expect(d.body.datakey_length).toBe('16');
    expectError(await owner.kms('decrypt-datakey', { key_id: id, cipher_text: r.body.cipher_text, datakey_cipher_length: '16' }), 400, 'KMS.2201');
  });

  it('encrypt-datakey takes hex(DEK ‖ SHA-256(DEK)) for AES keys and refuses a wrong digest (KMS.2103) or length (KMS.2104)', async () => {
    const id = await newKey();
    const dek = new Uint8Array(randomBytes(32));
    const r = await owner.kms('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sha256), datakey_plain_length: '32' });
    expect(r.body).toMatchObject({ key_id: id, datakey_length: '32', cipher_text: expect.stringMatching(/^[0-9A-F]+$/) });
    const d = await owner.kms('decrypt-datakey', { key_id: id, cipher_text: r.body.cipher_text, datakey_cipher_length: '32' });
    expect(d.body.data_key).toBe(Buffer.from(dek).toString('hex').toUpperCase());
    expectError(await owner.kms('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sm3), datakey_plain_length: '32' }), 400, 'KMS.2103');
    expectError(await owner.kms('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sha256), datakey_plain_length: '31' }), 400, 'KMS.2104');
    expectError(await owner.kms('encrypt-datakey', { key_id: id, plain_text: 'zz', datakey_plain_length: '1' }), 400, 'KMS.2101');
  });

  it('an SM4 key wants the SM3 digest instead', async () => {
    const id = await newKey({ key_spec: 'SM4' });
    const dek = new Uint8Array(randomBytes(16));
    expectError(await owner.kms('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sha256), datakey_plain_length: '16' }), 400, 'KMS.2103');
    const r = await owner.kms('encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sm3), datakey_plain_length: '16' });
    expect(r.status).toBe(200);
    const d = await owner.kms('decrypt-datakey', { key_id: id, cipher_text: r.body.cipher_text, datakey_cipher_length: '16' });
    expect(d.body.data_key).toBe(Buffer.from(dek).toString('hex').toUpperCase());
  });

  it('data key pairs: create-rsa-datakey-pair and create-ec-datakey-pair; the private key ciphertext decrypts with decrypt-data', async () => {
    const id = await newKey();
    const rsa = await owner.kms('create-rsa-datakey-pair', { key_id: id, key_spec: 'RSA_2048' });
    expect(rsa.body.key_spec).toBe('RSA_2048');
    const pub = createPublicKey({ key: Buffer.from(rsa.body.public_key, 'base64'), format: 'der', type: 'spki' });
    expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const opened = await owner.kms('decrypt-data', { cipher_text: rsa.body.private_key_cipher_text });
    expect(opened.body.plain_text_base64).toBe(rsa.body.private_key_plain_text);
    const ec = await owner.kms('create-ec-datakey-pair', { key_id: id, key_spec: 'ECC_NIST_P256', with_plain_text: false });
    expect(ec.body.private_key_plain_text).toBeUndefined();
    expect(createPublicKey({ key: Buffer.from(ec.body.public_key, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expectError(await owner.kms('create-ec-datakey-pair', { key_id: id, key_spec: 'RSA_2048' }), 400, 'KMS.0308');
  });
});

describe('data encryption', () => {
  it('encrypt-data gives base64 that decrypt-data opens without a key id; additional_authenticated_data and encryption_context are both bound', async () => {
    const id = await newKey();
    const e = await owner.kms('encrypt-data', { key_id: id, plain_text: 'hello 世界', additional_authenticated_data: 'order-7' });
    expect(e.body.key_id).toBe(id);
    expect(Buffer.from(e.body.cipher_text, 'base64').subarray(0, 2)).toEqual(Buffer.from([2, 0]));
    const d = await owner.kms('decrypt-data', { cipher_text: e.body.cipher_text, additional_authenticated_data: 'order-7' });
    expect(d.body).toEqual({ key_id: id, plain_text: 'hello 世界', plain_text_base64: Buffer.from('hello 世界').toString('base64') });
    expectError(await owner.kms('decrypt-data', { cipher_text: e.body.cipher_text, additional_authenticated_data: 'order-8' }), 400, 'KMS.2201');
    const legacy = await owner.kms('encrypt-data', { key_id: id, plain_text: 'old', encryption_context: { app: 'x' } });
    expect((await owner.kms('decrypt-data', { cipher_text: legacy.body.cipher_text, encryption_context: { app: 'x' } })).body.plain_text).toBe('old');
    expectError(await owner.kms('encrypt-data', { key_id: id, plain_text: 'x', encryption_context: 'nope' }), 400, 'KMS.0208');
    expectError(await owner.kms('encrypt-data', { key_id: id, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }), 400, 'KMS.2105');
  });

  it('RSA and SM2 keys encrypt with RSAES_OAEP_SHA_256 / SM2_ENCRYPT; an EC key refuses (KMS.1114); a signing key refuses (KMS.0335)', async () => {
    const rsa = await newKey({ key_spec: 'RSA_2048', key_usage: 'ENCRYPT_DECRYPT' });
    const e = await owner.kms('encrypt-data', { key_id: rsa, plain_text: 'rsa secret', encryption_algorithm: 'RSAES_OAEP_SHA_256' });
    const d = await owner.kms('decrypt-data', { key_id: rsa, cipher_text: e.body.cipher_text, encryption_algorithm: 'RSAES_OAEP_SHA_256' });
    expect(d.body.plain_text).toBe('rsa secret');
    expectError(await owner.kms('encrypt-data', { key_id: rsa, plain_text: 'x' }), 400, 'KMS.2106');
    const sm2 = await newKey({ key_spec: 'SM2', key_usage: 'ENCRYPT_DECRYPT' });
    const s = await owner.kms('encrypt-data', { key_id: sm2, plain_text: 'sm2 secret', encryption_algorithm: 'SM2_ENCRYPT' });
    expect((await owner.kms('decrypt-data', { key_id: sm2, cipher_text: s.body.cipher_text, encryption_algorithm: 'SM2_ENCRYPT' })).body.plain_text).toBe('sm2 secret');
    const ec = await newKey({ key_spec: 'EC_P256' });
    expectError(await owner.kms('encrypt-data', { key_id: ec, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }), 400, 'KMS.1114');
    const signer = await newKey({ key_spec: 'RSA_2048' });
    expectError(await owner.kms('encrypt-data', { key_id: signer, plain_text: 'x', encryption_algorithm: 'RSAES_OAEP_SHA_256' }), 400, 'KMS.0335');
  });

  it('re-encrypt moves a ciphertext to another key (base64 stays base64, a data-key hex stays hex)', async () => {
    const a = await newKey();
    const b = await newKey();
    const e = await owner.kms('encrypt-data', { key_id: a, plain_text: 'move me' });
    const r = await owner.kms('re-encrypt', { cipher_text: e.body.cipher_text, destination_key_id: b, destination_additional_authenticated_data: 'b' });
    expect(r.body).toMatchObject({ key_id: b, source_key_id: a, source_encryption_algorithm: 'SYMMETRIC_DEFAULT', destination_encryption_algorithm: 'SYMMETRIC_DEFAULT' });
    expect((await owner.kms('decrypt-data', { cipher_text: r.body.cipher_text, additional_authenticated_data: 'b' })).body).toMatchObject({ key_id: b, plain_text: 'move me' });
    const dk = await owner.kms('create-datakey', { key_id: a });
    const moved = await owner.kms('re-encrypt', { cipher_text: dk.body.cipher_text, destination_key_id: b, datakey_cipher_length: '32' });
    expect(moved.body.cipher_text).toMatch(/^[0-9A-F]+$/);
    expect((await owner.kms('decrypt-datakey', { key_id: b, cipher_text: moved.body.cipher_text, datakey_cipher_length: '32' })).body.data_key).toBe(dk.body.plain_text);
  });

  it('gen-random: bits a multiple of 8 (KMS.1802), within 8–8192', async () => {
    const r = await owner.kms('gen-random', { random_data_length: '256' });
    expect(r.body.random_data).toMatch(/^[0-9A-F]{64}$/);
    expectError(await owner.kms('gen-random', { random_data_length: '12' }), 400, 'KMS.1802');
    expectError(await owner.kms('gen-random', { random_data_length: '16384' }), 400, 'KMS.1801');
    expectError(await owner.kms('gen-random', {}), 400, 'KMS.0204');
  });
});

describe('signatures and MACs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huawei-openssl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function openssl(pem: string, digest: string, message: Buffer, signature: Buffer, pss: boolean): string {
    writeFileSync(join(dir, 'pub.pem'), pem);
    writeFileSync(join(dir, 'msg'), message);
    writeFileSync(join(dir, 'sig'), signature);
    const args = ['dgst', `-${digest}`, '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig')];
    if (pss) args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:-1');
    return execFileSync('openssl', [...args, join(dir, 'msg')], { encoding: 'utf8' }).trim();
  }

  it('RSA PSS and PKCS#1 v1.5 signatures over a DIGEST verify with node:crypto and OpenSSL; verify answers signature_valid as a string', async () => {
    const id = await newKey({ key_spec: 'RSA_2048' });
    const pem = (await owner.kms('get-publickey', { key_id: id })).body.public_key as string;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\r\n/);
    const message = Buffer.from('signed by the emulator');
    const digest = createHash('sha256').update(message).digest();
    for (const [algorithm, pss] of [['RSASSA_PSS_SHA_256', true], ['RSASSA_PKCS1_V1_5_SHA_256', false]] as const) {
      const s = await owner.kms('sign', { key_id: id, message: digest.toString('base64'), signing_algorithm: algorithm });
      const signature = Buffer.from(s.body.signature, 'base64');
      const key = createPublicKey(pem);
      expect(nodeVerify('sha256', message, pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO } : key, signature)).toBe(true);
      expect(openssl(pem, 'sha256', message, signature, pss)).toBe('Verified OK');
      const v = await owner.kms('verify', { key_id: id, message: digest.toString('base64'), signature: s.body.signature, signing_algorithm: algorithm });
      expect(v.body).toEqual({ key_id: id, signature_valid: 'true' });
      const bad = await owner.kms('verify', { key_id: id, message: Buffer.alloc(32).toString('base64'), signature: s.body.signature, signing_algorithm: algorithm });
      expect(bad.body.signature_valid).toBe('false');
    }
    expectError(await owner.kms('sign', { key_id: id, message: Buffer.alloc(20).toString('base64'), signing_algorithm: 'RSASSA_PSS_SHA_256' }), 400, 'KMS.0329');
    expectError(await owner.kms('sign', { key_id: id, message: digest.toString('base64'), signing_algorithm: 'ECDSA_SHA_256' }), 400, 'KMS.0332');
  });

  it('ECDSA P-256 and P-384 over RAW messages verify with OpenSSL; a symmetric key refuses to sign (KMS.1115)', async () => {
    for (const [spec, algorithm, digest] of [['EC_P256', 'ECDSA_SHA_256', 'sha256'], ['EC_P384', 'ECDSA_SHA_384', 'sha384']] as const) {
      const id = await newKey({ key_spec: spec });
      const pem = (await owner.kms('get-publickey', { key_id: id })).body.public_key as string;
      const message = Buffer.from(`raw message for ${spec}`);
      const s = await owner.kms('sign', { key_id: id, message: message.toString('base64'), signing_algorithm: algorithm, message_type: 'RAW' });
      const signature = Buffer.from(s.body.signature, 'base64');
      expect(nodeVerify(digest, message, createPublicKey(pem), signature)).toBe(true);
      expect(openssl(pem, digest, message, signature, false)).toBe('Verified OK');
    }
    const sym = await newKey();
    expectError(await owner.kms('sign', { key_id: sym, message: 'AA==', signing_algorithm: 'ECDSA_SHA_256' }), 400, 'KMS.1115');
    expectError(await owner.kms('get-publickey', { key_id: sym }), 400, 'KMS.0331');
  });

  it('SECP256K1 and SM2 keys sign; node:crypto checks the secp256k1 signature, the emulator verifies SM2DSA_SM3', async () => {
    const k1 = await newKey({ key_spec: 'SECP256K1' });
    const message = Buffer.from('bitcoin-style');
    const s = await owner.kms('sign', { key_id: k1, message: message.toString('base64'), signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW' });
    const pem = (await owner.kms('get-publickey', { key_id: k1 })).body.public_key as string;
    expect(nodeVerify('sha256', message, createPublicKey(pem), Buffer.from(s.body.signature, 'base64'))).toBe(true);
    const sm2 = await newKey({ key_spec: 'SM2' });
    const sig = await owner.kms('sign', { key_id: sm2, message: message.toString('base64'), signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW' });
    const v = await owner.kms('verify', { key_id: sm2, message: message.toString('base64'), signature: sig.body.signature, signing_algorithm: 'SM2DSA_SM3', message_type: 'RAW' });
    expect(v.body.signature_valid).toBe('true');
  });

  it('generate-mac / verify-mac with an HMAC key; node:crypto cannot forge what the emulator accepts', async () => {
    const id = await newKey({ key_spec: 'HMAC_256' });
    const message = Buffer.from('mac me').toString('base64');
    const g = await owner.kms('generate-mac', { key_id: id, mac_algorithm: 'HMAC_SHA_256', message });
    expect(g.body).toMatchObject({ key_id: id, mac_algorithm: 'HMAC_SHA_256' });
    expect(Buffer.from(g.body.mac, 'base64')).toHaveLength(32);
    expect((await owner.kms('verify-mac', { key_id: id, mac_algorithm: 'HMAC_SHA_256', message, mac: g.body.mac })).body.mac_valid).toBe(true);
    expect((await owner.kms('verify-mac', { key_id: id, mac_algorithm: 'HMAC_SHA_256', message, mac: Buffer.alloc(32).toString('base64') })).body.mac_valid).toBe(false);
    expectError(await owner.kms('generate-mac', { key_id: id, mac_algorithm: 'HMAC_SHA_512', message }), 400, 'KMS.0308');
  });
});

describe('rotation', () => {
  it('enable, interval 30–365, status, rotation with the clock, on demand, disable; KMS.2901 / KMS.0313 for the wrong state', async () => {
    const id = await newKey();
    expectError(await owner.kms('disable-key-rotation', { key_id: id }), 400, 'KMS.0313');
    expect((await owner.kms('enable-key-rotation', { key_id: id })).body).toEqual({});
    expectError(await owner.kms('enable-key-rotation', { key_id: id }), 400, 'KMS.2901');
    expectError(await owner.kms('update-key-rotation-interval', { key_id: id, rotation_interval: 29 }), 400, 'KMS.3001');
    expect((await owner.kms('update-key-rotation-interval', { key_id: id, rotation_interval: 30 })).body).toEqual({});
    const e = await owner.kms('encrypt-data', { key_id: id, plain_text: 'before rotation' });
    clock.advance('30d');
    const status = await owner.kms('get-key-rotation-status', { key_id: id });
    expect(status.body).toEqual({
      key_rotation_enabled: true,
      rotation_interval: 30,
      last_rotation_time: String(clock.now()),
      number_of_rotations: 1,
      key_materials: [
        { material_id: expect.stringMatching(UUID), charge_id: '', create_time: expect.stringMatching(/^\d{13}$/), expiration_time: '', state: 2 },
        { material_id: expect.stringMatching(UUID), charge_id: '', create_time: String(clock.now()), expiration_time: '', state: 2 },
      ],
    });
    expect((await owner.kms('rotate-on-demand', { key_id: id })).body).toEqual({ key_id: id });
    expect((await owner.kms('get-key-rotation-status', { key_id: id })).body.number_of_rotations).toBe(2);
    expect((await owner.kms('decrypt-data', { cipher_text: e.body.cipher_text })).body.plain_text).toBe('before rotation');
    expect((await owner.kms('disable-key-rotation', { key_id: id })).body).toEqual({});
    expect((await owner.kms('describe-key', { key_id: id })).body.key_info.key_rotation_enabled).toBe('false');
  });

  it('RSA keys cannot rotate (KMS.0324), imported keys cannot (KMS.0312)', async () => {
    const rsa = await newKey({ key_spec: 'RSA_2048' });
    expectError(await owner.kms('enable-key-rotation', { key_id: rsa }), 400, 'KMS.0324');
    const ext = await newKey({ origin: 'external' });
    expectError(await owner.kms('enable-key-rotation', { key_id: ext }), 400, 'KMS.0312');
  });
});

describe('import', () => {
  it('an external key waits in "5"; get-parameters-for-import, import-key-material (RSAES_OAEP_SHA_256), delete-imported-key-material', async () => {
    const id = await newKey({ origin: 'external' });
    expect((await owner.kms('describe-key', { key_id: id })).body.key_info).toMatchObject({ key_state: '5', origin: 'external' });
    expectError(await owner.kms('encrypt-data', { key_id: id, plain_text: 'x' }), 400, 'KMS.1301');
    const p = await owner.kms('get-parameters-for-import', { key_id: id, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
    expect(p.body).toMatchObject({ key_id: id, import_token: expect.any(String), expiration_time: Math.floor(clock.now() / 1000) + 86_400 });
    const material = randomBytes(32);
    const wrapped = publicEncrypt(
      { key: createPublicKey({ key: Buffer.from(p.body.public_key, 'base64'), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      material,
    );
    expectError(await owner.kms('import-key-material', { key_id: id, import_token: p.body.import_token, encrypted_key_material: wrapped.toString('base64'), expiration_time: 5 }), 400, 'KMS.2602');
    expect((await owner.kms('import-key-material', { key_id: id, import_token: p.body.import_token, encrypted_key_material: wrapped.toString('base64') })).body).toEqual({});
    expect((await owner.kms('describe-key', { key_id: id })).body.key_info.key_state).toBe('2');
    expectError(await owner.kms('import-key-material', { key_id: id, import_token: p.body.import_token, encrypted_key_material: wrapped.toString('base64') }), 400, 'KMS.0310');
    const e = await owner.kms('encrypt-data', { key_id: id, plain_text: 'imported' });
    expect((await owner.kms('delete-imported-key-material', { key_id: id })).body).toEqual({});
    expect((await owner.kms('describe-key', { key_id: id })).body.key_info.key_state).toBe('5');
    expectError(await owner.kms('delete-imported-key-material', { key_id: id }), 400, 'KMS.2701');
    const kmsKey = await newKey();
    expectError(await owner.kms('get-parameters-for-import', { key_id: kmsKey, wrapping_algorithm: 'RSAES_OAEP_SHA_256' }), 400, 'KMS.0309');
    expect(e.status).toBe(200);
  });
});

describe('grants between two domains', () => {
  it('the grantee can do exactly the granted operations on the owner\'s key; after retire or revoke, nothing', async () => {
    const id = await newKey();
    expectError(await grantee.kms('describe-key', { key_id: id }), 404, 'KMS.0207');
    expectError(await owner.kms('create-grant', { key_id: id, grantee_principal: GRANTEE.domainId, operations: ['create-grant'] }), 400, 'KMS.2401');
    expectError(await owner.kms('create-grant', { key_id: id, grantee_principal: 'not valid!', operations: ['describe-key'] }), 400, 'KMS.2402');
    expectError(await owner.kms('create-grant', { key_id: id, grantee_principal: GRANTEE.domainId, operations: ['launch-rockets'] }), 400, 'KMS.0308');
    const g = await owner.kms('create-grant', {
      key_id: id,
      grantee_principal: GRANTEE.userId,
      operations: ['create-datakey', 'decrypt-datakey', 'retire-grant'],
      name: 'bob-dek',
      retiring_principal: GRANTEE.userId,
    });
    expect(g.body.grant_id).toMatch(/^[0-9a-f]{64}$/);
    const dk = await grantee.kms('create-datakey', { key_id: id });
    expect(dk.status).toBe(200);
    expect((await grantee.kms('decrypt-datakey', { key_id: id, cipher_text: dk.body.cipher_text, datakey_cipher_length: '32' })).body.data_key).toBe(dk.body.plain_text);
    expectError(await grantee.kms('encrypt-data', { key_id: id, plain_text: 'no' }), 403, 'KMS.0306');
    expectError(await grantee.kms('describe-key', { key_id: id }), 403, 'KMS.0306');
    expectError(await grantee.kms('disable-key', { key_id: id }), 403, 'KMS.0306');

    const list = await owner.kms('list-grants', { key_id: id });
    expect(list.body).toMatchObject({ total: 1, truncated: 'false', next_marker: '' });
    expect(list.body.grants[0]).toMatchObject({
      key_id: id,
      grant_id: g.body.grant_id,
      grantee_principal: GRANTEE.userId,
      grantee_principal_type: 'user',
      operations: ['create-datakey', 'decrypt-datakey', 'retire-grant'],
      issuing_principal: OWNER.userId,
      name: 'bob-dek',
      retiring_principal: GRANTEE.userId,
      creation_date: String(clock.now()),
    });
    const retirable = await grantee.kms('list-retirable-grants', {});
    expect(retirable.body.grants.map((x: { grant_id: string }) => x.grant_id)).toContain(g.body.grant_id);
    expect((await grantee.kms('retire-grant', { key_id: id, grant_id: g.body.grant_id })).body).toEqual({});
    expectError(await grantee.kms('create-datakey', { key_id: id }), 404, 'KMS.0207');
    expectError(await owner.kms('retire-grant', { key_id: id, grant_id: g.body.grant_id }), 400, 'KMS.2501');

    const domainGrant = await owner.kms('create-grant', { key_id: id, grantee_principal: GRANTEE.domainId, grantee_principal_type: 'domain', operations: ['encrypt-data', 'decrypt-data'] });
    const e = await grantee.kms('encrypt-data', { key_id: id, plain_text: 'granted to the domain' });
    expect((await grantee.kms('decrypt-data', { cipher_text: e.body.cipher_text })).body.plain_text).toBe('granted to the domain');
    expect((await owner.kms('revoke-grant', { key_id: id, grant_id: domainGrant.body.grant_id })).body).toEqual({});
    expectError(await grantee.kms('encrypt-data', { key_id: id, plain_text: 'no more' }), 404, 'KMS.0207');
    const other = await newKey();
    const g2 = await owner.kms('create-grant', { key_id: other, grantee_principal: GRANTEE.userId, operations: ['describe-key'] });
    expectError(await owner.kms('revoke-grant', { key_id: id, grant_id: g2.body.grant_id }), 400, 'KMS.2502');
  });
});

describe('tags', () => {
  it('create, show, batch create/delete, delete, project-wide list and resource_instances filter', async () => {
    const id = await newKey({ key_alias: 'tagged-key' });
    expect((await owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags`, { tag: { key: 'env', value: 'prod' } })).status).toBe(200);
    expect((await owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags/action`, { action: 'create', tags: [{ key: 'team', value: 'pay' }, { key: 'tier', value: '1' }] })).status).toBe(200);
    const shown = await owner.send('GET', `/v1.0/{project_id}/kms/${id}/tags`);
    expect(shown.body).toEqual({ tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'pay' }, { key: 'tier', value: '1' }], existTagsNum: 3 });
    expect((await owner.send('DELETE', `/v1.0/{project_id}/kms/${id}/tags/tier`)).status).toBe(200);
    expect((await owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags/action`, { action: 'delete', tags: [{ key: 'team', value: 'pay' }] })).status).toBe(200);
    const all = await owner.send('GET', '/v1.0/{project_id}/kms/tags');
    expect(all.body.tags).toContainEqual({ key: 'env', values: ['prod'] });
    const filtered = await owner.send('POST', '/v1.0/{project_id}/kms/resource_instances/action', { action: 'filter', limit: '10', tags: [{ key: 'env', values: ['prod'] }] });
    expect(filtered.body.total_count).toBe(1);
    expect(filtered.body.resources[0]).toMatchObject({ resource_id: id, resource_name: 'tagged-key', tags: [{ key: 'env', value: 'prod' }] });
    const count = await owner.send('POST', '/v1.0/{project_id}/kms/resource_instances/action', { action: 'count', matches: [{ key: 'resource_name', value: 'tagged' }] });
    expect(count.body).toEqual({ total_count: 1 });
    expectError(await owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags/action`, { action: 'merge', tags: [{ key: 'a', value: 'b' }] }), 400, 'KMS.0404');
    expectError(await owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags`, { tag: { key: 'k'.repeat(37), value: 'v' } }), 400, 'KMS.0411');
    expectError(await owner.send('DELETE', `/v1.0/{project_id}/kms/${id}/tags/absent`), 404, 'KMS.0416');
    const many = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expectError(await owner.send('POST', `/v1.0/{project_id}/kms/${id}/tags/action`, { action: 'create', tags: many }), 400, 'KMS.0409');
  });
});

describe('deleteKeyRiskTips, version discovery, CTS ListTraces, signatures', () => {
  it('delete-key-risk-tips reports grants, alias, bindings and recent use, and is traced as deleteKeyRiskTips', async () => {
    const id = await newKey({ key_alias: 'risky' });
    await owner.kms('create-grant', { key_id: id, grantee_principal: GRANTEE.userId, operations: ['describe-key'] });
    await owner.kms('encrypt-data', { key_id: id, plain_text: 'used' });
    const r = await owner.kms('delete-key-risk-tips', { key_id: id });
    expect(r.body).toMatchObject({
      key_id: id,
      key_alias: 'risky',
      key_state: '2',
      grant_count: 1,
      bound_resources: [],
      recent_use: { days: 30, count: 1, last_use_time: String(clock.now()) },
      risk_tips: ['grants', 'recently_used'],
    });
    const trace = server.kms.huawei.traces((t) => t.trace_name === 'deleteKeyRiskTips' && t.resource_id === id);
    expect(trace).toHaveLength(1);
    expect(trace[0]).toMatchObject({ resource_type: 'cmk', trace_type: 'ConsoleAction', resource_name: 'risky', trace_rating: 'normal' });
  });

  it('GET / lists the API versions and GET /v1.0 one of them (Accept: application/json, as the SDK sends)', async () => {
    const all = await owner.send('GET', '/');
    expect(all.body.versions.map((v: { id: string; status: string }) => [v.id, v.status])).toEqual([['v1.0', 'CURRENT'], ['v2', 'SUPPORTED']]);
    expect(all.body.versions[0].links[0]).toEqual({ href: `${server.url}/v1.0/`, rel: 'self' });
    expect((await owner.send('GET', '/v1.0')).body.version).toMatchObject({ id: 'v1.0', status: 'CURRENT' });
  });

  it('ListTraces (GET /v3/{project_id}/traces) through the SDK: newest first, filters, paging by marker', async () => {
    const id = await newKey({ key_alias: 'traced' });
    await owner.kms('disable-key', { key_id: id });
    await owner.kms('disable-key', { key_id: id });
    const now = String(clock.now() + 1);
    const since = String(clock.now() - 1);
    const page = await owner.send('GET', '/v3/{project_id}/traces', undefined, { trace_type: 'system', service_type: 'KMS', resource_id: id, from: since, to: now, limit: '2' });
    expect(page.status).toBe(200);
    expect(page.body.traces.map((t: { trace_name: string; trace_rating: string }) => [t.trace_name, t.trace_rating])).toEqual([
      ['disableKey', 'warning'],
      ['disableKey', 'normal'],
    ]);
    expect(page.body.meta_data).toEqual({ count: 2, marker: page.body.traces[1].trace_id });
    const next = await owner.send('GET', '/v3/{project_id}/traces', undefined, { trace_type: 'system', resource_id: id, from: since, to: now, limit: '2', next: page.body.meta_data.marker });
    expect(next.body.traces.map((t: { trace_name: string }) => t.trace_name)).toEqual(['createKey']);
    // The v3 model types the marker as a string: empty on the last page, never null.
    expect(next.body.meta_data).toEqual({ count: 1, marker: '' });
    const warning = page.body.traces[0];
    expect(JSON.parse(warning.response)).toEqual({ error: { error_code: 'KMS.1301', error_msg: 'The key is not enabled.' } });
    expect(warning.code).toBe('400');
    expect(warning.user).toMatchObject({ id: OWNER.userId, name: OWNER.userName, domain: { id: OWNER.domainId } });
    // Filled from the SDK-HMAC signature: the AK, the signing time (X-Sdk-Date, whole seconds), the endpoint.
    expect(warning.user).toMatchObject({ user_name: OWNER.userName, access_key_id: OWNER.ak, invoked_by: [] });
    // (the SDK signs with the wall clock, not the server's manual clock)
    expect(warning.user.session_context).toEqual({ attributes: { created_at: expect.stringMatching(/^\d{13}$/), mfa_authenticated: 'false' } });
    expect(Math.abs(Number(warning.user.session_context.attributes.created_at) - Date.now())).toBeLessThan(60_000);
    expect(Number(warning.user.session_context.attributes.created_at) % 1000).toBe(0);
    expect(warning).toMatchObject({ endpoint: server.url, resource_url: `/v1.0/${OWNER.projectId}/kms/disable-key`, enterprise_project_id: '0' });
    for (const gone of ['event_type', 'tracker_name', 'project_id', 'domain_id']) expect(warning).not.toHaveProperty(gone);
    const byAk = await owner.send('GET', '/v3/{project_id}/traces', undefined, { trace_type: 'system', resource_id: id, from: since, to: now, access_key_id: OWNER.ak, enterprise_project_id: '0' });
    expect(byAk.body.meta_data.count).toBe(3);
    const bad = await owner.send('GET', '/v3/{project_id}/traces', undefined, { trace_type: 'system', limit: '500' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toMatch(/^CTS\./);
    // The grantee's domain sees only its own traces.
    const theirs = await grantee.send('GET', '/v3/{project_id}/traces', undefined, { trace_type: 'system', resource_id: id, from: since, to: now });
    expect(theirs.body.traces).toEqual([]);
  });

  it('a wrong SK, an unknown AK or no signature at all: API Gateway\'s 401 APIG.0301, and nothing happens', async () => {
    const before = server.kms.huawei.traces().length;
    for (const who of [{ ...OWNER, sk: 'wrong' }, { ...OWNER, ak: 'HPUAUNKNOWN00000000000' }]) {
      const r = await sdkClient(server.url, who).kms('create-key', { key_alias: 'never' });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error_code: 'APIG.0301', error_msg: expect.stringMatching(/^Incorrect IAM authentication information/) });
    }
    const unsigned = await fetch(`${server.url}/v1.0/${OWNER.projectId}/kms/list-keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    expect(server.kms.huawei.traces().length).toBe(before);
  });
});
