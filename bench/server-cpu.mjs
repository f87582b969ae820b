/**
 * Server CPU time per request (user + system, from /proc/<pid>/stat), which the machine's other
 * load does not change the way it changes requests per second: the CLI (dist/server/cli.bundle.js,
 * --log off unless given) and Node's ceiling (bench/ceiling-server.mjs) under bench/load-client.mjs,
 * 1 and 16 in flight, for GET /health (server.ts without a dialect), DescribeKey and Encrypt.
 * Linux only. A diagnostic for docs/performance.md, not part of npm run bench.
 *
 *   node bench/server-cpu.mjs [text|json|off]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const start = (args) =>
  new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        proc.stdout.removeAllListeners('data');
        proc.stdout.resume();
        resolve({ proc, url: m[1] });
      }
    });
  });
/** CPU milliseconds used so far by a process (utime + stime, in clock ticks of 10 ms). */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const ours = await start(['dist/server/cli.bundle.js', 'serve', '--port', '0', '--log', process.argv[2] ?? 'off']);
const ceiling = await start(['bench/ceiling-server.mjs', JSON.stringify({ headers: { 'content-type': 'application/x-amz-json-1.1' }, body: '{"CiphertextBlob":"AAAA"}' })]);
const target = (operation) => ({ 'x-amz-target': `TrentService.${operation}`, 'content-type': 'application/x-amz-json-1.1' });
const keyId = (await (await fetch(ours.url, { method: 'POST', headers: target('CreateKey'), body: '{}' })).json()).KeyMetadata.KeyId;
const requests = {
  'GET /health': { method: 'GET', path: '/health', headers: {}, body: '' },
  DescribeKey: { headers: target('DescribeKey'), body: JSON.stringify({ KeyId: keyId }) },
  Encrypt: { headers: target('Encrypt'), body: JSON.stringify({ KeyId: keyId, Plaintext: Buffer.alloc(32, 7).toString('base64') }) },
};
const run = (server, request, inFlight) =>
  new Promise((resolve) => {
    const before = cpuMs(server.proc.pid);
    const client = spawn(process.execPath, [`${ROOT}bench/load-client.mjs`, JSON.stringify({ url: server.url, inFlight, warmupMs: 0, ms: 3000, requests: [request] })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    client.stdout.on('data', (d) => (out += d));
    client.on('exit', () => {
      const result = JSON.parse(out);
      resolve({ rate: Math.round(result.rate), cpuUs: Math.round(((cpuMs(server.proc.pid) - before) * 1000) / result.requests) });
    });
  });
process.stdout.write('| in flight | server | request | req/s | server CPU µs a request |\n|---|---|---|---|---|\n');
for (const inFlight of [1, 16]) {
  const c = await run(ceiling, requests.DescribeKey, inFlight);
  process.stdout.write(`| ${inFlight} | node:http ceiling | canned answer | ${c.rate} | ${c.cpuUs} |\n`);
  for (const [name, request] of Object.entries(requests)) {
    const r = await run(ours, request, inFlight);
    process.stdout.write(`| ${inFlight} | kms-emulator | ${name} | ${r.rate} | ${r.cpuUs} |\n`);
  }
}
ours.proc.kill('SIGTERM');
ceiling.proc.kill('SIGTERM');
