/**
 * Tencent takes only canonical base64 (docs/ciphertext-format.md, "Base64 on the wire"): a
 * CiphertextBlob segment or a Plaintext whose last character before `=` carries non-zero unused bits
 * (the same bytes to a lenient decoder) is refused, through tencentcloud-sdk-nodejs over HTTP and in
 * process, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonCanonical } from '../support/base64.js';
import { b64, done, emulator, failure, serveTencent, type TencentServer } from './support.js';

/** The blob with one segment (one that has padding) written non-canonically. */
function tamperedBlob(blob: string): string {
  const segments = blob.split('-k-');
  const i = segments.findIndex((s) => s.endsWith('='));
  expect(i).toBeGreaterThanOrEqual(0);
  segments[i] = nonCanonical(segments[i]!);
  return segments.join('-k-');
}

describe('non-canonical base64 over HTTP (tencentcloud-sdk-nodejs)', () => {
  let server: TencentServer;
  beforeAll(async () => {
    server = await serveTencent();
  });
  afterAll(async () => {
    await server.close();
  });

  it('Decrypt refuses a CiphertextBlob with one non-canonical character (InvalidParameterValue.InvalidCiphertext); the canonical blob decrypts', async () => {
    const client = server.kmsClient();
    const { KeyId } = await client.CreateKey({ Alias: 'b64' });
    // 7 bytes of plaintext: the last segment (ciphertext ‖ tag, 23 bytes) ends with one '='.
    const { CiphertextBlob } = await client.Encrypt({ KeyId: KeyId!, Plaintext: b64('secret!') });
    const bad = tamperedBlob(CiphertextBlob!);
    expect(bad).not.toBe(CiphertextBlob);
    const e = await failure(client.Decrypt({ CiphertextBlob: bad }));
    expect(e.code).toBe('InvalidParameterValue.InvalidCiphertext');
    expect(Buffer.from((await client.Decrypt({ CiphertextBlob: CiphertextBlob! })).Plaintext!, 'base64').toString()).toBe('secret!');
  });

  it('Encrypt refuses a non-canonical Plaintext and creates no ciphertext', async () => {
    const client = server.kmsClient();
    const { KeyId } = await client.CreateKey({ Alias: 'b64-plain' });
    const before = server.kms.snapshot().realms;
    const e = await failure(client.Encrypt({ KeyId: KeyId!, Plaintext: nonCanonical(b64('ab')) }));
    expect(e.code).toBe('InvalidParameterValue.InvalidPlaintext');
    expect(server.kms.snapshot().realms).toEqual(before);
  });
});

describe('non-canonical base64 in process', () => {
  it('Decrypt, ReEncrypt and Encrypt refuse it; unpadded and URL-alphabet base64 are refused too', async () => {
    const kms = emulator();
    const { KeyId } = await kms.tencent.call('CreateKey', { Alias: 'b64' });
    const { CiphertextBlob } = await kms.tencent.call('Encrypt', { KeyId, Plaintext: b64('secret!') });
    const bad = tamperedBlob(CiphertextBlob);
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: bad }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
    expect((await failure(kms.tencent.call('ReEncrypt', { CiphertextBlob: bad }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
    const unpadded = CiphertextBlob.split('-k-').map((s: string) => s.replace(/=+$/, '')).join('-k-');
    expect((await failure(kms.tencent.call('Decrypt', { CiphertextBlob: unpadded }))).code).toBe('InvalidParameterValue.InvalidCiphertext');
    expect((await failure(kms.tencent.call('Encrypt', { KeyId, Plaintext: '-_-_' }))).code).toBe('InvalidParameterValue.InvalidPlaintext');
    expect((await kms.tencent.call('Decrypt', { CiphertextBlob })).Plaintext).toBe(b64('secret!'));
    done(kms);
  });
});
