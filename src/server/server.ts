/**
 * The local endpoint: one HTTP listener (loopback by default) serving every registered protocol,
 * with optional signature checks and durable state. Used by the CLI, by tests and by benches.
 *
 *   const server = await startServer({ port: 0 });
 *   new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: { … } });
 *   await server.close();
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Clock, systemClock } from '../engine/clock.js';
import { createKms, DEFAULT_ACCOUNT, DEFAULT_REGION, type CloudHsmClusterDeclaration, type Kms } from '../index.js';
import { awsProtocol } from './aws-protocol.js';
import type { AuthorizationMode } from '../dialects/aws/authorization.js';
import { tencentProtocol } from './tencent-protocol.js';
import { huaweiProtocol } from './huawei-protocol.js';
import { type CredentialsFile, type CredentialStore, loadCredentials } from './credentials.js';
import { lineLog, type RequestLog } from './log.js';
import { newRequestId, type Protocol, type ProtocolRequest, type ProtocolResponse, type RequestHead, Router } from './router.js';
import { sandboxProtocol } from './sandbox.js';
import { DurableStore } from './store.js';
import { nodePlatformSigning } from './platform-signing.js';
import { applyInitOption } from './init.js';
import { CONTROL_MAX_BODY_BYTES, controlProtocol, isLoopbackHost } from './control.js';
import { faultRoutes } from './faults-control.js';
import { CorsPolicy } from './cors.js';
import type { InitDocument } from '../init/schema.js';
import type { XksProxy } from '../dialects/aws/xks/proxy.js';
import { createXksProxy, xksControlRoutes, xksProtocol } from './xks-protocol.js';

export { httpAgent, InProcessAgent, type AgentProvider, type HttpAgentOptions } from './agent.js';

/** The package version (from package.json: two levels up from src/server and from dist/server). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4599;
/** Bodies above this are refused (413) without being buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerTimeouts {
  /** The whole request head must arrive within this (slow-loris clients are cut). Default 10 s. */
  headersMs?: number;
  /** The whole request, body included, must arrive within this. Default 30 s. */
  requestMs?: number;
  /** An idle keep-alive connection is closed after this. Default 65 s. */
  keepAliveMs?: number;
  /** On close(), connections still busy after this are cut. Default 10 s. */
  shutdownGraceMs?: number;
}

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1 (loopback). */
  host?: string;
  /** Port; 0 lets the OS choose. Default 4599. */
  port?: number;
  /** Keep state in this directory: restored on start, every change on disk before its response. */
  dataDir?: string;
  /** The default account (callers without a credentials file act in it). Default 111122223333. */
  account?: string;
  /** The default region. Default us-east-1. */
  region?: string;
  /** Require signed requests from these keys: a credentials document or the path of its JSON file. */
  credentials?: CredentialsFile | string;
  /** One text line per request (and per connection-level error), handed over at once. Default: no logging. */
  log?: (line: string) => void;
  /** The request log as records (log.ts: `bufferedLog` writes them as text or JSON lines off the request's path); wins over `log`. */
  requestLog?: RequestLog;
  /** Messages about the server itself (what the durable store found at start). Default: `log`. */
  notice?: (message: string) => void;
  /** Where dates come from (engine dates, the signature clock, the Date header). Default: the system clock. */
  clock?: Clock;
  /** Deterministic ids, key material and ciphertexts (see createKms). */
  seed?: string;
  /** The CMKs a Tencent account may hold in a region (see createKms `tencent.cmkLimit`). Default 200. */
  tencentCmkLimit?: number;
  /** Bytes of audit events kept (see createKms). Default 32 MiB. */
  auditBytes?: number;
  /** The Huawei dialect's projects in other regions than the default (project id → region), as createKms takes them. */
  huaweiProjects?: Record<string, string>;
  /** Keys declared up front: an init file (YAML or JSON) or the document (docs/ci.md). Made before a new data dir's first snapshot. */
  init?: string | InitDocument;
  /**
   * Emulated CloudHSM clusters for AWS CloudHSM key stores (`--cloudhsm-cluster`); a trust anchor
   * given as a path is read at start. None: any well-formed cluster id is an active cluster (docs/key-stores.md).
   */
  cloudHsmClusters?: Array<CloudHsmClusterDeclaration & { trustAnchorFile?: string }>;
  /** How long AWS external key stores wait for their XKS proxy per call (createKms `aws.xksTimeoutMs`). Default 250 ms. */
  xksTimeoutMs?: number;
  /** Origins allowed to call from a browser (CORS): exact origins or '*'. Default: any loopback origin. */
  corsOrigins?: string[];
  /** The AWS authorization mode: 'off' (default), 'enforce' (--enforce-authorization) or 'audit' (docs/authorization.md). */
  authorization?: AuthorizationMode;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /** The built-in XKS proxy's path prefix: XksProxyUriPath is `${xksPath}/kms/xks/v1`. Default /xks (docs/key-stores.md). */
  xksPath?: string;
  /** External keys of the built-in XKS proxy (AES-256: 32 bytes of material, or random). */
  xksKeys?: Array<{ id: string; material?: Uint8Array }>;
  /** SigV4 credentials the built-in XKS proxy accepts. Default: DEFAULT_XKS_CREDENTIAL (xks-protocol.ts). */
  xksCredentials?: Array<{ accessKeyId: string; secretAccessKey: string }>;
  timeouts?: ServerTimeouts;
}

export interface RunningServer {
  /** http://127.0.0.1:4599 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The emulator behind the endpoint (same engine: what is made over HTTP is visible in process). */
  readonly kms: Kms;
  readonly router: Router;
  /** The durable store, with `--data-dir` (its `recovery` tells what start-up found). */
  readonly store: DurableStore | undefined;
  /** The built-in XKS proxy served under `xksProxy.uriPath` (its keys: createKey, setKeyEnabled, …). */
  readonly xksProxy: XksProxy;
  /** Stops accepting, lets in-flight requests finish, closes the durable store. */
  close(): Promise<void>;
}

type BodyResult = { kind: 'body'; body: Uint8Array } | { kind: 'too-large' } | { kind: 'aborted' };

const EMPTY = new Uint8Array(0);
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Whether `headers` (lower-case names, as CorsPolicy gives them) has `lower`; false at once for none. */
function hasHeader(headers: Record<string, string>, lower: string): boolean {
  for (const _ in headers) return Object.hasOwn(headers, lower);
  return false;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Invalid port: ${port}`);
  const account = options.account ?? DEFAULT_ACCOUNT;
  const region = options.region ?? DEFAULT_REGION;
  const clock = options.clock ?? systemClock;
  const requestLog = options.requestLog ?? (options.log ? lineLog(options.log) : undefined);
  const log = requestLog ? (text: string) => requestLog.message(text) : undefined;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const timeouts = options.timeouts ?? {};
  const headersMs = timeouts.headersMs ?? 10_000;
  const requestMs = Math.max(timeouts.requestMs ?? 30_000, headersMs);
  const keepAliveMs = timeouts.keepAliveMs ?? 65_000;
  const shutdownGraceMs = timeouts.shutdownGraceMs ?? 10_000;

  let credentials: CredentialStore | undefined;
  if (options.credentials !== undefined) credentials = await loadCredentials(options.credentials, { account });

  const kms = createKms({
    clock,
    account,
    region,
    // ECDSA on the NIST curves signs with node:crypto (one synchronous call) rather than WebCrypto's thread pool.
    caches: { platformSigning: nodePlatformSigning },
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
    ...(options.auditBytes !== undefined ? { auditBytes: options.auditBytes } : {}),
    ...(options.tencentCmkLimit !== undefined ? { tencent: { cmkLimit: options.tencentCmkLimit } } : {}),
    ...(options.huaweiProjects !== undefined ? { huawei: { projects: { ...options.huaweiProjects } } } : {}),
    ...(options.cloudHsmClusters !== undefined || options.xksTimeoutMs !== undefined
      ? {
          aws: {
            ...(options.cloudHsmClusters !== undefined ? { cloudHsmClusters: await readClusters(options.cloudHsmClusters) } : {}),
            ...(options.xksTimeoutMs !== undefined ? { xksTimeoutMs: options.xksTimeoutMs } : {}),
          },
        }
      : {}),
  });
  // Declared keys are made before the store opens: a new data directory starts from them, one with state keeps its own.
  const initial = await applyInitOption(kms, options.init);
  const router = new Router();
  router.register(awsProtocol(kms, { ...(credentials ? { credentials } : {}), clock }));
  router.register(tencentProtocol(kms, credentials ? { credentials } : {}));
  router.register(huaweiProtocol(kms, credentials ? { credentials } : {}));
  // The browser sandbox page is not a wire protocol: it answers browser navigations, outside /health's list.
  const sandbox = sandboxProtocol();
  // The built-in external key store proxy (XKS Proxy API v1) under its own path prefix.
  const xksProxy = createXksProxy({
    region,
    clock: () => clock.now(),
    ...(options.xksPath !== undefined ? { path: options.xksPath } : {}),
    ...(options.xksKeys !== undefined ? { keys: options.xksKeys } : {}),
    ...(options.xksCredentials !== undefined ? { credentials: options.xksCredentials } : {}),
  });
  const xks = xksProtocol(xksProxy);
  const startedAt = performance.now();
  const cors = new CorsPolicy(options.corsOrigins);
  // The control API (/_kms/…): reset, snapshots, the manual clock, faults (docs/ci.md).
  const control = controlProtocol({
    kms,
    clock,
    initial,
    version: VERSION,
    startedAt,
    protocols: () => router.protocols,
    requireAdmin: !isLoopbackHost(host) || credentials !== undefined,
    ...(credentials ? { credentials } : {}),
    routes: { ...faultRoutes(kms.faults), ...xksControlRoutes(xksProxy) },
  });

  // State is restored before the port opens: no request ever sees a half-loaded engine.
  const notice = options.notice ?? options.log;
  const store =
    options.dataDir !== undefined ? await DurableStore.open(options.dataDir, kms.engine, notice ? { log: (message) => notice(`store: ${message}`) } : {}) : undefined;

  /** Active requests per connection; idle connections are closed at shutdown. */
  const connections = new Map<Socket, number>();
  const inFlight = new Set<Promise<void>>();
  let closing: Promise<void> | undefined;

  const server = createServer(
    {
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      keepAliveTimeout: keepAliveMs,
      // How often the head/request timeouts are checked (Node's default is 30 s).
      connectionsCheckingInterval: Math.min(1000, headersMs),
      noDelay: true,
    },
    (req, res) => onRequest(req, res),
  );
  server.keepAliveTimeout = keepAliveMs;
  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const task = serve(req, res).finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  // `Expect: 100-continue`: a declared body over the limit gets the protocol's too-large answer (and
  // the connection is closed) without `100 Continue`, so the client never sends it; others go on.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!declaresTooLarge(req, maxBodyBytes)) res.writeContinue();
    onRequest(req, res);
  });

  server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.on('close', () => connections.delete(socket));
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? 'ERROR';
    if (code !== 'ECONNRESET' && code !== 'EPIPE') log?.(`- - - client error ${code}`);
    // A response already under way cannot be followed by another: just drop the connection.
    if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const socket = req.socket;
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (connections.get(socket) ?? 1) - 1;
      if (connections.has(socket)) connections.set(socket, left);
      if (closing && left === 0) socket.end();
    };
    res.on('close', release);
    res.on('error', () => {});
    req.on('error', () => {});

    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    // Every request's head and ProtocolRequest have the same members in the same order (remoteAddress
    // undefined when the socket has none): one shape, so building them stays on V8's fast paths.
    const head: RequestHead = {
      method,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      remoteAddress: socket.remoteAddress || undefined,
    };
    let protocol: Protocol | undefined;
    let response: ProtocolResponse | undefined;
    let closeAfter = false;
    let requestBody: Uint8Array | undefined;
    try {
      const preflight = cors.preflight(head);
      if (preflight) {
        response = preflight;
      } else if ((method === 'GET' || method === 'HEAD') && head.path === '/health') {
        response = {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
          body: JSON.stringify({ status: 'ok', version: VERSION, uptimeSeconds: Math.round((performance.now() - startedAt) / 1000), protocols: router.protocols }),
          action: 'health',
        };
      } else {
        protocol = control.matches(head) ? control : xks.matches(head) ? xks : sandbox.matches(head) ? sandbox : router.select(head);
        const body = await readBody(req, protocol === control ? CONTROL_MAX_BODY_BYTES : maxBodyBytes);
        if (body.kind === 'aborted') {
          log?.(`${method} ${head.path} ${protocol.name}/- - ${elapsed(started)}ms (client went away)`);
          return;
        }
        if (body.kind === 'too-large') {
          closeAfter = true;
          response = { ...protocol.reject(head, 'too-large', { maxBodyBytes, requestId: newRequestId(kms.engine) }), note: 'body too large' };
        } else {
          try {
            requestBody = body.body;
            const request: ProtocolRequest = {
              method: head.method,
              path: head.path,
              query: head.query,
              headers: head.headers,
              rawHeaders: head.rawHeaders,
              remoteAddress: head.remoteAddress,
              body: body.body,
            };
            response = await protocol.handle(request);
          } catch (e) {
            log?.(`internal error in ${protocol.name}: ${describe(e)}`);
            response = { ...protocol.reject(head, 'internal', { maxBodyBytes, requestId: newRequestId(kms.engine) }), note: 'internal error' };
          }
        }
      }
      // Every change this request made is on disk before the client hears of it.
      if (store) {
        try {
          await store.commit();
        } catch (e) {
          log?.(`durable store commit failed: ${describe(e)}`);
          response = { ...(protocol ?? router.select(head)).reject(head, 'internal', { maxBodyBytes, requestId: newRequestId(kms.engine) }), note: 'commit failed' };
        }
      }
      send(res, response, closeAfter || closing !== undefined, cors.headers(head));
    } catch (e) {
      // The last line of defence: nothing a request does may take the process down.
      log?.(`internal error: ${describe(e)}`);
      try {
        response = { ...(protocol ?? router.select(head)).reject(head, 'internal', { maxBodyBytes, requestId: newRequestId() }), note: 'internal error' };
        if (!res.headersSent) send(res, response, true, NO_HEADERS);
        else res.destroy();
      } catch {
        res.destroy();
      }
    } finally {
      if (response && requestLog) {
        requestLog.request({
          at: Date.now(),
          method,
          path: head.path,
          provider: protocol?.name ?? 'server',
          operation: response.action ?? '',
          status: response.status,
          ms: performance.now() - started,
          note: response.note,
          requestBody,
          responseBody: response.body,
        });
      }
    }
  }

  /** The Date header changes once a second: formatted once a second, not once a request. */
  let dateSecond = Number.NaN;
  let dateText = '';
  function httpDate(now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== dateSecond) {
      dateSecond = second;
      dateText = new Date(second * 1000).toUTCString();
    }
    return dateText;
  }

  /**
   * The whole answer in one `writeHead` with a flat list of headers and one `end`: Node writes the
   * head and the body together, without a header map built by `setHeader` calls. Date and
   * Content-Length are the server's; `extra` (CORS) wins over the protocol's headers of that name.
   */
  function send(res: ServerResponse, response: ProtocolResponse, close: boolean, extra: Record<string, string>): void {
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    const headers: Array<string | number> = [];
    const own = response.headers;
    for (const name in own) {
      const lower = name.toLowerCase();
      if (lower === 'date' || lower === 'content-length' || (close && lower === 'connection') || hasHeader(extra, lower)) continue;
      headers.push(name, own[name]!);
    }
    for (const name in extra) headers.push(name, extra[name]!);
    // The emulator's time: SDKs correct their clock skew from it, as they do with AWS.
    headers.push('date', httpDate(clock.now()), 'content-length', body.byteLength);
    if (close) headers.push('connection', 'close');
    res.writeHead(response.status, headers);
    res.end(body);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await store?.close();
    throw e;
  }
  server.on('error', (e) => log?.(`server error: ${describe(e)}`));

  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  async function close(): Promise<void> {
    if (closing) return closing;
    closing = (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [socket, active] of connections) if (active === 0) socket.destroy();
      const grace = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
      grace.unref();
      await Promise.allSettled([...inFlight]);
      await closed;
      clearTimeout(grace);
      await store?.close();
    })();
    return closing;
  }

  return { url: `http://${urlHost}:${boundPort}`, host, port: boundPort, kms, router, store, xksProxy, close };
}

/** Whether the request's Content-Length is over `limit` (Node has checked that it is one number). */
function declaresTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > limit;
}

/** Reads the body up to `limit` bytes; a larger one is not buffered (the connection is closed after the answer). */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (declaresTooLarge(req, limit)) return Promise.resolve({ kind: 'too-large' });
  if (req.headers['content-length'] !== undefined && Number(req.headers['content-length']) === 0) return Promise.resolve({ kind: 'body', body: EMPTY });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        chunks.length = 0;
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish({ kind: 'body', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) }));
    req.on('aborted', () => finish({ kind: 'aborted' }));
    req.on('error', () => finish({ kind: 'aborted' }));
    req.on('close', () => finish(req.complete ? { kind: 'body', body: Buffer.concat(chunks, total) } : { kind: 'aborted' }));
  });
}

function elapsed(started: number): string {
  return (performance.now() - started).toFixed(1);
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

/** Declared clusters, each trust anchor read from its file where one is named. */
async function readClusters(list: Array<CloudHsmClusterDeclaration & { trustAnchorFile?: string }>): Promise<CloudHsmClusterDeclaration[]> {
  const out: CloudHsmClusterDeclaration[] = [];
  for (const { trustAnchorFile, ...cluster } of list) {
    out.push(trustAnchorFile !== undefined ? { ...cluster, trustAnchorCertificate: await readFile(trustAnchorFile, 'utf8') } : cluster);
  }
  return out;
}
