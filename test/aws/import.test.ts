import {
  CreateKeyCommand,
  DisableKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  type ImportKeyMaterialCommandInput,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { aeskwp } from '@noble/ciphers/aes.js';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/index.js';
import { refused } from '../support/aws.js';
import { rejection, setup, START, str, text } from '../support/kms.js';
import { httpClient, serve } from '../support/server.js';

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
      ['ImportKeyMaterial', false, { keyId: p.KeyId, keyMaterialId: imported.KeyMaterialId }],
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
    // The 2025 members are checked against the model: enum, 64 lowercase hex digits, description pattern and length.
    for (const bad of [{ ImportType: 'NEWEST' as 'NEW_KEY_MATERIAL' }, { KeyMaterialId: 'A'.repeat(64) }, { KeyMaterialId: '__proto__' }, { KeyMaterialDescription: 'no <tags>' }, { KeyMaterialDescription: 'x'.repeat(257) }]) {
      expect((await send(bad)).name).toBe('ValidationException');
    }
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

/** An ImportKeyMaterial request for `material`, wrapped for `keyId` (GetParametersForImport is called here); `extra` adds or overrides members. */
async function importRequest(client: KMSClient, keyId: string, material: Uint8Array, extra: Partial<ImportKeyMaterialCommandInput> = {}): Promise<ImportKeyMaterialCommandInput> {
  const p = await params(client, keyId);
  return { KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: oaep256(p.PublicKey!, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra };
}

async function importMaterial(client: KMSClient, keyId: string, material: Uint8Array, extra: Partial<ImportKeyMaterialCommandInput> = {}) {
  return client.send(new ImportKeyMaterialCommand(await importRequest(client, keyId, material, extra)));
}

/** The import must be refused and change nothing (the parameters are fetched before). */
async function refusedImport(kms: Parameters<typeof refused>[0], client: KMSClient, keyId: string, material: Uint8Array, extra: Partial<ImportKeyMaterialCommandInput>) {
  const request = await importRequest(client, keyId, material, extra);
  return refused(kms, () => client.send(new ImportKeyMaterialCommand(request)));
}

async function allMaterial(client: KMSClient, keyId: string) {
  return (await client.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
}

const describeKey = async (client: KMSClient, keyId: string) => (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

/**
 * The 2025 model end to end: a first material, a NEW one pending rotation, the refused third,
 * RotateKeyOnDemand onto it, old ciphertexts still decrypting. `advance` moves the emulator's clock.
 */
async function rotateImportedMaterial(client: KMSClient, advance: (ms: number) => void, now: () => number) {
  const keyId = await externalKey(client);
  const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
  const [m1, m2, m3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const first = await importMaterial(client, keyId, m1, { KeyMaterialDescription: 'first material' });
  expect(first.KeyId).toBe(arn);
  const before = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('under the first material') }));

  const validTo = new Date(now() + 30 * DAY);
  const second = await importMaterial(client, keyId, m2, { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'second material', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
  expect(second.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
  // Imported, not yet used: the key still encrypts under the first material.
  expect(await describeKey(client, keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: first.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  expect((await client.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations).toEqual([]);
  expect(await allMaterial(client, keyId)).toEqual([
    { KeyId: keyId, KeyMaterialId: first.KeyMaterialId, KeyMaterialDescription: 'first material', ImportState: 'IMPORTED', KeyMaterialState: 'CURRENT', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
    { KeyId: keyId, KeyMaterialId: second.KeyMaterialId, KeyMaterialDescription: 'second material', ImportState: 'IMPORTED', KeyMaterialState: 'PENDING_ROTATION', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo },
  ]);

  // A second material pending rotation is refused, in AWS's words, and nothing changes.
  const thirdRequest = await importRequest(client, keyId, m3, { ImportType: 'NEW_KEY_MATERIAL' });
  const third = await rejection(() => client.send(new ImportKeyMaterialCommand(thirdRequest)));
  expect(third.name).toBe('KMSInvalidStateException');
  expect(third.message).toMatch(new RegExp(`^New key material \\(id: [0-9a-f]{64}\\) cannot be imported into KMS key ${keyId}, because another key material \\(id: ${second.KeyMaterialId}\\) is pending rotation\\.$`));
  expect(third.message).not.toContain(first.KeyMaterialId);
  expect(await allMaterial(client, keyId)).toHaveLength(2);

  const rotated = await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  expect(rotated.KeyId).toBe(arn);
  expect(await describeKey(client, keyId)).toMatchObject({ CurrentKeyMaterialId: second.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
  const [old, current] = await allMaterial(client, keyId);
  expect(old).toMatchObject({ KeyMaterialId: first.KeyMaterialId, KeyMaterialState: 'NON_CURRENT', ImportState: 'IMPORTED' });
  expect(current).toMatchObject({ KeyMaterialId: second.KeyMaterialId, KeyMaterialState: 'CURRENT', RotationType: 'ON_DEMAND', RotationDate: new Date(now()) });
  expect((await client.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!.map((r) => r.KeyMaterialId)).toEqual([second.KeyMaterialId]);

  // Old ciphertexts decrypt under their material; new ones use the new material.
  const oldPlain = await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
  expect([str(oldPlain.Plaintext), oldPlain.KeyMaterialId]).toEqual(['under the first material', first.KeyMaterialId]);
  const after = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('under the second') }));
  expect((await client.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).KeyMaterialId).toBe(second.KeyMaterialId);

  // No more material pending: the next rotation is refused, in AWS's words.
  advance(2000);
  const none = await rejection(() => client.send(new RotateKeyOnDemandCommand({ KeyId: keyId })));
  expect(none).toMatchObject({ name: 'KMSInvalidStateException', message: `No available key material pending rotation for the key: ${arn}.` });
  return { keyId, first: first.KeyMaterialId!, second: second.KeyMaterialId! };
}

describe('imported key material, the 2025 model (several materials per symmetric key)', () => {
  it('NEW_KEY_MATERIAL waits as PENDING_ROTATION; RotateKeyOnDemand makes it current; a second pending material is refused', async () => {
    const { kms, client } = setup({ seed: 'aws-import-rotate' });
    const { keyId, second } = await rotateImportedMaterial(client, (ms) => kms.clock.advance(ms), () => kms.clock.now());
    // CloudTrail, as AWS's 2025 example shows it: the import's type and description, the key ARN and the material id.
    const newImport = kms.aws.cloudTrail().find((r) => r.eventName === 'ImportKeyMaterial' && (r.requestParameters as { importType?: string } | null)?.importType === 'NEW_KEY_MATERIAL' && !r.errorCode)!;
    expect(newImport.requestParameters).toMatchObject({ keyId, expirationModel: 'KEY_MATERIAL_EXPIRES', importType: 'NEW_KEY_MATERIAL', keyMaterialDescription: 'second material' });
    expect(newImport.responseElements).toEqual({ keyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, keyMaterialId: second });
    // The rotation is a RotateKey service event of an EXTERNAL key.
    const rotateKey = kms.aws.cloudTrail().find((r) => r.eventName === 'RotateKey')!;
    expect(rotateKey.serviceEventDetails).toMatchObject({ rotationType: 'ON_DEMAND', keyOrigin: 'EXTERNAL' });
  });

  it('works the same over HTTP', async () => {
    const server = await serve({ seed: 'aws-import-http', clock: new ManualClock(START) });
    try {
      const clock = server.kms.clock as ManualClock;
      await rotateImportedMaterial(httpClient(server.url), (ms) => clock.advance(ms), () => clock.now());
    } finally {
      await server.close();
    }
  });

  it('RotateKeyOnDemand: KMSInvalidStateException without material; the key state before the key spec; UnsupportedOperationException for an enabled asymmetric key', async () => {
    const { kms, client } = setup({ seed: 'aws-rotate-states' });
    const keyId = await externalKey(client);
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    expect(await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toMatchObject({ name: 'KMSInvalidStateException', message: `${arn} is pending import.` });
    await importMaterial(client, keyId, randomBytes(32));
    expect(await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `No available key material pending rotation for the key: ${arn}.`,
    });
    // A disabled key is DisabledException, even an asymmetric one that could not rotate at all.
    const rsa = (await client.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    const ecc = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    await client.send(new DisableKeyCommand({ KeyId: rsa.KeyId }));
    expect(await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: rsa.KeyId })))).toMatchObject({ name: 'DisabledException', message: `${rsa.Arn} is disabled.` });
    // AWS answers this one without a message (the SDK then says "UnknownError").
    expect(await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: ecc.KeyId })))).toMatchObject({ name: 'UnsupportedOperationException', message: 'UnknownError' });
    // An imported asymmetric key: its state first (waiting for material), then, once imported, the same refusal.
    const eccExternal = (await client.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }))).KeyMetadata!;
    expect((await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: eccExternal.KeyId })))).name).toBe('KMSInvalidStateException');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const p = await client.send(new GetParametersForImportCommand({ KeyId: eccExternal.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const aesKey = randomBytes(32);
    const wrapped = Buffer.concat([oaep256(p.PublicKey!, aesKey), aeskwp(aesKey).encrypt(privateKey.export({ format: 'der', type: 'pkcs8' }))]);
    await client.send(new ImportKeyMaterialCommand({ KeyId: eccExternal.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    expect(await refused(kms, () => client.send(new RotateKeyOnDemandCommand({ KeyId: eccExternal.KeyId })))).toMatchObject({ name: 'UnsupportedOperationException', message: 'UnknownError' });
  });

  it('DeleteImportedKeyMaterial with a KeyMaterialId: a pending material goes; an older one leaves the key PendingImport until it is imported again', async () => {
    const { kms, client } = setup({ seed: 'aws-import-delete' });
    const keyId = await externalKey(client);
    const [m1, m2, m3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const first = await importMaterial(client, keyId, m1, { KeyMaterialDescription: 'kept' });
    const pending = await importMaterial(client, keyId, m2, { ImportType: 'NEW_KEY_MATERIAL' });
    // Deleting the pending material drops it altogether, and the key stays Enabled; another may take its place.
    const dropped = await client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pending.KeyMaterialId }));
    expect(dropped.KeyMaterialId).toBe(pending.KeyMaterialId);
    expect((await allMaterial(client, keyId)).map((r) => r.KeyMaterialId)).toEqual([first.KeyMaterialId]);
    expect((await describeKey(client, keyId)).KeyState).toBe('Enabled');
    const replacement = await importMaterial(client, keyId, m3, { ImportType: 'NEW_KEY_MATERIAL' });
    const enc = await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('first') }));
    await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));

    // Deleting the older (NON_CURRENT) material makes the key unusable until it comes back.
    await client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: first.KeyMaterialId }));
    const meta = await describeKey(client, keyId);
    expect(meta).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: replacement.KeyMaterialId });
    expect((await allMaterial(client, keyId)).map((r) => [r.KeyMaterialState, r.ImportState, r.ExpirationModel])).toEqual([
      ['NON_CURRENT', 'PENDING_IMPORT', undefined],
      ['CURRENT', 'IMPORTED', 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
    ]);
    // Re-importing other material as EXISTING_KEY_MATERIAL, or naming another material id, is refused and changes nothing.
    expect((await refusedImport(kms, client, keyId, randomBytes(32), { ImportType: 'EXISTING_KEY_MATERIAL' })).name).toBe('IncorrectKeyMaterialException');
    expect((await refusedImport(kms, client, keyId, m1, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: replacement.KeyMaterialId })).name).toBe('IncorrectKeyMaterialException');
    expect((await refusedImport(kms, client, keyId, m1, { KeyMaterialId: 'a'.repeat(64) })).name).toBe('NotFoundException');
    expect((await refusedImport(kms, client, keyId, m1, { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: first.KeyMaterialId })).name).toBe('ValidationException');
    expect((await refused(kms, () => client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: 'b'.repeat(64) })))).name).toBe('NotFoundException');
    // The same material with its id brings the key back; its description is kept.
    const back = await importMaterial(client, keyId, m1, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: first.KeyMaterialId });
    expect(back.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await describeKey(client, keyId)).KeyState).toBe('Enabled');
    expect((await allMaterial(client, keyId))[0]).toMatchObject({ KeyMaterialDescription: 'kept', ImportState: 'IMPORTED' });
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('first');
  });

  it('each material expires on its own: the older material expiring leaves the key PendingImport, with one DeleteExpiredKeyMaterial event', async () => {
    const { kms, client } = setup({ seed: 'aws-import-expiry' });
    const keyId = await externalKey(client);
    const first = await importMaterial(client, keyId, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(kms.clock.now() + 10 * DAY) });
    const second = await importMaterial(client, keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    await client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    kms.clock.advance('11d');
    expect(await describeKey(client, keyId)).toMatchObject({ KeyState: 'PendingImport', CurrentKeyMaterialId: second.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const expired = kms.aws.cloudTrail().filter((r) => r.eventName === 'DeleteExpiredKeyMaterial');
    expect(expired).toHaveLength(1);
    expect((await allMaterial(client, keyId)).map((r) => [r.KeyMaterialId, r.ImportState])).toEqual([
      [first.KeyMaterialId, 'PENDING_IMPORT'],
      [second.KeyMaterialId, 'IMPORTED'],
    ]);
  });

  it('ImportType and the other material options are for symmetric keys; asymmetric and HMAC keys show no key material ids', async () => {
    const { kms, client } = setup({ seed: 'aws-import-hmac' });
    const hmac = (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    expect((await refusedImport(kms, client, hmac.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' })).name).toBe('ValidationException');
    const imported = await importMaterial(client, hmac.KeyId!, randomBytes(32));
    expect(imported).not.toHaveProperty('KeyMaterialId');
    const meta = await describeKey(client, hmac.KeyId!);
    expect(meta).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(meta).not.toHaveProperty('CurrentKeyMaterialId');
    for (const input of [{ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }] as const) {
      const key = (await client.send(new CreateKeyCommand(input))).KeyMetadata!;
      expect(key).not.toHaveProperty('CurrentKeyMaterialId');
      expect(await describeKey(client, key.KeyId!)).not.toHaveProperty('CurrentKeyMaterialId');
    }
    // Symmetric keys, generated or imported, show it.
    expect((await client.send(new CreateKeyCommand({}))).KeyMetadata!.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('materials pending rotation survive a snapshot and its restore', async () => {
    const { kms, client } = setup({ seed: 'aws-import-snapshot' });
    const keyId = await externalKey(client);
    const first = await importMaterial(client, keyId, randomBytes(32), { KeyMaterialDescription: 'one' });
    const second = await importMaterial(client, keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'two', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(kms.clock.now() + DAY) });
    const listed = await allMaterial(client, keyId);
    const copy = setup({ seed: 'other' });
    copy.kms.restore(kms.snapshot());
    expect(await allMaterial(copy.client, keyId)).toEqual(listed);
    await copy.client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    expect((await describeKey(copy.client, keyId)).CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    // The restored expiry still fires: the current material goes at its ValidTo.
    copy.kms.clock.advance('2d');
    expect(await describeKey(copy.client, keyId)).toMatchObject({ KeyState: 'PendingImport' });
    expect(first.KeyMaterialId).not.toBe(second.KeyMaterialId);
  });
});
