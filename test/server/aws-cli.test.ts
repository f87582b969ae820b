/**
 * The real AWS CLI (`aws`, Debian's awscli in CI) against the local endpoint with --endpoint-url.
 * A missing CLI fails these tests: CI installs it (.ci/run).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.js';
import { SIGNATURE_MISMATCH } from '../../src/server/sigv4.js';
import { serve } from '../support/server.js';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const KEYS = { accessKeyId: 'AKIACLIUSER000000001', secretAccessKey: 'cli-user-secret' };

/** The machine's AWS configuration must not leak in: no config files, no profile, no proxy. */
function cliEnv(keys: { accessKeyId: string; secretAccessKey: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_') || /^(https?|all|no)_proxy$/i.test(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_DEFAULT_OUTPUT: 'json',
    AWS_PAGER: '',
    AWS_CLI_AUTO_PROMPT: 'off',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

function aws(url: string, args: string[], keys = KEYS): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile('aws', [...args, '--endpoint-url', url], { env: cliEnv(keys), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`could not run the AWS CLI (\`aws\`; CI installs Debian's awscli): ${error.message}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed; returns its JSON output (or null when it prints nothing). */
async function ok(url: string, args: string[], keys = KEYS): Promise<any> {
  const result = await aws(url, args, keys);
  expect(result.stderr).toBe('');
  expect(result.code, `aws ${args.join(' ')}`).toBe(0);
  return result.stdout.trim() === '' ? null : JSON.parse(result.stdout);
}

/** AWS CLI v1 exits 255 on a service error, v2 254. */
const SERVICE_ERROR_EXIT = [254, 255];

describe('the AWS CLI against the local endpoint', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let dir: string;

  beforeAll(async () => {
    const version = await new Promise<string>((resolve, reject) =>
      execFile('aws', ['--version'], { env: cliEnv(KEYS) }, (error, stdout, stderr) =>
        error ? reject(new Error(`the AWS CLI (\`aws\`) is required for these tests; CI installs Debian's awscli: ${error.message}`)) : resolve(stdout + stderr),
      ),
    );
    expect(version).toMatch(/^aws-cli\/\d/);
    server = await serve();
    dir = mkdtempSync(join(tmpdir(), 'kms-cli-'));
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create-key, describe-key, list-keys', async () => {
    const created = await ok(server.url, ['kms', 'create-key', '--description', 'made by the aws cli', '--tags', 'TagKey=team,TagValue=cli']);
    const meta = created.KeyMetadata;
    expect(meta).toMatchObject({
      AWSAccountId: '111122223333',
      Description: 'made by the aws cli',
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Enabled: true,
    });
    expect(meta.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${meta.KeyId}`);
    const described = await ok(server.url, ['kms', 'describe-key', '--key-id', meta.KeyId]);
    expect(described.KeyMetadata.KeyId).toBe(meta.KeyId);
    const listed = await ok(server.url, ['kms', 'list-keys']);
    expect(listed.Keys).toContainEqual({ KeyId: meta.KeyId, KeyArn: meta.Arn });
    // CloudTrail names the CLI's access key and user agent.
    const record = server.kms.aws.cloudTrail((r) => r.eventName === 'CreateKey').at(-1)!;
    expect(record.userIdentity).toMatchObject({ accessKeyId: KEYS.accessKeyId });
    expect(record.userAgent).toMatch(/aws-cli\//);
  });

  it('encrypt and decrypt a file (fileb://), generate-data-key', async () => {
    const keyId = (await ok(server.url, ['kms', 'create-key'])).KeyMetadata.KeyId as string;
    const plain = new Uint8Array(300).map((_, i) => (i * 7 + 3) & 0xff);
    writeFileSync(join(dir, 'plain.bin'), plain);
    const enc = await ok(server.url, [
      'kms',
      'encrypt',
      '--key-id',
      keyId,
      '--plaintext',
      `fileb://${join(dir, 'plain.bin')}`,
      '--encryption-context',
      'purpose=test',
    ]);
    expect(enc.KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    writeFileSync(join(dir, 'cipher.bin'), Buffer.from(enc.CiphertextBlob, 'base64'));
    const dec = await ok(server.url, ['kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'cipher.bin')}`, '--encryption-context', 'purpose=test']);
    expect(new Uint8Array(Buffer.from(dec.Plaintext, 'base64'))).toEqual(plain);
    expect(dec.KeyId).toBe(enc.KeyId);

    const wrong = await aws(server.url, ['kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'cipher.bin')}`, '--encryption-context', 'purpose=other']);
    expect(SERVICE_ERROR_EXIT).toContain(wrong.code);
    expect(wrong.stderr).toMatch(/InvalidCiphertextException/);

    const dataKey = await ok(server.url, ['kms', 'generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256']);
    expect(Buffer.from(dataKey.Plaintext, 'base64')).toHaveLength(32);
    writeFileSync(join(dir, 'datakey.bin'), Buffer.from(dataKey.CiphertextBlob, 'base64'));
    const recovered = await ok(server.url, ['kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'datakey.bin')}`]);
    expect(recovered.Plaintext).toBe(dataKey.Plaintext);
    expect(readFileSync(join(dir, 'plain.bin'))).toHaveLength(300);
  });

  it('describe-key --key-id alias/aws/ebs makes the AWS managed key; disable-key and create-alias alias/aws/... are refused', async () => {
    const predefined = await ok(server.url, ['kms', 'list-aliases']);
    expect(predefined.Aliases).toContainEqual({ AliasName: 'alias/aws/ebs', AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/aws/ebs' });
    const key = (await ok(server.url, ['kms', 'describe-key', '--key-id', 'alias/aws/ebs'])).KeyMetadata;
    expect(key).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled', Description: 'Default key that protects my EBS volumes when no other key is defined' });
    const rotation = await ok(server.url, ['kms', 'get-key-rotation-status', '--key-id', key.KeyId]);
    expect(rotation).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    const policy = JSON.parse((await ok(server.url, ['kms', 'get-key-policy', '--key-id', key.KeyId, '--policy-name', 'default', '--output', 'json'])).Policy);
    expect(policy.Statement[0].Condition.StringEquals).toEqual({ 'kms:CallerAccount': '111122223333', 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' });
    const disable = await aws(server.url, ['kms', 'disable-key', '--key-id', key.KeyId]);
    expect(SERVICE_ERROR_EXIT).toContain(disable.code);
    expect(disable.stderr).toContain('(AccessDeniedException)');
    expect(disable.stderr).toContain(`is not authorized to perform: kms:DisableKey on resource: ${key.Arn}`);
    const reserved = await aws(server.url, ['kms', 'create-alias', '--alias-name', 'alias/aws/mine', '--target-key-id', key.KeyId]);
    expect(SERVICE_ERROR_EXIT).toContain(reserved.code);
    expect(reserved.stderr).toContain('(NotAuthorizedException)');
    expect((await ok(server.url, ['kms', 'describe-key', '--key-id', key.KeyId])).KeyMetadata.KeyState).toBe('Enabled');
  });

  it('create-alias, list-aliases, schedule-key-deletion', async () => {
    const keyId = (await ok(server.url, ['kms', 'create-key'])).KeyMetadata.KeyId as string;
    expect(await ok(server.url, ['kms', 'create-alias', '--alias-name', 'alias/from-cli', '--target-key-id', keyId])).toBeNull();
    const aliases = await ok(server.url, ['kms', 'list-aliases', '--key-id', keyId]);
    expect(aliases.Aliases).toEqual([
      expect.objectContaining({ AliasName: 'alias/from-cli', AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/from-cli', TargetKeyId: keyId }),
    ]);
    const viaAlias = await ok(server.url, ['kms', 'describe-key', '--key-id', 'alias/from-cli']);
    expect(viaAlias.KeyMetadata.KeyId).toBe(keyId);
    const scheduled = await ok(server.url, ['kms', 'schedule-key-deletion', '--key-id', keyId, '--pending-window-in-days', '7']);
    expect(scheduled).toMatchObject({ KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    // CLI v1 prints the wire value (epoch seconds), v2 an ISO 8601 date.
    const deletion = typeof scheduled.DeletionDate === 'number' ? scheduled.DeletionDate * 1000 : Date.parse(scheduled.DeletionDate);
    expect(deletion - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(deletion - Date.now()).toBeLessThan(7.1 * 86_400_000);
    const described = await ok(server.url, ['kms', 'describe-key', '--key-id', keyId]);
    expect(described.KeyMetadata.KeyState).toBe('PendingDeletion');
  });

  it('cloudtrail lookup-events reads the KMS trail: attributes, time range, pages (--page-size), errors', async () => {
    const keyId = (await ok(server.url, ['kms', 'create-key', '--description', 'trail'])).KeyMetadata.KeyId as string;
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
    await ok(server.url, ['kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGVsbG8=']);
    await ok(server.url, ['kms', 'encrypt', '--key-id', keyId, '--plaintext', 'aGVsbG8=']);
    const byKey = await ok(server.url, ['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${arn}`]);
    expect(byKey.Events.map((e: { EventName: string }) => e.EventName)).toEqual(['Encrypt', 'Encrypt', 'CreateKey']);
    const [latest] = byKey.Events;
    const record = server.kms.aws.cloudTrail((r) => r.eventName === 'Encrypt').at(-1)!;
    expect(latest).toMatchObject({ EventId: record.eventID, ReadOnly: 'true', AccessKeyId: KEYS.accessKeyId, EventSource: 'kms.amazonaws.com', Username: 'root' });
    expect(latest.Resources).toEqual([{ ResourceType: 'AWS::KMS::Key', ResourceName: arn }]);
    expect(JSON.parse(latest.CloudTrailEvent)).toEqual(JSON.parse(JSON.stringify(record)));
    // One event a page: the CLI follows NextToken to the end.
    const paged = await ok(server.url, ['cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${arn}`, '--page-size', '1']);
    expect(paged.Events.map((e: { EventId: string }) => e.EventId)).toEqual(byKey.Events.map((e: { EventId: string }) => e.EventId));
    const future = await ok(server.url, ['cloudtrail', 'lookup-events', '--start-time', new Date(Date.now() + 3_600_000).toISOString()]);
    expect(future.Events).toEqual([]);
    const writes = await ok(server.url, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=ReadOnly,AttributeValue=false', '--start-time', new Date(Date.now() - 3_600_000).toISOString()]);
    expect(writes.Events.every((e: { ReadOnly: string }) => e.ReadOnly === 'false')).toBe(true);
    expect(writes.Events.map((e: { EventName: string }) => e.EventName)).toContain('CreateKey');

    const events = server.kms.engine.audit.appended;
    const bad = await aws(server.url, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=ReadOnly,AttributeValue=maybe']);
    expect(SERVICE_ERROR_EXIT).toContain(bad.code);
    expect(cliError(bad.stderr)).toMatch(/^An error occurred \(InvalidLookupAttributesException\) when calling the LookupEvents operation: /);
    const range = await aws(server.url, ['cloudtrail', 'lookup-events', '--start-time', '2026-02-01T00:00:00Z', '--end-time', '2026-01-01T00:00:00Z']);
    expect(cliError(range.stderr)).toMatch(/^An error occurred \(InvalidTimeRangeException\) when calling the LookupEvents operation: /);
    const token = await aws(server.url, ['cloudtrail', 'lookup-events', '--no-paginate', '--next-token', 'forged']);
    expect(cliError(token.stderr)).toMatch(/^An error occurred \(InvalidNextTokenException\) when calling the LookupEvents operation: /);
    expect(server.kms.engine.audit.appended).toBe(events);
  });

  it('an error: describe-key of a missing key exits with a service-error code and NotFoundException in stderr', async () => {
    const missing = '11111111-2222-4333-8444-555555555555';
    const result = await aws(server.url, ['kms', 'describe-key', '--key-id', missing]);
    expect(SERVICE_ERROR_EXIT).toContain(result.code);
    expect(result.stdout).toBe('');
    expect(cliError(result.stderr)).toBe(
      `An error occurred (NotFoundException) when calling the DescribeKey operation: Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`,
    );
    const invalid = await aws(server.url, ['kms', 'generate-random', '--number-of-bytes', '0']);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/ValidationException|Invalid value for parameter/);
  });
});

/**
 * The CLI's error line, as AWS CLI v1 prints it: v2 (Debian's awscli) adds " (reached max retries: N)"
 * after the operation name, which is the CLI's own, not the service's.
 */
function cliError(stderr: string): string {
  return stderr.trim().replace(/ operation \(reached max retries: \d+\):/, ' operation:');
}

describe('the AWS CLI with --credentials (botocore signs)', () => {
  it('a signed CLI is the configured user; a wrong secret is refused with InvalidSignatureException', async () => {
    const server = await serve({
      credentials: { credentials: [{ provider: 'aws', ...KEYS, principal: { type: 'user', name: 'cli-user' } }] },
    });
    try {
      const created = await ok(server.url, ['kms', 'create-key', '--description', 'signed']);
      expect(created.KeyMetadata.Description).toBe('signed');
      const record = server.kms.aws.cloudTrail((r) => r.eventName === 'CreateKey').at(-1)!;
      expect(record.userIdentity).toMatchObject({ type: 'IAMUser', userName: 'cli-user', accessKeyId: KEYS.accessKeyId });

      const wrong = await aws(server.url, ['kms', 'list-keys'], { ...KEYS, secretAccessKey: 'wrong' });
      expect(SERVICE_ERROR_EXIT).toContain(wrong.code);
      expect(cliError(wrong.stderr)).toBe(`An error occurred (InvalidSignatureException) when calling the ListKeys operation: ${SIGNATURE_MISMATCH}`);
      // cloudtrail lookup-events is signed for service cloudtrail, and shows the user.
      const looked = await ok(server.url, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=Username,AttributeValue=cli-user']);
      expect(looked.Events.map((e: { EventName: string }) => e.EventName)).toEqual(['CreateKey']);
      const wrongTrail = await aws(server.url, ['cloudtrail', 'lookup-events'], { ...KEYS, secretAccessKey: 'wrong' });
      expect(cliError(wrongTrail.stderr)).toBe(`An error occurred (InvalidSignatureException) when calling the LookupEvents operation: ${SIGNATURE_MISMATCH}`);
      const unknown = await aws(server.url, ['kms', 'list-keys'], { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' });
      expect(SERVICE_ERROR_EXIT).toContain(unknown.code);
      expect(unknown.stderr).toContain('(UnrecognizedClientException)');
    } finally {
      await server.close();
    }
  });
});

describe('the AWS CLI with multi-Region keys', () => {
  it('create-key --multi-region, replicate-key, decrypt in the replica Region, update-primary-region', async () => {
    const clock = new ManualClock(Date.now());
    const server = await serve({ clock });
    const dir = mkdtempSync(join(tmpdir(), 'kms-cli-mrk-'));
    try {
      const primary = (await ok(server.url, ['kms', 'create-key', '--multi-region'])).KeyMetadata;
      expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
      expect(primary.MultiRegionConfiguration.MultiRegionKeyType).toBe('PRIMARY');
      const replicated = await ok(server.url, ['kms', 'replicate-key', '--key-id', primary.KeyId, '--replica-region', 'eu-west-1', '--description', 'west']);
      expect(replicated.ReplicaKeyMetadata).toMatchObject({
        Arn: `arn:aws:kms:eu-west-1:111122223333:key/${primary.KeyId}`,
        KeyState: 'Creating',
        Description: 'west',
        MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' } },
      });
      clock.advance('5s');
      writeFileSync(join(dir, 'plain.txt'), 'across regions');
      const sealed = await ok(server.url, ['kms', 'encrypt', '--key-id', primary.KeyId, '--plaintext', `fileb://${join(dir, 'plain.txt')}`]);
      writeFileSync(join(dir, 'sealed.bin'), Buffer.from(sealed.CiphertextBlob, 'base64'));
      const opened = await ok(server.url, ['kms', 'decrypt', '--region', 'eu-west-1', '--ciphertext-blob', `fileb://${join(dir, 'sealed.bin')}`]);
      expect(Buffer.from(opened.Plaintext, 'base64').toString()).toBe('across regions');
      expect(opened.KeyId).toBe(replicated.ReplicaKeyMetadata.Arn);
      const again = await aws(server.url, ['kms', 'replicate-key', '--key-id', primary.KeyId, '--replica-region', 'eu-west-1']);
      expect(SERVICE_ERROR_EXIT).toContain(again.code);
      expect(again.stderr).toContain('(AlreadyExistsException)');
      expect(await ok(server.url, ['kms', 'update-primary-region', '--key-id', primary.KeyId, '--primary-region', 'eu-west-1'])).toBeNull();
      const west = await ok(server.url, ['kms', 'describe-key', '--region', 'eu-west-1', '--key-id', primary.KeyId]);
      expect(west.KeyMetadata).toMatchObject({ KeyState: 'Updating', MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY' } });
      // CloudTrail: ReplicateKey in the primary's Region, CreateKey in the replica's.
      const records = server.kms.aws.cloudTrail((r) => r.eventName === 'ReplicateKey' || (r.eventName === 'CreateKey' && r.awsRegion === 'eu-west-1'));
      expect(records.map((r) => [r.eventName, r.awsRegion, r.errorCode])).toEqual([
        ['CreateKey', 'eu-west-1', undefined],
        ['ReplicateKey', 'us-east-1', undefined],
        ['ReplicateKey', 'us-east-1', 'AlreadyExistsException'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.close();
    }
  });
});
