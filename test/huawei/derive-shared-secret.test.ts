/**
 * derive-shared-secret through the real Huawei SDK core over HTTP: ECDH between a KEY_AGREEMENT key
 * pair (EC_P256, EC_P384, SM2) and a peer key made with node:crypto; the secret is checked
 * against node:crypto's own ECDH (createECDH) with the key's public key from get-publickey. Every refusal is
 * Huawei's error and changes nothing.
 */
import { createECDH, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODELS, OPERATIONS } from '../../src/dialects/huawei/model.generated.js';
import { expectError, OWNER, sdkClient, serveHuawei, type HuaweiServer, type SdkClient } from './support.js';

let server: HuaweiServer;
let owner: SdkClient;
beforeAll(async () => {
  server = await serveHuawei();
  owner = sdkClient(server.url, OWNER);
});
afterAll(async () => {
  await server.close();
});

const CURVES = { EC_P256: 'prime256v1', EC_P384: 'secp384r1', SM2: 'SM2' } as const;

async function agreementKey(spec: string, usage = 'KEY_AGREEMENT'): Promise<string> {
  const created = await owner.kms('create-key', { key_alias: `agree-${spec}-${usage}-${Math.random().toString(36).slice(2, 8)}`, key_spec: spec, key_usage: usage });
  expect(created.status).toBe(200);
  return created.body.key_info.key_id as string;
}

/** A peer made by node:crypto's ECDH: its SubjectPublicKeyInfo (a node-generated key's header and the peer's uncompressed point). */
function peerOf(curve: string) {
  const ecdh = createECDH(curve);
  ecdh.generateKeys();
  const point = ecdh.getPublicKey();
  const spki = generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ type: 'spki', format: 'der' });
  const der = Buffer.concat([spki.subarray(0, spki.length - point.length), point]);
  expect(() => createPublicKey({ key: der, format: 'der', type: 'spki' })).not.toThrow();
  return { der: der.toString('base64'), ecdh };
}

describe('derive-shared-secret', () => {
  for (const [spec, curve] of Object.entries(CURVES)) {
    it(`${spec}: the secret is the ECDH secret node:crypto derives from the other side`, async () => {
      const keyId = await agreementKey(spec);
      const described = await owner.kms('describe-key', { key_id: keyId });
      expect(described.body.key_info.key_usage).toBe('KEY_AGREEMENT');
      const peer = peerOf(curve);
      const result = await owner.kms('derive-shared-secret', { key_id: keyId, key_agreement_algorithm: 'ECDH', public_key: peer.der });
      expect(result.status).toBe(200);
      for (const [member, field] of Object.entries(MODELS[OPERATIONS['derive-shared-secret']!.response]!)) {
        expect(typeof result.body[member], member).toBe(field.type === 'integer' ? 'number' : field.type);
      }
      expect(result.body.key_id).toBe(keyId);
      expect(result.body.key_agreement_algorithm).toBe('ECDH');
      const pem = (await owner.kms('get-publickey', { key_id: keyId })).body.public_key as string;
      const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' });
      const expected = peer.ecdh.computeSecret(spki.subarray(spki.length - peer.ecdh.getPublicKey().length));
      expect(Buffer.from(result.body.shared_secret, 'base64').equals(expected)).toBe(true);
    });
  }

  it('SECP256K1 keys take no KEY_AGREEMENT usage here (KMS.0308), though Huawei lists the curve', async () => {
    const before = JSON.stringify(server.kms.snapshot().realms);
    expectError(await owner.kms('create-key', { key_alias: 'agree-k1', key_spec: 'SECP256K1', key_usage: 'KEY_AGREEMENT' }), 400, 'KMS.0308');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(before);
  });

  it('refusals are Huawei errors and change nothing', async () => {
    const p256 = await agreementKey('EC_P256');
    const signing = await agreementKey('EC_P256', 'SIGN_VERIFY');
    const aes = (await owner.kms('create-key', { key_alias: 'agree-aes', key_spec: 'AES_256' })).body.key_info.key_id as string;
    const hmac = (await owner.kms('create-key', { key_alias: 'agree-hmac', key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC' })).body.key_info.key_id as string;
    const peer256 = peerOf('prime256v1').der;
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const before = JSON.stringify(server.kms.snapshot().realms);
    const call = (body: Record<string, unknown>) => owner.kms('derive-shared-secret', { key_id: p256, key_agreement_algorithm: 'ECDH', public_key: peer256, ...body });
    expectError(await call({ key_id: signing }), 400, 'KMS.0335');
    expectError(await call({ key_id: aes }), 400, 'KMS.0334');
    expectError(await call({ key_id: hmac }), 400, 'KMS.0341');
    expectError(await call({ key_id: '00000000-0000-0000-0000-000000000000' }), 404, 'KMS.0207');
    expectError(await call({ key_agreement_algorithm: 'DH' }), 400, 'KMS.0308');
    expectError(await call({ key_agreement_algorithm: undefined }), 400, 'KMS.0204');
    expectError(await call({ public_key: peerOf('secp384r1').der }), 400, 'KMS.0308');
    expectError(await call({ public_key: ecdh.getPublicKey('base64') }), 400, 'KMS.0308');
    expectError(await call({ public_key: 'not base64!' }), 400, 'KMS.0308');
    expectError(await call({ public_key: '' }), 400, 'KMS.0308');
    expectError(await call({ recipient: { attestation_document: 'AAAA', key_encryption_algorithm: 'RSAES_OAEP_SHA_256' } }), 400, 'KMS.3804');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(before);
    await owner.kms('disable-key', { key_id: p256 });
    const disabled = JSON.stringify(server.kms.snapshot().realms);
    expectError(await call({}), 400, 'KMS.0209');
    expect(JSON.stringify(server.kms.snapshot().realms)).toBe(disabled);
    await owner.kms('enable-key', { key_id: p256 });
    expect((await call({})).status).toBe(200);
  });
});
