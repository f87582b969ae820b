/**
 * The cost of durable state (--data-dir):
 *   a. @aws-sdk/client-kms CreateKey (a mutation: one fdatasync per group commit) and Encrypt of
 *      32 bytes (a read: no write of its own) over HTTP (keep-alive agent) to startServer with a
 *      data directory, as a ratio to the same calls to startServer without one; sequential and
 *      with 16 requests in flight (group commit shares one write and fdatasync among them);
 *   b. start-up of a data directory of 100,000 keys: after a clean stop (snapshot only) and after
 *      kill -9 just before a compaction was due (snapshot plus the largest journal replay).
 *
 *   npx tsx bench/durability.ts              (prints a Markdown table)
 *   BENCH_QUICK=1 npx tsx bench/durability.ts
 *
 * bench/run.ts may import benchDurability() and add its rows to docs/performance.md.
 */
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { createKms } from '../src/index.js';
import { startServer } from '../src/server/server.js';
import { DurableStore, JOURNAL_FILE, SNAPSHOT_FILE } from '../src/server/store.js';
import { type BenchRow, compareAsync, fmt, median, mib, QUICK } from './support.js';

const ROUND_MS = QUICK ? 150 : 400;
const ROUNDS = QUICK ? 4 : 10;
const WARMUP_MS = QUICK ? 200 : 1000;
const IN_FLIGHT = 16;
const KEY_COUNT = QUICK ? 20_000 : 100_000;
const STARTUPS = QUICK ? 2 : 3;

const secs = (ms: number) => `${fmt(ms / 1000, 2)} s`;

function client(url: string): KMSClient {
  return new KMSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'kms-emulator-secret-access-key' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) },
  });
}

/** Durable (a) vs. in-memory (b) rates of the same call, rounds alternating, medians. */
const compare = (durable: () => Promise<unknown>, memory: () => Promise<unknown>, concurrency: number) =>
  compareAsync(durable, memory, { warmupMs: WARMUP_MS, roundMs: ROUND_MS, rounds: ROUNDS, concurrency });

async function httpCosts(rows: BenchRow[], notes: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-durable-'));
  const durable = await startServer({ port: 0, dataDir: dir });
  const memory = await startServer({ port: 0 });
  try {
    const cd = client(durable.url);
    const cm = client(memory.url);
    const plaintext = new Uint8Array(32).fill(7);
    const keyD = (await cd.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const keyM = (await cm.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (const [what, concurrency] of [
      ['1 in flight', 1],
      [`${IN_FLIGHT} in flight`, IN_FLIGHT],
    ] as const) {
      const create = await compare(
        () => cd.send(new CreateKeyCommand({})),
        () => cm.send(new CreateKeyCommand({})),
        concurrency,
      );
      rows.push({
        measure: `CreateKey over HTTP, ${what}, with --data-dir`,
        value: `${fmt(create.a)} calls/s`,
        baseline: `${fmt(create.b)} calls/s without --data-dir`,
        ratio: fmt(create.ratio, 2),
        goal: 'durable before the response; report',
      });
      const encrypt = await compare(
        () => cd.send(new EncryptCommand({ KeyId: keyD, Plaintext: plaintext })),
        () => cm.send(new EncryptCommand({ KeyId: keyM, Plaintext: plaintext })),
        concurrency,
      );
      rows.push({
        measure: `Encrypt (32 bytes) over HTTP, ${what}, with --data-dir`,
        value: `${fmt(encrypt.a)} calls/s`,
        baseline: `${fmt(encrypt.b)} calls/s without --data-dir`,
        ratio: fmt(encrypt.ratio, 2),
        goal: '≈ 1 (a read writes nothing of its own)',
      });
    }
    notes.push(
      `Data directory in ${tmpdir()}; a mutation's response waits for write + fdatasync of the journal, shared by concurrent requests (group commit); ` +
        'reads only append audit events, written within 200 ms or with the next mutation.',
    );
  } finally {
    await durable.close();
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A garbage collection when one is available: a measured open should not pay for the filler's garbage. */
function collect(): void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing();
  try {
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // not available: figures include some garbage collection
  }
}

/** KEY_COUNT keys (each with a tag and its CreateKey audit event) through the AWS dialect and the store; clean close. */
async function fill(dir: string): Promise<{ fillMs: number; closeMs: number }> {
  const kms = createKms();
  const store = await DurableStore.open(dir, kms.engine);
  let t = performance.now();
  const BATCH = 500;
  for (let i = 0; i < KEY_COUNT; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, KEY_COUNT - i) }, async (_, j) => {
        await kms.aws.send('CreateKey', { Description: `key ${i + j}`, Tags: [{ TagKey: 'n', TagValue: String(i + j) }] });
        await store.commit();
      }),
    );
  }
  const fillMs = performance.now() - t;
  t = performance.now();
  await store.close();
  return { fillMs, closeMs: performance.now() - t };
}

/** Mutations until the journal is just short of a compaction, then a copy of the directory as kill -9 leaves it. */
async function crashImage(dir: string, image: string, snapshotBytes: number): Promise<{ journalBytes: number; calls: number }> {
  const live = createKms();
  const writer = await DurableStore.open(dir, live.engine, { compactBytes: Number.MAX_SAFE_INTEGER });
  const threshold = Math.max(16 * 1024 * 1024, snapshotBytes / 8) * 0.95;
  const ids = live.snapshot().realms[0]!.keys.slice(0, 1000).map((k) => k.id);
  let n = 0;
  while (statSync(join(dir, JOURNAL_FILE)).size < threshold) {
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        const i = n++;
        if (i % 2) await live.aws.send('TagResource', { KeyId: ids[i % ids.length], Tags: [{ TagKey: 't', TagValue: String(i) }] });
        else await live.aws.send('CreateKey', { Description: `more ${i}` });
        await writer.commit();
      }),
    );
  }
  await writer.settled();
  cpSync(dir, image, { recursive: true });
  await writer.close();
  return { journalBytes: statSync(join(image, JOURNAL_FILE)).size, calls: n };
}

/** Median time of DurableStore.open on a fresh engine (each on a fresh copy of `source` when given). */
async function timeOpens(dir: string, source?: string): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < STARTUPS; r++) {
    if (source) {
      rmSync(dir, { recursive: true, force: true });
      cpSync(source, dir, { recursive: true });
    }
    collect();
    const fresh = createKms();
    const t = performance.now();
    const store = await DurableStore.open(dir, fresh.engine, { compactBytes: Number.MAX_SAFE_INTEGER });
    times.push(performance.now() - t);
    await store.close();
  }
  return median(times);
}

async function startup(rows: BenchRow[], notes: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-bench-startup-'));
  const image = `${dir}-image`;
  const crash = `${dir}-crash`;
  try {
    const { fillMs, closeMs } = await fill(dir);
    const snapshotBytes = statSync(join(dir, SNAPSHOT_FILE)).size;
    const clean = await timeOpens(dir);
    rows.push({
      measure: `Start-up with ${fmt(KEY_COUNT)} keys, after a clean stop (snapshot ${mib(snapshotBytes)})`,
      value: secs(clean),
      baseline: '—',
      ratio: '—',
      goal: '< 5 s',
    });
    // The worst case after kill -9: the journal as long as it gets before a compaction is due.
    const { journalBytes, calls } = await crashImage(dir, image, snapshotBytes);
    const crashed = await timeOpens(crash, image);
    rows.push({
      measure: `Start-up after kill -9: snapshot + ${mib(journalBytes)} journal (${fmt(calls)} calls) to replay`,
      value: secs(crashed),
      baseline: '—',
      ratio: '—',
      goal: '< 5 s',
    });
    notes.push(
      `Start-up: ${fmt(KEY_COUNT)} keys created in ${secs(fillMs)} (through the AWS dialect and the store, 500 commits in flight); ` +
        `the compaction at close took ${secs(closeMs)}; each figure is the median of ${STARTUPS} opens on a fresh engine. ` +
        'A snapshot keeps the last 10,000 audit events, and its checksum lets start-up skip the schema check of a snapshot the store wrote itself.',
    );
  } finally {
    for (const d of [dir, image, crash]) rmSync(d, { recursive: true, force: true });
  }
}

export async function benchDurability(): Promise<{ rows: BenchRow[]; notes: string[] }> {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  await httpCosts(rows, notes);
  await startup(rows, notes);
  return { rows, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows, notes } = await benchDurability();
  console.log('| Measure | Value | Baseline | Ratio | Goal |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.measure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.goal} |`);
  console.log();
  for (const n of notes) console.log(`- ${n}`);
}
