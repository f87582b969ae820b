/**
 * Hostile input over HTTP, all three protocols, against the real server (the CLI as a child
 * process with --data-dir; with --credentials on every other segment, so that signed requests
 * can be altered after signing).
 *
 * Requests (fast-check, seeded): valid ones that make state (keys, ciphertexts, data keys, aliases,
 * grants with constraints, tags), a quarter to any operation the dialects implement (and to
 * prototype-named ones), a few to the control API, some sent chunked; and hostile ones: members
 * nested thousands deep, thousands wide, strings near the 1 MiB body limit, prototype-named members and map keys (`__proto__`,
 * `constructor`, … in EncryptionContext / encryption_context / grant constraints / tags), odd types
 * (-0, 1e308, 1E400, nulls, nested arrays), bad or non-canonical base64 and hex, invalid UTF-8, BOMs,
 * duplicate keys, truncated JSON; signed requests with a flipped body bit, a swapped body, a
 * dropped header, an X-Sdk-Content-Sha256 of the signed body before a swap, odd X-TC-Region
 * values, a shifted date.
 *
 * Properties:
 *   - every answer is a success or the provider's own error shape (AWS `__type` with 400, Tencent
 *     HTTP 200 with Response.Error.Code, Huawei {"error":{"error_code"}} with its documented status,
 *     or APIG.0301 with 401), never an internal error, and the server log shows none;
 *   - a signed request altered after signing, a ciphertext whose bytes changed (a Huawei frame even
 *     with its SHA-256 recomputed) and a request in a region that does not exist are refused;
 *   - a refused mutating request changes nothing (probed before and after, alone on the server);
 *   - prototype-named map keys are kept: a ciphertext made with {"__proto__":"v1"} decrypts with
 *     that context only, grant constraints and tags list them as given;
 *   - after every segment (and so after every burst of deep/huge members): kill -9 (every fourth
 *     time with requests in flight) and a restart on the same directory, which must open; every acknowledged key, alias, tag and grant is there and
 *     every acknowledged ciphertext decrypts with its context.
 *
 * Short by default (npm test). Longer: FUZZ_RUNS=<requests> [FUZZ_SEED=<n>] [FUZZ_MAX_SECONDS=<s>]
 * [FUZZ_SEGMENT=<requests between restarts, 200>] [FUZZ_CONCURRENCY=<8>] [FUZZ_PROBE_EVERY=<n, 1>]
 * [FUZZ_REPORT=<file.json>] [FUZZ_CLI=bundle: the bundled CLI, faster restarts] npm run fuzz
 * (npm run fuzz gives FUZZ_RUNS to the other fuzz files too; for this file alone:
 * FUZZ_RUNS=… npx vitest run --pool=forks test/fuzz/hostile-http.fuzz.test.ts)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostileFuzzer } from './hostile/fuzzer.js';

const envInt = (name: string) => {
  const n = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : undefined;
};
const REQUESTS = envInt('FUZZ_RUNS') ?? 600;
const SEED = Number.isFinite(Number.parseInt(process.env.FUZZ_SEED ?? '', 10)) ? Number.parseInt(process.env.FUZZ_SEED!, 10) : 0x686f7374;
const MAX_MS = (envInt('FUZZ_MAX_SECONDS') ?? 3600) * 1000;
const SEGMENT = envInt('FUZZ_SEGMENT') ?? 200;
const CONCURRENCY = envInt('FUZZ_CONCURRENCY') ?? 8;
const PROBE_EVERY = envInt('FUZZ_PROBE_EVERY') ?? 1;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('hostile input over HTTP (AWS, Tencent, Huawei) with kill -9 restarts', () => {
  it(
    `${REQUESTS} requests (or FUZZ_MAX_SECONDS): provider error shapes only, nothing lost, nothing widened, every restart opens`,
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'kms-hostile-'));
      dirs.push(root);
      const fuzzer = new HostileFuzzer({ dataDir: join(root, 'data'), seed: SEED, requests: REQUESTS, segment: SEGMENT, concurrency: CONCURRENCY, probeEvery: PROBE_EVERY, maxMs: MAX_MS });
      const report = await fuzzer.run();
      const summary = { seed: SEED, ...report, findings: report.findings.length };
      console.log(JSON.stringify(summary, null, 2));
      if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ seed: SEED, ...report }, null, 2));
      expect(report.findings).toEqual([]);
      expect(report.logAlarms).toEqual([]);
      expect(report.refusedRestarts).toBe(0);
      // The run reached every kind of state it checks.
      expect(report.restarts).toBeGreaterThanOrEqual(Math.min(2, Math.ceil(REQUESTS / SEGMENT)));
      expect(report.keys.aws + report.keys.tencent + report.keys.huawei).toBeGreaterThan(3);
      expect(report.ciphertextsChecked).toBeGreaterThan(0);
    },
    Math.max(120_000, REQUESTS * 200 + 60_000),
  );
});
