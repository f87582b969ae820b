/**
 * The endpoint without a port: an `http.Agent` whose connections are in-memory socket pairs, the
 * other end of which is a `node:http` server that never listens. A request the Tencent or Huawei
 * SDK sends through it is written and parsed as HTTP/1.1, routed and answered by the same protocols
 * as `kms-emulator serve` (the wire format is the real one), against the emulator given.
 *
 *   const agent = httpAgent(kms, 'tencent');
 *   new kms.v20190118.Client({ credential, region, profile: { httpProfile: { agent } } });
 *
 * Signatures are not checked unless `credentials` are given, as with the server.
 */
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { DEFAULT_ACCOUNT, type Kms } from '../index.js';
import { awsProtocol } from './aws-protocol.js';
import { type CredentialsFile, parseCredentials } from './credentials.js';
import { huaweiProtocol } from './huawei-protocol.js';
import { newRequestId, type Protocol, type ProtocolResponse, Router } from './router.js';
import { tencentProtocol } from './tencent-protocol.js';

export type AgentProvider = 'aws' | 'tencent' | 'huawei';

export interface HttpAgentOptions {
  /**
   * The scheme of the URLs the SDK requests: Node checks it against the agent's. Default 'https:',
   * the providers' own endpoints, so that only the agent changes in the client's configuration.
   * There is no TLS either way: the bytes never leave the process.
   */
  protocol?: 'http:' | 'https:';
  /** Require signed requests from these keys (the server's credentials document). Default: not checked. */
  credentials?: CredentialsFile;
  /** Bodies above this are refused in the provider's words. Default 1 MiB, as the server. */
  maxBodyBytes?: number;
}

/** An emulator that has the dialect of `provider` (createKms, or the one-dialect factories). */
export type KmsWith<P extends AgentProvider> = Pick<Kms, 'engine' | 'clock' | P>;

const MAX_BODY_BYTES = 1024 * 1024;

/** An `http.Agent` whose requests are served in process by `kms`'s dialect of `provider`. */
export function httpAgent<P extends AgentProvider>(kms: KmsWith<P>, provider: P, options: HttpAgentOptions = {}): InProcessAgent {
  if (!kms || typeof kms !== 'object' || !(provider in kms)) {
    throw new TypeError(`httpAgent: the emulator has no ${String(provider)} dialect (create it with createKms or create${provider === 'aws' ? 'Aws' : provider === 'tencent' ? 'Tencent' : 'Huawei'}Kms)`);
  }
  const full = kms as Kms;
  const credentials = options.credentials !== undefined ? parseCredentials(options.credentials, { account: DEFAULT_ACCOUNT }) : undefined;
  const withCredentials = credentials ? { credentials } : {};
  const protocol: Protocol =
    provider === 'aws' ? awsProtocol(full, withCredentials) : provider === 'tencent' ? tencentProtocol(full, withCredentials) : huaweiProtocol(full, withCredentials);
  const router = new Router().register(protocol);
  return new InProcessAgent(inProcessServer(full, router, options.maxBodyBytes ?? MAX_BODY_BYTES), options.protocol ?? 'https:');
}

/** An agent that connects to an in-process HTTP server instead of the network. */
export class InProcessAgent extends Agent {
  readonly #server: Server;
  /** Requests served so far (each connection may carry several). */
  served = 0;

  constructor(server: Server, protocol: 'http:' | 'https:') {
    super({ keepAlive: true });
    this.#server = server;
    // Node refuses a request whose URL scheme differs from its agent's.
    (this as unknown as { protocol: string }).protocol = protocol;
    server.on('request', () => this.served++);
  }

  override createConnection(): Duplex {
    const [client, server] = socketPair();
    this.#server.emit('connection', server);
    return client;
  }
}

/** A `node:http` server that is never bound: connections are handed to it with `emit('connection')`. */
function inProcessServer(kms: Kms, router: Router, maxBodyBytes: number): Server {
  return createServer((req, res) => {
    // A client that goes away mid-request (its agent destroyed) ends the exchange; nothing is thrown.
    serve(kms, router, maxBodyBytes, req, res).catch(() => res.destroy());
  });
}

async function serve(kms: Kms, router: Router, maxBodyBytes: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const head = { method: req.method ?? 'GET', path: q < 0 ? url : url.slice(0, q), query: q < 0 ? '' : url.slice(q + 1), headers: req.headers, rawHeaders: req.rawHeaders };
  const protocol = router.select(head);
  let response: ProtocolResponse;
  const body = await readAll(req, maxBodyBytes);
  if (body === undefined) {
    response = protocol.reject(head, 'too-large', { maxBodyBytes, requestId: newRequestId(kms.engine) });
  } else {
    try {
      response = await protocol.handle({ ...head, body });
    } catch {
      response = protocol.reject(head, 'internal', { maxBodyBytes, requestId: newRequestId(kms.engine) });
    }
  }
  const bytes = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.setHeader('date', new Date(kms.clock.now()).toUTCString());
  res.setHeader('content-length', bytes.byteLength);
  res.end(bytes);
}

/** The whole body, or undefined past `limit` bytes (the rest is drained). */
async function readAll(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total <= limit) chunks.push(chunk);
  }
  return total > limit ? undefined : Buffer.concat(chunks, total);
}

/** Two connected in-memory sockets: what one writes, the other reads. */
function socketPair(): [MemorySocket, MemorySocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** The parts of `net.Socket` that `node:http` clients, servers and agents call, over a Duplex. */
class MemorySocket extends Duplex {
  peer: MemorySocket | undefined;
  readonly remoteAddress = undefined;
  readonly encrypted = false;
  connecting = false;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.push(chunk);
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = undefined;
    if (peer && !peer.destroyed) {
      peer.peer = undefined;
      peer.push(null);
      peer.destroy();
    }
    callback(error);
  }

  // No handle, no timers: nothing here keeps the process alive or can time out.
  setTimeout(_ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
