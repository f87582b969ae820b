import { DescribeKeyCommand, DisableKeyCommand, EncryptCommand, DecryptCommand, GetKeyRotationStatusCommand, ListAliasesCommand, TagResourceCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { rejection, str, text } from '../support/kms.js';
import { httpClient, serve } from '../support/server.js';

describe('AWS managed keys over HTTP (@aws-sdk/client-kms)', () => {
  it('alias/aws/s3 makes its key on first use; the key rotates yearly and refuses management with AccessDeniedException', async () => {
    const server = await serve();
    try {
      const client = httpClient(server.url);
      const listed = (await client.send(new ListAliasesCommand({}))).Aliases!.find((a) => a.AliasName === 'alias/aws/s3');
      expect(listed).toEqual({ AliasName: 'alias/aws/s3', AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/aws/s3' });
      const sealed = await client.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: text('object key') }));
      const key = (await client.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
      expect(key).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' });
      expect(sealed.KeyId).toBe(key.Arn);
      expect(str((await client.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext)).toBe('object key');
      expect(await client.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
      for (const command of [new DisableKeyCommand({ KeyId: key.KeyId }), new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })]) {
        const err = await rejection(() => client.send(command as any));
        expect(err.name).toBe('AccessDeniedException');
        expect(err.message).toMatch(new RegExp(`^User: arn:aws:iam::111122223333:\\S+ is not authorized to perform: kms:\\w+ on resource: ${key.Arn} because no resource-based policy allows the kms:\\w+ action$`));
        expect(err.$metadata?.httpStatusCode).toBe(400);
      }
      const after = (await client.send(new ListAliasesCommand({ KeyId: key.KeyId }))).Aliases!;
      expect(after.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([['alias/aws/s3', key.KeyId]]);
    } finally {
      await server.close();
    }
  });
});
