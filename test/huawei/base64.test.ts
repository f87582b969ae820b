/**
 * Huawei takes only canonical base64 (docs/ciphertext-format.md, "Base64 on the wire"): through the
 * real SDK core signer over HTTP, an encrypt-data ciphertext or a sign message whose last character
 * before `=` carries non-zero unused bits (the same bytes to a lenient decoder) is refused with
 * Huawei's error for that member, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonCanonical } from '../support/base64.js';
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

describe('non-canonical base64', () => {
  it('decrypt-data refuses a cipher_text with one non-canonical character (KMS.2201); the canonical one decrypts', async () => {
    const id = (await owner.kms('create-key', { key_alias: 'b64' })).body.key_info.key_id;
    let cipher = '';
    // A plaintext length whose ciphertext is not a multiple of 3 bytes, so that the base64 has padding.
    for (const text of ['a', 'ab', 'abc']) {
      cipher = (await owner.kms('encrypt-data', { key_id: id, plain_text: text })).body.cipher_text;
      if (cipher.endsWith('=')) break;
    }
    expect(cipher.endsWith('=')).toBe(true);
    const traces = server.kms.huawei.traces().length;
    const before = server.kms.snapshot().realms;
    expectError(await owner.kms('decrypt-data', { cipher_text: nonCanonical(cipher) }), 400, 'KMS.2201');
    expectError(await owner.kms('decrypt-data', { cipher_text: cipher.replace(/=+$/, '') }), 400, 'KMS.2201');
    expect(server.kms.snapshot().realms).toEqual(before);
    expect(server.kms.huawei.traces().length).toBe(traces + 2);
    expect((await owner.kms('decrypt-data', { cipher_text: cipher })).status).toBe(200);
  });

  it('sign refuses a non-canonical message (KMS.0308)', async () => {
    const id = (await owner.kms('create-key', { key_alias: 'b64-sign', key_spec: 'EC_P256', key_usage: 'SIGN_VERIFY' })).body.key_info.key_id;
    const message = Buffer.from('a message of 20 byte').toString('base64');
    expect(message.endsWith('=')).toBe(true);
    expectError(await owner.kms('sign', { key_id: id, message: nonCanonical(message), signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW' }), 400, 'KMS.0308');
    expect((await owner.kms('sign', { key_id: id, message, signing_algorithm: 'ECDSA_SHA_256', message_type: 'RAW' })).status).toBe(200);
  });
});
