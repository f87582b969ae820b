/**
 * The Tencent and Huawei SDKs in process, with no port: `httpAgent(kms, provider)` hands their
 * requests, as HTTP/1.1 bytes over an in-memory socket, to the endpoint's own protocols. No server
 * listens in this file: `listen` is watched and must never be called.
 */
import { request } from 'node:http';
import { Server } from 'node:net';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import log4js from 'log4js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { cloudaudit } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cloudaudit/index.js';
import { kms as tencentSdk } from 'tencentcloud-sdk-nodejs/tencentcloud/services/kms/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsKms, createHuaweiKms, createKms, DEFAULT_HUAWEI_DOMAIN_ID, DEFAULT_HUAWEI_PROJECT_ID, ManualClock } from '../../src/index.js';
import { httpAgent } from '../../src/server/server.js';

log4js.configure({ appenders: { none: { type: 'stdout' } }, categories: { default: { appenders: ['none'], level: 'off' } } });

const TENCENT_KEY = { secretId: 'AKIDagent00000000000000000000001', secretKey: 'agent-secret' };
const listen = vi.spyOn(Server.prototype, 'listen');

beforeAll(() => {
  // The SDKs must not be sent to a proxy from the environment.
  delete process.env.http_proxy;
  delete process.env.HTTP_PROXY;
});

afterAll(() => {
  expect(listen).not.toHaveBeenCalled();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('tencentcloud-sdk-nodejs through httpAgent(kms, "tencent")', () => {
  it('creates a key, encrypts and decrypts with the default https endpoint; CloudAudit LookUpEvents sees the calls', async () => {
    const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    const agent = httpAgent(kms, 'tencent');
    const client = new tencentSdk.v20190118.Client({ credential: TENCENT_KEY, region: 'ap-guangzhou', profile: { httpProfile: { agent } } });
    const { KeyId } = await client.CreateKey({ Alias: 'agent-orders' });
    const { CiphertextBlob } = await client.Encrypt({ KeyId: KeyId!, Plaintext: b64('secret'), EncryptionContext: '{"app":"orders"}' });
    const { Plaintext } = await client.Decrypt({ CiphertextBlob: CiphertextBlob!, EncryptionContext: '{"app":"orders"}' });
    expect(Buffer.from(Plaintext!, 'base64').toString()).toBe('secret');
    // The same engine: what went over the agent is visible in process.
    expect((await kms.tencent.call('DescribeKey', { KeyId })).KeyMetadata).toMatchObject({ Alias: 'agent-orders', KeyState: 'Enabled' });

    const audit = new cloudaudit.v20190319.Client({ credential: TENCENT_KEY, region: 'ap-guangzhou', profile: { httpProfile: { agent } } });
    const events = await audit.LookUpEvents({ StartTime: 0, EndTime: 2_000_000_000, LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KeyId! }] });
    expect(events.Events?.map((e) => e.EventName)).toEqual(['DescribeKey', 'Decrypt', 'Encrypt', 'CreateKey']);
    expect(agent.served).toBe(4);
    expect(kms.tencent.internalErrors.recent()).toEqual([]);
  });

  it('errors arrive as the SDK raises them (HTTP 200 envelope): an unknown key is ResourceUnavailable.CmkNotFound', async () => {
    const kms = createKms();
    const client = new tencentSdk.v20190118.Client({ credential: TENCENT_KEY, region: 'ap-guangzhou', profile: { httpProfile: { agent: httpAgent(kms, 'tencent') } } });
    await expect(client.Encrypt({ KeyId: '00000000-0000-0000-0000-000000000000', Plaintext: b64('x') })).rejects.toMatchObject({ code: 'ResourceUnavailable.CmkNotFound' });
  });

  it('with credentials, signatures are checked: a wrong secret key is AuthFailure.SignatureFailure and changes nothing', async () => {
    const kms = createKms();
    const agent = httpAgent(kms, 'tencent', { credentials: { version: 1, credentials: [{ provider: 'tencent', ...TENCENT_KEY, account: '100000000001' }] } });
    const good = new tencentSdk.v20190118.Client({ credential: TENCENT_KEY, region: 'ap-guangzhou', profile: { httpProfile: { agent } } });
    const bad = new tencentSdk.v20190118.Client({ credential: { ...TENCENT_KEY, secretKey: 'wrong' }, region: 'ap-guangzhou', profile: { httpProfile: { agent } } });
    await expect(bad.CreateKey({ Alias: 'refused' })).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    expect((await kms.tencent.call('ListKeys', {})).TotalCount).toBe(0);
    expect((await good.CreateKey({ Alias: 'signed' })).Alias).toBe('signed');
  });

  it('an http:// endpoint needs an agent made with protocol "http:"; a body over the limit gets Tencent\'s refusal', async () => {
    const kms = createKms();
    const agent = httpAgent(kms, 'tencent', { protocol: 'http:', maxBodyBytes: 256 });
    const client = new tencentSdk.v20190118.Client({
      credential: TENCENT_KEY,
      region: 'ap-guangzhou',
      profile: { httpProfile: { agent, protocol: 'http://', endpoint: 'kms.internal.example' } },
    });
    const { KeyId } = await client.CreateKey({ Alias: 'plain-http' });
    await expect(client.Encrypt({ KeyId: KeyId!, Plaintext: b64('x'.repeat(400)) })).rejects.toMatchObject({ code: 'RequestSizeLimitExceeded' });
  });
});

/** The Huawei SDK core client KmsClient is built on, its axios given the agent. */
function huaweiClient(agent: ReturnType<typeof httpAgent>): HcClient {
  return new ClientBuilder((hc: HcClient) => hc)
    .withCredential(new BasicCredentials().withAk('HPUAAGENT000000000001').withSk('agent-secret').withProjectId(DEFAULT_HUAWEI_PROJECT_ID))
    .withEndpoint('https://kms.cn-north-4.myhuaweicloud.com')
    .withOptions({ axiosRequestConfig: { httpsAgent: agent } })
    .build();
}

async function huaweiKms(hc: HcClient, verb: string, data: Record<string, unknown>): Promise<any> {
  const request = { method: 'POST', url: `/v1.0/{project_id}/kms/${verb}`, contentType: 'application/json;charset=UTF-8', queryParams: {}, pathParams: {}, headers: {}, data };
  return hc.sendRequest(request as never);
}

describe('@huaweicloud/huaweicloud-sdk-core through httpAgent(kms, "huawei")', () => {
  it('create-key, encrypt-data and decrypt-data, then CTS ListTraces, with no port', async () => {
    const kms = createHuaweiKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    const agent = httpAgent(kms, 'huawei');
    const hc = huaweiClient(agent);
    const created = await huaweiKms(hc, 'create-key', { key_alias: 'agent-orders' });
    expect(created.httpStatusCode).toBe(200);
    const keyId = created.key_info.key_id as string;
    const enc = await huaweiKms(hc, 'encrypt-data', { key_id: keyId, plain_text: 'secret' });
    expect(enc.cipher_text).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const dec = await huaweiKms(hc, 'decrypt-data', { cipher_text: enc.cipher_text });
    expect(dec.plain_text).toBe('secret');
    expect(kms.huawei.traces().map((t) => t.trace_name)).toEqual(['createKey', 'encryptData', 'decryptData']);

    const traces: any = await hc.sendRequest({ method: 'GET', url: '/v3/{project_id}/traces', contentType: 'application/json', queryParams: { trace_type: 'system' }, pathParams: {}, headers: {} } as never);
    expect(traces.traces.map((t: { trace_name: string }) => t.trace_name)).toEqual(['decryptData', 'encryptData', 'createKey']);
    expect(kms.huawei.internalErrors.recent()).toEqual([]);
  });

  it('a KMS error reaches the SDK with its status and body: an unknown key is 404 KMS.0207', async () => {
    const kms = createHuaweiKms();
    const hc = huaweiClient(httpAgent(kms, 'huawei'));
    const failure = await huaweiKms(hc, 'describe-key', { key_id: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ httpStatusCode: 404 });
  });
});

describe('the other dialects through the agent', () => {
  it('Huawei with credentials: the SDK-HMAC-SHA256 signature is checked, a wrong secret key is APIG.0301 and creates nothing', async () => {
    const kms = createHuaweiKms();
    const credentials = { version: 1 as const, credentials: [{ provider: 'huawei' as const, accessKey: 'HPUAAGENT000000000001', secretKey: 'agent-secret', account: DEFAULT_HUAWEI_DOMAIN_ID }] };
    const agent = httpAgent(kms, 'huawei', { credentials });
    expect((await huaweiKms(huaweiClient(agent), 'create-key', { key_alias: 'signed' })).httpStatusCode).toBe(200);
    const wrong = new ClientBuilder((hc: HcClient) => hc)
      .withCredential(new BasicCredentials().withAk('HPUAAGENT000000000001').withSk('wrong').withProjectId(DEFAULT_HUAWEI_PROJECT_ID))
      .withEndpoint('https://kms.cn-north-4.myhuaweicloud.com')
      .withOptions({ axiosRequestConfig: { httpsAgent: agent } })
      .build();
    await expect(huaweiKms(wrong, 'create-key', { key_alias: 'refused' })).rejects.toMatchObject({ httpStatusCode: 401 });
    expect(kms.huawei.traces().map((t) => t.resource_name)).toEqual(['signed']);
  });

  it('AWS: @aws-sdk/client-kms with the agent as the httpsAgent of its Node handler speaks JSON 1.1 to the AWS protocol', async () => {
    const kms = createAwsKms();
    const client = new KMSClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDAGENT', secretAccessKey: 'secret' },
      // The options of the SDK's own Node handler: only its agent changes.
      requestHandler: { httpsAgent: httpAgent(kms, 'aws') },
    });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Description: 'over the agent' }));
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new TextEncoder().encode('secret') }));
    const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob }));
    expect(new TextDecoder().decode(Plaintext)).toBe('secret');
    expect(kms.aws.cloudTrail().map((r) => r.eventName)).toEqual(['CreateKey', 'Encrypt', 'Decrypt']);
  });
});

describe('httpAgent refusals', () => {
  it('a client that goes away mid-body ends that exchange only: nothing is thrown, the agent serves the next request', async () => {
    const kms = createKms();
    const agent = httpAgent(kms, 'tencent', { protocol: 'http:' });
    const headers = { 'content-type': 'application/json', 'x-tc-action': 'CreateKey', 'x-tc-version': '2019-01-18', 'x-tc-region': 'ap-guangzhou' };
    const partial = request({ host: 'kms.tencentcloudapi.com', method: 'POST', path: '/', agent, headers: { ...headers, 'content-length': '100' } });
    partial.on('error', () => {});
    partial.write('{"Alias":');
    await new Promise((resolve) => setTimeout(resolve, 10));
    partial.destroy();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const answer = await new Promise<any>((resolve, reject) => {
      const req = request({ host: 'kms.tencentcloudapi.com', method: 'POST', path: '/', agent, headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c)).on('end', () => resolve(JSON.parse(text)));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ Alias: 'after-abort' }));
    });
    expect(answer.Response.Alias).toBe('after-abort');
    expect((await kms.tencent.call('ListKeys', {})).TotalCount).toBe(1);
  });

  it('an emulator without the dialect asked for is refused at once', () => {
    expect(() => httpAgent(createAwsKms() as never, 'huawei')).toThrow(/no huawei dialect/);
  });

  it('a request of another provider is answered by that provider\'s placeholder, not served', async () => {
    const kms = createKms();
    const client = new tencentSdk.v20190118.Client({ credential: TENCENT_KEY, region: 'ap-guangzhou', profile: { httpProfile: { agent: httpAgent(kms, 'huawei') } } });
    await expect(client.CreateKey({ Alias: 'wrong-agent' })).rejects.toMatchObject({ code: 'InvalidAction' });
    expect((await kms.tencent.call('ListKeys', {})).TotalCount).toBe(0);
  });
});
