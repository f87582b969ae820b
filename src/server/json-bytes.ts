/**
 * JSON from bytes, in pieces: a document larger than one JavaScript string can hold (about 512 MiB
 * of text in V8) is still read back. A value whose text is at most `pieceBytes` long is parsed with
 * JSON.parse in one go; a larger object or array is split at its top level and each member parsed
 * on its own, recursively. Whatever the store wrote, it can read.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * Pieces up to 256 MiB are parsed whole: half of V8's string limit (2^29 - 24 characters), and
 * large enough that the snapshot of 100,000 keys (69 MiB) is one JSON.parse, not a byte scan first.
 */
export const DEFAULT_PIECE_BYTES = 256 * 1024 * 1024;

export class JsonBytesError extends SyntaxError {}

/** Parses the JSON document in `bytes` (UTF-8). Throws JsonBytesError or SyntaxError when it is not JSON. */
export function parseJsonBytes(bytes: Uint8Array, pieceBytes = DEFAULT_PIECE_BYTES): unknown {
  const piece = Math.max(1, pieceBytes);
  // A document that fits in one piece is one JSON.parse, which finds the value's end and refuses
  // trailing data itself: no byte scan in JavaScript first.
  if (bytes.length <= piece) return JSON.parse(text(bytes, 0, bytes.length));
  const start = skipSpace(bytes, 0);
  if (bytes[start] !== OPEN_BRACE && bytes[start] !== OPEN_BRACKET) return JSON.parse(text(bytes, 0, bytes.length));
  // A larger container is split member by member; scanning its members finds its end (no scan of the whole first).
  const { value, end } = parseContainer(bytes, start, piece);
  if (skipSpace(bytes, end) !== bytes.length) throw new JsonBytesError(`unexpected data after the JSON value at offset ${end}`);
  return value;
}

function text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
}

function parseSpan(bytes: Uint8Array, start: number, end: number, pieceBytes: number): unknown {
  const first = bytes[start];
  if (end - start <= pieceBytes || (first !== OPEN_BRACE && first !== OPEN_BRACKET)) return JSON.parse(text(bytes, start, end));
  return parseContainer(bytes, start, pieceBytes).value;
}

/** The object or array that starts at `start`, split at its top level; `end` is just after it. */
function parseContainer(bytes: Uint8Array, start: number, pieceBytes: number): { value: unknown; end: number } {
  if (bytes[start] === OPEN_BRACKET) {
    const out: unknown[] = [];
    let at = skipSpace(bytes, start + 1);
    if (bytes[at] === CLOSE_BRACKET) return { value: out, end: at + 1 };
    for (;;) {
      const valueEnd = scanValue(bytes, at);
      out.push(parseSpan(bytes, at, valueEnd, pieceBytes));
      at = skipSpace(bytes, valueEnd);
      if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
      else if (bytes[at] === CLOSE_BRACKET) return { value: out, end: at + 1 };
      else throw new JsonBytesError(`expected ',' or ']' at offset ${at}`);
    }
  }
  const out: Record<string, unknown> = {};
  let at = skipSpace(bytes, start + 1);
  if (bytes[at] === CLOSE_BRACE) return { value: out, end: at + 1 };
  for (;;) {
    if (bytes[at] !== QUOTE) throw new JsonBytesError(`expected a member name at offset ${at}`);
    const nameEnd = scanString(bytes, at);
    const name = JSON.parse(text(bytes, at, nameEnd)) as string;
    at = skipSpace(bytes, nameEnd);
    if (bytes[at] !== COLON) throw new JsonBytesError(`expected ':' at offset ${at}`);
    at = skipSpace(bytes, at + 1);
    const valueEnd = scanValue(bytes, at);
    // As JSON.parse does: an own property whatever the name ('__proto__' included).
    Object.defineProperty(out, name, { value: parseSpan(bytes, at, valueEnd, pieceBytes), enumerable: true, writable: true, configurable: true });
    at = skipSpace(bytes, valueEnd);
    if (bytes[at] === COMMA) at = skipSpace(bytes, at + 1);
    else if (bytes[at] === CLOSE_BRACE) return { value: out, end: at + 1 };
    else throw new JsonBytesError(`expected ',' or '}' at offset ${at}`);
  }
}

function skipSpace(bytes: Uint8Array, at: number): number {
  while (at < bytes.length) {
    const c = bytes[at]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at++;
  }
  return at;
}

/** The offset just after the string that starts at `at` (its opening quote). */
function scanString(bytes: Uint8Array, at: number): number {
  for (let i = at + 1; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  throw new JsonBytesError(`unterminated string at offset ${at}`);
}

/** The offset just after the value that starts at `at`. Multi-byte UTF-8 never looks like ASCII, so bytes are scanned as they are. */
function scanValue(bytes: Uint8Array, at: number): number {
  if (at >= bytes.length) throw new JsonBytesError(`expected a value at offset ${at}`);
  const first = bytes[at]!;
  if (first === QUOTE) return scanString(bytes, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = at;
    while (i < bytes.length) {
      const c = bytes[i]!;
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
      i++;
    }
    if (i === at) throw new JsonBytesError(`expected a value at offset ${at}`);
    return i;
  }
  let depth = 0;
  for (let i = at; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) i = scanString(bytes, i) - 1;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    }
  }
  throw new JsonBytesError(`unterminated ${first === OPEN_BRACE ? 'object' : 'array'} at offset ${at}`);
}
