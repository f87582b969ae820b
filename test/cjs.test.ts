/**
 * The package from a CommonJS project: `npm pack` (the files a user installs), unpacked into a temp
 * project with `"type": "commonjs"`, whose script `require`s the entry points and encrypts and
 * decrypts. Node runs it with require(esm) switched off, as jest's module system has none: only the
 * `require` conditions' CJS build can answer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let project: string;

/** Runs a CommonJS script in the consumer project; its last stdout line is JSON. */
function runCjs(name: string, code: string): any {
  writeFileSync(join(project, name), code);
  const out = execFileSync(process.execPath, ['--no-experimental-require-module', name], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

beforeAll(() => {
  // The suite uses the build `npm run build` made; build it if it is missing.
  if (!existsSync(join(ROOT, 'dist/cjs/index.cjs')) || !existsSync(join(ROOT, 'dist/index.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
  project = mkdtempSync(join(tmpdir(), 'kms-cjs-'));
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8' });
  const tarball = join(project, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
  const into = join(project, 'node_modules/kms-emulator');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', into, '--strip-components=1']);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cjs-consumer', private: true, type: 'commonjs' }));
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('require() from a CommonJS project', () => {
  it("require('kms-emulator') resolves to the CJS build and encrypts and decrypts (AWS, Tencent, Huawei)", () => {
    const result = runCjs(
      'main.js',
      `const { createKms, ManualClock } = require('kms-emulator');
(async () => {
  const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z'), seed: 'cjs' });
  const { KeyMetadata } = await kms.aws.send('CreateKey', {});
  const { CiphertextBlob } = await kms.aws.send('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: btoa('aws secret') });
  const aws = atob((await kms.aws.send('Decrypt', { CiphertextBlob })).Plaintext);
  const t = await kms.tencent.call('CreateKey', { Alias: 'cjs' });
  const te = await kms.tencent.call('Encrypt', { KeyId: t.KeyId, Plaintext: btoa('tencent secret') });
  const tencent = atob((await kms.tencent.call('Decrypt', { CiphertextBlob: te.CiphertextBlob })).Plaintext);
  const h = await kms.huawei.call('create-key', { key_alias: 'cjs' });
  const he = await kms.huawei.call('encrypt-data', { key_id: h.key_info.key_id, plain_text: 'huawei secret' });
  const huawei = (await kms.huawei.call('decrypt-data', { cipher_text: he.cipher_text })).plain_text;
  kms.clock.advance('1d');
  const pq = await kms.aws.send('CreateKey', { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' });
  console.log(JSON.stringify({ resolved: require.resolve('kms-emulator'), aws, tencent, huawei, keyId: KeyMetadata.KeyId, pq: pq.KeyMetadata.KeySpec }));
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    expect(result.resolved).toBe(join(project, 'node_modules/kms-emulator/dist/cjs/index.cjs'));
    expect(result).toMatchObject({ aws: 'aws secret', tencent: 'tencent secret', huawei: 'huawei secret', pq: 'ML_DSA_44' });
  });

  it("require('kms-emulator/server') shares the root's classes: httpAgent serves an emulator made by require('kms-emulator'); startServer listens", () => {
    const result = runCjs(
      'server.js',
      `const { createKms, Engine, KmsError } = require('kms-emulator');
const server = require('kms-emulator/server');
const { request } = require('node:http');
(async () => {
  const kms = createKms();
  const agent = server.httpAgent(kms, 'tencent', { protocol: 'http:' });
  const body = JSON.stringify({ Alias: 'over-the-agent' });
  const answer = await new Promise((resolve, reject) => {
    const req = request({ host: 'kms.tencentcloudapi.com', path: '/', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-tc-action': 'CreateKey', 'x-tc-version': '2019-01-18', 'x-tc-region': 'ap-guangzhou' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c)).on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body);
  });
  const listed = await kms.tencent.call('ListKeys', {});
  const running = await server.startServer({ port: 0 });
  const health = await (await fetch(running.url + '/health')).json();
  const sameEngine = running.kms.engine instanceof Engine;
  let refused;
  try { running.kms.restore({ format: 'not a snapshot' }); } catch (e) { refused = e; }
  const sameError = refused instanceof KmsError;
  await running.close();
  console.log(JSON.stringify({ resolved: require.resolve('kms-emulator/server'), alias: answer.Response.Alias, count: listed.TotalCount, version: server.VERSION, health: health.status, sameEngine, sameError }));
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    expect(result.resolved).toBe(join(project, 'node_modules/kms-emulator/dist/cjs/server.cjs'));
    expect(result).toMatchObject({ alias: 'over-the-agent', count: 1, version: VERSION, health: 'ok', sameEngine: true, sameError: true });
  });
  it("require('kms-emulator/jest') in a jest-style setup file registers the matchers on the global expect; require('kms-emulator') registers nothing", () => {
    const result = runCjs(
      'jest-setup.js',
      `const extended = [];
globalThis.expect = { extend: (m) => extended.push(Object.keys(m)) };
const hooks = { beforeAll: [], beforeEach: [], afterEach: [] };
for (const name of Object.keys(hooks)) globalThis[name] = (f) => hooks[name].push(f);
require('kms-emulator');
require('kms-emulator/server');
const afterRoot = extended.length;
const { useKms, kmsMatchers } = require('kms-emulator/jest');
const kms = useKms();
(async () => {
  for (const f of hooks.beforeAll) await f();
  for (const f of hooks.beforeEach) await f();
  await kms.aws.send('Encrypt', { KeyId: 'alias/none', Plaintext: btoa('x') }).catch(() => {});
  const hit = kmsMatchers.toHaveCloudTrailEvent.call({ isNot: false }, kms, { eventName: 'Encrypt', errorCode: 'NotFoundException' });
  const miss = kmsMatchers.toHaveCloudTrailEvent.call({ isNot: false }, kms, { eventName: 'Decrypt' });
  for (const f of hooks.afterEach) await f();
  console.log(JSON.stringify({ resolved: require.resolve('kms-emulator/jest'), afterRoot, extended, hit: hit.pass, miss: miss.pass, message: miss.message().split('\\n')[0] }));
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    expect(result.resolved).toBe(join(project, 'node_modules/kms-emulator/dist/cjs/jest.cjs'));
    expect(result.afterRoot).toBe(0);
    expect(result.extended).toEqual([['toHaveCloudTrailEvent', 'toHaveCloudTrailEventTimes', 'toHaveCloudAuditEvent', 'toHaveCloudAuditEventTimes', 'toHaveCtsTrace', 'toHaveCtsTraceTimes']]);
    expect(result).toMatchObject({ hit: true, miss: false, message: 'Expected the emulator to have a CloudTrail event matching {"eventName": "Decrypt"}' });
  });
});
