/**
 * `kms-emulator serve` as a child process: flags, the ready line, the request log, signals.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseArgs, UsageError } from '../../src/server/args.js';
import { rejection } from '../support/kms.js';
import { awsCall, httpClient, raw, READY_LINE, readUntilClosed, runCli, sleep, socketTo, startCli } from '../support/server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('kms-emulator (the CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kms-cli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help and --version', async () => {
    const help = runCli(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/^Usage: kms-emulator serve \[options\]/);
    expect(help.stdout.join('\n')).toContain('--credentials FILE');
    const version = runCli(['--version']);
    expect(await version.exited).toBe(0);
    expect(version.stdout).toEqual([VERSION]);
  });

  it('usage errors: each flag is checked', () => {
    const cases: Array<[string[], string]> = [
      [[], 'missing command'],
      [['start'], "unknown command 'start'"],
      [['serve', '--bogus'], "unknown option '--bogus'"],
      [['serve', '--port'], '--port needs a value'],
      [['serve', '--port', '--host', 'x'], '--port needs a value'],
      [['serve', '--port', 'abc'], "invalid --port 'abc' (0-65535)"],
      [['serve', '--port=70000'], "invalid --port '70000' (0-65535)"],
      [['serve', '--account', '12'], "invalid --account '12' (12 digits)"],
      [['serve', '--region', 'US East'], "invalid --region 'US East' (e.g. us-east-1)"],
      [['serve', '--host', ''], "invalid --host ''"],
      [['serve', '--port', '1', '--port', '2'], '--port given twice'],
      [['serve', 'extra'], "unexpected argument 'extra'"],
      [['serve', '--cloudhsm-cluster', 'cluster-1'], "invalid --cloudhsm-cluster 'cluster-1' (a cluster id such as cluster-2a23b4cdefg, optionally =customerCA.crt)"],
      [['serve', '--cloudhsm-cluster', 'cluster-2a23b4cdefg='], '--cloudhsm-cluster cluster-2a23b4cdefg= needs a trust anchor file'],
    ];
    for (const [args, message] of cases) {
      expect(() => parseArgs(args), args.join(' ')).toThrow(new UsageError(message));
    }
    expect(parseArgs(['serve'])).toEqual({ command: 'serve', options: {} });
    expect(parseArgs(['serve', '--cloudhsm-cluster', 'cluster-2a23b4cdefg=ca.crt,cluster-3b34c5defgh']).options.cloudHsmClusters).toEqual([
      { id: 'cluster-2a23b4cdefg', trustAnchorFile: 'ca.crt' },
      { id: 'cluster-3b34c5defgh' },
    ]);
    expect(
      parseArgs(['serve', '--host', '0.0.0.0', '--port=0', '--data-dir', 'd', '--account', '444455556666', '--region', 'ap-guangzhou', '--credentials', 'c.json']),
    ).toEqual({
      command: 'serve',
      options: { host: '0.0.0.0', port: 0, dataDir: 'd', account: '444455556666', region: 'ap-guangzhou', credentials: 'c.json' },
    });
    expect(parseArgs(['serve', '--port', '1', '--help']).command).toBe('help');
  });

  it('a usage error exits 2 with the message and the usage on stderr', async () => {
    const runs = [runCli(['serve', '--bogus']), runCli([])];
    for (const [run, message] of [
      [runs[0]!, "unknown option '--bogus'"],
      [runs[1]!, 'missing command'],
    ] as const) {
      expect(await run.exited).toBe(2);
      expect(run.stdout).toEqual([]);
      expect(run.stderr[0]).toBe(`kms-emulator: ${message}`);
      expect(run.stderr.join('\n')).toContain('Usage: kms-emulator serve [options]');
    }
  });

  it('failures to start exit 1: an unreadable credentials file, a port in use', async () => {
    const missing = runCli(['serve', '--port', '0', '--credentials', join(dir, 'nope.json')]);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/^kms-emulator: cannot start: credentials: cannot read .*nope\.json/);

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const busy = runCli(['serve', '--port', String(port)]);
      expect(await busy.exited).toBe(1);
      expect(busy.stderr.join('\n')).toMatch(/cannot start: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('binds loopback by default, prints exactly one ready line, serves, logs one line per request, exits 0 on SIGTERM', async () => {
    const cli = await startCli(['--account', '444455556666', '--region', 'eu-west-1', '--data-dir', join(dir, 'data')]);
    expect(cli.stdout[0]).toMatch(READY_LINE);
    expect(READY_LINE.exec(cli.stdout[0]!)![1]).toBe(VERSION);
    const client = httpClient(cli.url, { region: 'eu-west-1' });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//);
    await client.send(new ListKeysCommand({}));
    expect((await raw(cli.url, { method: 'GET', path: '/health' })).json()).toMatchObject({ status: 'ok', version: VERSION, protocols: ['aws', 'tencent', 'huawei'] });
    // The request log is written in batches, off the requests' path: stop once the last line is out.
    await cli.waitForLine('stdout', /^\S+Z GET \/health /);
    cli.proc.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout).toHaveLength(4);
    expect(cli.stdout[1]).toMatch(/^\S+Z POST \/ aws\/CreateKey 200 \d+\.\dms$/);
    expect(cli.stdout[2]).toMatch(/^\S+Z POST \/ aws\/ListKeys 200 \d+\.\dms$/);
    expect(cli.stdout[3]).toMatch(/^\S+Z GET \/health server\/health 200 \d+\.\dms$/);
    expect(cli.stderr).toContain('kms-emulator: SIGTERM, shutting down');
    expect(cli.stderr.join('\n')).toMatch(/kms-emulator: data dir .*data: new, opened in \d+ ms/);

    // The same --data-dir after a restart: the key is still there.
    const again = await startCli(['--account', '444455556666', '--region', 'eu-west-1', '--data-dir', join(dir, 'data')]);
    try {
      const { Keys } = await httpClient(again.url, { region: 'eu-west-1' }).send(new ListKeysCommand({}));
      expect(Keys!.map((k) => k.KeyId)).toContain(KeyMetadata!.KeyId);
      expect(again.stderr.join('\n')).toMatch(/kms-emulator: data dir .*data: snapshot/);
    } finally {
      again.proc.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });

  it('exits 0 on SIGINT, with idle keep-alive connections open', async () => {
    const cli = await startCli();
    const client = httpClient(cli.url);
    await client.send(new ListKeysCommand({}));
    cli.proc.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    client.destroy();
  });

  it('on SIGTERM, stops accepting but finishes the request in flight', async () => {
    const cli = await startCli();
    const socket = await socketTo(cli.url);
    const body = '{"Description":"in flight"}';
    // `Expect: 100-continue` makes the server say when it has the request's head: from then on the
    // request is in flight.
    const continued = new Promise((resolve) => socket.once('data', resolve));
    socket.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.CreateKey\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    const answer = readUntilClosed(socket);
    await continued;
    cli.proc.kill('SIGTERM');
    // Printed once the listener is closed.
    await cli.waitForLine('stderr', /^kms-emulator: SIGTERM, shutting down$/);
    // No new connections once shutting down.
    await expect(awsCall(cli.url, 'ListKeys', {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    socket.write(body.slice(10));
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(text).toContain('"Description":"in flight"');
    expect(await cli.exited).toBe(0);
  });

  /** CPU time (user + system, in clock ticks) the process has used, from /proc/<pid>/stat. */
  const cpuTicks = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  /** Its exit; a process still running when the test ends (failed or timed out) is killed. */
  const exitOf = (proc: ChildProcess) => {
    onTestFinished(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    });
    return new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  };

  it('when the reader of its stdout and stderr goes away it keeps serving, does not spin, and exits 0 on SIGTERM', async () => {
    const cli = await startCli();
    const exited = exitOf(cli.proc);
    // The parent reads the ready line and goes away: both pipes close.
    cli.proc.stdout!.destroy();
    cli.proc.stderr!.destroy();
    for (let i = 0; i < 20; i++) {
      // Every request logs a line to the closed stdout; a 404 also goes through the error paths.
      expect((await raw(cli.url, { method: 'GET', path: '/health' })).status).toBe(200);
      expect((await awsCall(cli.url, 'ListKeys', {})).status).toBe(200);
    }
    const before = cpuTicks(cli.proc.pid!);
    // A window, not a wait: spinning is the absence of idleness, seen only as CPU used over time.
    await sleep(1000);
    // Spinning, it used a whole core (about 100 ticks a second); idle, it uses none.
    expect(cpuTicks(cli.proc.pid!) - before).toBeLessThan(30);
    cli.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 20_000);

  it('with only stdout gone, it still reports on stderr and exits 0 on SIGTERM', async () => {
    const cli = await startCli();
    const exited = exitOf(cli.proc);
    cli.proc.stdout!.destroy();
    for (let i = 0; i < 10; i++) expect((await awsCall(cli.url, 'ListKeys', {})).status).toBe(200);
    cli.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    await cli.exited;
    expect(cli.stderr).toContain('kms-emulator: SIGTERM, shutting down');
  }, 20_000);

  it('--credentials FILE: requests must be signed by a listed key', async () => {
    const file = join(dir, 'credentials.json');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, credentials: [{ provider: 'aws', accessKeyId: 'AKIAFILEUSER00000001', secretAccessKey: 'file-secret', principal: { type: 'user', name: 'bob' } }] }),
    );
    const cli = await startCli(['--credentials', file]);
    try {
      await httpClient(cli.url, { credentials: { accessKeyId: 'AKIAFILEUSER00000001', secretAccessKey: 'file-secret' } }).send(new ListKeysCommand({}));
      const wrong = httpClient(cli.url, { credentials: { accessKeyId: 'AKIAFILEUSER00000001', secretAccessKey: 'nope' } });
      expect((await rejection(() => wrong.send(new ListKeysCommand({})))).name).toBe('InvalidSignatureException');
      expect((await awsCall(cli.url, 'ListKeys', {})).json().__type).toBe('MissingAuthenticationTokenException');
    } finally {
      cli.proc.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    }
  });
});
