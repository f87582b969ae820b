/**
 * The authorization mode on the local endpoint: signed requests from the users and roles of a
 * credentials file (ARNs, identity policies, principal tags), with --enforce-authorization.
 */
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { CredentialsError, parseCredentials, type CredentialsFile } from '../../src/server/credentials.js';
import { rejection, text } from '../support/kms.js';
import { httpClient, serve } from '../support/server.js';

const ACCOUNT = '111122223333';
const keys = (id: string) => ({ accessKeyId: id, secretAccessKey: `${id}-secret` });
const ADMIN = keys('AKIAADMIN00000000001');
const APP = keys('AKIAAPPROLE000000001');
const AUDITOR = keys('AKIAAUDITOR000000001');

const allow = (action: string[], condition?: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*', ...(condition ? { Condition: condition } : {}) }] });

const CREDENTIALS: CredentialsFile = {
  version: 1,
  credentials: [
    { provider: 'aws', ...ADMIN, principal: { arn: `arn:aws:iam::${ACCOUNT}:user/admin`, policies: [allow(['kms:*'])] } },
    {
      provider: 'aws',
      ...APP,
      principal: { arn: `arn:aws:iam::${ACCOUNT}:role/App`, policies: [JSON.stringify(allow(['kms:Encrypt', 'kms:Decrypt'], { StringEquals: { 'aws:PrincipalTag/team': 'payments' } }))], tags: { team: 'payments' } },
    },
    { provider: 'aws', ...AUDITOR, principal: { type: 'user', name: 'auditor', policies: [allow(['kms:Describe*', 'kms:List*'])] } },
  ],
};

describe('authorization mode over HTTP (--enforce-authorization, --credentials)', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve({ credentials: CREDENTIALS, authorization: 'enforce' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('each signer is its principal, judged by its identity policies and tags under the default key policy', async () => {
    const admin = httpClient(server.url, { credentials: ADMIN });
    const app = httpClient(server.url, { credentials: APP });
    const auditor = httpClient(server.url, { credentials: AUDITOR });
    const arn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { CiphertextBlob } = await app.send(new EncryptCommand({ KeyId: arn, Plaintext: text('card') }));
    await app.send(new DecryptCommand({ CiphertextBlob }));
    const describe = await rejection(() => app.send(new DescribeKeyCommand({ KeyId: arn })));
    expect(describe).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/App/kms-emulator is not authorized to perform: kms:DescribeKey on resource: ${arn} because no identity-based policy allows the kms:DescribeKey action`,
      $metadata: { httpStatusCode: 400 },
    });
    expect((await auditor.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe('Enabled');
    expect((await auditor.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyArn)).toEqual([arn]);
    const disable = await rejection(() => auditor.send(new DisableKeyCommand({ KeyId: arn })));
    expect(disable.message).toBe(
      `User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: kms:DisableKey on resource: ${arn} because no identity-based policy allows the kms:DisableKey action`,
    );
    expect(await rejection(() => auditor.send(new CreateKeyCommand({})))).toMatchObject({
      message: `User: arn:aws:iam::${ACCOUNT}:user/auditor is not authorized to perform: kms:CreateKey because no identity-based policy allows the kms:CreateKey action`,
    });
    const refused = server.kms.aws.cloudTrail((r) => r.eventName === 'DisableKey');
    expect(refused.map((r) => [r.errorCode, r.userIdentity.arn])).toEqual([['AccessDenied', `arn:aws:iam::${ACCOUNT}:user/auditor`]]);
    expect((await auditor.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata!.KeyState).toBe('Enabled');
  });
});

describe('switching it on from the command line, and principals in the credentials file', () => {
  it('--enforce-authorization, --authorization MODE and KMS_EMULATOR_AUTHORIZATION', () => {
    expect(parseArgs(['serve', '--enforce-authorization']).options.authorization).toBe('enforce');
    expect(parseArgs(['serve', '--authorization', 'audit']).options.authorization).toBe('audit');
    expect(parseArgs(['serve'], { KMS_EMULATOR_AUTHORIZATION: 'audit' }).options.authorization).toBe('audit');
    expect(parseArgs(['serve', '--enforce-authorization'], { KMS_EMULATOR_AUTHORIZATION: 'off' }).options.authorization).toBe('enforce');
    expect(parseArgs(['serve']).options.authorization).toBeUndefined();
    expect(() => parseArgs(['serve', '--authorization', 'on'])).toThrow(new UsageError("invalid --authorization 'on' (off, enforce, audit)"));
    expect(() => parseArgs(['serve', '--authorization', 'audit', '--enforce-authorization'])).toThrow(UsageError);
  });

  it('an AWS principal by ARN takes its account from it; policies and tags are checked', () => {
    const store = parseCredentials(CREDENTIALS, { account: '999999999999' });
    const app = store.find('aws', APP.accessKeyId)!;
    expect(app.account).toBe(ACCOUNT);
    expect(app.principal).toMatchObject({ account: ACCOUNT, type: 'role', name: 'App/kms-emulator' });
    expect(app.identity!.tags).toEqual({ team: 'payments' });
    const bad = (principal: unknown, account?: string) => () =>
      parseCredentials({ credentials: [{ provider: 'aws', ...ADMIN, ...(account ? { account } : {}), principal } as never] }, { account: ACCOUNT });
    expect(bad({ arn: 'arn:aws:iam::1:user/x' })).toThrow(CredentialsError);
    expect(bad({ arn: `arn:aws:iam::${ACCOUNT}:user/x` }, '444455556666')).toThrow(CredentialsError);
    expect(bad({ arn: `arn:aws:iam::${ACCOUNT}:user/x`, type: 'user', name: 'x' })).toThrow(CredentialsError);
    expect(bad({ type: 'user', name: 'x', policies: {} })).toThrow(CredentialsError);
    expect(bad({ type: 'user', name: 'x', tags: { team: 1 } })).toThrow(CredentialsError);
    expect(() =>
      parseCredentials({ credentials: [{ provider: 'tencent', secretId: 'AKIDx', secretKey: 's', principal: { type: 'user', name: 'x', policies: [] } } as never] }, { account: ACCOUNT }),
    ).toThrow(CredentialsError);
  });
});
