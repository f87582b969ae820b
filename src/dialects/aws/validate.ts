import { fromBase64 } from '../../crypto/bytes.js';
import { SHAPES, type ShapeModel } from './model.generated.js';
import { isPlainObject } from '../shared.js';

/**
 * Model-driven input checks, worded as AWS words them:
 *   1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint:
 *   Member must have value greater than or equal to 1
 * Type mismatches (a string where a number belongs, bad base64) are serialization errors.
 */
export class SerializationProblem extends Error {}

export interface Decoded {
  /** The input with blobs decoded to Uint8Array and timestamps to epoch ms. */
  value: Record<string, unknown>;
  violations: string[];
}

/**
 * The emulator's one allowance beyond the model: an XKS proxy endpoint (https://host, no port, in
 * AWS) may also be a loopback address with a port, over http or https, so that an external key store
 * reaches the built-in proxy or one under test on this machine (docs/key-stores.md).
 */
const PROXY_ENDPOINT_PATTERN = '^https://[a-zA-Z0-9.-]+$';
const LOOPBACK_PROXY = /^https?:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/;

const patternCache = new Map<string, RegExp>();
function compile(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    patternCache.set(pattern, re);
  }
  return re;
}

function lowerFirst(name: string): string {
  // AWSAccountId -> aWSAccountId, as the service reports member paths
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function show(value: unknown, shape: ShapeModel): string {
  if (value === null || value === undefined) return 'null';
  if (shape.type === 'blob' && value instanceof Uint8Array) {
    return `'java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]'`;
  }
  return `'${javaString(value)}'`;
}

function javaString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/** Characters as the service counts them: code points (a surrogate pair is one). */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

function sizeOf(value: unknown, shape: ShapeModel): number {
  if (shape.type === 'string') return codePoints(value as string);
  if (shape.type === 'blob') return (value as Uint8Array).length;
  if (shape.type === 'list') return (value as unknown[]).length;
  return Object.keys(value as object).length;
}

/** Records one violation (the value is rendered only then: most values pass). */
function fail(out: string[], value: unknown, shape: ShapeModel, path: string, constraint: string): void {
  // AWS never echoes a sensitive member (Plaintext, passwords): "Value at 'plaintext' failed to ..."
  const shown = 'sensitive' in shape && shape.sensitive ? '' : ` ${show(value, shape)}`;
  out.push(`Value${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
}

function checkConstraints(value: unknown, shape: ShapeModel, path: string, out: string[]): void {
  if ('length' in shape && shape.length) {
    const [min, max] = shape.length;
    const n = sizeOf(value, shape);
    if (min !== undefined && n < min) fail(out, value, shape, path, `Member must have length greater than or equal to ${min}`);
    else if (max !== undefined && n > max) fail(out, value, shape, path, `Member must have length less than or equal to ${max}`);
  }
  if ('range' in shape && shape.range) {
    const [min, max] = shape.range;
    const n = value as number;
    if (min !== undefined && n < min) fail(out, value, shape, path, `Member must have value greater than or equal to ${min}`);
    else if (max !== undefined && n > max) fail(out, value, shape, path, `Member must have value less than or equal to ${max}`);
  }
  if (shape.type === 'string') {
    if (shape.enum && !shape.enum.includes(value as string)) fail(out, value, shape, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
    if (shape.pattern && !compile(shape.pattern).test(value as string) && !LOOPBACK_PROXY.test(shape.pattern === PROXY_ENDPOINT_PATTERN ? (value as string) : '')) fail(out, value, shape, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function mismatch(expected: string, path: string, value: unknown): SerializationProblem {
  return new SerializationProblem(`Expected ${expected} for '${path}' but found ${typeName(value)}`);
}

/** Decodes and checks one value against a shape; type mismatches throw SerializationProblem. */
function decode(value: unknown, shapeName: string, path: string, out: string[]): unknown {
  const shape = SHAPES[shapeName];
  if (!shape) throw new Error(`no shape ${shapeName}`);
  let decoded: unknown = value;
  switch (shape.type) {
    case 'string':
      if (typeof value !== 'string') throw mismatch('a string', path, value);
      break;
    case 'blob': {
      if (typeof value !== 'string') throw mismatch('a base64 string', path, value);
      const bytes = fromBase64(value);
      if (!bytes) throw new SerializationProblem(`Value for '${path}' is not valid base64`);
      decoded = bytes;
      break;
    }
    case 'integer':
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch('an integer', path, value);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch('a boolean', path, value);
      break;
    case 'timestamp':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch('a timestamp', path, value);
      decoded = value * 1000;
      break;
    case 'list': {
      if (!Array.isArray(value)) throw mismatch('a list', path, value);
      decoded = value.map((item, i) => {
        if (item === null) throw new SerializationProblem(`Null element in list '${path}'`);
        return decode(item, shape.member, `${path}.${i + 1}.member`, out);
      });
      break;
    }
    case 'map': {
      if (!isPlainObject(value)) throw mismatch('a map', path, value);
      // Every key is an ordinary key, '__proto__' included, as the service treats it.
      const entries: Record<string, unknown> = Object.create(null);
      for (const [k, v] of Object.entries(value)) {
        decode(k, shape.key, path, out);
        if (v === null) throw new SerializationProblem(`Null value in map '${path}'`);
        entries[k] = decode(v, shape.value, path, out);
      }
      decoded = entries;
      break;
    }
    case 'structure':
      if (!isPlainObject(value)) throw mismatch('a structure', path, value);
      decoded = decodeStructure(value, shapeName, path ? `${path}.` : '', out);
      break;
  }
  if (shape.type !== 'structure' && shape.type !== 'boolean' && shape.type !== 'timestamp') checkConstraints(decoded, shape, path, out);
  return decoded;
}

type StructureShape = Extract<ShapeModel, { type: 'structure' }>;
export interface MemberEntry {
  readonly member: string;
  /** The member's name in paths of messages (lowerCamelCase). */
  readonly name: string;
  readonly target: string;
  readonly required: boolean;
}
/** Each structure's members, listed once. */
const memberTables = new Map<string, readonly MemberEntry[]>();
export function membersOf(shapeName: string): readonly MemberEntry[] {
  let table = memberTables.get(shapeName);
  if (!table) {
    const shape = SHAPES[shapeName] as StructureShape;
    table = Object.entries(shape.members).map(([member, def]) => ({ member, name: lowerFirst(member), target: def.target, required: def.required === true }));
    memberTables.set(shapeName, table);
  }
  return table;
}

function decodeStructure(value: Record<string, unknown>, shapeName: string, prefix: string, out: string[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const m of membersOf(shapeName)) {
    const v = value[m.member];
    if (v === undefined || v === null) {
      if (m.required) out.push(`Value null at '${prefix + m.name}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    result[m.member] = decode(v, m.target, prefix === '' ? m.name : prefix + m.name, out);
  }
  return result;
}

/** Decodes an operation's input; unknown members are ignored, as the service ignores them. */
export function decodeInput(input: Record<string, unknown>, shapeName: string): Decoded {
  const violations: string[] = [];
  const value = decodeStructure(input, shapeName, '', violations);
  return { value, violations };
}

export function validationMessage(violations: string[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`;
}
