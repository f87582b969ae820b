/**
 * Everything outside src/server must run in a browser: no `node:` imports, no bare Node built-ins
 * ('fs', 'crypto', 'path', …), no `Buffer`, no `process`. The checker below lexes TypeScript well
 * enough to tell code from comments, strings, template text and regular expressions, so a word in
 * a comment or a message does not count and a use inside `${…}` does.
 */
import { readdirSync, readFileSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

export interface Violation {
  line: number;
  rule: 'node-import' | 'Buffer' | 'process';
  text: string;
}

type Token =
  | { type: 'ident'; value: string; line: number }
  | { type: 'string'; value: string; line: number }
  | { type: 'template'; line: number }
  | { type: 'regex'; line: number }
  | { type: 'number'; line: number }
  | { type: 'punct'; value: string; line: number };

/** After these keywords a `/` starts a regular expression, not a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const isIdentStart = (c: string) => /[A-Za-z_$\u0080-\uffff]/.test(c);
const isIdentPart = (c: string) => /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

/** Splits TypeScript source into tokens, dropping comments; template literal text is dropped, its `${…}` code kept. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  /** For each open `${`, the brace depth at which its `}` returns to template text. */
  const templateStack: number[] = [];
  let braceDepth = 0;

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === 'ident') return KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
    if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.value);
    return false;
  };

  /** Reads template text from i (just after ` or a closing `}`) up to the closing ` or the next `${`. */
  const readTemplateText = (): void => {
    while (i < source.length) {
      const c = source[i]!;
      if (c === '\\') {
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (c === '`') {
        i++;
        return;
      }
      if (c === '$' && source[i + 1] === '{') {
        i += 2;
        templateStack.push(braceDepth);
        braceDepth++;
        return;
      }
      i++;
    }
  };

  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      for (let j = i; j < stop; j++) if (source[j] === '\n') line++;
      i = stop;
    } else if (c === "'" || c === '"') {
      const start = line;
      let value = '';
      i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') {
        if (source[i] === '\\') {
          value += source[i + 1] ?? '';
          i += 2;
        } else {
          value += source[i];
          i++;
        }
      }
      i++;
      tokens.push({ type: 'string', value, line: start });
    } else if (c === '`') {
      tokens.push({ type: 'template', line });
      i++;
      readTemplateText();
    } else if (c === '/' && regexAllowed()) {
      tokens.push({ type: 'regex', line });
      i++;
      let inClass = false;
      while (i < source.length && source[i] !== '\n') {
        const r = source[i]!;
        if (r === '\\') i += 2;
        else {
          i++;
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
        }
      }
      while (i < source.length && isIdentPart(source[i]!)) i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < source.length && isIdentPart(source[i]!)) i++;
      tokens.push({ type: 'ident', value: source.slice(start, i), line });
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      while (i < source.length && /[0-9A-Za-z_.]/.test(source[i]!)) i++;
      tokens.push({ type: 'number', line });
    } else if (c === '?' && next === '.') {
      tokens.push({ type: 'punct', value: '.', line });
      i += 2;
    } else if (c === '.' && next === '.' && source[i + 2] === '.') {
      tokens.push({ type: 'punct', value: '...', line });
      i += 3;
    } else if (c === '{') {
      braceDepth++;
      tokens.push({ type: 'punct', value: c, line });
      i++;
    } else if (c === '}') {
      braceDepth--;
      i++;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
        templateStack.pop();
        tokens.push({ type: 'template', line });
        readTemplateText();
      } else {
        tokens.push({ type: 'punct', value: c, line });
      }
    } else {
      tokens.push({ type: 'punct', value: c, line });
      i++;
    }
  }
  return tokens;
}

const NODE_BUILTINS = new Set(builtinModules);
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
const FORBIDDEN_GLOBALS = new Set(['Buffer', 'process']);

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]!);
}

/** Every place `source` imports a Node module or uses `Buffer` or `process`. */
export function findViolations(source: string): Violation[] {
  const tokens = tokenize(source);
  const out: Violation[] = [];
  const at = (k: number): Token | undefined => tokens[k];
  const isIdent = (t: Token | undefined, value?: string): boolean => t?.type === 'ident' && (value === undefined || t.value === value);
  const isPunct = (t: Token | undefined, value: string): boolean => t?.type === 'punct' && t.value === value;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type === 'string') {
      const prev = at(k - 1);
      // import x from 'm' / export … from 'm' / import 'm' / import('m') / require('m') / import x = require('m')
      const isSpecifier =
        isIdent(prev, 'from') ||
        isIdent(prev, 'import') ||
        (isPunct(prev, '(') && (isIdent(at(k - 2), 'import') || isIdent(at(k - 2), 'require')));
      if (isSpecifier && isNodeBuiltin(t.value)) out.push({ line: t.line, rule: 'node-import', text: t.value });
      // globalThis['process']
      if (FORBIDDEN_GLOBALS.has(t.value) && isPunct(prev, '[') && GLOBAL_OBJECTS.has((at(k - 2) as { value?: string } | undefined)?.value ?? '')) {
        out.push({ line: t.line, rule: t.value as Violation['rule'], text: `[${t.value}]` });
      }
      continue;
    }
    if (t.type !== 'ident' || !FORBIDDEN_GLOBALS.has(t.value)) continue;
    const prev = at(k - 1);
    const rule = t.value as Violation['rule'];
    if (isPunct(prev, '.')) {
      // obj.process is someone's property; globalThis.process is the Node global.
      const owner = at(k - 2);
      if (owner?.type === 'ident' && GLOBAL_OBJECTS.has(owner.value)) out.push({ line: t.line, rule, text: `${owner.value}.${t.value}` });
      continue;
    }
    // A property name in an object literal or type: { process: 1 } / { Buffer?: x }. (A shorthand
    // `{ process }` or a ternary `a ? b : process` is a use.)
    const following = at(k + 1);
    const isKey = (isPunct(prev, '{') || isPunct(prev, ',') || isPunct(prev, ';')) && (isPunct(following, ':') || (isPunct(following, '?') && isPunct(at(k + 2), ':')));
    if (isKey) continue;
    out.push({ line: t.line, rule, text: t.value });
  }
  return out;
}

/** Every .ts file under `root`, except those under `root/server`. */
export function browserFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (relative(root, path) === 'server') continue;
        walk(path);
      } else if (entry.isFile() && entry.name.endsWith('.ts')) {
        files.push(path);
      }
    }
  };
  walk(root);
  return files.sort();
}

export function scan(root: string): Array<Violation & { file: string }> {
  return browserFiles(root).flatMap((file) => findViolations(readFileSync(file, 'utf8')).map((v) => ({ file: relative(root, file).split(sep).join('/'), ...v })));
}

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

describe('browser safety of src/ (outside src/server)', () => {
  it('no file imports Node modules or uses Buffer or process', () => {
    const files = browserFiles(SRC);
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.endsWith(join('engine', 'engine.ts')))).toBe(true);
    expect(scan(SRC)).toEqual([]);
    // The lexer stayed in step with every file: its braces balance outside strings and templates.
    for (const file of files) {
      const tokens = tokenize(readFileSync(file, 'utf8'));
      const count = (p: string) => tokens.filter((t) => t.type === 'punct' && t.value === p).length;
      expect(count('{'), file).toBe(count('}'));
    }
  });

  describe('the checker', () => {
    const rules = (source: string) => findViolations(source).map((v) => `${v.rule}:${v.text}`);

    it('flags Node imports in every form', () => {
      expect(rules(`import { readFileSync } from 'node:fs';`)).toEqual(['node-import:node:fs']);
      expect(rules(`import fs from "fs";`)).toEqual(['node-import:fs']);
      expect(rules(`import * as p from 'path'`)).toEqual(['node-import:path']);
      expect(rules(`import { randomBytes } from 'crypto';`)).toEqual(['node-import:crypto']);
      expect(rules(`import { readFile } from 'fs/promises';`)).toEqual(['node-import:fs/promises']);
      expect(rules(`import type { Stats } from 'node:fs';`)).toEqual(['node-import:node:fs']);
      expect(rules(`import 'node:process';`)).toEqual(['node-import:node:process']);
      expect(rules(`export { join } from 'node:path';`)).toEqual(['node-import:node:path']);
      expect(rules(`export * from 'os';`)).toEqual(['node-import:os']);
      expect(rules(`const m = await import('node:crypto');`)).toEqual(['node-import:node:crypto']);
      expect(rules(`const c = require('child_process');`)).toEqual(['node-import:child_process']);
      expect(rules(`import zlib = require('zlib');`)).toEqual(['node-import:zlib']);
    });

    it('flags Buffer and process used as code, including inside template expressions', () => {
      expect(rules(`const b = Buffer.from('x');`)).toEqual(['Buffer:Buffer']);
      expect(rules(`if (process.env.DEBUG) log();`)).toEqual(['process:process']);
      expect(rules(`const g = globalThis.process;`)).toEqual(['process:globalThis.process']);
      expect(rules(`const g = globalThis?.Buffer;`)).toEqual(['Buffer:globalThis.Buffer']);
      expect(rules(`const g = globalThis['process'];`)).toEqual(['process:[process]']);
      expect(rules('const s = `a ${Buffer.byteLength(x)} b`;')).toEqual(['Buffer:Buffer']);
      expect(rules('const s = `${`${process.pid}`}`;')).toEqual(['process:process']);
      expect(rules(`function f(b: Buffer): void {}`)).toEqual(['Buffer:Buffer']);
      expect(rules(`const o = { process };`)).toEqual(['process:process']);
      expect(rules(`const v = a ? process : b;`)).toEqual(['process:process']);
      expect(rules(`const x = 1;\n\nprocess.exit(1);`)).toEqual(['process:process']);
      expect(findViolations(`const x = 1;\n\nprocess.exit(1);`)[0]!.line).toBe(3);
    });

    it('ignores comments, strings, template text, regular expressions and property names', () => {
      const clean = [
        `// Buffer and process are Node globals; import 'node:fs' is not allowed`,
        `/* process.env, Buffer.from, require('fs') */`,
        `/**\n * Uses no Buffer.\n */`,
        `const msg = 'Buffer is not available'; const m2 = "process";`,
        'const t = `process ${x} Buffer`;',
        `const re = /process|Buffer/g; const r2 = /[/]process/;`,
        `const q = a / b / process2;`,
        `obj.process(); obj?.Buffer;`,
        `const o = { process: 1, Buffer: 2 }; type T = { process?: string; Buffer: number };`,
        `import { x } from './fs.js'; import { sha256 } from '@noble/hashes/sha2.js';`,
        `const n = processed + Buffered + BufferSource; const c = globalThis.crypto;`,
        `import { gcm } from '@noble/ciphers/aes.js'; const crypto = globalThis.crypto;`,
      ];
      for (const source of clean) expect(rules(source), source).toEqual([]);
    });

    it('scans a real directory tree, skipping its server folder', () => {
      const root = mkdtempSync(join(tmpdir(), 'browser-safety-'));
      try {
        mkdirSync(join(root, 'engine'));
        mkdirSync(join(root, 'server'));
        writeFileSync(join(root, 'engine', 'ok.ts'), `import { utf8 } from '../crypto/bytes.js';\nexport const a = utf8('Buffer');\n`);
        writeFileSync(join(root, 'engine', 'planted.ts'), `// planted\nimport { readFileSync } from 'node:fs';\nexport const b = Buffer.alloc(1);\n`);
        writeFileSync(join(root, 'server', 'http.ts'), `import { createServer } from 'node:http';\nprocess.exit(0);\n`);
        expect(scan(root)).toEqual([
          { file: 'engine/planted.ts', line: 2, rule: 'node-import', text: 'node:fs' },
          { file: 'engine/planted.ts', line: 3, rule: 'Buffer', text: 'Buffer' },
        ]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
