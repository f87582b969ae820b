/**
 * The in-process agent's cost: tencentcloud-sdk-nodejs Encrypt (32 bytes) through
 * httpAgent(kms, 'tencent') (HTTP/1.1 over an in-memory socket, no port), as a ratio to the same
 * client over loopback HTTP to startServer, and to kms.tencent.call('Encrypt') with no SDK and no
 * HTTP at all.
 *
 *   npx tsx bench/agent.ts              (prints a Markdown table)
 *   BENCH_QUICK=1 npx tsx bench/agent.ts
 *
 * bench/run.ts may import benchAgent() and add its rows to docs/performance.md.
 */
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { kms as tencentSdk } from 'tencentcloud-sdk-nodejs/tencentcloud/services/kms/index.js';
import { httpAgent, startServer } from '../src/server/server.js';
import { type BenchRow, compareAsync, fmt, log, QUICK, table } from './support.js';

const ROUND_MS = QUICK ? 150 : 400;
const ROUNDS = QUICK ? 4 : 12;
const WARMUP_MS = QUICK ? 200 : 1000;

const compare = (a: () => Promise<unknown>, b: () => Promise<unknown>) => compareAsync(a, b, { warmupMs: WARMUP_MS, roundMs: ROUND_MS, rounds: ROUNDS });
const credential = { secretId: 'AKIDbench0000000000000000000001', secretKey: 'bench-secret' };

export async function benchAgent(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  log('agent: tencentcloud-sdk-nodejs Encrypt through httpAgent vs. loopback HTTP vs. kms.tencent.call …');
  delete process.env.http_proxy;
  delete process.env.HTTP_PROXY;
  const server = await startServer({ host: '127.0.0.1', port: 0 });
  const loopbackAgent = new Agent({ keepAlive: true });
  const memoryAgent = httpAgent(server.kms, 'tencent');
  try {
    const overAgent = new tencentSdk.v20190118.Client({ credential, region: 'ap-guangzhou', profile: { httpProfile: { agent: memoryAgent } } });
    const overHttp = new tencentSdk.v20190118.Client({
      credential,
      region: 'ap-guangzhou',
      profile: { httpProfile: { endpoint: `127.0.0.1:${server.port}`, protocol: 'http://', agent: loopbackAgent } },
    });
    const { KeyId } = await overAgent.CreateKey({ Alias: 'bench' });
    const Plaintext = btoa('x'.repeat(32));
    const viaAgent = () => overAgent.Encrypt({ KeyId: KeyId!, Plaintext });
    const viaHttp = () => overHttp.Encrypt({ KeyId: KeyId!, Plaintext });
    const direct = () => server.kms.tencent.call('Encrypt', { KeyId, Plaintext });
    const vsHttp = await compare(viaAgent, viaHttp);
    const vsDirect = await compare(viaAgent, direct);
    const rows: BenchRow[] = [
      {
        measure: 'Tencent SDK Encrypt through httpAgent, no port, sequential (ops/s)',
        value: fmt(vsHttp.a),
        baseline: `${fmt(vsHttp.b)} (same SDK over loopback HTTP)`,
        ratio: fmt(vsHttp.ratio, 2),
        goal: 'report',
      },
      {
        measure: 'Tencent SDK Encrypt through httpAgent vs. kms.tencent.call (ops/s)',
        value: fmt(vsDirect.a),
        baseline: `${fmt(vsDirect.b)} (kms.tencent.call, no SDK, no HTTP)`,
        ratio: fmt(vsDirect.ratio, 2),
        goal: 'report',
      },
    ];
    const notes = [
      `Agent bench: one Node process; per call ${fmt(1000 / vsHttp.a, 3)} ms through the agent, ${fmt(1000 / vsHttp.b, 3)} ms over loopback HTTP, ` +
        `${fmt(1000 / vsDirect.b, 3)} ms through kms.tencent.call. ${memoryAgent.served} requests went through the agent.`,
    ];
    if (server.kms.tencent.internalErrors.count > 0) throw new Error('internal errors during the bench');
    return { rows, notes };
  } finally {
    memoryAgent.destroy();
    loopbackAgent.destroy();
    await server.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, notes } = await benchAgent();
  process.stdout.write(`${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}
