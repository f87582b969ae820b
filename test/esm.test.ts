/**
 * The package's ES module entries as a user's program loads them: `import` of 'kms-emulator',
 * 'kms-emulator/server' and 'kms-emulator/jest' resolve, through package.json `exports`, to the
 * bundle in dist/esm/ (scripts/build-esm.mjs), whose entries share one copy of the engine's classes.
 * Each check runs in a child node process of its own, as a program would.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const ESM = join(ROOT, 'dist/esm');

/** Runs an ES module script in a child node process at the package root (so 'kms-emulator' is the package itself); its last stdout line is JSON. */
function runEsm(code: string): any {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/**
 * The built files `file` loads, at once or through a dynamic import (esbuild reads them, so strings
 * and comments do not count), and the bare specifiers they import (node: modules, packages).
 */
async function graphOf(file: string): Promise<{ files: string[]; bare: string[] }> {
  const bare = new Set<string>();
  const result = await build({
    entryPoints: [join(ESM, file)],
    bundle: true,
    write: false,
    splitting: true,
    outdir: join(ROOT, 'test-output/esm-graph'), // not written
    format: 'esm',
    platform: 'neutral',
    metafile: true,
    logLevel: 'silent',
    plugins: [{ name: 'bare', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'entry-point' ? undefined : (bare.add(args.path), { path: args.path, external: true }))) }],
  });
  return { files: Object.keys(result.metafile.inputs).map((f) => basename(f)), bare: [...bare] };
}

describe('the ES module entries (dist/esm/)', () => {
  it("'kms-emulator' and 'kms-emulator/server' in one program share the engine's classes: the server's errors are the library's", () => {
    const result = runEsm(`
import * as root from 'kms-emulator';
import * as server from 'kms-emulator/server';
const running = await server.startServer({ port: 0 });
let restoreError;
try { running.kms.restore({ format: 'not a snapshot' }); } catch (e) { restoreError = e; }
const awsError = await running.kms.aws.send('DescribeKey', { KeyId: 'alias/none' }).catch((e) => e);
const tencentError = await running.kms.tencent.call('DescribeKey', { KeyId: 'none' }).catch((e) => e);
const health = await (await fetch(running.url + '/health')).json();
await running.close();
// The other way: an emulator made by the root, served by the server entry's agent.
const kms = root.createKms();
const agent = server.httpAgent(kms, 'aws', { protocol: 'http:' });
console.log(JSON.stringify({
  resolved: [import.meta.resolve('kms-emulator'), import.meta.resolve('kms-emulator/server')],
  engine: running.kms.engine instanceof root.Engine,
  clock: running.kms.clock === root.systemClock,
  restore: { name: restoreError?.name, kmsError: restoreError instanceof root.KmsError, isKmsError: root.isKmsError(restoreError) },
  aws: { name: awsError?.name, aws: awsError instanceof root.AwsServiceError },
  tencent: { name: tencentError?.name, tencent: tencentError instanceof root.TencentCloudError },
  health: health.status,
  agent: agent instanceof server.InProcessAgent,
  xksProxy: running.xksProxy instanceof root.XksProxy,
}));
`);
    expect(result.resolved).toEqual([`file://${ESM}/index.js`, `file://${ESM}/server.js`]);
    expect(result).toMatchObject({
      engine: true,
      clock: true,
      restore: { name: 'KmsError', kmsError: true, isKmsError: true },
      aws: { name: 'NotFoundException', aws: true },
      tencent: { name: 'TencentCloudError', tencent: true },
      health: 'ok',
      agent: true,
      xksProxy: true,
    });
  });

  it("'kms-emulator/jest' registers the matchers on the global expect, and its useKms gives the root's Engine", () => {
    const result = runEsm(`
const extended = [];
globalThis.expect = { extend: (m) => extended.push(...Object.keys(m)) };
const hooks = { beforeAll: [], beforeEach: [], afterEach: [] };
for (const name of Object.keys(hooks)) globalThis[name] = (f) => hooks[name].push(f);
const root = await import('kms-emulator');
const afterRoot = extended.length;
const { useKms } = await import('kms-emulator/jest');
const kms = useKms();
for (const f of [...hooks.beforeAll, ...hooks.beforeEach]) await f();
console.log(JSON.stringify({ resolved: import.meta.resolve('kms-emulator/jest'), afterRoot, extended: extended.length, engine: kms.engine instanceof root.Engine, clock: kms.clock instanceof root.ManualClock }));
`);
    expect(result).toEqual({ resolved: `file://${ESM}/jest-setup.js`, afterRoot: 0, extended: 6, engine: true, clock: true });
  });

  it('the engine and its errors are defined once in dist/esm/, in a chunk every entry loads', async () => {
    const defining = readdirSync(ESM).filter((f) => f.endsWith('.js') && /\b(var|let|const) KmsError\s*=\s*class\b|\bclass KmsError\b/.test(readFileSync(join(ESM, f), 'utf8')));
    expect(defining).toHaveLength(1);
    expect(readFileSync(join(ESM, defining[0]!), 'utf8')).toMatch(/\b(var|let|const) Engine\s*=\s*class\b|\bclass Engine\b/);
    for (const entry of ['index.js', 'server.js', 'jest-setup.js', 'vitest.js']) expect((await graphOf(entry)).files, entry).toContain(defining[0]);
  });

  it('what the root entry loads, at once or on first use, imports nothing outside the bundle (no node: modules: it runs in a browser)', async () => {
    const root = await graphOf('index.js');
    expect(root.bare).toEqual([]);
    expect(root.files.filter((f) => /^(pq|sm2|ecc|eddsa)-/.test(f)).length).toBe(4);
    // The server entry, for its part, does import Node's modules.
    expect((await graphOf('server.js')).bare).toContain('node:http');
  });
  it("a browser bundler resolves the entries to tsc's modules, so that createAwsKms leaves the other dialects out; Node's import gets dist/esm/", async () => {
    const bundle = async (platform: 'browser' | 'node', contents = "import { createAwsKms } from 'kms-emulator'; console.log(createAwsKms());") => {
      const result = await build({
        stdin: { contents, resolveDir: ROOT, sourcefile: 'app.js' },
        bundle: true,
        write: false,
        format: 'esm',
        platform,
        splitting: true,
        outdir: join(ROOT, 'test-output/esm-browser'), // not written
        external: ['node:*', 'esbuild', 'yaml'],
        metafile: true,
        logLevel: 'silent',
      });
      // The modules with code in the output (the metafile's inputs also list the ones tree-shaken away).
      return Object.values(result.metafile.outputs).flatMap((out) => Object.entries(out.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f));
    };
    const browser = await bundle('browser');
    expect(browser).toContain('dist/dialects/aws/dialect.js');
    expect(browser.filter((f) => f.startsWith('dist/esm/') || /dist\/dialects\/(tencent|huawei)\//.test(f))).toEqual([]);
    // Every entry alike under the browser condition, so that a program in a browser-like environment (jsdom) holds one copy too.
    const both = await bundle('browser', "import { createKms } from 'kms-emulator'; import { httpAgent } from 'kms-emulator/server'; console.log(httpAgent(createKms(), 'aws'));");
    expect(both).toContain('dist/server/agent.js');
    expect(both.filter((f) => f.startsWith('dist/esm/'))).toEqual([]);
    const node = await bundle('node');
    expect(node.some((f) => f.startsWith('dist/esm/chunk-'))).toBe(true);
    expect(node.filter((f) => f.startsWith('dist/') && !f.startsWith('dist/esm/'))).toEqual([]);
  });
});
