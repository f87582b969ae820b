/**
 * CloudTrail's LookupEvents and KMS's GetKeyLastUsage on the local endpoint, through the real SDKs
 * over HTTP, with --credentials (SigV4 for service cloudtrail on CloudTrail's target, kms on KMS's).
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, EncryptCommand, GetKeyLastUsageCommand } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialsFile } from '../../src/server/credentials.js';
import { rejection } from '../support/kms.js';
import { httpClient, raw, serve } from '../support/server.js';
import { Sha256 } from '../support/sha256.js';

const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret-key' };
const BOB = { accessKeyId: 'AKIAROLE000000000001', secretAccessKey: 'role-secret-key' };
const CREDENTIALS: CredentialsFile = {
  version: 1,
  credentials: [
    { provider: 'aws', ...ALICE, principal: { type: 'user', name: 'alice' } },
    { provider: 'aws', ...BOB, principal: { type: 'role', name: 'Admin/session-1', id: 'AROAEXAMPLEID:session-1' } },
  ],
};

function trailClient(url: string, keys = ALICE): CloudTrailClient {
  return new CloudTrailClient({ endpoint: url, region: 'us-east-1', credentials: keys, maxAttempts: 1, requestHandler: { httpAgent: new Agent({ keepAlive: false }) } });
}

describe('LookupEvents and GetKeyLastUsage over HTTP', () => {
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    server = await serve({ credentials: CREDENTIALS });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('the KMS trail through @aws-sdk/client-cloudtrail, and the last use through @aws-sdk/client-kms', async () => {
    const alice = httpClient(server.url, { credentials: ALICE });
    const bob = httpClient(server.url, { credentials: BOB });
    const keyId = (await alice.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const sealed = await bob.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1, 2, 3]) }));

    const ct = trailClient(server.url);
    const { Events } = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: sealed.KeyId! }] }));
    expect(Events!.map((e) => [e.EventName, e.Username, e.AccessKeyId])).toEqual([
      ['Encrypt', 'session-1', BOB.accessKeyId],
      ['CreateKey', 'alice', ALICE.accessKeyId],
    ]);
    const byUser = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }] }));
    expect(byUser.Events!.map((e) => e.EventName)).toEqual(['CreateKey']);
    const record = JSON.parse(Events![0]!.CloudTrailEvent!);
    expect(record.userIdentity).toMatchObject({ type: 'AssumedRole', accessKeyId: BOB.accessKeyId });

    const usage = await alice.send(new GetKeyLastUsageCommand({ KeyId: keyId }));
    expect(usage.KeyLastUsage).toEqual({
      Operation: 'Encrypt',
      Timestamp: expect.any(Date),
      CloudTrailEventId: Events![0]!.EventId,
      KmsRequestId: sealed.$metadata.requestId,
    });
    // The trail's EventTime is to the second; the last use keeps the time of the call.
    expect(Math.floor(usage.KeyLastUsage!.Timestamp!.getTime() / 1000)).toBe(Events![0]!.EventTime!.getTime() / 1000);
    expect(server.lines.some((l) => l.includes('cloudtrail:LookupEvents'))).toBe(true);
  });

  it('a CloudTrail request must be signed for service cloudtrail; an unsigned or unknown one is refused', async () => {
    const body = '{}';
    const { hostname, port, host } = new URL(server.url);
    const sign = async (service: string, target: string) => {
      const signer = new SignatureV4({ credentials: ALICE, region: 'us-east-1', service, sha256: Sha256 as never });
      const request = await signer.sign({ method: 'POST', protocol: 'http:', hostname, port: Number(port), path: '/', query: {}, headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body });
      return raw(server.url, { headers: request.headers as Record<string, string>, body });
    };
    const events = server.kms.engine.audit.appended;
    const ok = await sign('cloudtrail', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents');
    expect(ok.status).toBe(200);
    expect(Array.isArray(ok.json().Events)).toBe(true);
    const kmsScoped = await sign('kms', 'CloudTrail_20131101.LookupEvents');
    expect([kmsScoped.status, kmsScoped.json().__type, kmsScoped.json().message]).toEqual([400, 'InvalidSignatureException', "Credential should be scoped to correct service: 'cloudtrail'. "]);
    const unsigned = await raw(server.url, { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }, body });
    expect(unsigned.status).toBe(400);
    expect(unsigned.json().__type).toMatch(/MissingAuthenticationToken|IncompleteSignature/);
    const unknown = await sign('cloudtrail', 'CloudTrail_20131101.DescribeTrails');
    expect([unknown.status, unknown.json().__type]).toEqual([400, 'UnknownOperationException']);
    const wrongKey = await rejection(() => trailClient(server.url, { ...ALICE, secretAccessKey: 'wrong' }).send(new LookupEventsCommand({})));
    expect(wrongKey.name).toBe('InvalidSignatureException');
    // None of these is a KMS event.
    expect(server.kms.engine.audit.appended).toBe(events);
  });

  it("CloudTrail's errors over HTTP", async () => {
    const ct = trailClient(server.url);
    const e = await rejection(() => ct.send(new LookupEventsCommand({ MaxResults: 500 })));
    expect([e.name, e.$metadata?.httpStatusCode]).toEqual(['InvalidMaxResultsException', 400]);
    const token = await rejection(() => ct.send(new LookupEventsCommand({ NextToken: '1.abcdefabcdefabcdefabcdef' })));
    expect(token.name).toBe('InvalidNextTokenException');
  });
});
