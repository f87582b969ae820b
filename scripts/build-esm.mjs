/**
 * Part of the build (scripts/build-dist.mjs): the ES module files that the package's `import`
 * conditions point at. One esbuild build with code splitting over every entry point in package.json
 * `exports` (its `import` targets are all in dist/esm/), zod and @noble bundled in:
 *
 *   - a few files to read and compile instead of about 165 modules to resolve: `import('kms-emulator')`
 *     costs less than half of what dist/index.js (tsc's output, one module per source) costs
 *     (bench/startup.ts measures both);
 *   - the code that two entries share is in shared chunks, so `kms-emulator`, `kms-emulator/server`
 *     and the test helpers hold one copy of the engine's classes (`instanceof KmsError` holds across
 *     them);
 *   - the modules loaded on first use (SM2, post-quantum, curves) stay chunks of their own.
 *
 * Each entry's source is its `types` target with dist/ → src/ and .d.ts → .ts. The files are flat in
 * dist/esm/ (no chunks/ folder): src/server reads package.json and the sandbox sources two levels up
 * from import.meta.url, whichever chunk its code ends up in. The types stay tsc's (dist/**\/*.d.ts).
 * The library's part must run in a browser: the build fails if a file the root entry loads (at
 * once or on first use) imports anything outside the bundle (a Node built-in, yaml). A bundler
 * building for the browser does not come here, though: the `browser` conditions of `exports` point
 * at tsc's modules, which it can leave out module by module (one dialect's factory, no others).
 */
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ESM_DIR = join(ROOT, 'dist', 'esm');
/** Bundled in; every other bare import (yaml, esbuild, vitest, node:*) stays an import of the user's install. */
const BUNDLED = /^(zod|@noble\/[^/]+)(\/|$)/;

/** The `import` targets of package.json `exports` under ./dist/esm/, each with its source file. */
export function esmEntries() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target !== 'object' || target === null || typeof target.import !== 'string') continue;
    const out = join(ROOT, target.import);
    if (dirname(out) !== ESM_DIR || !target.import.endsWith('.js')) throw new Error(`package.json exports["${subpath}"].import must be a file in ./dist/esm/ (it is ${target.import})`);
    if (typeof target.types !== 'string' || !target.types.startsWith('./dist/') || !target.types.endsWith('.d.ts')) throw new Error(`package.json exports["${subpath}"] needs its types in ./dist/ to name its source`);
    entries.push({ subpath, name: basename(out, '.js'), out, source: join(ROOT, 'src', target.types.slice('./dist/'.length, -'.d.ts'.length) + '.ts') });
  }
  return entries;
}

/** Builds dist/esm/ with the given esbuild module; throws on failure. */
export async function buildEsm(esbuild) {
  const entries = esmEntries();
  rmSync(ESM_DIR, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(entries.map((e) => [e.name, e.source])),
    outdir: ESM_DIR,
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    // The library runs in browsers as well as Node; src/server's node: imports stay imports.
    platform: 'neutral',
    mainFields: ['module', 'main'],
    target: 'es2022',
    // Whitespace and syntax only: the names stay (stack traces, and classes print as KmsError, not b);
    // renaming saved no measurable start-up time.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    // The maps point at src/, which the package ships.
    sourcemap: 'linked',
    sourcesContent: false,
    plugins: [
      {
        name: 'external-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'entry-point' || BUNDLED.test(args.path) ? undefined : { path: args.path, external: true }));
        },
      },
    ],
    metafile: true,
    logLevel: 'warning',
  });
  checkBrowserSafe(result.metafile, entries.find((e) => e.subpath === '.'));
  return result.metafile;
}

/** Throws if a file the root entry loads, at once or through a dynamic import, imports anything outside the bundle (a Node built-in, yaml, …). */
function checkBrowserSafe(metafile, root) {
  if (!root) return;
  const outputs = metafile.outputs;
  const key = (file) => relative(ROOT, file).split('\\').join('/');
  const seen = new Set();
  const queue = [key(root.out)];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const output = outputs[file];
    if (!output) throw new Error(`esbuild metafile has no output ${file}`);
    for (const imported of output.imports) {
      if (imported.external) {
        throw new Error(`${file} (loaded by the package root) imports ${imported.path}: the library must run in a browser, with nothing to resolve`);
      } else queue.push(imported.path);
    }
  }
}
