/**
 * Partial deep matching of audit records against a pattern, and the ranking of the records closest
 * to a pattern that failed: the machinery under the matchers, free of any test framework.
 *
 * A pattern names only the fields it cares about, at any depth; a value may be an asymmetric matcher
 * (`expect.stringContaining('…')`). Where a record carries JSON as a string (CloudAudit's
 * `CloudAuditEvent`, a CTS trace's `request`) the pattern may give an object: the string is parsed.
 */

/** What a test framework hands a matcher as `this` (vitest and jest both provide these). */
export interface MatcherContextLike {
  isNot?: boolean;
  /** The framework's equality, which understands asymmetric matchers. */
  equals?: (a: unknown, b: unknown) => boolean;
  utils?: { printExpected(value: unknown): string; printReceived(value: unknown): string };
}

type Equals = (a: unknown, b: unknown) => boolean;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !isAsymmetric(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function isAsymmetric(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { asymmetricMatch?: unknown }).asymmetricMatch === 'function';
}

/** Without a framework: structural equality that honours asymmetric matchers. */
export function basicEquals(a: unknown, b: unknown): boolean {
  if (isAsymmetric(b)) return (b as { asymmetricMatch(x: unknown): boolean }).asymmetricMatch(a);
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => basicEquals(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && kb.every((k) => basicEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** A JSON string seen as what it holds, when the pattern describes an object there. */
function view(actual: unknown, pattern: unknown): unknown {
  if (typeof actual === 'string' && isPlainObject(pattern)) {
    try {
      return JSON.parse(actual) as unknown;
    } catch {
      return actual;
    }
  }
  return actual;
}

/** How many of the pattern's leaves the record matches, out of how many. */
export function score(actual: unknown, pattern: unknown, equals: Equals): { matched: number; total: number } {
  if (!isPlainObject(pattern)) return { matched: equals(actual, pattern) ? 1 : 0, total: 1 };
  const seen = view(actual, pattern);
  let matched = 0;
  let total = 0;
  for (const [key, sub] of Object.entries(pattern)) {
    const value = typeof seen === 'object' && seen !== null ? (seen as Record<string, unknown>)[key] : undefined;
    const s = score(value, sub, equals);
    matched += s.matched;
    total += s.total;
  }
  if (total === 0) return { matched: typeof seen === 'object' && seen !== null ? 1 : 0, total: 1 };
  return { matched, total };
}

export function matches(actual: unknown, pattern: unknown, equals: Equals): boolean {
  const s = score(actual, pattern, equals);
  return s.matched === s.total;
}

/** The record cut down to the pattern's fields: what a failure message shows of it. */
export function project(actual: unknown, pattern: unknown): unknown {
  if (!isPlainObject(pattern)) return actual;
  const seen = view(actual, pattern);
  if (typeof seen !== 'object' || seen === null) return seen;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(pattern)) out[key] = project((seen as Record<string, unknown>)[key], sub);
  return out;
}

export interface TrailDescription<T> {
  /** 'CloudTrail event', 'CloudAudit event', 'CTS trace' */
  noun: string;
  /** How one record is named in a list: its event name and time. */
  label(record: T): string;
}

/** Runs a "has N (or at least one) matching record" check and words its message. */
export function checkTrail<T>(
  ctx: MatcherContextLike,
  records: readonly T[],
  pattern: unknown,
  trail: TrailDescription<T>,
  times: number | undefined,
  matcherName: string,
): { pass: boolean; message: () => string } {
  if (!isPlainObject(pattern)) throw new TypeError(`${matcherName}: the expected ${trail.noun} must be an object of the fields to match, got ${describe(pattern)}`);
  if (times !== undefined && (!Number.isInteger(times) || times < 0)) throw new TypeError(`${matcherName}: the number of times must be a whole number, got ${describe(times)}`);
  const equals: Equals = ctx.equals ? (a, b) => ctx.equals!(a, b) : basicEquals;
  const ranked = records.map((record, index) => ({ record, index, ...score(record, pattern, equals) }));
  const matching = ranked.filter((r) => r.matched === r.total);
  const pass = times === undefined ? matching.length > 0 : matching.length === times;
  // One line per record, the same in every framework (their printers spread objects over lines).
  const printExpected = format;
  const printReceived = format;
  const message = () => {
    const not = ctx.isNot ? 'not ' : '';
    const count = times === undefined ? `a ${trail.noun}` : `${printExpected(times)} ${trail.noun}${times === 1 ? '' : 's'}`;
    const lines = [
      `Expected the emulator ${not}to have ${count} matching ${printExpected(pattern)}`,
      `It has ${printReceived(matching.length)} matching ${trail.noun}${matching.length === 1 ? '' : 's'} among ${records.length}`,
    ];
    // A failed "has" shows the closest records; a failed "has not" or a wrong count shows the matching ones first.
    const shown = [...ranked].sort((a, b) => b.matched - a.matched || b.index - a.index).slice(0, 5);
    if (shown.length > 0) {
      lines.push('', matching.length > 0 && (ctx.isNot || times !== undefined) ? `Matching and closest ${trail.noun}s:` : `Closest ${trail.noun}s:`);
      shown.forEach((r, i) => {
        const tag = r.matched === r.total ? 'matches' : `${r.matched}/${r.total} fields match`;
        lines.push(`  ${i + 1}. ${trail.label(r.record)} (${tag}): ${printReceived(project(r.record, pattern))}`);
      });
    }
    return lines.join('\n');
  };
  return { pass, message };
}

/** A value on one line: JSON-like, with `undefined` and asymmetric matchers shown as such. */
export function format(value: unknown, depth = 0): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? String(value);
  if (isAsymmetric(value)) {
    const m = value as { toAsymmetricMatcher?: () => string; toString(): string };
    return typeof m.toAsymmetricMatcher === 'function' ? m.toAsymmetricMatcher() : m.toString();
  }
  if (depth > 6) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return `[${value.map((v) => format(v, depth + 1)).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${format(v, depth + 1)}`).join(', ')}}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
