import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  GenerateMacCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  DeleteImportedKeyMaterialCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UpdatePrimaryRegionCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, arnOf, createKey, DAY, describeKey, refused, T0 } from '../support/aws.js';
import { rejection, setup, str, text } from '../support/kms.js';

const WEST = 'us-west-2';

/** An emulator with a client in us-east-1 (the primary's Region) and one in us-west-2. */
function twoRegions() {
  const { kms, client } = setup();
  const west = new KMSClient({ ...kms.aws.clientConfig({ region: WEST }) });
  return { kms, east: client, west };
}

async function primaryKey(client: KMSClient, input: Parameters<typeof createKey>[1] = {}) {
  return createKey(client, { MultiRegion: true, ...input });
}

describe('CreateKey with MultiRegion', () => {
  it('makes an mrk- key whose MultiRegionConfiguration reads PRIMARY with no replicas', async () => {
    const { client } = setup();
    const key = await primaryKey(client);
    expect(key.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(key.MultiRegion).toBe(true);
    expect(key.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: arnOf(key.KeyId!), Region: 'us-east-1' },
      ReplicaKeys: [],
    });
    const single = await createKey(client);
    expect(single.MultiRegion).toBe(false);
    expect(single.MultiRegionConfiguration).toBeUndefined();
  });

  it('makes multi-Region keys of asymmetric, HMAC and imported kinds', async () => {
    const { client } = setup();
    for (const input of [
      { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
      { Origin: 'EXTERNAL' },
    ] as const) {
      const key = await primaryKey(client, input);
      expect(key.KeyId).toMatch(/^mrk-/);
      expect(key.MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY');
    }
  });
});

describe('ReplicateKey', () => {
  it('makes a Creating replica with its own ARN, description, tags and policy; Enabled after a few seconds', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east, { Description: 'primary', Tags: [{ TagKey: 'side', TagValue: 'east' }] });
    const out = await east.send(
      new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST, Description: 'replica', Tags: [{ TagKey: 'side', TagValue: 'west' }] }),
    );
    const replica = out.ReplicaKeyMetadata!;
    expect(replica.KeyId).toBe(key.KeyId);
    expect(replica.Arn).toBe(arnOf(key.KeyId!, WEST));
    expect(replica.KeyState).toBe('Creating');
    expect(replica.Enabled).toBe(false);
    expect(replica.Description).toBe('replica');
    expect(replica.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Arn: key.Arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: replica.Arn, Region: WEST }],
    });
    expect(out.ReplicaTags).toEqual([{ TagKey: 'side', TagValue: 'west' }]);
    expect(JSON.parse(out.ReplicaPolicy!).Statement[0].Principal.AWS).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    // The primary keeps its own description and lists the replica.
    const primary = await describeKey(east, key.KeyId!);
    expect(primary.Description).toBe('primary');
    expect(primary.MultiRegionConfiguration!.ReplicaKeys).toEqual([{ Arn: replica.Arn, Region: WEST }]);
    // Creating: manageable, not usable.
    const early = await rejection(() => west.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })));
    expect(early.name).toBe('KMSInvalidStateException');
    expect(early.message).toBe(`${replica.Arn} is creating.`);
    await west.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'while', TagValue: 'creating' }] }));
    kms.clock.advance('5s');
    expect((await describeKey(west, key.KeyId!)).KeyState).toBe('Enabled');
  });

  it('shares key material: a ciphertext of either Region decrypts in the other', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    const fromEast = await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('eastern'), EncryptionContext: { a: 'b' } }));
    const inWest = await west.send(new DecryptCommand({ CiphertextBlob: fromEast.CiphertextBlob, KeyId: arnOf(key.KeyId!, WEST), EncryptionContext: { a: 'b' } }));
    expect(str(inWest.Plaintext)).toBe('eastern');
    expect(inWest.KeyId).toBe(arnOf(key.KeyId!, WEST));
    const fromWest = await west.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('western') }));
    expect(str((await east.send(new DecryptCommand({ CiphertextBlob: fromWest.CiphertextBlob }))).Plaintext)).toBe('western');
    // A single-Region key's ciphertext does not decrypt in another Region.
    const single = await createKey(east);
    const blob = (await east.send(new EncryptCommand({ KeyId: single.KeyId, Plaintext: text('x') }))).CiphertextBlob;
    expect((await rejection(() => west.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe('AccessDeniedException');
  });

  it('replicates asymmetric and HMAC keys with the same key pair and secret', async () => {
    const { kms, east, west } = twoRegions();
    const signing = await primaryKey(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const mac = await primaryKey(east, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const k of [signing, mac]) await east.send(new ReplicateKeyCommand({ KeyId: k.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    const [pubEast, pubWest] = await Promise.all([east, west].map((c) => c.send(new GetPublicKeyCommand({ KeyId: signing.KeyId }))));
    expect(pubWest!.PublicKey).toEqual(pubEast!.PublicKey);
    const sig = await east.send(new SignCommand({ KeyId: signing.KeyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    const verified = await west.send(new VerifyCommand({ KeyId: signing.KeyId, Message: text('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: sig.Signature }));
    expect(verified.SignatureValid).toBe(true);
    const tag = await east.send(new GenerateMacCommand({ KeyId: mac.KeyId, Message: text('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    const ok = await west.send(new VerifyMacCommand({ KeyId: mac.KeyId, Message: text('m'), MacAlgorithm: 'HMAC_SHA_256', Mac: tag.Mac }));
    expect(ok.MacValid).toBe(true);
  });

  it('gives each replica its own state and aliases', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    await west.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await west.send(new CreateAliasCommand({ AliasName: 'alias/west-only', TargetKeyId: key.KeyId }));
    expect((await describeKey(east, key.KeyId!)).KeyState).toBe('Enabled');
    expect((await describeKey(west, key.KeyId!)).KeyState).toBe('Disabled');
    expect((await east.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).not.toContain('alias/west-only');
    expect((await describeKey(west, 'alias/west-only')).Arn).toBe(arnOf(key.KeyId!, WEST));
    expect((await rejection(() => east.send(new DescribeKeyCommand({ KeyId: 'alias/west-only' })))).name).toBe('NotFoundException');
    await west.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  });

  it('sends rotation of the primary to every replica; a replica cannot rotate on its own', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    const old = (await west.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('old') }))).CiphertextBlob;
    await east.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const current = (await describeKey(east, key.KeyId!)).CurrentKeyMaterialId;
    expect((await describeKey(west, key.KeyId!)).CurrentKeyMaterialId).toBe(current);
    expect(str((await east.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('old');
    await east.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    expect((await west.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays).toBe(90);
    kms.clock.advance('91d');
    const rotated = (await describeKey(east, key.KeyId!)).CurrentKeyMaterialId;
    expect(rotated).not.toBe(current);
    expect((await describeKey(west, key.KeyId!)).CurrentKeyMaterialId).toBe(rotated);
    const [eastStatus, westStatus] = [await east.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })), await west.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))];
    expect(westStatus.NextRotationDate).toEqual(eastStatus.NextRotationDate);
    const replicaRotation = await refused(kms, () => west.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })));
    expect(replicaRotation.name).toBe('UnsupportedOperationException');
    expect(replicaRotation.message).toBe(`${arnOf(key.KeyId!, WEST)} is not a multi-region primary key.`);
  });

  it('refuses what AWS refuses, changing nothing', async () => {
    const { kms, east, west } = twoRegions();
    const single = await createKey(east);
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    const notMrk = await refused(kms, () => east.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: WEST })));
    expect(notMrk.name).toBe('UnsupportedOperationException');
    const again = await refused(kms, () => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST })));
    expect(again.name).toBe('AlreadyExistsException');
    const home = await refused(kms, () => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'us-east-1' })));
    expect(home.name).toBe('AlreadyExistsException');
    const replicaOfReplica = await refused(kms, () => west.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' })));
    expect(replicaOfReplica.name).toBe('UnsupportedOperationException');
    expect(replicaOfReplica.message).toBe(`${arnOf(key.KeyId!, WEST)} is not a multi-region primary key.`);
    for (const region of ['xx-nowhere-1', 'cn-north-1']) {
      const unknown = await refused(kms, () => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: region })));
      expect(unknown.name).toBe('UnsupportedOperationException');
    }
    const malformed = await refused(kms, () => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'not a region' })));
    expect(malformed.name).toBe('ValidationException');
    const elsewhere = await refused(kms, () => new KMSClient({ ...kms.aws.clientConfig({ region: 'eu-west-1' }) }).send(new DescribeKeyCommand({ KeyId: key.KeyId })));
    expect(elsewhere.name).toBe('NotFoundException');
    await east.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const disabled = await refused(kms, () => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' })));
    expect(disabled.name).toBe('DisabledException');
  });

  it('records ReplicateKey in the primary Region and CreateKey in the replica Region', async () => {
    const { kms, east } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST, Description: 'r' }));
    const trail = kms.aws.cloudTrail().slice(-2);
    const create = trail.find((r) => r.eventName === 'CreateKey')!;
    const replicate = trail.find((r) => r.eventName === 'ReplicateKey')!;
    expect(replicate.awsRegion).toBe('us-east-1');
    expect(replicate.requestParameters).toMatchObject({ keyId: key.KeyId, replicaRegion: WEST });
    expect(create.awsRegion).toBe(WEST);
    expect(create.resources).toEqual([{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arnOf(key.KeyId!, WEST) }]);
    expect((create.responseElements as any).keyMetadata.keyState).toBe('Creating');
    expect(replicate.resources).toEqual([{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: key.Arn }]);
    const replicaMetadata = (replicate.responseElements as any).replicaKeyMetadata;
    expect(replicaMetadata).toMatchObject({ keyState: 'Creating', multiRegion: true, arn: arnOf(key.KeyId!, WEST) });
    expect(replicaMetadata.multiRegionConfiguration).toEqual({
      multiRegionKeyType: 'REPLICA',
      primaryKey: { arn: key.Arn, region: 'us-east-1' },
      replicaKeys: [{ arn: arnOf(key.KeyId!, WEST), region: WEST }],
    });
    expect(typeof (replicate.responseElements as any).replicaPolicy).toBe('string');
  });
});

/** Wraps `material` for `keyId` (RSAES_OAEP_SHA_256) and imports it. */
async function importMaterial(client: KMSClient, keyId: string, material: Uint8Array, importType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL') {
  const p = await client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const key = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return client.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: p.ImportToken,
      EncryptedKeyMaterial: wrapped,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ...(importType ? { ImportType: importType } : {}),
    }),
  );
}

/** The KeyMaterialState of each material of the key, by id. */
async function materialStates(client: KMSClient, keyId: string) {
  const out = await client.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
  return Object.fromEntries(out.Rotations!.map((r) => [r.KeyMaterialId!, r.KeyMaterialState]));
}

/** An imported multi-Region key with material in us-east-1 and a replica in us-west-2 holding the same material. */
async function importedFamily() {
  const regions = twoRegions();
  const { kms, east, west } = regions;
  const key = await primaryKey(east, { Origin: 'EXTERNAL' });
  const first = randomBytes(32);
  const imported = await importMaterial(east, key.KeyId!, first);
  await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
  kms.clock.advance('5s');
  await importMaterial(west, key.KeyId!, first);
  return { ...regions, keyId: key.KeyId!, firstId: imported.KeyMaterialId! };
}

describe('multi-Region keys with imported material', () => {
  it('makes a replica without material (PendingImport once created) that takes the same material only', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east, { Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const imported = await importMaterial(east, key.KeyId!, material);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    expect((await describeKey(west, key.KeyId!)).KeyState).toBe('PendingImport');
    const other = await rejection(() => importMaterial(west, key.KeyId!, randomBytes(32)));
    expect(other.name).toBe('IncorrectKeyMaterialException');
    const same = await importMaterial(west, key.KeyId!, material);
    expect(same.KeyMaterialId).toBe(imported.KeyMaterialId);
    expect((await describeKey(west, key.KeyId!)).KeyState).toBe('Enabled');
    const blob = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('byok') }))).CiphertextBlob;
    expect(str((await west.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('byok');
  });
});

describe('rotating imported material of a multi-Region key', () => {
  it('rotates every member onto the new material once each replica holds it; both materials decrypt in every Region', async () => {
    const { east, west, keyId, firstId } = await importedFamily();
    const before = (await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('before') }))).CiphertextBlob;
    const second = randomBytes(32);
    const pending = await importMaterial(east, keyId, second, 'NEW_KEY_MATERIAL');
    const secondId = pending.KeyMaterialId!;
    expect(await materialStates(east, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' });
    expect(await materialStates(west, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' });
    const replicaImport = await importMaterial(west, keyId, second, 'EXISTING_KEY_MATERIAL');
    expect(replicaImport.KeyMaterialId).toBe(secondId);
    expect(await materialStates(east, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_ROTATION' });
    await east.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    for (const client of [east, west]) {
      expect(await materialStates(client, keyId)).toEqual({ [firstId]: 'NON_CURRENT', [secondId]: 'CURRENT' });
      expect((await describeKey(client, keyId)).CurrentKeyMaterialId).toBe(secondId);
    }
    const after = (await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('after') }))).CiphertextBlob;
    const inWest = (await west.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('west') }))).CiphertextBlob;
    for (const client of [east, west]) {
      const a = await client.send(new DecryptCommand({ CiphertextBlob: before }));
      expect([str(a.Plaintext), a.KeyMaterialId]).toEqual(['before', firstId]);
      const b = await client.send(new DecryptCommand({ CiphertextBlob: after }));
      expect([str(b.Plaintext), b.KeyMaterialId]).toEqual(['after', secondId]);
      expect(str((await client.send(new DecryptCommand({ CiphertextBlob: inWest }))).Plaintext)).toBe('west');
    }
  });

  it('refuses the rotation while a replica lacks the material, and new material imported into a replica, changing nothing', async () => {
    const { kms, east, west, keyId, firstId } = await importedFamily();
    const second = randomBytes(32);
    const secondId = (await importMaterial(east, keyId, second, 'NEW_KEY_MATERIAL')).KeyMaterialId!;
    const early = await rejection(() => east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })));
    expect(early.name).toBe('KMSInvalidStateException');
    const replicaNew = await rejection(() => importMaterial(west, keyId, randomBytes(32), 'NEW_KEY_MATERIAL'));
    expect([replicaNew.name, replicaNew.message]).toEqual(['UnsupportedOperationException', `${arnOf(keyId, WEST)} is not a multi-region primary key.`]);
    const wrong = await rejection(() => importMaterial(west, keyId, randomBytes(32), 'EXISTING_KEY_MATERIAL'));
    expect(wrong.name).toBe('IncorrectKeyMaterialException');
    for (const client of [east, west]) {
      expect(await materialStates(client, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' });
      expect((await describeKey(client, keyId)).CurrentKeyMaterialId).toBe(firstId);
    }
    // The family's on-demand rotations were not counted: the state survives a snapshot, and the rotation succeeds later.
    const other = setup();
    other.kms.restore(JSON.parse(JSON.stringify(kms.snapshot())));
    const otherWest = new KMSClient({ ...other.kms.aws.clientConfig({ region: WEST }) });
    expect(await materialStates(otherWest, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' });
    await importMaterial(otherWest, keyId, second, 'EXISTING_KEY_MATERIAL');
    await other.client.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    expect((await describeKey(otherWest, keyId)).CurrentKeyMaterialId).toBe(secondId);
  });

  it('a replica made while material is pending knows it without the primary’s import; after UpdatePrimaryRegion the new primary rotates the family', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east, { Origin: 'EXTERNAL' });
    const keyId = key.KeyId!;
    const [first, second] = [randomBytes(32), randomBytes(32)];
    const firstId = (await importMaterial(east, keyId, first)).KeyMaterialId!;
    const secondId = (await importMaterial(east, keyId, second, 'NEW_KEY_MATERIAL')).KeyMaterialId!;
    await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    const listed = await west.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    expect(listed.Rotations!.map((r) => [r.KeyMaterialId, r.ImportState, r.KeyMaterialState, r.ValidTo, r.ExpirationModel])).toEqual([
      [firstId, 'PENDING_IMPORT', 'CURRENT', undefined, undefined],
      [secondId, 'PENDING_IMPORT', 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION', undefined, undefined],
    ]);
    await importMaterial(west, keyId, first);
    await importMaterial(west, keyId, second, 'EXISTING_KEY_MATERIAL');
    expect(await materialStates(east, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_ROTATION' });
    await east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: WEST }));
    kms.clock.advance('5s');
    const before = (await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('before') }))).CiphertextBlob;
    expect((await rejection(() => east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).name).toBe('UnsupportedOperationException');
    await west.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    for (const client of [east, west]) {
      expect(await materialStates(client, keyId)).toEqual({ [firstId]: 'NON_CURRENT', [secondId]: 'CURRENT' });
      expect(str((await client.send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext)).toBe('before');
    }
    const after = (await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: text('after') }))).CiphertextBlob;
    expect((await west.send(new DecryptCommand({ CiphertextBlob: after }))).KeyMaterialId).toBe(secondId);
  });

  it('deleting the primary pending material deletes it from the replicas; a replica deleting its copy changes only itself', async () => {
    const { east, west, keyId, firstId } = await importedFamily();
    const second = randomBytes(32);
    const secondId = (await importMaterial(east, keyId, second, 'NEW_KEY_MATERIAL')).KeyMaterialId!;
    await importMaterial(west, keyId, second, 'EXISTING_KEY_MATERIAL');
    await west.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: secondId }));
    expect(await materialStates(east, keyId)).toEqual({ [firstId]: 'CURRENT', [secondId]: 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION' });
    expect((await describeKey(west, keyId)).KeyState).toBe('Enabled');
    await importMaterial(west, keyId, second, 'EXISTING_KEY_MATERIAL');
    await east.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: secondId }));
    for (const client of [east, west]) expect(await materialStates(client, keyId)).toEqual({ [firstId]: 'CURRENT' });
    const gone = await rejection(() => importMaterial(west, keyId, second, 'EXISTING_KEY_MATERIAL'));
    expect(gone.name).toBe('IncorrectKeyMaterialException');
  });
});

describe('UpdatePrimaryRegion', () => {
  it('swaps the roles of primary and replica, both Updating for a few seconds', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    await east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: WEST }));
    const [e, w] = [await describeKey(east, key.KeyId!), await describeKey(west, key.KeyId!)];
    expect([e.KeyState, w.KeyState]).toEqual(['Updating', 'Updating']);
    expect(e.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Arn: arnOf(key.KeyId!, WEST), Region: WEST },
      ReplicaKeys: [{ Arn: key.Arn, Region: 'us-east-1' }],
    });
    expect(w.MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY');
    // Updating keys still encrypt, but are not enabled or disabled.
    await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    expect((await rejection(() => west.send(new DisableKeyCommand({ KeyId: key.KeyId })))).message).toBe(`${arnOf(key.KeyId!, WEST)} is updating.`);
    kms.clock.advance('5s');
    expect((await describeKey(east, key.KeyId!)).KeyState).toBe('Enabled');
    expect((await describeKey(west, key.KeyId!)).KeyState).toBe('Enabled');
    // Now only the new primary replicates.
    expect((await rejection(() => east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' })))).name).toBe('UnsupportedOperationException');
    await west.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }));
  });

  it('refuses a Region without a replica (NotFoundException) and a replica as KeyId, changing nothing', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    const missing = await refused(kms, () => east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'eu-west-1' })));
    expect(missing.name).toBe('NotFoundException');
    const fromReplica = await refused(kms, () => west.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'us-east-1' })));
    expect(fromReplica.name).toBe('UnsupportedOperationException');
  });
});

describe('deleting multi-Region keys', () => {
  it('keeps a primary with replicas in PendingReplicaDeletion; its waiting period starts when the last replica is deleted', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    const scheduled = await east.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(scheduled.KeyState).toBe('PendingReplicaDeletion');
    expect(scheduled.DeletionDate).toBeUndefined();
    expect(scheduled.PendingWindowInDays).toBe(7);
    const waiting = await describeKey(east, key.KeyId!);
    expect(waiting.KeyState).toBe('PendingReplicaDeletion');
    expect(waiting.PendingDeletionWindowInDays).toBe(7);
    await west.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));
    kms.clock.advance('10d');
    expect((await rejection(() => west.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe('NotFoundException');
    const primary = await describeKey(east, key.KeyId!);
    expect(primary.KeyState).toBe('PendingDeletion');
    expect(primary.MultiRegionConfiguration!.ReplicaKeys).toEqual([]);
    const deletionDate = T0 + 5_000 + 10 * DAY + 7 * DAY;
    expect(primary.DeletionDate).toEqual(new Date(deletionDate));
    kms.clock.advance('7d');
    expect((await rejection(() => east.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe('NotFoundException');
  });

  it('cancels a PendingReplicaDeletion like a pending deletion: the key is Disabled', async () => {
    const { kms, east } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    kms.clock.advance('5s');
    await east.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    await east.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await describeKey(east, key.KeyId!)).KeyState).toBe('Disabled');
  });
});

describe('a multi-Region family in snapshots', () => {
  it('survives snapshot and restore, with a replica still Creating', async () => {
    const { kms, east, west } = twoRegions();
    const key = await primaryKey(east);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: WEST }));
    const blob = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('kept') }))).CiphertextBlob;
    const snapshot = JSON.parse(JSON.stringify(kms.snapshot()));
    const other = setup();
    other.kms.restore(snapshot);
    const otherWest = new KMSClient({ ...other.kms.aws.clientConfig({ region: WEST }) });
    expect((await describeKey(otherWest, key.KeyId!)).KeyState).toBe('Creating');
    other.kms.clock.advance('5s');
    const replica = await describeKey(otherWest, key.KeyId!);
    expect(replica.KeyState).toBe('Enabled');
    expect(replica.MultiRegionConfiguration!.PrimaryKey!.Region).toBe('us-east-1');
    expect(str((await otherWest.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('kept');
    void west;
  });
});
