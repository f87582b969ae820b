import {
  CreateKeyCommand,
  DecryptCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { sm4GcmOpen } from '../../src/crypto/sm4.js';
import type { Kms } from '../../src/index.js';
import { ACCOUNT, createKey, describeKey, refused } from '../support/aws.js';
import { rejection, setup, str, text } from '../support/kms.js';

/**
 * The China Regions (partition aws-cn): AWS documents that SYMMETRIC_DEFAULT there "creates a 128-bit
 * symmetric key that uses SM4 encryption" (CreateKey KeySpec). DescribeKey still names the spec
 * SYMMETRIC_DEFAULT and its one algorithm SYMMETRIC_DEFAULT.
 */
const REGION = 'cn-north-1';

function secretsOf(kms: Kms, keyId: string): Uint8Array[] {
  for (const realm of kms.snapshot().realms) {
    const key = realm.keys.find((k) => k.id === keyId);
    if (key) return key.materials.map((m) => new Uint8Array(Buffer.from(m.secret!, 'base64')));
  }
  throw new Error(`no key ${keyId}`);
}

/** The envelope as docs/ciphertext-format.md lays it out, read independently of src/crypto/envelope.ts. */
function layout(blob: Uint8Array) {
  let o = 2;
  const fields: string[] = [];
  for (let i = 0; i < 3; i++) {
    const n = blob[o]!;
    fields.push(Buffer.from(blob.subarray(o + 1, o + 1 + n)).toString('utf8'));
    o += 1 + n;
  }
  const materialId = Buffer.from(blob.subarray(o, o + 32)).toString('hex');
  o += 32 + 4;
  return {
    version: blob[0],
    algorithm: blob[1],
    account: fields[0],
    region: fields[1],
    keyId: fields[2],
    materialId,
    header: blob.subarray(0, o),
    nonce: blob.subarray(o, o + 12),
    sealed: blob.subarray(o + 12),
  };
}

/** canonical(context) from docs/ciphertext-format.md. */
function canonical(context: Record<string, string>): Uint8Array {
  const entries = Object.entries(context).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
  if (entries.length === 0) return new Uint8Array(0);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return new Uint8Array(Buffer.concat([u32(entries.length), ...entries.flatMap(([k, v]) => [u32(k.length), k, u32(v.length), v])]));
}

describe('China Regions: SYMMETRIC_DEFAULT is SM4', () => {
  it('CreateKey and DescribeKey show SYMMETRIC_DEFAULT, with 128-bit SM4 material behind it', async () => {
    const { kms, client } = setup({ region: REGION });
    const created = await createKey(client);
    const explicit = await createKey(client, { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' });
    for (const meta of [created, explicit, await describeKey(client, created.KeyId!)]) {
      expect(meta.Arn).toMatch(new RegExp(`^arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/`));
      expect(meta.KeySpec).toBe('SYMMETRIC_DEFAULT');
      expect(meta.CustomerMasterKeySpec).toBe('SYMMETRIC_DEFAULT');
      expect(meta.KeyUsage).toBe('ENCRYPT_DECRYPT');
      expect(meta.EncryptionAlgorithms).toEqual(['SYMMETRIC_DEFAULT']);
    }
    expect(kms.engine.describeKey({ realm: { account: ACCOUNT, region: REGION }, principal: { account: ACCOUNT, type: 'root', id: ACCOUNT }, requestId: 't' }, { keyId: created.KeyId! }).spec).toBe('SM4');
    expect(secretsOf(kms, created.KeyId!).map((s) => s.length)).toEqual([16]);
    expect(secretsOf(kms, explicit.KeyId!).map((s) => s.length)).toEqual([16]);
  });

  it('outside the China Regions SYMMETRIC_DEFAULT stays AES-256', async () => {
    const { kms, client } = setup({ region: 'us-east-1' });
    const key = await createKey(client);
    expect(secretsOf(kms, key.KeyId!).map((s) => s.length)).toEqual([32]);
    const blob = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }))).CiphertextBlob!;
    expect(blob[1]).toBe(1);
  });

  it('encrypts and decrypts with an encryption context; the envelope names SM4-GCM (algorithm 0x02)', async () => {
    const { client } = setup({ region: REGION });
    const key = await createKey(client);
    const context = { tenant: 'acme', purpose: 'orders' };
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('中文 plaintext'), EncryptionContext: context }));
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(enc.KeyId).toBe(key.Arn);
    const blob = enc.CiphertextBlob!;
    expect(blob[0]).toBe(1);
    expect(blob[1]).toBe(2);
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'orders', tenant: 'acme' } }));
    expect(str(dec.Plaintext)).toBe('中文 plaintext');
    expect(dec.KeyId).toBe(key.Arn);
    expect(dec.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const wrong = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { tenant: 'acme' } })));
    expect(wrong.name).toBe('InvalidCiphertextException');
  });

  it('a ciphertext really is SM4-GCM: it opens with sm4GcmOpen, the snapshot’s key and the documented layout', async () => {
    const { kms, client } = setup({ region: REGION });
    const key = await createKey(client);
    const context = { b: '2', a: '1' };
    const blob = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('independent check'), EncryptionContext: context }))).CiphertextBlob!;
    const e = layout(blob);
    expect(e).toMatchObject({ version: 1, algorithm: 2, account: ACCOUNT, region: REGION, keyId: key.KeyId });
    const [secret] = secretsOf(kms, key.KeyId!);
    const aad = new Uint8Array(Buffer.concat([e.header, canonical(context)]));
    expect(str(sm4GcmOpen(secret!, e.nonce, e.sealed, aad))).toBe('independent check');
    // Without the context as additional data, it does not authenticate.
    expect(sm4GcmOpen(secret!, e.nonce, e.sealed, e.header)).toBeUndefined();
  });

  it('any flipped bit is InvalidCiphertextException', async () => {
    const { client } = setup({ region: REGION });
    const key = await createKey(client);
    const blob = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('flip me') }))).CiphertextBlob!;
    const e = layout(blob);
    // A header byte, the algorithm byte, a nonce byte, a ciphertext byte and a tag byte.
    for (const at of [1, 5, e.header.length, e.header.length + 12, blob.length - 1]) {
      const flipped = blob.slice();
      flipped[at]! ^= 0x01;
      const error = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: flipped })));
      expect(error.name, `byte ${at}`).toBe('InvalidCiphertextException');
    }
  });

  it('ReEncrypt between two SM4 keys', async () => {
    const { client } = setup({ region: REGION });
    const a = await createKey(client);
    const b = await createKey(client);
    const blob = (await client.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: text('moved'), EncryptionContext: { x: '1' } }))).CiphertextBlob!;
    const re = await client.send(
      new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { x: '1' }, DestinationKeyId: b.KeyId, DestinationEncryptionContext: { y: '2' } }),
    );
    expect(re.SourceKeyId).toBe(a.Arn);
    expect(re.KeyId).toBe(b.Arn);
    expect(re.CiphertextBlob![1]).toBe(2);
    expect(layout(re.CiphertextBlob!).keyId).toBe(b.KeyId);
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, KeyId: b.KeyId, EncryptionContext: { y: '2' } }));
    expect(str(dec.Plaintext)).toBe('moved');
  });

  it('data keys (AES_128 / 16 bytes for SM4 data keys, AES_256 too) and data key pairs are sealed under the SM4 key', async () => {
    const { client } = setup({ region: REGION });
    const key = await createKey(client);
    for (const request of [{ KeySpec: 'AES_128' as const }, { NumberOfBytes: 16 }, { KeySpec: 'AES_256' as const }]) {
      const dk = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, ...request, EncryptionContext: { dk: '1' } }));
      expect(dk.Plaintext!.length).toBe(request.KeySpec === 'AES_256' ? 32 : 16);
      expect(dk.CiphertextBlob![1]).toBe(2);
      const dec = await client.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { dk: '1' } }));
      expect(dec.Plaintext).toEqual(dk.Plaintext);
    }
    const noPlain = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' }));
    expect(noPlain.CiphertextBlob![1]).toBe(2);
    expect((await client.send(new DecryptCommand({ CiphertextBlob: noPlain.CiphertextBlob }))).Plaintext!.length).toBe(16);

    const pair = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' }));
    expect(pair.PrivateKeyCiphertextBlob![1]).toBe(2);
    const priv = await client.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    expect(priv.Plaintext).toEqual(pair.PrivateKeyPlaintext);
  });

  it('rotation (on demand and automatic) gives new 16-byte material; old ciphertexts still decrypt', async () => {
    const { kms, client } = setup({ region: REGION });
    const key = await createKey(client);
    const before = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('before') }))).CiphertextBlob!;
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    await client.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    kms.clock.advance('91d');
    const middle = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('after') }))).CiphertextBlob!;
    const secrets = secretsOf(kms, key.KeyId!);
    expect(secrets.map((s) => s.length)).toEqual([16, 16, 16]);
    expect(new Set(secrets.map((s) => Buffer.from(s).toString('hex'))).size).toBe(3);
    expect(layout(middle).materialId).not.toBe(layout(before).materialId);
    expect(middle[1]).toBe(2);
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext)).toBe('before');
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: middle }))).Plaintext)).toBe('after');
  });
});

describe('SM2 is a China Regions key spec', () => {
  // AWS: "The SM2 key spec is only available in China Regions"; CreateKey lists UnsupportedOperationException
  // for "a specified parameter is not supported".
  it('CreateKey with KeySpec SM2 and GenerateDataKeyPair with KeyPairSpec SM2 are refused outside the China Regions', async () => {
    const { kms, client } = setup({ region: 'us-east-1' });
    const key = await createKey(client);
    for (const KeyUsage of ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'] as const) {
      const error = await refused(kms, () => client.send(new CreateKeyCommand({ KeySpec: 'SM2', KeyUsage })));
      expect(error).toMatchObject({ name: 'UnsupportedOperationException', message: 'KeySpec SM2 is not supported in this Region' });
    }
    const pair = await refused(kms, () => client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' })));
    expect(pair).toMatchObject({ name: 'UnsupportedOperationException', message: 'KeyPairSpec SM2 is not supported in this Region' });
  });

  it('both work in cn-northwest-1', async () => {
    const { client } = setup({ region: 'cn-northwest-1' });
    const sm2 = await createKey(client, { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' });
    expect(sm2).toMatchObject({ KeySpec: 'SM2', SigningAlgorithms: ['SM2DSA'] });
    expect(sm2.Arn).toMatch(/^arn:aws-cn:kms:cn-northwest-1:/);
    const key = await createKey(client);
    const pair = await client.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' }));
    expect(pair.PrivateKeyCiphertextBlob![1]).toBe(2);
  });
});
