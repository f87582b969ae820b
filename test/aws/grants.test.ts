import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { rejection, setup, str, text } from '../support/kms.js';

const GRANTEE_ACCOUNT = '444455556666';

function twoAccounts() {
  const { kms, client } = setup({ seed: 'aws-grants' });
  const grantee = new KMSClient({ ...kms.aws.clientConfig({ account: GRANTEE_ACCOUNT }) });
  return { kms, owner: client, grantee };
}

async function newKey(client: KMSClient): Promise<string> {
  return (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
}

describe('grants (AWS)', () => {
  it('CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant', async () => {
    const { kms, owner } = twoAccounts();
    const arn = await newKey(owner);
    const created = await owner.send(
      new CreateGrantCommand({
        KeyId: arn,
        GranteePrincipal: `arn:aws:iam::${GRANTEE_ACCOUNT}:root`,
        RetiringPrincipal: 'arn:aws:iam::111122223333:role/retirer',
        Operations: ['Encrypt', 'Decrypt'],
        Constraints: { EncryptionContextSubset: { app: 'orders' } },
        Name: 'orders-app',
      }),
    );
    expect(created.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(created.GrantToken).toBeTruthy();

    // Name idempotency: the same request returns the same grant.
    const again = await owner.send(
      new CreateGrantCommand({
        KeyId: arn,
        GranteePrincipal: `arn:aws:iam::${GRANTEE_ACCOUNT}:root`,
        RetiringPrincipal: 'arn:aws:iam::111122223333:role/retirer',
        Operations: ['Decrypt', 'Encrypt'],
        Constraints: { EncryptionContextSubset: { app: 'orders' } },
        Name: 'orders-app',
      }),
    );
    expect(again.GrantId).toBe(created.GrantId);

    const listed = await owner.send(new ListGrantsCommand({ KeyId: arn }));
    expect(listed.Truncated).toBe(false);
    expect(listed.Grants).toHaveLength(1);
    expect(listed.Grants![0]).toMatchObject({
      KeyId: arn,
      GrantId: created.GrantId,
      Name: 'orders-app',
      GranteePrincipal: `arn:aws:iam::${GRANTEE_ACCOUNT}:root`,
      RetiringPrincipal: 'arn:aws:iam::111122223333:role/retirer',
      IssuingAccount: 'arn:aws:iam::111122223333:root',
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { app: 'orders' } },
    });
    expect(listed.Grants![0]!.CreationDate).toBeInstanceOf(Date);
    const retirable = await owner.send(new ListRetirableGrantsCommand({ RetiringPrincipal: 'arn:aws:iam::111122223333:role/retirer' }));
    expect(retirable.Grants!.map((g) => g.GrantId)).toEqual([created.GrantId]);

    const second = await owner.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: 'arn:aws:iam::111122223333:user/u', Operations: ['DescribeKey'] }));
    const firstPage = await owner.send(new ListGrantsCommand({ KeyId: arn, Limit: 1 }));
    expect(firstPage.Truncated).toBe(true);
    const nextPage = await owner.send(new ListGrantsCommand({ KeyId: arn, Limit: 1, Marker: firstPage.NextMarker }));
    expect(nextPage.Grants!.map((g) => g.GrantId)).toEqual([second.GrantId]);

    await owner.send(new RetireGrantCommand({ GrantToken: created.GrantToken }));
    await owner.send(new RevokeGrantCommand({ KeyId: arn, GrantId: second.GrantId }));
    expect((await owner.send(new ListGrantsCommand({ KeyId: arn }))).Grants).toEqual([]);

    const trail = kms.aws.cloudTrail((r) => r.eventName === 'CreateGrant');
    expect(trail[0]!.responseElements).toMatchObject({ grantId: created.GrantId, keyId: arn });
    expect(JSON.stringify(trail)).not.toContain(created.GrantToken!);
  });

  it('let a grantee account use the key by ARN for the granted operations and constraints only', async () => {
    const { owner, grantee } = twoAccounts();
    const arn = await newKey(owner);
    // Before any grant, the key does not exist for the other account.
    expect((await rejection(() => grantee.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x') })))).name).toBe('NotFoundException');

    const { GrantId } = await owner.send(
      new CreateGrantCommand({
        KeyId: arn,
        GranteePrincipal: GRANTEE_ACCOUNT,
        Operations: ['Encrypt', 'GenerateDataKey'],
        Constraints: { EncryptionContextEquals: { tenant: 't1' } },
      }),
    );
    const sealed = await grantee.send(new EncryptCommand({ KeyId: arn, Plaintext: text('cross-account'), EncryptionContext: { tenant: 't1' } }));
    expect(sealed.KeyId).toBe(arn);
    const opened = await owner.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { tenant: 't1' } }));
    expect(str(opened.Plaintext)).toBe('cross-account');

    const wrongContext = await rejection(() => grantee.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: 'AES_256', EncryptionContext: { tenant: 't2' } })));
    expect(wrongContext.name).toBe('AccessDeniedException');
    expect((await rejection(() => grantee.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: { tenant: 't1' } })))).name).toBe(
      'AccessDeniedException',
    );
    expect((await rejection(() => grantee.send(new DescribeKeyCommand({ KeyId: arn })))).name).toBe('AccessDeniedException');

    await owner.send(new RevokeGrantCommand({ KeyId: arn, GrantId }));
    expect((await rejection(() => grantee.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), EncryptionContext: { tenant: 't1' } })))).name).toBe(
      'NotFoundException',
    );
  });

  it('answer AWS errors for unknown grants and tokens, key states and dry runs, changing nothing', async () => {
    const { kms, owner } = twoAccounts();
    const arn = await newKey(owner);
    const { GrantId, GrantToken } = await owner.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: 'arn:aws:iam::111122223333:user/u', Operations: ['Encrypt'] }));
    const before = JSON.stringify(kms.snapshot().realms);

    expect((await rejection(() => owner.send(new RevokeGrantCommand({ KeyId: arn, GrantId: 'a'.repeat(64) })))).name).toBe('InvalidGrantIdException');
    expect((await rejection(() => owner.send(new RetireGrantCommand({ GrantToken: 'bm90LWEtdG9rZW4=' })))).name).toBe('InvalidGrantTokenException');
    expect((await rejection(() => owner.send(new ListGrantsCommand({ KeyId: arn, GrantId: 'b'.repeat(64) })))).name).toBe('InvalidGrantIdException');
    expect((await rejection(() => owner.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), GrantTokens: ['nope'] })))).name).toBe('InvalidGrantTokenException');
    expect((await rejection(() => owner.send(new RetireGrantCommand({ GrantId })))).name).toBe('ValidationException');
    expect((await rejection(() => owner.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: 'x', Operations: ['Encrypt'], DryRun: true })))).name).toBe(
      'DryRunOperationException',
    );
    expect((await rejection(() => owner.send(new RevokeGrantCommand({ KeyId: arn, GrantId, DryRun: true })))).name).toBe('DryRunOperationException');
    expect((await rejection(() => owner.send(new RetireGrantCommand({ GrantToken, DryRun: true })))).name).toBe('DryRunOperationException');
    expect((await rejection(() => owner.send(new CreateGrantCommand({ KeyId: 'alias/x', GranteePrincipal: 'x', Operations: ['Encrypt'] })))).name).toBe(
      'NotFoundException',
    );
    expect((await rejection(() => owner.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: 'x', Operations: ['Dance' as 'Encrypt'] })))).name).toBe(
      'ValidationException',
    );
    expect(JSON.stringify(kms.snapshot().realms)).toBe(before);

    // Valid grant tokens are accepted with any operation.
    await owner.send(new EncryptCommand({ KeyId: arn, Plaintext: text('x'), GrantTokens: [GrantToken!] }));
    await owner.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }));
    expect((await rejection(() => owner.send(new CreateGrantCommand({ KeyId: arn, GranteePrincipal: 'x', Operations: ['Encrypt'] })))).name).toBe(
      'KMSInvalidStateException',
    );
  });

  it('refuse a grant for operations the key does not support, or for CreateGrant alone, changing nothing', async () => {
    const { kms, owner } = twoAccounts();
    const symmetric = await newKey(owner);
    const rsa = (await owner.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!.Arn!;
    const signing = (await owner.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
    const mac = (await owner.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!.Arn!;
    const before = JSON.stringify(kms.snapshot().realms);
    const refused = async (KeyId: string, Operations: string[], Constraints?: { EncryptionContextSubset: Record<string, string> }) =>
      rejection(() => owner.send(new CreateGrantCommand({ KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:role/r', Operations: Operations as ['Encrypt'], ...(Constraints ? { Constraints } : {}) })));

    expect(await refused(symmetric, ['CreateGrant'])).toMatchObject({ name: 'ValidationException', message: 'Grants must not contain only the CreateGrant operation.' });
    expect(await refused(symmetric, ['Encrypt', 'Sign'])).toMatchObject({
      name: 'ValidationException',
      message: 'Grant operations Sign are not valid for a KMS key with KeySpec SYMMETRIC_DEFAULT and KeyUsage ENCRYPT_DECRYPT.',
    });
    expect((await refused(symmetric, ['GetPublicKey'])).name).toBe('ValidationException');
    expect((await refused(rsa, ['GenerateDataKey'])).name).toBe('ValidationException');
    expect((await refused(signing, ['Decrypt'])).name).toBe('ValidationException');
    expect((await refused(mac, ['Encrypt'])).name).toBe('ValidationException');
    // Encryption-context constraints only on symmetric encryption keys.
    expect(await refused(rsa, ['Decrypt'], { EncryptionContextSubset: { a: 'b' } })).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('constraints') });
    expect(JSON.stringify(kms.snapshot().realms)).toBe(before);

    // What each key supports, with the operations any grant may allow.
    for (const [KeyId, Operations] of [
      [symmetric, ['Encrypt', 'Decrypt', 'GenerateDataKeyPair', 'ReEncryptTo', 'DescribeKey', 'CreateGrant']],
      [rsa, ['Encrypt', 'Decrypt', 'GetPublicKey', 'RetireGrant']],
      [signing, ['Sign', 'Verify', 'GetPublicKey']],
      [mac, ['GenerateMac', 'VerifyMac', 'DescribeKey']],
    ] as const) {
      await owner.send(new CreateGrantCommand({ KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:role/r', Operations: [...Operations] }));
    }
  });
});
