/** Shared by the crypto tests: vector loading, hex, scripted randomness, the openssl command. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '../../src/crypto/bytes.js';
import type { RandomSource } from '../../src/crypto/random.js';

export interface WycheproofTest {
  tcId: number;
  comment?: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}

export function wycheproof(name: string): { algorithm: string; numberOfTests: number; testGroups: WycheproofGroup[] } {
  return JSON.parse(readFileSync(new URL(`../vectors/wycheproof/${name}_test.json`, import.meta.url), 'utf8'));
}

export function gmVectors(): { vectors: Array<Record<string, unknown> & { id: string }> } {
  return JSON.parse(readFileSync(new URL('../vectors/gm/gm-standard-vectors.json', import.meta.url), 'utf8'));
}

export const hex = (s: unknown): Uint8Array => {
  const bytes = fromHex(String(s));
  if (!bytes) throw new Error(`not hex: ${String(s).slice(0, 40)}`);
  return bytes;
};

/** A RandomSource that hands out the given byte strings in order, then fails (a seeded source: `position` is set). */
export function scriptedRandom(...chunks: Uint8Array[]): RandomSource {
  let position = 0;
  return {
    get position() {
      return position;
    },
    fill(out: Uint8Array): Uint8Array {
      const next = chunks.shift();
      if (!next || next.length !== out.length) throw new Error(`scripted random: asked for ${out.length} bytes, have ${next?.length}`);
      out.set(next);
      position += out.length;
      return out;
    },
  };
}

/** Runs `openssl` with files written to a temporary directory; `files` names are relative to it. */
export function openssl(args: string[], files: Record<string, Uint8Array | string> = {}, read: string[] = []): { status: number; stdout: string; stderr: string; out: Record<string, Uint8Array> } {
  const dir = mkdtempSync(join(tmpdir(), 'kms-openssl-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    const out: Record<string, Uint8Array> = {};
    for (const name of read) {
      try {
        out[name] = new Uint8Array(readFileSync(join(dir, name)));
      } catch {
        // left out: the command did not write it
      }
    }
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const opensslAvailable = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
