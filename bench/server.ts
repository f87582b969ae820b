/**
 * The local endpoint's cost: @aws-sdk/client-kms EncryptCommand (32 bytes) over HTTP (keep-alive
 * agent) to startServer, sequential and with 16 requests in flight, each as a ratio to the same
 * client in process (kms.aws.clientConfig(), same engine); and the cost of SigV4 checks
 * (--credentials) on the sequential case.
 *
 *   npx tsx bench/server.ts              (prints a Markdown table)
 *   BENCH_QUICK=1 npx tsx bench/server.ts
 *
 * bench/run.ts may import benchServer() and add its rows to docs/performance.md.
 */
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { startServer } from '../src/server/server.js';
import { type BenchRow, compareAsync, fmt, log, QUICK, table } from './support.js';

const ROUND_MS = QUICK ? 150 : 400;
const ROUNDS = QUICK ? 4 : 12;
const WARMUP_MS = QUICK ? 200 : 1000;
const IN_FLIGHT = 16;

const compare = (a: () => Promise<unknown>, b: () => Promise<unknown>, concurrency: number) =>
  compareAsync(a, b, { warmupMs: WARMUP_MS, roundMs: ROUND_MS, rounds: ROUNDS, concurrency });

const KEYS = { accessKeyId: 'AKIABENCH00000000001', secretAccessKey: 'bench-secret' };

export async function benchServer(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  log('server: @aws-sdk/client-kms EncryptCommand over HTTP vs. in process …');
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  const signedServer = await startServer({
    host: '127.0.0.1',
    port: 0,
    credentials: { version: 1, credentials: [{ provider: 'aws', ...KEYS }] },
  });
  const agents: Agent[] = [];
  const overHttp = (url: string, credentials = KEYS) => {
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
    agents.push(agent);
    return new KMSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1, requestHandler: { httpAgent: agent } });
  };
  try {
    const http = overHttp(server.url);
    const inProcess = new KMSClient({ ...server.kms.aws.clientConfig() });
    const keyId = (await http.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const plaintext = new Uint8Array(32).fill(7);
    const encrypt = (client: KMSClient) => () => client.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const check = await http.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    if (!check.CiphertextBlob?.length) throw new Error('no ciphertext over HTTP');

    const sequential = await compare(encrypt(http), encrypt(inProcess), 1);
    rows.push({
      measure: 'SDK EncryptCommand over HTTP, sequential (ops/s)',
      value: fmt(sequential.a),
      baseline: `${fmt(sequential.b)} (same SDK in process)`,
      ratio: fmt(sequential.ratio, 2),
      goal: 'report',
    });
    const parallel = await compare(encrypt(http), encrypt(inProcess), IN_FLIGHT);
    rows.push({
      measure: `SDK EncryptCommand over HTTP, ${IN_FLIGHT} in flight (ops/s)`,
      value: fmt(parallel.a),
      baseline: `${fmt(parallel.b)} (same SDK in process, ${IN_FLIGHT} in flight)`,
      ratio: fmt(parallel.ratio, 2),
      goal: 'report',
    });

    const signedHttp = overHttp(signedServer.url);
    const signedKey = (await signedHttp.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const signedEncrypt = () => signedHttp.send(new EncryptCommand({ KeyId: signedKey, Plaintext: plaintext }));
    const verified = await compare(signedEncrypt, encrypt(http), 1);
    rows.push({
      measure: 'SDK EncryptCommand over HTTP with SigV4 checks (--credentials), sequential (ops/s)',
      value: fmt(verified.a),
      baseline: `${fmt(verified.b)} (over HTTP, no checks)`,
      ratio: fmt(verified.ratio, 2),
      goal: 'report',
    });
    notes.push(
      `Server bench: loopback HTTP/1.1, one Node process for client and server (they share the CPU), keep-alive agent with ${IN_FLIGHT} sockets; ` +
        `the in-process baseline is the same KMSClient with kms.aws.clientConfig() on the same engine. ` +
        `Per call over HTTP, sequential: ${fmt(1000 / sequential.a, 3)} ms vs. ${fmt(1000 / sequential.b, 3)} ms in process.`,
    );
    if (server.kms.aws.internalErrors.count > 0 || signedServer.kms.aws.internalErrors.count > 0) throw new Error('internal errors during the bench');
  } finally {
    for (const agent of agents) agent.destroy();
    await server.close();
    await signedServer.close();
  }
  return { rows, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { rows, notes } = await benchServer();
  process.stdout.write(`${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}
