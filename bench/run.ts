/**
 * Performance figures of the emulator, measured in one run:
 *   a. engine Encrypt / Decrypt of 32 bytes vs. raw AES-256-GCM (@noble/ciphers) of 32 bytes,
 *      Encrypt round-robin over 2,000 keys (bench/engine-keys.ts), and AWS Encrypt with authorization
 *      enforced under a 10-statement key policy vs. off (bench/authorization-mode.ts);
 *   b. @aws-sdk/client-kms EncryptCommand through the emulator vs. the same client answered by a
 *      canned response (what the SDK itself costs);
 *   c. 100,000 keys: creation rate, heap, and the time of a ListKeys page as the key count grows.
 *
 * Prints a Markdown table and writes docs/performance.md. Reports, never asserts.
 *
 *   npm run bench            (= tsx bench/run.ts)
 *   BENCH_QUICK=1 npm run bench   (shorter rounds, for a smoke run)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, arch } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { gcm } from '@noble/ciphers/aes.js';
import { createKms, type CallContext } from '../src/index.js';
import { benchBundle, BUNDLE_SECTION_TITLE } from './bundle.js';
import { benchCrypto } from './crypto.js';
import { benchDurability } from './durability.js';
import { benchEndpoint } from './endpoint.js';
import { benchEncryptManyKeys } from './engine-keys.js';
import { benchAuthorization } from './authorization-mode.js';
import { benchServer } from './server.js';
import { benchStartup } from './startup.js';
import { type BenchRow, type Comparison, compareSync, nodeAesGcmEncrypt, fmt, IN_PROCESS_ROUNDS, log, median, mib, QUICK, timeMsAsync, verdict } from './support.js';

/** Length of one measuring round, and how many rounds (A and B interleaved, median reported). */
const { roundMs: ROUND_MS, rounds: ROUNDS, warmupMs: WARMUP_MS } = IN_PROCESS_ROUNDS;
const KEY_COUNT = QUICK ? 20_000 : 100_000;
const CHECKPOINTS = QUICK ? [1_000, 10_000, 20_000] : [1_000, 10_000, 50_000, 100_000];

// ------------------------------------------------------------------ helpers

function gcFunction(): { gc: (() => void) | undefined; how: string } {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return { gc: existing, how: '--expose-gc' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    if (typeof gc === 'function') return { gc, how: 'v8.setFlagsFromString("--expose-gc")' };
  } catch {
    // fall through
  }
  return { gc: undefined, how: 'unavailable (heap figures include garbage)' };
}
const { gc, how: gcHow } = gcFunction();

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function rateAsync(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 8; i++) await fn();
    ops += 8;
    elapsed = performance.now() - start;
  }
  return (ops * 1000) / elapsed;
}

async function compareAsync(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<Comparison> {
  await rateAsync(a, WARMUP_MS);
  await rateAsync(b, WARMUP_MS);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      ra.push(await rateAsync(a, ROUND_MS));
      rb.push(await rateAsync(b, ROUND_MS));
    } else {
      rb.push(await rateAsync(b, ROUND_MS));
      ra.push(await rateAsync(a, ROUND_MS));
    }
  }
  return { a: median(ra), b: median(rb), ratio: median(ra.map((x, i) => x / rb[i]!)) };
}

/** Warms both up, then measures them in alternating rounds (a b, b a, …), as every row of this file does. */
function compare(a: () => void, b: () => void): Comparison {
  return compareSync(a, b, IN_PROCESS_ROUNDS);
}

/** Median time of `fn` in milliseconds over `times` calls (after one warm-up call). */
async function timeMs(fn: () => Promise<void>, times: number): Promise<number> {
  await fn();
  return timeMsAsync(fn, times);
}

// ------------------------------------------------------------------ a. engine vs. raw AES-GCM

type Row = BenchRow;
const rows: Row[] = [];
const notes: string[] = [];

function benchEngine(): void {
  log('a. engine Encrypt/Decrypt vs. raw AES-256-GCM …');
  const kms = createKms();
  const ctx: CallContext = {
    realm: { account: '111122223333', region: 'us-east-1' },
    principal: { account: '111122223333', type: 'root', id: '111122223333' },
    requestId: 'bench',
  };
  const key = kms.engine.createKey(ctx, { spec: 'AES_256', usage: 'ENCRYPT_DECRYPT', origin: 'GENERATED' });
  const ref = { keyId: key.id };
  const plaintext = new Uint8Array(32).fill(7);
  const ciphertext = kms.engine.encrypt(ctx, ref, plaintext).ciphertext;
  if (kms.engine.decrypt(ctx, ciphertext).plaintext.length !== 32) throw new Error('round trip failed');

  const rawKey = crypto.getRandomValues(new Uint8Array(32));
  const rawNonce = crypto.getRandomValues(new Uint8Array(12));
  const rawSealed = gcm(rawKey, rawNonce).encrypt(plaintext);
  let sink = 0;
  const engineEncrypt = () => {
    sink += kms.engine.encrypt(ctx, ref, plaintext).ciphertext.length;
  };
  const rawEncrypt = () => {
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    sink += gcm(rawKey, nonce).encrypt(plaintext).length;
  };
  const engineDecrypt = () => {
    sink += kms.engine.decrypt(ctx, ciphertext).plaintext.length;
  };
  const rawDecrypt = () => {
    sink += gcm(rawKey, rawNonce).decrypt(rawSealed).length;
  };
  // The native bound: node:crypto (OpenSSL) AES-256-GCM, a fresh cipher and nonce each call.
  const nodeSeal = nodeAesGcmEncrypt(rawKey, plaintext);
  const nodeEncrypt = () => {
    sink += nodeSeal();
  };
  const enc = compare(engineEncrypt, rawEncrypt);
  const native = compare(engineEncrypt, nodeEncrypt);
  const dec = compare(engineDecrypt, rawDecrypt);
  if (sink === 0) throw new Error('nothing measured');
  rows.push({
    measure: 'Engine Encrypt, 32 bytes (ops/s)',
    value: fmt(enc.a),
    baseline: `${fmt(enc.b)} (raw gcm encrypt, fresh 12-byte nonce)`,
    ratio: fmt(enc.ratio, 2),
    goal: 'report (noble rebuilds its key schedule every call: too easy to beat)',
  });
  rows.push({
    measure: 'Engine Encrypt, 32 bytes, vs. node:crypto (ops/s)',
    value: fmt(native.a),
    baseline: `${fmt(native.b)} (node:crypto aes-256-gcm: createCipheriv, fresh 12-byte nonce, update, final, getAuthTag)`,
    ratio: fmt(native.ratio, 2),
    goal: verdict(native.ratio, 0.5),
  });
  rows.push({
    measure: 'Engine Decrypt, 32 bytes (ops/s)',
    value: fmt(dec.a),
    baseline: `${fmt(dec.b)} (raw gcm decrypt)`,
    ratio: fmt(dec.ratio, 2),
    goal: verdict(dec.ratio, 0.5),
  });
  if (kms.aws.internalErrors.count > 0) throw new Error('internal errors during the bench');
}

// ------------------------------------------------------------------ b. SDK through the emulator vs. canned

async function benchSdk(): Promise<void> {
  log('b. @aws-sdk/client-kms EncryptCommand: emulator vs. canned response …');
  const kms = createKms();
  const client = new KMSClient({ ...kms.aws.clientConfig() });
  const created = await kms.aws.invoke('CreateKey', {});
  if (!created.ok) throw new Error('CreateKey failed');
  const keyId = (created.output as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
  const plaintext = new Uint8Array(32).fill(7);

  // A valid Encrypt answer, recorded once from the emulator and replayed without it.
  const sample = await kms.aws.handle({
    headers: { 'x-amz-target': 'TrentService.Encrypt', 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ KeyId: keyId, Plaintext: btoa(String.fromCharCode(...plaintext)) }),
  });
  if (sample.statusCode !== 200) throw new Error('canned Encrypt response failed');
  const cannedBody = sample.body;
  const cannedHeaders = sample.headers;
  const canned = new KMSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'kms-emulator-secret-access-key' },
    requestHandler: {
      metadata: { handlerProtocol: 'http/1.1' },
      handle: async () => ({ response: { statusCode: 200, headers: { ...cannedHeaders }, body: cannedBody.slice() } }),
      updateHttpClientConfig: () => {},
      httpHandlerConfigs: () => ({}),
      destroy: () => {},
    } as never,
  });
  const command = () => new EncryptCommand({ KeyId: keyId, Plaintext: plaintext });
  const check = await canned.send(command());
  if (!check.CiphertextBlob || check.CiphertextBlob.length === 0) throw new Error('canned client returned no ciphertext');
  const r = await compareAsync(
    () => client.send(command()),
    () => canned.send(command()),
  );
  rows.push({
    measure: 'SDK EncryptCommand via emulator (ops/s)',
    value: fmt(r.a),
    baseline: `${fmt(r.b)} (same SDK, canned response)`,
    ratio: fmt(r.ratio, 2),
    goal: verdict(r.ratio, 0.9),
  });
  if (kms.aws.internalErrors.count > 0) throw new Error('internal errors during the bench');
}

// ------------------------------------------------------------------ c. many keys

async function benchKeys(): Promise<void> {
  log(`c. ${fmt(KEY_COUNT)} keys through kms.aws.invoke('CreateKey', {}) …`);
  // The audit log is bounded (100,000 events by default), so it is part of the heap figure.
  const before = heapUsed();
  const kms = createKms();
  const pageTimes: Array<{ keys: number; start: number; middle: number; middleAt: number; last: number; lastAt: number }> = [];
  let created = 0;
  let createMs = 0;
  /** Pages through every key (1000 a page); returns the marker that starts each page after the first. */
  const markers = async (): Promise<string[]> => {
    const all: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const out = await kms.aws.invoke('ListKeys', { Limit: 1000, ...(marker ? { Marker: marker } : {}) });
      if (!out.ok) throw new Error(`ListKeys failed: ${out.error.code}`);
      if (!out.output.NextMarker) return all;
      marker = out.output.NextMarker as string;
      all.push(marker);
    }
  };
  const page = (marker?: string) => async () => {
    const out = await kms.aws.invoke('ListKeys', { Limit: 1000, ...(marker ? { Marker: marker } : {}) });
    if (!out.ok || (out.output.Keys as unknown[]).length === 0) throw new Error('ListKeys page failed');
  };
  for (const target of CHECKPOINTS) {
    const t = performance.now();
    for (; created < target; created++) {
      const out = await kms.aws.invoke('CreateKey', {});
      if (!out.ok) throw new Error(`CreateKey failed: ${out.error.code}`);
    }
    createMs += performance.now() - t;
    const all = await markers();
    // markers[i] starts page i + 1, i.e. key (i + 1) * 1000.
    const mid = Math.floor(all.length / 2);
    gc?.();
    pageTimes.push({
      keys: target,
      start: await timeMs(page(), 25),
      middle: await timeMs(page(all.length > 0 ? all[mid] : undefined), 25),
      middleAt: all.length > 0 ? (mid + 1) * 1000 : 0,
      last: await timeMs(page(all.length > 0 ? all[all.length - 1] : undefined), 25),
      lastAt: all.length * 1000,
    });
  }
  const heap = heapUsed() - before;
  rows.push({
    measure: `CreateKey via kms.aws.invoke, ${fmt(KEY_COUNT)} keys (keys/s)`,
    value: fmt((created * 1000) / createMs),
    baseline: '—',
    ratio: '—',
    goal: 'report',
  });
  rows.push({
    measure: `Heap used with ${fmt(KEY_COUNT)} keys (+ their audit events)`,
    value: mib(heap),
    baseline: `${fmt(heap / KEY_COUNT)} bytes a key`,
    ratio: '—',
    goal: 'report',
  });
  for (const p of pageTimes) {
    rows.push({
      measure: `ListKeys page of 1000 at ${fmt(p.keys)} keys (ms)`,
      value: `${fmt(p.start, 2)} from the start`,
      baseline: `${fmt(p.middle, 2)} from a marker at key ${fmt(p.middleAt)}; ${fmt(p.last, 2)} from key ${fmt(p.lastAt)}`,
      ratio: '—',
      goal: 'flat',
    });
  }
  const first = pageTimes[0]!;
  const last = pageTimes[pageTimes.length - 1]!;
  notes.push(
    `ListKeys page time from ${fmt(first.keys)} to ${fmt(last.keys)} keys (${fmt(last.keys / first.keys)}× the keys): ` +
      `${fmt(first.start, 2)} → ${fmt(last.start, 2)} ms from the start, ${fmt(first.middle, 2)} → ${fmt(last.middle, 2)} ms from the middle, ` +
      `${fmt(first.last, 2)} → ${fmt(last.last, 2)} ms for the last page.`,
  );
  notes.push(`Heap measured with process.memoryUsage().heapUsed after gc; gc via ${gcHow}.`);
  if (kms.aws.internalErrors.count > 0) throw new Error('internal errors during the bench');
}

// ------------------------------------------------------------------ d. CreateKey for RSA keys vs. WebCrypto's own generation

async function benchRsaCreateKey(): Promise<void> {
  log('d. CreateKey RSA_2048/3072/4096 vs. crypto.subtle.generateKey …');
  const kms = createKms();
  // Instrumentation only: time each crypto.subtle.generateKey call made inside CreateKey, so the
  // emulator's own cost (export, key record, policy, audit event) is measured apart from the prime
  // search, whose time varies far more from key to key than that cost.
  const subtle = globalThis.crypto.subtle;
  const original = subtle.generateKey;
  let generating = 0;
  subtle.generateKey = async function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['generateKey']>) {
    const t = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      generating += performance.now() - t;
    }
  } as SubtleCrypto['generateKey'];
  const times: Record<string, number> = { RSA_2048: QUICK ? 5 : 25, RSA_3072: QUICK ? 3 : 9, RSA_4096: QUICK ? 2 : 7 };
  try {
    for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const) {
      const bits = Number(spec.slice(4));
      const total: number[] = [];
      const own: number[] = [];
      const raw: number[] = [];
      // Interleaved, one of each at a time: the machine's load affects both alike.
      for (let i = 0; i < times[spec]!; i++) {
        generating = 0;
        let t = performance.now();
        const out = await kms.aws.invoke('CreateKey', { KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
        const elapsed = performance.now() - t;
        if (!out.ok) throw new Error(`CreateKey ${spec} failed: ${out.error.code}`);
        total.push(elapsed);
        own.push(elapsed - generating);
        t = performance.now();
        await subtle.generateKey(
          { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
          true,
          ['sign', 'verify'],
        );
        raw.push(performance.now() - t);
      }
      const r = median(raw);
      rows.push({
        measure: `CreateKey ${spec} via kms.aws.invoke (ms, median of ${times[spec]})`,
        value: `${fmt(median(total), 1)} (of which ${fmt(median(own), 2)} beyond key generation)`,
        baseline: `${fmt(r, 1)} (crypto.subtle.generateKey alone)`,
        ratio: `${fmt((median(own) / r) * 100, 2)} % extra`,
        goal: 'no more than WebCrypto generation',
      });
    }
  } finally {
    subtle.generateKey = original;
  }
  if (kms.aws.internalErrors.count > 0) throw new Error('internal errors during the bench');
}

// ------------------------------------------------------------------ e–g. cryptography, endpoint, durability (bench/*.ts)

interface Section {
  title: string;
  command: string;
  rows: Row[];
  notes: string[];
}
const sections: Section[] = [];

async function benchSection(title: string, command: string, run: () => Promise<{ rows: Row[]; notes: string[] }>): Promise<void> {
  log(`${title} …`);
  const result = await run();
  sections.push({ title, command, ...result });
}

// ------------------------------------------------------------------ report

function table(list: Row[] = rows): string {
  const header = ['Measure', 'Emulator', 'Baseline', 'Ratio', 'Goal'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of list) lines.push(`| ${r.measure} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.goal} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  benchEngine();
  rows.push(benchEncryptManyKeys());
  rows.push(await benchAuthorization());
  await benchSdk();
  await benchKeys();
  await benchRsaCreateKey();
  await benchSection('Cryptography: every key spec', 'npx tsx bench/crypto.ts', benchCrypto);
  await benchSection('Start-up', 'npx tsx bench/startup.ts', benchStartup);
  await benchSection('The local endpoint', 'npx tsx bench/server.ts', benchServer);
  await benchSection('Endpoint throughput, load client in its own process', 'npx tsx bench/endpoint.ts', benchEndpoint);
  await benchSection('Durable state', 'npx tsx bench/durability.ts', benchDurability);
  await benchSection(BUNDLE_SECTION_TITLE, 'npx tsx bench/bundle.ts', benchBundle);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Performance

Measured by \`npm run bench\` (\`tsx bench/run.ts\`)${QUICK ? ' with BENCH_QUICK=1' : ''}; the figures below are from one run.

- Date: ${new Date().toISOString()}
- Node.js ${process.version} on ${platform()}/${arch()}, ${availableParallelism()} cores (${cpu})
- Method: warm-up ${WARMUP_MS} ms each, then ${ROUNDS} alternating rounds of ${ROUND_MS} ms of the
  emulator and its baseline. Ops/s are the median rounds; a ratio is the median of the ratios of
  back-to-back round pairs (robust to the machine slowing down for a while). The whole run took
  ${fmt(seconds, 0)} s.

${table()}

What the rows compare:

- **Engine Encrypt/Decrypt** call \`kms.engine.encrypt(ctx, { keyId }, plaintext)\` and
  \`kms.engine.decrypt(ctx, ciphertext)\` with a 32-byte plaintext: key look-up, key-state check, the
  ciphertext envelope (header, check bytes, encryption context as additional data) and AES-256-GCM.
  Encrypt is compared with node:crypto (OpenSSL) AES-256-GCM, the native bound: \`createCipheriv\`
  with a fresh random 12-byte nonce, \`update\`, \`final\`, \`getAuthTag\` per call. Goal: ratio ≥ 0.5.
  The \`@noble/ciphers\` row (\`gcm(key, nonce).encrypt(32 bytes)\`, which rebuilds its key schedule
  every call) is kept as a report; Decrypt is compared with noble's \`decrypt\` of a fixed ciphertext.
- **Encrypt over 2,000 keys in turn** is the same engine Encrypt, cycling round-robin over 2,000
  AES_256 keys (\`bench/engine-keys.ts\`), against the same node:crypto baseline: the engine keeps
  the expanded AES key and GHASH tables of recently used keys (256), so here no call finds its key
  there. Reported, no goal.
- **AWS Encrypt, authorization enforced** calls \`kms.aws.invoke('Encrypt', …)\` (the whole dialect
  pipeline, no SDK) as a key user named in a 10-statement key policy (\`bench/authorization-mode.ts\`:
  the account statement, administrators, two denies, conditions on kms:ViaService,
  kms:EncryptionContext:*, aws:PrincipalTag/*), against the same call with authorization off: the
  policy is parsed once and kept; each call builds its condition keys and evaluates. Goal: ≥ 0.7.
- **SDK EncryptCommand** sends \`EncryptCommand\` through \`@aws-sdk/client-kms\` with
  \`kms.aws.clientConfig()\` (in-process request handler); the baseline is the same client whose
  request handler returns a recorded, valid Encrypt response without any emulator: what the SDK
  itself costs (middleware, signing, serialization). Goal: ratio ≥ 0.9.
- **Keys**: ${fmt(KEY_COUNT)} symmetric keys created through \`kms.aws.invoke('CreateKey', {})\` (each
  with its default key policy and an audit event). At each size a ListKeys page (Limit 1000) is
  timed (median of 25) from the start of the list, from a marker in the middle and from the last
  page: it stays flat because keys are held in an ordered index and a marker names a position, not
  an offset. What varies is memory locality (recently created keys are still in the CPU caches).
- **CreateKey RSA** creates RSA signing keys through \`kms.aws.invoke('CreateKey', { KeySpec, KeyUsage:
  'SIGN_VERIFY' })\` (unseeded: key generation by WebCrypto, then PKCS#8 export, key record, default
  policy, audit event), interleaved one for one with \`crypto.subtle.generateKey\` of the same size.
  The prime search inside a generation takes a different time for every key (medians of a few
  keys move by tens of percent between runs), so the bench also times the \`generateKey\` call made
  inside each CreateKey (a timing wrapper, bench only) and reports what CreateKey costs beyond it,
  as a percentage of a plain \`generateKey\`.
- The SDK ratio moves by about ±0.05 from run to run on this shared 2-core machine (0.80–0.87 in
  the runs after the changes below); the engine ratios are far from their goal either way.

${notes.map((n) => `- ${n}`).join('\n')}

## What the first measurement changed

The first run of this bench (2026-11-23, same machine, before the changes below) measured:
engine Encrypt 26,606 ops/s (ratio 0.69), Decrypt 29,387 ops/s (0.61), SDK EncryptCommand ratio
0.75 (goal missed), CreateKey 15,804 keys/s, 634.9 MiB for 100,000 keys (6,658 bytes a key), and
a ListKeys page from the start growing from 0.22 ms at 1,000 keys to 1.25 ms at 100,000. Profiling
(\`node --cpu-prof\`, heap measurements) led to these changes in \`src/\`:

- **AES-GCM** (\`crypto/aes-gcm.ts\`): the expanded AES key and the GHASH tables of recently used
  keys are kept (in the engine's CryptoCaches, least recently used out, at least 2,048 keys) instead
  of being rebuilt by \`gcm(key, nonce)\` on every call, and
  blocks go to noble's AES and GHASH cores as 32-bit words (no typed-array views or copies per
  call). Checked against node:crypto, \`gcm\` itself, NIST and Wycheproof vectors.
- **Envelope headers** (\`crypto/envelope.ts\`): encoded headers are kept by their fields and parsed
  headers by their bytes (at least 4,096 of each, least recently used out), so Encrypt and Decrypt
  skip the UTF-8, hex and SHA-256 work for a key and material they have seen.
- **Caches per engine** (\`crypto/caches.ts\`, \`crypto/lru.ts\`): those caches and the parsed-key caches
  are grouped in a CryptoCaches that an engine holds for itself (a call given none uses one shared
  default), each a two-generation cache that drops the least recently used entries and is never
  emptied wholesale; they used to be shared and emptied when full (256 AES states, 1,024 headers), so
  beyond that many keys every call rebuilt them. Seal + parse + open of a 64-byte envelope, old and new
  code alternating in one process on a loaded 2-core machine: 1 key 0.85–1.26 × (noise), 2,000 keys
  round-robin 2.2–2.7 × (AES-256-GCM 4,300–7,300 → 11,700–16,300 /s; SM4-GCM 4,600–5,700 →
  11,000–14,400 /s).
- **Flat id strings** (\`crypto/bytes.ts\` \`toHex\`, \`crypto/random.ts\` \`randomUuid\`): built as bytes and
  decoded once; appending two characters at a time left a tree of string pieces (≈ 370 bytes a
  UUID instead of ≈ 60), and every audit event keeps two UUIDs.
- **Shared values** (\`dialects/aws/dialect.ts\`): the realm, the default principal and the user agent
  of a call are shared objects/strings instead of a copy in every audit event; the default key
  policy text is one string per account (\`dialects/aws/metadata.ts\`).
- **Validation** (\`dialects/aws/validate.ts\`): no closures per decoded value, and a value is rendered
  for a message only when it fails a constraint.
- **Ordered index** (\`engine/ordered.ts\`): one slot object per key serves both the id map and the
  order, so a page reads values without a map look-up per item (fewer cache misses at 100,000 keys).
`;
  const sectionText = sections
    .map((sec) => `\n## ${sec.title}\n\nPart of the same run (alone: \`${sec.command}\`).\n\n${table(sec.rows)}\n${sec.notes.length ? `\n${sec.notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`)
    .join('');
  const out = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
  // What the profiles say about goals not met: hand-written, read when the figures are written.
  const analysis = readFileSync(new URL('./analysis.md', import.meta.url), 'utf8');
  writeFileSync(out, `${doc}${sectionText}\n${analysis}`);
  process.stdout.write(`${table()}\n\n${notes.join('\n')}\n\nWrote ${out} (${fmt(seconds, 0)} s).\n`);
}

await main();
// Keep-alive sockets of the SDK clients and fetch may hold the event loop open after the run.
process.exit(0);
