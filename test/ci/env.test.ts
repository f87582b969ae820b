/**
 * Configuration from the environment: KMS_EMULATOR_PORT, _HOST, _DATA_DIR, _ACCOUNT, _REGION,
 * _CREDENTIALS, _SEED, _TENCENT_CMK_LIMIT, _LOG; a flag wins over its variable; a bad value is a usage error naming it.
 */
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { httpClient, READY_LINE, runCli, sleep } from '../support/server.js';

describe('environment configuration', () => {
  it('each variable sets its option; a flag wins over its variable; an empty variable is unset', () => {
    const env = {
      KMS_EMULATOR_HOST: '0.0.0.0',
      KMS_EMULATOR_PORT: '4700',
      KMS_EMULATOR_DATA_DIR: 'state',
      KMS_EMULATOR_ACCOUNT: '444455556666',
      KMS_EMULATOR_REGION: 'eu-west-1',
      KMS_EMULATOR_CREDENTIALS: 'creds.json',
      KMS_EMULATOR_SEED: 'ci',
      KMS_EMULATOR_TENCENT_CMK_LIMIT: '500',
      KMS_EMULATOR_LOG: 'off',
    };
    expect(parseArgs(['serve'], env)).toEqual({
      command: 'serve',
      options: { host: '0.0.0.0', port: 4700, dataDir: 'state', account: '444455556666', region: 'eu-west-1', credentials: 'creds.json', seed: 'ci', tencentCmkLimit: 500 },
      log: 'off',
    });
    expect(parseArgs(['serve', '--port', '0', '--region=ap-guangzhou'], env).options).toMatchObject({ port: 0, region: 'ap-guangzhou', account: '444455556666' });
    expect(parseArgs(['serve'], { KMS_EMULATOR_PORT: '', KMS_EMULATOR_LOG: '' })).toEqual({ command: 'serve', options: {} });
    // Variables that are not ours are ignored.
    expect(parseArgs(['serve'], { PORT: '80', KMS_EMULATOR_OTHER: 'x' })).toEqual({ command: 'serve', options: {} });
  });

  it('a bad value is a usage error naming the variable, unless its flag is given', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ KMS_EMULATOR_PORT: 'http' }, "invalid KMS_EMULATOR_PORT 'http' (0-65535)"],
      [{ KMS_EMULATOR_PORT: '70000' }, "invalid KMS_EMULATOR_PORT '70000' (0-65535)"],
      [{ KMS_EMULATOR_ACCOUNT: '12' }, "invalid KMS_EMULATOR_ACCOUNT '12' (12 digits)"],
      [{ KMS_EMULATOR_REGION: 'US East' }, "invalid KMS_EMULATOR_REGION 'US East' (e.g. us-east-1)"],
      [{ KMS_EMULATOR_HOST: 'a b' }, "invalid KMS_EMULATOR_HOST 'a b'"],
      [{ KMS_EMULATOR_LOG: 'verbose' }, "invalid KMS_EMULATOR_LOG 'verbose' (text, json, off)"],
      [{ KMS_EMULATOR_TENCENT_CMK_LIMIT: '0' }, "invalid KMS_EMULATOR_TENCENT_CMK_LIMIT '0' (a number of keys, at least 1)"],
    ];
    for (const [env, message] of cases) expect(() => parseArgs(['serve'], env), message).toThrow(new UsageError(message));
    // The flag wins: its variable is not even read.
    expect(parseArgs(['serve', '--port', '1'], { KMS_EMULATOR_PORT: 'http' }).options.port).toBe(1);
  });

  it('the CLI reads its environment: port, account, region and seed from variables', async () => {
    const env = { KMS_EMULATOR_PORT: '0', KMS_EMULATOR_ACCOUNT: '444455556666', KMS_EMULATOR_REGION: 'eu-west-1', KMS_EMULATOR_SEED: 'env', KMS_EMULATOR_LOG: 'off' };
    const cli = runCli(['serve'], env);
    try {
      while (cli.stdout.length === 0 && cli.proc.exitCode === null) await sleep(20);
      const url = READY_LINE.exec(cli.stdout[0] ?? '')?.[2];
      expect(url, cli.stderr.join('\n')).toBeDefined();
      const { KeyMetadata } = await httpClient(url!, { region: 'eu-west-1' }).send(new CreateKeyCommand({}));
      expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
      // The same seed from a flag gives the same key id.
      const again = runCli(['serve', '--seed', 'env'], { ...env, KMS_EMULATOR_SEED: 'ignored' });
      while (again.stdout.length === 0 && again.proc.exitCode === null) await sleep(20);
      const url2 = READY_LINE.exec(again.stdout[0] ?? '')![2]!;
      const second = await httpClient(url2, { region: 'eu-west-1' }).send(new CreateKeyCommand({}));
      expect(second.KeyMetadata!.KeyId).toBe(KeyMetadata!.KeyId);
      again.proc.kill('SIGTERM');
      expect(await again.exited).toBe(0);
      // KMS_EMULATOR_LOG=off: no request lines after the ready line.
      expect(again.stdout).toHaveLength(1);
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });

  it('a bad variable exits 2 naming it; --help lists the variables', async () => {
    const bad = runCli(['serve'], { KMS_EMULATOR_PORT: 'http' });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr[0]).toBe("kms-emulator: invalid KMS_EMULATOR_PORT 'http' (0-65535)");
    const help = runCli(['--help']);
    expect(await help.exited).toBe(0);
    const text = help.stdout.join('\n');
    for (const name of ['PORT', 'HOST', 'DATA_DIR', 'ACCOUNT', 'REGION', 'SEED', 'LOG', 'CREDENTIALS']) expect(text).toContain(`KMS_EMULATOR_${name}`);
    expect(text).toMatch(/KMS_EMULATOR_PORT\s+--port/);
  });
});

describe('KMS_EMULATOR_LOG=json', () => {
  it('gives JSON request lines, as --log json does; the flag wins over the variable', async () => {
    for (const [args, env, json] of [
      [[], { KMS_EMULATOR_LOG: 'json' }, true],
      [['--log', 'text'], { KMS_EMULATOR_LOG: 'json' }, false],
    ] as const) {
      const cli = runCli(['serve', '--port', '0', ...args], env);
      try {
        while (cli.stdout.length === 0 && cli.proc.exitCode === null) await sleep(20);
        const ready = READY_LINE.exec(cli.stdout[0] ?? '');
        expect(ready).not.toBeNull();
        await fetch(`${ready![2]}/health`);
        while (cli.stdout.length < 2 && cli.proc.exitCode === null) await sleep(20);
        const line = cli.stdout[1]!;
        if (json) expect(JSON.parse(line)).toMatchObject({ provider: 'server', operation: 'health', status: 200 });
        else expect(line).toMatch(/ GET \/health server\/health 200 /);
      } finally {
        cli.proc.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
      }
    }
  });
});
