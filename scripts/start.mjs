/**
 * npm start: the CLI from compiled JavaScript (dist/server/cli.bundle.js, or dist/server/cli.js
 * when esbuild was not there to bundle it), in this process. dist/ is compiled first only when
 * src/ changed since the last build (scripts/build-dist.mjs).
 *
 *   npm start -- --port 4600 --data-dir .kms
 */
import { existsSync } from 'node:fs';
import { build, isStale } from './build-dist.mjs';

if (isStale()) {
  const status = await build();
  if (status !== 0) process.exit(status);
}
// The CLI reads its arguments from process.argv.slice(2), as when run as `node dist/server/cli.js serve …`.
const bundle = new URL('../dist/server/cli.bundle.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/server/cli.js');
