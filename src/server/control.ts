/**
 * The control API, under the reserved path /_kms/ (moto's /moto-api/ and LocalStack's state
 * endpoints are the models): what a test harness does to the emulator, not what an SDK does to KMS.
 *
 *   GET  /_kms/health           {status, version, uptimeSeconds, protocols, clock, now}
 *   POST /_kms/reset            {"to": "init" | "empty"}: back to the init file's keys (the default with --init) or to nothing
 *   GET  /_kms/snapshot         the whole state (Engine.snapshot(): it holds key material)
 *   PUT  /_kms/snapshot         replaces the whole state with a snapshot
 *   GET  /_kms/clock            {mode, now}
 *   POST /_kms/clock/advance    {"by": "8d"} or {"to": "2026-02-01T00:00:00Z"}: a manual clock only (--clock manual)
 *   GET|POST|DELETE /_kms/faults  injected faults (faults-control.ts)
 *
 * Off a loopback address, or with --credentials, every call needs an admin credential: HTTP Basic
 * with the key id and secret of a credentials-file entry marked `"admin": true`. A refused or
 * malformed control request changes nothing and gets `{"error": {"code", "message"}}`.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { type Clock, ManualClock } from '../engine/clock.js';
import type { Kms } from '../index.js';
import type { CredentialStore } from './credentials.js';
import type { InitialStates } from './init.js';
import { header, JSON_UTF8, type Protocol, type ProtocolRequest, type ProtocolResponse } from './router.js';

export const CONTROL_PREFIX = '/_kms/';
/** Snapshots can be large: the control API reads bodies up to this (KMS requests keep the server's limit). */
export const CONTROL_MAX_BODY_BYTES = 256 * 1024 * 1024;

export interface ControlOptions {
  kms: Kms;
  clock: Clock;
  initial: InitialStates;
  version: string;
  startedAt: number;
  protocols: () => string[];
  /** Calls need an admin credential (the server is off loopback, or has --credentials). */
  requireAdmin: boolean;
  credentials?: CredentialStore;
  /** More routes (the faults API): path after /_kms/ → method → handler. */
  routes?: ControlRoutes;
}

export type ControlHandler = (request: ProtocolRequest, body: unknown) => ProtocolResponse | Promise<ProtocolResponse>;
export type ControlRoutes = Record<string, Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', ControlHandler>>>;

/** A refused control request: its HTTP status, a code and a message. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function controlJson(status: number, value: unknown, headers: Record<string, string> = {}): ProtocolResponse {
  return { status, headers: { 'content-type': JSON_UTF8, 'cache-control': 'no-store', ...headers }, body: JSON.stringify(value) };
}

function errorResponse(e: ControlError): ProtocolResponse {
  return { ...controlJson(e.status, { error: { code: e.code, message: e.message } }, e.headers), note: e.code };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function controlProtocol(options: ControlOptions): Protocol {
  const { kms, clock, initial } = options;
  const routes: ControlRoutes = {
    health: {
      GET: () =>
        controlJson(200, {
          status: 'ok',
          version: options.version,
          uptimeSeconds: Math.round((performance.now() - options.startedAt) / 1000),
          protocols: options.protocols(),
          clock: clock instanceof ManualClock ? 'manual' : 'system',
          now: new Date(clock.now()).toISOString(),
          init: initial.init !== undefined,
        }),
    },
    reset: {
      POST: (_request, body) => {
        only(body, ['to']);
        const to = field(body, 'to', ['init', 'empty']) ?? (initial.init ? 'init' : 'empty');
        if (to === 'init' && !initial.init) throw new ControlError(400, 'NoInitFile', 'The server was started without --init: reset to "empty" instead.');
        kms.restore(to === 'init' ? initial.init : initial.empty);
        // Injected faults belong to the state a test set up: a reset clears them too.
        kms.faults.clear();
        return controlJson(200, { status: 'reset', to });
      },
    },
    snapshot: {
      GET: () => controlJson(200, kms.snapshot()),
      PUT: (_request, body) => {
        if (body === undefined) throw new ControlError(400, 'InvalidSnapshot', 'The body must be a snapshot (GET /_kms/snapshot gives one).');
        try {
          kms.restore(body);
        } catch (e) {
          throw new ControlError(400, 'InvalidSnapshot', e instanceof Error ? e.message : String(e));
        }
        return controlJson(200, { status: 'restored' });
      },
    },
    clock: {
      GET: () => controlJson(200, { mode: clock instanceof ManualClock ? 'manual' : 'system', now: new Date(clock.now()).toISOString() }),
    },
    'clock/advance': {
      POST: (_request, body) => {
        if (!(clock instanceof ManualClock)) {
          throw new ControlError(400, 'ClockNotManual', 'The server clock is the system clock: start it with --clock manual to move time by hand.');
        }
        only(body, ['by', 'to']);
        const by = field(body, 'by');
        const to = field(body, 'to');
        if ((by === undefined) === (to === undefined)) throw new ControlError(400, 'InvalidRequest', 'Give either "by" (a duration such as "8d" or "1d12h") or "to" (an ISO 8601 time).');
        try {
          if (by !== undefined) clock.advance(by);
          else clock.set(to!);
        } catch (e) {
          throw new ControlError(400, 'InvalidRequest', e instanceof Error ? e.message : String(e));
        }
        return controlJson(200, { now: new Date(clock.now()).toISOString() });
      },
    },
    ...options.routes,
  };

  function authorize(request: ProtocolRequest): void {
    if (!options.requireAdmin) return;
    const challenge = { 'www-authenticate': 'Basic realm="kms-emulator control API"' };
    if (!options.credentials) {
      throw new ControlError(403, 'AdminCredentialRequired', 'Off the loopback address the control API needs an admin credential: start with --credentials FILE holding an entry with "admin": true.');
    }
    const authorization = header(request, 'authorization') ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new ControlError(401, 'AdminCredentialRequired', 'The control API needs an admin credential: HTTP Basic with the key id and secret of an "admin": true entry.', challenge);
    const entry = options.credentials.findAdmin(decoded.slice(0, colon));
    const given = Buffer.from(decoded.slice(colon + 1), 'utf8');
    const expected = Buffer.from(entry?.secret ?? '', 'utf8');
    if (!entry || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ControlError(401, 'InvalidAdminCredential', 'The admin credential is not valid.', challenge);
    }
  }

  return {
    name: 'control',
    matches: (head) => head.path === '/_kms' || head.path.startsWith(CONTROL_PREFIX),
    async handle(request) {
      const name = request.path.slice(CONTROL_PREFIX.length).replace(/\/$/, '');
      try {
        authorize(request);
        const route = Object.hasOwn(routes, name) ? routes[name]! : undefined;
        if (!route) throw new ControlError(404, 'NotFound', `No control endpoint ${request.path}. Endpoints: ${Object.keys(routes).map((r) => CONTROL_PREFIX + r).join(', ')}.`);
        const method = request.method === 'HEAD' ? 'GET' : request.method;
        const handler = Object.hasOwn(route, method) ? route[method as keyof typeof route] : undefined;
        if (!handler) {
          const allow = Object.keys(route).join(', ');
          throw new ControlError(405, 'MethodNotAllowed', `${request.path} takes ${allow}, not ${request.method}.`, { allow });
        }
        const response = await handler(request, parseBody(request));
        return { ...response, action: name };
      } catch (e) {
        if (e instanceof ControlError) return { ...errorResponse(e), action: name || '-' };
        throw e;
      }
    },
    reject(_request, refusal, detail) {
      return refusal === 'too-large'
        ? errorResponse(new ControlError(413, 'RequestTooLarge', `The body is larger than the limit of ${detail.maxBodyBytes} bytes.`))
        : errorResponse(new ControlError(500, 'InternalError', 'An internal error occurred.'));
    },
  };
}

function parseBody(request: ProtocolRequest): unknown {
  if (request.body.byteLength === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
  } catch {
    throw new ControlError(400, 'InvalidJson', 'The body is not JSON.');
  }
}

/** A string field of a JSON object body (undefined when the body or the field is absent). */
export function field(body: unknown, name: string, allowed?: readonly string[]): string | undefined {
  if (body === undefined) return undefined;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ControlError(400, 'InvalidRequest', 'The body must be a JSON object.');
  const value = (body as Record<string, unknown>)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (allowed && !allowed.includes(value))) {
    throw new ControlError(400, 'InvalidRequest', `"${name}" must be ${allowed ? allowed.map((a) => `"${a}"`).join(' or ') : 'a string'}.`);
  }
  return value;
}

/** Refuses fields a control endpoint does not know (a typo must not be ignored). */
export function only(body: unknown, names: readonly string[]): void {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) return;
  for (const key of Object.keys(body)) {
    if (!names.includes(key)) throw new ControlError(400, 'InvalidRequest', `Unknown field "${key}" (expected ${names.map((n) => `"${n}"`).join(', ')}).`);
  }
}
