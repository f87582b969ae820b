/**
 * The example helpers for the Huawei SDK core (examples/huawei-sdk.ts), run against the emulator with
 * the real core: with `kmsClientOptions()` a refused call throws an exception whose `errorCode` is
 * KMS's nested code (without it, undefined), success bodies stay parsed; `quietHuaweiSdkLog()` stops
 * the core's error dump, which otherwise prints the request's Authorization header.
 */
import log4js from 'log4js';
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { kmsClientOptions, liftKmsError, quietHuaweiSdkLog } from '../../examples/huawei-sdk.js';
import { OWNER, serveHuawei, type HuaweiServer } from './support.js';

const ABSENT = '0d0466b0-e727-4d9c-b35d-f84bb474a37f';

let server: HuaweiServer;
beforeAll(async () => {
  server = await serveHuawei();
});
afterAll(async () => {
  quietHuaweiSdkLog();
  await server.close();
});

function client(withHelper: boolean): HcClient {
  const builder = new ClientBuilder((hc: HcClient) => hc)
    .withCredential(new BasicCredentials().withAk(OWNER.ak).withSk(OWNER.sk).withProjectId(OWNER.projectId))
    .withEndpoint(server.url);
  return (withHelper ? builder.withOptions(kmsClientOptions()) : builder).build();
}

function kms(hc: HcClient, verb: string, data: Record<string, unknown>): Promise<any> {
  return hc.sendRequest({ method: 'POST', url: `/v1.0/{project_id}/kms/${verb}`, contentType: 'application/json;charset=UTF-8', queryParams: {}, pathParams: {}, headers: {}, data } as never);
}

async function thrown(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe('kmsClientOptions: errorCode for KMS\'s nested error body', () => {
  it('the bare core leaves errorCode undefined; with the helper it is the KMS code, with message, status and request id', async () => {
    quietHuaweiSdkLog();
    const bare = await thrown(kms(client(false), 'describe-key', { key_id: ABSENT }));
    expect(bare.httpStatusCode).toBe(404);
    expect(bare.errorCode).toBeUndefined();

    const hc = client(true);
    const e = await thrown(kms(hc, 'describe-key', { key_id: ABSENT }));
    expect(e).toMatchObject({ httpStatusCode: 404, errorCode: 'KMS.0207', errorMsg: 'The key does not exist.', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const missing = await thrown(kms(hc, 'describe-key', {}));
    expect(missing).toMatchObject({ httpStatusCode: 400, errorCode: 'KMS.0204' });
    // Success bodies are parsed as the core parses them.
    const created = await kms(hc, 'create-key', { key_alias: 'helper' });
    expect(created).toMatchObject({ httpStatusCode: 200, key_info: { key_id: expect.stringMatching(/^[0-9a-f-]{36}$/), domain_id: OWNER.domainId } });
    expect((await kms(hc, 'describe-key', { key_id: created.key_info.key_id })).key_info.key_alias).toBe('helper');
    // API Gateway's flat error body passes through unchanged.
    const unsigned = await thrown(
      new ClientBuilder((h: HcClient) => h)
        .withCredential(new BasicCredentials().withAk(OWNER.ak).withSk('wrong').withProjectId(OWNER.projectId))
        .withEndpoint(server.url)
        .withOptions(kmsClientOptions())
        .build()
        .sendRequest({ method: 'POST', url: '/v1.0/{project_id}/kms/list-keys', contentType: 'application/json', queryParams: {}, pathParams: {}, headers: {}, data: {} } as never),
    );
    expect(unsigned).toMatchObject({ httpStatusCode: 401, errorCode: 'APIG.0301' });
  });

  it('liftKmsError leaves non-JSON, arrays and bodies without a nested code alone', () => {
    expect(liftKmsError('')).toBe('');
    expect(liftKmsError('not json')).toBe('not json');
    expect(liftKmsError('[1]')).toEqual([1]);
    expect(liftKmsError('{"error":"plain"}')).toEqual({ error: 'plain' });
    expect(liftKmsError('{"error":{"error_code":"KMS.0207","error_msg":"m"}}')).toEqual({ error: { error_code: 'KMS.0207', error_msg: 'm' }, error_code: 'KMS.0207', error_msg: 'm' });
    expect(liftKmsError('{"error_code":"APIG.0301","error":{"error_code":"x"}}')).toEqual({ error_code: 'APIG.0301', error: { error_code: 'x' } });
  });
});

describe('quietHuaweiSdkLog', () => {
  it('the core dumps a failed request with its Authorization header; after quietHuaweiSdkLog nothing is written', async () => {
    // log4js as the SDK configures it when it loads.
    log4js.configure({ appenders: { console: { type: 'stdout' } }, categories: { default: { appenders: ['console'], level: 'debug' } } });
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const hc = client(true);
      await thrown(kms(hc, 'describe-key', { key_id: ABSENT }));
      const loud = written.join('');
      expect(loud).toContain('Some error found');
      expect(loud).toContain('SDK-HMAC-SHA256 Access=' + OWNER.ak);
      written.length = 0;
      quietHuaweiSdkLog();
      const e = await thrown(kms(hc, 'describe-key', { key_id: ABSENT }));
      expect(e.errorCode).toBe('KMS.0207');
      expect(written.join('')).toBe('');
    } finally {
      spy.mockRestore();
    }
  });
});
