import {
  CreateAliasCommand,
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  KMSClient,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { ACCESS_DENIED, createKey, DRY_RUN, INCORRECT_KEY } from '../support/aws.js';
import { rejection, setup, str, text } from '../support/kms.js';

describe('Encrypt and Decrypt', () => {
  it('round-trips without a KeyId on Decrypt and reports the key ARN and key material', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('attack at dawn') }));
    expect(enc.KeyId).toBe(key.Arn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(enc.CiphertextBlob!.length).toBeGreaterThan('attack at dawn'.length + 16);
    expect(str(enc.CiphertextBlob)).not.toContain('attack at dawn');

    const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    expect(str(dec.Plaintext)).toBe('attack at dawn');
    expect(dec.KeyId).toBe(key.Arn);
    expect(dec.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(dec.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(dec.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
  });

  it('encrypts the same plaintext to different ciphertexts each time', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const a = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('same') }));
    const b = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('same') }));
    expect(Buffer.from(a.CiphertextBlob!).equals(Buffer.from(b.CiphertextBlob!))).toBe(false);
  });

  it('accepts 1 and 4096 bytes of plaintext, and every byte value', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const all = new Uint8Array(4096).map((_, i) => i % 256);
    for (const plaintext of [new Uint8Array([0]), all]) {
      const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext }));
      const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
      expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(plaintext))).toBe(true);
    }
  });

  it('refuses 0 and 4097 bytes of plaintext in AWS words, without echoing the plaintext', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const empty = await rejection(() => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(0) })));
    expect(empty.name).toBe('ValidationException');
    expect(empty.message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const big = await rejection(() => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: new Uint8Array(4097).fill(65) })));
    expect(big.name).toBe('ValidationException');
    expect(big.message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
  });

  it('accepts a KeyId on Decrypt when it names the encrypting key, by id, ARN, alias name or alias ARN', async () => {
    const { client } = setup();
    const key = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: key.KeyId }));
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    for (const keyId of [key.KeyId!, key.Arn!, 'alias/orders', 'arn:aws:kms:us-east-1:111122223333:alias/orders']) {
      const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: keyId }));
      expect(str(dec.Plaintext)).toBe('x');
      expect(dec.KeyId).toBe(key.Arn);
    }
  });

  it('refuses Decrypt with IncorrectKeyException when KeyId names another key', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const other = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: other.KeyId }));
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    for (const keyId of [other.KeyId!, other.Arn!, 'alias/other']) {
      const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: keyId })));
      expect(err.name).toBe('IncorrectKeyException');
      expect(err.message).toBe(INCORRECT_KEY);
    }
    const missing = await rejection(() =>
      client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(missing.name).toBe('NotFoundException');
  });

  it('binds the encryption context: wrong, missing, extra or partial context is InvalidCiphertextException', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const context = { purpose: 'test', tenant: 'acme' };
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('secret'), EncryptionContext: context }));
    // Order of the pairs does not matter.
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'acme', purpose: 'test' } }));
    expect(str(dec.Plaintext)).toBe('secret');

    const wrong: Array<Record<string, string> | undefined> = [
      undefined,
      {},
      { purpose: 'test' },
      { purpose: 'test', tenant: 'acme', extra: '1' },
      { purpose: 'test', tenant: 'ACME' },
      { purpose: 'testtenant', tenant: '' },
      { Purpose: 'test', tenant: 'acme' },
    ];
    for (const EncryptionContext of wrong) {
      const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, ...(EncryptionContext ? { EncryptionContext } : {}) })));
      expect(err.name).toBe('InvalidCiphertextException');
    }

    // A ciphertext made without context refuses any context.
    const plain = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('secret') }));
    const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: plain.CiphertextBlob, EncryptionContext: { a: 'b' } })));
    expect(err.name).toBe('InvalidCiphertextException');
  });

  it('refuses blobs that are not ciphertexts with InvalidCiphertextException', async () => {
    const { client } = setup();
    await createKey(client);
    for (const blob of [new Uint8Array([1]), new Uint8Array(64), text('not a ciphertext at all, just words'), new Uint8Array(200).fill(1)]) {
      const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: blob })));
      expect(err.name).toBe('InvalidCiphertextException');
    }
  });

  it('refuses unknown keys and malformed key ids with NotFoundException in AWS words', async () => {
    const { client } = setup();
    const unknown = '11111111-2222-4333-8444-555555555555';
    const err = await rejection(() => client.send(new EncryptCommand({ KeyId: unknown, Plaintext: text('x') })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe(`Key 'arn:aws:kms:us-east-1:111122223333:key/${unknown}' does not exist`);
    const bad = await rejection(() => client.send(new EncryptCommand({ KeyId: 'not-a-key', Plaintext: text('x') })));
    expect(bad.name).toBe('NotFoundException');
    expect(bad.message).toBe("Invalid keyId 'not-a-key'");
    const alias = await rejection(() => client.send(new EncryptCommand({ KeyId: 'alias/nope', Plaintext: text('x') })));
    expect(alias.name).toBe('NotFoundException');
    expect(alias.message).toBe('Alias arn:aws:kms:us-east-1:111122223333:alias/nope is not found.');
  });
});

describe('alias names and ARNs as KeyId', () => {
  it('Encrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext and ReEncrypt accept key ARN, alias name and alias ARN', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const dest = await createKey(client);
    await client.send(new CreateAliasCommand({ AliasName: 'alias/app/key', TargetKeyId: key.Arn }));
    await client.send(new CreateAliasCommand({ AliasName: 'alias/dest', TargetKeyId: dest.KeyId }));
    const names = [key.KeyId!, key.Arn!, 'alias/app/key', 'arn:aws:kms:us-east-1:111122223333:alias/app/key'];
    for (const KeyId of names) {
      const enc = await client.send(new EncryptCommand({ KeyId, Plaintext: text(KeyId) }));
      expect(enc.KeyId).toBe(key.Arn);
      const dk = await client.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' }));
      expect(dk.KeyId).toBe(key.Arn);
      const dkw = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, NumberOfBytes: 8 }));
      expect(dkw.KeyId).toBe(key.Arn);
      const re = await client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceKeyId: KeyId, DestinationKeyId: 'alias/dest' }));
      expect(re.SourceKeyId).toBe(key.Arn);
      expect(re.KeyId).toBe(dest.Arn);
      const dec = await client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
      expect(str(dec.Plaintext)).toBe(KeyId);
    }
  });

  it('an ARN of another account or region names nothing here', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const otherAccount = key.Arn!.replace('111122223333', '444455556666');
    const a = await rejection(() => client.send(new EncryptCommand({ KeyId: otherAccount, Plaintext: text('x') })));
    expect(a.name).toBe('NotFoundException');
    expect(a.message).toBe(`Key '${otherAccount}' does not exist`);
    const otherRegion = key.Arn!.replace('us-east-1', 'eu-west-1');
    const b = await rejection(() => client.send(new EncryptCommand({ KeyId: otherRegion, Plaintext: text('x') })));
    expect(b.name).toBe('NotFoundException');
    expect(b.message).toBe('Invalid arn eu-west-1');
  });
});

describe('ReEncrypt', () => {
  it('moves a ciphertext to another key with a new context and reports both key materials', async () => {
    const { client } = setup();
    const source = await createKey(client);
    const dest = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: text('payload'), EncryptionContext: { v: '1' } }));
    const re = await client.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { v: '1' },
        DestinationKeyId: dest.KeyId,
        DestinationEncryptionContext: { v: '2', owner: 'ops' },
      }),
    );
    expect(re.SourceKeyId).toBe(source.Arn);
    expect(re.KeyId).toBe(dest.Arn);
    expect(re.SourceEncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(re.DestinationEncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(re.SourceKeyMaterialId).toBe(source.CurrentKeyMaterialId);
    expect(re.DestinationKeyMaterialId).toBe(dest.CurrentKeyMaterialId);
    expect(re.SourceKeyMaterialId).not.toBe(re.DestinationKeyMaterialId);

    const dec = await client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { owner: 'ops', v: '2' } }));
    expect(str(dec.Plaintext)).toBe('payload');
    expect(dec.KeyId).toBe(dest.Arn);
    // The old context no longer opens the new ciphertext, and the new one names the destination key.
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { v: '1' } })))).name).toBe(
      'InvalidCiphertextException',
    );
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, KeyId: source.KeyId, EncryptionContext: { owner: 'ops', v: '2' } })))).name).toBe(
      'IncorrectKeyException',
    );
    // The original still decrypts under the source key.
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { v: '1' } }))).Plaintext)).toBe('payload');
  });

  it('re-encrypts under the same key to change only the context', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p'), EncryptionContext: { stage: 'draft' } }));
    const re = await client.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { stage: 'draft' },
        DestinationKeyId: key.Arn,
        DestinationEncryptionContext: { stage: 'final' },
      }),
    );
    expect(re.SourceKeyId).toBe(key.Arn);
    expect(re.KeyId).toBe(key.Arn);
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { stage: 'final' } }))).Plaintext)).toBe('p');
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { stage: 'draft' } })))).name).toBe(
      'InvalidCiphertextException',
    );
  });

  it('needs the right source context and source key', async () => {
    const { client } = setup();
    const source = await createKey(client);
    const dest = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: text('p'), EncryptionContext: { a: '1' } }));
    const badContext = await rejection(() => client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: dest.KeyId })));
    expect(badContext.name).toBe('InvalidCiphertextException');
    const badSource = await rejection(() =>
      client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceKeyId: dest.KeyId, SourceEncryptionContext: { a: '1' }, DestinationKeyId: dest.KeyId })),
    );
    expect(badSource.name).toBe('IncorrectKeyException');
    expect(badSource.message).toBe(INCORRECT_KEY);
    const noDest = await rejection(() =>
      client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { a: '1' }, DestinationKeyId: 'alias/none' })),
    );
    expect(noDest.name).toBe('NotFoundException');
  });
});

describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
  it('KeySpec AES_128 gives 16 bytes and AES_256 gives 32, and the ciphertext decrypts to the plaintext key', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (const [KeySpec, length] of [
      ['AES_128', 16],
      ['AES_256', 32],
    ] as const) {
      const dk = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec, EncryptionContext: { spec: KeySpec } }));
      expect(dk.Plaintext).toHaveLength(length);
      expect(dk.KeyId).toBe(key.Arn);
      expect(dk.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
      const dec = await client.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { spec: KeySpec } }));
      expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
      expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob })))).name).toBe('InvalidCiphertextException');

      const without = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec }));
      expect('Plaintext' in without).toBe(false);
      expect(without.KeyId).toBe(key.Arn);
      expect(without.KeyMaterialId).toBe(key.CurrentKeyMaterialId);
      expect((await client.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob }))).Plaintext).toHaveLength(length);
    }
  });

  it('NumberOfBytes 1 to 1024 gives that many bytes; data keys differ from call to call', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (const n of [1, 2, 31, 64, 1000, 1024]) {
      const dk = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: n }));
      expect(dk.Plaintext).toHaveLength(n);
      const without = await client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: n }));
      expect((await client.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob }))).Plaintext).toHaveLength(n);
    }
    const a = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }));
    const b = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }));
    expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
  });

  it('needs exactly one of KeySpec and NumberOfBytes', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (const Command of [GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand]) {
      const both = await rejection(() => client.send(new Command({ KeyId: key.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })));
      expect(both.name).toBe('ValidationException');
      expect(both.message).toBe('Please specify either number of bytes or key spec.');
      const neither = await rejection(() => client.send(new Command({ KeyId: key.KeyId })));
      expect(neither.name).toBe('ValidationException');
      expect(neither.message).toBe('Please specify either number of bytes or key spec.');
    }
  });

  it('refuses NumberOfBytes 0 and 1025 in AWS words', async () => {
    const { client } = setup();
    const key = await createKey(client);
    for (const Command of [GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand]) {
      const zero = await rejection(() => client.send(new Command({ KeyId: key.KeyId, NumberOfBytes: 0 })));
      expect(zero.name).toBe('ValidationException');
      expect(zero.message).toBe(
        "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
      const big = await rejection(() => client.send(new Command({ KeyId: key.KeyId, NumberOfBytes: 1025 })));
      expect(big.name).toBe('ValidationException');
      expect(big.message).toBe(
        "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      );
    }
    const spec = await rejection(() => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_512' as never })));
    expect(spec.name).toBe('ValidationException');
    expect(spec.message).toBe(
      "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
    );
  });
});

describe('GenerateRandom', () => {
  it('gives 1 to 1024 random bytes', async () => {
    const { client } = setup();
    for (const n of [1, 12, 91, 1024]) {
      const r = await client.send(new GenerateRandomCommand({ NumberOfBytes: n }));
      expect(r.Plaintext).toHaveLength(n);
    }
    const a = await client.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    const b = await client.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
  });

  it('refuses 0, 1025 and a missing NumberOfBytes', async () => {
    const { client } = setup();
    const zero = await rejection(() => client.send(new GenerateRandomCommand({ NumberOfBytes: 0 })));
    expect(zero.name).toBe('ValidationException');
    expect(zero.message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    const big = await rejection(() => client.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })));
    expect(big.name).toBe('ValidationException');
    expect(big.message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    const missing = await rejection(() => client.send(new GenerateRandomCommand({})));
    expect(missing.name).toBe('ValidationException');
    expect(missing.message).toBe('NumberOfBytes is required.');
  });
});

describe('DryRun', () => {
  it('answers DryRunOperationException when the call would have succeeded, and audits each dry run as a failed call', async () => {
    const { client, kms } = setup();
    const key = await createKey(client);
    const dest = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p'), EncryptionContext: { a: 'b' } }));
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['Encrypt', () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p'), DryRun: true }))],
      ['Decrypt', () => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' }, DryRun: true }))],
      ['GenerateDataKey', () => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true }))],
      ['GenerateDataKeyWithoutPlaintext', () => client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 16, DryRun: true }))],
      [
        'ReEncrypt',
        () => client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: dest.KeyId, DryRun: true })),
      ],
    ];
    for (const [operation, call] of calls) {
      const err = await rejection(call);
      expect(err.name, operation).toBe('DryRunOperationException');
      expect(err.message, operation).toBe(DRY_RUN);
    }
    // DryRun false is an ordinary call.
    const real = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p'), DryRun: false }));
    expect(real.CiphertextBlob).toBeDefined();
    // Every dry run is audited as a failed call with the DryRun error.
    const dry = kms.aws.cloudTrail((r) => r.errorCode === 'DryRunOperationException');
    expect(dry.map((r) => r.eventName)).toEqual(calls.map(([op]) => op));
  });

  it('gives the real error instead when the call would fail', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const other = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p'), EncryptionContext: { a: 'b' } }));
    // wrong context
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, DryRun: true })))).name).toBe('InvalidCiphertextException');
    // wrong key
    expect(
      (await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.KeyId, EncryptionContext: { a: 'b' }, DryRun: true })))).name,
    ).toBe('IncorrectKeyException');
    // unknown key
    expect((await rejection(() => client.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: text('p'), DryRun: true })))).name).toBe('NotFoundException');
    // invalid input
    expect((await rejection(() => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 0, DryRun: true })))).name).toBe('ValidationException');
    expect((await rejection(() => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, DryRun: true })))).name).toBe('ValidationException');
    // disabled key
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    for (const call of [
      () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p'), DryRun: true })),
      () => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' }, DryRun: true })),
      () => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })),
      () => client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: other.KeyId, DryRun: true })),
    ]) {
      expect((await rejection(call)).name).toBe('DisabledException');
    }
  });
});

describe('key states', () => {
  it('a disabled key refuses Encrypt, Decrypt, GenerateDataKey* and ReEncrypt with DisabledException until enabled again', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const other = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('kept') }));
    const otherEnc = await client.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: text('other') }));
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const message = `${key.Arn} is disabled.`;
    const calls = [
      () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p') })),
      () => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })),
      () => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })),
      () => client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })),
      // disabled source
      () => client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: other.KeyId })),
      // disabled destination
      () => client.send(new ReEncryptCommand({ CiphertextBlob: otherEnc.CiphertextBlob, DestinationKeyId: key.KeyId })),
    ];
    for (const call of calls) {
      const err = await rejection(call);
      expect(err.name).toBe('DisabledException');
      expect(err.message).toBe(message);
    }
    await client.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('kept');
  });

  it('a key pending deletion refuses cryptographic operations with KMSInvalidStateException', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const other = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p') }));
    const otherEnc = await client.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: text('p') }));
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const calls = [
      () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p') })),
      () => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })),
      () => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 16 })),
      () => client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 16 })),
      () => client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: other.KeyId })),
      () => client.send(new ReEncryptCommand({ CiphertextBlob: otherEnc.CiphertextBlob, DestinationKeyId: key.KeyId })),
    ];
    for (const call of calls) {
      const err = await rejection(call);
      expect(err.name).toBe('KMSInvalidStateException');
      expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    }
  });

  it('an EXTERNAL-origin key awaiting its material (PendingImport) refuses with KMSInvalidStateException', async () => {
    const { client } = setup();
    const key = await createKey(client, { Origin: 'EXTERNAL' });
    expect(key.KeyState).toBe('PendingImport');
    expect(key.Origin).toBe('EXTERNAL');
    const other = await createKey(client);
    const otherEnc = await client.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: text('p') }));
    const calls = [
      () => client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('p') })),
      () => client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 16 })),
      () => client.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' })),
      () => client.send(new ReEncryptCommand({ CiphertextBlob: otherEnc.CiphertextBlob, DestinationKeyId: key.KeyId })),
    ];
    for (const call of calls) {
      const err = await rejection(call);
      expect(err.name).toBe('KMSInvalidStateException');
      expect(err.message).toBe(`${key.Arn} is pending import.`);
    }
  });
});

describe('tampering', () => {
  async function flipEveryBit(client: KMSClient, blob: Uint8Array, context: Record<string, string> | undefined, keyId?: string) {
    const outcomes = new Map<string, number>();
    for (let bit = 0; bit < blob.length * 8; bit++) {
      const tampered = blob.slice();
      tampered[bit >> 3]! ^= 1 << (bit & 7);
      let outcome: string;
      try {
        await client.send(new DecryptCommand({ CiphertextBlob: tampered, ...(context ? { EncryptionContext: context } : {}), ...(keyId ? { KeyId: keyId } : {}) }));
        outcome = `decrypted (bit ${bit})`;
      } catch (e) {
        outcome = (e as Error).name;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    return outcomes;
  }

  it('flipping any single bit of a ciphertext gives InvalidCiphertextException, never plaintext', async () => {
    const { client } = setup({ seed: 'tamper' });
    const key = await createKey(client);
    const enc = await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('the crown jewels') }));
    const blob = enc.CiphertextBlob!;
    const outcomes = await flipEveryBit(client, blob, undefined);
    expect([...outcomes]).toEqual([['InvalidCiphertextException', blob.length * 8]]);
    // The untouched blob still decrypts.
    expect(str((await client.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('the crown jewels');
  });

  it('with an encryption context and a KeyId on Decrypt, every bit flip still gives InvalidCiphertextException', async () => {
    const { client } = setup({ seed: 'tamper-2' });
    const key = await createKey(client);
    await createKey(client);
    const dk = await client.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_128', EncryptionContext: { bucket: 'b1' } }));
    const blob = dk.CiphertextBlob!;
    const outcomes = await flipEveryBit(client, blob, { bucket: 'b1' }, key.Arn);
    expect([...outcomes]).toEqual([['InvalidCiphertextException', blob.length * 8]]);
  });

  it('truncating or extending a ciphertext gives InvalidCiphertextException', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const blob = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('abc') }))).CiphertextBlob!;
    for (let n = 1; n < blob.length; n++) {
      const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: blob.slice(0, n) })));
      expect(err.name, `prefix of ${n} bytes`).toBe('InvalidCiphertextException');
    }
    const longer = new Uint8Array(blob.length + 1);
    longer.set(blob);
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: longer })))).name).toBe('InvalidCiphertextException');
  });

  it('swapping the body of a ciphertext into another ciphertext header does not decrypt', async () => {
    const { client } = setup();
    const key = await createKey(client);
    const a = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('aaaa') }))).CiphertextBlob!;
    const b = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('bbbb') }))).CiphertextBlob!;
    expect(a.length).toBe(b.length);
    // Keep a's header and nonce, take b's sealed body (the last 4 + 16 bytes).
    const spliced = new Uint8Array(a);
    spliced.set(b.subarray(b.length - 20), a.length - 20);
    expect((await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: spliced })))).name).toBe('InvalidCiphertextException');
  });
});

describe('regions', () => {
  it("a ciphertext from another region's client does not decrypt in us-east-1", async () => {
    const { client, kms } = setup();
    const eu = new KMSClient({ ...kms.aws.clientConfig({ region: 'eu-west-1' }) });
    const euKey = await createKey(eu);
    expect(euKey.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    const enc = await eu.send(new EncryptCommand({ KeyId: euKey.KeyId, Plaintext: text('bonjour') }));
    expect(str((await eu.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext)).toBe('bonjour');

    const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toBe(ACCESS_DENIED);
    // The key id alone names nothing in us-east-1.
    const byId = await rejection(() => client.send(new EncryptCommand({ KeyId: euKey.KeyId, Plaintext: text('x') })));
    expect(byId.name).toBe('NotFoundException');
    // ReEncrypt from another region's ciphertext is refused the same way.
    const usKey = await createKey(client);
    const re = await rejection(() => client.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: usKey.KeyId })));
    expect(re.name).toBe('AccessDeniedException');
    expect(re.message).toBe(ACCESS_DENIED);
  });
});
