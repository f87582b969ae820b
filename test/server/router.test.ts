import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal, header, jsonResponse, type Protocol } from '../../src/server/router.js';
import { UUID_V4 } from '../support/aws.js';
import { awsCall, raw, serve } from '../support/server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the router: one port, every protocol', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server.close();
  });

  it('GET /health: status, version, uptime, the served protocols', async () => {
    const res = await raw(server.url, { method: 'GET', path: '/health' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(body).toEqual({ status: 'ok', version: VERSION, uptimeSeconds: expect.any(Number), protocols: ['aws', 'tencent', 'huawei'] });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('AWS JSON 1.1 (X-Amz-Target: TrentService.*) reaches the AWS dialect', async () => {
    const res = await awsCall(server.url, 'CreateKey', { Description: 'routed' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(res.headers['x-amzn-requestid']).toMatch(UUID_V4);
    expect(res.json().KeyMetadata.Description).toBe('routed');
  });

  it('a Tencent Cloud API 3.0 request (X-TC-Action) for an action the dialect lacks gets Tencent\'s InvalidAction: HTTP 200, Response.Error, RequestId, the trace id echoed', async () => {
    const res = await raw(server.url, {
      headers: {
        'content-type': 'application/json',
        'x-tc-action': 'NoSuchAction',
        'x-tc-version': '2019-01-18',
        'x-tc-region': 'ap-guangzhou',
        'x-tc-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-tc-traceid': 'trace-123',
      },
      body: JSON.stringify({ KeyId: 'x', Message: 'aGk=' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-tc-traceid']).toBe('trace-123');
    const body = res.json();
    expect(Object.keys(body)).toEqual(['Response']);
    expect(body.Response).toEqual({
      Error: { Code: 'InvalidAction', Message: 'The request action=`NoSuchAction` is invalid or not found in service=`kms` and version=`2019-01-18`.' },
      RequestId: expect.stringMatching(UUID_V4),
    });
  });

  it.each(['/v1.0/0a1b2c3d/kms/no-such-verb', '/v1/0a1b2c3d/kms/keys', '/v2/0a1b2c3d/kms/list-keys', '/v1.0'])(
    'a Huawei KMS REST request (%s) gets Huawei\'s error body with its HTTP 400',
    async (path) => {
      const res = await raw(server.url, { path, headers: { 'content-type': 'application/json', 'x-project-id': '0a1b2c3d' }, body: '{"key_alias":"a"}' });
      expect(res.status).toBe(400);
      expect(res.headers['x-request-id']).toMatch(UUID_V4);
      expect(res.json()).toEqual({ error: { error_code: 'KMS.0201', error_msg: 'Invalid request URL.' } });
    },
  );

  it('anything else: AWS UnknownOperationException for a POST, 404 for a plain GET', async () => {
    for (const headers of [{}, { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' }] as Array<Record<string, string>>) {
      const res = await raw(server.url, { path: '/', headers, body: '{}' });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({ __type: 'UnknownOperationException' });
    }
    const other = await raw(server.url, { path: '/some/where', body: '{}' });
    expect(other.json()).toEqual({ __type: 'UnknownOperationException' });
    for (const path of ['/', '/favicon.ico', '/healthz']) {
      const res = await raw(server.url, { method: 'GET', path });
      expect(res.status).toBe(404);
    }
  });

  it('an unknown TrentService operation is the dialect\'s UnknownOperationException', async () => {
    const res = await awsCall(server.url, 'NoSuchOperation', {});
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ __type: 'UnknownOperationException' });
  });

  it('logs one line per request: method, path, protocol/action, status, milliseconds', async () => {
    server.lines.length = 0;
    await awsCall(server.url, 'ListKeys', {});
    await raw(server.url, { headers: { 'x-tc-action': 'ListKeys', 'x-tc-version': '2019-01-18', 'content-type': 'application/json' }, body: '{}' });
    await raw(server.url, { method: 'GET', path: '/health' });
    expect(server.lines).toHaveLength(3);
    expect(server.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z POST \/ aws\/ListKeys 200 \d+\.\dms$/);
    expect(server.lines[1]).toMatch(/^\S+ POST \/ tencent\/ListKeys 200 \d+\.\dms$/);
    expect(server.lines[2]).toMatch(/^\S+ GET \/health server\/health 200 \d+\.\dms$/);
  });
});

describe('registering a dialect is one line', () => {
  it('a registered protocol takes over its provider\'s requests and is listed by /health', async () => {
    const server = await serve();
    try {
      const tencent: Protocol = {
        name: 'tencent',
        matches: (req) => req.headers['x-tc-action'] !== undefined,
        handle: async (req) => ({
          ...jsonResponse(200, { Response: { Action: header(req, 'x-tc-action'), Bytes: req.body.length, RequestId: 'r-1' } }),
          action: header(req, 'x-tc-action')!,
        }),
        reject: awsRefusal,
      };
      server.router.register(tencent);
      const res = await raw(server.url, { headers: { 'x-tc-action': 'ListKeys' }, body: '{"Limit":1}' });
      expect(res.json()).toEqual({ Response: { Action: 'ListKeys', Bytes: 11, RequestId: 'r-1' } });
      expect((await raw(server.url, { method: 'GET', path: '/health' })).json().protocols).toEqual(['aws', 'tencent', 'huawei']);
      // AWS is unaffected; Huawei still gets its own answer (an unknown verb: KMS.0201).
      expect((await awsCall(server.url, 'ListKeys', {})).status).toBe(200);
      expect((await raw(server.url, { path: '/v1.0/p/kms/no-such-verb', body: '{}' })).status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
