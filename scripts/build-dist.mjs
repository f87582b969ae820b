/**
 * Compiles src/ into dist/ (tsc -p tsconfig.build.json) when a source is newer than the last build:
 * what `npm start` and `npm test` run first in a clone of the repository (the published package
 * ships dist/, built by `prepack`). Plain JavaScript so that it runs before anything is compiled.
 *
 * Then the ES module files of the package's `import` conditions (scripts/build-esm.mjs: dist/esm/,
 * one esbuild build with code splitting over every entry in package.json `exports`, so that the
 * entries share one copy of the engine's classes; the types stay tsc's dist/**\/*.d.ts).
 *
 * Then bundles the CLI (dist/server/cli.js and everything it imports, @noble and zod included) into
 * dist/server/cli.bundle.js, with the modules loaded on first use (SM2, post-quantum, curves) as
 * chunks in dist/server/chunks/: one file to read and compile instead of about 170 modules to
 * resolve, which takes a third off the time from start to first answer. It stays in dist/server/
 * so that its paths to package.json and the sandbox (two levels up) hold. Last, the CommonJS build
 * of the `require` conditions (scripts/build-cjs.ts: dist/cjs/).
 *
 *   node scripts/build-dist.mjs           (builds only when stale)
 *   node scripts/build-dist.mjs --force
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEsm, esmEntries } from './build-esm.mjs';

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

/** The build scripts: a change to one of them changes dist/ too. */
const BUILD_SCRIPTS = ['scripts/build-dist.mjs', 'scripts/build-esm.mjs', 'scripts/build-cjs.ts'];

/** True when dist/ is older than src/ (or the compiler settings, the package manifest, the build scripts), or lacks an entry file of package.json `exports`. */
export function isStale() {
  const built = stampTime();
  if (built < 0) return true;
  if (esmEntries().some((entry) => !existsSync(entry.out))) return true;
  const sources = Math.max(newest(join(ROOT, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json', ...BUILD_SCRIPTS].map((f) => statSync(join(ROOT, f)).mtimeMs));
  return sources > built;
}

/** Runs the compiler; returns its exit status (the stamp is written only on success). */
export async function build() {
  const tsc = join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'tsc.cmd' : 'tsc');
  const started = performance.now();
  const result = spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json')], { stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (result.error) {
    process.stderr.write(`kms-emulator: cannot run the TypeScript compiler (${result.error.message}); run npm install first\n`);
    return 1;
  }
  if (result.status !== 0) return result.status ?? 1;
  const library = await bundleLibrary();
  if (library !== 0) return library;
  const bundled = await bundleCli();
  if (bundled !== 0) return bundled;
  const cjs = buildCommonJs();
  if (cjs !== 0) return cjs;
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  process.stderr.write(`kms-emulator: compiled src/ into dist/ in ${Math.round(performance.now() - started)} ms\n`);
  return 0;
}

/** The CommonJS build of the `require` conditions (scripts/build-cjs.ts, run through tsx, a development dependency). */
function buildCommonJs() {
  const script = join(ROOT, 'scripts', 'build-cjs.ts');
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) {
    process.stderr.write(`kms-emulator: cannot build the CommonJS bundle (${result.error.message})\n`);
    return 1;
  }
  return result.status ?? 1;
}

/** dist/esm/ (scripts/build-esm.mjs): what `import 'kms-emulator'` and the other entries load, so esbuild is required. */
async function bundleLibrary() {
  try {
    await buildEsm(await import('esbuild'));
  } catch (e) {
    process.stderr.write(`kms-emulator: bundling the ES module entries (dist/esm/) failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return 0;
}

/** The bundled CLI; esbuild is a development dependency, so an install without it keeps dist/server/cli.js alone. */
async function bundleCli() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('kms-emulator: esbuild is not installed: dist/server/cli.bundle.js not built (npm start uses dist/server/cli.js)\n');
    return 0;
  }
  rmSync(join(ROOT, 'dist', 'server', 'chunks'), { recursive: true, force: true });
  try {
    await esbuild.build({
      entryPoints: { 'cli.bundle': join(ROOT, 'dist', 'server', 'cli.js') },
      outdir: join(ROOT, 'dist', 'server'),
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      // Loaded only to build the sandbox page in memory, when dist/sandbox is absent.
      external: ['esbuild'],
      // CommonJS dependencies (yaml) require() Node's modules: an ES module has no require of its own.
      banner: { js: "import { createRequire as __kmsCreateRequire } from 'node:module'; const require = __kmsCreateRequire(import.meta.url);" },
      logLevel: 'warning',
    });
  } catch (e) {
    process.stderr.write(`kms-emulator: bundling the CLI failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  process.exitCode = force || isStale() ? await build() : 0;
}
