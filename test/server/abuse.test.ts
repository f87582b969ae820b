/**
 * Bad clients: many connections at once, oversized and malformed bodies, slow-loris heads, garbage
 * on the wire, a protocol that throws. The server answers each with an error or closes the
 * connection, and goes on serving.
 */
import { request as httpRequest, Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal, type Protocol } from '../../src/server/router.js';
import { awsCall, raw, readUntilClosed, serve, socketTo } from '../support/server.js';

const MiB = 1024 * 1024;

/** The server still answers a good request. */
async function stillServing(url: string): Promise<void> {
  const res = await awsCall(url, 'ListKeys', {});
  expect(res.status).toBe(200);
  expect(res.json().Keys).toBeDefined();
}

describe('abuse', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve({ timeouts: { headersMs: 1000, requestMs: 3000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('200 concurrent connections, each with a request in flight, all answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 200 });
    const sockets = new Set<unknown>();
    agent.on('free', (socket) => sockets.add(socket));
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => raw(server.url, { agent, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' }, body: JSON.stringify({ Description: `c${i}` }) })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(200));
    expect(new Set(results.map((r) => r.json().KeyMetadata.KeyId)).size).toBe(200);
    expect(sockets.size).toBe(200);
    agent.destroy();
    await stillServing(server.url);
  });

  it('a declared body over 1 MiB: 413, without reading it; the connection is closed', async () => {
    const socket = await socketTo(server.url);
    socket.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.Encrypt\r\n' +
        `Content-Length: ${2 * MiB}\r\n\r\n{"KeyId":"`,
    );
    const { text, closed } = await readUntilClosed(socket);
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(text).toMatch(/\r\n\r\n\{"message":"Request body is larger than the limit of 1048576 bytes\."\}$/);
    await stillServing(server.url);
  });

  it('Expect: 100-continue with a declared body over 1 MiB: the protocol\'s too-large answer, no 100 Continue, the connection closed', async () => {
    const heads: Array<[string, string, RegExp]> = [
      ['POST / HTTP/1.1\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.Encrypt', '413', /"message":"Request body is larger than the limit of 1048576 bytes\."/],
      ['POST / HTTP/1.1\r\nContent-Type: application/json\r\nX-TC-Action: Encrypt\r\nX-TC-Version: 2019-01-18', '200', /"Code":"RequestSizeLimitExceeded"/],
      ['POST /v1.0/0a1b2c/kms/encrypt-data HTTP/1.1\r\nContent-Type: application/json', '413', /"error_code":"KMS\.0203"/],
    ];
    for (const [head, status, body] of heads) {
      const socket = await socketTo(server.url);
      socket.write(`${head}\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: ${2 * MiB}\r\n\r\n`);
      const { text, closed } = await readUntilClosed(socket);
      expect(closed).toBe(true);
      expect(text).not.toMatch(/100 Continue/i);
      expect(text.startsWith(`HTTP/1.1 ${status} `), text.slice(0, 80)).toBe(true);
      expect(text).toMatch(/\r\nconnection: close\r\n/i);
      expect(text).toMatch(body);
    }
    await stillServing(server.url);
  });

  it('Expect: 100-continue with a body within the limit: 100 Continue, then the answer (raw, and node:http waiting for it)', async () => {
    const body = '{"Description":"after 100-continue"}';
    const socket = await socketTo(server.url);
    const received: Buffer[] = [];
    const continued = new Promise<void>((resolve) =>
      socket.on('data', (c: Buffer) => {
        received.push(c);
        if (Buffer.concat(received).toString('latin1').includes('\r\n\r\n')) resolve();
      }),
    );
    socket.write(
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.CreateKey\r\n' +
        `Expect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await continued;
    expect(Buffer.concat(received).toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    const answer = readUntilClosed(socket);
    socket.write(body);
    const { text } = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toContain('"Description":"after 100-continue"');

    // node:http sends the body only on 'continue'.
    const viaNode = await new Promise<{ continued: boolean; status: number; body: string }>((resolve, reject) => {
      let sawContinue = false;
      const req = httpRequest(
        new URL('/', server.url),
        { method: 'POST', agent: false, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys', expect: '100-continue', 'content-length': 2 } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ continued: sawContinue, status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('continue', () => {
        sawContinue = true;
        req.end('{}');
      });
      req.on('error', reject);
    });
    expect(viaNode.continued).toBe(true);
    expect(viaNode.status).toBe(200);
    expect(JSON.parse(viaNode.body).Keys).toBeDefined();
  });

  it('a chunked body that grows past 1 MiB: 413 (or a closed connection), never buffered whole', async () => {
    const outcome = await new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
      const req = httpRequest(
        new URL('/', server.url),
        { method: 'POST', agent: false, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt', 'transfer-encoding': 'chunked' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
          res.on('error', (e) => resolve({ error: e.message }));
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * MiB) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    if (outcome.status !== undefined) {
      expect(outcome.status).toBe(413);
      expect(JSON.parse(outcome.body!)).toEqual({ message: 'Request body is larger than the limit of 1048576 bytes.' });
    } else {
      expect(outcome.error).toMatch(/ECONNRESET|EPIPE|socket hang up/);
    }
    await stillServing(server.url);
  });

  it('a body of exactly 1 MiB is read (and refused as a bad request, not as too large)', async () => {
    const body = `{"KeyId":"${'k'.repeat(MiB - 12)}"}`;
    expect(Buffer.byteLength(body)).toBe(MiB);
    const res = await awsCall(server.url, 'DescribeKey', body);
    expect(res.status).toBe(400);
    expect(res.json().__type).toBe('ValidationException');
  });

  it('malformed bodies and requests get AWS errors', async () => {
    const cases: Array<[string, Record<string, string>, string | Uint8Array, unknown]> = [
      ['invalid JSON', {}, '{"KeyId":', { __type: 'SerializationException', message: 'Malformed request body: not valid JSON.' }],
      ['a JSON array', {}, '[1,2]', { __type: 'SerializationException', message: 'Start of structure or map found where not expected.' }],
      ['a JSON string', {}, '"x"', { __type: 'SerializationException', message: 'Start of structure or map found where not expected.' }],
      ['binary garbage', {}, new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x7b]), { __type: 'SerializationException', message: 'Malformed request body: not valid JSON.' }],
      ['a wrong member type', {}, '{"KeyId":42}', { __type: 'SerializationException' }],
      ['form content type', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=ListKeys', { __type: 'UnknownOperationException' }],
      ['no content type', { 'content-type': '' }, '{}', { __type: 'UnknownOperationException' }],
      ['an unknown operation', { 'x-amz-target': 'TrentService.DropAllKeys' }, '{}', { __type: 'UnknownOperationException' }],
      ['no X-Amz-Target', { 'x-amz-target': '' }, '{}', { __type: 'UnknownOperationException' }],
      ['a prototype name as operation', { 'x-amz-target': 'TrentService.constructor' }, '{}', { __type: 'UnknownOperationException' }],
    ];
    for (const [what, headers, body, expected] of cases) {
      const all: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey', ...headers };
      for (const [k, v] of Object.entries(all)) if (v === '') delete all[k];
      const res = await raw(server.url, { headers: all, body });
      expect(res.status, what).toBe(400);
      expect(res.json(), what).toMatchObject(expected as object);
    }
    await stillServing(server.url);
  });

  it('garbage on the wire and oversized headers: an HTTP error and a closed connection', async () => {
    for (const [bytes, status] of [
      ['HELLO THERE\r\n\r\n', 400],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
      [`POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431],
    ] as const) {
      const socket = await socketTo(server.url);
      socket.write(bytes);
      const { text, closed } = await readUntilClosed(socket);
      expect(closed).toBe(true);
      expect(text.startsWith(`HTTP/1.1 ${status} `), text.slice(0, 80)).toBe(true);
    }
    await stillServing(server.url);
  });

  it('a slow-loris client (head trickled a byte at a time) is cut off; others are served meanwhile', async () => {
    const socket = await socketTo(server.url);
    const done = readUntilClosed(socket, 15_000);
    const started = Date.now();
    const head = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.ListKeys\r\nX-Padding: ' + 'p'.repeat(200);
    let i = 0;
    let trickling!: () => void;
    const underWay = new Promise<void>((resolve) => (trickling = resolve));
    const timer = setInterval(() => {
      if (socket.destroyed || i >= head.length) return clearInterval(timer);
      socket.write(head[i++]!);
      if (i === 6) trickling();
    }, 50);
    // Others are served while the slow head is under way (six bytes of it sent).
    await underWay;
    await stillServing(server.url);
    const { text, closed } = await done;
    clearInterval(timer);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(text === '' || text.startsWith('HTTP/1.1 408 ')).toBe(true);
    await stillServing(server.url);
  });

  it('a connection that sends nothing is closed after the head timeout', async () => {
    const socket = await socketTo(server.url);
    const started = Date.now();
    const { closed } = await readUntilClosed(socket, 15_000);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a client that goes away mid-body does not disturb the server', async () => {
    const socket = await socketTo(server.url);
    // `Expect: 100-continue` makes the server say when it has the head and is reading the body.
    const continued = new Promise((resolve) => socket.once('data', resolve));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.ListKeys\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n{"Li');
    await continued;
    const logged = server.lines.length;
    socket.destroy();
    await server.waitForLine((line) => line.includes('(client went away)'), { skip: logged });
    await stillServing(server.url);
  });

  it('an exception inside a protocol is caught at the boundary: 500 KMSInternalException, logged; the server goes on', async () => {
    const boom: Protocol = {
      name: 'boom',
      matches: (req) => req.headers['x-boom'] !== undefined,
      handle: async () => {
        throw new Error('kaboom');
      },
      reject: awsRefusal,
    };
    server.router.register(boom);
    const res = await raw(server.url, { headers: { 'x-boom': '1' }, body: '{}' });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ __type: 'KMSInternalException', message: 'An internal error occurred.' });
    expect(server.lines.some((l) => l.includes('internal error in boom') && l.includes('kaboom'))).toBe(true);
    await stillServing(server.url);
  });
});
