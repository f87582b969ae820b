/**
 * The command line of `kms-emulator`: parsed and checked without side effects (cli.ts runs it).
 * Every option can also come from an environment variable (KMS_EMULATOR_PORT, …); a flag wins over
 * its variable. The environment is a parameter, so parsing stays pure.
 */
import { ManualClock } from '../engine/clock.js';
import { LOG_FORMATS, type LogFormat } from './log.js';
import type { ServerOptions } from './server.js';
import { fromBase64 } from '../crypto/bytes.js';
import { EXTERNAL_KEY_ID } from '../dialects/aws/xks/proxy.js';
import { XKS_ACCESS_KEY_ID, XKS_SECRET, xksPathProblem } from './xks-protocol.js';
import { AUTHORIZATION_MODES, type AuthorizationMode } from '../dialects/aws/authorization.js';

/** Flags without a value: each stands for a value option (`--enforce-authorization` is `--authorization enforce`). */
const SWITCHES: Readonly<Record<string, readonly [string, string]>> = { '--enforce-authorization': ['--authorization', 'enforce'] };

/** A command line that cannot be run: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

/** How the request log is written (the `--log` flag / KMS_EMULATOR_LOG). */

export interface Parsed {
  command: 'serve' | 'help' | 'version';
  options: ServerOptions;
  /** The request log's format (--log or KMS_EMULATOR_LOG; default text). */
  log?: LogFormat;
}

export type Environment = Readonly<Record<string, string | undefined>>;

interface OptionSpec {
  flag: string;
  env: string;
  /** Checks the value; `name` is the flag or the variable it came from (for the message). */
  apply(parsed: Parsed, value: string, name: string): void;
  repeatable?: boolean;
}

/** Every value option: its flag, its variable and its check. */
const OPTIONS: readonly OptionSpec[] = [
  {
    flag: '--host',
    env: 'KMS_EMULATOR_HOST',
    apply({ options }, host, name) {
      if (host === '' || /[\s/]/.test(host)) throw new UsageError(`invalid ${name} '${host}'`);
      options.host = host;
    },
  },
  {
    flag: '--port',
    env: 'KMS_EMULATOR_PORT',
    apply({ options }, port, name) {
      if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`invalid ${name} '${port}' (0-65535)`);
      options.port = Number(port);
    },
  },
  {
    flag: '--data-dir',
    env: 'KMS_EMULATOR_DATA_DIR',
    apply({ options }, dir, name) {
      if (dir === '') throw new UsageError(`${name} needs a directory`);
      options.dataDir = dir;
    },
  },
  {
    flag: '--account',
    env: 'KMS_EMULATOR_ACCOUNT',
    apply({ options }, account, name) {
      if (!/^\d{12}$/.test(account)) throw new UsageError(`invalid ${name} '${account}' (12 digits)`);
      options.account = account;
    },
  },
  {
    flag: '--region',
    env: 'KMS_EMULATOR_REGION',
    apply({ options }, region, name) {
      if (!/^[a-z][a-z0-9-]{0,62}[a-z0-9]$/.test(region)) throw new UsageError(`invalid ${name} '${region}' (e.g. us-east-1)`);
      options.region = region;
    },
  },
  {
    flag: '--credentials',
    env: 'KMS_EMULATOR_CREDENTIALS',
    apply({ options }, file, name) {
      if (file === '') throw new UsageError(`${name} needs a file`);
      options.credentials = file;
    },
  },
  {
    flag: '--seed',
    env: 'KMS_EMULATOR_SEED',
    apply({ options }, seed, name) {
      if (seed === '' || seed.length > 256) throw new UsageError(`${name} needs a value of 1 to 256 characters`);
      options.seed = seed;
    },
  },
  {
    flag: '--tencent-cmk-limit',
    env: 'KMS_EMULATOR_TENCENT_CMK_LIMIT',
    apply({ options }, limit, name) {
      if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1) throw new UsageError(`invalid ${name} '${limit}' (a number of keys, at least 1)`);
      options.tencentCmkLimit = Number(limit);
    },
  },
  {
    flag: '--init',
    env: 'KMS_EMULATOR_INIT',
    apply({ options }, file, name) {
      if (file === '') throw new UsageError(`${name} needs a file`);
      options.init = file;
    },
  },
  {
    flag: '--clock',
    env: 'KMS_EMULATOR_CLOCK',
    apply({ options }, clock, name) {
      const parsed = parseClock(clock, name);
      if (parsed) options.clock = parsed;
      else delete options.clock;
    },
  },
  {
    flag: '--cors-origin',
    env: 'KMS_EMULATOR_CORS_ORIGIN',
    repeatable: true,
    apply({ options }, list, name) {
      const origins = list.split(',').map((o) => o.trim());
      for (const origin of origins) {
        if (origin !== '*' && !/^https?:\/\/[^\s/?#]+$/.test(origin)) {
          throw new UsageError(`invalid ${name} '${origin}' (an origin such as http://localhost:3000, or *)`);
        }
      }
      options.corsOrigins = [...(options.corsOrigins ?? []), ...origins];
    },
  },
  {
    // An emulated CloudHSM cluster: its id, and optionally the file of its trust anchor (id=customerCA.crt).
    flag: '--cloudhsm-cluster',
    env: 'KMS_EMULATOR_CLOUDHSM_CLUSTER',
    repeatable: true,
    apply({ options }, list, name) {
      for (const entry of list.split(',').map((e) => e.trim())) {
        const eq = entry.indexOf('=');
        const id = eq < 0 ? entry : entry.slice(0, eq);
        const file = eq < 0 ? undefined : entry.slice(eq + 1);
        if (!/^cluster-[2-7a-zA-Z]{11,16}$/.test(id)) throw new UsageError(`invalid ${name} '${entry}' (a cluster id such as cluster-2a23b4cdefg, optionally =customerCA.crt)`);
        if (file === '') throw new UsageError(`${name} ${id}= needs a trust anchor file`);
        options.cloudHsmClusters = [...(options.cloudHsmClusters ?? []), { id, ...(file !== undefined ? { trustAnchorFile: file } : {}) }];
      }
    },
  },
  {
    flag: '--xks-path',
    env: 'KMS_EMULATOR_XKS_PATH',
    apply({ options }, path, name) {
      const problem = xksPathProblem(path);
      if (problem) throw new UsageError(`invalid ${name} '${path}' (${problem})`);
      options.xksPath = path;
    },
  },
  {
    flag: '--xks-key',
    env: 'KMS_EMULATOR_XKS_KEY',
    repeatable: true,
    apply({ options }, list, name) {
      for (const item of list.split(',').map((k) => k.trim())) {
        const eq = item.indexOf('=');
        const id = eq < 0 ? item : item.slice(0, eq);
        if (!EXTERNAL_KEY_ID.test(id)) throw new UsageError(`invalid ${name} '${item}' (an external key id: 1 to 128 letters, digits, '-', '.', '_', optionally =<base64 of 32 bytes>)`);
        if (options.xksKeys?.some((k) => k.id === id)) throw new UsageError(`${name} '${id}' given twice`);
        let material: Uint8Array | undefined;
        if (eq >= 0) {
          material = fromBase64(item.slice(eq + 1));
          if (!material || material.length !== 32) throw new UsageError(`invalid ${name} '${id}=…' (the material must be the base64 of 32 bytes)`);
        }
        options.xksKeys = [...(options.xksKeys ?? []), material ? { id, material } : { id }];
      }
    },
  },
  {
    flag: '--xks-credential',
    env: 'KMS_EMULATOR_XKS_CREDENTIAL',
    repeatable: true,
    apply({ options }, list, name) {
      for (const item of list.split(',').map((k) => k.trim())) {
        const colon = item.indexOf(':');
        const accessKeyId = colon < 0 ? '' : item.slice(0, colon);
        const secretAccessKey = colon < 0 ? '' : item.slice(colon + 1);
        if (!XKS_ACCESS_KEY_ID.test(accessKeyId) || !XKS_SECRET.test(secretAccessKey)) {
          throw new UsageError(`invalid ${name} (ACCESSKEYID:SECRET: an access key id of 20-30 characters A-Z and 2-7, a secret of 43-64 characters a-z A-Z 0-9 / + =)`);
        }
        options.xksCredentials = [...(options.xksCredentials ?? []), { accessKeyId, secretAccessKey }];
      }
    },
  },
  {
    flag: '--authorization',
    env: 'KMS_EMULATOR_AUTHORIZATION',
    apply({ options }, mode, name) {
      if (!(AUTHORIZATION_MODES as readonly string[]).includes(mode)) throw new UsageError(`invalid ${name} '${mode}' (${AUTHORIZATION_MODES.join(', ')})`);
      options.authorization = mode as AuthorizationMode;
    },
  },
  {
    flag: '--log',
    env: 'KMS_EMULATOR_LOG',
    apply(parsed, log, name) {
      if (!(LOG_FORMATS as readonly string[]).includes(log)) throw new UsageError(`invalid ${name} '${log}' (${LOG_FORMATS.join(', ')})`);
      parsed.log = log as LogFormat;
    },
  },
];

const BY_FLAG = new Map(OPTIONS.map((o) => [o.flag, o]));

/** `--clock system`, `--clock manual` (starting now) or `--clock manual:2026-01-01T00:00:00Z`. */
function parseClock(value: string, name: string): ManualClock | undefined {
  if (value === 'system') return undefined;
  if (value === 'manual') return new ManualClock();
  if (value.startsWith('manual:')) {
    const at = value.slice('manual:'.length);
    const ms = Date.parse(at);
    if (/^\d{4}-\d{2}-\d{2}/.test(at) && Number.isFinite(ms)) return new ManualClock(ms);
  }
  throw new UsageError(`invalid ${name} '${value}' (system, manual or manual:2026-01-01T00:00:00Z)`);
}

export function parseArgs(argv: readonly string[], env: Environment = {}): Parsed {
  const args = [...argv];
  if (args.length === 0) throw new UsageError('missing command');
  const first = args[0]!;
  if (first === '-h' || first === '--help' || first === 'help') return { command: 'help', options: {} };
  if (first === '-v' || first === '--version' || first === 'version') return { command: 'version', options: {} };
  if (first !== 'serve') throw new UsageError(`unknown command '${first}'`);
  const values = new Map<string, string[]>();
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { command: 'help', options: {} };
    if (arg === '-v' || arg === '--version') return { command: 'version', options: {} };
    const switched = SWITCHES[arg];
    if (switched) {
      const [flag, value] = switched;
      if (values.has(flag)) throw new UsageError(`${arg} and ${flag} given together`);
      values.set(flag, [value]);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = BY_FLAG.get(name);
    if (!spec) throw new UsageError(arg.startsWith('-') ? `unknown option '${name}'` : `unexpected argument '${arg}'`);
    let value: string | undefined;
    if (name !== arg) value = arg.slice(eq + 1);
    else {
      value = args[++i];
      if (value === undefined || (value.startsWith('--') && BY_FLAG.has(value))) throw new UsageError(`${name} needs a value`);
    }
    const seen = values.get(name);
    if (seen && !spec.repeatable) throw new UsageError(Object.values(SWITCHES).some(([flag]) => flag === name) ? `${name} given twice (or with its switch)` : `${name} given twice`);
    values.set(name, [...(seen ?? []), value]);
  }
  const parsed: Parsed = { command: 'serve', options: {} };
  for (const spec of OPTIONS) {
    const flagged = values.get(spec.flag);
    // A flag wins over its variable; an empty variable counts as unset.
    if (flagged) for (const value of flagged) spec.apply(parsed, value, spec.flag);
    else if (env[spec.env] !== undefined && env[spec.env] !== '') spec.apply(parsed, env[spec.env]!, spec.env);
  }
  return parsed;
}

/** The variables, for `--help`. */
export const ENVIRONMENT_HELP = `Environment (a flag wins over its variable; an empty variable is unset):
  ${OPTIONS.map((o) => `${o.env.padEnd(26)} ${o.flag}`).join('\n  ')}
`;
