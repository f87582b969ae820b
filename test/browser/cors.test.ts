/**
 * CORS in Chromium: a page served from another loopback origin calls the endpoint with the AWS SDK
 * (bundled for the browser); a page from an origin the server does not allow is refused by the browser.
 */
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, serve } from '../support/server.js';
import { HAVE_CHROMIUM, launch, openPage, ROOT, SKIP_REASON, staticServer } from './support.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>CORS</title><script type="module" src="/app.js"></script>';

describe.skipIf(!HAVE_CHROMIUM)(`CORS from a browser page${HAVE_CHROMIUM ? '' : ` (${SKIP_REASON})`}`, () => {
  let browser: Browser;
  let page: Awaited<ReturnType<typeof staticServer>>;
  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [`${ROOT}test/browser/fixtures/cors-page.ts`],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    page = await staticServer(`${ROOT}test/browser/fixtures`, { '/': HTML, '/app.js': bundle.outputFiles[0]!.contents });
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await page?.close();
  });

  it('the AWS SDK in a page from another loopback origin works (preflight, exposed request ids)', async () => {
    const server = await serve();
    const context = await browser.newContext();
    try {
      const { page: tab, problems } = await openPage(context);
      await tab.goto(`${page.url}/`);
      await tab.waitForFunction(() => 'withSdk' in globalThis);
      const result = await tab.evaluate((endpoint) => (globalThis as any).withSdk(endpoint), server.url);
      expect(result).toMatchObject({ plaintext: 'hello from the page', errorName: 'NotFoundException' });
      // The request ids come from the x-amzn-requestid header, which only an exposed header lets the page read.
      const trail = server.kms.aws.cloudTrail();
      expect(result.requestId).toBe(trail.find((r) => r.eventName === 'CreateKey')!.requestID);
      expect(result.errorRequestId).toBe(trail.find((r) => r.eventName === 'DescribeKey')!.requestID);
      expect(server.lines.some((l) => / OPTIONS \/ server\/preflight 204 /.test(l))).toBe(true);
      // The console reports the expected 400 of DescribeKey (and the page's missing favicon), nothing else: no CORS error.
      expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of (400|404)/.test(p))).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('an origin the server does not allow is refused by the browser, and nothing happens', async () => {
    const server = await serve({ corsOrigins: ['http://app.example:3000'] });
    const context = await browser.newContext();
    try {
      const { page: tab } = await openPage(context);
      await tab.goto(`${page.url}/`);
      await tab.waitForFunction(() => 'withFetch' in globalThis);
      const result = await tab.evaluate((endpoint) => (globalThis as any).withFetch(endpoint), server.url);
      expect(result.error).toMatch(/TypeError: Failed to fetch/);
      expect(server.kms.aws.cloudTrail()).toEqual([]);
      expect(server.lines.some((l) => / OPTIONS \/ server\/preflight 403 /.test(l))).toBe(true);
      // The listed origin is allowed.
      const allowed = await raw(server.url, { method: 'OPTIONS', path: '/', headers: { origin: 'http://app.example:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target' } });
      expect(allowed.status).toBe(204);
      expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'http://app.example:3000', 'access-control-allow-headers': 'content-type,x-amz-target' });
    } finally {
      await context.close();
      await server.close();
    }
  });
});
