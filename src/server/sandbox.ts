/**
 * The browser sandbox on the local endpoint: `GET /` from a browser (a navigation) answers the
 * sandbox page, `GET /sandbox/<file>` its assets. Everything else is left to the providers'
 * protocols. The page itself never calls the endpoint: it runs the engine in the tab.
 *
 * Files come from dist/sandbox (`npm run build:sandbox`) when it is there; otherwise they are built
 * in memory with esbuild at the first request. Without either, a plain 404 says how to build them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { header, type Protocol, type ProtocolResponse, type RequestHead } from './router.js';
import { BuilderMissing, bundleSandbox, SANDBOX_DIST, type SandboxFiles } from './sandbox-build.js';

const CONTENT_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
};

/** Only the page's own files; `connect-src 'none'`: the page cannot call anything, this endpoint included. */
export const SANDBOX_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': SANDBOX_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

export interface SandboxOptions {
  /** Where built files are looked for first. Default dist/sandbox. */
  dir?: string;
  /** Builds the files when `dir` has none. Default: esbuild, in memory (once). */
  build?: () => Promise<SandboxFiles>;
}

/** A browser navigating to the page (not an SDK or curl probing `GET /`). */
function isNavigation(request: RequestHead): boolean {
  if (header(request, 'sec-fetch-mode') === 'navigate') return true;
  return (header(request, 'accept') ?? '').includes('text/html');
}

/** The asset a request names, or undefined when the request is not the sandbox's. */
function assetFor(request: RequestHead): { name: string; atRoot: boolean } | undefined {
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  if (request.path === '/') return isNavigation(request) ? { name: 'index.html', atRoot: true } : undefined;
  if (request.path === '/sandbox' || request.path === '/sandbox/') return { name: 'index.html', atRoot: false };
  if (request.path.startsWith('/sandbox/')) return { name: request.path.slice('/sandbox/'.length), atRoot: false };
  return undefined;
}

function plain(status: number, text: string, note: string): ProtocolResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }, body: text, action: 'sandbox', note };
}

export function sandboxProtocol(options: SandboxOptions = {}): Protocol {
  const dir = options.dir ?? SANDBOX_DIST;
  const build = options.build ?? (async () => (await bundleSandbox()).files);
  let built: Promise<SandboxFiles> | undefined;

  async function file(name: string): Promise<Uint8Array | undefined> {
    // A built copy on disk wins (and is read afresh, so a rebuild shows at the next reload).
    const onDisk = await readFile(join(dir, 'index.html')).then(
      () => true,
      () => false,
    );
    if (onDisk) return readFile(join(dir, name)).catch(() => undefined);
    built ??= build();
    try {
      return (await built).get(name);
    } catch (e) {
      built = undefined;
      throw e;
    }
  }

  return {
    name: 'sandbox',
    matches: (request) => assetFor(request) !== undefined,
    async handle(request) {
      const asset = assetFor(request)!;
      if (!Object.hasOwn(CONTENT_TYPES, asset.name)) return plain(404, 'Not found.\n', 'no such sandbox file');
      let content: Uint8Array | undefined;
      try {
        content = await file(asset.name);
      } catch (e) {
        if (e instanceof BuilderMissing) {
          return plain(404, 'The sandbox page is not built. Run `npm run build:sandbox` (it needs the development dependencies), then reload.\n', 'sandbox not built');
        }
        throw e;
      }
      if (!content) return plain(404, 'Not found.\n', 'no such sandbox file');
      let body: Uint8Array | string = content;
      // The page links its assets relatively (./app.js) for static hosts; served at / they live under /sandbox/.
      if (asset.name === 'index.html' && asset.atRoot) body = new TextDecoder().decode(content).replaceAll('"./app.', '"/sandbox/app.');
      return { status: 200, headers: { 'content-type': CONTENT_TYPES[asset.name]!, ...SECURITY_HEADERS }, body, action: 'sandbox' };
    },
    reject(_request, refusal) {
      return refusal === 'too-large' ? plain(413, 'Request body too large.\n', 'body too large') : plain(500, 'Internal error.\n', 'internal error');
    },
  };
}
