/**
 * AWS takes only canonical base64 blobs (docs/ciphertext-format.md, "Base64 on the wire"). The SDKs
 * always write canonical base64, so the non-canonical request is sent as raw JSON 1.1: a
 * CiphertextBlob or Plaintext whose last character before `=` carries non-zero unused bits (the same
 * bytes to a lenient decoder) is a SerializationException, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonCanonical } from '../support/base64.js';
import { awsCall, serve } from '../support/server.js';

describe('non-canonical base64 blobs', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server.close();
  });

  it('Decrypt and Encrypt refuse a blob with one non-canonical character (SerializationException); the canonical blob decrypts', async () => {
    const keyId = (await awsCall(server.url, 'CreateKey', {})).json().KeyMetadata.KeyId;
    let blob = '';
    for (const text of ['a', 'ab', 'abc']) {
      blob = (await awsCall(server.url, 'Encrypt', { KeyId: keyId, Plaintext: Buffer.from(text).toString('base64') })).json().CiphertextBlob;
      if (blob.endsWith('=')) break;
    }
    expect(blob.endsWith('=')).toBe(true);
    const before = server.kms.snapshot().realms;
    for (const bad of [nonCanonical(blob), blob.replace(/=+$/, ''), blob.replace(/\+/g, '-').replace(/\//g, '_')]) {
      if (bad === blob) continue;
      const r = await awsCall(server.url, 'Decrypt', { CiphertextBlob: bad });
      expect(r.status).toBe(400);
      expect(r.json()).toEqual({ __type: 'SerializationException', message: "Value for 'ciphertextBlob' is not valid base64" });
    }
    const p = await awsCall(server.url, 'Encrypt', { KeyId: keyId, Plaintext: nonCanonical(Buffer.from('ab').toString('base64')) });
    expect(p.json().__type).toBe('SerializationException');
    expect(server.kms.snapshot().realms).toEqual(before);
    const ok = await awsCall(server.url, 'Decrypt', { CiphertextBlob: blob });
    expect(ok.status).toBe(200);
  });
});
