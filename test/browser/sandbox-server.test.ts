/**
 * The sandbox on the local endpoint (`npm start`): browser navigations to / get the page, with a
 * Content-Security-Policy that forbids any connection; the providers' protocols keep their requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuilderMissing } from '../../src/server/sandbox-build.js';
import { sandboxProtocol } from '../../src/server/sandbox.js';
import { raw, serve } from '../support/server.js';

describe('the sandbox page on the local endpoint', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a browser navigation to / with the page, its assets under /sandbox/, and strict headers', async () => {
    const page = await raw(server.url, { method: 'GET', path: '/', headers: { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("connect-src 'none'");
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).toContain('src="/sandbox/app.js"');
    const js = await raw(server.url, { method: 'GET', path: '/sandbox/app.js' });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await raw(server.url, { method: 'GET', path: '/sandbox/app.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await raw(server.url, { method: 'GET', path: '/sandbox/' })).text).toContain('src="./app.js"');
    expect((await raw(server.url, { method: 'GET', path: '/sandbox/../package.json' })).status).toBe(404);
    expect((await raw(server.url, { method: 'GET', path: '/sandbox/server.ts' })).status).toBe(404);
  });

  it('leaves everything else to the protocols: GET / from a non-browser, POST /, GET /health', async () => {
    const plain = await raw(server.url, { method: 'GET', path: '/' });
    expect(plain.status).toBe(404);
    expect(plain.headers['content-security-policy']).toBeUndefined();
    const aws = await raw(server.url, { method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', accept: 'text/html' }, body: '{}' });
    expect(aws.status).toBe(200);
    expect(aws.json()).toMatchObject({ Keys: [] });
    const health = await raw(server.url, { method: 'GET', path: '/health', headers: { accept: 'text/html' } });
    expect(health.json().status).toBe('ok');
    expect(health.json().protocols).not.toContain('sandbox');
  });

  it('says how to build the page when it is not built and esbuild is not installed', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kms-sandbox-empty-'));
    try {
      const protocol = sandboxProtocol({ dir: empty, build: () => Promise.reject(new BuilderMissing('esbuild is not installed')) });
      const head = { method: 'GET', path: '/', query: '', headers: { accept: 'text/html' }, rawHeaders: [] };
      expect(protocol.matches(head)).toBe(true);
      const response = await protocol.handle({ ...head, body: new Uint8Array() });
      expect(response.status).toBe(404);
      expect(String(response.body)).toContain('npm run build:sandbox');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
