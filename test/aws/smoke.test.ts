import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { rejection, setup, str, text } from '../support/kms.js';

describe('AWS SDK in process', () => {
  it('encrypts and decrypts through @aws-sdk/client-kms', async () => {
    const { client, kms } = setup();
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    const enc = await client.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: text('hello'), EncryptionContext: { a: 'b' } }));
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: 'b' } }));
    expect(str(dec.Plaintext)).toBe('hello');
    expect(dec.KeyId).toBe(KeyMetadata!.Arn);
    const err = await rejection(() => client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })));
    expect(err.name).toBe('InvalidCiphertextException');
    expect(kms.aws.internalErrors.recent()).toEqual([]);
  });
});
