/**
 * Server CPU time a request, two (or more) servers interleaved: the A/B measure behind the
 * changes in docs/performance.md. Each server is a command line (node arguments) printing
 * `listening on <url>`; each gets a key and its requests, then for every operation and number in
 * flight the servers take turns (a b, b a, …) under bench/load-client.mjs, and the CPU time the
 * server process used (all its threads, from /proc/<pid>/task/<tid>/schedstat, in ns) is divided by
 * the requests answered. Prints the medians and, for two servers, the median of the pairs' ratios
 * (second / first): on a machine shared with other work, CPU time a request moves far less than
 * requests a second, and a ratio of back-to-back rounds less than either. Linux only; not part of
 * npm run bench.
 *
 *   node bench/server-cpu-ab.mjs '{"servers":{"old":["/tmp/old/dist/server/cli.bundle.js","serve","--port","0","--log","off"],
 *     "new":["dist/server/cli.bundle.js","serve","--port","0","--log","off"]},
 *     "ops":["health","DescribeKey","Encrypt","Sign"],"inFlight":[1,16],"rounds":20,"ms":600}'
 *
 * (An old build to compare with: copy dist/server and package.json to a directory of their own and
 * link node_modules beside them.) Operations: health (GET /health), DescribeKey, Encrypt, Decrypt,
 * GenerateDataKey, CreateKey, TagResource (one key, so a repeated tag changes nothing), Sign (P-256).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const spec = JSON.parse(process.argv[2]);
const start = (args) => new Promise((resolve) => {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; const m = /listening on (\S+)/.exec(out); if (m) { proc.stdout.removeAllListeners('data'); proc.stdout.resume(); resolve({ proc, url: m[1] }); } });
});
const cpuMs = (pid) => { let t = 0; for (const tid of readdirSync(`/proc/${pid}/task`)) t += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]); return t / 1e6; };
const target = (o) => ({ 'x-amz-target': `TrentService.${o}`, 'content-type': 'application/x-amz-json-1.1' });
const servers = {};
for (const [name, args] of Object.entries(spec.servers)) {
  const s = await start(args);
  const call = async (op, body) => (await (await fetch(s.url, { method: 'POST', headers: target(op), body: JSON.stringify(body) })).json());
  const keyId = (await call('CreateKey', {})).KeyMetadata.KeyId;
  const pt = Buffer.alloc(32, 7).toString('base64');
  const ct = (await call('Encrypt', { KeyId: keyId, Plaintext: pt })).CiphertextBlob;
  const signKey = (await call('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId;
  s.requests = {
    health: { method: 'GET', path: '/health', headers: {}, body: '' },
    DescribeKey: { headers: target('DescribeKey'), body: JSON.stringify({ KeyId: keyId }) },
    Encrypt: { headers: target('Encrypt'), body: JSON.stringify({ KeyId: keyId, Plaintext: pt }) },
    Decrypt: { headers: target('Decrypt'), body: JSON.stringify({ CiphertextBlob: ct }) },
    GenerateDataKey: { headers: target('GenerateDataKey'), body: JSON.stringify({ KeyId: keyId, KeySpec: 'AES_256' }) },
    CreateKey: { headers: target('CreateKey'), body: '{}' },
    TagResource: { headers: target('TagResource'), body: JSON.stringify({ KeyId: keyId, Tags: [{ TagKey: 'n', TagValue: 'v' }] }) },
    Sign: { headers: target('Sign'), body: JSON.stringify({ KeyId: signKey, Message: Buffer.from('message').toString('base64'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }) },
  };
  servers[name] = s;
}
const run = (s, request, inFlight) => new Promise((resolve) => {
  const before = cpuMs(s.proc.pid);
  const client = spawn(process.execPath, [`${ROOT}bench/load-client.mjs`, JSON.stringify({ url: s.url, inFlight, warmupMs: 0, ms: spec.ms ?? 2000, requests: [request] })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = ''; client.stdout.on('data', (d) => (out += d));
  client.on('exit', () => { const r = JSON.parse(out); resolve({ rate: r.rate, cpu: ((cpuMs(s.proc.pid) - before) * 1000) / r.requests }); });
});
const names = Object.keys(servers);
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b.length % 2 ? b[(b.length - 1) / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2; };
for (const op of spec.ops) for (const inFlight of spec.inFlight ?? [1, 16]) {
  // warm-up
  for (const n of names) await run(servers[n], servers[n].requests[op], inFlight);
  const res = Object.fromEntries(names.map((n) => [n, { cpu: [], rate: [] }]));
  for (let r = 0; r < (spec.rounds ?? 4); r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const n of order) { const x = await run(servers[n], servers[n].requests[op], inFlight); res[n].cpu.push(x.cpu); res[n].rate.push(x.rate); }
  }
  console.log(`${op} ${inFlight} in flight: ` + names.map((n) => `${n} ${med(res[n].cpu).toFixed(1)} µs ${med(res[n].rate).toFixed(0)}/s`).join(' | ') + (names.length === 2 ? ` | ratio of pairs ${med(res[names[1]].cpu.map((x, i) => x / res[names[0]].cpu[i])).toFixed(3)} (${res[names[1]].cpu.map((x, i) => (x / res[names[0]].cpu[i]).toFixed(2)).join(' ')})` : ''));
}
for (const s of Object.values(servers)) s.proc.kill('SIGTERM');
