/**
 * npm start: the CLI from compiled JavaScript (dist/server/cli.js), in this process. dist/ is
 * compiled first only when src/ changed since the last build (scripts/build-dist.mjs).
 *
 *   npm start -- --port 4600 --data-dir .kms
 */
import { build, isStale } from './build-dist.mjs';

if (isStale()) {
  const status = build();
  if (status !== 0) process.exit(status);
}
// The CLI reads its arguments from process.argv.slice(2), as when run as `node dist/server/cli.js serve …`.
await import('../dist/server/cli.js');
