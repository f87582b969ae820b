/**
 * Browser bundle size: small pages bundled by esbuild as an application's own build would bundle the
 * package (minified ES modules for browsers, code splitting on, as Vite and Rollup do by default):
 * AWS only (`createAwsKms`) with AES keys; the same page using post-quantum keys (ML-DSA, ML-KEM)
 * and SM keys (SM2, SM4 in the China Regions); all three dialects (`createKms`); and the sandbox
 * page itself. "Up front" is the entry chunk with the chunks it imports statically; the
 * post-quantum and SM2 code are separate chunks loaded on first use. Reports gzipped and minified
 * sizes, and from esbuild's metafile which modules each page carries.
 *
 *   npx tsx bench/bundle.ts            (prints the table)
 *   npx tsx bench/bundle.ts --write    (also replaces this section of docs/performance.md)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleSandbox } from '../src/server/sandbox-build.js';
import { type BenchRow, fmt, log, table } from './support.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const AWS_ONLY = `
import { createAwsKms, ManualClock } from './src/index.ts';
const kms = createAwsKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
const key = await kms.aws.send('CreateKey', {});
const sealed = await kms.aws.send('Encrypt', { KeyId: key.KeyMetadata.KeyId, Plaintext: btoa('hi') });
await kms.aws.send('Decrypt', { CiphertextBlob: sealed.CiphertextBlob });
globalThis.snapshot = kms.snapshot();
`;

const POST_QUANTUM = `${AWS_ONLY}
const dsa = await kms.aws.send('CreateKey', { KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' });
await kms.aws.send('Sign', { KeyId: dsa.KeyMetadata.KeyId, Message: btoa('m'), MessageType: 'RAW', SigningAlgorithm: 'ML_DSA_SHAKE_256' });
const kem = await kms.aws.send('CreateKey', { KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' });
await kms.aws.send('Encapsulate', { KeyId: kem.KeyMetadata.KeyId, KeyEncapsulationAlgorithm: 'ML_KEM' });
`;

const SM = `${AWS_ONLY}
const cn = { region: 'cn-north-1' };
const sm2 = await kms.aws.send('CreateKey', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, cn);
await kms.aws.send('Sign', { KeyId: sm2.KeyMetadata.KeyId, Message: btoa('m'), MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' }, cn);
const sm4 = await kms.aws.send('CreateKey', {}, cn);
await kms.aws.send('Encrypt', { KeyId: sm4.KeyMetadata.KeyId, Plaintext: btoa('hi') }, cn);
`;

const ALL_DIALECTS = `
import { createKms, ManualClock } from './src/index.ts';
const kms = createKms({ clock: new ManualClock('2026-01-01T00:00:00Z') });
const key = await kms.aws.send('CreateKey', {});
await kms.tencent.call('CreateKey', { Alias: 'a' });
await kms.huawei.call('create-key', { key_alias: 'a' });
globalThis.snapshot = [key, kms.snapshot()];
`;

interface Size {
  minified: number;
  gzipped: number;
}

interface Measured {
  /** The entry chunk and the chunks it imports statically. */
  upFront: Size;
  /** Chunks loaded by dynamic import, by the source modules they hold. */
  lazy: Array<Size & { modules: string[] }>;
  /** Bytes in the output by package (node_modules) or source file, over every chunk. */
  inputs: Map<string, number>;
  /** The same, for the up-front chunks only. */
  upFrontInputs: Map<string, number>;
}

type Output = { inputs: Record<string, { bytesInOutput: number }>; imports?: Array<{ path: string; kind: string }>; entryPoint?: string };
type Metafile = { outputs: Record<string, Output> };

function origin(path: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.replace(/^.*?src\//, 'src/');
}

function byOrigin(outputs: Output[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const output of outputs) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) out.set(origin(path), (out.get(origin(path)) ?? 0) + bytesInOutput);
  }
  return out;
}

const sizeOf = (bytes: Uint8Array): Size => ({ minified: bytes.byteLength, gzipped: gzipSync(bytes, { level: 9 }).byteLength });
const sum = (sizes: Size[]): Size => sizes.reduce((a, b) => ({ minified: a.minified + b.minified, gzipped: a.gzipped + b.gzipped }), { minified: 0, gzipped: 0 });

async function bundle(source: string): Promise<Measured> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'page.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    splitting: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    outdir: 'page',
  });
  const meta = (result.metafile as Metafile).outputs;
  const files = new Map(result.outputFiles.map((f) => [f.path.slice(f.path.lastIndexOf('/page/') + 1), f.contents]));
  const entry = Object.keys(meta).find((k) => meta[k]!.entryPoint !== undefined)!;
  // Walk static imports from the entry; the other chunks are loaded on demand.
  const upFront = new Set<string>();
  const visit = (name: string) => {
    if (upFront.has(name)) return;
    upFront.add(name);
    for (const i of meta[name]!.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  const chunks = Object.keys(meta).filter((k) => k.endsWith('.js'));
  const lazy = chunks.filter((k) => !upFront.has(k)).map((k) => ({ ...sizeOf(files.get(k)!), modules: [...byOrigin([meta[k]!]).keys()] }));
  return {
    upFront: sum([...upFront].map((k) => sizeOf(files.get(k)!))),
    lazy,
    inputs: byOrigin(chunks.map((k) => meta[k]!)),
    upFrontInputs: byOrigin([...upFront].map((k) => meta[k]!)),
  };
}

const kib = (bytes: number) => `${fmt(bytes / 1024, 1)} KiB`;

function has(inputs: Map<string, number>, name: string): number {
  let total = 0;
  for (const [k, v] of inputs) if (k === name || k.startsWith(name)) total += v;
  return total;
}

export async function benchBundle(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  log('browser bundle sizes (esbuild, minified, code splitting, gzip -9) …');
  const core = await bundle(AWS_ONLY);
  const pq = await bundle(POST_QUANTUM);
  const sm = await bundle(SM);
  const all = await bundle(ALL_DIALECTS);
  const sandbox = await bundleSandbox({ sourcemap: false });
  const sandboxJs = sandbox.files.get('app.js')!;
  const sandboxCss = sandbox.files.get('app.css')!;
  const sandboxInputs = byOrigin(Object.values((sandbox.metafile as Metafile).outputs));
  const lazyWith = (m: Measured, module: string) => sum(m.lazy.filter((c) => c.modules.includes(module)));
  const pqChunk = lazyWith(pq, 'src/crypto/pq.ts');
  const sm2Chunk = lazyWith(sm, 'src/crypto/sm2.ts');
  const row = (measure: string, m: Size, baseline: string): BenchRow => ({
    measure,
    value: `${kib(m.gzipped)} gzipped`,
    baseline: `${kib(m.minified)} minified${baseline ? `; ${baseline}` : ''}`,
    ratio: '—',
    goal: 'report',
  });
  const rows: BenchRow[] = [
    row('Core: createAwsKms, AES keys only (loaded up front)', core.upFront, ''),
    row('With post-quantum keys (ML-DSA-65 Sign, ML-KEM-768 Encapsulate)', sum([pq.upFront, pqChunk]), `post-quantum chunk ${kib(pqChunk.gzipped)} gzipped, loaded on first use`),
    row('With SM keys (SM2 Sign, SM4 Encrypt in cn-north-1)', sum([sm.upFront, sm2Chunk]), `SM2 chunk ${kib(sm2Chunk.gzipped)} gzipped, loaded on first use`),
    row('All three dialects: createKms (AWS, Tencent, Huawei)', all.upFront, `+${kib(all.upFront.gzipped - core.upFront.gzipped)} gzipped over AWS only`),
    row('The sandbox page (app.js, all three dialects, one file)', sizeOf(sandboxJs), `app.css ${kib(gzipSync(sandboxCss, { level: 9 }).byteLength)} gzipped`),
  ];
  const top = [...core.upFrontInputs].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const dialectBytes = (m: Map<string, number>, dialect: string) => [...m].filter(([k]) => k.startsWith(`src/dialects/${dialect}/`)).reduce((a, [, v]) => a + v, 0);
  const notes = [
    `Up front in the AWS-only page (minified bytes by origin): ${top.map(([k, v]) => `${k} ${kib(v)}`).join(', ')}.`,
    `Left out of the AWS-only page: the Tencent dialect (${kib(dialectBytes(core.inputs, 'tencent'))} there, ${kib(dialectBytes(all.inputs, 'tencent'))} with createKms) and the Huawei dialect (${kib(dialectBytes(core.inputs, 'huawei'))} there, ${kib(dialectBytes(all.inputs, 'huawei'))} with createKms). ` +
      `@noble/post-quantum and src/crypto/pq.ts up front: ${kib(has(core.upFrontInputs, '@noble/post-quantum') + has(core.upFrontInputs, 'src/crypto/pq.ts'))}; src/crypto/sm2.ts up front: ${kib(has(core.upFrontInputs, 'src/crypto/sm2.ts'))} — the engine loads them with a dynamic import the first time an ML-DSA, ML-KEM or SM2 key is used.`,
    `zod up front: ${kib(has(core.upFrontInputs, 'zod'))} (snapshot and change-record schemas; \`zod/mini\`, the functional build, with its English messages only).`,
    `The sandbox page is one file with every dialect and algorithm in it (no splitting: it works from any static host as three files); its largest parts are ${[...sandboxInputs].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${kib(v)}`).join(', ')}.`,
  ];
  return { rows, notes };
}

export const BUNDLE_SECTION_TITLE = 'Browser bundle size';

/** Replaces (or appends) this section of docs/performance.md, leaving the rest as it is. */
function writeSection(rows: BenchRow[], notes: string[]): string {
  const path = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
  const doc = readFileSync(path, 'utf8');
  const section = `## ${BUNDLE_SECTION_TITLE}\n\nPart of the same run (alone: \`npx tsx bench/bundle.ts\`; \`--write\` updates this section only, ${new Date().toISOString().slice(0, 10)}).\n\n${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
  const start = doc.indexOf(`\n## ${BUNDLE_SECTION_TITLE}\n`);
  let next = start < 0 ? -1 : doc.indexOf('\n## ', start + 1);
  if (start >= 0 && next < 0) next = doc.length;
  const updated = start < 0 ? `${doc.trimEnd()}\n\n${section}` : `${doc.slice(0, start + 1)}${section}${doc.slice(next).replace(/^\n*/, '\n')}`;
  writeFileSync(path, updated.trimEnd() + '\n');
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, notes } = await benchBundle();
  process.stdout.write(`${table(rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  if (process.argv.includes('--write')) process.stdout.write(`\nWrote ${writeSection(rows, notes)}\n`);
}
