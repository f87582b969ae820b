/**
 * CORS headers on the endpoint (the browser side is test/browser/cors.test.ts): preflights, the
 * default loopback origins, --cors-origin, the headers exposed to pages.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { EXPOSED_HEADERS } from '../../src/server/cors.js';
import { awsCall, raw, serve } from '../support/server.js';

const preflight = (url: string, origin: string) =>
  raw(url, { method: 'OPTIONS', path: '/', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-amz-target, x-amz-date' } });

describe('CORS', () => {
  it('by default any loopback origin may call: preflight answered, answers carry the origin and the exposed headers', async () => {
    const server = await serve();
    try {
      for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080', 'http://localhost']) {
        const r = await preflight(server.url, origin);
        expect(r.status, origin).toBe(204);
        expect(r.headers).toMatchObject({
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, x-amz-target, x-amz-date',
          'access-control-max-age': '600',
        });
      }
      const refused = await preflight(server.url, 'https://evil.example');
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();

      const answer = await awsCall(server.url, 'ListKeys', {}, { origin: 'http://localhost:3000' });
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      expect(answer.headers['access-control-expose-headers']).toBe(EXPOSED_HEADERS.join(', '));
      expect(EXPOSED_HEADERS).toEqual(expect.arrayContaining(['x-amzn-requestid', 'x-amzn-errortype', 'x-request-id']));
      // An error answer too (the SDK reads x-amzn-errortype), and the other protocols' answers.
      const error = await awsCall(server.url, 'DescribeKey', { KeyId: 'alias/none' }, { origin: 'http://localhost:3000' });
      expect([error.status, error.headers['access-control-allow-origin']]).toEqual([400, 'http://localhost:3000']);
      const huawei = await raw(server.url, { method: 'POST', path: '/v1.0/p/kms/list-keys', headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' }, body: '{}' });
      expect(huawei.headers['access-control-allow-origin']).toBe('http://localhost:3000');
      // Another origin's request is answered without CORS headers: the browser keeps the answer from the page.
      const other = await awsCall(server.url, 'ListKeys', {}, { origin: 'https://evil.example' });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      // Requests without an Origin (SDKs, CLIs) are untouched.
      expect((await awsCall(server.url, 'ListKeys', {})).headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('--cors-origin replaces the default; * allows any origin', async () => {
    const listed = await serve({ corsOrigins: ['https://app.example', 'http://localhost:3000'] });
    const any = await serve({ corsOrigins: ['*'] });
    try {
      expect((await preflight(listed.url, 'https://app.example')).status).toBe(204);
      expect((await preflight(listed.url, 'http://localhost:3000')).status).toBe(204);
      expect((await preflight(listed.url, 'http://localhost:3001')).status).toBe(403);
      const star = await preflight(any.url, 'https://anywhere.example');
      expect([star.status, star.headers['access-control-allow-origin']]).toEqual([204, '*']);
    } finally {
      await listed.close();
      await any.close();
    }
  });

  it('--cors-origin is repeatable and takes comma lists; a bad origin is a usage error', () => {
    expect(parseArgs(['serve', '--cors-origin', 'http://a.test:1,https://b.test', '--cors-origin=*']).options.corsOrigins).toEqual(['http://a.test:1', 'https://b.test', '*']);
    expect(parseArgs(['serve'], { KMS_EMULATOR_CORS_ORIGIN: 'http://localhost:3000' }).options.corsOrigins).toEqual(['http://localhost:3000']);
    expect(() => parseArgs(['serve', '--cors-origin', 'localhost:3000'])).toThrow(new UsageError("invalid --cors-origin 'localhost:3000' (an origin such as http://localhost:3000, or *)"));
    expect(() => parseArgs(['serve', '--cors-origin', 'http://a.test/path'])).toThrow(UsageError);
  });
});
