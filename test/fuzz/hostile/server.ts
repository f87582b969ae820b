/**
 * The real endpoint for the hostile-input fuzzer: `kms-emulator serve --port 0 --data-dir DIR
 * [--credentials FILE]` as a child process (tsx), killed with SIGKILL and restarted on the same
 * directory. Its stdout/stderr are scanned line by line (not kept: a long run logs millions of
 * lines) for the notes of internal errors.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HUAWEI_DOMAIN_ID, DEFAULT_HUAWEI_PROJECT_ID } from '../../../src/dialects/huawei/dialect.js';
import { DEFAULT_ACCOUNT, DEFAULT_TENCENT_UIN } from '../../../src/index.js';
import type { CredentialsFile } from '../../../src/server/credentials.js';
import { CLI, READY_LINE, ROOT } from '../../support/server.js';

/** One key per provider, each standing for the identity unsigned callers get: the state is the same with and without signatures. */
export const AWS_KEYS = { accessKeyId: 'AKIAHOSTILE000000001', secretAccessKey: 'hostile-aws-secret' };
export const TENCENT_KEYS = { secretId: 'AKIDhostile00000000000000000000001', secretKey: 'hostile-tencent-secret' };
export const HUAWEI_KEYS = { ak: 'HOSTILEHUAWEIAK000001', sk: 'hostile-huawei-secret-000000000000000' };
export const HUAWEI_PROJECT = DEFAULT_HUAWEI_PROJECT_ID;
/** The control API's admin (HTTP Basic) when the server checks signatures. */
export const ADMIN_KEYS = { accessKeyId: 'AKIAHOSTILEADMIN0001', secretAccessKey: 'hostile-admin-secret' };

export const CREDENTIALS: CredentialsFile = {
  version: 1,
  credentials: [
    { provider: 'aws', ...AWS_KEYS, account: DEFAULT_ACCOUNT },
    { provider: 'aws', ...ADMIN_KEYS, account: DEFAULT_ACCOUNT, admin: true },
    { provider: 'tencent', ...TENCENT_KEYS, account: DEFAULT_TENCENT_UIN },
    { provider: 'huawei', accessKey: HUAWEI_KEYS.ak, secretKey: HUAWEI_KEYS.sk, account: DEFAULT_HUAWEI_DOMAIN_ID, projectId: HUAWEI_PROJECT },
  ],
};

/** What the server printed that a run must never show. */
const ALARM = /internal error|uncaught exception|unhandled rejection|commit failed/i;

export class ServerLog {
  lines = 0;
  alarms = 0;
  /** The first alarming lines, as printed (cut to 600 characters). */
  readonly samples: string[] = [];
  readonly stderr: string[] = [];
  readonly #kinds = new Set<string>();

  scan(line: string, stream: 'stdout' | 'stderr'): void {
    this.lines++;
    if (stream === 'stderr' && this.stderr.length < 50) this.stderr.push(line.slice(0, 600));
    if (ALARM.test(line)) {
      this.alarms++;
      // One sample of each kind of alarm (timestamps, ids and timings aside).
      const kind = line.replace(/^\S+Z /, '').replace(/[0-9a-f-]{32,36}/g, '#').replace(/[\d.]+ms/, '');
      if (!this.#kinds.has(kind) && this.samples.length < 40) {
        this.#kinds.add(kind);
        this.samples.push(line.slice(0, 600));
      }
    }
  }
}

export interface Running {
  proc: ChildProcess;
  url: string;
  exited: Promise<number | string>;
  /** Set by kill9: an exit without it is the server dying on its own (an alarm). */
  killed: boolean;
}

/** Starts the CLI on `dataDir`; rejects (a refused start) if it exits or prints no ready line in 60 s. */
export async function startServer(dataDir: string, signed: boolean, log: ServerLog): Promise<Running> {
  // FUZZ_CLI=bundle starts the bundled CLI (npm start's; built by npm test/bench): restarts in a tenth of the time.
  const cli = process.env.FUZZ_CLI === 'bundle' ? [join(ROOT, 'dist', 'server', 'cli.bundle.js')] : ['--import', 'tsx', CLI];
  const args = [...cli, 'serve', '--port', '0', '--data-dir', dataDir];
  if (signed) {
    const file = join(dataDir, '..', `${dataDir.split('/').pop()}-credentials.json`);
    writeFileSync(file, JSON.stringify(CREDENTIALS));
    args.push('--credentials', file);
  }
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let ready: ((url: string) => void) | undefined;
  let first = true;
  const readyLine = new Promise<string>((resolve) => (ready = resolve));
  const early: string[] = [];
  const lines = (stream: 'stdout' | 'stderr') => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        if (stream === 'stdout' && first) {
          first = false;
          const m = READY_LINE.exec(line);
          if (m) ready!(m[2]!);
          else early.push(line);
          continue;
        }
        if (stream === 'stderr' && first) early.push(line);
        log.scan(line, stream);
      }
    };
  };
  const running: { killed: boolean; ready: boolean } = { killed: false, ready: false };
  proc.on('exit', (code, signal) => {
    if (running.ready && !running.killed) log.scan(`the server exited on its own (${code ?? signal}): uncaught exception or internal error`, 'stderr');
  });
  proc.stdout!.on('data', lines('stdout'));
  proc.stderr!.on('data', lines('stderr'));
  const exited = new Promise<number | string>((resolve) => proc.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readyLine.then((url) => ({ url })),
    exited.then((code) => ({ refused: `the server exited (${code}) before its ready line: ${early.join('\n').slice(0, 2000)}` })),
    new Promise<{ refused: string }>((resolve) => {
      timer = setTimeout(() => resolve({ refused: `no ready line in 60 s: ${early.join('\n').slice(0, 2000)}` }), 60_000);
    }),
  ]);
  clearTimeout(timer);
  if ('refused' in outcome) {
    proc.kill('SIGKILL');
    throw new Error(outcome.refused);
  }
  running.ready = true;
  return Object.assign(running, { proc, url: outcome.url, exited });
}

export async function kill9(server: Running): Promise<void> {
  server.killed = true;
  server.proc.kill('SIGKILL');
  await server.exited;
}
