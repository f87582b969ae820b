/**
 * Start-up costs, each as a multiple of a bare `node -e 1` timed in the same run (runs interleaved,
 * medians):
 *   a. `import('kms-emulator')`, alone and with `createKms()`: what a program at the package root
 *      loads, through package.json `exports` (dist/esm/index.js, the bundled entry; its path is in the
 *      notes); and, for comparison, tsc's modules (dist/index.js) that it loaded before;
 *   b. the CLI from start to the first answer (a ListKeys over HTTP): the bundled CLI
 *      (dist/server/cli.bundle.js), the plain compiled one (dist/server/cli.js) and `npm start`,
 *      with an empty directory, and with a data directory of 10,000 and 100,000 keys.
 *
 * dist/ must be built (`npm run build`; `npm start` and `npm test` build it when src/ is newer).
 *
 *   npx tsx bench/startup.ts              (prints a Markdown table)
 *   BENCH_QUICK=1 npx tsx bench/startup.ts
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKms } from '../src/index.js';
import { DurableStore } from '../src/server/store.js';
import { type BenchRow, fmt, log, median, QUICK, table } from './support.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RUNS = QUICK ? 3 : 7;
const BUNDLE = join(ROOT, 'dist', 'server', 'cli.bundle.js');
const PLAIN = join(ROOT, 'dist', 'server', 'cli.js');

/** Wall time of a child process from spawn to exit (ms). */
function timeProcess(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t;
}

/** From spawn to the answer of a ListKeys on the URL of the ready line (ms); the server is then stopped. */
function timeFirstAnswer(command: string, args: string[]): Promise<number> {
  const t = performance.now();
  // A process group of its own: `npm start` runs the server as a grandchild, and a SIGTERM to npm
  // alone would leave it running.
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  return new Promise((resolve, reject) => {
    let out = '';
    let asked = false;
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m || asked) return;
      asked = true;
      const req = request(m[1]!, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' } }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - t;
          child.once('exit', () => (res.statusCode === 200 ? resolve(ms) : reject(new Error(`ListKeys answered ${res.statusCode}`))));
          process.kill(-child.pid!, 'SIGTERM');
        });
      });
      req.on('error', reject);
      req.end('{}');
    });
  });
}

/** A data directory of `count` keys (each with its CreateKey audit event), closed cleanly (snapshot). */
async function fill(count: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `kms-bench-start-${count}-`));
  const kms = createKms();
  const store = await DurableStore.open(dir, kms.engine);
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, async () => {
        await kms.aws.send('CreateKey', {});
        await store.commit();
      }),
    );
  }
  await store.close();
  return dir;
}

export async function benchStartup(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  if (!existsSync(PLAIN)) throw new Error('dist/ is not built: run npm run build first');
  log('startup: import and start to first answer vs. a bare node …');
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const dirs = new Map<number, string>([[0, mkdtempSync(join(tmpdir(), 'kms-bench-start-0-'))]]);
  try {
    for (const n of QUICK ? [10_000] : [10_000, 100_000]) dirs.set(n, await fill(n));
    const bare: number[] = [];
    const imports: number[] = [];
    const modules: number[] = [];
    const creates: number[] = [];
    const starts = new Map<string, number[]>();
    const push = (name: string, ms: number) => starts.set(name, [...(starts.get(name) ?? []), ms]);
    const clis: Array<[string, string, string[]]> = [
      ['node dist/server/cli.bundle.js serve', process.execPath, [BUNDLE, 'serve']],
      ['node dist/server/cli.js serve', process.execPath, [PLAIN, 'serve']],
      ['npm start', 'npm', ['start', '--silent', '--']],
    ];
    for (let r = 0; r < RUNS; r++) {
      bare.push(timeProcess(['-e', '1']));
      imports.push(timeProcess(['--input-type=module', '-e', "await import('kms-emulator')"]));
      modules.push(timeProcess(['--input-type=module', '-e', "await import('./dist/index.js')"]));
      creates.push(timeProcess(['--input-type=module', '-e', "const { createKms } = await import('kms-emulator'); createKms()"]));
      for (const [n, dir] of dirs) {
        for (const [name, command, args] of clis) {
          if (n > 0 && name === 'npm start') continue;
          push(`${name}|${n}`, await timeFirstAnswer(command, [...args, '--port', '0', ...(n > 0 ? ['--data-dir', dir] : [])]));
        }
      }
    }
    const node = median(bare);
    const times = (ms: number) => `${fmt(ms / node, 2)}×`;
    rows.push({ measure: 'Bare node -e 1 (ms)', value: fmt(node), baseline: '—', ratio: '1×', goal: 'the unit' });
    /** A row of import times, as the time added to a bare node start. */
    const importRow = (measure: string, samples: number[], goal: (added: number) => string): BenchRow => {
      const added = median(samples) - node;
      return { measure, value: fmt(median(samples)), baseline: `${fmt(node)} (bare node)`, ratio: `+${fmt(added)} ms`, goal: goal(added) };
    };
    rows.push(importRow("import('kms-emulator') (ms)", imports, (added) => (added <= 100 ? '≤ +100 ms ✔' : '≤ +100 ms ✘')));
    rows.push(importRow("import('./dist/index.js'), tsc's modules, not bundled (ms)", modules, () => "report (what import('kms-emulator') loaded before dist/esm/)"));
    rows.push(importRow("import('kms-emulator') + createKms() (ms)", creates, () => 'report'));
    for (const [n] of dirs) {
      for (const [name] of clis) {
        const samples = starts.get(`${name}|${n}`);
        if (!samples) continue;
        const ms = median(samples);
        const goal = n === 0 ? (name === 'npm start' ? 'report (npm adds its own start-up)' : ms <= 2 * node ? '≤ 2× ✔' : '≤ 2× ✘') : n === 10_000 ? (ms <= 3 * node ? '≤ 3× ✔' : '≤ 3× ✘') : ms <= 2000 ? '≤ 2 s ✔' : '≤ 2 s ✘';
        rows.push({
          measure: `Start to first answer, ${name}, ${n === 0 ? 'empty directory' : `${fmt(n)} keys (--data-dir)`} (ms)`,
          value: fmt(ms),
          baseline: `${fmt(node)} (bare node)`,
          ratio: times(ms),
          goal,
        });
      }
    }
    const resolved = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('kms-emulator'))"], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    notes.push(
      `Start-up: import('kms-emulator') loads ${resolved.startsWith('file:') ? relative(ROOT, fileURLToPath(resolved)) : resolved}. Medians of ${RUNS} interleaved runs; "first answer" is from spawning the process to the end of the response to a ListKeys ` +
        'sent as soon as the ready line appears. The data directories were closed cleanly (snapshot only).',
    );
  } finally {
    for (const dir of dirs.values()) rmSync(dir, { recursive: true, force: true });
  }
  return { rows, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, notes } = await benchStartup();
  process.stdout.write(`${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}
