import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { aeskwp } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { rejection, setup, str, text } from '../support/kms.js';

/** BYOK through @aws-sdk/client-kms: the material is wrapped with node:crypto as the AWS docs show with OpenSSL. */
const DAY = 86_400_000;

function oaep256(publicKey: Uint8Array, data: Uint8Array): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
}

async function externalKey(client: KMSClient): Promise<string> {
  return (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
}

async function params(client: KMSClient, keyId: string, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256' = 'RSAES_OAEP_SHA_256') {
  return client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm, WrappingKeySpec: 'RSA_2048' }));
}

describe('ImportKeyMaterial', () => {
  it('imports AES-256 material: the key is enabled, encrypts with it, and CloudTrail records the calls', async () => {
    const { kms, client } = setup({ seed: 'aws-import' });
    const keyId = await externalKey(client);
    const p = await params(client, keyId);
    expect(p.KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    expect(p.ParametersValidTo!.getTime()).toBe(kms.clock.now() + DAY);
    expect(p.ImportToken!.length).toBe(256);
    const material = randomBytes(32);
    const validTo = new Date(kms.clock.now() + 30 * DAY);
    const imported = await client.send(
      new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: oaep256(p.PublicKey!, material), ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }),
    );
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const meta = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(meta).toMatchObject({ KeyState: 'Enabled', Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_EXPIRES', CurrentKeyMaterialId: imported.KeyMaterialId });
    expect(meta.ValidTo!.getTime()).toBe(validTo.getTime());
    const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('byok') }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('byok');

    const trail = kms.aws.cloudTrail().filter((r) => ['GetParametersForImport', 'ImportKeyMaterial'].includes(r.eventName));
    expect(trail.map((r) => [r.eventName, r.readOnly, r.responseElements])).toEqual([
      ['GetParametersForImport', true, null],
      ['ImportKeyMaterial', false, null],
    ]);
    expect(trail[0]!.requestParameters).toEqual({ keyId, wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
    expect(trail[1]!.requestParameters).toMatchObject({ keyId, expirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(JSON.stringify(trail)).not.toContain(Buffer.from(p.ImportToken!).toString('base64'));
  });

  it('material expires: the key goes to PendingImport with a DeleteExpiredKeyMaterial service event; re-importing it restores old ciphertexts', async () => {
    const { kms, client } = setup({ seed: 'aws-expiry' });
    const keyId = await externalKey(client);
    const material = randomBytes(32);
    const p = await params(client, keyId, 'RSA_AES_KEY_WRAP_SHA_256');
    const aesKey = randomBytes(32);
    const wrapped = Buffer.concat([oaep256(p.PublicKey!, aesKey), aeskwp(aesKey).encrypt(material)]);
    await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: new Date(kms.clock.now() + DAY) }));
    const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('kept') }));
    kms.clock.advance('2d');
    const meta = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(meta.KeyState).toBe('PendingImport');
    const event = kms.aws.cloudTrail().find((r) => r.eventName === 'DeleteExpiredKeyMaterial')!;
    expect(event).toMatchObject({ eventType: 'AwsServiceEvent', eventTime: '2026-01-02T00:00:00Z' });
    const again = await params(client, keyId);
    await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: again.ImportToken, EncryptedKeyMaterial: oaep256(again.PublicKey!, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('kept');
  });

  it('answers each mistake with AWS exception names', async () => {
    const { kms, client } = setup({ seed: 'aws-errors' });
    const keyId = await externalKey(client);
    const p = await params(client, keyId);
    const material = randomBytes(32);
    const send = (input: Partial<ConstructorParameters<typeof ImportKeyMaterialCommand>[0]>) =>
      rejection(() => client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: oaep256(p.PublicKey!, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...input })));
    expect((await send({ ImportToken: randomBytes(256) })).name).toBe('InvalidImportTokenException');
    expect((await send({ EncryptedKeyMaterial: randomBytes(256) })).name).toBe('InvalidCiphertextException');
    expect(await send({ ExpirationModel: 'KEY_MATERIAL_EXPIRES' })).toMatchObject({ name: 'ValidationException', message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES' });
    // ExpirationModel defaults to KEY_MATERIAL_EXPIRES: without it, ValidTo is required.
    expect(await send({ ExpirationModel: undefined })).toMatchObject({ name: 'ValidationException', message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES' });
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
    expect((await send({ ValidTo: new Date(kms.clock.now() + 400 * DAY) })).name).toBe('ValidationException');
    const generated = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const unsupported = await rejection(() => params(client, generated));
    expect(unsupported).toMatchObject({ name: 'UnsupportedOperationException', message: `arn:aws:kms:us-east-1:111122223333:key/${generated} origin is AWS_KMS which is not valid for this operation.` });
    const sm2 = await rejection(() => client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' })));
    expect(sm2.name).toBe('ValidationException');

    await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: oaep256(p.PublicKey!, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    expect((await send({ EncryptedKeyMaterial: oaep256(p.PublicKey!, randomBytes(32)) })).name).toBe('IncorrectKeyMaterialException');
    kms.clock.advance('25h');
    expect((await send({})).name).toBe('ExpiredImportTokenException');
  });

  it('DeleteImportedKeyMaterial returns the key to PendingImport; Encrypt then fails with KMSInvalidStateException', async () => {
    const { client } = setup({ seed: 'aws-delete' });
    const keyId = await externalKey(client);
    const p = await params(client, keyId);
    const imported = await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: oaep256(p.PublicKey!, randomBytes(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    expect((await rejection(() => client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: '0'.repeat(64) })))).name).toBe('NotFoundException');
    const deleted = await client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect(deleted).toMatchObject({ KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, KeyMaterialId: imported.KeyMaterialId });
    // After deletion AWS shows the current material id, but no ExpirationModel (nor ValidTo).
    const meta = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(meta).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: imported.KeyMaterialId });
    expect(meta).not.toHaveProperty('ExpirationModel');
    expect(meta).not.toHaveProperty('ValidTo');
    const refused = await rejection(() => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('x') })));
    expect(refused).toMatchObject({ name: 'KMSInvalidStateException', message: `arn:aws:kms:us-east-1:111122223333:key/${keyId} is pending import.` });
  });
});
