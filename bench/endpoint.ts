/**
 * The endpoint's throughput, measured from outside: the CLI (dist/server/cli.bundle.js, default
 * text log to a pipe) in a process of its own, loaded by bench/load-client.mjs (keep-alive raw
 * HTTP, 1 or 16 requests in flight) in a third process, against:
 *   a. Node's own ceiling: bench/ceiling-server.mjs, a minimal node:http server with the same
 *      settings answering a recorded Encrypt response (Encrypt, Decrypt, DescribeKey,
 *      GenerateDataKey, CreateKey, Sign P-256);
 *   b. the same CLI without --data-dir (durable writes CreateKey/TagResource, durable reads
 *      Encrypt/Decrypt/DescribeKey).
 * Rounds alternate between the two sides (a b, b a, …); ratios are medians of the pairs' ratios.
 * dist/ must be built (npm run build).
 *
 *   npx tsx bench/endpoint.ts              (prints a Markdown table)
 *   BENCH_QUICK=1 npx tsx bench/endpoint.ts
 *   BENCH_ONLY=ceiling|durable npx tsx bench/endpoint.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchRow, fmt, log, median, QUICK, table } from './support.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist', 'server', 'cli.bundle.js');
const PAIRS = QUICK ? 2 : 3;
const WARMUP_MS = QUICK ? 200 : 300;
const ROUND_MS = QUICK ? 500 : 1000;
const ONLY = process.env.BENCH_ONLY;
/** Load per operation before a server's first measured round: its JIT is still compiling for the first seconds. */
const SERVER_WARMUP_MS = QUICK ? 200 : 500;

interface Server {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

function startProcess(args: string[]): Promise<Server> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      // The request log keeps flowing into the pipe: read and drop it.
      proc.stdout!.off('data', onData);
      proc.stdout!.resume();
      resolve({
        url: m[1]!,
        proc,
        stop: () =>
          new Promise<void>((done) => {
            proc.removeAllListeners('exit');
            proc.once('exit', () => done());
            proc.kill('SIGTERM');
          }),
      });
    };
    proc.stdout!.on('data', onData);
  });
}

interface LoadRequest {
  headers: Record<string, string>;
  body: string;
}

const awsHeaders = (operation: string) => ({ 'x-amz-target': `TrentService.${operation}`, 'content-type': 'application/x-amz-json-1.1' });
const aws = (operation: string, input: unknown): LoadRequest => ({ headers: awsHeaders(operation), body: JSON.stringify(input) });

async function call(url: string, operation: string, input: unknown): Promise<{ headers: Headers; text: string; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: awsHeaders(operation), body: JSON.stringify(input) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${operation}: ${res.status} ${text}`);
  return { headers: res.headers, text, json: JSON.parse(text) };
}

/** Requests per second of one load-client run. */
function load(url: string, requests: LoadRequest[], inFlight: number): Promise<number> {
  return loadFor(url, requests, inFlight, ROUND_MS);
}

function loadFor(url: string, requests: LoadRequest[], inFlight: number, ms: number): Promise<number> {
  const spec = JSON.stringify({ url, inFlight, warmupMs: WARMUP_MS, ms, requests });
  const proc = spawn(process.execPath, [join(ROOT, 'bench', 'load-client.mjs'), spec], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load client exited ${code}`));
      const result = JSON.parse(out) as { rate: number; statuses: Record<string, number> };
      const bad = Object.keys(result.statuses).filter((s) => s !== '200');
      if (bad.length > 0) return reject(new Error(`non-200 answers under load: ${JSON.stringify(result.statuses)}`));
      resolve(result.rate);
    });
  });
}

/**
 * Every operation in turn at 16 in flight, once, on a server just started and prepared: TurboFan
 * compiles the request path for the first few seconds of load (docs/performance.md), which the
 * first rows measured would otherwise carry and the canned ceiling, a dozen functions, does not.
 */
async function warmUp(url: string, requests: Record<string, LoadRequest[]>): Promise<void> {
  for (const operation of Object.keys(requests)) await loadFor(url, requests[operation]!, 16, SERVER_WARMUP_MS);
}

/** Alternating rounds of a and b; medians of each side and of the pairs' ratios a/b. */
async function compare(a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number; b: number; ratio: number }> {
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < PAIRS * 2; i++) {
    if (i % 2 === 0) {
      ra.push(await a());
      rb.push(await b());
    } else {
      rb.push(await b());
      ra.push(await a());
    }
  }
  return { a: median(ra), b: median(rb), ratio: median(ra.map((x, i) => x / rb[i]!)) };
}

/** The keys and requests a server is loaded with. */
async function prepare(url: string) {
  const keyId = (await call(url, 'CreateKey', {})).json.KeyMetadata.KeyId as string;
  const plaintext = Buffer.alloc(32, 7).toString('base64');
  const encrypted = await call(url, 'Encrypt', { KeyId: keyId, Plaintext: plaintext });
  const signKey = (await call(url, 'CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).json.KeyMetadata.KeyId as string;
  const tagKeys = await Promise.all(Array.from({ length: 16 }, async () => (await call(url, 'CreateKey', {})).json.KeyMetadata.KeyId as string));
  let tagN = 0;
  return {
    encrypted,
    requests: {
      Encrypt: [aws('Encrypt', { KeyId: keyId, Plaintext: plaintext })],
      Decrypt: [aws('Decrypt', { CiphertextBlob: encrypted.json.CiphertextBlob })],
      DescribeKey: [aws('DescribeKey', { KeyId: keyId })],
      GenerateDataKey: [aws('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' })],
      CreateKey: [aws('CreateKey', {})],
      'Sign P-256': [aws('Sign', { KeyId: signKey, Message: Buffer.from('message').toString('base64'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })],
      TagResource: tagKeys.flatMap((k) => Array.from({ length: 4 }, () => aws('TagResource', { KeyId: k, Tags: [{ TagKey: 'n', TagValue: String(tagN++) }] }))),
    } as Record<string, LoadRequest[]>,
  };
}

export async function benchEndpoint(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  if (!existsSync(CLI)) throw new Error('dist/server/cli.bundle.js is not built: run npm run build first');
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-endpoint-'));
  const servers: Server[] = [];
  try {
    const memory = await startProcess([CLI, 'serve', '--port', '0']);
    servers.push(memory);
    const mem = await prepare(memory.url);
    await warmUp(memory.url, mem.requests);
    if (ONLY !== 'durable') {
      log('endpoint: the CLI vs. a canned node:http answer, load client in its own process …');
      const canned = { headers: { 'content-type': mem.encrypted.headers.get('content-type')! }, body: mem.encrypted.text };
      const ceiling = await startProcess([join(ROOT, 'bench', 'ceiling-server.mjs'), JSON.stringify(canned)]);
      servers.push(ceiling);
      for (const operation of ['Encrypt', 'Decrypt', 'DescribeKey', 'GenerateDataKey', 'CreateKey', 'Sign P-256']) {
        for (const inFlight of [1, 16]) {
          const ceilingRequests = mem.requests.Encrypt!;
          const r = await compare(
            () => load(memory.url, mem.requests[operation]!, inFlight),
            () => load(ceiling.url, ceilingRequests, inFlight),
          );
          const goal = operation === 'Sign P-256' ? 0.5 : 0.7;
          rows.push({
            measure: `${operation} over HTTP, ${inFlight} in flight (req/s)`,
            value: fmt(r.a),
            baseline: `${fmt(r.b)} (node:http, canned Encrypt answer)`,
            ratio: fmt(r.ratio, 2),
            goal: r.ratio >= goal ? `≥ ${goal} ✔` : `< ${goal} ✘`,
          });
        }
      }
    }
    if (ONLY !== 'ceiling') {
      log('endpoint: --data-dir vs. memory …');
      const durable = await startProcess([CLI, 'serve', '--port', '0', '--data-dir', dir]);
      servers.push(durable);
      const dur = await prepare(durable.url);
      await warmUp(durable.url, dur.requests);
      for (const operation of ['CreateKey', 'TagResource', 'Encrypt', 'Decrypt', 'DescribeKey']) {
        for (const inFlight of [1, 16]) {
          const r = await compare(
            () => load(durable.url, dur.requests[operation]!, inFlight),
            () => load(memory.url, mem.requests[operation]!, inFlight),
          );
          const write = operation === 'CreateKey' || operation === 'TagResource';
          const goal = write ? (inFlight === 16 ? 0.8 : undefined) : 0.95;
          rows.push({
            measure: `${operation} over HTTP with --data-dir, ${inFlight} in flight (req/s)`,
            value: fmt(r.a),
            baseline: `${fmt(r.b)} (without --data-dir)`,
            ratio: fmt(r.ratio, 2),
            goal: goal === undefined ? 'report (one fdatasync a write)' : r.ratio >= goal ? `≥ ${goal} ✔` : `< ${goal} ✘`,
          });
        }
      }
    }
    notes.push(
      `Endpoint: the CLI (\`node dist/server/cli.bundle.js serve\`, default text log into a pipe) and the load client ` +
        `(bench/load-client.mjs: keep-alive raw HTTP, N connections each with one request at a time) are separate processes; ` +
        `${PAIRS} pairs of alternating ${ROUND_MS} ms rounds after ${WARMUP_MS} ms of warm-up each; ratios are medians of the pairs. ` +
        `Each CLI, once started, first serves every operation for ${SERVER_WARMUP_MS} ms at 16 in flight (its JIT compiles the request path in the first seconds). ` +
        `Data directory in ${tmpdir()} (every write's answer waits for its fdatasync).`,
    );
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, notes } = await benchEndpoint();
  process.stdout.write(`${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}
