/**
 * Helpers for the local-endpoint tests: servers started in process (startServer) or as a child
 * process (the CLI), an SDK client over HTTP, raw HTTP requests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'vitest';
import { type RunningServer, type ServerOptions, startServer } from '../../src/server/server.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../src/server/cli.ts', import.meta.url));
export const READY_LINE = /^kms-emulator (\d+\.\d+\.\d+\S*) listening on (http:\/\/127\.0\.0\.1:(\d+))$/;

export const PLACEHOLDER_KEYS = { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'kms-emulator-secret-access-key' };

/** A line matching this (a pattern, or a test of the line). */
export type LineMatch = RegExp | ((line: string) => boolean);

/** Lines as they arrive, and a way to wait for one instead of sleeping. */
export interface LineSink {
  readonly lines: string[];
  add(...lines: string[]): void;
  /** No more lines will come: waits still pending fail at once. */
  end(): void;
  /**
   * The first line that matches, among those already here (past the first `skip`) or still to come;
   * fails after `ms` (default 10 s) or at end().
   */
  waitFor(match: LineMatch, options?: { ms?: number; skip?: number }): Promise<string>;
}

export function lineSink(): LineSink {
  const lines: string[] = [];
  const waiters = new Set<{ test: (line: string) => boolean; resolve: (line: string) => void; fail: (why: string) => void }>();
  let ended = false;
  return {
    lines,
    add(...added) {
      lines.push(...added);
      for (const line of added) {
        for (const w of waiters) if (w.test(line)) w.resolve(line);
      }
    },
    end() {
      ended = true;
      for (const w of waiters) w.fail('no more lines will come');
    },
    waitFor(match, { ms = 10_000, skip = 0 } = {}) {
      const test = typeof match === 'function' ? match : (line: string) => match.test(line);
      const seen = lines.slice(skip).find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const waiter = {
          test,
          resolve: (line: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(line);
          },
          fail: (why: string) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            reject(new Error(`no line matching ${String(match)} (${why}); lines so far:\n${lines.join('\n')}`));
          },
        };
        const timer = setTimeout(() => waiter.fail(`${ms} ms passed`), ms);
        waiters.add(waiter);
        if (ended) waiter.fail('no more lines will come');
      });
    },
  };
}

/** A server on 127.0.0.1 with an OS-chosen port; `close()` also checks the emulator had no internal errors. */
export async function serve(options: ServerOptions = {}): Promise<RunningServer & { lines: string[]; waitForLine: LineSink['waitFor'] }> {
  const log = lineSink();
  const server = await startServer({ host: '127.0.0.1', port: 0, log: (line) => log.add(line), ...options });
  return {
    ...server,
    lines: log.lines,
    waitForLine: log.waitFor,
    async close() {
      await server.close();
      expect(server.kms.aws.internalErrors.recent()).toEqual([]);
    },
  };
}

/** @aws-sdk/client-kms over HTTP to the server, with a keep-alive agent. */
export function httpClient(
  url: string,
  options: { credentials?: { accessKeyId: string; secretAccessKey: string }; region?: string; maxAttempts?: number; systemClockOffset?: number; agent?: Agent } = {},
): KMSClient {
  return new KMSClient({
    endpoint: url,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? PLACEHOLDER_KEYS,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.systemClockOffset !== undefined ? { systemClockOffset: options.systemClockOffset } : {}),
    requestHandler: { httpAgent: options.agent ?? new Agent({ keepAlive: true, maxSockets: 32 }) },
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** One HTTP request with exactly these headers and body (no SDK in the way). */
export function raw(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Uint8Array; agent?: Agent | false } = {},
): Promise<RawResponse> {
  const target = new URL(options.path ?? '/', url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** An AWS JSON 1.1 request, unsigned. */
export function awsCall(url: string, operation: string, input: unknown = {}, headers: Record<string, string> = {}): Promise<RawResponse> {
  return raw(url, {
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}`, ...headers },
    body: typeof input === 'string' ? input : JSON.stringify(input),
  });
}

/** Opens a TCP connection to the server. */
export function socketTo(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `ms` pass). */
export function readUntilClosed(socket: Socket, ms = 10_000): Promise<{ text: string; closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: false });
    }, ms);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: true, ...(error ? { error } : {}) });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The CLI as a child process (`node --import tsx src/server/cli.ts …`). */
export interface CliProcess {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  /** The first line on that stream, already printed or still to come, that matches (see LineSink.waitFor). */
  waitForLine(stream: 'stdout' | 'stderr', match: LineMatch, options?: Parameters<LineSink['waitFor']>[1]): Promise<string>;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = lineSink();
  const stderr = lineSink();
  let outRest = '';
  let errRest = '';
  proc.stdout!.on('data', (c: Buffer) => {
    const parts = (outRest + c.toString('utf8')).split('\n');
    outRest = parts.pop()!;
    stdout.add(...parts);
  });
  proc.stderr!.on('data', (c: Buffer) => {
    const parts = (errRest + c.toString('utf8')).split('\n');
    errRest = parts.pop()!;
    stderr.add(...parts);
  });
  const exited = new Promise<number | string>((resolve) =>
    proc.on('close', (code, signal) => {
      if (outRest) stdout.add(outRest);
      if (errRest) stderr.add(errRest);
      stdout.end();
      stderr.end();
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    proc,
    stdout: stdout.lines,
    stderr: stderr.lines,
    exited,
    waitForLine: (stream, match, options) => (stream === 'stdout' ? stdout : stderr).waitFor(match, options),
  };
}

/** Starts `kms-emulator serve --port 0 …` and waits for its ready line. */
export async function startCli(args: string[] = [], env: Record<string, string> = {}): Promise<CliProcess & { url: string }> {
  const cli = runCli(['serve', '--port', '0', ...args], env);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const first = cli.stdout[0];
    if (first !== undefined) {
      const m = READY_LINE.exec(first);
      if (!m) throw new Error(`unexpected first line: ${first}\n${cli.stderr.join('\n')}`);
      return { ...cli, url: m[2]! };
    }
    if (cli.proc.exitCode !== null) throw new Error(`the CLI exited (${cli.proc.exitCode}): ${cli.stderr.join('\n')}`);
    if (Date.now() > deadline) {
      cli.proc.kill('SIGKILL');
      throw new Error(`no ready line: ${cli.stderr.join('\n')}`);
    }
    await sleep(20);
  }
}
