/**
 * What every bench shares: the row shape of docs/performance.md, formatting, and measuring
 * (warm-up, then alternating rounds; medians of ops/s and of the per-pair ratios).
 */
import { createCipheriv, randomFillSync } from 'node:crypto';

export interface BenchRow {
  measure: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
}

/** A section's rows as a Markdown table (the columns of docs/performance.md). */
export function table(rows: BenchRow[]): string {
  const header = ['Measure', 'Emulator', 'Baseline', 'Ratio', 'Goal'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.measure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.goal} |`);
  return lines.join('\n');
}

export const QUICK = process.env.BENCH_QUICK === '1';

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;
export const verdict = (ratio: number, goal: number) => (ratio >= goal ? `≥ ${goal} ✔` : `< ${goal} ✘`);

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Ops/s of `fn` with `concurrency` callers looping for about `ms`. */
export async function rateAsync(fn: () => unknown, ms: number, concurrency = 1): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const deadline = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await fn();
        ops++;
      }
    }),
  );
  return (ops * 1000) / (performance.now() - start);
}

/** Rounds of the in-process rows of bench/run.ts (engine, SDK) and bench/engine-keys.ts. */
export const IN_PROCESS_ROUNDS = { warmupMs: QUICK ? 200 : 1000, roundMs: QUICK ? 150 : 400, rounds: QUICK ? 4 : 12 };

/** Calls a synchronous `fn` for about `ms` milliseconds, in growing batches; returns operations per second. */
export function rateSync(fn: () => void, ms: number): number {
  let ops = 0;
  let batch = 16;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (ops * 1000) / elapsed;
}

export interface Comparison {
  a: number;
  b: number;
  /** Median of the ratios a/b of back-to-back round pairs. */
  ratio: number;
}

/** Warms both up, then measures them in alternating rounds (a b, b a, …). */
export async function compareAsync(
  a: () => unknown,
  b: () => unknown,
  options: { warmupMs: number; roundMs: number; rounds: number; concurrency?: number },
): Promise<Comparison> {
  const { warmupMs, roundMs, rounds, concurrency = 1 } = options;
  await rateAsync(a, warmupMs, concurrency);
  await rateAsync(b, warmupMs, concurrency);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ra.push(await rateAsync(a, roundMs, concurrency));
      rb.push(await rateAsync(b, roundMs, concurrency));
    } else {
      rb.push(await rateAsync(b, roundMs, concurrency));
      ra.push(await rateAsync(a, roundMs, concurrency));
    }
  }
  return { a: median(ra), b: median(rb), ratio: median(ra.map((x, i) => x / rb[i]!)) };
}

/** compareAsync for synchronous functions, timed by rateSync (no await between calls). */
export function compareSync(a: () => void, b: () => void, options: { warmupMs: number; roundMs: number; rounds: number }): Comparison {
  const { warmupMs, roundMs, rounds } = options;
  rateSync(a, warmupMs);
  rateSync(b, warmupMs);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ra.push(rateSync(a, roundMs));
      rb.push(rateSync(b, roundMs));
    } else {
      rb.push(rateSync(b, roundMs));
      ra.push(rateSync(a, roundMs));
    }
  }
  return { a: median(ra), b: median(rb), ratio: median(ra.map((x, i) => x / rb[i]!)) };
}

/** Median wall time of `times` sequential runs of `fn` (ms). */
export async function timeMsAsync(fn: () => Promise<unknown>, times: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

/**
 * The native bound for AES-256-GCM encryption: node:crypto (OpenSSL) with a fresh cipher and
 * 12-byte nonce each call (createCipheriv, update, final, getAuthTag). Returns the bytes produced.
 */
export function nodeAesGcmEncrypt(key: Uint8Array, plaintext: Uint8Array): () => number {
  const nodeKey = Buffer.from(key);
  return () => {
    const nonce = randomFillSync(Buffer.alloc(12));
    const cipher = createCipheriv('aes-256-gcm', nodeKey, nonce);
    const sealed = cipher.update(plaintext);
    cipher.final();
    return sealed.length + cipher.getAuthTag().length;
  };
}
