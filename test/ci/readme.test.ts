/**
 * The commands of the README's "Use it in CI" section and its local-endpoint snippet, run as they
 * are written (in bash, with the AWS CLI and curl), and the CloudAudit snippet of docs/tencent.md.
 * Only the port is changed (to a free one), and `npx kms-emulator` runs this checkout's CLI.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, startCli } from '../support/server.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
mkdirSync(join(ROOT, 'test-output'), { recursive: true });
// Inside the checkout, so that `node --import tsx` finds tsx.
const work = mkdtempSync(join(ROOT, 'test-output', 'readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The ```lang blocks of a markdown text between a heading and the next heading of that level. */
function blocks(markdown: string, heading: string, lang: string): string[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const level = heading.split(' ')[0]!;
  const end = markdown.indexOf(`\n${level} `, start + heading.length + 2);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The machine's AWS configuration stays out; `npx kms-emulator` is this checkout's CLI. */
function bash(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_') || name.startsWith('KMS_EMULATOR_') || /^(https?|all|no)_proxy$/i.test(name)) continue;
    env[name] = value;
  }
  Object.assign(env, { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true', NO_PROXY: '127.0.0.1,localhost' });
  const shim = `npx() { if [ "$1" = kms-emulator ]; then shift; exec node --import tsx ${JSON.stringify(CLI)} "$@"; else command npx "$@"; fi; }\nset -o pipefail\n`;
  return new Promise((resolve) => {
    execFile('bash', ['-c', shim + script], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('README', () => {
  it('"Use it in CI": the init file, the environment, reset, the clock and a fault, as written', async () => {
    const [script] = blocks(README, '## Use it in CI', 'sh');
    expect(script).toContain('_kms/faults');
    const port = await freePort();
    const dir = join(work, 'ci');
    mkdirSync(dir);
    const result = await bash(script!.replaceAll('4599', String(port)), dir);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain('{"status":"reset","to":"init"}');
    expect(out).toContain('card 4111');
    expect(out).toMatch(/\{"now":"\d{4}-\d\d-\d\dT[\d:.]+Z"\}/);
    expect(out).toContain('"error":"throttling"');
    expect(out).toContain('throttled, as asked');
    expect(result.stderr).toContain('ThrottlingException');
    // The trap stopped the server: the port is free again.
    await expect(fetch(`http://127.0.0.1:${port}/_kms/health`)).rejects.toThrow();
  });

  it('"Run it as a local endpoint": the AWS CLI snippet, as written', async () => {
    const cli = await startCli();
    try {
      const port = new URL(cli.url).port;
      const [script] = blocks(README, '## Run it as a local endpoint', 'sh').filter((b) => b.includes('aws kms'));
      const dir = join(work, 'endpoint');
      mkdirSync(dir);
      const result = await bash(script!.replaceAll('4599', port), dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('my secret');
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});

describe('docs/tencent.md', () => {
  it('the CloudAudit LookUpEvents snippet runs against the endpoint', async () => {
    const cli = await startCli();
    try {
      const port = new URL(cli.url).port;
      const text = readFileSync(join(ROOT, 'docs/tencent.md'), 'utf8');
      const [snippet] = blocks(text, '## CloudAudit', 'ts');
      const file = join(work, 'cloudaudit.mts');
      writeFileSync(file, snippet!.replaceAll('4599', port));
      const result = await bash(`node --import tsx ${JSON.stringify(file)}`, ROOT);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\[ \[ 'CreateKey', 'root', '[0-9a-f-]{36}' \] \]/);
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});

describe('docs/ci.md', () => {
  it('the AWS CLI and curl commands run against a server on a manual clock', async () => {
    const cli = await startCli(['--clock', 'manual:2026-01-01T00:00:00Z']);
    try {
      const port = new URL(cli.url).port;
      const text = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');
      const scripts = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => !b.includes('npx kms-emulator serve'));
      expect(scripts).toHaveLength(3);
      const dir = join(work, 'ci-doc');
      mkdirSync(dir);
      const keys = 'export AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1\n';
      const result = await bash(keys + scripts.join('\n').replaceAll('4599', port), dir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('"KeyId": "bffb20d8-35ca-4408-9d54-f775b929b38d"');
      expect(result.stdout).toContain('{"status":"reset","to":"empty"}{"now":"2026-01-09T00:00:00.000Z"}');
      expect(result.stdout).toContain('{"status":"restored"}');
      expect(result.stdout).toContain('{"fault":{"id":"fault-1","provider":"aws","operation":"Encrypt","count":2,"error":"throttling","remaining":2,"injected":0}}');
      expect(result.stdout).toContain('{"removed":1}');
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});
