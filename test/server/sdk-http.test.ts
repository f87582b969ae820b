import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  ReplicateKeyCommand,
  ScheduleKeyDeletionCommand,
  UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { START, str, text } from '../support/kms.js';
import { httpClient, serve } from '../support/server.js';

type Step = { op: string; output?: unknown; error?: { name: string; message: string; status: number | undefined; fault: string | undefined } };

/** The same calls, in order; every outcome recorded (outputs with their status and request id). */
async function scenario(client: KMSClient): Promise<Step[]> {
  const steps: Step[] = [];
  const run = async (op: string, command: any): Promise<any> => {
    try {
      const { $metadata, ...output } = await client.send(command);
      steps.push({ op, output: { ...output, status: $metadata.httpStatusCode, requestId: $metadata.requestId } });
      return output;
    } catch (e: any) {
      steps.push({ op, error: { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, fault: e.$fault } });
      return undefined;
    }
  };
  const created = await run('CreateKey', new CreateKeyCommand({ Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'a' }] }));
  const keyId: string = created.KeyMetadata.KeyId;
  await run('DescribeKey', new DescribeKeyCommand({ KeyId: keyId }));
  await run('ListKeys', new ListKeysCommand({}));
  await run('ListResourceTags', new ListResourceTagsCommand({ KeyId: keyId }));
  await run('CreateAlias', new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: keyId }));
  await run('ListAliases', new ListAliasesCommand({ KeyId: keyId }));
  const enc = await run('Encrypt', new EncryptCommand({ KeyId: 'alias/orders', Plaintext: text('a secret'), EncryptionContext: { order: '42' } }));
  await run('Decrypt', new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { order: '42' } }));
  await run('Decrypt (wrong context)', new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { order: '43' } }));
  await run('ReEncrypt', new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { order: '42' }, DestinationKeyId: keyId }));
  await run('GenerateDataKey', new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
  await run('GenerateDataKeyWithoutPlaintext', new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 32 }));
  await run('GenerateRandom', new GenerateRandomCommand({ NumberOfBytes: 16 }));
  await run('DescribeKey (missing)', new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' }));
  await run('CreateAlias (duplicate)', new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: keyId }));
  await run('GenerateDataKey (0 bytes)', new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 0 }));
  await run('DisableKey', new DisableKeyCommand({ KeyId: keyId }));
  await run('Encrypt (disabled)', new EncryptCommand({ KeyId: keyId, Plaintext: text('x') }));
  await run('ScheduleKeyDeletion', new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  await run('Encrypt (pending deletion)', new EncryptCommand({ KeyId: keyId, Plaintext: text('x') }));
  return steps;
}

describe('@aws-sdk/client-kms over HTTP', () => {
  it('behaves exactly as in process: same outputs, same errors, same status codes, same CloudTrail', async () => {
    const seed = 'http-vs-in-process';
    const server = await serve({ seed, clock: new ManualClock(START) });
    try {
      const local = createKms({ seed, clock: new ManualClock(START) });
      const overHttp = await scenario(httpClient(server.url));
      const inProcess = await scenario(new KMSClient({ ...local.aws.clientConfig() }));
      expect(overHttp.map((s) => [s.op, s.error?.name ?? 'ok'])).toEqual([
        ['CreateKey', 'ok'],
        ['DescribeKey', 'ok'],
        ['ListKeys', 'ok'],
        ['ListResourceTags', 'ok'],
        ['CreateAlias', 'ok'],
        ['ListAliases', 'ok'],
        ['Encrypt', 'ok'],
        ['Decrypt', 'ok'],
        ['Decrypt (wrong context)', 'InvalidCiphertextException'],
        ['ReEncrypt', 'ok'],
        ['GenerateDataKey', 'ok'],
        ['GenerateDataKeyWithoutPlaintext', 'ok'],
        ['GenerateRandom', 'ok'],
        ['DescribeKey (missing)', 'NotFoundException'],
        ['CreateAlias (duplicate)', 'AlreadyExistsException'],
        ['GenerateDataKey (0 bytes)', 'ValidationException'],
        ['DisableKey', 'ok'],
        ['Encrypt (disabled)', 'DisabledException'],
        ['ScheduleKeyDeletion', 'ok'],
        ['Encrypt (pending deletion)', 'KMSInvalidStateException'],
      ]);
      // Same seed, same calls: byte-identical outputs (ids, ciphertexts, data keys, request ids).
      expect(overHttp).toEqual(inProcess);
      const decrypted = overHttp.find((s) => s.op === 'Decrypt')!.output as { Plaintext: Uint8Array };
      expect(str(decrypted.Plaintext)).toBe('a secret');
      // CloudTrail names the same calls, callers and resources (the user agents differ only by transport).
      const trail = (kms: { aws: typeof local.aws }) => kms.aws.cloudTrail().map(({ userAgent: _ua, ...r }) => r);
      expect(trail(server.kms)).toEqual(trail(local));
      expect(server.kms.aws.cloudTrail().every((r) => r.sourceIPAddress === '127.0.0.1')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('a ciphertext made over HTTP decrypts in process from the same engine, and the other way round', async () => {
    const server = await serve();
    try {
      const http = httpClient(server.url);
      const inProcess = new KMSClient({ ...server.kms.aws.clientConfig() });
      const { KeyMetadata } = await http.send(new CreateKeyCommand({}));
      const overHttp = await http.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: text('over http'), EncryptionContext: { k: 'v' } }));
      const back = await inProcess.send(new DecryptCommand({ CiphertextBlob: overHttp.CiphertextBlob, EncryptionContext: { k: 'v' } }));
      expect(str(back.Plaintext)).toBe('over http');
      const local = await inProcess.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: text('in process') }));
      expect(str((await http.send(new DecryptCommand({ CiphertextBlob: local.CiphertextBlob }))).Plaintext)).toBe('in process');
    } finally {
      await server.close();
    }
  });

  it('keeps connections alive: many calls, few sockets', async () => {
    const server = await serve();
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      let sockets = 0;
      const counting = new Agent({ keepAlive: true, maxSockets: 4 });
      counting.createConnection = ((...args: Parameters<Agent['createConnection']>) => {
        sockets++;
        return Agent.prototype.createConnection.apply(agent, args);
      }) as Agent['createConnection'];
      const client = httpClient(server.url, { agent: counting });
      const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
      for (let i = 0; i < 50; i++) await client.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: text(`n${i}`) }));
      await Promise.all(Array.from({ length: 40 }, (_, i) => client.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: text(`p${i}`) }))));
      expect(sockets).toBeGreaterThanOrEqual(1);
      expect(sockets).toBeLessThanOrEqual(4);
      counting.destroy();
      agent.destroy();
    } finally {
      await server.close();
    }
  });

  it('serves the account and region it was started with', async () => {
    const server = await serve({ account: '444455556666', region: 'eu-west-1' });
    try {
      const { KeyMetadata } = await httpClient(server.url, { region: 'eu-west-1' }).send(new CreateKeyCommand({}));
      expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
      // A client in another region reaches that region's keys (the region comes from the signature scope).
      const other = httpClient(server.url, { region: 'ap-southeast-2' });
      await expect(other.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
    } finally {
      await server.close();
    }
  });
});

describe('multi-Region keys over HTTP', () => {
  it('replicates a key, and a replica Region client decrypts what the primary Region encrypted', async () => {
    const clock = new ManualClock(Date.now());
    const server = await serve({ clock });
    try {
      const east = httpClient(server.url);
      const west = httpClient(server.url, { region: 'ap-southeast-2' });
      const key = (await east.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
      const out = await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'ap-southeast-2', Tags: [{ TagKey: 'r', TagValue: 'syd' }] }));
      expect(out.ReplicaKeyMetadata!.KeyState).toBe('Creating');
      expect(out.ReplicaTags).toEqual([{ TagKey: 'r', TagValue: 'syd' }]);
      clock.advance('5s');
      const blob = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('over http') }))).CiphertextBlob;
      const opened = await west.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: out.ReplicaKeyMetadata!.Arn }));
      expect(str(opened.Plaintext)).toBe('over http');
      await east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'ap-southeast-2' }));
      const described = (await west.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
      expect(described.MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY');
    } finally {
      await server.close();
    }
  });
});
