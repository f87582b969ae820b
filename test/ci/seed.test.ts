/**
 * `kms-emulator serve --seed TEXT`: the same seed and the same calls give the same key ids,
 * key material and ciphertexts, as `createKms({ seed })` does in process.
 */
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { httpClient, startCli } from '../support/server.js';

async function keyAndCiphertext(args: string[]): Promise<{ keyId: string; ciphertext: string; plaintext: string }> {
  const cli = await startCli(args);
  try {
    const client = httpClient(cli.url);
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'seeded' }));
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new TextEncoder().encode('fixture'), EncryptionContext: { app: 'ci' } }));
    const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { app: 'ci' } }));
    client.destroy();
    return { keyId: KeyMetadata!.KeyId!, ciphertext: Buffer.from(CiphertextBlob!).toString('base64'), plaintext: new TextDecoder().decode(Plaintext) };
  } finally {
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  }
}

describe('kms-emulator serve --seed', () => {
  it('two servers with the same seed give the same key id and ciphertext; another seed does not', async () => {
    const [a, b, c] = await Promise.all([keyAndCiphertext(['--seed', 'ci-fixture']), keyAndCiphertext(['--seed=ci-fixture']), keyAndCiphertext(['--seed', 'other'])]);
    expect(a.plaintext).toBe('fixture');
    expect(b).toEqual(a);
    expect(c.keyId).not.toBe(a.keyId);
    expect(c.ciphertext).not.toBe(a.ciphertext);
  });

  it('--seed needs a value', () => {
    expect(() => parseArgs(['serve', '--seed'])).toThrow(new UsageError('--seed needs a value'));
    expect(() => parseArgs(['serve', '--seed='])).toThrow(new UsageError('--seed needs a value of 1 to 256 characters'));
    expect(parseArgs(['serve', '--seed', 'x']).options.seed).toBe('x');
  });
});
