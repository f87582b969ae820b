/**
 * The one bounded decoder every request passes through before a dialect looks at it, in process
 * (`send`, `call`, `invoke`) and over HTTP (`handle`). It accepts JSON values only (strings, finite
 * numbers, booleans, null, arrays, plain objects: no BigInt, functions, symbols, class instances or
 * cycles), enforces a maximum nesting depth, string length, array length, member count and total
 * size, and copies objects into null-prototype objects so that every member name, `__proto__`
 * included, is an ordinary key. Each dialect words a refusal in its provider's terms.
 *
 * The copy is recursive, but it never goes deeper than `maxDepth`, so no input can exhaust the stack.
 */

export interface InputLimits {
  /** Nesting depth of objects and arrays (the request body itself is depth 1). */
  readonly maxDepth: number;
  /** UTF-16 code units of one string (member names included). */
  readonly maxStringLength: number;
  /** Elements of one array. */
  readonly maxArrayLength: number;
  /** Members of one object. */
  readonly maxMembers: number;
  /** Values in the whole input (objects, arrays and scalars). */
  readonly maxValues: number;
}

/** The bounds of every provider's requests: far above any valid request, far below what hurts. */
export const INPUT_LIMITS: InputLimits = {
  maxDepth: 100,
  maxStringLength: 1 << 20,
  maxArrayLength: 10_000,
  maxMembers: 10_000,
  maxValues: 100_000,
};

/** Why an input was refused: not JSON text, a value JSON has not, or past a bound. */
export type InputProblem = 'syntax' | 'type' | 'depth' | 'size';

export class InputRejected extends Error {
  override readonly name = 'InputRejected';
  constructor(
    readonly problem: InputProblem,
    /** Where, as member names and indexes joined by '.', '' for the whole input. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export type JsonObject = { [key: string]: unknown };

/**
 * A bounded copy of `value` with null-prototype objects; `undefined` members are left out (as JSON
 * leaves them out). Throws InputRejected; nothing else, whatever `value` is (getters that throw,
 * proxies, revoked proxies).
 */
export function boundedCopy(value: unknown, limits: InputLimits = INPUT_LIMITS): unknown {
  // The body parseBoundedJson just produced is bounded already: an HTTP request is copied once.
  if (value === lastDecoded && value !== undefined && limits === INPUT_LIMITS) {
    lastDecoded = undefined;
    return value;
  }
  const state = { values: 0, path: [] as (string | number)[] };
  try {
    return copy(value, 1, limits, state);
  } catch (e) {
    if (e instanceof InputRejected) throw e;
    throw new InputRejected('type', state.path.join('.'), 'The input is not a JSON value.');
  }
}

/** Parses JSON text into a bounded, null-prototype value; throws InputRejected. */
export function parseBoundedJson(text: string, limits: InputLimits = INPUT_LIMITS): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputRejected('syntax', '', 'The input is not valid JSON.');
  }
  const value = boundedCopy(parsed, limits);
  if (typeof value === 'object' && value !== null && limits === INPUT_LIMITS) lastDecoded = value;
  return value;
}

/**
 * The object parseBoundedJson produced last with the default limits, until a dialect takes it (the
 * same request, synchronously after). One slot, not a set: a WeakSet entry per request cost as
 * much as the parse. A body that missed the slot is only copied again.
 */
let lastDecoded: object | undefined;

/**
 * A request's input as a dialect takes it: the bounded object (`body`), or `rejected` (not bounded
 * JSON), or neither (JSON, but not an object).
 */
export function requestObject(input: unknown): { body?: Record<string, unknown>; rejected?: InputRejected } {
  try {
    const copied = boundedCopy(input);
    return isPlainObject(copied) ? { body: copied } : {};
  } catch (e) {
    return { rejected: e as InputRejected };
  }
}

/** Whether `value` is an object that is neither an array nor a byte array (prototype not considered). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function copy(value: unknown, depth: number, limits: InputLimits, state: { values: number; path: (string | number)[] }): unknown {
  if (++state.values > limits.maxValues) throw rejected('size', state, `The input has more than ${limits.maxValues} values.`);
  switch (typeof value) {
    case 'string':
      if (value.length > limits.maxStringLength) throw rejected('size', state, `A string is longer than ${limits.maxStringLength} characters.`);
      return value;
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw rejected('type', state, 'A number is not finite.');
      return value;
    case 'object':
      break;
    default:
      throw rejected('type', state, `A ${typeof value} is not a JSON value.`);
  }
  if (value === null) return null;
  if (depth > limits.maxDepth) throw rejected('depth', state, `The input is nested deeper than ${limits.maxDepth} levels.`);
  if (Array.isArray(value)) {
    const length = value.length;
    if (length > limits.maxArrayLength) throw rejected('size', state, `An array has more than ${limits.maxArrayLength} elements.`);
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      state.path.push(i);
      const item = value[i];
      // JSON writes an absent element as null.
      out[i] = item === undefined ? null : copy(item, depth + 1, limits, state);
      state.path.pop();
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw rejected('type', state, 'An object is not a plain JSON object.');
  const names = Object.keys(value);
  if (names.length > limits.maxMembers) throw rejected('size', state, `An object has more than ${limits.maxMembers} members.`);
  const out: JsonObject = Object.create(null);
  for (const name of names) {
    if (name.length > limits.maxStringLength) throw rejected('size', state, `A member name is longer than ${limits.maxStringLength} characters.`);
    state.path.push(name);
    const member = (value as Record<string, unknown>)[name];
    if (member !== undefined) out[name] = copy(member, depth + 1, limits, state);
    state.path.pop();
  }
  return out;
}

function rejected(problem: InputProblem, state: { path: (string | number)[] }, message: string): InputRejected {
  return new InputRejected(problem, state.path.join('.'), message);
}

/**
 * Checks the `meta` argument of a public call: undefined or null (the defaults), or an object. A
 * programming mistake, so a TypeError, thrown before anything changes.
 */
export function checkMeta<T extends object>(meta: T | null | undefined, stringFields: readonly string[]): T {
  if (meta === undefined || meta === null) return {} as T;
  if (typeof meta !== 'object' || Array.isArray(meta)) throw new TypeError('meta must be an object');
  for (const field of stringFields) {
    const v = (meta as Record<string, unknown>)[field];
    if (v !== undefined && typeof v !== 'string') throw new TypeError(`meta.${field} must be a string`);
  }
  const principal = (meta as { principal?: unknown }).principal;
  if (principal !== undefined) {
    const p = principal as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || typeof p.account !== 'string' || typeof p.id !== 'string' || typeof p.type !== 'string') {
      throw new TypeError('meta.principal must be an object with string account, type and id');
    }
  }
  return meta;
}

/**
 * The headers of an in-process HTTP-shaped request, lower-cased: an object of strings (or string
 * arrays, joined as Node joins them). Anything else is a programming mistake (TypeError).
 */
export function lowerCaseHeaders(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = Object.create(null);
  eachHeader(headers, (name, text) => {
    out[name] = text;
  });
  return out;
}

/**
 * The headers named in `wanted` (lower-case names), in that order, with the checks of
 * lowerCaseHeaders on every header (the same TypeErrors): for a dialect that reads a few headers,
 * without an object of all of them per request. A name given in several cases takes the last one,
 * as lowerCaseHeaders does.
 */
export function pickHeaders(headers: unknown, wanted: readonly string[]): (string | undefined)[] {
  const picked = new Array<string | undefined>(wanted.length).fill(undefined);
  eachHeader(headers, (name, text) => {
    const i = wanted.indexOf(name);
    if (i >= 0) picked[i] = text;
  });
  return picked;
}

/** Each header of an in-process request with its lower-cased name and its text, checked (TypeError otherwise). */
function eachHeader(headers: unknown, visit: (name: string, text: string) => void): void {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw new TypeError('request.headers must be an object');
  const names = Object.keys(headers);
  if (names.length > 1000) throw new TypeError('request.headers has more than 1000 headers');
  for (const name of names) {
    const v = (headers as Record<string, unknown>)[name];
    if (v === undefined) continue;
    const text = Array.isArray(v) ? v.join(', ') : v;
    if (typeof text !== 'string') throw new TypeError(`request.headers['${name.slice(0, 64)}'] must be a string`);
    visit(name.toLowerCase(), text);
  }
}

/**
 * The body of an in-process HTTP-shaped request as text: a string, UTF-8 bytes, or nothing. Bytes
 * that are not UTF-8 are an InputRejected ('syntax'); a body of another type is a programming
 * mistake (TypeError).
 */
export function bodyText(body: unknown, decode: (bytes: Uint8Array) => string): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (!(body instanceof Uint8Array)) throw new TypeError('request.body must be a string or a Uint8Array');
  if (body.length === 0) return '';
  try {
    return decode(body);
  } catch {
    throw new InputRejected('syntax', '', 'The input is not valid UTF-8.');
  }
}
