/**
 * The command line of `kms-emulator`: parsed and checked without side effects (cli.ts runs it).
 */
import { LOG_FORMATS, type LogFormat } from './log.js';
import type { ServerOptions } from './server.js';

/** A command line that cannot be run: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

export interface Parsed {
  command: 'serve' | 'help' | 'version';
  options: ServerOptions;
  /** --log: the request log's format (default text). */
  log?: LogFormat;
}

const VALUE_FLAGS = new Set(['--host', '--port', '--data-dir', '--account', '--region', '--credentials', '--log']);

export function parseArgs(argv: readonly string[]): Parsed {
  const args = [...argv];
  if (args.length === 0) throw new UsageError('missing command');
  const first = args[0]!;
  if (first === '-h' || first === '--help' || first === 'help') return { command: 'help', options: {} };
  if (first === '-v' || first === '--version' || first === 'version') return { command: 'version', options: {} };
  if (first !== 'serve') throw new UsageError(`unknown command '${first}'`);
  const values = new Map<string, string>();
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { command: 'help', options: {} };
    if (arg === '-v' || arg === '--version') return { command: 'version', options: {} };
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(name)) throw new UsageError(arg.startsWith('-') ? `unknown option '${name}'` : `unexpected argument '${arg}'`);
    let value: string | undefined;
    if (name !== arg) value = arg.slice(eq + 1);
    else {
      value = args[++i];
      if (value === undefined || (value.startsWith('--') && VALUE_FLAGS.has(value))) throw new UsageError(`${name} needs a value`);
    }
    if (values.has(name)) throw new UsageError(`${name} given twice`);
    values.set(name, value);
  }
  const options: ServerOptions = {};
  const host = values.get('--host');
  if (host !== undefined) {
    if (host === '' || /[\s/]/.test(host)) throw new UsageError(`invalid --host '${host}'`);
    options.host = host;
  }
  const port = values.get('--port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`invalid --port '${port}' (0-65535)`);
    options.port = Number(port);
  }
  const dataDir = values.get('--data-dir');
  if (dataDir !== undefined) {
    if (dataDir === '') throw new UsageError('--data-dir needs a directory');
    options.dataDir = dataDir;
  }
  const account = values.get('--account');
  if (account !== undefined) {
    if (!/^\d{12}$/.test(account)) throw new UsageError(`invalid --account '${account}' (12 digits)`);
    options.account = account;
  }
  const region = values.get('--region');
  if (region !== undefined) {
    if (!/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/.test(region)) throw new UsageError(`invalid --region '${region}' (e.g. us-east-1)`);
    options.region = region;
  }
  const credentials = values.get('--credentials');
  if (credentials !== undefined) {
    if (credentials === '') throw new UsageError('--credentials needs a file');
    options.credentials = credentials;
  }
  const log = values.get('--log');
  if (log !== undefined && !(LOG_FORMATS as readonly string[]).includes(log)) throw new UsageError(`invalid --log '${log}' (${LOG_FORMATS.join(', ')})`);
  return { command: 'serve', options, ...(log !== undefined ? { log: log as LogFormat } : {}) };
}
