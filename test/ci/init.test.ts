/**
 * Keys declared up front: `createKms({ init })`, `applyInit(kms, init)` and
 * `kms-emulator serve --init FILE`, so that ciphertexts kept in a fixture decrypt in every run.
 */
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { applyInit, createKms, type InitDocument, InitError, ManualClock } from '../../src/index.js';
import { httpClient, runCli, startCli } from '../support/server.js';

const KEY_ID = '0b7ec4b4-1f2e-4c3d-9a8b-7c6d5e4f3a2b';
const MATERIAL = Buffer.alloc(32, 7).toString('base64');
const HMAC_MATERIAL = Buffer.alloc(32, 9).toString('base64');
const SM4_MATERIAL = Buffer.alloc(16, 5).toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'kms-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INIT: InitDocument = {
  version: 1,
  keys: [
    { id: KEY_ID, description: 'orders', material: MATERIAL, aliases: ['alias/orders', 'alias/orders-v2'], tags: { team: 'payments' }, rotation: { enabled: true, periodDays: 90 } },
    { provider: 'aws', id: '00000000-2222-4333-8444-555555555555', spec: 'HMAC_256', material: HMAC_MATERIAL, aliases: ['alias/mac'] },
    { provider: 'aws', id: '11111111-2222-4333-8444-555555555555', state: 'Disabled' },
    { provider: 'aws', id: '22222222-2222-4333-8444-555555555555', state: 'PendingDeletion', pendingWindowDays: 7, account: '444455556666', region: 'eu-west-1' },
    { provider: 'tencent', id: '33333333-2222-4333-8444-555555555555', alias: 'orders', material: SM4_MATERIAL, region: 'ap-shanghai' },
    { provider: 'huawei', id: '44444444-2222-4333-8444-555555555555', alias: 'orders', spec: 'AES_256', material: MATERIAL, tags: { env: 'ci' } },
  ],
};

const awsClient = (kms: ReturnType<typeof createKms>, region?: string) => new KMSClient({ ...kms.aws.clientConfig(region ? { region } : {}) });

describe('createKms({ init })', () => {
  it('declares keys with ids, material, aliases, tags, rotation and state, in every provider', async () => {
    const kms = createKms({ init: INIT, clock: new ManualClock('2026-01-01T00:00:00Z') });
    // Nothing is audited: the keys were there before the first call.
    expect(kms.engine.audit.list()).toEqual([]);
    const client = awsClient(kms);
    const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }));
    expect(KeyMetadata).toMatchObject({ KeyId: KEY_ID, Description: 'orders', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS' });
    const { Aliases } = await client.send(new ListAliasesCommand({ KeyId: KEY_ID }));
    expect(Aliases!.map((a) => a.AliasName).sort()).toEqual(['alias/orders', 'alias/orders-v2']);
    expect((await client.send(new ListResourceTagsCommand({ KeyId: KEY_ID }))).Tags).toEqual([{ TagKey: 'team', TagValue: 'payments' }]);
    expect(await client.send(new GetKeyRotationStatusCommand({ KeyId: KEY_ID }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    // The HMAC key computes with the declared material.
    const { Mac } = await client.send(new GenerateMacCommand({ KeyId: '00000000-2222-4333-8444-555555555555', MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from('m') }));
    expect(Buffer.from(Mac!).toString('hex')).toBe(createHmac('sha256', Buffer.from(HMAC_MATERIAL, 'base64')).update('m').digest('hex'));
    expect((await client.send(new DescribeKeyCommand({ KeyId: '11111111-2222-4333-8444-555555555555' }))).KeyMetadata!.KeyState).toBe('Disabled');
    const other = new KMSClient({ ...kms.aws.clientConfig({ region: 'eu-west-1', account: '444455556666' }) });
    const { KeyMetadata: pending } = await other.send(new DescribeKeyCommand({ KeyId: '22222222-2222-4333-8444-555555555555' }));
    expect(pending!.DeletionDate!.getTime() - pending!.CreationDate!.getTime()).toBe(7 * 86_400_000);
    expect(pending).toMatchObject({ KeyState: 'PendingDeletion', Arn: 'arn:aws:kms:eu-west-1:444455556666:key/22222222-2222-4333-8444-555555555555' });
    // Tencent and Huawei keys, in their own realms and words.
    const tencent = await kms.tencent.call('DescribeKey', { KeyId: '33333333-2222-4333-8444-555555555555' }, { region: 'ap-shanghai' });
    expect(tencent.KeyMetadata).toMatchObject({ Alias: 'orders', KeyState: 'Enabled' });
    const huawei = await kms.huawei.call('describe-key', { key_id: '44444444-2222-4333-8444-555555555555' });
    expect(huawei.key_info).toMatchObject({ key_alias: 'orders', key_spec: 'AES_256' });
  });

  it('a ciphertext made in one run decrypts in another emulator built from the same init', async () => {
    const first = createKms({ init: INIT });
    const { CiphertextBlob } = await awsClient(first).send(new EncryptCommand({ KeyId: 'alias/orders', Plaintext: Buffer.from('fixture'), EncryptionContext: { app: 'ci' } }));
    const second = createKms({ init: INIT, seed: 'another run' });
    const { Plaintext, KeyId } = await awsClient(second).send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { app: 'ci' } }));
    expect(Buffer.from(Plaintext!).toString()).toBe('fixture');
    expect(KeyId).toBe(`arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`);
    // The same for Tencent's and Huawei's outward forms.
    const tc = await first.tencent.call('Encrypt', { KeyId: '33333333-2222-4333-8444-555555555555', Plaintext: btoa('t') }, { region: 'ap-shanghai' });
    const tcPlain = await second.tencent.call('Decrypt', { CiphertextBlob: tc.CiphertextBlob }, { region: 'ap-shanghai' });
    expect(atob(tcPlain.Plaintext)).toBe('t');
    const hw = await first.huawei.call('encrypt-data', { key_id: '44444444-2222-4333-8444-555555555555', plain_text: 'h' });
    expect((await second.huawei.call('decrypt-data', { cipher_text: hw.cipher_text })).plain_text).toBe('h');
  });

  it('keys with key pairs take applyInit: generated, or from PKCS#8 material; createKms refuses them with a pointer', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const init: InitDocument = {
      keys: [
        { aliases: ['alias/sign'], spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY', material: pkcs8 },
        { aliases: ['alias/generated'], spec: 'ECC_NIST_P384', usage: 'SIGN_VERIFY' },
      ],
    };
    expect(() => createKms({ init })).toThrow(InitError);
    expect(() => createKms({ init })).toThrow(/^keys\[0\]: an asymmetric key \(EC_P256\) is made asynchronously/);
    const kms = createKms();
    await applyInit(kms, init);
    const { PublicKey } = await awsClient(kms).send(new GetPublicKeyCommand({ KeyId: 'alias/sign' }));
    expect(Buffer.from(PublicKey!).equals(createPublicKey(pair.privateKey).export({ format: 'der', type: 'spki' }))).toBe(true);
    expect((await awsClient(kms).send(new DescribeKeyCommand({ KeyId: 'alias/generated' }))).KeyMetadata!.KeySpec).toBe('ECC_NIST_P384');
  });

  it('a bad document is refused with the path and the reason, and changes nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ keys: [{ spec: 'AES' }] }, 'keys[0].spec: Invalid option'],
      [{ keys: [{ colour: 'red' }] }, 'keys[0].colour: unknown field'],
      [{ keys: [{ provider: 'gcp' }] }, "keys[0].provider: provider must be 'aws', 'tencent' or 'huawei'"],
      [{ keys: [{ material: Buffer.alloc(16).toString('base64') }] }, 'keys[0].material: The key material does not fit key spec AES_256.'],
      [{ keys: [{ id: 'not-an-id' }] }, 'keys[0].id: must be a key id'],
      [{ keys: [{ id: KEY_ID }, { id: KEY_ID }] }, `keys[1].id: key id ${KEY_ID} is declared twice (also keys[0])`],
      [{ keys: [{ aliases: ['orders'] }] }, "keys[0].aliases[0]: must be 'alias/'"],
      [{ keys: [{ aliases: ['alias/a'] }, { aliases: ['alias/a'] }] }, 'keys[1].aliases[0]: An alias with the name alias/a already exists.'],
      [{ keys: [{ spec: 'RSA_2048' }] }, 'keys[0].usage: a RSA_2048 key needs a usage'],
      [{ keys: [{ provider: 'tencent' }] }, 'keys[0].alias:'],
      [{ keys: [{ rotation: { periodDays: 10 } }] }, 'keys[0].rotation.periodDays: Too small'],
      [{ keys: [{ origin: 'EXTERNAL', rotation: true }] }, 'keys[0].rotation:'],
      [{ version: 2 }, 'version:'],
    ];
    const kms = createKms({ seed: 'unchanged' });
    await applyInit(kms, { keys: [{ aliases: ['alias/kept'] }] });
    const state = () => JSON.stringify({ ...kms.snapshot(), takenAt: 0 });
    const before = state();
    for (const [doc, message] of cases) {
      const error = await applyInit(kms, doc).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, message).toBeInstanceOf(InitError);
      expect((error as Error).message, JSON.stringify(doc)).toContain(message);
      expect(state(), message).toBe(before);
    }
  });
});

describe('kms-emulator serve --init FILE', () => {
  const yamlFile = join(dir, 'kms-init.yaml');
  writeFileSync(
    yamlFile,
    `# keys for the CI run
version: 1
keys:
  - id: ${KEY_ID}
    description: orders
    material: ${MATERIAL}
    aliases: [alias/orders]
  - provider: tencent
    alias: orders
`,
  );

  it('serves the declared keys over HTTP; a fixture ciphertext decrypts in every run', async () => {
    const runs: string[] = [];
    for (const seed of ['one', 'two']) {
      const cli = await startCli(['--init', yamlFile, '--seed', seed]);
      try {
        const client = httpClient(cli.url);
        const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }));
        expect(KeyMetadata!.KeyId).toBe(KEY_ID);
        if (runs.length === 0) {
          const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: 'alias/orders', Plaintext: Buffer.from('kept in a fixture') }));
          runs.push(Buffer.from(CiphertextBlob!).toString('base64'));
        } else {
          const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob: Buffer.from(runs[0]!, 'base64') }));
          expect(Buffer.from(Plaintext!).toString()).toBe('kept in a fixture');
        }
        client.destroy();
      } finally {
        cli.proc.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
      }
    }
  });

  it('a bad init file is refused before the server listens, with the line and the reason (exit 1)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, `keys:\n  - id: ${KEY_ID}\n    material: ${MATERIAL}\n  - spec: SYMMETRIC_DEFAULT\n    colour: red\n`);
    const run = runCli(['serve', '--port', '0', '--init', bad]);
    expect(await run.exited).toBe(1);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toEqual([`kms-emulator: cannot start: init file ${bad}:5: keys[1].colour: unknown field`]);

    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, JSON.stringify({ keys: [{ aliases: ['alias/a'] }, { spec: 'HMAC_256', material: 'AAAA' }] }, null, 2));
    const json = runCli(['serve', '--port', '0', '--init', badJson]);
    expect(await json.exited).toBe(1);
    expect(json.stderr.join('\n')).toMatch(/init file .*bad\.json:10: keys\[1\]\.material: The key material does not fit key spec HMAC_256\./);

    const syntax = join(dir, 'syntax.yaml');
    writeFileSync(syntax, 'keys:\n  - id: [unclosed\n');
    const s = runCli(['serve', '--port', '0', '--init', syntax]);
    expect(await s.exited).toBe(1);
    expect(s.stderr.join('\n')).toMatch(/init file .*syntax\.yaml:\d+: /);

    const missing = runCli(['serve', '--port', '0', '--init', join(dir, 'nope.yaml')]);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/cannot start: init file .*nope\.yaml: cannot read: ENOENT/);
  });
});

describe('docs/ci.md', () => {
  it("the init file example is a valid init file that the server loads", async () => {
    const text = readFileSync(new URL('../../docs/ci.md', import.meta.url), 'utf8');
    const example = /```yaml\n(# kms-init\.yaml\n[\s\S]*?)```/.exec(text)![1]!;
    const file = join(dir, 'docs-example.yaml');
    writeFileSync(file, example);
    const cli = await startCli(['--init', file]);
    try {
      const client = httpClient(cli.url);
      const { KeyMetadata } = await client.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }));
      expect(KeyMetadata).toMatchObject({ KeyId: '0b7ec4b4-1f2e-4c3d-9a8b-7c6d5e4f3a2b', Description: 'orders' });
      expect((await client.send(new DescribeKeyCommand({ KeyId: 'alias/webhooks' }))).KeyMetadata!.KeySpec).toBe('HMAC_256');
      client.destroy();
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});
