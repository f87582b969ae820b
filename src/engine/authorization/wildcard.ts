// Wildcard matching for the IAM policy language: `*` any run, `?` one character. Patterns are
// compiled once when a policy is parsed; matching allocates nothing.

/** Stand-ins for a literal `*` / `?` (from `${*}`, `${?}` or a substituted variable value). */
export const LITERAL_STAR = '\uE000';
export const LITERAL_QUESTION = '\uE001';

export interface Glob {
  readonly pattern: string;
  /** No wildcard: plain equality. */
  readonly literal: boolean;
  readonly foldCase: boolean;
}

export function compileGlob(pattern: string, foldCase: boolean): Glob {
  const literal = !/[*?\uE000\uE001]/.test(pattern);
  return { pattern: foldCase && literal ? pattern.toLowerCase() : pattern, literal, foldCase };
}

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function sameChar(p: number, t: number, foldCase: boolean): boolean {
  if (p === t) return true;
  if (p === 0xe000) return t === 42;
  if (p === 0xe001) return t === 63;
  if (!foldCase) return false;
  if (p < 128 && t < 128) return fold(p) === fold(t);
  return String.fromCharCode(p).toLowerCase() === String.fromCharCode(t).toLowerCase();
}

/** Case-insensitive equality of two strings without allocating for ASCII text. */
export function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!sameChar(a.charCodeAt(i), b.charCodeAt(i), true)) return false;
  }
  return true;
}

/** Matches `text[start, end)` against `pattern[patternStart, patternEnd)`. */
export function matchWildcard(
  pattern: string,
  text: string,
  foldCase: boolean,
  start = 0,
  end = text.length,
  patternStart = 0,
  patternEnd = pattern.length,
): boolean {
  let p = patternStart;
  let t = start;
  let starP = -1;
  let starT = 0;
  const pl = patternEnd;
  while (t < end) {
    if (p < pl) {
      const pc = pattern.charCodeAt(p);
      if (pc === 42) {
        starP = p++;
        starT = t;
        continue;
      }
      if (pc === 63 || sameChar(pc, text.charCodeAt(t), foldCase)) {
        p++;
        t++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (p < pl && pattern.charCodeAt(p) === 42) p++;
  return p === pl;
}

export function matchGlob(glob: Glob, text: string): boolean {
  if (glob.literal) {
    if (!glob.foldCase) return glob.pattern === text;
    return equalsIgnoreCase(glob.pattern, text);
  }
  return matchWildcard(glob.pattern, text, glob.foldCase);
}

/** Exact comparison of a policy value (which may hold literal stand-ins) with request text. */
export function equalsText(policyValue: string, text: string, foldCase: boolean): boolean {
  if (policyValue.length !== text.length) return false;
  if (!foldCase && policyValue === text) return true;
  for (let i = 0; i < text.length; i++) {
    if (!sameChar(policyValue.charCodeAt(i), text.charCodeAt(i), foldCase)) return false;
  }
  return true;
}
