/**
 * The package in a browser bundle: a page that imports `createKms` from the package source,
 * bundled by esbuild with code splitting, run in Debian's Chromium. What the page encrypts (AWS,
 * Tencent, Huawei) decrypts in Node from the snapshot the page exported, and the reverse; the
 * manual clock deletes keys in the page too; the post-quantum chunk is fetched only when a
 * post-quantum key is first used. Without a browser: a page using one dialect leaves the others,
 * and the post-quantum and SM2 code, out of what it loads up front.
 */
import { createPublicKey, verify } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKms, ManualClock } from '../../src/index.js';
import { HAVE_CHROMIUM, launch, openPage, ROOT, screenshot, SKIP_REASON, staticServer } from './support.js';

if (!HAVE_CHROMIUM) console.warn(SKIP_REASON);

interface PageApi {
  encrypt(text: string): Promise<{ keyId: string; ciphertext: string; snapshot: string }>;
  decrypt(snapshot: string, ciphertext: string): Promise<string>;
  deleteByClock(keyId: string): Promise<{ before: string; after: string; events: string[] }>;
  sign(message: string): Promise<{ publicKey: string; signature: string }>;
  tencent(text: string): Promise<{ ciphertext: string; snapshot: string }>;
  huawei(text: string): Promise<{ ciphertext: string; snapshot: string }>;
  mlDsa(message: string): Promise<{ keyId: string; signature: string; snapshot: string }>;
}

type Metafile = { outputs: Record<string, { inputs: Record<string, unknown>; imports: Array<{ path: string; kind: string }>; entryPoint?: string }> };

/** Bundles a page with code splitting; the files by name, and what each chunk holds. */
async function bundlePage(options: { entry?: string; source?: string }): Promise<{ files: Record<string, Uint8Array>; metafile: Metafile }> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    ...(options.entry ? { entryPoints: { page: options.entry } } : { stdin: { contents: options.source!, resolveDir: ROOT, loader: 'ts' as const, sourcefile: 'page.ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    outdir: join(ROOT, 'test-output/bundle'),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files: Record<string, Uint8Array> = {};
  for (const f of result.outputFiles) files[`/${f.path.slice(f.path.lastIndexOf('/') + 1)}`] = f.contents;
  return { files, metafile: result.metafile as unknown as Metafile };
}

/** The chunk names holding a source module, and the chunks the entry loads up front (static imports). */
function chunks(metafile: Metafile): { holding(module: string): string[]; upFront: Set<string> } {
  const outputs = metafile.outputs;
  const name = (path: string) => `/${path.slice(path.lastIndexOf('/') + 1)}`;
  const upFront = new Set<string>();
  const visit = (path: string) => {
    if (upFront.has(name(path))) return;
    upFront.add(name(path));
    for (const i of outputs[path]!.imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(Object.keys(outputs).find((k) => outputs[k]!.entryPoint !== undefined)!);
  return { holding: (module) => Object.keys(outputs).filter((k) => Object.keys(outputs[k]!.inputs).some((i) => i.endsWith(module))).map(name), upFront };
}

describe('what a page bundles', () => {
  it('a page using only the AWS dialect (createAwsKms) leaves out Tencent, Huawei, post-quantum and SM2 code', async () => {
    const { metafile } = await bundlePage({
      source: `import { createAwsKms } from './src/index.ts';
const kms = createAwsKms();
globalThis.out = await kms.aws.send('CreateKey', {});`,
    });
    const { holding, upFront } = chunks(metafile);
    const inputs = Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(inputs.filter((i) => i.includes('src/dialects/tencent/') || i.includes('src/dialects/huawei/'))).toEqual([]);
    expect(inputs.some((i) => i.includes('src/dialects/aws/dialect.ts'))).toBe(true);
    // The post-quantum and SM2 code are chunks of their own, not loaded up front.
    for (const module of ['src/crypto/pq.ts', 'src/crypto/sm2.ts']) {
      expect(holding(module), module).toHaveLength(1);
      expect(upFront.has(holding(module)[0]!), module).toBe(false);
    }
    expect(inputs.some((i) => i.includes('@noble/post-quantum')) && holding('@noble/post-quantum/ml-dsa.js').every((c) => !upFront.has(c))).toBe(true);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('kms-emulator in a browser bundle', () => {
  let browser: Browser;
  let host: Awaited<ReturnType<typeof staticServer>>;
  let page: Page;
  let problems: string[];
  let pqChunk: string;

  beforeAll(async () => {
    const bundle = await bundlePage({ entry: join(ROOT, 'test/browser/fixtures/package-page.ts') });
    pqChunk = chunks(bundle.metafile).holding('src/crypto/pq.ts')[0]!;
    const html = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>loading</title><script type="module" src="/page.js"></script>';
    host = await staticServer(join(ROOT, 'test-output'), { '/': html, ...bundle.files });
    browser = await launch();
    ({ page, problems } = await openPage(await browser.newContext()));
    await page.goto(`${host.url}/`);
    await page.waitForFunction(() => document.title === 'ready');
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  const inPage = <K extends keyof PageApi>(name: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> =>
    page.evaluate(([n, a]) => (globalThis as unknown as { kmsPage: Record<string, (...x: unknown[]) => unknown> }).kmsPage[n as string]!(...(a as unknown[])), [name, args] as const) as Promise<
      Awaited<ReturnType<PageApi[K]>>
    >;

  it('a ciphertext made in the page decrypts in Node from the snapshot the page exported', async () => {
    const { ciphertext, snapshot } = await inPage('encrypt', 'made in Chromium');
    const node = createKms({ clock: new ManualClock('2026-01-02T00:00:00Z') });
    node.restore(snapshot);
    const out = await node.aws.send('Decrypt', { CiphertextBlob: ciphertext });
    expect(Buffer.from(out.Plaintext, 'base64').toString()).toBe('made in Chromium');
    expect(problems).toEqual([]);
  });

  it('a ciphertext made in Node decrypts in the page from a Node snapshot', async () => {
    const node = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    const key = await node.aws.send('CreateKey', {});
    const sealed = await node.aws.send('Encrypt', { KeyId: key.KeyMetadata.KeyId, Plaintext: Buffer.from('made in Node').toString('base64'), EncryptionContext: { app: 'x' } });
    // The encryption context is bound: without it the page gets nothing.
    await expect(inPage('decrypt', JSON.stringify(node.snapshot()), sealed.CiphertextBlob)).rejects.toThrow(/InvalidCiphertextException/);
    const plain = await node.aws.send('Encrypt', { KeyId: key.KeyMetadata.KeyId, Plaintext: Buffer.from('made in Node').toString('base64') });
    expect(await inPage('decrypt', JSON.stringify(node.snapshot()), plain.CiphertextBlob)).toBe('made in Node');
  });

  it('the manual clock deletes a key in the page when its waiting period ends', async () => {
    const { keyId } = await inPage('encrypt', 'short-lived');
    const fate = await inPage('deleteByClock', keyId);
    expect(fate.before).toBe('PendingDeletion');
    expect(fate.after).toBe('NotFoundException');
    expect(fate.events).toContain('DeleteKey');
  });

  it('a signature made in the page (WebCrypto ECDSA) verifies in Node', async () => {
    const { publicKey, signature } = await inPage('sign', 'release 1.0');
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    expect(verify('sha256', Buffer.from('release 1.0'), key, Buffer.from(signature, 'base64'))).toBe(true);
    await screenshot(page, 'package-page');
  });

  it('the Tencent and Huawei dialects in the page: their ciphertexts decrypt in Node', async () => {
    const tc = await inPage('tencent', 'tencent in Chromium');
    const node = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    node.restore(tc.snapshot);
    const opened = await node.tencent.call('Decrypt', { CiphertextBlob: tc.ciphertext });
    expect(Buffer.from(opened.Plaintext, 'base64').toString()).toBe('tencent in Chromium');
    const hw = await inPage('huawei', 'huawei in Chromium');
    node.restore(hw.snapshot);
    expect((await node.huawei.call('decrypt-data', { cipher_text: hw.ciphertext })).plain_text).toBe('huawei in Chromium');
    expect(problems).toEqual([]);
  });

  it('fetches the post-quantum chunk only when a post-quantum key is first used; its signature verifies in Node', async () => {
    expect(host.requests).not.toContain(`GET ${pqChunk}`);
    const { keyId, signature, snapshot } = await inPage('mlDsa', 'quantum-safe');
    expect(host.requests).toContain(`GET ${pqChunk}`);
    const node = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
    node.restore(snapshot);
    const verified = await node.aws.send('Verify', { KeyId: keyId, Message: Buffer.from('quantum-safe').toString('base64'), MessageType: 'RAW', Signature: signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' });
    expect(verified.SignatureValid).toBe(true);
    expect(problems).toEqual([]);
  });
});
