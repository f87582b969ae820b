/**
 * A dry run checks everything and then refuses before any cryptography or change: a seeded
 * emulator that answered dry runs draws the same ids and keys afterwards as one that did not.
 */
import { describe, expect, it } from 'vitest';
import { setup } from '../support/kms.js';

describe('DryRun refuses before any cryptography', () => {
  it('draws no more randomness than a refused look-up (GenerateDataKeyPair, Encrypt, GenerateDataKey, Sign)', async () => {
    const { kms } = setup({ seed: 'dry-run-order' });
    const symmetric = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId as string;
    const signing = (await kms.aws.send('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId as string;
    kms.engine.discardChanges();
    const position = () => kms.engine.random.position!;
    // Every call draws its request id and audit event id, and nothing else when it is refused early.
    const before = position();
    expect((await kms.aws.invoke('DescribeKey', { KeyId: 'alias/missing' })).ok).toBe(false);
    const refusedLookUp = position() - before;
    const calls: Array<[string, Record<string, unknown>]> = [
      ['GenerateDataKeyPair', { KeyId: symmetric, KeyPairSpec: 'RSA_2048', DryRun: true }],
      ['Encrypt', { KeyId: symmetric, Plaintext: 'aGVsbG8=', DryRun: true }],
      ['GenerateDataKey', { KeyId: symmetric, KeySpec: 'AES_256', DryRun: true }],
      ['Sign', { KeyId: signing, Message: 'aGVsbG8=', SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }],
    ];
    for (const [operation, input] of calls) {
      const start = position();
      const outcome = await kms.aws.invoke(operation, input);
      expect(outcome.ok, operation).toBe(false);
      if (!outcome.ok) expect(outcome.error.name, operation).toBe('DryRunOperationException');
      expect(position() - start, operation).toBe(refusedLookUp);
    }
    // Nothing changed but the audit trail.
    expect(kms.engine.pendingChanges()).not.toBe('state');
  });

  it('still refuses what the call would refuse, before the dry-run answer', async () => {
    const { kms } = setup({ seed: 'dry-run-refusals' });
    const id = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId as string;
    await kms.aws.send('DisableKey', { KeyId: id });
    const outcome = await kms.aws.invoke('GenerateDataKeyPair', { KeyId: id, KeyPairSpec: 'RSA_2048', DryRun: true });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.name).toBe('DisabledException');
  });

  it('ReEncrypt still refuses an algorithm it would refuse, and records both keys', async () => {
    const { kms } = setup({ seed: 'dry-run-reencrypt' });
    const source = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId as string;
    const destination = (await kms.aws.send('CreateKey', {})).KeyMetadata.KeyId as string;
    const blob = (await kms.aws.send('Encrypt', { KeyId: source, Plaintext: 'aGVsbG8=' })).CiphertextBlob as string;
    const wrong = await kms.aws.invoke('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DryRun: true });
    expect(wrong.ok ? undefined : wrong.error.name).toBe('InvalidKeyUsageException');
    const dry = await kms.aws.invoke('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: destination, DryRun: true });
    expect(dry.ok ? undefined : dry.error.name).toBe('DryRunOperationException');
    const record = kms.aws.cloudTrail().at(-1)!;
    expect((record.resources as Array<{ ARN: string }>).map((r) => r.ARN.split('/').at(-1)).sort()).toEqual([source, destination].sort());
  });
});

