/**
 * Grant constraints and grantee principals, through the AWS SDK: every grantable operation a
 * constrained grant allows refuses a caller of another account whose encryption context does not
 * meet the constraint, and serves one whose context does; every form of a grantee principal AWS
 * accepts serves the principals AWS serves with it.
 */
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  KMSClient,
  ReEncryptCommand,
  RetireGrantCommand,
  type GrantOperation,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { GRANTABLE_ACTIONS } from '../../src/engine/actions.js';
import type { Principal } from '../../src/engine/types.js';
import { rejection, setup, text } from '../support/kms.js';

const OWNER = '111122223333';
const GRANTEE = '444455556666';
const GOOD = { tenant: 'a' };
const BAD = { tenant: 'b' };

/** Every grant operation that takes an encryption context, and one call of it by the grantee with `context`. */
type Walk = (grantee: KMSClient, keyArn: string, context: Record<string, string>, blob: Uint8Array) => Promise<unknown>;
const CONTEXT_OPERATIONS: Record<string, Walk> = {
  Encrypt: (c, k, ctx) => c.send(new EncryptCommand({ KeyId: k, Plaintext: text('x'), EncryptionContext: ctx })),
  Decrypt: (c, k, ctx, blob) => c.send(new DecryptCommand({ KeyId: k, CiphertextBlob: blob, EncryptionContext: ctx })),
  GenerateDataKey: (c, k, ctx) => c.send(new GenerateDataKeyCommand({ KeyId: k, KeySpec: 'AES_256', EncryptionContext: ctx })),
  GenerateDataKeyWithoutPlaintext: (c, k, ctx) => c.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: k, KeySpec: 'AES_256', EncryptionContext: ctx })),
  GenerateDataKeyPair: (c, k, ctx) => c.send(new GenerateDataKeyPairCommand({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: ctx })),
  GenerateDataKeyPairWithoutPlaintext: (c, k, ctx) =>
    c.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: k, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: ctx })),
  // ReEncrypt from the granted key (source context) to the grantee's own key, and back (destination context).
  ReEncryptFrom: (c, k, ctx, blob) => c.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: k, SourceEncryptionContext: ctx, DestinationKeyId: 'alias/own' })),
  ReEncryptTo: (c, k, ctx, blob) => c.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: k, DestinationEncryptionContext: ctx })),
};

describe('grant constraints bind every grantable operation that takes an encryption context', () => {
  it('covers every neutral action that takes a context and that AWS can grant', () => {
    const aws = new Set(Object.keys(CONTEXT_OPERATIONS).map((o) => o.charAt(0).toLowerCase() + o.slice(1)));
    const contextActions = ['encrypt', 'decrypt', 'reEncryptFrom', 'reEncryptTo', 'generateDataKey', 'generateDataKeyWithoutPlaintext', 'generateDataKeyPair', 'generateDataKeyPairWithoutPlaintext'];
    expect([...aws].sort()).toEqual([...contextActions].sort());
    for (const a of contextActions) expect(GRANTABLE_ACTIONS).toContain(a);
  });

  for (const [operation, call] of Object.entries(CONTEXT_OPERATIONS)) {
    it(`${operation}: refused with a context outside the constraint, served with one inside`, async () => {
      const { kms, client: owner } = setup({ seed: `constraints-${operation}` });
      const grantee = new KMSClient({ ...kms.aws.clientConfig({ account: GRANTEE }) });
      const keyArn = (await owner.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      // The grantee's own key, for ReEncrypt's other side.
      const own = (await grantee.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await kms.aws.send('CreateAlias', { AliasName: 'alias/own', TargetKeyId: own }, { account: GRANTEE });
      await owner.send(
        new CreateGrantCommand({
          KeyId: keyArn,
          GranteePrincipal: GRANTEE,
          Operations: [operation as GrantOperation],
          Constraints: { EncryptionContextSubset: GOOD },
        }),
      );
      // A ciphertext the call reads: the owner's (Decrypt, ReEncryptFrom, under GOOD or BAD), the grantee's own (ReEncryptTo).
      const blobFor = async (ctx: Record<string, string>) =>
        operation === 'ReEncryptTo'
          ? (await grantee.send(new EncryptCommand({ KeyId: own, Plaintext: text('x') }))).CiphertextBlob!
          : (await owner.send(new EncryptCommand({ KeyId: keyArn, Plaintext: text('x'), EncryptionContext: ctx }))).CiphertextBlob!;

      const denied = await rejection(async () => call(grantee, keyArn, BAD, await blobFor(BAD)));
      expect(denied.name).toBe('AccessDeniedException');
      // A context that meets the constraint is served.
      await expect(call(grantee, keyArn, GOOD, await blobFor(GOOD))).resolves.toBeDefined();
    });
  }

  it('a constrained grant still serves the grantable operations that take no context', async () => {
    const { kms, client: owner } = setup({ seed: 'constraints-no-context' });
    const grantee = new KMSClient({ ...kms.aws.clientConfig({ account: GRANTEE }) });
    const keyArn = (await owner.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { GrantToken } = await owner.send(
      new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: GRANTEE, Operations: ['DescribeKey', 'RetireGrant'], Constraints: { EncryptionContextEquals: GOOD } }),
    );
    expect((await grantee.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata!.Arn).toBe(keyArn);
    await expect(grantee.send(new RetireGrantCommand({ GrantToken }))).resolves.toBeDefined();
  });
});

describe('grantee principals match as AWS matches them', () => {
  const partition = 'aws';
  const principals: Record<string, Principal> = {
    root: { account: GRANTEE, type: 'root', id: GRANTEE },
    alice: { account: GRANTEE, type: 'user', id: 'AIDAALICE', name: 'alice' },
    bob: { account: GRANTEE, type: 'user', id: 'AIDABOB', name: 'bob' },
    session: { account: GRANTEE, type: 'role', id: 'AROAAPP:s1', name: 'app/s1' },
    otherSession: { account: GRANTEE, type: 'role', id: 'AROAAPP:s2', name: 'app/s2' },
    stranger: { account: '777788889999', type: 'root', id: '777788889999' },
  };
  // Grantee → the principals it serves (the others are refused).
  const cases: Array<[string, string[]]> = [
    [GRANTEE, ['root', 'alice', 'bob', 'session', 'otherSession']],
    [`arn:${partition}:iam::${GRANTEE}:root`, ['root', 'alice', 'bob', 'session', 'otherSession']],
    [`arn:${partition}:iam::${GRANTEE}:user/alice`, ['alice']],
    [`arn:${partition}:iam::${GRANTEE}:role/app`, ['session', 'otherSession']],
    [`arn:${partition}:sts::${GRANTEE}:assumed-role/app/s1`, ['session']],
  ];
  for (const [grantee, served] of cases) {
    it(`a grant to ${grantee} serves ${served.join(', ')} and no one else`, async () => {
      const { kms, client: owner } = setup({ seed: 'principals' });
      const keyArn = (await owner.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      await owner.send(new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: grantee, Operations: ['Encrypt'] }));
      for (const [name, principal] of Object.entries(principals)) {
        const outcome = await kms.aws.invoke('Encrypt', { KeyId: keyArn, Plaintext: 'eA==' }, { account: principal.account, principal });
        expect({ name, ok: outcome.ok }).toEqual({ name, ok: served.includes(name) });
        if (!outcome.ok) expect(outcome.error.name).toMatch(/NotFoundException|AccessDeniedException/);
      }
    });
  }
});
