/**
 * The errors of calls that the key's state refuses, as Huawei words them: every cryptographic route
 * on a key waiting for its material (state "5") is KMS.1301 "The key is not enabled." (never
 * KMS.0310 "not in Pending import state", which says the opposite); enable and disable of a key
 * pending deletion are KMS.0210. Each refusal changes nothing: the key, its state and the count of
 * successful traces stay as they were.
 */
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import type { Kms } from '../../src/index.js';
import type { ManualClock } from '../../src/engine/clock.js';
import { dekPlainText, emulator, failure } from './support.js';

type Emulator = Kms<ManualClock>;

/** An external AES key with material imported, then the material deleted: back in state "5". */
async function pendingImportKey(kms: Emulator): Promise<{ id: string; cipherText: string; dataKeyCipher: string }> {
  const h = kms.huawei;
  const id = (await h.call('create-key', { key_alias: 'ext', origin: 'external' })).key_info.key_id as string;
  const p = await h.call('get-parameters-for-import', { key_id: id, wrapping_algorithm: 'RSAES_OAEP_SHA_256' });
  const wrapped = publicEncrypt(
    { key: createPublicKey({ key: Buffer.from(p.public_key, 'base64'), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    randomBytes(32),
  );
  await h.call('import-key-material', { key_id: id, import_token: p.import_token, encrypted_key_material: wrapped.toString('base64') });
  const cipherText = (await h.call('encrypt-data', { key_id: id, plain_text: 'before' })).cipher_text as string;
  const dataKeyCipher = (await h.call('create-datakey-without-plaintext', { key_id: id })).cipher_text as string;
  await h.call('delete-imported-key-material', { key_id: id });
  expect((await h.call('describe-key', { key_id: id })).key_info.key_state).toBe('5');
  return { id, cipherText, dataKeyCipher };
}

/** Fails with `code` and leaves the key and the successful traces as they were. */
async function refusedWithoutChange(kms: Emulator, id: string, verb: string, body: Record<string, unknown>, code: string): Promise<void> {
  const h = kms.huawei;
  const before = JSON.stringify((await h.call('describe-key', { key_id: id })).key_info);
  const normal = h.traces((t) => t.trace_rating === 'normal').length;
  const e = await failure(h.call(verb, body));
  expect({ verb, status: e.status, code: e.code, message: e.message }).toEqual({ verb, status: 400, code, message: expect.any(String) });
  expect(JSON.stringify((await h.call('describe-key', { key_id: id })).key_info), verb).toBe(before);
  expect(h.traces((t) => t.trace_rating === 'normal').length, verb).toBe(normal);
}

describe('crypto on a key pending import (state "5")', () => {
  it('every cryptographic route answers KMS.1301 "The key is not enabled." and changes nothing', async () => {
    const kms = emulator();
    const { id, cipherText, dataKeyCipher } = await pendingImportKey(kms);
    const other = (await kms.huawei.call('create-key', { key_alias: 'other' })).key_info.key_id as string;
    const otherCipher = (await kms.huawei.call('encrypt-data', { key_id: other, plain_text: 'x' })).cipher_text as string;
    const dek = new Uint8Array(32).fill(7);
    const calls: Array<[string, Record<string, unknown>]> = [
      ['create-datakey', { key_id: id }],
      ['create-datakey-without-plaintext', { key_id: id }],
      ['encrypt-datakey', { key_id: id, plain_text: dekPlainText(dek, sha256), datakey_plain_length: '32' }],
      ['decrypt-datakey', { key_id: id, cipher_text: dataKeyCipher, datakey_cipher_length: '32' }],
      ['encrypt-data', { key_id: id, plain_text: 'x' }],
      ['decrypt-data', { cipher_text: cipherText }],
      ['re-encrypt', { cipher_text: cipherText, destination_key_id: other }],
      ['re-encrypt', { cipher_text: otherCipher, destination_key_id: id }],
      ['create-rsa-datakey-pair', { key_id: id, key_spec: 'RSA_2048' }],
      ['create-ec-datakey-pair', { key_id: id, key_spec: 'ECC_NIST_P256' }],
    ];
    for (const [verb, body] of calls) await refusedWithoutChange(kms, id, verb, body, 'KMS.1301');
    const e = await failure(kms.huawei.call('encrypt-data', { key_id: id, plain_text: 'x' }));
    expect(e.message).toBe('The key is not enabled.');
  });
});

describe('enable and disable of a key pending deletion', () => {
  it('answer KMS.0210 (the key is scheduled for deletion) and change nothing', async () => {
    const kms = emulator();
    const id = (await kms.huawei.call('create-key', { key_alias: 'doomed' })).key_info.key_id as string;
    await kms.huawei.call('schedule-key-deletion', { key_id: id, pending_days: '7' });
    await refusedWithoutChange(kms, id, 'enable-key', { key_id: id }, 'KMS.0210');
    await refusedWithoutChange(kms, id, 'disable-key', { key_id: id }, 'KMS.0210');
    expect((await kms.huawei.call('describe-key', { key_id: id })).key_info.key_state).toBe('4');
  });

  it('enable of a key pending import is KMS.1201, disable KMS.1301 (the operation\'s own codes)', async () => {
    const kms = emulator();
    const id = (await kms.huawei.call('create-key', { key_alias: 'ext', origin: 'external' })).key_info.key_id as string;
    await refusedWithoutChange(kms, id, 'enable-key', { key_id: id }, 'KMS.1201');
    await refusedWithoutChange(kms, id, 'disable-key', { key_id: id }, 'KMS.1301');
  });
});
