/**
 * npm run build:sandbox — writes the browser sandbox as static files (index.html, app.js, app.css,
 * app.js.map) into dist/sandbox, or into the directory given as the first argument. Any static host
 * serves them; the page runs the emulator in the tab and calls nothing.
 */
import { relative } from 'node:path';
import { buildSandbox } from '../src/server/sandbox-build.js';

const result = await buildSandbox(process.argv[2]);
for (const f of result.files) process.stdout.write(`${relative(process.cwd(), result.outDir)}/${f.name}  ${f.bytes.toLocaleString('en-US')} bytes\n`);
