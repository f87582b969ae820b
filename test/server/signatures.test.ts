import { CreateKeyCommand, DescribeKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialsFile } from '../../src/server/credentials.js';
import { INVALID_TOKEN, SIGNATURE_MISMATCH } from '../../src/server/sigv4.js';
import { rejection } from '../support/kms.js';
import { awsCall, httpClient, raw, serve } from '../support/server.js';
import { Sha256 } from '../support/sha256.js';

const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret-key' };
const ROOT = { accessKeyId: 'AKIAROOT000000000001', secretAccessKey: 'root-secret-key' };
const OTHER = { accessKeyId: 'AKIAOTHER00000000001', secretAccessKey: 'other-secret-key' };

const CREDENTIALS: CredentialsFile = {
  version: 1,
  credentials: [
    { provider: 'aws', ...ALICE, principal: { type: 'user', name: 'alice' } },
    { provider: 'aws', ...ROOT },
    { provider: 'aws', ...OTHER, account: '444455556666', principal: { type: 'role', name: 'Admin/session-1', id: 'AROAEXAMPLEID:session-1' } },
    { provider: 'tencent', secretId: 'AKIDexample', secretKey: 'tencent-secret' },
    { provider: 'huawei', accessKey: 'HPUAexample', secretKey: 'huawei-secret', projectId: '0a1b2c' },
  ],
};

const MINUTE = 60_000;
const EXPIRED = /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/;
const NOT_YET = /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/;


/** A request signed by @smithy/signature-v4 (the AWS SDK's signer), then sent as is or altered. */
async function signed(
  url: string,
  options: { operation?: string; body?: string; keys?: typeof ALICE; region?: string; service?: string; date?: Date; extraHeaders?: Record<string, string> } = {},
) {
  const { hostname, port, host } = new URL(url);
  const body = options.body ?? '{}';
  const signer = new SignatureV4({ credentials: options.keys ?? ALICE, region: options.region ?? 'us-east-1', service: options.service ?? 'kms', sha256: Sha256 as never });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      query: {},
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `TrentService.${options.operation ?? 'ListKeys'}`,
        ...options.extraHeaders,
      },
      body,
    },
    options.date ? { signingDate: options.date } : {},
  );
  return { headers: request.headers as Record<string, string>, body };
}

describe('SigV4 checks with --credentials', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve({ credentials: CREDENTIALS });
  });
  afterAll(async () => {
    await server.close();
  });

  it('accepts a valid signature; the signed principal is the caller CloudTrail names', async () => {
    const client = httpClient(server.url, { credentials: ALICE });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'alice' }));
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    const record = server.kms.aws.cloudTrail((r) => r.eventName === 'CreateKey' && r.requestParameters !== null).at(-1)!;
    expect(record.userIdentity).toEqual({
      type: 'IAMUser',
      principalId: 'alice',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: ALICE.accessKeyId,
      userName: 'alice',
    });
    expect(record.sourceIPAddress).toBe('127.0.0.1');
    expect(record.userAgent).toMatch(/aws-sdk-js/);

    await httpClient(server.url, { credentials: ROOT }).send(new ListKeysCommand({}));
    expect(server.kms.aws.cloudTrail().at(-1)!.userIdentity).toEqual({
      type: 'Root',
      principalId: '111122223333',
      arn: 'arn:aws:iam::111122223333:root',
      accountId: '111122223333',
      accessKeyId: ROOT.accessKeyId,
    });
  });

  it("a key's account is the caller's: another account's principal works in its own account", async () => {
    const other = httpClient(server.url, { credentials: OTHER, region: 'eu-west-1' });
    const { KeyMetadata } = await other.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
    const record = server.kms.aws.cloudTrail().at(-1)!;
    expect(record.userIdentity).toMatchObject({
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:session-1',
      arn: 'arn:aws:sts::444455556666:assumed-role/Admin/session-1',
      accountId: '444455556666',
      accessKeyId: OTHER.accessKeyId,
    });
    expect(record.awsRegion).toBe('eu-west-1');
    // Alice (account 111122223333) does not see it.
    const alice = httpClient(server.url, { credentials: ALICE, region: 'eu-west-1' });
    expect((await rejection(() => alice.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId })))).name).toBe('NotFoundException');
  });

  it('refuses a wrong secret: InvalidSignatureException in AWS words', async () => {
    const client = httpClient(server.url, { credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-the-secret' } });
    const error = await rejection(() => client.send(new ListKeysCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toBe(SIGNATURE_MISMATCH);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a body altered after signing, and changes nothing', async () => {
    const client = httpClient(server.url, { credentials: ALICE });
    client.middlewareStack.addRelativeTo(
      (next: any) => async (args: any) => {
        args.request.body = String(args.request.body).replace('"Description":"aaaa"', '"Description":"bbbb"');
        return next(args);
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' },
    );
    const before = server.kms.snapshot();
    const error = await rejection(() => client.send(new CreateKeyCommand({ Description: 'aaaa' })));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toBe(SIGNATURE_MISMATCH);
    expect(server.kms.snapshot().realms).toEqual(before.realms);

    // The same with a raw request: sign one body, send another of the same length.
    const { headers } = await signed(server.url, { operation: 'CreateKey', body: '{"Description":"aaaa"}' });
    const res = await raw(server.url, { headers, body: '{"Description":"bbbb"}' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ __type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH });
    const ok = await raw(server.url, { headers, body: '{"Description":"aaaa"}' });
    expect(ok.status).toBe(200);
  });

  it('refuses a date more than 15 minutes in the past: Signature expired', async () => {
    const client = httpClient(server.url, { credentials: ALICE, systemClockOffset: -20 * MINUTE });
    const error = await rejection(() => client.send(new ListKeysCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(EXPIRED);
  });

  it('refuses a date more than 15 minutes in the future: Signature not yet current', async () => {
    const client = httpClient(server.url, { credentials: ALICE, systemClockOffset: 20 * MINUTE });
    const error = await rejection(() => client.send(new ListKeysCommand({})));
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(NOT_YET);
  });

  it('accepts a date within 15 minutes; an SDK with a skewed clock corrects it from the Date header and retries, as with AWS', async () => {
    await httpClient(server.url, { credentials: ALICE, systemClockOffset: -10 * MINUTE }).send(new ListKeysCommand({}));
    await httpClient(server.url, { credentials: ALICE, systemClockOffset: 10 * MINUTE }).send(new ListKeysCommand({}));
    const skewed = httpClient(server.url, { credentials: ALICE, systemClockOffset: -40 * MINUTE, maxAttempts: 3 });
    const { Keys } = await skewed.send(new ListKeysCommand({}));
    expect(Keys).toBeDefined();
  });

  it('refuses an unknown access key: UnrecognizedClientException', async () => {
    const client = httpClient(server.url, { credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' } });
    const error = await rejection(() => client.send(new ListKeysCommand({})));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.message).toBe(INVALID_TOKEN);
    // A Tencent or Huawei key is not an AWS key.
    const tencent = httpClient(server.url, { credentials: { accessKeyId: 'AKIDexample', secretAccessKey: 'tencent-secret' } });
    expect((await rejection(() => tencent.send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
  });

  it('refuses a request without Authorization: MissingAuthenticationTokenException', async () => {
    const res = await awsCall(server.url, 'ListKeys', {});
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
  });

  it('refuses a garbled Authorization header: IncompleteSignatureException, worded as AWS does', async () => {
    const date = { 'x-amz-date': '20260101T000000Z' };
    const cases: Array<[Record<string, string>, string]> = [
      [
        { authorization: 'Bearer abc', ...date },
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc",
      ],
      [
        { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20260101/us-east-1/kms/aws4_request, Signature=00' },
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20260101/us-east-1/kms/aws4_request, Signature=00",
      ],
      [
        { authorization: 'AWS4-HMAC-SHA256 Credential AKIAALICE00000000001, SignedHeaders=host, Signature=00', ...date },
        "'Credential AKIAALICE00000000001' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential AKIAALICE00000000001, SignedHeaders=host, Signature=00'.",
      ],
      [
        { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20260101/us-east-1/kms, SignedHeaders=host, Signature=00', ...date },
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAALICE00000000001/20260101/us-east-1/kms'",
      ],
      [
        { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20260101/us-east-1/kms/aws4_request, SignedHeaders=content-type, Signature=00', ...date },
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      ],
      [
        { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-foo, Signature=00', ...date },
        "'x-amz-foo' is named as a SignedHeader, but it does not exist in the HTTP request.",
      ],
      [
        { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAALICE00000000001/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00', 'x-amz-date': '2026-01-01' },
        "Date must be in ISO-8601 'basic format'. Got '2026-01-01'. See http://en.wikipedia.org/wiki/ISO_8601",
      ],
    ];
    for (const [headers, message] of cases) {
      const res = await awsCall(server.url, 'ListKeys', {}, headers);
      expect(res.status, message).toBe(400);
      expect(res.json()).toEqual({ __type: 'IncompleteSignatureException', message });
    }
  });

  it('checks the credential scope: service kms, terminator, the date of X-Amz-Date; the region comes from the scope', async () => {
    const wrongService = await signed(server.url, { service: 'dynamodb' });
    expect((await raw(server.url, wrongService)).json()).toEqual({
      __type: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'kms'. ",
    });
    const good = await signed(server.url, {});
    const auth = good.headers['authorization']!;
    const otherDay = { ...good.headers, authorization: auth.replace(/\/(\d{8})\//, '/19991231/') };
    expect((await raw(server.url, { headers: otherDay, body: good.body })).json()).toMatchObject({
      __type: 'InvalidSignatureException',
      message: expect.stringMatching(/^Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '19991231' != '\d{8}', from '\d{8}T\d{6}Z'\.$/),
    });
    const inRegion = await signed(server.url, { operation: 'CreateKey', region: 'ap-northeast-1' });
    const created = await raw(server.url, inRegion);
    expect(created.status).toBe(200);
    expect(created.json().KeyMetadata.Arn).toMatch(/^arn:aws:kms:ap-northeast-1:111122223333:key\//);
  });

  it('compares the whole signature: one changed character, a truncated or upper-cased signature are refused', async () => {
    const good = await signed(server.url, {});
    const signature = /Signature=([0-9a-f]{64})/.exec(good.headers['authorization']!)![1]!;
    const variants = [
      signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0'),
      signature.slice(0, 63),
      signature.toUpperCase(),
      '',
    ];
    for (const variant of variants) {
      const headers = { ...good.headers, authorization: good.headers['authorization']!.replace(signature, variant) };
      const res = await raw(server.url, { headers, body: good.body });
      expect(res.json()).toEqual({ __type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH });
    }
    expect((await raw(server.url, good)).status).toBe(200);
  });

  it('an unsigned header added on the way (a proxy) does not matter; a signed one changed does', async () => {
    const good = await signed(server.url, { extraHeaders: { 'x-amz-user-agent': 'test/1' } });
    expect((await raw(server.url, { headers: { ...good.headers, 'x-forwarded-for': '10.0.0.1' }, body: good.body })).status).toBe(200);
    const changed = await raw(server.url, { headers: { ...good.headers, 'x-amz-target': 'TrentService.CreateKey' }, body: good.body });
    expect(changed.json()).toEqual({ __type: 'InvalidSignatureException', message: SIGNATURE_MISMATCH });
  });
});

describe('without --credentials', () => {
  it('accepts any well-formed credentials and records their access key id', async () => {
    const server = await serve();
    try {
      const client = httpClient(server.url, { credentials: { accessKeyId: 'AKIAANYTHING00000000', secretAccessKey: 'whatever' } });
      await client.send(new CreateKeyCommand({}));
      expect(server.kms.aws.cloudTrail().at(-1)!.userIdentity).toEqual({
        type: 'Root',
        principalId: '111122223333',
        arn: 'arn:aws:iam::111122223333:root',
        accountId: '111122223333',
        accessKeyId: 'AKIAANYTHING00000000',
      });
      expect((await awsCall(server.url, 'ListKeys', {})).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('the credentials file', () => {
  it('is checked at start: a bad document is refused with the offending field named', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ credentials: {} }, /"credentials" must be an array/],
      [{ credentials: [{ provider: 'gcp' }] }, /credentials\[0\]\.provider/],
      [{ credentials: [{ provider: 'aws', accessKeyId: 'A' }] }, /credentials\[0\]\.secretAccessKey/],
      [{ credentials: [{ provider: 'aws', accessKeyId: 'A', secretAccessKey: 's', secret: 'x' }] }, /unknown field "secret"/],
      [{ credentials: [{ provider: 'aws', accessKeyId: 'A', secretAccessKey: 's', account: '12' }] }, /account must be 12 digits/],
      [{ credentials: [{ provider: 'aws', accessKeyId: 'A', secretAccessKey: 's', principal: { type: 'user' } }] }, /principal\.name is required/],
      [
        {
          credentials: [
            { provider: 'aws', accessKeyId: 'A', secretAccessKey: 's' },
            { provider: 'aws', accessKeyId: 'A', secretAccessKey: 't' },
          ],
        },
        /listed twice/,
      ],
      [{ version: 2, credentials: [] }, /unsupported version/],
    ];
    for (const [document, message] of bad) {
      await expect(serve({ credentials: document as CredentialsFile })).rejects.toThrow(message);
    }
  });
});
