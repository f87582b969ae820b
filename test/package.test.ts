import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';

describe('the published package', () => {
  it("imports as 'kms-emulator' (the built dist/ entry) and serves the AWS SDK", async () => {
    const { createKms, ManualClock } = await import('kms-emulator');
    const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), account: '444455556666', region: 'eu-west-1' });
    const client = new KMSClient({ ...kms.aws.clientConfig() });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
    const other = new KMSClient({ ...kms.aws.clientConfig({ account: '777788889999' }) });
    await expect(other.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'NotFoundException' });
  });
});
