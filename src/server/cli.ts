#!/usr/bin/env node
/**
 * kms-emulator serve [--host 127.0.0.1] [--port 4599] [--data-dir DIR] [--account ID] [--region R] [--credentials FILE]
 *                    [--seed TEXT] [--tencent-cmk-limit N] [--init FILE] [--cloudhsm-cluster ID[=CERT]] [--clock MODE] [--cors-origin ORIGIN] [--xks-path P] [--xks-key ID[=B64]] [--xks-credential ID:S] [--log text|json|off]
 *                    [--enforce-authorization | --authorization off|enforce|audit]
 *                    (or KMS_EMULATOR_* variables)
 *
 * When ready, prints exactly one line to stdout: `kms-emulator <version> listening on http://<host>:<port>`;
 * then one line per request (log.ts: written in batches, off the requests' path). SIGINT/SIGTERM:
 * stop accepting, finish in-flight requests, close the store, exit 0. Usage errors exit 2; failures
 * to start exit 1. Every line goes through a guarded writer: when a reader goes away, logging to that
 * stream stops quietly and the server carries on.
 */
import { createWriteStream } from 'node:fs';
import { isIP } from 'node:net';
import { CredentialsError } from './credentials.js';
import { InitFileError } from './init.js';
import { ENVIRONMENT_HELP, type Parsed, parseArgs, UsageError } from './args.js';
import { guardedOutput } from './output.js';
import { type BufferedLog, bufferedLog } from './log.js';
import { DEFAULT_HOST, DEFAULT_PORT, type RunningServer, startServer, VERSION } from './server.js';

const USAGE = `Usage: kms-emulator serve [options]
       kms-emulator --help | --version

Serves AWS KMS (JSON 1.1), Tencent Cloud KMS (API 3.0, and CloudAudit's LookUpEvents) and Huawei
Cloud KMS (REST) on one local HTTP port, the browser sandbox at /, an external key store proxy
(XKS Proxy API v1) under /xks, and a control API under /_kms/ (reset, snapshot, clock, faults,
XKS keys: docs/ci.md, docs/key-stores.md).

Options:
  --host HOST          interface to bind (default ${DEFAULT_HOST}; anything but loopback must be asked for)
  --port PORT          port (default ${DEFAULT_PORT}; 0 lets the OS choose)
  --data-dir DIR       keep state in DIR (restored at start; every change on disk before its response)
  --account ID         default account (default 111122223333)
  --region REGION      default region (default us-east-1)
  --credentials FILE   JSON file of accepted keys; every request must then be signed (docs/server.md)
  --seed TEXT          deterministic ids, key material and ciphertexts (same seed + same calls = same bytes)
  --tencent-cmk-limit N  CMKs a Tencent account may hold in a region (default 200)
  --init FILE          keys declared up front (YAML or JSON: ids, material, aliases, state; docs/ci.md)
  --cloudhsm-cluster ID[=CERT]  an emulated CloudHSM cluster, with its trust anchor file (repeatable;
                       none: any well-formed cluster id is an active cluster; docs/key-stores.md)
  --clock MODE         system (default), manual (starts now) or manual:2026-01-01T00:00:00Z;
                       a manual clock moves with POST /_kms/clock/advance {"by":"8d"}
  --cors-origin ORIGIN origins browser pages may call from (repeatable or comma-separated; * for any;
                       default: any loopback origin, http://localhost:*, http://127.0.0.1:*, http://[::1]:*)
  --xks-path PATH      path prefix of the built-in XKS proxy (default /xks: XksProxyUriPath /xks/kms/xks/v1)
  --xks-key ID[=B64]   an external key of the built-in XKS proxy, random or these 32 bytes (repeatable)
  --xks-credential ID:SECRET  SigV4 credential the XKS proxy accepts (repeatable; default docs/key-stores.md)
  --log FORMAT         request log on stdout: text (default), json (one JSON object a line) or off
  --enforce-authorization  judge AWS calls by key policies, identity policies and grants, as AWS does
                       (the same as --authorization enforce; docs/authorization.md)
  --authorization MODE off (default), enforce, or audit (judge and record in CloudTrail, refuse nothing)
  -h, --help           this help
  -v, --version        the version

${ENVIRONMENT_HELP}
When ready it prints one line: kms-emulator <version> listening on http://<host>:<port>
`;

const stdout = guardedOutput(process.stdout);
const stderr = guardedOutput(process.stderr);

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv, process.env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr.write(`kms-emulator: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.command === 'help') {
    stdout.write(USAGE);
    return 0;
  }
  if (parsed.command === 'version') {
    stdout.write(`${VERSION}\n`);
    return 0;
  }
  const options = parsed.options;
  const host = options.host ?? DEFAULT_HOST;
  if (!isLoopback(host)) {
    stderr.write(`kms-emulator: warning: listening on ${host}, reachable from other machines (plain HTTP, no TLS)\n`);
  }
  // Written by libuv's thread pool: a slow reader of stdout never stalls the event loop.
  const requestLog: BufferedLog | undefined = parsed.log === 'off' ? undefined : bufferedLog(parsed.log ?? 'text', createWriteStream('', { fd: 1, autoClose: false }));
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      // With --log off, errors about the server itself still go to stderr.
      requestLog: requestLog ?? { request: () => {}, message: (text) => stderr.write(`kms-emulator: ${text}\n`) },
      // stdout starts with the ready line: messages from before it go to stderr.
      notice: (message) => stderr.write(`kms-emulator: ${message}\n`),
    });
  } catch (e) {
    const message =
      e instanceof CredentialsError ? `credentials: ${e.message}` : e instanceof InitFileError ? `init file ${e.message}` : e instanceof Error ? e.message : String(e);
    stderr.write(`kms-emulator: cannot start: ${message}\n`);
    return 1;
  }
  stdout.write(`kms-emulator ${VERSION} listening on ${server.url}\n`);
  if (server.store) {
    const r = server.store.recovery;
    stderr.write(
      `kms-emulator: data dir ${server.store.dir}: ${r.snapshot ? 'snapshot' : 'new'}` +
        `${r.records > 0 ? ` + ${r.records} journal record${r.records === 1 ? '' : 's'}` : ''}` +
        `${r.tornBytes > 0 ? `, a torn last record of ${r.tornBytes} bytes dropped` : ''}, opened in ${Math.round(r.ms)} ms\n`,
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        stderr.write(`kms-emulator: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      // Closes the listener before it returns: once this line is out, new connections are refused.
      const closed = server.close();
      stderr.write(`kms-emulator: ${signal}, shutting down\n`);
      closed.then(
        () => (requestLog ? requestLog.flush() : Promise.resolve()).then(() => resolve(0)),
        (e: unknown) => {
          stderr.write(`kms-emulator: error while shutting down: ${e instanceof Error ? e.message : String(e)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

// Errors that escape every handler are logged, not fatal: one bad request must not stop the server.
process.on('uncaughtException', (e) => stderr.write(`kms-emulator: uncaught exception: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
process.on('unhandledRejection', (e) => stderr.write(`kms-emulator: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Exit even if a handle (a stray timer) lingers; stdout is flushed first (unless it is gone).
    void stdout.flush().then(() => process.exit(code));
  },
  (e: unknown) => {
    stderr.write(`kms-emulator: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    void stderr.flush().then(() => process.exit(1));
  },
);
