/**
 * `kms-emulator serve --init FILE`: the init document from a YAML or JSON file (JSON is YAML too),
 * with every refusal pointing at its line: `kms-init.yaml:12: keys[2].spec: …`.
 */
import { readFile } from 'node:fs/promises';
import type { Node } from 'yaml';
import { applyInit, type InitTarget } from '../init/apply.js';
import { type InitDocument, InitError } from '../init/schema.js';
import type { EngineSnapshot } from '../engine/snapshot.js';
import type { Kms } from '../index.js';

/** A refused init file: its name, the line (1-based; 0 when unknown) and the reason. */
export class InitFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${reason}`);
    this.name = 'InitFileError';
  }
}

export interface LoadedInit {
  readonly file: string;
  readonly document: unknown;
  /** The line of a path into the document (the nearest existing parent's, for a missing field). */
  lineOf(path: ReadonlyArray<string | number>): number;
}

/** Reads and parses an init file; a syntax error is refused with its line. */
export async function loadInitFile(file: string): Promise<LoadedInit> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InitFileError(file, 0, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const loaded = await import('yaml');
  // A bundle may hand out the CommonJS build, whose exports sit on `default`.
  const yaml = 'LineCounter' in loaded ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  return parseInitText(text, file, yaml);
}

/** Parses init-file text with the `yaml` module (loaded only when there is an init file: start-up does not pay for it). */
export function parseInitText(text: string, file: string, { isMap, isSeq, LineCounter, parseDocument }: typeof import('yaml')): LoadedInit {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0].line ?? lines.linePos(first.pos[0]).line;
    throw new InitFileError(file, line, first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  }
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InitFileError(file, 0, e instanceof Error ? e.message : String(e));
  }
  const lineOf = (path: ReadonlyArray<string | number>): number => {
    let node: unknown = doc.contents;
    let line = node && (node as Node).range ? lines.linePos((node as Node).range![0]).line : 0;
    for (const step of path) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === step);
        next = pair?.value ?? undefined;
        // A bad key itself (an unknown field): point at the key.
        if (pair && !next) next = pair.key;
      } else if (isSeq(node) && typeof step === 'number') next = node.items[step];
      if (!next || !(next as Node).range) break;
      node = next;
      line = lines.linePos((next as Node).range![0]).line;
    }
    return line;
  };
  return { file, document: document ?? {}, lineOf };
}

/** Applies a loaded init file; an InitError becomes an InitFileError with the line it points at. */
export async function applyInitFile(target: InitTarget, init: LoadedInit): Promise<void> {
  try {
    await applyInit(target, init.document);
  } catch (e) {
    if (e instanceof InitError) throw new InitFileError(init.file, init.lineOf(e.path), e.message);
    throw e;
  }
}

/** The states a reset returns to: empty, and (with an init document) the declared keys. */
export interface InitialStates {
  readonly empty: EngineSnapshot;
  readonly init: EngineSnapshot | undefined;
}

/**
 * Applies the init document (a file path or the document itself) to a fresh emulator, and keeps the
 * states before and after it for resets. Throws InitFileError (a path) or InitError (a document).
 */
export async function applyInitOption(kms: Kms, init: string | InitDocument | undefined): Promise<InitialStates> {
  const empty = kms.snapshot();
  if (init === undefined) return { empty, init: undefined };
  if (typeof init === 'string') await applyInitFile(kms, await loadInitFile(init));
  else await applyInit(kms, init);
  return { empty, init: kms.snapshot() };
}
