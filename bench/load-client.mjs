/**
 * A keep-alive HTTP/1.1 load client in a process of its own (so that it does not share an event
 * loop with the server it measures): `inFlight` connections, each sending the next request as soon
 * as the previous answer is complete. Prints one JSON line: { requests, seconds, rate, statuses }.
 *
 *   node bench/load-client.mjs '{"url":"http://127.0.0.1:4599","inFlight":16,"warmupMs":300,"ms":1000,
 *     "requests":[{"headers":{"x-amz-target":"TrentService.Encrypt",…},"body":"{…}"}]}'
 *
 * Requests rotate through `requests` (so that writes can name different keys). Plain JavaScript:
 * no compiler between the command and the measurement.
 */
import { connect } from 'node:net';

const spec = JSON.parse(process.argv[2]);
const target = new URL(spec.url);
const requests = spec.requests.map((r) => {
  const body = Buffer.from(r.body ?? '', 'utf8');
  const headers = { host: target.host, 'content-length': String(body.length), ...r.headers };
  const head = `${r.method ?? 'POST'} ${r.path ?? '/'} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
});

let measuring = false;
let stopped = false;
let counted = 0;
let next = 0;
const statuses = {};

/** One connection: send, read one full answer (Content-Length framing), repeat. */
function worker() {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port), noDelay: true });
    let buffer = Buffer.alloc(0);
    const send = () => {
      if (stopped) {
        socket.end();
        return resolve();
      }
      socket.write(requests[next++ % requests.length]);
    };
    socket.on('connect', send);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.toString('latin1', 0, end);
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const length = m ? Number(m[1]) : 0;
        if (buffer.length < end + 4 + length) return;
        const status = head.slice(9, 12);
        buffer = buffer.subarray(end + 4 + length);
        if (measuring) {
          counted++;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        send();
      }
    });
  });
}

const workers = Array.from({ length: spec.inFlight }, worker);
await new Promise((r) => setTimeout(r, spec.warmupMs ?? 300));
measuring = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, spec.ms ?? 1000));
measuring = false;
const seconds = (performance.now() - start) / 1000;
stopped = true;
await Promise.all(workers);
process.stdout.write(`${JSON.stringify({ requests: counted, seconds, rate: counted / seconds, statuses })}\n`);
