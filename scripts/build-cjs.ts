/**
 * Part of `npm run build`: the CommonJS build that the package's `require` conditions point at, for
 * jest and other CJS set-ups. Node 20.19+ can require() our ESM, but jest's module system cannot, and
 * the @noble packages are ESM-only: so one self-contained bundle (dependencies included), and for
 * each entry point a one-line file that hands out its part of it. One bundle, not one per entry:
 * `require('kms-emulator')` and `require('kms-emulator/server')` share the same classes.
 *
 *   dist/cjs/bundle.cjs     everything, dependencies included
 *   dist/cjs/index.cjs      module.exports = require('./bundle.cjs').root
 *   dist/cjs/server.cjs     … .server, and so on for CJS_ENTRIES
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = join(ROOT, 'dist/cjs');

/** CJS file name → the source module it presents, and what its file runs once loaded. */
export const CJS_ENTRIES: Record<string, { module: string; onLoad?: string }> = {
  index: { module: './src/index.ts' },
  server: { module: './src/server/server.ts' },
  // Registering the matchers is the entry's side effect, not the bundle's: require('kms-emulator') registers nothing.
  jest: { module: './src/testing/jest.ts', onLoad: 'registerKmsMatchers()' },
};

const part = (name: string) => (name === 'index' ? 'root' : name);
const source = Object.entries(CJS_ENTRIES)
  .map(([name, entry]) => `export * as ${part(name)} from ${JSON.stringify(entry.module)};`)
  .join('\n');

const result = await build({
  stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'cjs-entries.ts' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: join(OUT, 'bundle.cjs'),
  // Only the sandbox page builder uses esbuild, on demand; it is not bundled into the package.
  external: ['esbuild'],
  // import.meta.url locates package.json and the sandbox sources: dist/cjs/ is as deep as dist/server/.
  define: { 'import.meta.url': '__kmsEmulatorModuleUrl' },
  banner: { js: "const __kmsEmulatorModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  metafile: true,
  logLevel: 'warning',
});

mkdirSync(OUT, { recursive: true });
for (const [name, entry] of Object.entries(CJS_ENTRIES)) {
  const lines = ["'use strict';", `module.exports = require('./bundle.cjs').${part(name)};`];
  if (entry.onLoad) lines.push(`module.exports.${entry.onLoad};`);
  writeFileSync(join(OUT, `${name}.cjs`), `${lines.join('\n')}\n`);
}
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('bundle.cjs'))!]!.bytes;
process.stdout.write(`dist/cjs/bundle.cjs  ${bytes.toLocaleString('en-US')} bytes; entries: ${Object.keys(CJS_ENTRIES).join(', ')}\n`);
