/**
 * Compiles src/ into dist/ (tsc -p tsconfig.build.json) when a source is newer than the last build:
 * what `npm start` and `npm test` run first in a clone of the repository (the published package
 * ships dist/, built by `prepack`). Plain JavaScript so that it runs before anything is compiled.
 *
 *   node scripts/build-dist.mjs           (builds only when stale)
 *   node scripts/build-dist.mjs --force
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Written after each successful build: its time is the build's. */
const STAMP = join(ROOT, 'dist', '.build-stamp');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function stampTime() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return -1;
  }
}

/** True when dist/ is older than src/ (or the compiler settings, or the package manifest). */
export function isStale() {
  const built = stampTime();
  if (built < 0) return true;
  const sources = Math.max(newest(join(ROOT, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => statSync(join(ROOT, f)).mtimeMs));
  return sources > built;
}

/** Runs the compiler; returns its exit status (the stamp is written only on success). */
export function build() {
  const tsc = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc');
  const started = performance.now();
  const result = spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json')], { stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (result.error) {
    process.stderr.write(`kms-emulator: cannot run the TypeScript compiler (${result.error.message}); run npm install first\n`);
    return 1;
  }
  if (result.status !== 0) return result.status ?? 1;
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.stderr.write(`kms-emulator: compiled src/ into dist/ in ${Math.round(performance.now() - started)} ms\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  process.exitCode = force || isStale() ? build() : 0;
}
