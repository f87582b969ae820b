#!/usr/bin/env node
/**
 * kms-emulator serve [--host 127.0.0.1] [--port 4599] [--data-dir DIR] [--account ID] [--region R] [--credentials FILE] [--log text|json|off]
 *
 * When ready, prints exactly one line to stdout: `kms-emulator <version> listening on http://<host>:<port>`;
 * then one line per request (log.ts: written in batches, off the requests' path). SIGINT/SIGTERM:
 * stop accepting, finish in-flight requests, close the store, exit 0. Usage errors exit 2; failures to start exit 1.
 */
import { createWriteStream } from 'node:fs';
import { isIP } from 'node:net';
import { CredentialsError } from './credentials.js';
import { type Parsed, parseArgs, UsageError } from './args.js';
import { type BufferedLog, bufferedLog } from './log.js';
import { DEFAULT_HOST, DEFAULT_PORT, type RunningServer, startServer, VERSION } from './server.js';

const USAGE = `Usage: kms-emulator serve [options]
       kms-emulator --help | --version

Serves AWS KMS (JSON 1.1) on one local HTTP port; Tencent Cloud and Huawei Cloud requests are
recognised and answered with their providers' "unknown action" errors until their dialects land.

Options:
  --host HOST          interface to bind (default ${DEFAULT_HOST}; anything but loopback must be asked for)
  --port PORT          port (default ${DEFAULT_PORT}; 0 lets the OS choose)
  --data-dir DIR       keep state in DIR (restored at start; every change on disk before its response)
  --account ID         default account (default 111122223333)
  --region REGION      default region (default us-east-1)
  --credentials FILE   JSON file of accepted keys; every request must then be signed (docs/server.md)
  --log FORMAT         request log on stdout: text (default), json (one JSON object a line) or off
  -h, --help           this help
  -v, --version        the version

When ready it prints one line: kms-emulator <version> listening on http://<host>:<port>
`;

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`kms-emulator: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const options = parsed.options;
  const host = options.host ?? DEFAULT_HOST;
  if (!isLoopback(host)) {
    process.stderr.write(`kms-emulator: warning: listening on ${host}, reachable from other machines (plain HTTP, no TLS)\n`);
  }
  // Written by libuv's thread pool: a slow reader of stdout never stalls the event loop.
  const requestLog: BufferedLog | undefined = parsed.log === 'off' ? undefined : bufferedLog(parsed.log ?? 'text', createWriteStream('', { fd: 1, autoClose: false }));
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      // With --log off, errors about the server itself still go to stderr.
      requestLog: requestLog ?? { request: () => {}, message: (text) => process.stderr.write(`kms-emulator: ${text}\n`) },
      // stdout starts with the ready line: messages from before it go to stderr.
      notice: (message) => process.stderr.write(`kms-emulator: ${message}\n`),
    });
  } catch (e) {
    const message = e instanceof CredentialsError ? `credentials: ${e.message}` : e instanceof Error ? e.message : String(e);
    process.stderr.write(`kms-emulator: cannot start: ${message}\n`);
    return 1;
  }
  process.stdout.write(`kms-emulator ${VERSION} listening on ${server.url}\n`);
  if (server.store) {
    const r = server.store.recovery;
    process.stderr.write(
      `kms-emulator: data dir ${server.store.dir}: ${r.snapshot ? 'snapshot' : 'new'}` +
        `${r.records > 0 ? ` + ${r.records} journal record${r.records === 1 ? '' : 's'}` : ''}` +
        `${r.tornBytes > 0 ? `, a torn last record of ${r.tornBytes} bytes dropped` : ''}, opened in ${Math.round(r.ms)} ms\n`,
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`kms-emulator: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`kms-emulator: ${signal}, shutting down\n`);
      server.close().then(
        () => (requestLog ? requestLog.flush() : Promise.resolve()).then(() => resolve(0)),
        (e: unknown) => {
          process.stderr.write(`kms-emulator: error while shutting down: ${e instanceof Error ? e.message : String(e)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

// Errors that escape every handler are logged, not fatal: one bad request must not stop the server.
process.on('uncaughtException', (e) => process.stderr.write(`kms-emulator: uncaught exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`kms-emulator: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Exit even if a handle (a stray timer) lingers; stdout is flushed first.
    process.stdout.write('', () => process.exit(code));
  },
  (e: unknown) => {
    process.stderr.write(`kms-emulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
