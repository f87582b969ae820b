import { AwsKmsMrkAwareSymmetricKeyringNode, buildAwsKmsMrkAwareStrictMultiKeyringNode, buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMS, ReplicateKeyCommand, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { setup } from '../support/kms.js';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** setup(), plus a clientProvider for the SDK's keyrings that records the regions it is asked for. */
function setupWithProvider() {
  const env = setup();
  // The keyring calls client.generateDataKey()/decrypt(): the aggregated KMS client, wired in process.
  const regions: string[] = [];
  const clientProvider = (region: string) => {
    regions.push(region);
    return new KMS({ ...env.kms.aws.clientConfig({ region }) });
  };
  return { ...env, clientProvider, regions };
}

describe('AWS Encryption SDK for JavaScript through the emulator', () => {
  it('encrypts and decrypts a message with an encryption context; CloudTrail shows GenerateDataKey and Decrypt', async () => {
    const { client, kms, clientProvider, regions } = setupWithProvider();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({ Description: 'esdk' }));
    const keyring = new KmsKeyringNode({ generatorKeyId: key!.Arn!, clientProvider });
    const message = new TextEncoder().encode('The quick brown fox jumps over the lazy dog. '.repeat(200));
    const context = { purpose: 'unit-test', tenant: 'acme' };

    const { result, messageHeader: written } = await encrypt(keyring, message, { encryptionContext: context });
    expect(result.length).toBeGreaterThan(message.length);
    expect(Buffer.from(result).includes(Buffer.from('quick brown fox'))).toBe(false);
    expect(written.encryptedDataKeys).toHaveLength(1);
    expect(written.encryptedDataKeys[0]!.providerId).toBe('aws-kms');
    expect(written.encryptedDataKeys[0]!.providerInfo).toBe(key!.Arn);

    const { plaintext, messageHeader } = await decrypt(keyring, result);
    expect(Buffer.from(plaintext).equals(Buffer.from(message))).toBe(true);
    expect(messageHeader.encryptionContext).toMatchObject(context);
    expect(regions.every((r) => r === 'us-east-1')).toBe(true);

    const records = kms.aws.cloudTrail((r) => r.eventName !== 'CreateKey');
    expect(records.map((r) => [r.eventName, r.errorCode])).toEqual([
      ['GenerateDataKey', undefined],
      ['Decrypt', undefined],
    ]);
    const [gdk, dec] = records;
    // The SDK binds its own context entries (the signing public key) next to the caller's.
    const fullContext = messageHeader.encryptionContext;
    expect(Object.keys(fullContext)).toContain('aws-crypto-public-key');
    expect(gdk!.requestParameters).toEqual({ keyId: key!.Arn, numberOfBytes: 32, encryptionContext: fullContext });
    expect(gdk!.additionalEventData).toEqual({ keyMaterialId: key!.CurrentKeyMaterialId });
    expect(gdk!.resources).toEqual([{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key!.Arn }]);
    expect(dec!.requestParameters).toEqual({ keyId: key!.Arn, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: fullContext });
    expect(dec!.additionalEventData).toEqual({ keyMaterialId: key!.CurrentKeyMaterialId });
    for (const r of records) {
      expect(r.eventSource).toBe('kms.amazonaws.com');
      expect(r.responseElements).toBeNull();
      expect(r.readOnly).toBe(true);
    }
  });

  it('encrypts to several keys; any one of them decrypts', async () => {
    const { client, kms, clientProvider } = setupWithProvider();
    const { KeyMetadata: a } = await client.send(new CreateKeyCommand({}));
    const { KeyMetadata: b } = await client.send(new CreateKeyCommand({}));
    const both = new KmsKeyringNode({ generatorKeyId: a!.Arn!, keyIds: [b!.Arn!], clientProvider });
    const { result, messageHeader } = await encrypt(both, 'multi-recipient', { encryptionContext: { app: 'x' } });
    expect(messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).toEqual([a!.Arn, b!.Arn]);

    const onlyB = new KmsKeyringNode({ generatorKeyId: b!.Arn!, clientProvider });
    const { plaintext } = await decrypt(onlyB, result);
    expect(Buffer.from(plaintext).toString()).toBe('multi-recipient');
    expect(kms.aws.cloudTrail((r) => r.eventName !== 'CreateKey').map((r) => [r.eventName, r.resources[0]!.ARN])).toEqual([
      ['GenerateDataKey', a!.Arn],
      ['Encrypt', b!.Arn],
      ['Decrypt', b!.Arn],
    ]);
  });

  it('messages written before a key rotation still decrypt after it', async () => {
    const { client, kms, clientProvider } = setupWithProvider();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    const keyring = new KmsKeyringNode({ generatorKeyId: key!.Arn!, clientProvider });
    const { result } = await encrypt(keyring, 'before rotation', { encryptionContext: { v: '1' } });
    await client.send(new RotateKeyOnDemandCommand({ KeyId: key!.KeyId }));
    kms.clock.advance('400d');
    const { plaintext } = await decrypt(keyring, result);
    expect(Buffer.from(plaintext).toString()).toBe('before rotation');
    const dec = kms.aws.cloudTrail((r) => r.eventName === 'Decrypt').at(-1)!;
    expect(dec.additionalEventData).toEqual({ keyMaterialId: key!.CurrentKeyMaterialId });
  });

  it('a disabled key makes the SDK fail to decrypt, and CloudTrail shows the refused Decrypt', async () => {
    const { client, kms, clientProvider } = setupWithProvider();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({}));
    const keyring = new KmsKeyringNode({ generatorKeyId: key!.Arn!, clientProvider });
    const { result } = await encrypt(keyring, 'locked', { encryptionContext: { v: '1' } });
    await client.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
    await expect(decrypt(keyring, result)).rejects.toThrow();
    const refused = kms.aws.cloudTrail((r) => r.eventName === 'Decrypt').at(-1)!;
    expect(refused.errorCode).toBe('DisabledException');
    expect(refused.errorMessage).toBe(`${key!.Arn} is disabled.`);
    await client.send(new EnableKeyCommand({ KeyId: key!.KeyId }));
    expect(Buffer.from((await decrypt(keyring, result)).plaintext).toString()).toBe('locked');
  });
});

describe('AWS Encryption SDK multi-Region-aware keyrings through the emulator', () => {
  it('decrypts under the replica in another Region what was encrypted under the primary', async () => {
    const { client, kms, clientProvider, regions } = setupWithProvider();
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({ MultiRegion: true }));
    const replicated = await client.send(new ReplicateKeyCommand({ KeyId: key!.KeyId, ReplicaRegion: 'eu-west-1' }));
    kms.clock.advance('5s');
    const message = new TextEncoder().encode('one key, two Regions');
    const context = { tenant: 'acme' };
    // Encrypt in us-east-1 with the MRK-aware strict keyring on the primary's ARN.
    const east = buildAwsKmsMrkAwareStrictMultiKeyringNode({ generatorKeyId: key!.Arn!, clientProvider });
    const { result } = await encrypt(east, message, { encryptionContext: context });
    // Decrypt in eu-west-1 with the symmetric MRK-aware keyring on the replica's ARN: no call goes to us-east-1.
    const westClient = clientProvider('eu-west-1');
    regions.length = 0;
    const west = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: replicated.ReplicaKeyMetadata!.Arn!, client: westClient });
    const { plaintext, messageHeader } = await decrypt(west, result);
    expect(new TextDecoder().decode(plaintext)).toBe('one key, two Regions');
    expect(messageHeader.encryptionContext).toMatchObject(context);
    const decrypts = kms.aws.cloudTrail((r) => r.eventName === 'Decrypt');
    expect(decrypts.map((r) => [r.awsRegion, r.resources![0]!.ARN, r.errorCode])).toEqual([['eu-west-1', replicated.ReplicaKeyMetadata!.Arn, undefined]]);
    // The strict multi-keyring on the replica's ARN decrypts it too.
    const strictWest = buildAwsKmsMrkAwareStrictMultiKeyringNode({ keyIds: [replicated.ReplicaKeyMetadata!.Arn!], clientProvider });
    expect(new TextDecoder().decode((await decrypt(strictWest, result)).plaintext)).toBe('one key, two Regions');
    // A single-Region key's ARN in the other Region cannot stand in for it.
    const single = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const wrong = new AwsKmsMrkAwareSymmetricKeyringNode({ keyId: single.Arn!.replace('us-east-1', 'eu-west-1'), client: westClient });
    await expect(decrypt(wrong, result)).rejects.toThrow();
  });
});
