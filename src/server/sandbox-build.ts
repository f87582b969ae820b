/**
 * Builds the browser sandbox (src/sandbox) into three static files — index.html, app.js, app.css —
 * that work from any static host (relative URLs, no network access at run time). Used by
 * `npm run build:sandbox` (writes dist/sandbox) and by the local endpoint, which builds in memory
 * when dist/sandbox is absent. esbuild is a development dependency: loaded only when building.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The package root: two levels up from src/server and from dist/server alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SANDBOX_SOURCE = join(PACKAGE_ROOT, 'src', 'sandbox');
export const SANDBOX_DIST = join(PACKAGE_ROOT, 'dist', 'sandbox');

/** The files a static host serves, by name. */
export type SandboxFiles = Map<string, Uint8Array>;

export interface SandboxBundle {
  files: SandboxFiles;
  /** esbuild's metafile of app.js (which modules went in, and how many bytes each). */
  metafile: unknown;
}

/** Raised when esbuild is not installed (a production install): nothing can be built. */
export class BuilderMissing extends Error {}

type Esbuild = typeof import('esbuild');

async function loadEsbuild(): Promise<Esbuild> {
  try {
    return await import('esbuild');
  } catch (e) {
    throw new BuilderMissing(`esbuild is not installed (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Bundles the sandbox in memory: minified ES module, a linked source map, minified CSS. */
export async function bundleSandbox(options: { sourcemap?: boolean } = {}): Promise<SandboxBundle> {
  const esbuild = await loadEsbuild();
  const sourcemap = options.sourcemap ?? true;
  const result = await esbuild.build({
    entryPoints: [join(SANDBOX_SOURCE, 'main.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(SANDBOX_DIST, 'app.js'),
    sourcemap: sourcemap ? 'linked' : false,
    sourcesContent: true,
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const files: SandboxFiles = new Map();
  for (const out of result.outputFiles) files.set(out.path.split(/[\\/]/).pop()!, out.contents);
  const css = await esbuild.transform(await readFile(join(SANDBOX_SOURCE, 'app.css'), 'utf8'), { loader: 'css', minify: true });
  files.set('app.css', new TextEncoder().encode(css.code));
  files.set('index.html', await readFile(join(SANDBOX_SOURCE, 'index.html')));
  return { files, metafile: result.metafile };
}

/** Writes the sandbox's static files into `outDir` (default dist/sandbox). */
export async function buildSandbox(outDir: string = SANDBOX_DIST, options: { sourcemap?: boolean } = {}): Promise<{ outDir: string; files: Array<{ name: string; bytes: number }> }> {
  const { files } = await bundleSandbox(options);
  await mkdir(outDir, { recursive: true });
  const written: Array<{ name: string; bytes: number }> = [];
  for (const [name, content] of files) {
    await writeFile(join(outDir, name), content);
    written.push({ name, bytes: content.byteLength });
  }
  return { outDir, files: written };
}
